import type { StatusDocument } from './status.js';
import { CHART_HEIGHT, CHART_WIDTH, pageView, type BarView, type Shown, type WebhookView } from './status-page-view.js';

/**
 * The HTML page served on `/`: complete without JavaScript. Its values come from pageView(), and the
 * elements the script keeps current carry data-slot="name" (status-page-client.ts): the markup lives
 * here only. Every value comes from config or from a provider's API, so every one is escaped. Links
 * are relative so the page also works behind a path-prefixing proxy.
 */
export function renderStatusPage(doc: StatusDocument): string {
  const page = pageView(doc);
  const slot = (name: string, tag = 'span', extra = ''): string => element(tag, `data-slot="${name}"${extra}`, page.slots[name]);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="status.css">
<script src="status.js" defer></script>
</head>
<body>
<header data-status-overview>
<h1>Webhook delivery health</h1>
<ul class="counts" aria-label="Webhooks by health">
${slot('countFailing', 'li')}
${slot('countDegraded', 'li')}
${slot('countNodata', 'li')}
${slot('countOk', 'li')}
</ul>
<p class="meta">As of ${slot('generatedAt', 'time')} · ${slot('ready')} · webhook-log-exporter ${slot('version')}, started ${slot('startedAt', 'time')}</p>
<p class="live" data-live aria-live="polite" hidden></p>
<noscript><p class="live">Reload the page to update it.</p></noscript>
<nav aria-label="Endpoints"><ul>
<li><a href="metrics">/metrics</a></li>
<li><a href="healthz">/healthz</a></li>
<li><a href="readyz">/readyz</a></li>
<li><a href="api/v1/status">/api/v1/status</a> (this page as JSON)</li>
</ul></nav>
</header>
<main>
<h2 class="visually-hidden">Webhooks, failing first</h2>
${page.webhooks.length === 0 ? '<p>No webhooks: this replica polls none.</p>\n' : ''}<ol class="webhooks" data-status-webhooks>
${page.webhooks.map(renderCard).join('\n')}
</ol>
</main>
</body>
</html>
`;
}

function renderCard(webhook: WebhookView, index: number): string {
  const slot = (name: string, tag = 'span', extra = ''): string => element(tag, `data-slot="${name}"${extra}`, webhook.slots[name]);
  const headingId = `webhook-${index}`;
  const card = webhook.slots.card!;
  return `<li class="card" data-slot="card" data-key="${escapeHtml(webhook.key)}"${attributes(card.attrs)}>
<article aria-labelledby="${headingId}">
<div class="card-head">
${slot('badge', 'strong', ' class="badge"')}
<h3 id="${headingId}">${escapeHtml(webhook.id)}</h3>
<p class="where">${escapeHtml(webhook.source)} · ${escapeHtml(webhook.provider)}</p>
</div>
${slot('headline', 'p', ' class="headline"')}
<p class="ratio">${slot('ratio', 'span', ' class="value"')} ${slot('ratioLabel')}</p>
${renderChart(webhook)}
<dl class="facts">
<div><dt>Deliveries</dt><dd>${slot('success')} succeeded, ${slot('failed')} failed</dd></div>
<div><dt>Response time</dt>${slot('durations', 'dd')}</div>
<div><dt>Pending</dt>${slot('pending', 'dd')}</div>
<div><dt>Exhausted</dt><dd>${slot('exhausted')} since the exporter started</dd></div>
<div><dt>Last failure</dt><dd class="failure">${slot('failureNone')}${slot('failureAt', 'time')}${slot('failureEvent', 'code')}<span>${slot('failureCode')} ${slot('failureError')}</span></dd></div>
<div><dt>Polls</dt><dd>${slot('pollState')}${slot('pollError', 'span', ' class="error"')}</dd></div>
<div><dt>Last poll</dt><dd>${slot('pollAt', 'time')}</dd></div>
</dl>
</article>
</li>`;
}

function renderChart(webhook: WebhookView): string {
  const slot = (name: string, tag = 'span', extra = ''): string => element(tag, `data-slot="${name}"${extra}`, webhook.slots[name]);
  const figure = webhook.slots.chart!;
  const svg = webhook.slots.chartSvg!;
  return `<figure class="chart" data-slot="chart"${attributes(figure.attrs)}>
<svg data-slot="chartSvg" role="img" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" preserveAspectRatio="none"${attributes(svg.attrs)}>
${slot('chartTitle', 'title')}
<rect class="axis" x="0" y="${CHART_HEIGHT - 0.5}" width="${CHART_WIDTH}" height="0.5"/>
${webhook.bars.map(renderBar).join('\n')}
</svg>
<figcaption>
<span class="axis-times">${slot('chartFrom')}${slot('chartTo')}</span>
<span><span class="legend-items"><span class="legend success"></span>succeeded <span class="legend failed"></span>failed · </span>${slot('chartCaption')}</span>
</figcaption>
</figure>`;
}

function renderBar(bar: BarView): string {
  return `<g${attributes(bar.attrs)}><title>${escapeHtml(bar.title)}</title><rect class="success"${attributes(bar.success)}/><rect class="failed"${attributes(bar.failed)}/></g>`;
}

/** An element showing `shown`: the same text and attributes the script would set. */
function element(tag: string, attrs: string, shown: Shown | undefined): string {
  return `<${tag} ${attrs}${attributes(shown?.attrs ?? {})}>${escapeHtml(shown?.text ?? '')}</${tag}>`;
}

function attributes(attrs: Record<string, string | null>): string {
  return Object.entries(attrs)
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([name, value]) => (value === '' ? ` ${name}` : ` ${name}="${escapeHtml(value)}"`))
    .join('');
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}
