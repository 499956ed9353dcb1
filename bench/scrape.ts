// Benchmark 2: GET /metrics over real HTTP from a real exporter, against prom-client's
// register.metrics() on the same samples in the same process.

import { request } from 'undici';
import { fmt, ratio, sideBySide, timeMs, verdict, type Row } from './harness.js';
import { countSampleLines, expectedSampleLines, populateExporter, populatePromClient } from './series.js';

export const SCRAPE_TARGET = 1.0;
export const SCRAPE_TARGET_SERIES = 10_000;

export interface ScrapeResult {
  series: number;
  oursMs: number;
  promClientMs: number;
  /** ours ÷ prom-client; the target is ≤ 1.0 at 10k series. */
  ratio: number;
  bodyBytes: number;
  /** Both bodies hold the expected sample lines (OTel: plus target_info). */
  samplesMatch: boolean;
  sampleLines: { ours: number; promClient: number; expected: number };
}

/** Fetches the whole body, as Prometheus does. */
export async function scrapeOnce(metricsUrl: string): Promise<string> {
  const response = await request(metricsUrl);
  const body = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`GET /metrics answered ${response.statusCode}`);
  return body;
}

export async function runScrape(seriesCount: number, rounds: number): Promise<ScrapeResult> {
  const exporter = await populateExporter(seriesCount);
  const registry = populatePromClient(seriesCount);
  try {
    const oursBody = await scrapeOnce(exporter.metricsUrl);
    const promBody = await registry.metrics();
    const expected = expectedSampleLines(seriesCount);
    const sampleLines = { ours: countSampleLines(oursBody), promClient: countSampleLines(promBody), expected };
    const medians = await sideBySide(
      rounds,
      () => timeMs(() => scrapeOnce(exporter.metricsUrl)),
      () => timeMs(() => registry.metrics()),
    );
    return {
      series: seriesCount,
      oursMs: medians.ours,
      promClientMs: medians.baseline,
      ratio: medians.ours / medians.baseline,
      bodyBytes: Buffer.byteLength(oursBody),
      samplesMatch: sampleLines.ours === expected + 1 && sampleLines.promClient === expected,
      sampleLines,
    };
  } finally {
    await exporter.close();
  }
}

export function scrapeRows(results: readonly ScrapeResult[]): Row[] {
  return results.map((result) => {
    const gated = result.series === SCRAPE_TARGET_SERIES;
    const lines = result.samplesMatch ? `${fmt(result.sampleLines.expected)} samples ok` : `SAMPLES ${result.sampleLines.ours}/${result.sampleLines.promClient}≠${result.sampleLines.expected}`;
    return {
      benchmark: `scrape ${result.series / 1000}k`,
      measure: `ms per GET /metrics (${lines})`,
      ours: fmt(result.oursMs),
      baseline: `${fmt(result.promClientMs)} prom-client`,
      ratio: ratio(result.ratio),
      target: gated ? `≤ ${SCRAPE_TARGET.toFixed(1)}×` : '—',
      verdict: !result.samplesMatch ? 'FAIL' : gated ? verdict(result.ratio <= SCRAPE_TARGET) : 'info',
    };
  });
}
