// Benchmark: a described API (`provider: http`) against the built-in adapter of the same API, on the
// same page texts, through the same pipeline (readLog, checkpoint, telemetry), side by side; and
// against JSON.parse alone. The API is Salesfinity's, described by the file the package ships
// (config/providers/salesfinity.yaml, held to the built-in by test/unit/builtin-descriptions.test.ts):
// its built-in adapter is the plainest, so the figure is the cost of the description engine.

import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { createHttpAdapter } from '../src/providers/http/adapter.js';
import { descriptionSchema } from '../src/providers/http/description.js';
import { fmt, ratio, sideBySide, timeMs, verdict, type Row } from './harness.js';
import { benchWebhookId, createPageStream, type PageStream } from './pages.js';
import { benchTelemetry, pageReader, type PageReader } from './pipeline.js';

export const DECLARATIVE_VS_BUILT_IN_TARGET = 1.25;
export const DECLARATIVE_VS_PARSE_TARGET = 0.4;
const LOOKBACK_MS = 5 * 60_000;
const SPACING_MS = 50;
const WARMUP_ROUNDS = 4;

/** Salesfinity's log, described: what the built-in adapter reads, in the language. */
export const SALESFINITY_DESCRIBED = descriptionSchema.parse(YAML.parse(readFileSync(new URL('../config/providers/salesfinity.yaml', import.meta.url), 'utf8')));

export interface DeclarativeResult {
  entriesPerRound: number;
  describedEntriesPerSecond: number;
  builtInEntriesPerSecond: number;
  jsonParseEntriesPerSecond: number;
  /** Time per entry, described ÷ built-in: ≤ 1.25 is the target. */
  slowdown: number;
  /** described ÷ JSON.parse, in entries per second: ≥ 0.4 is the target. */
  parseRatio: number;
  /** Both counted every entry of the kept round. */
  countedPerRound: { described: number; builtIn: number };
}

export async function runDeclarative(options: { rounds: number; pagesPerRound: number; webhooks: number }): Promise<DeclarativeResult> {
  const streams = Array.from({ length: options.webhooks }, (_, i) =>
    createPageStream({ provider: 'salesfinity', webhookId: benchWebhookId('salesfinity', i), startMs: Date.now() - 3_600_000, spacingMs: SPACING_MS }),
  );
  const described = streams.map((stream): PageStream => ({
    ...stream,
    adapter: createHttpAdapter({ baseUrl: 'https://salesfinity.bench.invalid', auth: { kind: 'header', name: 'X-API-Key', value: 'bench' }, description: SALESFINITY_DESCRIBED }),
  }));
  // Each side has its own telemetry and checkpoints: both count every page, neither sees the other's ids.
  const builtInTelemetry = benchTelemetry(streams);
  const describedTelemetry = benchTelemetry(streams);
  const builtIn = new Map<PageStream, PageReader>(streams.map((stream) => [stream, pageReader(stream, builtInTelemetry, LOOKBACK_MS)]));
  const describedReaders = new Map<PageStream, PageReader>(streams.map((stream, i) => [stream, pageReader(described[i] as PageStream, describedTelemetry, LOOKBACK_MS)]));
  const rounds: Array<Array<[PageStream, string]>> = [];
  const pagesFor = (round: number) =>
    (rounds[round] ??= Array.from({ length: options.pagesPerRound }, (_, i) => {
      const stream = streams[i % streams.length] as PageStream;
      return [stream, stream.nextPage()] as [PageStream, string];
    }));
  const readAll = async (readers: Map<PageStream, PageReader>, pages: ReadonlyArray<[PageStream, string]>) => {
    let counted = 0;
    for (const [stream, text] of pages) counted += (await (readers.get(stream) as PageReader).read(text)).counted.length;
    return counted;
  };
  for (let round = 0; round < WARMUP_ROUNDS; round++) {
    const pages = pagesFor(-1 - round);
    await readAll(builtIn, pages);
    await readAll(describedReaders, pages);
  }

  // Every page made before any timing: making one (JSON.stringify) must not land in either side's time.
  for (let round = 0; round <= 2 * options.rounds + 1; round++) pagesFor(round);
  const entries = options.pagesPerRound * (streams[0] as PageStream).pageSize;
  const counted = { described: 0, builtIn: 0 };
  const engine = await sideBySide(
    options.rounds,
    async (round) => entries / ((await timeMs(async () => (counted.described = await readAll(describedReaders, pagesFor(round))))) / 1000),
    async (round) => entries / ((await timeMs(async () => (counted.builtIn = await readAll(builtIn, pagesFor(round))))) / 1000),
  );
  let sink = 0;
  const parse = await sideBySide(
    options.rounds,
    async (round) => entries / ((await timeMs(() => readAll(describedReaders, pagesFor(options.rounds + 1 + round)))) / 1000),
    async (round) =>
      entries /
      ((await timeMs(() => {
        for (const [, text] of pagesFor(options.rounds + 1 + round)) sink += (JSON.parse(text) as { data: unknown[] }).data.length;
      })) /
        1000),
  );
  await Promise.all([builtInTelemetry.shutdown(), describedTelemetry.shutdown()]);
  if (sink === 0) throw new Error('JSON.parse baseline parsed nothing');
  return {
    entriesPerRound: entries,
    describedEntriesPerSecond: engine.ours,
    builtInEntriesPerSecond: engine.baseline,
    jsonParseEntriesPerSecond: parse.baseline,
    slowdown: engine.baseline / engine.ours,
    parseRatio: parse.ours / parse.baseline,
    countedPerRound: counted,
  };
}

export function declarativeRows(result: DeclarativeResult): Row[] {
  const counts = result.countedPerRound.described === result.entriesPerRound && result.countedPerRound.builtIn === result.entriesPerRound ? 'all counted' : `COUNTED ${result.countedPerRound.described}/${result.countedPerRound.builtIn}`;
  return [
    {
      benchmark: 'ingest http (described)',
      measure: `time per entry vs the built-in adapter, Salesfinity pages (${fmt(result.entriesPerRound)} per round, ${counts})`,
      ours: fmt(result.describedEntriesPerSecond),
      baseline: `${fmt(result.builtInEntriesPerSecond)} built-in`,
      ratio: ratio(result.slowdown),
      target: `≤ ${DECLARATIVE_VS_BUILT_IN_TARGET}×`,
      verdict: counts !== 'all counted' ? 'FAIL' : verdict(result.slowdown <= DECLARATIVE_VS_BUILT_IN_TARGET),
    },
    {
      benchmark: 'ingest http (described)',
      measure: 'entries/s vs JSON.parse alone',
      ours: fmt(result.describedEntriesPerSecond),
      baseline: `${fmt(result.jsonParseEntriesPerSecond)} JSON.parse`,
      ratio: ratio(result.parseRatio),
      target: `≥ ${DECLARATIVE_VS_PARSE_TARGET}×`,
      verdict: verdict(result.parseRatio >= DECLARATIVE_VS_PARSE_TARGET),
    },
  ];
}
