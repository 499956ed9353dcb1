// Benchmark 4: does ingest cost per entry stay flat as history grows (no O(history) structure), and
// is de-duplication memory bounded by the lookback window rather than by what was ingested?

import type { BuiltInProvider } from '../src/providers/index.js';
import { collectGarbage, fmt, MB, median, ratio, verdict, type Row } from './harness.js';
import { createPageStream, PAGE_SIZE } from './pages.js';
import { benchTelemetry, pageReader } from './pipeline.js';

export const FLAT_TARGET = 1.5; // our bar, not the issue's: per-entry cost at N ≤ 1.5× its cost at the smallest N
const COST_SPACING_MS = 10; // 100 entries/s per webhook
const DEDUP_SPACING_MS = 50; // 20 entries/s: a 30m window is 36,000 ids
const COST_LOOKBACK_MS = 5 * 60_000;
const WINDOW_PAGES = 100; // per-entry cost at a milestone: the median page among the last 100 read

export interface ScaleOptions {
  /** Milestones, ascending: the cost is measured just before each is reached. */
  milestones: number[];
  /** Lookbacks (ms) for the de-duplication memory runs. */
  lookbacksMs: number[];
  /** Entries ingested in each de-duplication run; should exceed the largest window. */
  dedupEntries: number;
}

export interface ScaleResult {
  costs: Array<{ entries: number; microsPerEntry: number }>;
  dedup: Array<{ lookbackMs: number; ingested: number; windowEntries: number; seen: number; heapBytes: number }>;
}

export async function runScale(options: ScaleOptions): Promise<ScaleResult> {
  return { costs: await costPerEntry(options.milestones), dedup: await dedupMemory(options) };
}

/** One webhook per provider, pages alternating, for as long as the largest milestone. */
async function costPerEntry(milestones: number[]): Promise<ScaleResult['costs']> {
  const readers = readersFor(COST_LOOKBACK_MS, COST_SPACING_MS, 'cost');
  const pageTimes: number[] = [];
  const costs: ScaleResult['costs'] = [];
  const last = Math.max(...milestones);
  for (let ingested = 0, page = 0; ingested < last; page++) {
    const reader = readers.all[page % readers.all.length] as (typeof readers.all)[number];
    const text = reader.stream.nextPage();
    const start = process.hrtime.bigint();
    await reader.read(text);
    pageTimes.push(Number(process.hrtime.bigint() - start) / 1e3 / PAGE_SIZE);
    ingested += PAGE_SIZE;
    if (milestones.includes(ingested)) costs.push({ entries: ingested, microsPerEntry: median(pageTimes.slice(-WINDOW_PAGES)) });
    if (pageTimes.length > WINDOW_PAGES) pageTimes.shift();
  }
  await readers.telemetry.shutdown();
  return costs;
}

/** One Baanx webhook at 20 entries/s: `seen` should hold one lookback's worth, however much was read. */
async function dedupMemory(options: ScaleOptions): Promise<ScaleResult['dedup']> {
  const results: ScaleResult['dedup'] = [];
  for (const lookbackMs of options.lookbacksMs) {
    const readers = readersFor(lookbackMs, DEDUP_SPACING_MS, `dedup-${lookbackMs}`, ['baanx']);
    const reader = readers.all[0] as (typeof readers.all)[number];
    for (let ingested = 0; ingested < options.dedupEntries; ingested += PAGE_SIZE) await reader.read(reader.stream.nextPage());
    collectGarbage();
    const withSeen = process.memoryUsage().heapUsed;
    const seen = reader.checkpoint.seen.size;
    reader.checkpoint.seen.clear(); // what remains after this is not de-duplication memory
    collectGarbage();
    results.push({
      lookbackMs,
      ingested: options.dedupEntries,
      windowEntries: Math.round(lookbackMs / DEDUP_SPACING_MS),
      seen,
      heapBytes: Math.max(0, withSeen - process.memoryUsage().heapUsed),
    });
    await readers.telemetry.shutdown();
  }
  return results;
}

function readersFor(lookbackMs: number, spacingMs: number, prefix: string, providers: BuiltInProvider[] = ['salesfinity', 'baanx']) {
  const startMs = Date.now() - 30 * 24 * 3_600_000; // far enough back that 1M entries stay in the past
  const streams = providers.map((provider) => createPageStream({ provider, webhookId: `${prefix}-${provider}`, startMs, spacingMs }));
  const telemetry = benchTelemetry(streams);
  return { telemetry, all: streams.map((stream) => ({ stream, ...pageReader(stream, telemetry, lookbackMs) })) };
}

export function scaleRows(result: ScaleResult): Row[] {
  const first = result.costs[0];
  const costRows = result.costs.map(({ entries, microsPerEntry }): Row => {
    const growth = first ? microsPerEntry / first.microsPerEntry : NaN;
    return {
      benchmark: `scale ${fmt(entries)}`,
      measure: 'µs per entry ingested (median page)',
      ours: fmt(microsPerEntry, 2),
      baseline: first ? `${fmt(first.microsPerEntry, 2)} at ${fmt(first.entries)}` : '—',
      ratio: ratio(growth),
      target: `≤ ${FLAT_TARGET}× (flat)`,
      verdict: verdict(growth <= FLAT_TARGET),
    };
  });
  const dedupRows = result.dedup.map(({ lookbackMs, ingested, windowEntries, seen, heapBytes }): Row => ({
    benchmark: `dedup lookback ${lookbackMs / 60_000}m`,
    measure: `ids kept after ${fmt(ingested)} read (${fmt(heapBytes / MB)} MB heap)`,
    ours: fmt(seen),
    baseline: `${fmt(windowEntries)} in window`,
    ratio: ratio(seen / windowEntries),
    target: '≤ window + 2 pages',
    // Checkpoint.prune keeps the latest read's older ids behind its newest (one page here), and the
    // window's edge may split a page.
    verdict: verdict(seen <= windowEntries + 2 * PAGE_SIZE),
  }));
  return [...costRows, ...dedupRows];
}
