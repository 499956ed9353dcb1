// Runs in a fresh process (see memory.ts): populates N series in one implementation, then reports
// memory after GC and the peak RSS during one scrape, as one JSON line on stdout.
// Usage: node --expose-gc --import tsx bench/memory-child.ts <ours|prom-client> <series>

import { collectGarbage } from './harness.js';
import { scrapeOnce } from './scrape.js';
import { populateExporter, populatePromClient } from './series.js';

export interface MemoryReport {
  rssBytes: number;
  heapUsedBytes: number;
  peakRssBytes: number;
  bodyBytes: number;
}

const SAMPLE_EVERY_MS = 1;

async function main(kind: string, seriesCount: number): Promise<MemoryReport> {
  let scrape: () => Promise<string>;
  let close = async () => {};
  if (kind === 'ours') {
    const exporter = await populateExporter(seriesCount);
    scrape = () => scrapeOnce(exporter.metricsUrl);
    close = () => exporter.close();
  } else if (kind === 'prom-client') {
    const registry = populatePromClient(seriesCount);
    scrape = () => registry.metrics();
  } else {
    throw new Error(`unknown implementation ${kind}`);
  }
  collectGarbage();
  const { rss, heapUsed } = process.memoryUsage();
  const maxRssBefore = process.resourceUsage().maxRSS * 1024;

  // The sampler cannot run while serialisation blocks the event loop, so the kernel's high-water
  // mark (maxRSS) is read too: if the scrape raised it, that is the exact peak.
  let sampledPeak = rss;
  const sample = () => (sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss()));
  const sampler = setInterval(sample, SAMPLE_EVERY_MS);
  const body = await scrape();
  sample();
  clearInterval(sampler);
  const maxRssAfter = process.resourceUsage().maxRSS * 1024;
  await close();
  return {
    rssBytes: rss,
    heapUsedBytes: heapUsed,
    peakRssBytes: maxRssAfter > maxRssBefore ? Math.max(maxRssAfter, sampledPeak) : sampledPeak,
    bodyBytes: Buffer.byteLength(body),
  };
}

const [kind = '', series = ''] = process.argv.slice(2);
main(kind, Number(series)).then(
  (report) => process.stdout.write(`${JSON.stringify(report)}\n`),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  },
);
