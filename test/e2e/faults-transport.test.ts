// Fault injection below HTTP status codes, through the whole exporter: names that do not resolve,
// connections that never complete, bodies that stall or are cut off, logs that grow faster than
// they can be paged, 10 MB entries and bytes that are not UTF-8. Same story as test/e2e/faults.test.ts.

import { spawn, type ChildProcess } from 'node:child_process';
import { lookup as systemLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BuiltInProvider } from '../../src/providers/registry.js';
import type { FaultProvider } from './helpers/fault-scenario.js';
import { ProviderSimulator, baanxEntry, salesfinityEntry, type Fault } from '../../src/simulator/index.js';
import { findSamples, sampleValue, type Exposition } from '../helpers/exposition.js';
import {
  BX,
  POLLS_UNDER_FAULT,
  SF,
  SOURCE,
  SeparateSalesfinity,
  WEBHOOK,
  apiRequests,
  bothSources,
  startFaultHarness,
  entry,
  minutesAgo,
  runScenario,
  startFaultSimulator,
  webhookLines,
  type Scenario,
} from './helpers/fault-scenario.js';
import { type Harness, type HarnessOptions } from '../helpers/harness.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';

const MIB = 1024 * 1024;
let sim: ProviderSimulator;
const cleanups: Array<() => Promise<void> | void> = [];

async function exporter(options: Partial<HarnessOptions> = {}, simulator: ProviderSimulator = sim): Promise<Harness> {
  const harness = await startFaultHarness(simulator, options);
  cleanups.push(() => harness.stop());
  return harness;
}

beforeEach(async () => {
  sim = await startFaultSimulator();
});

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  await sim.close();
});

