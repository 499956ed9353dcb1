import { afterEach, describe, expect, it } from 'vitest';
import { createAdapter, type AdapterSource } from '../../src/providers/index.js';
import type { BaanxLogEntry } from '../../src/providers/baanx/types.js';
import type { SalesfinityLogEntry } from '../../src/providers/salesfinity/types.js';
import {
  DEMO_WEBHOOKS,
  ProviderSimulator,
  SIM_RECEIVER_PASSWORD,
  SIM_RECEIVER_TOKEN,
  SIM_SIGNATURE_PREFIX,
  createTrafficGenerator,
  simulatedSource,
  type TrafficChange,
  type TrafficWebhook,
} from '../../src/simulator/index.js';
import { normalize as normalizeBaanx } from '../../src/providers/baanx/normalize.js';
import { normalize as normalizeSalesfinity } from '../../src/providers/salesfinity/normalize.js';

const T0 = Date.UTC(2025, 11, 29, 10, 0, 0);
const SF: TrafficWebhook = { provider: 'salesfinity', webhookId: 'sf-1' };
const BX: TrafficWebhook = { provider: 'baanx', webhookId: 'bx-1' };
const BX_DOWN: TrafficWebhook = { provider: 'baanx', webhookId: 'bx-down', failing: true };

/** Runs a generator for `ticks` seconds and returns every change plus the final state of each entry. */
function run(webhooks: TrafficWebhook[], ticks: number, seed = 42) {
  const generator = createTrafficGenerator({ webhooks, seed });
  const changes: Array<TrafficChange & { tickMs: number }> = [];
  const salesfinity = new Map<string, SalesfinityLogEntry>();
  const baanx = new Map<string, BaanxLogEntry>();
  for (let i = 0; i < ticks; i++) {
    const tickMs = T0 + i * 1000;
    for (const change of generator.tick(tickMs)) {
      changes.push({ ...change, tickMs });
      if (change.kind === 'update' && change.provider === 'baanx') baanx.set(change.logId, { ...(baanx.get(change.logId) as BaanxLogEntry), ...change.patch });
      else if (change.provider === 'baanx') baanx.set(change.entry.id, change.entry);
      else if (change.provider === 'salesfinity') salesfinity.set(change.entry._id, change.entry);
    }
  }
  return { changes, salesfinity: [...salesfinity.values()], baanx: [...baanx.values()] };
}

const share = (part: number, whole: number) => part / whole;

