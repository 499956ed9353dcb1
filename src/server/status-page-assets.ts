// The status page's script and stylesheet, served by the exporter itself (/status.js, /status.css)
// so the page loads nothing from elsewhere and its CSP needs no 'unsafe-inline'.

import * as client from './status-page-client.js';
import * as view from './status-page-view.js';

export interface StatusPageAsset {
  contentType: string;
  body(): string;
}

export const STATUS_SCRIPT: StatusPageAsset = { contentType: 'text/javascript; charset=utf-8', body: () => (script ??= buildScript()) };
export const STATUS_STYLESHEET: StatusPageAsset = { contentType: 'text/css; charset=utf-8', body: () => CSS };

let script: string | undefined;

/**
 * The browser runs the very functions the server renders with: the view and client modules' exports,
 * as their compiled source (Function.prototype.toString, as Playwright's page.evaluate ships
 * functions), then the start call. One copy of the logic, no bundler; the price is that those two
 * modules import no values (and instrumenting coverage, as istanbul does, would break the script;
 * V8 coverage does not). `__name`: esbuild (tsx) wraps named functions in that helper.
 */
export function buildScript(): string {
  return ['"use strict";', '(() => {', scriptDefinitions(), 'startStatusRefresh(pageView);', '})();', ''].join('\n');
}

/** The shipped definitions alone, which tests evaluate beside the server's own. */
export function scriptDefinitions(): string {
  const definitions = [view, client].flatMap((module) =>
    Object.entries(module).map(([name, value]) =>
      typeof value === 'function' ? `const ${name} = ${value.toString()};` : `const ${name} = ${JSON.stringify(value)};`,
    ),
  );
  return ['const __name = (target) => target;', ...definitions].join('\n');
}

/** Light and dark by prefers-color-scheme; a card grid that stacks down to 320 px. */
const CSS = `:root {
  color-scheme: light dark;
  --bg: #f6f8fa; --fg: #1f2328; --muted: #59636e; --card: #ffffff; --border: #d1d9e0; --focus: #0969da;
  --ok: #1a7f37; --ok-bar: #4ac26b; --fail: #d1242f; --fail-bar: #d1242f; --fail-bg: #fff5f5;
  --warn: #9a6700; --warn-bg: #fff8e5; --nodata: #59636e; --on-badge: #ffffff; --axis: #d1d9e0;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --card: #151b23; --border: #3d444d; --focus: #4493f8;
    --ok: #3fb950; --ok-bar: #2f8f46; --fail: #ff7b72; --fail-bar: #f85149; --fail-bg: #25171c;
    --warn: #d29922; --warn-bg: #272115; --nodata: #9198a1; --on-badge: #0d1117; --axis: #3d444d;
  }
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 1rem/1.45 system-ui, sans-serif; }
header, main { max-width: 90rem; margin: 0 auto; padding: 1rem; }
main { padding-top: 0; }
h1 { font-size: 1.5rem; margin: 0 0 0.5rem; }
h2, h3 { margin: 0; }
a { color: var(--focus); }
a:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 2px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.counts { display: flex; flex-wrap: wrap; gap: 0.5rem; list-style: none; padding: 0; margin: 0 0 0.75rem; }
.counts li { padding: 0.2rem 0.7rem; border-radius: 1rem; border: 1px solid var(--border); background: var(--card); font-weight: 600; }
.counts [data-none] { color: var(--muted); font-weight: 400; }
.counts li:not([data-none])[data-slot="countFailing"] { background: var(--fail); border-color: var(--fail); color: var(--on-badge); }
.counts li:not([data-none])[data-slot="countDegraded"] { background: var(--warn); border-color: var(--warn); color: var(--on-badge); }
.meta, .live { margin: 0.25rem 0; color: var(--muted); font-size: 0.9rem; }
nav ul { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; list-style: none; padding: 0; margin: 0.5rem 0 0; }
.webhooks { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 22rem), 1fr)); list-style: none; padding: 0; margin: 0; }
.card { background: var(--card); border: 1px solid var(--border); border-left-width: 0.4rem; border-radius: 0.5rem; padding: 0.75rem 1rem; min-width: 0; }
.card[data-health="failing"] { border-color: var(--fail); background: var(--fail-bg); }
.card[data-health="degraded"] { border-color: var(--warn); background: var(--warn-bg); }
.card[data-health="ok"] { border-left-color: var(--ok); }
.card[data-health="nodata"] { border-left-color: var(--nodata); }
.card-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.25rem 0.6rem; }
.badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 0.25rem; font-size: 0.8rem; font-weight: 700; letter-spacing: 0.04em; border: 2px solid currentColor; }
[data-health="failing"] .badge { background: var(--fail); border-color: var(--fail); color: var(--on-badge); }
[data-health="degraded"] .badge { background: var(--warn); border-color: var(--warn); color: var(--on-badge); }
[data-health="ok"] .badge { color: var(--ok); }
[data-health="nodata"] .badge { color: var(--nodata); }
.card h3 { font-size: 1rem; font-family: ui-monospace, monospace; overflow-wrap: anywhere; flex: 1 1 12rem; }
.where { margin: 0; width: 100%; color: var(--muted); font-size: 0.9rem; overflow-wrap: anywhere; }
.headline { margin: 0.5rem 0 0; font-weight: 600; }
[data-health="failing"] .headline { color: var(--fail); }
[data-health="degraded"] .headline { color: var(--warn); }
.ratio { margin: 0.25rem 0; }
.ratio .value { font-size: 2rem; font-weight: 700; white-space: nowrap; margin-right: 0.25rem; }
[data-health="failing"] .ratio .value { color: var(--fail); }
.chart { margin: 0.25rem 0 0.5rem; }
.chart svg { display: block; width: 100%; height: 4rem; }
.chart .success { fill: var(--ok-bar); }
.chart .failed { fill: var(--fail-bar); }
.chart .axis { fill: var(--axis); }
.chart figcaption { color: var(--muted); font-size: 0.8rem; }
.axis-times { display: flex; justify-content: space-between; gap: 0.5rem; }
.chart[data-empty="true"] figcaption [data-slot="chartCaption"] { color: var(--fg); font-weight: 600; }
.chart[data-empty="true"] .legend-items { display: none; }
.legend { display: inline-block; width: 0.7em; height: 0.7em; margin: 0 0.2em 0 0.5em; border-radius: 2px; }
.legend.success { background: var(--ok-bar); }
.legend.failed { background: var(--fail-bar); }
.facts { display: grid; gap: 0.2rem; margin: 0; font-size: 0.9rem; }
.facts > div { display: grid; grid-template-columns: 7.5rem minmax(0, 1fr); gap: 0.5rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: break-word; min-width: 0; }
.failure > * { display: block; }
.failure code, .error { font-family: ui-monospace, monospace; font-size: 0.85rem; }
.error { display: block; color: var(--fail); }
`;
