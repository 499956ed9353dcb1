// The status page's one renderer of values: every text, attribute and bar the page shows, computed
// from a StatusDocument. The server writes them into its markup (status-page.ts); the browser script
// (status-page-client.ts) writes the same values onto that markup when it refreshes, so server and
// script cannot disagree. The script is built from this module's source (status-page-assets.ts), so
// the module stays self-contained: type imports only, and every function and constant exported
// (the script gets only what the module exports; constants must be JSON).

import type { StatusDocument, StatusMinute, StatusWebhook } from './status.js';

/** Success ratio below which a webhook is FAILING: the alerts' critical error ratio (50 % failed). */
export const FAILING_BELOW = 0.5;
/** Success ratio below which it is DEGRADED: the alerts' warning error ratio (10 % failed). */
export const DEGRADED_BELOW = 0.9;

export type Health = 'failing' | 'degraded' | 'nodata' | 'ok';
/** Page order: what needs a look first. */
export const HEALTH_ORDER: Health[] = ['failing', 'degraded', 'nodata', 'ok'];
export const HEALTH_BADGES: Record<Health, string> = { failing: 'FAILING', degraded: 'DEGRADED', nodata: 'NO DATA', ok: 'OK' };

/** What one element shows. `text` undefined leaves its content alone; an attribute null is removed. */
export interface Shown {
  text?: string;
  attrs: Record<string, string | null>;
}

export interface BarView {
  /** The `<g>` of one minute: data-minute, data-success, data-failed. */
  attrs: Record<string, string>;
  /** Its tooltip (`<title>`). */
  title: string;
  success: Record<string, string>;
  failed: Record<string, string>;
}

export interface WebhookView {
  /** Identifies the webhook's card across refreshes (its data-key): JSON of [source, id]. */
  key: string;
  source: string;
  provider: string;
  id: string;
  health: Health;
  /** Elements marked data-slot="name" in the card. */
  slots: Record<string, Shown>;
  bars: BarView[];
}

export interface PageView {
  title: string;
  /** Elements marked data-slot="name" in the page's overview. */
  slots: Record<string, Shown>;
  /** Failing first (HEALTH_ORDER), then in config order. */
  webhooks: WebhookView[];
}

/** The chart's drawing box; bars stretch to the card's width. */
export const CHART_WIDTH = 150;
export const CHART_HEIGHT = 40;

export function pageView(doc: StatusDocument): PageView {
  // Times read relative to the document's own time; the local clock only stands in for a bad one.
  const nowMs = Number.isNaN(Date.parse(doc.generatedAt)) ? Date.now() : Date.parse(doc.generatedAt);
  const webhooks = doc.sources.flatMap((source) =>
    source.webhooks.map((webhook) => webhookView(source.name, source.provider, webhook, nowMs)),
  );
  const ranked = webhooks
    .map((view, index) => ({ view, index }))
    .sort((a, b) => HEALTH_ORDER.indexOf(a.view.health) - HEALTH_ORDER.indexOf(b.view.health) || a.index - b.index)
    .map(({ view }) => view);
  const count = (health: Health): number => webhooks.filter((view) => view.health === health).length;
  const countShown = (health: Health, label: string): Shown => {
    const n = count(health);
    return { text: `${n} ${label}`, attrs: { 'data-none': n === 0 ? '' : null } };
  };
  const failing = count('failing');
  return {
    title: `${failing > 0 ? `${failing} failing · ` : ''}Webhook delivery health`,
    slots: {
      countFailing: countShown('failing', 'failing'),
      countDegraded: countShown('degraded', 'degraded'),
      countNodata: countShown('nodata', 'no data'),
      countOk: countShown('ok', 'OK'),
      ready: { text: doc.ready ? 'Ready' : 'Not ready: first polls in progress', attrs: {} },
      generatedAt: clockShown(doc.generatedAt),
      version: { text: doc.version, attrs: {} },
      startedAt: timeShown(doc.startedAt, nowMs, 'unknown'),
    },
    webhooks: ranked,
  };
}