describe('traffic generator', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    expect(run([SF, BX], 50, 7).changes).toEqual(run([SF, BX], 50, 7).changes);
    expect(run([SF, BX], 50, 8).changes).not.toEqual(run([SF, BX], 50, 7).changes);
  });

  it("keeps each webhook's traffic independent of the other webhooks", () => {
    const alone = run([BX], 30).baanx;
    const together = run([SF, BX, BX_DOWN], 30).baanx.filter((entry) => entry.webhookId === BX.webhookId);
    expect(together.map((entry) => entry.id)).toEqual(alone.map((entry) => entry.id));
  });

  it('produces the documented mix: ~95% success, 4xx, 5xx and timeouts, several event types', () => {
    const { salesfinity, baanx } = run([SF, BX], 3000);
    const baanxFinished = baanx.filter((entry) => entry.deliveryStatus === 'success' || entry.deliveryStatus === 'failed');
    const sfSuccess = salesfinity.filter((entry) => entry.status === 'success').length;
    const bxSuccess = baanxFinished.filter((entry) => entry.deliveryStatus === 'success').length;
    expect(salesfinity.length).toBeGreaterThan(2000);
    expect(share(sfSuccess, salesfinity.length)).toBeGreaterThan(0.92);
    expect(share(sfSuccess, salesfinity.length)).toBeLessThan(0.98);
    expect(share(bxSuccess, baanxFinished.length)).toBeGreaterThan(0.92);
    expect(share(bxSuccess, baanxFinished.length)).toBeLessThan(0.98);

    const bxCodes = new Set(baanxFinished.map((entry) => entry.responseStatus));
    for (const code of [200, 400, 410, 500, 502, 503, null]) expect(bxCodes).toContain(code);
    const sfCodes = new Set(salesfinity.map((entry) => entry.response?.code ?? 'none'));
    for (const code of [200, 400, 410, 500, 502, 503, 'none']) expect(sfCodes).toContain(code);

    const timeouts = baanxFinished.filter((entry) => entry.responseStatus === null);
    expect(timeouts.length).toBeGreaterThan(0);
    for (const entry of timeouts) expect(entry).toMatchObject({ deliveryStatus: 'failed', durationMs: null, errorMessage: 'connection timeout' });

    expect(new Set(salesfinity.map((entry) => entry.event)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(baanx.map((entry) => entry.requestBody?.eventType)).size).toBeGreaterThanOrEqual(5);
    for (const entry of salesfinity) expect(entry.request?.body?.event).toBe(entry.event);
  });

  it('draws response times log-normally between 50 ms and several seconds', () => {
    const durations = run([BX], 3000)
      .baanx.map((entry) => entry.durationMs)
      .filter((ms): ms is number => typeof ms === 'number')
      .sort((a, b) => a - b);
    const median = durations[Math.floor(durations.length / 2)] as number;
    expect(durations[0]).toBeGreaterThanOrEqual(50);
    expect(median).toBeGreaterThan(100);
    expect(median).toBeLessThan(400);
    expect(durations.filter((ms) => ms > 1000).length).toBeGreaterThan(0);
    expect(durations.every((ms) => Number.isInteger(ms))).toBe(true);
  });

  it('retries a failed Baanx attempt under the same event id with the next attempt number, until attempt 6', () => {
    const { baanx } = run([BX, BX_DOWN], 400);
    const failedWithRetry = baanx.filter((entry) => entry.deliveryStatus === 'failed' && entry.nextRetryAt !== null);
    expect(failedWithRetry.length).toBeGreaterThan(10);
    for (const failed of failedWithRetry) {
      // A retry due after the run ended is not logged yet.
      if (Date.parse(failed.nextRetryAt as string) > T0 + 399_000) continue;
      const retry = baanx.find((entry) => entry.eventId === failed.eventId && entry.attemptNumber === (failed.attemptNumber ?? 0) + 1);
      expect(retry).toMatchObject({ createdAt: failed.nextRetryAt, requestBody: failed.requestBody });
    }
    const exhausted = baanx.filter((entry) => entry.attemptNumber === 6 && entry.deliveryStatus === 'failed');
    expect(exhausted.length).toBeGreaterThan(0);
    for (const entry of exhausted) expect(entry.nextRetryAt).toBeNull();
    for (const entry of baanx) {
      expect(entry.attemptNumber).toBeGreaterThanOrEqual(1);
      expect(entry.attemptNumber).toBeLessThanOrEqual(6);
      if (entry.deliveryStatus === 'success') expect(entry.nextRetryAt).toBeNull();
    }
  });

  it('fails every attempt of a webhook whose receiver is down with a 503 or a timeout', () => {
    const { baanx, salesfinity } = run([BX_DOWN, { ...SF, failing: true }], 300);
    const finished = baanx.filter((entry) => entry.deliveryStatus === 'success' || entry.deliveryStatus === 'failed');
    expect(finished.length).toBeGreaterThan(100);
    for (const entry of finished) {
      expect(entry.deliveryStatus).toBe('failed');
      expect([503, null]).toContain(entry.responseStatus);
    }
    for (const entry of salesfinity) {
      expect(entry.status).toBe('failed');
      expect([503, undefined]).toContain(entry.response?.code);
    }
  });

  it('moves some Baanx entries from pending to processing to finished, one tick each, keeping the id', () => {
    const { changes } = run([BX], 300);
    const pending = changes.filter((change) => change.kind === 'append' && change.provider === 'baanx' && change.entry.deliveryStatus === 'pending');
    expect(pending.length).toBeGreaterThan(10);
    for (const appended of pending) {
      if (appended.kind !== 'append' || appended.provider !== 'baanx' || appended.tickMs > T0 + 297_000) continue;
      const updates = changes.filter((change) => change.kind === 'update' && change.logId === appended.entry.id);
      expect(updates.map((update) => [update.tickMs - appended.tickMs, update.kind === 'update' && update.provider === 'baanx' && update.patch.deliveryStatus])).toEqual([
        [1000, 'processing'],
        [2000, expect.stringMatching(/^(success|failed)$/)],
      ]);
    }
  });

  it('plants realistic secrets in Baanx entries: receiver tokens, credentials and signatures', () => {
    const { baanx } = run([BX, BX_DOWN], 20);
    const urls = new Set(baanx.map((entry) => entry.requestUrl));
    expect([...urls].every((url) => url?.includes(`?token=${SIM_RECEIVER_TOKEN}`))).toBe(true);
    expect([...urls].some((url) => url?.includes(`:${SIM_RECEIVER_PASSWORD}@`))).toBe(true);
    for (const entry of baanx) expect(entry.requestHeaders?.['X-Signature']).toMatch(new RegExp(`^${SIM_SIGNATURE_PREFIX}[0-9a-f]{64}$`));
  });

  it('generates only entries the adapters can normalise', () => {
    const { salesfinity, baanx } = run([SF, BX, BX_DOWN], 200);
    for (const entry of salesfinity) expect(normalizeSalesfinity(entry, 'w').ok).toBe(true);
    for (const entry of baanx) expect(normalizeBaanx(entry, 'w').ok).toBe(true);
  });
});

