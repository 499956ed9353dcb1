// Fault injection: a real exporter reads a Salesfinity and a Baanx source from the simulator, one
// webhook misbehaves, and we check what an operator sees: the other source unaffected, the health
// metrics, one log line per change of state, the status page, back-off, and an exact catch-up.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Exporter } from '../../src/app.js';
import type { FaultProvider } from './helpers/fault-scenario.js';
import { ProviderSimulator, type Fault } from '../../src/simulator/index.js';
import { sampleValue } from '../helpers/exposition.js';
import {
  BX,
  SF,
  SeparateSalesfinity,
  WEBHOOK,
  startFaultHarness,
  entry,
  minutesAgo,
  runScenario,
  startFaultSimulator,
  statusOf,
  webhookLines,
  type Scenario,
} from './helpers/fault-scenario.js';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness.js';

let sim: ProviderSimulator;
const cleanups: Array<() => Promise<void>> = [];

async function exporter(options: Partial<HarnessOptions> = {}, simulator: ProviderSimulator = sim): Promise<Harness> {
  const harness = await startFaultHarness(simulator, options);
  cleanups.push(() => harness.stop());
  return harness;
}

describe('one webhook misbehaves, the other source carries on', () => {
  beforeEach(async () => {
    sim = await startFaultSimulator();
  });

  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
    await sim.close();
  });

  interface FaultCase {
    name: string;
    target: FaultProvider;
    fault: () => Fault;
    expected: Scenario['expected'];
    options?: Partial<HarnessOptions>;
    checkStatus?: Scenario['checkStatus'];
  }

  const cases: FaultCase[] = [
    {
      name: '401 until the key is fixed',
      target: 'salesfinity',
      fault: () => ({ kind: 'status', status: 401 }),
      expected: { code: '401', problem: 'http_401', advice: /check that the source's apiKey \(or apiKeyFile\) is current/ },
    },
    {
      name: '403',
      target: 'baanx',
      fault: () => ({ kind: 'status', status: 403 }),
      expected: { code: '403', problem: 'http_403', advice: /check that the source's bearerToken \(or bearerTokenFile\)/ },
    },
    {
      name: '404',
      target: 'salesfinity',
      fault: () => ({ kind: 'status', status: 404 }),
      expected: { code: '404', problem: 'http_404', advice: /check the webhook id and the source's baseUrl/ },
    },
    {
      name: '429 with Retry-After in seconds',
      target: 'baanx',
      fault: () => ({ kind: 'rate-limit', retryAfter: '3' }),
      expected: { code: '429', problem: 'http_429', advice: /poll less often \(schedule\)/ },
      checkStatus: (status) => expect((status.nextPollNotBeforeMs ?? 0) - (status.lastPollAtMs ?? 0)).toBe(3_000),
    },
    {
      name: '429 with Retry-After as an HTTP date',
      target: 'salesfinity',
      fault: () => ({ kind: 'rate-limit', retryAfter: new Date(Date.now() + 120_000).toUTCString() }),
      expected: { code: '429', problem: 'http_429', advice: /poll less often \(schedule\)/ },
      checkStatus: (status) => {
        const waitMs = (status.nextPollNotBeforeMs ?? 0) - (status.lastPollAtMs ?? 0);
        expect(waitMs).toBeGreaterThan(115_000); // the date has whole seconds and the polls took a moment
        expect(waitMs).toBeLessThanOrEqual(120_000);
      },
    },
    {
      name: 'a storm of 500s',
      target: 'baanx',
      fault: () => ({ kind: 'status', status: 500 }),
      expected: { code: '500', problem: 'http_5xx', advice: /check the provider's status page/ },
      // Third failure in a row: 4 × 5 s base, with equal jitter between half and all of it.
      checkStatus: (status) => {
        const waitMs = (status.nextPollNotBeforeMs ?? 0) - (status.lastPollAtMs ?? 0);
        expect(waitMs).toBeGreaterThanOrEqual(10_000);
        expect(waitMs).toBeLessThanOrEqual(20_000);
      },
    },
    {
      name: 'truncated JSON',
      target: 'salesfinity',
      fault: () => ({ kind: 'garbage' }),
      expected: { code: '200', problem: 'bad_body', advice: /not valid JSON .*check that baseUrl points at the provider's API/ },
    },
    {
      name: 'an HTML page instead of JSON',
      target: 'baanx',
      fault: () => ({ kind: 'html' }),
      expected: { code: '200', problem: 'bad_body', advice: /content-type text\/html.*check that baseUrl points at the provider's API/ },
    },
    {
      name: 'a 200 of the wrong shape',
      target: 'salesfinity',
      fault: () => ({ kind: 'wrong-shape' }),
      expected: { code: '200', problem: 'wrong_shape', advice: /`data` is not an array.*check baseUrl/ },
    },
    {
      name: 'an answer slower than http.timeout',
      target: 'baanx',
      fault: () => ({ kind: 'slow', delayMs: 1_000 }),
      options: { timeout: '250ms' },
      expected: { code: 'timeout', problem: 'timeout', advice: /within http\.timeout \(250 ms\).*raise http\.timeout/ },
    },
    {
      name: 'a reset connection',
      target: 'salesfinity',
      fault: () => ({ kind: 'reset' }),
      expected: { code: 'network_error', problem: 'network_error', advice: /cannot reach the provider \(\w+\): check DNS, network policy and baseUrl/ },
    },
    {
      name: 'a body larger than http.maxResponseBytes',
      target: 'baanx',
      fault: () => ({ kind: 'status', status: 200, body: JSON.stringify({ count: 0, logs: [], padding: 'x'.repeat(50_000) }) }),
      options: { maxResponseBytes: 20_000 },
      expected: { code: '200', problem: 'too_large', advice: /larger than http\.maxResponseBytes \(20000 bytes\): raise http\.maxResponseBytes or lower the source's limit/ },
    },
  ];

  for (const faultCase of cases) {
    it(`${faultCase.name} (${faultCase.target})`, async () => {
      const { target } = faultCase;
      await runScenario({
        target,
        simFor: () => sim,
        harness: await exporter(faultCase.options),
        inject: () => sim.setFault(target, WEBHOOK[target], faultCase.fault()),
        clear: () => sim.setFault(target, WEBHOOK[target], null),
        expected: faultCase.expected,
        checkStatus: faultCase.checkStatus,
      });
    });
  }

  it('a refused connection (salesfinity), until the API is back on its port', async () => {
    const salesfinity = await SeparateSalesfinity.start(sim);
    cleanups.push(() => salesfinity.close());
    await runScenario({
      target: 'salesfinity',
      simFor: salesfinity.simFor,
      harness: await exporter({}, salesfinity.view),
      inject: () => salesfinity.takeDown(),
      clear: () => salesfinity.bringBack(),
      expected: { code: 'network_error', problem: 'network_error', advice: /cannot reach the provider \(ECONNREFUSED\): check DNS, network policy and baseUrl/ },
    });
  });

  it('counts invalid entries by reason and still counts the valid ones around them', async () => {
    const harness = await exporter();
    await harness.poll();
    const at = minutesAgo(5);
    sim.append('salesfinity', SF, [
      entry('salesfinity', 'sf-valid-1', 6),
      { _id: 'bad-date', event: 'CALL_LOGGED', status: 'success', createdAt: 'yesterday' },
      'not an entry at all',
      { event: 'CALL_LOGGED', status: 'success', createdAt: at },
      { _id: 'bad-status', event: 'CALL_LOGGED', status: 'exploded', createdAt: at },
      entry('salesfinity', 'sf-valid-2', 4),
    ]);
    sim.append('baanx', BX, [entry('baanx', 'bx-valid-1', 6), { id: 'bx-bad', deliveryStatus: 'success', createdAt: 'not a date' }, entry('baanx', 'bx-valid-2', 4)]);
    await expect(harness.poll()).resolves.toBeUndefined();

    const metrics = await harness.metrics();
    const invalid = (source: string, reason: string) => sampleValue(metrics, 'webhook_exporter_entries_invalid_total', { source, reason });
    expect(invalid('sf', 'invalid_date')).toBe(1);
    expect(invalid('sf', 'not_an_object')).toBe(1);
    expect(invalid('sf', 'missing_id')).toBe(1);
    expect(invalid('sf', 'unknown_status')).toBe(1);
    expect(invalid('bx', 'invalid_date')).toBe(1);
    expect(await harness.deliveries({ source: 'sf' })).toBe(5);
    expect(await harness.deliveries({ source: 'bx' })).toBe(5);
    for (const webhookId of [SF, BX]) {
      expect(sampleValue(metrics, 'webhook_exporter_up', { webhook_id: webhookId })).toBe(1);
      expect(sampleValue(metrics, 'webhook_exporter_polls_total', { webhook_id: webhookId, result: 'error' })).toBe(0);
    }

    // Later reads see the same bad entries again (lookback, and a newcomer shifting the pages): not counted again.
    sim.append('salesfinity', SF, [entry('salesfinity', 'sf-valid-3', 1)]);
    await harness.poll();
    await harness.poll();
    const later = await harness.metrics();
    expect(sampleValue(later, 'webhook_exporter_entries_invalid_total', { source: 'sf', reason: 'invalid_date' })).toBe(1);
    expect(sampleValue(later, 'webhook_exporter_entries_invalid_total', { source: 'sf', reason: 'not_an_object' })).toBe(1);
    expect(sampleValue(later, 'webhook_exporter_entries_invalid_total', { source: 'bx', reason: 'invalid_date' })).toBe(1);
    expect(await harness.deliveries({ source: 'sf' })).toBe(6);
  });

  it('logs each change of problem once, and the recovery once', async () => {
    const harness = await exporter();
    await harness.poll();
    sim.setFault('baanx', BX, { kind: 'status', status: 503 });
    await harness.poll();
    await harness.poll();
    sim.setFault('baanx', BX, { kind: 'rate-limit', retryAfter: '30' });
    await harness.poll();
    await harness.poll();
    sim.setFault('baanx', BX, null);
    await harness.poll();
    await harness.poll();
    expect(webhookLines(harness, 'warn', BX).map((line) => line.problem)).toEqual(['http_5xx', 'http_429']);
    expect(webhookLines(harness, 'info', BX).map((line) => line.msg)).toEqual(['webhook log readable again']);
    // The repeats are there for whoever turns on debug.
    expect(webhookLines(harness, 'debug', BX).filter((line) => line.msg === 'webhook log still unreadable')).toHaveLength(2);
  });

  it('shows the last error on the status page and is ready after a first poll that failed', async () => {
    sim.setFault('salesfinity', SF, { kind: 'status', status: 404 });
    const harness = await exporter();
    const { port } = await harness.exporter.listen(0);
    const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`);
    expect(harness.exporter.poller.isReady()).toBe(false);
    expect((await get('/readyz')).status).toBe(503);

    await harness.poll();
    expect(harness.exporter.poller.isReady()).toBe(true);
    expect((await get('/readyz')).status).toBe(200);
    expect(statusOf(harness, SF).lastError).toMatch(/^webhook not found \(HTTP 404\)/);
    const page = await (await get('/')).text();
    expect(page).toContain('webhook not found (HTTP 404)');
    expect(await harness.deliveries({ source: 'bx' })).toBe(3);
  });
});

// The scheduler path (start(), not pollAll, which ignores back-off). One ~5 s run with a schedule
// of every second serves all the claims below, to keep the suite fast.
describe('on the real schedule, every second', () => {
  const STORM = '507f1f77bcf86cd7994390aa';
  const SLOW = '507f1f77bcf86cd7994390bb';
  const LIMITED = '770e8400-e29b-41d4-a716-4466554400aa';
  const HEALTHY = '770e8400-e29b-41d4-a716-4466554400bb';
  /** Shares LIMITED's source, so its credentials: it waits out the rate limit too. */
  const PEER = '770e8400-e29b-41d4-a716-4466554400cc';
  const RUN_MS = 5_200;
  const SLOW_ANSWER_MS = 1_500;
  let scheduledSim: ProviderSimulator;
  let scheduled: Exporter;
  let logs: Array<Record<string, unknown>> = [];
  let startedAt = 0;

  const requestsFor = (webhookId: string) => scheduledSim.requests.filter((request) => request.webhookId === webhookId);

  beforeAll(async () => {
    scheduledSim = await ProviderSimulator.start();
    for (const webhookId of [STORM, SLOW]) scheduledSim.addWebhook('salesfinity', webhookId);
    for (const webhookId of [LIMITED, HEALTHY, PEER]) scheduledSim.addWebhook('baanx', webhookId);
    scheduledSim.setFault('salesfinity', STORM, { kind: 'status', status: 500 });
    scheduledSim.setFault('salesfinity', SLOW, { kind: 'slow', delayMs: SLOW_ANSWER_MS });
    scheduledSim.setFault('baanx', LIMITED, { kind: 'rate-limit', retryAfter: '3', times: 1 });

    const harness = await startHarness(scheduledSim, {
      sources: [
        { name: 'sf', provider: 'salesfinity', webhooks: [STORM, SLOW] },
        { name: 'bx', provider: 'baanx', webhooks: [LIMITED, PEER] },
        { name: 'bx-other', provider: 'baanx', webhooks: [HEALTHY] },
      ],
      timeout: '3s',
      schedule: '* * * * * *',
      random: () => 0, // each back-off is exactly half its exponential delay (2.5 s, then 5 s)
    });
    logs = harness.logs;
    scheduled = harness.exporter;
    startedAt = Date.now();
    await scheduled.start();
    await new Promise((resolve) => setTimeout(resolve, RUN_MS));
    await scheduled.stop();
  }, RUN_MS + 5_000);

  afterAll(async () => {
    await scheduledSim.close();
  });

  it('polls a healthy webhook on every tick', () => {
    expect(requestsFor(HEALTHY).length).toBeGreaterThanOrEqual(4);
  });

  it('skips the ticks inside the back-off of a failing webhook', () => {
    // At start (fails; 2.5 s back-off), at the first tick after that (fails; 5 s): nothing more within 5 s.
    const storm = requestsFor(STORM);
    expect(storm).toHaveLength(2);
    expect((storm[1]?.at ?? 0) - (storm[0]?.at ?? 0)).toBeGreaterThanOrEqual(2_500);
    expect(logs.some((line) => line.webhookId === STORM && line.msg === 'backing off: this tick is skipped')).toBe(true);
    expect(logs.filter((line) => line.webhookId === STORM && line.level === 'warn')).toHaveLength(1);
  });

  it('sends nothing for a rate-limited webhook until Retry-After has passed', () => {
    const limited = requestsFor(LIMITED);
    expect(limited.length).toBeGreaterThanOrEqual(2);
    const waitedMs = (limited[1]?.at ?? 0) - (limited[0]?.at ?? 0);
    expect(waitedMs).toBeGreaterThanOrEqual(3_000);
    expect(waitedMs).toBeLessThan(4_500); // the first tick after it, not the default minute
    expect(limited[0]?.at ?? 0).toBeLessThan(startedAt + 500);
  });

  it("holds back every webhook of the rate-limited source's credentials, and only those", () => {
    const limitedAt = requestsFor(LIMITED)[0]?.at ?? 0;
    // The peer's first read may have gone out with the limited one's; after the 429, nothing until Retry-After.
    const peerDuringWait = requestsFor(PEER).filter((request) => request.at > limitedAt + 200 && request.at < limitedAt + 3_000);
    expect(peerDuringWait).toEqual([]);
    expect(requestsFor(PEER).some((request) => request.at >= limitedAt + 3_000)).toBe(true);
    expect(logs.some((line) => line.webhookId === PEER && String(line.msg).startsWith('rate limited: no request with these credentials'))).toBe(true);
  });

  it('never has two requests in flight for one webhook, even when answers take longer than a tick', () => {
    expect(scheduledSim.maxInFlight).toBe(1);
    const slow = requestsFor(SLOW);
    expect(slow.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < slow.length; i++) expect((slow[i]?.at ?? 0) - (slow[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(SLOW_ANSWER_MS);
    expect(logs.some((line) => line.webhookId === SLOW && line.msg === 'previous read still running: this tick is skipped')).toBe(true);
  });
});