describe('the connection or the body fails, the other source carries on', () => {
  const bodyFaults: Array<{ name: string; target: FaultProvider; fault: Fault; timeout?: string; expected: Scenario['expected'] }> = [
    {
      name: 'headers, then a body that stalls half-way',
      target: 'salesfinity',
      fault: { kind: 'stall-body' },
      timeout: '500ms',
      expected: { code: 'timeout', problem: 'timeout', advice: /no complete answer within http\.timeout \(500 ms\)/ },
    },
    {
      name: 'a body cut off mid-JSON by a closed connection (Content-Length promised more)',
      target: 'baanx',
      fault: { kind: 'cut-body' },
      expected: { code: 'network_error', problem: 'network_error', advice: /cannot reach the provider \(UND_ERR_SOCKET: connection lost before the whole answer arrived\)/ },
    },
  ];

  for (const { name, target, fault, timeout, expected } of bodyFaults) {
    it(`${name} (${target})`, async () => {
      await runScenario({
        target,
        simFor: () => sim,
        harness: await exporter(timeout ? { timeout } : {}),
        inject: () => sim.setFault(target, WEBHOOK[target], fault),
        clear: () => sim.setFault(target, WEBHOOK[target], null),
        expected,
      });
    });
  }

  it('a host name that stops resolving (salesfinity), until DNS answers again', async () => {
    // The system resolver's real answer for a reserved `.invalid` name while "broken"; loopback once fixed.
    const host = 'salesfinity-logs.invalid';
    let resolvable = true;
    const lookup = (hostname: string, options: LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
      if (hostname !== host || !resolvable) return systemLookup(hostname, options, callback);
      if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    };
    // Idle connections expire at once, so each poll needs a lookup, as after any real keep-alive timeout.
    const dispatcher = new Agent({ connect: { lookup }, keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
    cleanups.push(() => dispatcher.close());
    const view: ProviderSimulator = Object.assign(Object.create(sim) as ProviderSimulator, {
      baseUrl: (provider: BuiltInProvider) => {
        const url = new URL(sim.baseUrl(provider));
        if (provider === 'salesfinity') url.hostname = host;
        return url.href;
      },
    });
    await runScenario({
      target: 'salesfinity',
      simFor: () => sim,
      harness: await exporter({ dispatcher }, view),
      inject: async () => {
        resolvable = false;
        await new Promise((resolve) => setTimeout(resolve, 50));
      },
      clear: () => {
        resolvable = true;
      },
      expected: { code: 'network_error', problem: 'network_error', advice: /cannot reach the provider \((ENOTFOUND|EAI_AGAIN)\): check DNS/ },
    });
  });

  it('a connect that never completes (salesfinity): a listener whose accept queue is full', async () => {
    const salesfinity = await SeparateSalesfinity.start(sim);
    cleanups.push(() => salesfinity.close());
    let blackHole: BlackHole | undefined;
    cleanups.push(() => blackHole?.close());
    await runScenario({
      target: 'salesfinity',
      simFor: salesfinity.simFor,
      harness: await exporter({ timeout: '500ms' }, salesfinity.view),
      inject: async () => {
        await salesfinity.takeDown();
        blackHole = await BlackHole.open(salesfinity.port);
      },
      clear: async () => {
        await blackHole?.close();
        await salesfinity.bringBack();
      },
      expected: { code: 'timeout', problem: 'timeout', advice: /no complete answer within http\.timeout \(500 ms\)/ },
    });
  });
});

describe('a connect that hangs', () => {
  it('is abandoned at http.timeout: no connect attempt outlives it (one request in flight per webhook)', async () => {
    const salesfinity = await SeparateSalesfinity.start(sim);
    cleanups.push(() => salesfinity.close());
    const harness = await exporter({ timeout: '300ms' }, salesfinity.view);
    await salesfinity.takeDown();
    const blackHole = await BlackHole.open(salesfinity.port);
    cleanups.push(() => blackHole.close());
    const fillersConnecting = await connectingTo(salesfinity.port);
    await harness.poll();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // undici's own connect timeout is 10 s: without the exporter's, its SYN would still be pending.
    // Only connects that were not the black hole's own fillers count (a filler may give up meanwhile).
    const stillConnecting = [...(await connectingTo(salesfinity.port))].filter((local) => !fillersConnecting.has(local));
    expect(stillConnecting).toEqual([]);
  });
});

/** Sockets of this machine in SYN_SENT towards 127.0.0.1:port (Linux's /proc/net/tcp). */
/** The local address:port of every socket still sending SYNs to 127.0.0.1:`port`. */
async function connectingTo(port: number): Promise<Set<string>> {
  const table = await readFile('/proc/net/tcp', 'utf8');
  const remote = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const SYN_SENT = '02';
  const locals = table.split('\n').flatMap((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[2] === remote && fields[3] === SYN_SENT ? [fields[1]!] : [];
  });
  return new Set(locals);
}

/**
 * A port where TCP connects hang, as behind a firewall that drops packets: a listener in a stopped
 * process never accepts, and once its accept queue is full the kernel drops every further SYN.
 */
class BlackHole {
  private constructor(
    private readonly child: ChildProcess,
    private readonly fillers: Socket[],
  ) {}

  static async open(port: number): Promise<BlackHole> {
    const listen = `require('node:net').createServer().listen({ port: ${port}, host: '127.0.0.1', backlog: 1 }, () => process.stdout.write('listening'))`;
    const child = spawn(process.execPath, ['-e', listen], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve, reject) => {
      child.stdout?.once('data', resolve);
      child.once('exit', (code) => reject(new Error(`black hole listener exited with ${code}`)));
    });
    child.kill('SIGSTOP');
    const hole = new BlackHole(child, []);
    // Connect until one hangs: from then on the queue is full (its size depends on the kernel).
    for (let attempt = 0; attempt < 16; attempt++) {
      const socket = connect(port, '127.0.0.1');
      hole.fillers.push(socket);
      const outcome = await new Promise<'connected' | 'failed' | 'hangs'>((resolve) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('error', () => resolve('failed'));
        setTimeout(() => resolve('hangs'), 300);
      });
      if (outcome === 'hangs') return hole;
      if (outcome === 'failed') break; // e.g. net.ipv4.tcp_abort_on_overflow=1 resets instead of dropping
    }
    await hole.close();
    throw new Error('connects to a full accept queue do not hang on this machine');
  }

  async close(): Promise<void> {
    for (const socket of this.fillers) socket.destroy();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }
}

