// The soak: simulated days of traffic into the real ProviderSimulator, read by a real exporter (own
// process, --expose-gc) polling over loopback, scraped over HTTP like Prometheus, with heap after
// GC measured at checkpoints and every count checked against the ground truth at the end.
// scripts/soak.ts runs it for a week; test/perf/soak.test.ts runs a short one.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { MB } from '../bench/harness.js';
import { scrapeOnce } from '../bench/scrape.js';
import { cardinalityLimit } from '../src/telemetry/catalogue.js';
import { parseExposition, type Exposition } from '../test/helpers/exposition.js';
import { configFor } from '../test/helpers/harness.js';
import type { ChildReply, ChildRequest } from './soak-exporter-child.js';
import { overflowSamples, seriesPerMetric, totalSeries } from './soak-series.js';
import { WeekTraffic } from './soak-traffic.js';
import { GroundTruth } from './soak-truth.js';

const CHILD = fileURLToPath(new URL('./soak-exporter-child.ts', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const MINUTE_MS = 60_000;
const WEEK_MS = 7 * 24 * 60 * MINUTE_MS;
/** Mean new entries per webhook per generator tick: one event (traffic-mix drawEventCount), a few retries. */
const ENTRIES_PER_TICK_ESTIMATE = 1.05;
/**
 * A late entry is counted when its lateness is within the lookback: the floor follows the newest
 * entry of the last successful read, which came before the late entry was logged, however many
 * polls fail meanwhile. Baanx's newest-100 read must still reach it, which bounds the traffic per
 * webhook (see WEEK_SOAK).
 */
const LATENESS_SHARE_OF_LOOKBACK = 0.8;
const MAX_BAANX_PER_CYCLE = 30;

export interface SoakOptions {
  /** Stop once this many log entries have been appended. */
  entries: number;
  /** Simulated time those entries are spread over. */
  simulatedMs: number;
  salesfinityWebhooks: number;
  baanxWebhooks: number;
  /** Simulated time between poll cycles. */
  pollEveryMs: number;
  lookbackMs: number;
  maxEventTypes: number;
  /** Heap and series are measured after this many evenly spaced stretches of entries. */
  checkpoints: number;
  /** Prometheus scrapes once every this many poll cycles. */
  scrapeEveryCycles: number;
  /** Simulated time between rotations of the simulator (see WeekTraffic.rotate). */
  rotateEveryMs: number;
  lateShare: number;
  eventTail: number;
  faultShare: number;
  seed: number;
  onCheckpoint?: (checkpoint: SoakCheckpoint) => void;
}

export const WEEK_SOAK: Omit<SoakOptions, 'entries' | 'checkpoints'> = {
  simulatedMs: WEEK_MS,
  salesfinityWebhooks: 10,
  baanxWebhooks: 10,
  pollEveryMs: 5 * MINUTE_MS,
  lookbackMs: 5 * MINUTE_MS, // the default; late entries stay within it (LATENESS_SHARE_OF_LOOKBACK)
  maxEventTypes: 100,
  scrapeEveryCycles: 3,
  rotateEveryMs: 20 * MINUTE_MS,
  lateShare: 0.05,
  eventTail: 150, // past maxEventTypes, so `other` fills
  faultShare: 0.2,
  seed: 1,
};

export interface SoakCheckpoint {
  entries: number;
  simulatedMs: number;
  wallMs: number;
  heapUsedBytes: number;
  rssBytes: number;
  series: number;
  deliverySeries: number;
}

/**
 * Heap after GC is flat when no checkpoint after warm-up lies more than FLAT_MARGIN_BYTES above the
 * warm-up checkpoint. Warm-up is the first third of the entries: by then the lookback window and the
 * checkpoints' id maps are full and the event types (so the series) have appeared; the series count
 * at each checkpoint shows whether they had. Past it, 1 MB over the remaining 667k entries of the
 * week is 1.6 bytes per entry, or ~25 bytes per API request (about 25 entries each).
 */
export const WARM_UP_SHARE = 1 / 3;
export const FLAT_MARGIN_BYTES = 1 * MB;

export interface HeapVerdict {
  warmUp: SoakCheckpoint;
  /** Highest heap after GC past warm-up, minus the warm-up figure (negative when it fell). */
  growthBytes: number;
  flat: boolean;
}

export function heapVerdict(checkpoints: readonly SoakCheckpoint[], entries: number): HeapVerdict {
  const warmUpIndex = checkpoints.findIndex((checkpoint) => checkpoint.entries >= entries * WARM_UP_SHARE);
  const warmUp = checkpoints[warmUpIndex];
  const later = checkpoints.slice(warmUpIndex + 1);
  if (warmUp === undefined || later.length === 0) throw new Error('too few checkpoints past warm-up to judge the heap');
  const growthBytes = Math.max(...later.map((checkpoint) => checkpoint.heapUsedBytes)) - warmUp.heapUsedBytes;
  return { warmUp, growthBytes, flat: growthBytes <= FLAT_MARGIN_BYTES };
}

export interface SoakReport {
  checkpoints: SoakCheckpoint[];
  entries: number;
  finished: number;
  cycles: number;
  faults: number;
  simulatedMs: number;
  wallMs: number;
  seriesPerMetric: Map<string, number>;
  /** The SDK's per-metric series limit for this many webhooks. */
  cardinalityLimit: number;
  /** Every way the final scrape differs from the ground truth (or reports overflow or gaps); empty when exact. */
  problems: string[];
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const started = performance.now();
  const clock = { nowMs: Date.UTC(2025, 0, 6) }; // a Monday
  const startMs = clock.nowMs;
  const webhooks = [
    ...Array.from({ length: options.salesfinityWebhooks }, (_, i) => ({ provider: 'salesfinity' as const, webhookId: `sf-${i}` })),
    ...Array.from({ length: options.baanxWebhooks }, (_, i) => ({ provider: 'baanx' as const, webhookId: `bx-${i}` })),
  ];
  const sources = [
    { name: 'sales', provider: 'salesfinity' as const, webhooks: webhooks.filter((w) => w.provider === 'salesfinity').map((w) => w.webhookId) },
    { name: 'cards', provider: 'baanx' as const, webhooks: webhooks.filter((w) => w.provider === 'baanx').map((w) => w.webhookId) },
  ];
  const truth = new GroundTruth(sources);
  const tickMs = Math.max(1, Math.floor((options.simulatedMs * webhooks.length * (ENTRIES_PER_TICK_ESTIMATE + options.lateShare)) / options.entries));
  checkDensity(options, tickMs);
  const traffic = await WeekTraffic.start(
    { webhooks, seed: options.seed, tickMs, lateShare: options.lateShare, maxLatenessMs: options.lookbackMs * LATENESS_SHARE_OF_LOOKBACK, eventTail: options.eventTail, faultShare: options.faultShare, keepWindowMs: options.lookbackMs + 2 * options.pollEveryMs },
    truth,
    clock,
  );
  const exporter = await ExporterChild.start();
  try {
    const config = configFor(traffic.sim, { sources, startFrom: 'backfill', lookback: `${options.lookbackMs / MINUTE_MS}m`, maxEventTypes: options.maxEventTypes, timeout: '5s' });
    const { metricsUrl } = (await exporter.ask({ kind: 'start', config })) as { metricsUrl: string };
    const checkpoints: SoakCheckpoint[] = [];
    const measure = async () => {
      const exposition = await scrape(metricsUrl);
      const { heapUsedBytes, rssBytes } = (await exporter.ask({ kind: 'measure' })) as { heapUsedBytes: number; rssBytes: number };
      const series = seriesPerMetric(exposition);
      const checkpoint = {
        entries: traffic.entries,
        simulatedMs: clock.nowMs - startMs,
        wallMs: performance.now() - started,
        heapUsedBytes,
        rssBytes,
        series: totalSeries(series),
        deliverySeries: series.get('webhook_deliveries_total') ?? 0,
      };
      checkpoints.push(checkpoint);
      options.onCheckpoint?.(checkpoint);
    };

    let cycles = 0;
    let nextRotationMs = startMs + options.rotateEveryMs;
    while (traffic.entries < options.entries) {
      clock.nowMs += options.pollEveryMs;
      traffic.catchUp();
      if (clock.nowMs >= nextRotationMs) {
        await traffic.rotate();
        nextRotationMs += options.rotateEveryMs;
      }
      traffic.maybeFault();
      await exporter.ask({ kind: 'poll', nowMs: clock.nowMs });
      cycles += 1;
      if (cycles % options.scrapeEveryCycles === 0) await scrapeAndDrop(metricsUrl);
      if (traffic.entries >= ((checkpoints.length + 1) * options.entries) / options.checkpoints) await measure();
    }
    // One more cycle with nothing new and no fault, so a read that failed last cycle is caught up.
    await exporter.ask({ kind: 'poll', nowMs: clock.nowMs });
    const final = await scrape(metricsUrl);
    const perMetric = seriesPerMetric(final);
    const limit = cardinalityLimit(webhooks.length);
    return {
      checkpoints,
      entries: traffic.entries,
      finished: truth.finished,
      cycles,
      faults: traffic.faults,
      simulatedMs: clock.nowMs - startMs,
      wallMs: performance.now() - started,
      seriesPerMetric: perMetric,
      cardinalityLimit: limit,
      problems: [...truth.compare(final, options.maxEventTypes), ...boundProblems(final, perMetric, limit)],
    };
  } finally {
    await exporter.stop();
    await traffic.close();
  }
}

/**
 * Traffic the exporter cannot count exactly, by design, would make the verdict meaningless: Baanx
 * retries are logged at the tick after they fall due, so ticks further apart than the lookback make
 * them too late; and more than MAX_BAANX_PER_CYCLE entries per Baanx webhook between polls can push
 * a late entry out of the newest 100 before a poll after a failed one reaches it.
 */
function checkDensity(options: SoakOptions, tickMs: number): void {
  const perCycle = (options.pollEveryMs / tickMs) * (ENTRIES_PER_TICK_ESTIMATE + options.lateShare);
  if (tickMs > options.lookbackMs / 2) {
    throw new Error(`${options.entries} entries over ${options.simulatedMs / MINUTE_MS} simulated minutes tick every ${tickMs / 1000} s: keep ticks within half the lookback (more entries or less time)`);
  }
  if (perCycle > MAX_BAANX_PER_CYCLE) {
    throw new Error(`~${Math.round(perCycle)} entries per webhook between polls: at most ${MAX_BAANX_PER_CYCLE} (fewer entries, more time or more webhooks)`);
  }
}

function boundProblems(exposition: Exposition, perMetric: Map<string, number>, limit: number): string[] {
  const problems: string[] = [];
  for (const [metric, count] of perMetric) if (count >= limit) problems.push(`${metric}: ${count} series, at the cardinality limit ${limit}`);
  const overflow = overflowSamples(exposition);
  if (overflow.length > 0) problems.push(`${overflow.length} samples folded into the SDK's overflow series, e.g. ${overflow[0]?.name}`);
  const gaps = exposition.samples.filter((sample) => sample.name === 'webhook_exporter_gaps_total' && sample.value > 0);
  if (gaps.length > 0) problems.push(`gaps reported by ${gaps.length} webhooks: traffic outran the reads, so exact counts cannot be expected`);
  return problems;
}

async function scrape(metricsUrl: string): Promise<Exposition> {
  return parseExposition(await scrapeOnce(metricsUrl));
}

/** A scrape as Prometheus makes it between checkpoints: the exporter does the work, the body is dropped. */
async function scrapeAndDrop(metricsUrl: string): Promise<void> {
  const response = await request(metricsUrl);
  await response.body.dump({ limit: Infinity });
  if (response.statusCode !== 200) throw new Error(`GET /metrics answered ${response.statusCode}`);
}

/** The exporter process: one request in flight at a time, each answered by one reply. */
class ExporterChild {
  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<ExporterChild> {
    const child = fork(CHILD, [], { cwd: PROJECT_ROOT, execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return new ExporterChild(child);
  }

  ask(message: ChildRequest): Promise<Exclude<ChildReply, { kind: 'failed' }>> {
    return new Promise((resolve, reject) => {
      const onReply = (reply: ChildReply) => {
        this.child.off('exit', onExit);
        if (reply.kind === 'failed') reject(new Error(`exporter child: ${reply.error}`));
        else resolve(reply);
      };
      const onExit = (code: number | null) => {
        this.child.off('message', onReply);
        reject(new Error(`exporter child exited (${code}) while asked to ${message.kind}`));
      };
      this.child.once('message', onReply);
      this.child.once('exit', onExit);
      this.child.send(message);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.ask({ kind: 'stop' }).catch(() => this.child.kill());
    await exited;
  }
}
