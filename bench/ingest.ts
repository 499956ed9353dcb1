// Benchmark 1: entries per second through the real pipeline (parse → normalise → de-duplicate →
// record) against JSON.parse alone on the same page texts. One run per set of providers: the
// original row reads Salesfinity and Baanx together; each newer provider has a run (and row) of its own.

import type { BuiltInProvider } from '../src/providers/index.js';
import { fmt, ratio, sideBySide, timeMs, verdict, type Row } from './harness.js';
import { benchWebhookId, createPageStream, type PageStream } from './pages.js';
import { benchTelemetry, pageReader, type PageReader } from './pipeline.js';

export interface IngestOptions {
  rounds: number;
  /** Pages per round, spread over the webhooks; each page is PAGE_SIZES[provider] entries. */
  pagesPerRound: number;
  webhooksPerProvider: number;
  /** Whose pages are read; default Salesfinity and Baanx, the original ingest row. */
  providers?: readonly BuiltInProvider[];
  /**
   * Rounds of fresh pages read, untimed, before the measured ones (default 4). The exporter runs
   * for weeks: its steady state is code V8 has optimised, which one warm-up round does not reach
   * (docs/performance.md shows the rounds settling).
   */
  warmupRounds?: number;
}

export interface IngestResult {
  providers: readonly BuiltInProvider[];
  entriesPerRound: number;
  pipelineEntriesPerSecond: number;
  jsonParseEntriesPerSecond: number;
  /** pipeline ÷ JSON.parse; the target is ≥ 0.4. */
  ratio: number;
  countedPerRound: number;
}

export const INGEST_TARGET = 0.4;
const DEFAULT_WARMUP_ROUNDS = 4;
const LOOKBACK_MS = 5 * 60_000;
const SPACING_MS = 50; // 20 entries/s per webhook

export const DEFAULT_INGEST_PROVIDERS: readonly BuiltInProvider[] = ['salesfinity', 'baanx'];
/** The providers measured one at a time, each in a row of its own. */
export const SEPARATE_INGEST_PROVIDERS: readonly BuiltInProvider[] = ['github', 'gitlab', 'svix'];

export async function runIngest(options: IngestOptions): Promise<IngestResult> {
  const providers = options.providers ?? DEFAULT_INGEST_PROVIDERS;
  const streams: PageStream[] = providers.flatMap((provider) =>
    Array.from({ length: options.webhooksPerProvider }, (_, i) =>
      createPageStream({ provider, webhookId: benchWebhookId(provider, i), startMs: Date.now() - 3_600_000, spacingMs: SPACING_MS }),
    ),
  );
  const telemetry = benchTelemetry(streams);
  const readers = new Map<PageStream, PageReader>(streams.map((stream) => [stream, pageReader(stream, telemetry, LOOKBACK_MS)]));
  let counted = 0;
  let sink = 0;

  // Fresh pages every round: the pipeline must count them, not find them already seen.
  const rounds: Array<Array<[PageStream, string]>> = [];
  const pagesFor = (round: number) => (rounds[round] ??= Array.from({ length: options.pagesPerRound }, (_, i) => {
    const stream = streams[i % streams.length] as PageStream;
    return [stream, stream.nextPage()] as [PageStream, string];
  }));

  for (let round = 0; round < (options.warmupRounds ?? DEFAULT_WARMUP_ROUNDS); round++) {
    for (let i = 0; i < options.pagesPerRound; i++) {
      const stream = streams[i % streams.length] as PageStream;
      const text = stream.nextPage();
      sink += (JSON.parse(text) as { count?: number }).count ?? 1;
      await (readers.get(stream) as PageReader).read(text);
    }
  }

  // Every round gives each stream the same number of pages (page i goes to stream i mod n).
  const entries = Array.from({ length: options.pagesPerRound }, (_, i) => (streams[i % streams.length] as PageStream).pageSize).reduce((a, b) => a + b, 0);
  const medians = await sideBySide(
    options.rounds,
    async (round) => {
      const pages = pagesFor(round);
      counted = 0;
      const ms = await timeMs(async () => {
        for (const [stream, text] of pages) counted += (await (readers.get(stream) as PageReader).read(text)).counted.length;
      });
      return entries / (ms / 1000);
    },
    async (round) => {
      const pages = pagesFor(round);
      const ms = await timeMs(() => {
        for (const [, text] of pages) sink += (JSON.parse(text) as { count?: number }).count ?? 1;
      });
      return entries / (ms / 1000);
    },
  );
  await telemetry.shutdown();
  if (sink === 0) throw new Error('JSON.parse baseline parsed nothing');
  return {
    providers,
    entriesPerRound: entries,
    pipelineEntriesPerSecond: medians.ours,
    jsonParseEntriesPerSecond: medians.baseline,
    ratio: medians.ours / medians.baseline,
    countedPerRound: counted,
  };
}

export function ingestRows(result: IngestResult): Row[] {
  const sameAsDefault = result.providers.length === DEFAULT_INGEST_PROVIDERS.length && result.providers.every((provider, i) => provider === DEFAULT_INGEST_PROVIDERS[i]);
  return [
    {
      benchmark: sameAsDefault ? 'ingest' : `ingest ${result.providers.join('+')}`,
      measure: `entries/s (${fmt(result.entriesPerRound)} per round)`,
      ours: fmt(result.pipelineEntriesPerSecond),
      baseline: `${fmt(result.jsonParseEntriesPerSecond)} JSON.parse`,
      ratio: ratio(result.ratio),
      target: `≥ ${INGEST_TARGET}×`,
      verdict: verdict(result.ratio >= INGEST_TARGET),
    },
  ];
}