describe('ProviderSimulator traffic', () => {
  let sim: ProviderSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('fills the logs on a timer and stops when told, with pending entries finishing under the same id', async () => {
    sim = await ProviderSimulator.start();
    sim.startTraffic({ webhooks: [SF, BX], intervalMs: 5, seed: 3 });
    // Wait until some pending Baanx entry has been seen and later read finished.
    const seenPending = new Set<string>();
    let finishedPending: BaanxLogEntry | undefined;
    for (let i = 0; i < 400 && finishedPending === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      for (const entry of sim.entries('baanx', BX.webhookId) as BaanxLogEntry[]) {
        if (entry.deliveryStatus === 'pending') seenPending.add(entry.id);
        else if (seenPending.has(entry.id) && (entry.deliveryStatus === 'success' || entry.deliveryStatus === 'failed')) finishedPending = entry;
      }
    }
    expect(finishedPending).toBeDefined();
    expect(sim.entries('salesfinity', SF.webhookId).length).toBeGreaterThan(0);

    sim.stopTraffic();
    const count = sim.entries('salesfinity', SF.webhookId).length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sim.entries('salesfinity', SF.webhookId)).toHaveLength(count);
  });

  it('runs the demo webhooks when it knows none, serving them over HTTP', async () => {
    sim = await ProviderSimulator.start();
    sim.startTraffic({ intervalMs: 60_000, seed: 1 });
    sim.stopTraffic();
    for (const { provider, webhookId } of DEMO_WEBHOOKS) {
      // The request the provider's own adapter makes, as a configured source would.
      const source = simulatedSource(sim, provider, { name: 'demo', webhooks: [webhookId], pageSize: 10, maxPages: 1, limit: 10 });
      const adapter = createAdapter({ ...source, auth: { ...(source.auth as object), fromFile: false } } as unknown as AdapterSource);
      const request = adapter.firstRequest(webhookId);
      const response = await fetch(request.url, { headers: request.headers });
      expect(response.status, `${provider} ${webhookId}`).toBe(200);
    }
    expect(DEMO_WEBHOOKS.filter((webhook) => webhook.failing).map((webhook) => webhook.provider)).toEqual(['baanx', 'github']);
  });
});

describe('GitLab traffic', () => {
  const GL: TrafficWebhook = { provider: 'gitlab', webhookId: 'project/1234/56' };
  const GL_DOWN: TrafficWebhook = { provider: 'gitlab', webhookId: 'project/1234/57', failing: true };

  it('appends finished hook events only (GitLab logs each attempt once, never retries by itself)', () => {
    const { changes } = run([GL, GL_DOWN], 600);
    const gitlab = changes.filter((change) => change.provider === 'gitlab');
    expect(gitlab.length).toBeGreaterThan(300);
    expect(gitlab.every((change) => change.kind === 'append')).toBe(true);
    const entries = gitlab.flatMap((change) => (change.kind === 'append' && change.provider === 'gitlab' ? [change] : []));
    const healthy = entries.filter((change) => change.webhookId === GL.webhookId).map((change) => change.entry);
    const down = entries.filter((change) => change.webhookId === GL_DOWN.webhookId).map((change) => change.entry);
    const ok = (status: string) => /^2\d\d$/.test(status);
    expect(share(healthy.filter((entry) => ok(entry.response_status)).length, healthy.length)).toBeGreaterThan(0.85);
    expect(down.some((entry) => ok(entry.response_status))).toBe(false);
    expect(down.some((entry) => entry.response_status === 'internal error')).toBe(true);
    expect(new Set(healthy.map((entry) => entry.trigger)).size).toBeGreaterThan(2);
  });
});

describe('Svix traffic', () => {
  const SV: TrafficWebhook = { provider: 'svix', webhookId: 'app_demo/ep_demo' };

  it('logs some attempts pending, then sending, then finished under one id; failures retry the same message', () => {
    const { changes } = run([SV], 600);
    const appended = changes.flatMap((change) => (change.kind === 'append' && change.provider === 'svix' ? [change] : []));
    const pending = appended.filter((change) => change.entry.status === 1 && change.tickMs < T0 + 590_000);
    expect(pending.length).toBeGreaterThan(10);
    for (const start of pending) {
      const updates = changes.filter((change) => change.kind === 'update' && change.provider === 'svix' && change.logId === start.entry.id);
      expect(updates.map((update) => [update.tickMs - start.tickMs, update.kind === 'update' && update.provider === 'svix' && update.patch.status])).toEqual([
        [1000, 3],
        [2000, expect.toBeOneOf([0, 2])],
      ]);
    }
    const byMessage = new Map<string, number>();
    for (const { entry } of appended) byMessage.set(entry.msgId, (byMessage.get(entry.msgId) ?? 0) + 1);
    expect([...byMessage.values()].some((attempts) => attempts > 1)).toBe(true);
  });
});
