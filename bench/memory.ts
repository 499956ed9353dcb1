// Benchmark 3: memory with N series populated (after GC) and the peak RSS during one scrape, ours
// and prom-client's, each in a fresh child process so no other benchmark's heap is counted, each
// serving its exposition over HTTP to this process.

import { execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { request } from 'undici';
import { fmt, MB, median, ratio, verdict, type Row } from './harness.js';
import { NODE_FLAGS } from '../src/runtime.js';
import type { PeakReport, PopulatedReport } from './memory-child.js';

export const POPULATED_TARGET_MB = 120;
export const PEAK_TARGET = 1.5;

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('./tsconfig.compiled.json', import.meta.url));
const COMPILED = fileURLToPath(new URL('../node_modules/.cache/webhook-log-exporter-bench/', import.meta.url));
const CHILD = `${COMPILED}bench/memory-child.js`;

export interface MemoryReport {
  rssBytes: number;
  heapUsedBytes: number;
  peakRssBytes: number;
  bodyBytes: number;
}

export interface MemoryResult {
  series: number;
  ours: MemoryReport;
  promClient: MemoryReport;
}

/** Median of `rounds` fresh children per implementation, figure by figure. */
export async function runMemory(seriesCount: number, rounds: number): Promise<MemoryResult> {
  await compileChild();
  const ours: MemoryReport[] = [];
  const promClient: MemoryReport[] = [];
  for (let round = 0; round < rounds; round++) {
    ours.push(await measureInChild('ours', seriesCount));
    promClient.push(await measureInChild('prom-client', seriesCount));
  }
  return { series: seriesCount, ours: medianReport(ours), promClient: medianReport(promClient) };
}

/**
 * The child runs as compiled JavaScript, as the image runs dist/cli.js: under tsx, Node runs the
 * loader in its own thread, which alone adds ~35 MB of RSS that production never has.
 */
async function compileChild(): Promise<void> {
  // TypeScript 7 exports no path to its bin; it sits beside the package.json it does export.
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', TSCONFIG], { cwd: PROJECT_ROOT });
  // src/version.ts reads ../package.json relative to itself, as dist/ does.
  await promisify(execFile)('cp', [`${PROJECT_ROOT}package.json`, COMPILED]);
}

/**
 * The scrape comes from this process, over loopback, like Prometheus: the child's peak holds the
 * server's work and nothing of the client's copy of the body.
 */
async function measureInChild(kind: 'ours' | 'prom-client', seriesCount: number): Promise<MemoryReport> {
  // With the V8 flags the exporter runs with (src/runtime.ts), prom-client's child too.
  const child = spawn(process.execPath, [...NODE_FLAGS, '--expose-gc', CHILD, kind, String(seriesCount)], {
    cwd: PROJECT_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async <T>(): Promise<T> => {
    const line = await lines.next();
    if (line.done) throw new Error(`memory child (${kind}) exited with ${String(await exited)} before reporting`);
    return JSON.parse(line.value) as T;
  };
  const populated = await nextLine<PopulatedReport>();
  const response = await request(populated.metricsUrl);
  let bodyBytes = 0;
  for await (const chunk of response.body) bodyBytes += (chunk as Buffer).length; // read and dropped
  if (response.statusCode !== 200) throw new Error(`GET /metrics answered ${response.statusCode}`);
  child.stdin.end('scraped\n');
  const { peakRssBytes } = await nextLine<PeakReport>();
  await exited;
  return { rssBytes: populated.rssBytes, heapUsedBytes: populated.heapUsedBytes, peakRssBytes, bodyBytes };
}

function medianReport(reports: readonly MemoryReport[]): MemoryReport {
  const of = (key: keyof MemoryReport) => median(reports.map((report) => report[key]));
  return { rssBytes: of('rssBytes'), heapUsedBytes: of('heapUsedBytes'), peakRssBytes: of('peakRssBytes'), bodyBytes: of('bodyBytes') };
}

export function memoryRows({ series, ours, promClient }: MemoryResult): Row[] {
  const label = `memory ${series / 1000}k`;
  const mb = (bytes: number) => fmt(bytes / MB);
  const oursGrowth = ours.peakRssBytes / ours.rssBytes;
  const promGrowth = promClient.peakRssBytes / promClient.rssBytes;
  return [
    {
      benchmark: label,
      measure: 'RSS after GC, populated (MB)',
      ours: mb(ours.rssBytes),
      baseline: `${mb(promClient.rssBytes)} prom-client`,
      ratio: ratio(ours.rssBytes / promClient.rssBytes),
      target: `≤ ${POPULATED_TARGET_MB} MB`,
      verdict: verdict(ours.rssBytes <= POPULATED_TARGET_MB * MB),
    },
    {
      benchmark: label,
      measure: 'heapUsed after GC (MB)',
      ours: mb(ours.heapUsedBytes),
      baseline: `${mb(promClient.heapUsedBytes)} prom-client`,
      ratio: ratio(ours.heapUsedBytes / promClient.heapUsedBytes),
      target: '—',
      verdict: 'info',
    },
    {
      benchmark: label,
      measure: `peak RSS in scrape (MB; ×populated: ${oursGrowth.toFixed(2)} vs ${promGrowth.toFixed(2)})`,
      ours: mb(ours.peakRssBytes),
      baseline: `${mb(promClient.peakRssBytes)} prom-client`,
      ratio: ratio(ours.peakRssBytes / promClient.peakRssBytes),
      target: `≤ ${PEAK_TARGET}× populated`,
      verdict: verdict(oursGrowth <= PEAK_TARGET),
    },
  ];
}