export function webhookView(source: string, provider: string, webhook: StatusWebhook, nowMs: number): WebhookView {
  const health = webhookHealth(webhook);
  const ratio = finiteOrNull(webhook.successRatio);
  const windowText = formatWindow(webhook.window);
  const failure = webhook.lastFailure;
  const headline = headlineText(webhook, health, windowText, nowMs);
  const chart = chartText(webhook.perMinute, windowText);
  const shown = (text: string, hidden = false): Shown => ({ text, attrs: { hidden: hidden ? '' : null } });
  return {
    key: JSON.stringify([source, webhook.id]),
    source,
    provider,
    id: webhook.id,
    health,
    slots: {
      card: { attrs: { 'data-health': health } },
      badge: shown(HEALTH_BADGES[health]),
      headline: shown(headline ?? '', headline === null),
      ratio: shown(ratio === null ? '' : formatPercent(ratio), ratio === null),
      ratioLabel: shown(
        ratio !== null ? `succeeded in the last ${windowText}` : webhook.up === null ? 'Not polled yet' : `No deliveries in the last ${windowText}`,
      ),
      success: shown(formatCount(webhook.deliveries.success)),
      failed: shown(formatCount(webhook.deliveries.failed)),
      durations: shown(
        webhook.durationSeconds === null
          ? 'none reported'
          : `p50 ${formatSeconds(webhook.durationSeconds.p50)}, p95 ${formatSeconds(webhook.durationSeconds.p95)}`,
      ),
      pending: shown(formatCount(webhook.pending)),
      exhausted: shown(formatCount(webhook.exhausted)),
      failureNone: shown('None since the exporter started', failure !== null),
      failureAt: failure === null ? hiddenTime() : timeShown(failure.at, nowMs, 'unknown time'),
      failureEvent: shown(failure?.event ?? '', failure === null),
      failureCode: shown(failure === null ? '' : failure.httpStatusCode === 'none' ? 'no response' : `HTTP ${failure.httpStatusCode}`, failure === null),
      failureError: shown(failure?.error ?? '', failure?.error == null),
      pollState: shown(webhook.up === null ? 'Not polled yet' : webhook.up ? 'Succeeding' : 'Failing'),
      pollError: shown(webhook.lastError ?? '', webhook.lastError === null),
      pollAt: timeShown(webhook.lastPollAt, nowMs, 'never'),
      chart: { attrs: { 'data-empty': chart.empty ? 'true' : 'false' } },
      chartSvg: { attrs: { 'aria-label': chart.label } },
      chartTitle: shown(chart.label),
      chartCaption: shown(chart.caption),
      chartFrom: shown(chart.from),
      chartTo: shown(chart.to),
    },
    bars: barViews(webhook.perMinute),
  };
}

export function webhookHealth(webhook: StatusWebhook): Health {
  if (webhook.up === false) return 'failing';
  const ratio = finiteOrNull(webhook.successRatio);
  if (ratio === null) return 'nodata';
  if (ratio < FAILING_BELOW) return 'failing';
  return ratio < DEGRADED_BELOW ? 'degraded' : 'ok';
}

/** Since when, for a failing or degraded webhook; null when the rest of the card says it all. */
export function headlineText(webhook: StatusWebhook, health: Health, windowText: string, nowMs: number): string | null {
  if (webhook.up === false) return 'Polls failing: the delivery log cannot be read';
  if (health !== 'failing' && health !== 'degraded') return null;
  const state = health === 'failing' ? 'Failing' : 'Degraded';
  const since = troubleSince(webhook.perMinute, health === 'failing' ? FAILING_BELOW : DEGRADED_BELOW);
  if (since === null) return `${state} over the last ${windowText}; the latest minutes look better`;
  if (since.fromStart) return `${state} for ${windowText} or more`;
  const minutes = Math.max(1, Math.floor((nowMs - since.atMs) / 60_000));
  return `${state} for ${minutes} min, since ${formatClock(since.atMs, false)}`;
}

/**
 * The oldest minute of the current run of bad minutes (success ratio below `below`), newest first;
 * minutes without deliveries neither end nor start a run. `fromStart`: the run reaches the window's start.
 */
export function troubleSince(perMinute: StatusMinute[], below: number): { atMs: number; fromStart: boolean } | null {
  let oldest = -1;
  for (let index = perMinute.length - 1; index >= 0; index--) {
    const minute = perMinute[index]!;
    const total = minute.success + minute.failed;
    if (total === 0) continue;
    if (minute.success / total >= below) break;
    oldest = index;
  }
  if (oldest < 0) return null;
  const atMs = Date.parse(perMinute[oldest]!.at);
  return Number.isNaN(atMs) ? null : { atMs, fromStart: oldest === 0 };
}