describe('a log that grows faster than it can be read', () => {
  const idOf = (raw: unknown): string => String((raw as Record<string, unknown>)._id ?? (raw as Record<string, unknown>).id);

  /**
   * Before every request for the target a whole page of new deliveries arrives, so the reader
   * never reaches what it knew. `served` records exactly which entries the simulator answered with.
   */
  function growForever(target: FaultProvider, perRequest: number, served: Set<string>): { stop(): void } {
    let growing = true;
    let appended = 0;
    const startedAt = Date.now();
    sim.onRequest((request) => {
      if (request.provider !== target) return;
      const fresh = Array.from({ length: growing ? perRequest : 0 }, () => {
        appended += 1;
        const createdAt = new Date(startedAt + appended * 1_000).toISOString();
        const id = `${target}-grow-${appended}`;
        return target === 'salesfinity' ? salesfinityEntry({ _id: id, createdAt }) : baanxEntry({ id, createdAt });
      });
      sim.append(target, WEBHOOK[target], fresh);
      const page = Number(request.query.page ?? 1);
      const limit = Number(request.query.limit);
      for (const raw of sim.entries(target, WEBHOOK[target]).slice((page - 1) * limit, page * limit)) served.add(idOf(raw));
    });
    return { stop: () => void (growing = false) };
  }

  const cases = [
    { target: 'salesfinity' as const, source: { name: 'sf', provider: 'salesfinity' as const, webhooks: [SF], pageSize: 2, maxPages: 3 }, requestsPerRead: 3, perRequest: 2, gap: /^possible gap: read stopped at maxPages=3 .*Raise maxPages/ },
    { target: 'baanx' as const, source: { name: 'bx', provider: 'baanx' as const, webhooks: [BX], limit: 3 }, requestsPerRead: 1, perRequest: 3, gap: /^possible gap: none of the 3 newest entries had been seen before.*raise limit/ },
  ];

  for (const { target, source, requestsPerRead, perRequest, gap } of cases) {
    it(`${target}: each read stops at its page limit, counts what it was served once, and reports the gap`, async () => {
      const other = target === 'salesfinity' ? 'baanx' : 'salesfinity';
      const sources = bothSources().map((spec) => (spec.provider === target ? source : spec));
      const harness = await exporter({ sources });
      const { port } = await harness.exporter.listen(0);
      const targetId = WEBHOOK[target];
      await harness.poll();
      const before = await harness.metrics();
      const warningsBefore = webhookLines(harness, 'warn', targetId).length;
      const served = new Set(sim.entries(target, targetId).map(idOf));
      const growth = growForever(target, perRequest, served);
      sim.append(other, WEBHOOK[other], [entry(other, `${other}-n1`, 2), entry(other, `${other}-n2`, 1)]);
      const requestsBefore = sim.requests.filter((request) => request.webhookId === targetId).length;

      for (let i = 0; i < POLLS_UNDER_FAULT; i++) await harness.poll();
      const during = await harness.metrics();
      expect(sim.requests.filter((request) => request.webhookId === targetId).length - requestsBefore).toBe(POLLS_UNDER_FAULT * requestsPerRead);
      expect(await harness.deliveries({ source: SOURCE[target] })).toBe(served.size);
      expect(served.size).toBeGreaterThan(3);
      const gaps = (metrics: Exposition) => sampleValue(metrics, 'webhook_exporter_gaps_total', { webhook_id: targetId }) ?? 0;
      expect(gaps(during) - gaps(before)).toBe(POLLS_UNDER_FAULT);
      expect(sampleValue(during, 'webhook_exporter_up', { webhook_id: targetId })).toBe(1);
      expect(sampleValue(during, 'webhook_exporter_polls_total', { webhook_id: targetId, result: 'error' })).toBe(0);
      const gapLines = webhookLines(harness, 'warn', targetId).slice(warningsBefore);
      expect(gapLines).toHaveLength(POLLS_UNDER_FAULT); // one "possible gap:" warning per read that may have missed entries (docs/counting.md, Gaps)
      for (const line of gapLines) expect(String(line.msg)).toMatch(gap);
      expect(await harness.deliveries({ source: SOURCE[other] })).toBe(5);
      expect(sampleValue(during, 'webhook_exporter_gaps_total', { webhook_id: WEBHOOK[other] })).toBe(0);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

      growth.stop();
      await harness.poll();
      await harness.poll();
      expect(await harness.deliveries({ source: SOURCE[target] })).toBe(served.size); // still exactly what was served
      expect(await harness.deliveries({ source: SOURCE[other] })).toBe(5);
    });
  }
});

