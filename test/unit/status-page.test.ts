// The status page rendered from StatusDocuments: what a reader sees for each state of a webhook,
// escaping of every string, the chart's points, the page's routes and CSP, and that the browser
// script computes exactly what the server rendered (it ships the same functions).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixinConfig } from '../../mixin/config.js';
import { createServer, type StatusDocument, type StatusWebhook } from '../../src/server/index.js';
import { buildScript, scriptDefinitions } from '../../src/server/status-page-assets.js';
import { DEGRADED_BELOW, FAILING_BELOW, formatPercent, pageView } from '../../src/server/status-page-view.js';
import { renderStatusPage } from '../../src/server/status-page.js';
import { httpRequest } from '../helpers/http-request.js';
import { closeNow, listenOnLoopback } from '../helpers/loopback.js';

const NOW = '2026-12-02T04:20:00.000Z';
const NOW_MS = Date.parse(NOW);
const minuteAt = (index: number): string => new Date(NOW_MS - (14 - index) * 60_000).toISOString();

/** 15 buckets, oldest first, 04:06 … 04:20; `counts(i)` gives [success, failed] of bucket i. */
function perMinute(counts: (index: number) => [number, number] = () => [0, 0]): StatusWebhook['perMinute'] {
  return Array.from({ length: 15 }, (_, index) => {
    const [success, failed] = counts(index);
    return { at: minuteAt(index), success, failed };
  });
}

function webhook(overrides: Partial<StatusWebhook> = {}): StatusWebhook {
  return {
    id: 'hook-healthy',
    up: true,
    lastPollAt: '2026-12-02T04:19:58.000Z',
    lastError: null,
    window: '15m',
    deliveries: { success: 97, failed: 3 },
    successRatio: 0.97,
    durationSeconds: { p50: 0.31, p95: 2.4 },
    pending: 1,
    exhausted: 0,
    lastFailure: { at: '2026-12-02T04:12:00.000Z', event: 'invoice.paid', httpStatusCode: '500', error: 'Internal Server Error' },
    perMinute: perMinute((index) => [index === 14 ? 1 : 7, index === 6 ? 3 : 0]),
    ...overrides,
  };
}

const FAILING = webhook({
  id: '770e8400-e29b-41d4-a716-4466554400ff',
  deliveries: { success: 0, failed: 31 },
  successRatio: 0,
  exhausted: 4,
  lastFailure: { at: '2026-12-02T04:19:40.000Z', event: 'card.activated', httpStatusCode: '503', error: 'Service Unavailable' },
  // Fine until 04:09, failing from 04:10 on; the current minute has nothing yet.
  perMinute: perMinute((index) => (index < 4 ? [5, 0] : index < 14 ? [0, 3] : [0, 0])),
});
const NEVER_POLLED = webhook({
  id: 'hook-new',
  up: null,
  lastPollAt: null,
  deliveries: { success: 0, failed: 0 },
  successRatio: null,
  durationSeconds: null,
  pending: 0,
  lastFailure: null,
  perMinute: perMinute(),
});
const POLLS_FAILING = webhook({
  ...NEVER_POLLED,
  id: 'hook-401',
  up: false,
  lastPollAt: '2026-12-02T04:19:55.000Z',
  lastError: 'HTTP 401 from the provider: check the credential',
});
const QUIET = webhook({ ...NEVER_POLLED, id: 'hook-quiet', up: true, lastPollAt: '2026-12-02T04:19:50.000Z' });
const DEGRADED = webhook({ id: 'hook-degraded', deliveries: { success: 85, failed: 15 }, successRatio: 0.85 });

function documentOf(...webhooks: StatusWebhook[]): StatusDocument {
  return {
    version: '0.1.0',
    startedAt: '2026-12-02T04:18:36.855Z',
    ready: true,
    generatedAt: NOW,
    sources: [{ name: 'payments', provider: 'example', webhooks }],
  };
}

