// Benchmark 7: the status API and what its bookkeeping holds. GET /api/v1/status of a real exporter
// with 1,000 webhooks that all have traffic in their 15-minute windows, against GET /metrics of the
// same exporter; the heap a DeliveryWindow adds per webhook, filled and empty; and the heap an
// EventDeliveryTracker holds at its cap of failed-not-yet-delivered events.

import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { buildExporter, type Exporter } from '../src/app.js';
import { parseConfig, type ExporterConfig } from '../src/config/index.js';
import { createLogger } from '../src/logger.js';
import type { DeliveryAttempt } from '../src/providers/index.js';
import type { StatusDocument } from '../src/server/index.js';
import { MAX_TRACKED_EVENTS, EventDeliveryTracker } from '../src/telemetry/event-delivery.js';
import { DeliveryWindow, WINDOW_MINUTES } from '../src/telemetry/status-window.js';
import { collectGarbage, fmt, MB, ratio, sideBySide, timeMs, verdict, type Row } from './harness.js';
import { scrapeOnce } from './scrape.js';

export const STATUS_TARGET_MS = 50;

const EVENTS = ['order.created', 'order.paid', 'refund.issued'];
/** Per webhook: one attempt every 29 s over the last 14 minutes, so every minute of the window has some. */
const ATTEMPTS_PER_WEBHOOK = 30;
const ATTEMPT_SPACING_MS = 29_000;
const FAILED_EVERY = 5; // one attempt in five failed; the failures cycle through the three events

export interface StatusResult {
  webhooks: number;
  /** Median ms per GET /api/v1/status, body fully read. */
  statusMs: number;
  /** Median ms per GET /metrics of the same exporter, body fully read. */
  metricsMs: number;
  /** status ÷ metrics. */
  ratio: number;
  statusBytes: number;
  metricsBytes: number;
  /** Webhooks in the document (all sources). */
  webhooksInDocument: number;
  /** Webhooks whose entry shows both outcomes, response times, a last failure and ≥ 10 minutes with traffic. */
  webhooksWithTraffic: number;
}

/** 1,000 webhooks (half Salesfinity, half Baanx) that are never polled: their traffic is recorded directly. */
export async function runStatus(options: { webhooks: number; rounds: number }): Promise<StatusResult> {
  const config = await statusConfig(options.webhooks);
  const exporter = await buildExporter(config, { logger: createLogger({ level: 'silent' }) });
  try {
    recordTraffic(exporter, Date.now());
    const { port } = await exporter.listen(0);
    const statusUrl = `http://127.0.0.1:${port}/api/v1/status`;
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;

    // Well-formed before timed: every webhook is in the document, each with its window's traffic.
    const statusBody = await fetchStatus(statusUrl);
    const document = JSON.parse(statusBody) as StatusDocument;
    const entries = document.sources.flatMap((source) => source.webhooks);
    const webhooksWithTraffic = entries.filter(
      (webhook) =>
        webhook.window === `${WINDOW_MINUTES}m` &&
        webhook.deliveries.success > 0 &&
        webhook.deliveries.failed > 0 &&
        webhook.durationSeconds !== null &&
        webhook.lastFailure !== null &&
        webhook.perMinute.length === WINDOW_MINUTES &&
        webhook.perMinute.filter((minute) => minute.success + minute.failed > 0).length >= 10,
    ).length;
    const metricsBody = await scrapeOnce(metricsUrl);

    const medians = await sideBySide(
      options.rounds,
      () => timeMs(() => fetchStatus(statusUrl)),
      () => timeMs(() => scrapeOnce(metricsUrl)),
    );
    return {
      webhooks: options.webhooks,
      statusMs: medians.ours,
      metricsMs: medians.baseline,
      ratio: medians.ours / medians.baseline,
      statusBytes: Buffer.byteLength(statusBody),
      metricsBytes: Buffer.byteLength(metricsBody),
      webhooksInDocument: entries.length,
      webhooksWithTraffic,
    };
  } finally {
    await exporter.stop();
  }
}