describe('entries that are large or not UTF-8', () => {
  const hugeEntry = (id: string, minutes: number) =>
    salesfinityEntry({ _id: id, createdAt: minutesAgo(minutes), response: { code: 200, body: { echo: 'x'.repeat(10 * MIB) } } });

  it('counts a 10 MB entry once when the page fits under http.maxResponseBytes (default 16 MiB)', async () => {
    const harness = await exporter();
    await harness.poll();
    sim.append('salesfinity', SF, [hugeEntry('sf-huge', 2), entry('salesfinity', 'sf-n2', 1)]);
    await harness.poll();
    await harness.poll();
    const metrics = await harness.metrics();
    expect(await harness.deliveries({ source: 'sf' })).toBe(5);
    expect(await harness.deliveries({ source: 'bx' })).toBe(3);
    expect(sampleValue(metrics, 'webhook_exporter_up', { webhook_id: SF })).toBe(1);
    expect(webhookLines(harness, 'warn', SF)).toHaveLength(0);
  });

  it('a 10 MB entry over an 8 MiB cap stops that webhook, visibly, until the cap is raised (restart, state kept)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wle-faults-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const stateFile = join(dir, 'state.json');
    const capped = await exporter({ stateFile, maxResponseBytes: 8 * MIB });
    const { port } = await capped.exporter.listen(0);
    await capped.poll();
    const before = await capped.metrics();
    sim.append('salesfinity', SF, [hugeEntry('sf-huge', 2), entry('salesfinity', 'sf-n2', 1)]);
    sim.append('baanx', BX, [entry('baanx', 'bx-n1', 2)]);
    for (let i = 0; i < POLLS_UNDER_FAULT; i++) await capped.poll();

    const during = await capped.metrics();
    expect(await capped.deliveries({ source: 'sf' })).toBe(3);
    expect(await capped.deliveries({ source: 'bx' })).toBe(4);
    expect(sampleValue(during, 'webhook_exporter_up', { webhook_id: SF })).toBe(0);
    expect(apiRequests(during, 'sf', '200') - apiRequests(before, 'sf', '200')).toBe(POLLS_UNDER_FAULT); // the first page is already too large
    const [warning, ...more] = webhookLines(capped, 'warn', SF);
    expect(more).toHaveLength(0);
    expect(warning).toMatchObject({ problem: 'too_large' });
    expect(String(warning?.msg)).toMatch(/larger than http\.maxResponseBytes \(8388608 bytes\): raise http\.maxResponseBytes/);
    for (const path of ['/healthz', '/readyz']) expect((await fetch(`http://127.0.0.1:${port}${path}`)).status).toBe(200);
    await capped.stop();

    const raised = await exporter({ stateFile, maxResponseBytes: 16 * MIB });
    await raised.poll();
    await raised.poll();
    expect(await raised.deliveries({ source: 'sf' })).toBe(2); // the huge entry and the one after it, once
    expect(await raised.deliveries({ source: 'bx' })).toBe(0); // counted before the restart
    expect(sampleValue(await raised.metrics(), 'webhook_exporter_up', { webhook_id: SF })).toBe(1);
  });

  it('counts entries whose strings arrive as Latin-1 bytes, with U+FFFD in place of what is not UTF-8', async () => {
    const harness = await exporter();
    sim.setFault('salesfinity', SF, { kind: 'latin1' });
    await harness.poll();
    sim.append('salesfinity', SF, [
      salesfinityEntry({ _id: 'sf-latin1-1', event: 'APPEL_ENREGISTRÉ', createdAt: minutesAgo(2), response: { code: 200, body: { reçu: 'café' } } }),
      salesfinityEntry({ _id: 'sf-latin1-2', event: 'CALL_LOGGED', createdAt: minutesAgo(1), response: { code: 500, body: 'Überlastet' }, status: 'failed' }),
    ]);
    await harness.poll();
    await harness.poll();
    const exposition = await harness.exporter.telemetry.collectExposition();
    const metrics = await harness.metrics();
    expect(await harness.deliveries({ source: 'sf' })).toBe(5);
    expect(await harness.deliveries({ source: 'sf', event: 'APPEL_ENREGISTR\uFFFD' })).toBe(1);
    expect(findSamples(metrics, 'webhook_exporter_entries_invalid_total', { source: 'sf' }).every((sample) => sample.value === 0)).toBe(true);
    expect(sampleValue(metrics, 'webhook_exporter_up', { webhook_id: SF })).toBe(1);
    expect(webhookLines(harness, 'warn', SF)).toHaveLength(0);
    expect(await harness.deliveries({ source: 'bx' })).toBe(3);
    expect(await promtoolCheckMetrics(exposition)).toBe('');
  });
});
