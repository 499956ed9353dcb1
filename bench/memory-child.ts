// Runs in a fresh process, compiled to JavaScript (see memory.ts): populates N series in one
// implementation behind an HTTP server, reports memory after GC, then waits while the parent
// scrapes it over HTTP, and reports the peak RSS seen meanwhile. One JSON line on stdout per step.
// Usage: node --expose-gc <compiled>/bench/memory-child.js <ours|prom-client> <series>

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { collectGarbage } from './harness.js';
import { populateExporter, populatePromClient } from './series.js';

export interface PopulatedReport {
  metricsUrl: string;
  rssBytes: number;
  heapUsedBytes: number;
}

export interface PeakReport {
  peakRssBytes: number;
}

const SAMPLE_EVERY_MS = 1;

/** Both implementations serve their exposition over HTTP, so both pay for a server and a socket. */
async function serve(kind: string, seriesCount: number): Promise<{ metricsUrl: string; close: () => Promise<void> }> {
  if (kind === 'ours') return populateExporter(seriesCount);
  if (kind !== 'prom-client') throw new Error(`unknown implementation ${kind}`);
  const registry = populatePromClient(seriesCount);
  const server = createServer((_req, res) => {
    registry.metrics().then((body) => res.end(body), () => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    metricsUrl: `http://127.0.0.1:${port}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function main(kind: string, seriesCount: number): Promise<void> {
  const { metricsUrl, close } = await serve(kind, seriesCount);
  collectGarbage();
  const { rss, heapUsed } = process.memoryUsage();
  const maxRssBefore = process.resourceUsage().maxRSS * 1024;

  // The sampler cannot run while serialisation blocks the event loop, so the kernel's high-water
  // mark (maxRSS) is read too: if the scrape raised it, that is the exact peak.
  let sampledPeak = rss;
  const sample = () => (sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss()));
  const sampler = setInterval(sample, SAMPLE_EVERY_MS);
  const populated: PopulatedReport = { metricsUrl, rssBytes: rss, heapUsedBytes: heapUsed };
  process.stdout.write(`${JSON.stringify(populated)}\n`);

  // The parent scrapes, then sends one line when the body has been read.
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  lines.close();
  sample();
  clearInterval(sampler);
  const maxRssAfter = process.resourceUsage().maxRSS * 1024;
  const peak: PeakReport = { peakRssBytes: maxRssAfter > maxRssBefore ? Math.max(maxRssAfter, sampledPeak) : sampledPeak };
  process.stdout.write(`${JSON.stringify(peak)}\n`);
  await close();
}

const [kind = '', series = ''] = process.argv.slice(2);
main(kind, Number(series)).catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