/** Fetches the whole body, as a dashboard or a script would. */
async function fetchStatus(url: string): Promise<string> {
  const response = await request(url);
  const body = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`GET /api/v1/status answered ${response.statusCode}`);
  return body;
}

/** A config as a user would write it; the base URLs are never contacted (the exporter is not started). */
async function statusConfig(webhooks: number): Promise<ExporterConfig> {
  const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
  const salesfinity = Math.ceil(webhooks / 2);
  const config = {
    listen: { host: '127.0.0.1', port: 0 },
    sources: [
      { name: 'sales', provider: 'salesfinity', baseUrl: 'https://salesfinity.bench.invalid', auth: { apiKey: 'bench-key' }, webhooks: ids('sf', salesfinity) },
      { name: 'cards', provider: 'baanx', baseUrl: 'https://baanx.bench.invalid', auth: { bearerToken: 'bench-token' }, webhooks: ids('bx', webhooks - salesfinity) },
    ],
  };
  return parseConfig(JSON.stringify(config), { format: 'json' });
}

/**
 * Each webhook's last 14 minutes, newest first as a read lists them, through the telemetry the poller
 * records into: 3 event types × success/200 and failed/502 (6 delivery series per webhook), response
 * times, and on Baanx (which reports retry schedules) one exhausted failure in three.
 */
function recordTraffic(exporter: Exporter, nowMs: number): void {
  for (const source of exporter.config.sources) {
    const reportsRetries = source.provider === 'baanx';
    source.webhooks.forEach((webhookId, w) => {
      const attempts = Array.from({ length: ATTEMPTS_PER_WEBHOOK }, (_, j): DeliveryAttempt => {
        const failed = j % FAILED_EVERY === FAILED_EVERY - 1;
        const createdAtMs = nowMs - 1_000 - j * ATTEMPT_SPACING_MS;
        return {
          logId: `${webhookId}-${j}`,
          webhookId,
          eventType: EVENTS[j % EVENTS.length] as string,
          eventId: reportsRetries ? randomUUID() : undefined,
          status: failed ? 'failed' : 'success',
          httpStatusCode: failed ? 502 : 200,
          durationSeconds: 0.02 + ((w * 7919 + j * 131) % 3000) / 1000,
          createdAtMs,
          attemptNumber: reportsRetries ? 1 : undefined,
          nextRetryAtMs: reportsRetries ? (failed && j % 3 === 0 ? null : createdAtMs + 60_000) : undefined,
          requestUrl: 'https://receiver.example.com/hooks',
          errorMessage: failed ? 'receiver answered 502 Bad Gateway' : undefined,
        };
      });
      exporter.telemetry.recordDeliveries(source.name, source.provider, attempts, reportsRetries);
    });
  }
}

export function statusRows(result: StatusResult): Row[] {
  const wellFormed = result.webhooksInDocument === result.webhooks && result.webhooksWithTraffic === result.webhooks;
  const check = wellFormed ? `${fmt(result.webhooks, 0)} webhooks ok` : `WEBHOOKS ${result.webhooksInDocument}/${result.webhooksWithTraffic}≠${result.webhooks}`;
  return [
    {
      benchmark: `status ${result.webhooks >= 1000 ? `${result.webhooks / 1000}k` : result.webhooks}`,
      measure: `ms per GET /api/v1/status (${check}, ${fmt(result.statusBytes / 1024)} KB vs ${fmt(result.metricsBytes / 1024)} KB)`,
      ours: fmt(result.statusMs),
      baseline: `${fmt(result.metricsMs)} GET /metrics`,
      ratio: ratio(result.ratio),
      target: `≤ ${STATUS_TARGET_MS} ms`,
      verdict: wellFormed ? verdict(result.statusMs <= STATUS_TARGET_MS) : 'FAIL',
    },
  ];
}

