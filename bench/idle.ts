// Benchmark 5: CPU per poll cycle when nothing is new: 100 webhooks answered by the simulator (in
// its own process), read once, then polled again and again. Baseline: the same 100 GETs with
// undici and JSON decoding and nothing else, at the same concurrency.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { buildExporter, webhookTargets } from '../src/app.js';
import { parseConfig, type ExporterConfig } from '../src/config/index.js';
import { createLogger } from '../src/logger.js';
import { SIM_BAANX_TOKEN, SIM_SALESFINITY_API_KEY } from '../src/simulator/index.js';
import { fmt, ratio, sideBySide, type Row } from './harness.js';

const CHILD = fileURLToPath(new URL('./simulator-child.ts', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONCURRENCY = 4; // the config default

export interface IdleOptions {
  webhooks: number;
  cyclesPerRound: number;
  rounds: number;
}

export interface IdleResult {
  webhooks: number;
  cpuMicrosPerCycle: number;
  bareFetchCpuMicrosPerCycle: number;
  ratio: number;
}

export async function runIdle(options: IdleOptions): Promise<IdleResult> {
  const perProvider = Math.ceil(options.webhooks / 2);
  const simulator = spawn(process.execPath, ['--import', 'tsx', CHILD, String(perProvider), '20'], { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const firstLine = await createInterface({ input: simulator.stdout })[Symbol.asyncIterator]().next();
    const { url } = JSON.parse(String(firstLine.value)) as { url: string };
    const config = await idleConfig(url, perProvider);
    const exporter = await buildExporter(config, { logger: createLogger({ level: 'silent' }) });
    await exporter.poller.pollAll(); // the first read takes in the log; every later one finds nothing new
    const requests = webhookTargets(config).map((target) => target.adapter.firstRequest(target.webhookId));
    const medians = await sideBySide(
      options.rounds,
      () => cpuMicrosPerCycle(options.cyclesPerRound, () => exporter.poller.pollAll()),
      () => cpuMicrosPerCycle(options.cyclesPerRound, () => withConcurrency(requests, CONCURRENCY, fetchAndDecode)),
    );
    await exporter.stop();
    return {
      webhooks: requests.length,
      cpuMicrosPerCycle: medians.ours,
      bareFetchCpuMicrosPerCycle: medians.baseline,
      ratio: medians.ours / medians.baseline,
    };
  } finally {
    simulator.stdin?.end();
  }
}

async function idleConfig(url: string, perProvider: number): Promise<ExporterConfig> {
  const ids = (prefix: string) => Array.from({ length: perProvider }, (_, i) => `${prefix}-${i}`);
  const config = {
    listen: { host: '127.0.0.1', port: 0 },
    startFrom: 'backfill',
    sources: [
      { name: 'sales', provider: 'salesfinity', baseUrl: `${url}/salesfinity`, auth: { apiKey: SIM_SALESFINITY_API_KEY }, webhooks: ids('sf'), pageSize: 100 },
      { name: 'cards', provider: 'baanx', baseUrl: `${url}/baanx`, auth: { bearerToken: SIM_BAANX_TOKEN }, webhooks: ids('bx'), limit: 100 },
    ],
  };
  return parseConfig(JSON.stringify(config), { format: 'json' });
}

async function cpuMicrosPerCycle(cycles: number, cycle: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < cycles; i++) await cycle();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / cycles;
}

async function fetchAndDecode(req: { url: URL; headers: Record<string, string> }): Promise<unknown> {
  const response = await request(req.url, { headers: req.headers });
  return response.body.json();
}

async function withConcurrency<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: limit }, lane));
}

export function idleRows(result: IdleResult): Row[] {
  return [
    {
      benchmark: `idle ${result.webhooks} webhooks`,
      measure: `CPU µs per poll cycle (${fmt(result.cpuMicrosPerCycle / result.webhooks)} per webhook)`,
      ours: fmt(result.cpuMicrosPerCycle),
      baseline: `${fmt(result.bareFetchCpuMicrosPerCycle)} bare GET+JSON`,
      ratio: ratio(result.ratio),
      target: '—',
      verdict: 'info',
    },
  ];
}