/** The text a reader sees, roughly: tags dropped, entities decoded, whitespace collapsed. */
function visibleText(html: string): string {
  return html
    .replace(/<(title|script)[^>]*>[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+\bhidden\b[^>]*>[^<]*<\/[a-z]+>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** The card of webhook `id`, as rendered. */
function card(html: string, id: string): string {
  const match = new RegExp(`<li class="card"[^>]*data-key="[^"]*${id}[^"]*"[\\s\\S]*?</li>`).exec(html);
  if (match === null) throw new Error(`no card for ${id}`);
  return match[0];
}

function slotText(html: string, name: string): string {
  const match = new RegExp(`<([a-z]+) data-slot="${name}"[^>]*>([^<]*)</\\1>`).exec(html);
  if (match === null) throw new Error(`no slot ${name}`);
  return visibleText(match[2]!).trim();
}

function isHidden(html: string, name: string): boolean {
  return new RegExp(`data-slot="${name}"[^>]* hidden[ >]`).test(html);
}

describe('a webhook on the page', () => {
  it('healthy: OK, its ratio, deliveries, response times, pending, last failure and polls', () => {
    const html = card(renderStatusPage(documentOf(webhook())), 'hook-healthy');
    expect(html).toContain('data-health="ok"');
    expect(slotText(html, 'badge')).toBe('OK');
    expect(slotText(html, 'ratio')).toBe('97 %');
    expect(slotText(html, 'ratioLabel')).toBe('succeeded in the last 15 min');
    expect(isHidden(html, 'headline')).toBe(true);
    expect(visibleText(html)).toContain('97 succeeded, 3 failed');
    expect(slotText(html, 'durations')).toBe('p50 310 ms, p95 2.4 s');
    expect(slotText(html, 'pending')).toBe('1');
    expect(slotText(html, 'failureAt')).toBe('8 min ago');
    expect(html).toContain('<time data-slot="failureAt" datetime="2026-12-02T04:12:00.000Z" title="2026-12-02T04:12:00.000Z">');
    expect(slotText(html, 'failureEvent')).toBe('invoice.paid');
    expect(slotText(html, 'failureCode')).toBe('HTTP 500');
    expect(slotText(html, 'pollState')).toBe('Succeeding');
    expect(slotText(html, 'pollAt')).toBe('2 s ago');
    expect(isHidden(html, 'pollError')).toBe(true);
  });

  it('failing: FAILING, "0 %", since when, how badly, and the last failure', () => {
    const html = card(renderStatusPage(documentOf(FAILING)), FAILING.id);
    expect(html).toContain('data-health="failing"');
    expect(slotText(html, 'badge')).toBe('FAILING');
    expect(slotText(html, 'ratio')).toBe('0 %');
    expect(slotText(html, 'headline')).toBe('Failing for 10 min, since 04:10 UTC');
    expect(visibleText(html)).toContain('0 succeeded, 31 failed');
    expect(visibleText(html)).toContain('4 since the exporter started');
    expect(slotText(html, 'failureAt')).toBe('20 s ago');
    expect(visibleText(html)).toMatch(/20 s ago card\.activated HTTP 503 Service Unavailable/);
    expect(isHidden(html, 'failureNone')).toBe(true);
  });

  it('failing since before the window: says so rather than inventing a start', () => {
    const always = { ...FAILING, perMinute: perMinute(() => [0, 2]) };
    expect(slotText(card(renderStatusPage(documentOf(always)), FAILING.id), 'headline')).toBe('Failing for 15 min or more');
  });

  it('never polled: NO DATA, "not polled yet", no figures made up', () => {
    const html = card(renderStatusPage(documentOf(NEVER_POLLED)), 'hook-new');
    expect(slotText(html, 'badge')).toBe('NO DATA');
    expect(slotText(html, 'ratioLabel')).toBe('Not polled yet');
    expect(slotText(html, 'pollState')).toBe('Not polled yet');
    expect(slotText(html, 'pollAt')).toBe('never');
    expect(isHidden(html, 'ratio')).toBe(true);
    expect(slotText(html, 'failureNone')).toBe('None since the exporter started');
    expect(slotText(html, 'durations')).toBe('none reported');
  });

  it('every poll failing: FAILING, with the polls named as the reason and their error', () => {
    const html = card(renderStatusPage(documentOf(POLLS_FAILING)), 'hook-401');
    expect(slotText(html, 'badge')).toBe('FAILING');
    expect(slotText(html, 'headline')).toBe('Polls failing: the delivery log cannot be read');
    expect(slotText(html, 'pollState')).toBe('Failing');
    expect(slotText(html, 'pollError')).toBe('HTTP 401 from the provider: check the credential');
    expect(slotText(html, 'pollAt')).toBe('5 s ago');
  });

  it('no deliveries in the window: says so in words, never "NaN %" or a bare chart', () => {
    const html = card(renderStatusPage(documentOf(QUIET)), 'hook-quiet');
    expect(slotText(html, 'badge')).toBe('NO DATA');
    expect(slotText(html, 'ratioLabel')).toBe('No deliveries in the last 15 min');
    expect(slotText(html, 'chartCaption')).toBe('No deliveries in the last 15 min');
    expect(html).toContain('data-empty="true"');
    expect(html).toContain('aria-label="No deliveries in the last 15 min."');
    expect(html.match(/<g data-minute=/g)).toHaveLength(15);
  });

  it('never shows NaN, undefined or null, whatever the state', () => {
    const html = renderStatusPage(documentOf(webhook(), FAILING, NEVER_POLLED, POLLS_FAILING, QUIET, DEGRADED));
    expect(visibleText(html)).not.toMatch(/NaN|undefined|\bnull\b/);
    expect(html).not.toMatch(/NaN|undefined/);
  });
});

describe('the chart', () => {
  it('has one point per minute with its counts, oldest first, and a text summary', () => {
    const html = card(renderStatusPage(documentOf(FAILING)), FAILING.id);
    const points = [...html.matchAll(/<g data-minute="([^"]+)" data-success="(\d+)" data-failed="(\d+)"><title>([^<]*)<\/title>/g)];
    expect(points).toHaveLength(15);
    expect(points.map((point) => point[1])).toEqual(FAILING.perMinute.map((minute) => minute.at));
    expect(points[4]!.slice(2)).toEqual(['0', '3', '04:10 UTC: 0 succeeded, 3 failed']);
    expect(html).toMatch(/<svg data-slot="chartSvg" role="img"[^>]* aria-label="Deliveries per minute, last 15 min: 20 succeeded, 30 failed; failures in 10 of 15 minutes; at most 5 in one minute\."/);
    expect(slotText(html, 'chartTitle')).toContain('20 succeeded, 30 failed');
  });

  it('stacks failures on successes, scaled to the busiest minute', () => {
    const html = card(renderStatusPage(documentOf(webhook({ perMinute: perMinute((index) => (index === 0 ? [30, 10] : [10, 0])) }))), 'hook-healthy');
    const first = /<g data-minute[^>]*>.*?<rect class="success" x="[^"]+" width="[^"]+" y="([^"]+)" height="([^"]+)"\/><rect class="failed" x="[^"]+" width="[^"]+" y="([^"]+)" height="([^"]+)"\/>/.exec(html)!;
    expect(first.slice(1).map(Number)).toEqual([10, 30, 0, 10]); // 40 high in all: 30 + 10
  });
});

describe('the page', () => {
  it('puts failing webhooks first, then degraded, no data and OK, each group in config order', () => {
    const page = pageView(documentOf(webhook(), QUIET, DEGRADED, FAILING, POLLS_FAILING));
    expect(page.webhooks.map((view) => view.id)).toEqual([FAILING.id, 'hook-401', 'hook-degraded', 'hook-quiet', 'hook-healthy']);
    const html = renderStatusPage(documentOf(webhook(), QUIET, DEGRADED, FAILING, POLLS_FAILING));
    expect([...html.matchAll(/<h3 id="[^"]+">([^<]+)<\/h3>/g)].map((match) => match[1])).toEqual(page.webhooks.map((view) => view.id));
    expect(slotText(html, 'countFailing')).toBe('2 failing');
    expect(slotText(html, 'countDegraded')).toBe('1 degraded');
    expect(html).toContain('<title>2 failing · Webhook delivery health</title>');
  });

  it('links to the endpoints relatively and loads only its own script and stylesheet', () => {
    const html = renderStatusPage(documentOf(webhook()));
    for (const path of ['metrics', 'healthz', 'readyz', 'api/v1/status']) expect(html).toContain(`<a href="${path}">`);
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script src="status.js" defer>']);
    expect(html).toContain('<link rel="stylesheet" href="status.css">');
    expect(html).not.toMatch(/https?:\/\/|style=|\son[a-z]+=/i);
  });

  it('shows the document time, readiness and version', () => {
    const html = renderStatusPage({ ...documentOf(webhook()), ready: false });
    expect(html).toContain('<time data-slot="generatedAt" datetime="2026-12-02T04:20:00.000Z" title="2026-12-02T04:20:00.000Z">04:20:00 UTC</time>');
    expect(slotText(html, 'ready')).toBe('Not ready: first polls in progress');
    expect(slotText(html, 'startedAt')).toBe('1 min ago');
  });
});

describe('escaping', () => {
  const XSS = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&`;
  const evil: StatusDocument = {
    version: XSS,
    startedAt: XSS,
    ready: false,
    generatedAt: XSS,
    sources: [
      {
        name: XSS,
        provider: XSS,
        webhooks: [
          webhook({
            id: XSS,
            up: false,
            lastPollAt: XSS,
            lastError: XSS,
            window: XSS,
            lastFailure: { at: XSS, event: XSS, httpStatusCode: XSS, error: XSS },
            perMinute: perMinute().map((minute) => ({ ...minute, at: XSS })),
          }),
        ],
      },
    ],
  };

  it('escapes every string field of the document, in text and in attributes', () => {
    const html = renderStatusPage(evil);
    expect(html.match(/<script\b/g)).toHaveLength(1); // ours
    expect(html).not.toMatch(/<img\b/);
    // Every onerror= is the payload's text, never an attribute.
    expect(html.match(/onerror=/g)?.length).toBe(html.match(/&lt;img src=x onerror=/g)?.length);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;');
    // Each text field is still shown, as text.
    const text = visibleText(html);
    for (const label of ['HTTP ' + XSS, `last ${XSS}`]) expect(text).toContain(label);
    expect(text.split(XSS).length - 1).toBeGreaterThanOrEqual(7); // id, source, provider, version, event, error, poll error
    // Bad times are not passed on as datetimes.
    expect(html).not.toMatch(/datetime="[^"]*&lt;/);
  });
});

describe('the script', () => {
  const docs = [documentOf(webhook(), FAILING, NEVER_POLLED, POLLS_FAILING, QUIET, DEGRADED), documentOf()];

  it('computes the very view the server rendered: it ships the same functions', () => {
    for (const doc of docs) {
      const shipped = vm.runInNewContext(`${scriptDefinitions()}\nJSON.stringify(pageView(doc))`, { doc: structuredClone(doc) }) as string;
      expect(JSON.parse(shipped)).toEqual(pageView(doc));
    }
  });

  it('starts with nothing but the DOM and fetch, and asks for the status only after a pause', () => {
    const timers: number[] = [];
    const listeners: string[] = [];
    const context = {
      document: { title: '', hidden: false, querySelector: () => null, addEventListener: (type: string) => listeners.push(type) },
      location: { reload: () => undefined },
      fetch: () => Promise.reject(new Error('no fetch at start')),
      setTimeout: (_callback: unknown, ms: number) => timers.push(ms),
      clearTimeout: () => undefined,
    };
    vm.runInNewContext(buildScript(), { ...context, globalThis: context });
    expect(timers).toEqual([5_000]);
    expect(listeners).toEqual(['visibilitychange']);
  });

  it('is built from modules that import nothing but types', () => {
    for (const file of ['status-page-view.ts', 'status-page-client.ts']) {
      const imports = readFileSync(join(import.meta.dirname, '../../src/server', file), 'utf8').match(/^import .*$/gm) ?? [];
      expect(imports.filter((line) => !line.startsWith('import type '))).toEqual([]);
    }
  });

  it('never writes markup: text and attributes only', () => {
    expect(buildScript()).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  });
});

describe('thresholds and figures', () => {
  it('are the alert rules\' error ratios', () => {
    expect(FAILING_BELOW).toBeCloseTo(1 - mixinConfig.deliveryErrorRatio.critical);
    expect(DEGRADED_BELOW).toBeCloseTo(1 - mixinConfig.deliveryErrorRatio.warning);
  });

  it('rounds percentages down, so the figure agrees with the badge', () => {
    expect([0, 0.004, 0.5, 0.8999, 0.9, 0.999, 1].map(formatPercent)).toEqual(['0 %', '<1 %', '50 %', '89 %', '90 %', '99 %', '100 %']);
  });
});

describe('routes', () => {
  const server = createServer({
    telemetry: { collectExpositionChunks: async () => [] },
    isReady: () => true,
    status: () => documentOf(FAILING),
  });
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await listenOnLoopback(server);
  });

  afterAll(() => closeNow(server));

  it('serves the page with a CSP that allows only its own script, stylesheet and API', async () => {
    const reply = await httpRequest(`${baseUrl}/`, 'GET');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(reply.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(reply.body).toContain('FAILING');
  });

  it.each([
    ['/status.js', 'text/javascript; charset=utf-8', 'startStatusRefresh(pageView);'],
    ['/status.css', 'text/css; charset=utf-8', 'prefers-color-scheme: dark'],
  ])('serves %s uncached, with its content type', async (path, contentType, content) => {
    const reply = await httpRequest(`${baseUrl}${path}`, 'GET');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe(contentType);
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.body).toContain(content);
  });
});
