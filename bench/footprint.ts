// Benchmark: the sidecar's footprint as the image runs it: the built CLI (dist/cli.js) in fresh
// processes, started with the node flags of the Dockerfile's ENTRYPOINT, each figure beside bare
// Node on the same binary and flags doing the least the same job needs. Idle RSS and start-up peak
// by webhook count (against a node:http server answering "ok"), time to ready (against that server
// answering at all), and the wall time of what probes and scripts run (against `node -e 0`).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { SIM_BAANX_TOKEN, SIM_SALESFINITY_API_KEY } from '../src/simulator/index.js';
import { fmt, MB, median, ratio, verdict, type Row } from './harness.js';

export const IDLE_TARGET = 1.5; // × bare node:http
export const PEAK_TARGET = 1.25; // × the run's own idle RSS
export const READY_TARGET_MS = 1_000;
export const VERSION_TARGET = 3; // × bare `node -e 0`
/** The usual sidecar: the one size held to the targets; larger sizes are reported only. */
export const TARGET_WEBHOOKS = 2;

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
// The build of tsconfig.build.json, but not into dist/: other builds and tests use dist/ meanwhile,
// and whatever stale dist/ was there would otherwise be what gets measured.
const BUILD = fileURLToPath(new URL('../node_modules/.cache/webhook-log-exporter-footprint/', import.meta.url));
const CLI = join(BUILD, 'dist', 'cli.js');
const SIMULATOR = fileURLToPath(new URL('./simulator-child.ts', import.meta.url));
const ENTRIES_PER_WEBHOOK = 20;
const READY_POLL_MS = 10;
const READY_DEADLINE_MS = 60_000; // 1,000 webhooks' first reads take a few seconds
// CommonJS, so that nothing but node:http is loaded.
const BARE_SERVER = "require('node:http').createServer((req, res) => res.end('ok')).listen(Number(process.argv[1]), '127.0.0.1');";
// The image's environment, not this process's: no NODE_OPTIONS, OTEL_* or LOG_LEVEL leaks in.
const CHILD_ENV = { PATH: process.env.PATH ?? '', NODE_ENV: 'production' };

export interface FootprintOptions {
  /** Webhook counts, one idle run each, half Salesfinity and half Baanx. */
  webhooks: number[];
  /** How long each server idles after it is ready before its memory is read. */
  settleMs: number;
  /** Runs behind each median time, after one warm-up run. */
  rounds: number;
}

export interface Memory {
  /** VmRSS after the settle time. */
  rssBytes: number;
  /** VmHWM: the most RSS the process ever had, start-up included. */
  peakBytes: number;
}

export interface FootprintResult {
  nodeFlags: string[];
  settleMs: number;
  idle: Array<Memory & { webhooks: number }>;
  bareServer: Memory;
  /** Median ms from spawn to the first GET /readyz 200, TARGET_WEBHOOKS webhooks. */
  readyMs: number;
  /** Median ms from spawn to the bare server's first answer. */
  bareListeningMs: number;
  versionMs: number;
  checkConfigMs: number;
  /** Median ms of `node <flags> -e 0`. */
  bareStartMs: number;
}

/** The flags between "node" and the script in the Dockerfile's (last) exec-form ENTRYPOINT. */
export function imageNodeFlags(dockerfile: string): string[] {
  const lines = [...dockerfile.matchAll(/^ENTRYPOINT\s+(\[.*\])\s*$/gm)];
  const entrypoint = JSON.parse(lines.at(-1)?.[1] ?? 'null') as unknown;
  if (!Array.isArray(entrypoint) || entrypoint[0] !== 'node') throw new Error('Dockerfile: no exec-form ENTRYPOINT starting with "node"');
  const script = entrypoint.findIndex((arg) => String(arg).endsWith('/cli.js'));
  if (script < 0) throw new Error('Dockerfile: the ENTRYPOINT runs no cli.js');
  return entrypoint.slice(1, script).map(String);
}

