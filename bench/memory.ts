// Benchmark 3: memory with N series populated (after GC) and the peak RSS during one scrape, ours
// and prom-client's, each in a fresh child process so no other benchmark's heap is counted.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fmt, MB, median, ratio, verdict, type Row } from './harness.js';
import type { MemoryReport } from './memory-child.js';

export const POPULATED_TARGET_MB = 120;
export const PEAK_TARGET = 1.5;

const CHILD = fileURLToPath(new URL('./memory-child.ts', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface MemoryResult {
  series: number;
  ours: MemoryReport;
  promClient: MemoryReport;
}

/** Median of `rounds` fresh children per implementation, figure by figure. */
export async function runMemory(seriesCount: number, rounds: number): Promise<MemoryResult> {
  const ours: MemoryReport[] = [];
  const promClient: MemoryReport[] = [];
  for (let round = 0; round < rounds; round++) {
    ours.push(await measureInChild('ours', seriesCount));
    promClient.push(await measureInChild('prom-client', seriesCount));
  }
  return { series: seriesCount, ours: medianReport(ours), promClient: medianReport(promClient) };
}

async function measureInChild(kind: 'ours' | 'prom-client', seriesCount: number): Promise<MemoryReport> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', CHILD, kind, String(seriesCount)],
    { cwd: PROJECT_ROOT, maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() as string) as MemoryReport;
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