export interface WindowMemoryResult {
  windows: number;
  /** Per window: heapUsed plus ArrayBuffer backing stores (the response-time counters live outside the V8 heap). */
  emptyBytesPerWebhook: number;
  filledBytesPerWebhook: number;
  /** The part of filledBytesPerWebhook held in ArrayBuffer backing stores. */
  filledArrayBufferBytesPerWebhook: number;
  /** Minutes with traffic and response times in a filled window's summary (should be 15). */
  minutesWithTraffic: number;
}

/**
 * N DeliveryWindows, heap after GC with them empty and filled, minus the heap before they existed.
 * Filled: 4 attempts in each of the 15 minutes (3 successes, 1 failure, all with response times, so
 * every minute's bucket holds its response-time counters) and a last failure whose error text is
 * the window's own string, as a parse of its own page would give it.
 */
export function runWindowMemory(windows: number): WindowMemoryResult {
  const nowMs = Date.now();
  const minuteMs = 60_000;
  const nowMinuteStart = Math.floor(nowMs / minuteMs) * minuteMs;
  collectGarbage();
  const base = process.memoryUsage();
  const held = Array.from({ length: windows }, () => new DeliveryWindow());
  collectGarbage();
  const empty = process.memoryUsage();
  held.forEach((window, w) => {
    const errorText = JSON.parse(`"receiver answered 503 Service Unavailable (${w})"`) as string;
    for (let minute = 0; minute < WINDOW_MINUTES; minute++) {
      const minuteStart = nowMinuteStart - minute * minuteMs;
      for (let k = 0; k < 4; k++) {
        const createdAtMs = minuteStart + 5_000 + k * 12_000;
        const failed = k === 3;
        window.record(createdAtMs, failed ? 'failed' : 'success', 0.03 + ((w * 31 + minute * 7 + k) % 200) / 100);
        if (failed) window.noteFailure(createdAtMs, 'order.paid', '503', errorText);
      }
    }
  });
  collectGarbage();
  const filled = process.memoryUsage();
  const summary = held[0]?.summary(nowMs);
  const minutesWithTraffic = summary?.durationSeconds ? summary.perMinute.filter((minute) => minute.success > 0 && minute.failed > 0).length : 0;
  const bytes = (after: NodeJS.MemoryUsage) => after.heapUsed - base.heapUsed + (after.arrayBuffers - base.arrayBuffers);
  const result = {
    windows,
    emptyBytesPerWebhook: bytes(empty) / windows,
    filledBytesPerWebhook: bytes(filled) / windows,
    filledArrayBufferBytesPerWebhook: (filled.arrayBuffers - base.arrayBuffers) / windows,
    minutesWithTraffic,
  };
  if (held.length !== windows) throw new Error('windows lost'); // keeps `held` alive until measured
  return result;
}

export function windowMemoryRows(result: WindowMemoryResult): Row[] {
  const ok = result.minutesWithTraffic === WINDOW_MINUTES;
  return [
    {
      benchmark: 'status window',
      measure: `bytes per webhook, 15 min of traffic (${fmt(result.windows)} windows; ${fmt(result.filledArrayBufferBytesPerWebhook, 0)} outside the V8 heap)`,
      ours: fmt(result.filledBytesPerWebhook, 0),
      baseline: `${fmt(result.emptyBytesPerWebhook, 0)} empty window`,
      ratio: ratio(result.filledBytesPerWebhook / result.emptyBytesPerWebhook),
      target: '—',
      verdict: ok ? 'info' : 'FAIL',
    },
  ];
}

export interface TrackerMemory {
  /** Failed first attempts each tracker was fed. */
  fedPerWebhook: number;
  /** Events each tracker follows at the end: MAX_TRACKED_EVENTS, the cap. */
  trackedPerWebhook: number;
  bytesPerWebhook: number;
  bytesPerEvent: number;
}

export interface TrackerMemoryResult {
  trackers: number;
  /** Fed exactly MAX_TRACKED_EVENTS events. */
  filled: TrackerMemory;
  /** Fed twice as many: held at the cap while the oldest are evicted, as a webhook that stays there. */
  evicting: TrackerMemory;
}

