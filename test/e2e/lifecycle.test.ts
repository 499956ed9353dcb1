// Issue 6, "prove it under fire": the lifecycle. The CLI's `run` in a child process, stopped by
// SIGTERM (or SIGINT) while a poll is held by the simulator, while a slow client is reading a large
// exposition, and by two signals in a row. Each time: exit 0 within SHUTDOWN_BOUND_MS, a state file
// that loads, and after a restart no delivery counted twice nor skipped. The children run with
// --unhandled-rejections=strict, so an unhandled rejection anywhere kills them: a non-zero exit.
// (In-process, vitest itself fails a run that leaves an unhandled rejection behind.)

import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SHUTDOWN_BOUND_MS } from '../../src/app.js';
import { loadState, STATE_FORMAT_VERSION, stateKey } from '../../src/poller/state-file.js';
import { ProviderSimulator, salesfinityEntry, type SimRequest } from '../../src/simulator/index.js';
import { finished, runCli, spawnCli, waitFor, type Finished } from '../helpers/cli.js';
import { findSamples, parseExposition } from '../helpers/exposition.js';
import { configFor } from '../helpers/harness.js';

/** Reads in flight get this long after the first signal (READ_GRACE_MS in src/app.ts, README). */
const READ_GRACE_MS = 5_000;
/** Open scrapes get this long before their sockets are closed (CONNECTION_GRACE_MS in src/app.ts). */
const CONNECTION_GRACE_MS = 2_000;
const ENTRIES = 12;
const PAGE_SIZE = 5; // three pages, so a poll can be held between pages
const STRICT = `${process.env.NODE_OPTIONS ?? ''} --unhandled-rejections=strict --trace-uncaught`.trim();

let sim: ProviderSimulator;
let dir: string;
let hold: Hold | undefined;
let children: Array<{ kill(signal: NodeJS.Signals): boolean }> = [];

beforeAll(async () => {
  sim = await ProviderSimulator.start();
  sim.onRequest((request) => hold?.take(request));
  dir = await mkdtemp(join(tmpdir(), 'wle-lifecycle-'));
});

afterEach(() => {
  hold?.release();
  hold = undefined;
  for (const child of children) child.kill('SIGKILL');
  children = [];
});

afterAll(() => sim?.close());

/** Holds a webhook's log requests from page `fromPage` on until released. */
class Hold {
  private releaseHeld!: () => void;
  private readonly released = new Promise<void>((resolve) => (this.releaseHeld = resolve));
  private arrivedAt: (() => void) | undefined;
  readonly arrived = new Promise<void>((resolve) => (this.arrivedAt = resolve));

  constructor(
    private readonly webhookId: string,
    private readonly fromPage: number,
  ) {}

  async take(request: SimRequest): Promise<void> {
    if (request.webhookId !== this.webhookId || Number(request.query.page ?? 1) < this.fromPage) return;
    this.arrivedAt?.();
    await this.released;
  }

  release(): void {
    this.releaseHeld();
  }
}

interface Run {
  webhookId: string;
  configFile: string;
  stateFile: string;
  url: string;
  output(): string;
  /** Sends the signals, `gapMs` apart; resolves when the process has exited. */
  stop(signals: NodeJS.Signals[], gapMs?: number): Promise<{ exit: Finished; elapsedMs: number }>;
}