export async function runFootprint(options: FootprintOptions): Promise<FootprintResult> {
  const nodeFlags = imageNodeFlags(await readFile(join(PROJECT_ROOT, 'Dockerfile'), 'utf8'));
  const children = new ChildProcesses();
  const dir = await mkdtemp(join(tmpdir(), 'wle-bench-footprint-'));
  try {
    const perProvider = Math.ceil(Math.max(TARGET_WEBHOOKS, ...options.webhooks) / 2);
    const [simulatorUrl] = await Promise.all([startSimulator(children, perProvider), buildCli()]);
    const configFor = (webhooks: number) => writeConfig(dir, simulatorUrl, webhooks);
    const node = (args: string[]) => [...nodeFlags, ...args];
    const exporter = async (webhooks: number) => {
      const { file, port } = await configFor(webhooks);
      return { args: node([CLI, 'run', '--config', file]), url: `http://127.0.0.1:${port}/readyz` };
    };
    const bareServer = async () => {
      const port = await freePort();
      return { args: node(['-e', BARE_SERVER, String(port)]), url: `http://127.0.0.1:${port}/` };
    };

    const { file: smallConfig } = await configFor(TARGET_WEBHOOKS);
    const cli = await medians(options.rounds, {
      version: () => wallTime(children, node([CLI, '--version'])),
      checkConfig: () => wallTime(children, node([CLI, 'check-config', '--config', smallConfig])),
      bareStart: () => wallTime(children, node(['-e', '0'])),
    });
    const ready = await medians(options.rounds, {
      exporter: async () => (await serve(children, await exporter(TARGET_WEBHOOKS), 0)).readyMs,
      bareServer: async () => (await serve(children, await bareServer(), 0)).readyMs,
    });
    const idle = [];
    for (const webhooks of options.webhooks) idle.push({ webhooks, ...(await serve(children, await exporter(webhooks), options.settleMs)).memory });
    const bare = await serve(children, await bareServer(), options.settleMs);
    return {
      nodeFlags,
      settleMs: options.settleMs,
      idle,
      bareServer: bare.memory,
      readyMs: ready.exporter,
      bareListeningMs: ready.bareServer,
      versionMs: cli.version,
      checkConfigMs: cli.checkConfig,
      bareStartMs: cli.bareStart,
    };
  } finally {
    await children.killAll();
    await rm(dir, { recursive: true, force: true });
  }
}

/** tsconfig.build.json's build, with package.json beside it as in the image (--version reads it). */
async function buildCli(): Promise<void> {
  // TypeScript 7 exports no path to its bin; it sits beside the package.json it does export.
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(BUILD, 'dist')], { cwd: PROJECT_ROOT });
  await copyFile(join(PROJECT_ROOT, 'package.json'), join(BUILD, 'package.json'));
}

interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  pipes?: boolean;
}

/** Every child this benchmark starts, so that each is killed at the end, whatever failed. */
class ChildProcesses {
  private readonly running = new Map<ChildProcess, Promise<void>>();

  /** `pipes`: stdin and stdout piped, not /dev/null; stderr is always kept, for error messages. */
  spawn(args: string[], options: SpawnOptions = {}): { child: ChildProcess; exited: Promise<void>; stderr: () => string } {
    const { cwd = tmpdir(), env = CHILD_ENV, pipes = false } = options;
    const child = spawn(process.execPath, args, { cwd, env, stdio: [pipes ? 'pipe' : 'ignore', pipes ? 'pipe' : 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    this.running.set(child, exited);
    void exited.then(() => this.running.delete(child));
    return { child, exited, stderr: () => stderr.trim() };
  }

  /** Waits for the exit, so that no child competes with the next one for CPU. */
  async kill(child: ChildProcess): Promise<void> {
    const exited = this.running.get(child);
    child.kill('SIGKILL');
    await exited;
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((child) => this.kill(child)));
  }
}

/** The simulator answers at once, in its own process (under tsx: its memory is not measured). */
async function startSimulator(children: ChildProcesses, perProvider: number): Promise<string> {
  const args = ['--import', 'tsx', SIMULATOR, String(perProvider), String(ENTRIES_PER_WEBHOOK)];
  // stdin piped: the simulator exits when its stdin ends, which /dev/null would do at once.
  const { child, stderr } = children.spawn(args, { cwd: PROJECT_ROOT, env: process.env, pipes: true });
  const firstLine = await createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]().next();
  if (firstLine.done) throw new Error(`the simulator exited before listening${stderr() ? `: ${stderr()}` : ''}`);
  return (JSON.parse(String(firstLine.value)) as { url: string }).url;
}

/**
 * Spawns a server, polls `url` every 10 ms until it answers 200, idles `settleMs`, reads its
 * memory and kills it. readyMs runs from spawn to the 200.
 */
async function serve(children: ChildProcesses, server: { args: string[]; url: string }, settleMs: number): Promise<{ readyMs: number; memory: Memory }> {
  const start = process.hrtime.bigint();
  const { child, exited, stderr } = children.spawn(server.args);
  try {
    let gone = false;
    void exited.then(() => (gone = true));
    for (;;) {
      if (gone) throw new Error(`${server.args.join(' ')} exited before answering${stderr() ? `: ${stderr()}` : ''}`);
      if (Number(process.hrtime.bigint() - start) / 1e6 > READY_DEADLINE_MS) throw new Error(`${server.url} not ready after ${READY_DEADLINE_MS} ms`);
      if ((await statusOf(server.url)) === 200) break;
      await sleep(READY_POLL_MS);
    }
    const readyMs = Number(process.hrtime.bigint() - start) / 1e6;
    await sleep(settleMs);
    return { readyMs, memory: await memoryOf(child.pid as number) };
  } finally {
    await children.kill(child);
  }
}

/** ms from spawn to exit; fails unless the exit code is 0. */
async function wallTime(children: ChildProcesses, args: string[]): Promise<number> {
  const start = process.hrtime.bigint();
  const { child, exited, stderr } = children.spawn(args);
  await exited;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.exitCode !== 0) throw new Error(`${args.join(' ')} exited with ${child.exitCode ?? child.signalCode}${stderr() ? `: ${stderr()}` : ''}`);
  return ms;
}