export function chartText(perMinute: StatusMinute[], windowText: string): { label: string; caption: string; empty: boolean; from: string; to: string } {
  const success = perMinute.reduce((sum, minute) => sum + minute.success, 0);
  const failed = perMinute.reduce((sum, minute) => sum + minute.failed, 0);
  const first = perMinute[0];
  const last = perMinute[perMinute.length - 1];
  const from = first === undefined ? '' : formatClock(Date.parse(first.at), false);
  const to = last === undefined ? '' : formatClock(Date.parse(last.at), false);
  if (success + failed === 0) {
    const none = `No deliveries in the last ${windowText}`;
    return { label: `${none}.`, caption: none, empty: true, from, to };
  }
  const failingMinutes = perMinute.filter((minute) => minute.failed > 0).length;
  const most = Math.max(...perMinute.map((minute) => minute.success + minute.failed));
  return {
    label:
      `Deliveries per minute, last ${windowText}: ${success} succeeded, ${failed} failed; ` +
      `failures in ${failingMinutes} of ${perMinute.length} minutes; at most ${most} in one minute.`,
    caption: `per minute, at most ${most}`,
    empty: false,
    from,
    to,
  };
}

/** Stacked bars, one per minute, each scaled to the busiest minute: successes below, failures on top. */
export function barViews(perMinute: StatusMinute[]): BarView[] {
  const most = Math.max(1, ...perMinute.map((minute) => minute.success + minute.failed));
  const slot = CHART_WIDTH / Math.max(1, perMinute.length);
  const heightOf = (count: number): number => (count <= 0 ? 0 : Math.max(1, round2((count / most) * CHART_HEIGHT)));
  return perMinute.map((minute, index) => {
    const successHeight = heightOf(minute.success);
    const failedHeight = heightOf(minute.failed);
    const x = String(round2(index * slot + slot * 0.1));
    const width = String(round2(slot * 0.8));
    return {
      attrs: { 'data-minute': minute.at, 'data-success': String(minute.success), 'data-failed': String(minute.failed) },
      title: `${formatClock(Date.parse(minute.at), false)}: ${minute.success} succeeded, ${minute.failed} failed`,
      success: { x, width, y: String(round2(CHART_HEIGHT - successHeight)), height: String(successHeight) },
      failed: { x, width, y: String(round2(CHART_HEIGHT - successHeight - failedHeight)), height: String(failedHeight) },
    };
  });
}

/**
 * "0 %", "97 %", rounded down so the figure agrees with the badge (89.9 % is "89 %" and DEGRADED);
 * "<1 %" when some but under 1 % succeeded.
 */
export function formatPercent(ratio: number): string {
  const percent = Math.floor(ratio * 100);
  return percent === 0 && ratio > 0 ? '<1 %' : `${percent} %`;
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  return seconds < 10 ? `${Math.round(seconds * 10) / 10} s` : `${Math.round(seconds)} s`;
}

export function formatCount(count: number): string {
  return Number.isFinite(count) ? String(count) : '?';
}

/** "15m" → "15 min"; anything else as it is. */
export function formatWindow(span: string): string {
  const match = /^(\d+)(s|m|h)$/.exec(span);
  if (match === null) return span;
  return `${match[1]} ${match[2] === 'm' ? 'min' : match[2]}`;
}

/** Relative to the document's time, not the browser's clock, so a skewed clock changes nothing. */
export function formatAgo(atMs: number, nowMs: number): string {
  const seconds = Math.round((nowMs - atMs) / 1000);
  if (Number.isNaN(seconds)) return 'unknown time';
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} d ago`;
}

/** "04:06 UTC" (or with seconds): UTC on both sides, since the server knows no reader's time zone. */
export function formatClock(ms: number, seconds: boolean): string {
  if (Number.isNaN(ms)) return '?';
  return `${new Date(ms).toISOString().slice(11, seconds ? 19 : 16)} UTC`;
}

/** A `<time>` showing "12 s ago", with the ISO time as its datetime and tooltip. */
export function timeShown(iso: string | null, nowMs: number, missing: string): Shown {
  const ms = iso === null ? Number.NaN : Date.parse(iso);
  if (Number.isNaN(ms)) return { text: iso === null ? missing : 'unknown time', attrs: { datetime: null, title: null, hidden: null } };
  const exact = new Date(ms).toISOString();
  return { text: formatAgo(ms, nowMs), attrs: { datetime: exact, title: exact, hidden: null } };
}

export function clockShown(iso: string): Shown {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return { text: 'unknown time', attrs: { datetime: null, title: null } };
  const exact = new Date(ms).toISOString();
  return { text: formatClock(ms, true), attrs: { datetime: exact, title: exact } };
}

export function hiddenTime(): Shown {
  return { text: '', attrs: { datetime: null, title: null, hidden: '' } };
}

export function finiteOrNull(value: number | null): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