/** A webhook of its own with ENTRIES finished deliveries, and `run` polling it every second at debug level. */
async function startRun(
  name: string,
  options: { entries?: unknown[]; webhooks?: number; maxEventTypes?: number; pageSize?: number; state?: unknown } = {},
): Promise<Run> {
  const webhookId = `wh-${name}`;
  const webhooks = Array.from({ length: options.webhooks ?? 1 }, (_, i) => (i === 0 ? webhookId : `${webhookId}-${i}`));
  for (const id of webhooks) {
    sim.addWebhook('salesfinity', id);
    sim.append('salesfinity', id, options.entries ?? Array.from({ length: ENTRIES }, (_, i) => salesfinityEntry({ createdAt: new Date(Date.now() - i * 1_000).toISOString() })));
  }
  const stateFile = join(dir, name, 'state.json');
  const configFile = join(dir, `${name}.json`);
  const config = configFor(sim, {
    schedule: '* * * * * *',
    stateFile,
    timeout: '30s', // longer than the read grace, so only shutdown ends a held read
    ...(options.maxEventTypes ? { maxEventTypes: options.maxEventTypes } : {}),
    sources: [{ name: 'sf', provider: 'salesfinity', webhooks, pageSize: options.pageSize ?? PAGE_SIZE }],
  });
  await writeFile(configFile, JSON.stringify(config));
  if (options.state !== undefined) {
    await mkdir(join(dir, name), { recursive: true });
    await writeFile(stateFile, JSON.stringify(options.state));
  }
  const child = spawnCli(['run', '--config', configFile], { LOG_LEVEL: 'debug', NODE_OPTIONS: STRICT });
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = finished(child);
  const port = await waitFor(() => /"address":"[^"]*:(\d+)"/.exec(output)?.[1], 'the listening line');
  return {
    webhookId,
    configFile,
    stateFile,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop(signals, gapMs = 200) {
      const startedAt = Date.now();
      for (const [index, signal] of signals.entries()) {
        if (index > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
        child.kill(signal);
      }
      const result = await exit;
      return { exit: result, elapsedMs: Date.now() - startedAt };
    },
  };
}

async function deliveriesAt(url: string): Promise<number> {
  return sumDeliveries(await (await fetch(`${url}/metrics`)).text());
}

function sumDeliveries(exposition: string): number {
  return findSamples(parseExposition(exposition), 'webhook_deliveries_total').reduce((sum, sample) => sum + sample.value, 0);
}

/** What a restarted exporter counts from the same state file: `once` with the same config. */
async function countedAfterRestart(run: Run): Promise<number> {
  const result = await runCli(['once', '--config', run.configFile], { NODE_OPTIONS: STRICT });
  expect(result.code, result.stderr).toBe(0);
  expectNoUnhandled(result.stderr);
  return sumDeliveries(result.stdout);
}

/** Exit 0 within the bound, no unhandled rejection or uncaught exception, a state file that loads. */
async function expectCleanStop(run: Run, stopped: { exit: Finished; elapsedMs: number }): Promise<void> {
  expect(stopped.exit.code, run.output() + stopped.exit.stderr).toBe(0);
  expect(stopped.elapsedMs).toBeLessThan(SHUTDOWN_BOUND_MS);
  expect(run.output()).toContain('"msg":"stopped"');
  expectNoUnhandled(run.output() + stopped.exit.stderr);
  const state = await loadState(run.stateFile);
  expect(state.kind).toBe('loaded');
  // An aborted first read leaves the checkpoint uninitialised but keeps what it recorded as seen.
  if (state.kind === 'loaded') expect(state.state.has(stateKey('sf', run.webhookId))).toBe(true);
}

function expectNoUnhandled(output: string): void {
  expect(output).not.toMatch(/unhandled rejection|uncaught|UnhandledPromiseRejection|Thrown at/i);
}

describe('SIGTERM during start-up', () => {
  it('while a large state file is being restored: the same orderly stop, exit 0, the state written', async () => {
    // 400k remembered ids take a second or more to read and validate: the signal lands inside that.
    const now = Date.now();
    const seen = Array.from({ length: 400_000 }, (_, i) => [`old-${i}`, now - 60_000 + (i % 60_000)]);
    const checkpoint = { provider: 'salesfinity', initialized: true, watermarkMs: now, seen, pending: [], invalid: [] };
    const state = { version: STATE_FORMAT_VERSION, writtenAt: new Date(now).toISOString(), webhooks: { [stateKey('sf', 'wh-startup')]: checkpoint } };
    const run = await startRun('startup', { state });
    const signalledAt = Date.now();
    const stopped = await run.stop(['SIGTERM']);
    await expectCleanStop(run, stopped);
    // The signal was sent at the listening line and landed before the restore had finished.
    const restored = run.output().split('\n').find((line) => line.includes('"msg":"checkpoints restored from state file"'));
    expect(Date.parse((JSON.parse(restored ?? '{}') as { time?: string }).time ?? '')).toBeGreaterThan(signalledAt);
  });
});

describe('SIGTERM during a poll', () => {
  it('that finishes within the read grace: waits for it, counts it once, writes the state', async () => {
    hold = new Hold('wh-poll-finishes', 2);
    const run = await startRun('poll-finishes');
    await hold.arrived;
    const stopping = run.stop(['SIGTERM']);
    setTimeout(() => hold?.release(), 500);
    const stopped = await stopping;
    await expectCleanStop(run, stopped);
    expect(stopped.elapsedMs).toBeLessThan(READ_GRACE_MS);
    const countedBefore = readsCounted(run.output());
    expect(countedBefore).toBe(ENTRIES);
    expect(await countedAfterRestart(run)).toBe(0);
  }, 30_000);

  it('held past the read grace: aborts it, and a restart counts exactly what the aborted read had not', async () => {
    hold = new Hold('wh-poll-aborted', 2);
    const run = await startRun('poll-aborted');
    await hold.arrived;
    const countedBefore = await deliveriesAt(run.url); // page 1 only
    expect(countedBefore).toBe(PAGE_SIZE);
    const stopped = await run.stop(['SIGTERM']);
    await expectCleanStop(run, stopped);
    expect(stopped.elapsedMs).toBeGreaterThanOrEqual(READ_GRACE_MS - 100);
    expect(run.output()).toContain('reads still running at shutdown: aborting them');
    hold.release();
    expect(countedBefore + (await countedAfterRestart(run))).toBe(ENTRIES);
  }, 30_000);
});

describe('two signals in a row', () => {
  it.each([
    ['SIGTERM', 'SIGTERM'],
    ['SIGINT', 'SIGINT'],
    ['SIGTERM', 'SIGINT'],
  ] as Array<[NodeJS.Signals, NodeJS.Signals]>)('%s then %s during a held poll: the second cuts the grace, state is still written', async (first, second) => {
    const name = `twice-${first}-${second}`.toLowerCase();
    hold = new Hold(`wh-${name}`, 2);
    const run = await startRun(name);
    await hold.arrived;
    const countedBefore = await deliveriesAt(run.url);
    const stopped = await run.stop([first, second]);
    await expectCleanStop(run, stopped);
    expect(stopped.elapsedMs).toBeLessThan(READ_GRACE_MS);
    hold.release();
    expect(countedBefore + (await countedAfterRestart(run))).toBe(ENTRIES);
  }, 30_000);
});

describe('SIGTERM during a scrape', () => {
  it('of a large exposition read slowly: the scrape is cut after the connection grace, the process exits 0', async () => {
    // 1000 event types on each of two webhooks: an exposition of about 6.5 MB, more than the socket buffers hold.
    const entries = Array.from({ length: 1000 }, (_, i) => salesfinityEntry({ event: `EVENT_${String(i).padStart(4, '0')}_${'x'.repeat(40)}` }));
    const run = await startRun('scrape', { entries, webhooks: 2, maxEventTypes: 1000, pageSize: 100 });
    await waitFor(async () => ((await fetch(`${run.url}/readyz`)).status === 200 ? true : undefined), '/readyz');
    const scrape = await startSlowScrape(run.url);
    expect(scrape.complete(), 'the scrape must still be in flight when the signal arrives').toBe(false);
    const stopped = await run.stop(['SIGTERM']);
    scrape.resume();
    await expectCleanStop(run, stopped);
    expect(stopped.elapsedMs).toBeGreaterThanOrEqual(CONNECTION_GRACE_MS - 100);
    const { received, complete } = await scrape.closed;
    expect(complete, `received ${received} bytes`).toBe(false);
    expect(await countedAfterRestart(run)).toBe(0);
  }, 30_000);
});

describe('the unhandled-rejection guard', () => {
  it('kills a child that leaves a rejection unhandled, so the tests above would see it', async () => {
    // A rejection planted in the child a moment after start-up, while it serves.
    const planted = "--import=data:text/javascript,setTimeout(()=>void%20Promise.reject(new%20Error('planted')),2000)";
    const configFile = join(dir, 'guard.json');
    await writeFile(configFile, JSON.stringify(configFor(sim, { sources: [{ name: 'sf', provider: 'salesfinity', webhooks: ['wh-guard'] }] })));
    const result = await runCli(['run', '--config', configFile], { NODE_OPTIONS: `${STRICT} ${planted}` });
    expect(result.stdout).toContain('webhook-log-exporter listening'); // it died while serving
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('planted');
    expect(() => expectNoUnhandled(result.stderr)).toThrow();
  });
});

function readsCounted(output: string): number {
  return output
    .split('\n')
    .filter((line) => line.includes('"msg":"read finished"'))
    .reduce((sum, line) => sum + ((JSON.parse(line) as { counted: number }).counted ?? 0), 0);
}

interface SlowScrape {
  complete(): boolean;
  /** Reads on: what the kernel buffered, then the close. */
  resume(): void;
  closed: Promise<{ received: number; complete: boolean }>;
}

/** A client that asks for /metrics, takes the first bytes and stops reading: the server is left on a full socket. */
async function startSlowScrape(url: string): Promise<SlowScrape> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  let received = '';
  const firstBytes = new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined); // a reset is how the cut shows
  const complete = () => received.endsWith('\r\n0\r\n\r\n'); // the last chunk of a chunked body
  const closed = new Promise<{ received: number; complete: boolean }>((resolve) => {
    socket.on('close', () => resolve({ received: received.length, complete: complete() }));
  });
  socket.write(`GET /metrics HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
  await firstBytes;
  socket.pause();
  await new Promise((resolve) => setTimeout(resolve, 300)); // the server fills the socket buffers
  return { complete, resume: () => socket.resume(), closed };
}