/** One connection per request (agent: false): no kept-alive socket stays behind in the server. */
function statusOf(url: string): Promise<number> {
  return new Promise((resolve) => {
    get(url, { agent: false }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    }).once('error', () => resolve(0)); // not listening yet
  });
}

async function memoryOf(pid: number): Promise<Memory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kB = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]) * 1024;
  };
  return { rssBytes: kB('VmRSS'), peakBytes: kB('VmHWM') };
}

/**
 * Runs every measurement once per round, rotating which goes first so none always meets a warmer
 * disk cache or a busier machine; the median of each. Round 0 is warm-up, not kept.
 */
async function medians<K extends string>(rounds: number, runs: Record<K, () => Promise<number>>): Promise<Record<K, number>> {
  const names = Object.keys(runs) as K[];
  const kept = new Map(names.map((name): [K, number[]] => [name, []]));
  for (let round = 0; round <= rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length] as K;
      const ms = await runs[name]();
      if (round > 0) kept.get(name)?.push(ms);
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(kept.get(name) ?? [])])) as Record<K, number>;
}

/** A config as a user writes it: YAML, defaults but for where to listen and what to poll. */
async function writeConfig(dir: string, simulatorUrl: string, webhooks: number): Promise<{ file: string; port: number }> {
  const port = await freePort();
  const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const config = {
    listen: { host: '127.0.0.1', port },
    sources: [
      { name: 'sales', provider: 'salesfinity', baseUrl: `${simulatorUrl}/salesfinity`, auth: { apiKey: SIM_SALESFINITY_API_KEY }, webhooks: ids('sf', Math.ceil(webhooks / 2)) },
      { name: 'cards', provider: 'baanx', baseUrl: `${simulatorUrl}/baanx`, auth: { bearerToken: SIM_BAANX_TOKEN }, webhooks: ids('bx', Math.floor(webhooks / 2)) },
    ].filter((source) => source.webhooks.length > 0),
  };
  const file = join(dir, `config-${webhooks}-${port}.yaml`);
  await writeFile(file, stringify(config));
  return { file, port };
}

/** A port free now, for a child to listen on a moment later: the runs are one at a time. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function footprintRows(result: FootprintResult): Row[] {
  const mb = (bytes: number) => fmt(bytes / MB);
  const settle = `${result.settleMs / 1000} s`;
  const rows: Row[] = [];
  for (const run of result.idle) {
    const label = `footprint ${fmt(run.webhooks, 0)} webhooks`;
    const held = run.webhooks === TARGET_WEBHOOKS;
    const idleRatio = run.rssBytes / result.bareServer.rssBytes;
    const peakRatio = run.peakBytes / run.rssBytes;
    rows.push(
      {
        benchmark: label,
        measure: `idle VmRSS, ${settle} after ready (MB)`,
        ours: mb(run.rssBytes),
        baseline: `${mb(result.bareServer.rssBytes)} bare node:http`,
        ratio: ratio(idleRatio),
        target: held ? `≤ ${IDLE_TARGET}×` : '—',
        verdict: held ? verdict(idleRatio <= IDLE_TARGET) : 'info',
      },
      {
        benchmark: label,
        measure: `start-up peak VmHWM (MB; bare node:http ${ratio(result.bareServer.peakBytes / result.bareServer.rssBytes)} its idle)`,
        ours: mb(run.peakBytes),
        baseline: `${mb(run.rssBytes)} own idle`,
        ratio: ratio(peakRatio),
        target: held ? `≤ ${PEAK_TARGET}× idle` : '—',
        verdict: held ? verdict(peakRatio <= PEAK_TARGET) : 'info',
      },
    );
    if (held) {
      rows.push({
        benchmark: label,
        measure: 'time to ready (ms, spawn → GET /readyz 200)',
        ours: fmt(result.readyMs, 0),
        baseline: `${fmt(result.bareListeningMs, 0)} bare node:http answers`,
        ratio: ratio(result.readyMs / result.bareListeningMs),
        target: `≤ ${fmt(READY_TARGET_MS / 1000, 0)} s`,
        verdict: verdict(result.readyMs <= READY_TARGET_MS),
      });
    }
  }
  const bareStart = `${fmt(result.bareStartMs, 0)} node ${[...result.nodeFlags, '-e', '0'].join(' ')}`;
  rows.push(
    {
      benchmark: 'footprint CLI',
      measure: '--version wall time (ms)',
      ours: fmt(result.versionMs, 0),
      baseline: bareStart,
      ratio: ratio(result.versionMs / result.bareStartMs),
      target: `≤ ${VERSION_TARGET}×`,
      verdict: verdict(result.versionMs <= VERSION_TARGET * result.bareStartMs),
    },
    {
      benchmark: 'footprint CLI',
      measure: `check-config wall time (ms, ${TARGET_WEBHOOKS} webhooks)`,
      ours: fmt(result.checkConfigMs, 0),
      baseline: bareStart,
      ratio: ratio(result.checkConfigMs / result.bareStartMs),
      target: '—',
      verdict: 'info',
    },
  );
  return rows;
}