/**
 * `trackers` EventDeliveryTrackers fed pages of 100 failed first attempts (never delivered), the
 * event ids 36-character UUIDs that JSON.parse made from a page text, as a read gets them: once
 * until each holds MAX_TRACKED_EVENTS, once with as many again, which the cap evicts (a Map with
 * deletions behind it keeps a larger table). Heap after GC with the trackers, minus before; the
 * pages are garbage by then.
 */
export function runTrackerMemory(options: { trackers: number }): TrackerMemoryResult {
  const pagesToCap = Math.ceil(MAX_TRACKED_EVENTS / TRACKER_PAGE_SIZE);
  return {
    trackers: options.trackers,
    filled: measureTrackers(options.trackers, pagesToCap),
    evicting: measureTrackers(options.trackers, 2 * pagesToCap),
  };
}

const TRACKER_PAGE_SIZE = 100;

function measureTrackers(trackers: number, pages: number): TrackerMemory {
  const nowMs = Date.now();
  const firstMs = nowMs - 3_600_000; // all within the tracking horizon
  const spacingMs = 3_600_000 / (pages * TRACKER_PAGE_SIZE);
  collectGarbage();
  const base = process.memoryUsage();
  const held: EventDeliveryTracker[] = [];
  for (let t = 0; t < trackers; t++) {
    const tracker = new EventDeliveryTracker(firstMs);
    for (let page = 0; page < pages; page++) {
      const entries = Array.from({ length: TRACKER_PAGE_SIZE }, (_, i) => {
        const n = page * TRACKER_PAGE_SIZE + i;
        return { id: `${t}-${n}`, eventId: randomUUID(), createdAtMs: Math.round(firstMs + n * spacingMs) };
      });
      const parsed = JSON.parse(JSON.stringify(entries.reverse())) as typeof entries; // newest first, as a page lists them
      tracker.observe(parsed.map((entry) => failedAttempt(entry.id, entry.eventId, entry.createdAtMs)), nowMs);
    }
    held.push(tracker);
  }
  collectGarbage();
  const after = process.memoryUsage();
  const bytes = after.heapUsed - base.heapUsed + (after.arrayBuffers - base.arrayBuffers);
  const trackedPerWebhook = held[0]?.trackedEvents ?? 0;
  return {
    fedPerWebhook: pages * TRACKER_PAGE_SIZE,
    trackedPerWebhook,
    bytesPerWebhook: bytes / held.length,
    bytesPerEvent: bytes / held.length / trackedPerWebhook,
  };
}

function failedAttempt(logId: string, eventId: string, createdAtMs: number): DeliveryAttempt {
  return {
    logId,
    webhookId: 'bench',
    eventType: 'order.paid',
    eventId,
    status: 'failed',
    httpStatusCode: 503,
    durationSeconds: 0.2,
    createdAtMs,
    attemptNumber: 1,
    nextRetryAtMs: createdAtMs + 60_000,
    requestUrl: undefined,
    errorMessage: 'receiver answered 503 Service Unavailable',
  };
}

export function trackerMemoryRows(result: TrackerMemoryResult): Row[] {
  const row = (memory: TrackerMemory, how: string): Row => ({
    benchmark: 'event tracking',
    measure: `bytes per failed event followed, ${how} (${fmt(result.trackers, 0)} webhooks, UUID ids)`,
    ours: fmt(memory.bytesPerEvent, 0),
    baseline: `${fmt(memory.bytesPerWebhook / MB, 2)} MB per webhook`,
    ratio: '—',
    target: '—',
    verdict: memory.trackedPerWebhook === MAX_TRACKED_EVENTS ? 'info' : 'FAIL',
  });
  return [
    row(result.filled, `filled to the cap of ${fmt(MAX_TRACKED_EVENTS)}`),
    row(result.evicting, `at the cap after ${fmt(result.evicting.fedPerWebhook - MAX_TRACKED_EVENTS)} evicted`),
  ];
}
