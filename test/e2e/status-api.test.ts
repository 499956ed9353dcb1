// GET /api/v1/status and webhook_event_delivery_seconds through the whole exporter, against the
// simulator over loopback: the window's counts and ratio, the last failure, exhausted, poll health
// before and after the first poll, the time until each event is delivered (and not for a provider
// whose event ids do not join attempts), the event cap, and no secret in the document.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatusDocument, StatusWebhook } from '../../src/server/index.js';
import { baanxEntry, gitlabEntry, ProviderSimulator, SIM_BAANX_TOKEN } from '../../src/simulator/index.js';
import { findSamples } from '../helpers/exposition.js';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness.js';
import { httpRequest } from '../helpers/http-request.js';

let WEBHOOK = '';
let QUIET_WEBHOOK = '';
let webhooks = 0;
/** Fresh webhooks per test: the simulator is shared. */
const nextWebhook = () => `770e8400-e29b-41d4-a716-${String(++webhooks).padStart(12, '0')}`;

let sim: ProviderSimulator;
const harnesses: Harness[] = [];

beforeAll(async () => {
  sim = await ProviderSimulator.start();
});

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.stop();
});

async function harness(options: Partial<HarnessOptions> = {}): Promise<{ harness: Harness; status: () => Promise<StatusDocument> }> {
  WEBHOOK = nextWebhook();
  QUIET_WEBHOOK = nextWebhook();
  sim.addWebhook('baanx', WEBHOOK);
  sim.addWebhook('baanx', QUIET_WEBHOOK);
  const started = await startHarness(sim, { sources: [{ name: 'cards', provider: 'baanx', webhooks: [WEBHOOK, QUIET_WEBHOOK], limit: 100 }], ...options });
  harnesses.push(started);
  const { port } = await started.exporter.listen(0);
  const status = async () => {
    const reply = await httpRequest(`http://127.0.0.1:${port}/api/v1/status`, 'GET', {});
    expect(reply.status).toBe(200);
    return JSON.parse(reply.body) as StatusDocument;
  };
  return { harness: started, status };
}

const webhookIn = (document: StatusDocument, id: string) => document.sources[0]?.webhooks.find((webhook) => webhook.id === id) as StatusWebhook;

/** A Baanx attempt `secondsAfter` the test's start, of event `eventId`. */
function entry(startMs: number, secondsAfter: number, fields: Parameters<typeof baanxEntry>[0]) {
  return baanxEntry({ createdAt: new Date(startMs + secondsAfter * 1000).toISOString(), ...fields }, { nowMs: startMs + secondsAfter * 1000 });
}

describe('GET /api/v1/status', () => {
  it('says a webhook is not polled yet, then shows its window, ratio, last failure, exhausted and poll health', async () => {
    // The attempts below lie 1–4 s after this: 10 s in the past, so none falls in a minute the
    // window has not reached yet (the test once ran within 4 s of a minute's end, and lost two).
    const startMs = Date.now() - 10_000;
    const { harness: exporter, status } = await harness();
    const before = await status();
    expect(before).toMatchObject({ ready: false, sources: [{ name: 'cards', provider: 'baanx' }] });
    expect(webhookIn(before, WEBHOOK)).toMatchObject({ up: null, lastPollAt: null, lastError: null, successRatio: null, durationSeconds: null, lastFailure: null, window: '15m' });
    expect(webhookIn(before, WEBHOOK).perMinute).toHaveLength(15);

    sim.append('baanx', WEBHOOK, [
      entry(startMs, 1, { eventType: 'card.activated', deliveryStatus: 'success', responseStatus: 200, durationMs: 200 }),
      entry(startMs, 2, { eventType: 'card.activated', deliveryStatus: 'success', responseStatus: 200, durationMs: 400 }),
      entry(startMs, 3, { eventType: 'card.activated', deliveryStatus: 'success', responseStatus: 200, durationMs: 300 }),
      entry(startMs, 4, { eventType: 'card.declined', deliveryStatus: 'failed', responseStatus: 503, durationMs: 1_000, errorMessage: 'Service Unavailable', nextRetryAt: null }),
    ].reverse());
    await exporter.poll();
    const after = await status();
    const webhook = webhookIn(after, WEBHOOK);
    expect(after.ready).toBe(true);
    expect(webhook).toMatchObject({
      up: true,
      lastError: null,
      deliveries: { success: 3, failed: 1 },
      successRatio: 0.75,
      exhausted: 1,
      pending: 0,
      lastFailure: { event: 'card.declined', httpStatusCode: '503', error: 'Service Unavailable', at: new Date(startMs + 4_000).toISOString() },
    });
    expect(webhook.durationSeconds?.p50).toBeGreaterThan(0.3 * 0.88);
    expect(webhook.durationSeconds?.p50).toBeLessThan(0.3 * 1.12);
    const perMinute = webhook.perMinute.reduce((sum, minute) => ({ success: sum.success + minute.success, failed: sum.failed + minute.failed }), { success: 0, failed: 0 });
    expect(perMinute).toEqual({ success: 3, failed: 1 });
    expect(Date.parse(webhook.lastPollAt as string)).toBeGreaterThanOrEqual(startMs);
    // A webhook whose polls succeed but that has had no delivery.
    expect(webhookIn(after, QUIET_WEBHOOK)).toMatchObject({ up: true, deliveries: { success: 0, failed: 0 }, successRatio: null, durationSeconds: null });
  });

  it('shows a failing poll in words without the token, and keeps the event label within maxEventTypes', async () => {
    const startMs = Date.now();
    const { harness: exporter, status } = await harness({ maxEventTypes: 2 });
    const failure = (second: number, eventType: string) => entry(startMs, second, { eventType, deliveryStatus: 'failed', responseStatus: 500, nextRetryAt: null });
    sim.append('baanx', WEBHOOK, [failure(10, 'type-0'), failure(11, 'type-1')].reverse());
    await exporter.poll();
    expect(webhookIn(await status(), WEBHOOK).lastFailure?.event).toBe('type-1');
    // Past the cap, the newest failure's event shows as the metrics label it: `other`.
    sim.append('baanx', WEBHOOK, Array.from({ length: 50 }, (_, i) => failure(20 + i, `type-${i + 2}`)).reverse());
    await exporter.poll();
    expect(webhookIn(await status(), WEBHOOK).lastFailure?.event).toBe('other');

    sim.setFault('baanx', WEBHOOK, { kind: 'status', status: 401, body: JSON.stringify({ message: `bad token ${SIM_BAANX_TOKEN}` }) });
    await exporter.poll();
    const document = await status();
    expect(webhookIn(document, WEBHOOK).up).toBe(false);
    expect(webhookIn(document, WEBHOOK).lastError).toMatch(/401/);
    expect(JSON.stringify(document)).not.toContain(SIM_BAANX_TOKEN);
    sim.setFault('baanx', WEBHOOK, null);
  });
});

describe('webhook_event_delivery_seconds', () => {
  it('times each event from its first attempt to the end of its first success, once, and leaves out events begun before the exporter', async () => {
    const startMs = Date.now();
    const { harness: exporter } = await harness();
    const eventRetried = 'aaaaaaaa-0000-4000-8000-000000000001';
    const eventAtOnce = 'aaaaaaaa-0000-4000-8000-000000000002';
    const eventBefore = 'aaaaaaaa-0000-4000-8000-000000000003';
    sim.append('baanx', WEBHOOK, [
      entry(startMs, -30, { eventId: eventBefore, attemptNumber: 1, deliveryStatus: 'failed', responseStatus: 503, nextRetryAt: new Date(startMs + 30_000).toISOString() }),
      entry(startMs, 1, { eventId: eventRetried, attemptNumber: 1, deliveryStatus: 'failed', responseStatus: 503, durationMs: 500, nextRetryAt: new Date(startMs + 61_000).toISOString() }),
      entry(startMs, 2, { eventId: eventAtOnce, attemptNumber: 1, deliveryStatus: 'success', responseStatus: 200, durationMs: 250 }),
    ].reverse());
    await exporter.poll();
    sim.append('baanx', WEBHOOK, [
      entry(startMs, 30, { eventId: eventBefore, attemptNumber: 2, deliveryStatus: 'success', responseStatus: 200, durationMs: 100 }),
      entry(startMs, 61, { eventId: eventRetried, attemptNumber: 2, deliveryStatus: 'success', responseStatus: 200, durationMs: 750 }),
    ].reverse());
    await exporter.poll();
    await exporter.poll(); // nothing new: nothing observed twice

    const samples = findSamples(await exporter.metrics(), 'webhook_event_delivery_seconds_count', { webhook_id: WEBHOOK });
    expect(samples.reduce((sum, sample) => sum + sample.value, 0)).toBe(2);
    const sum = findSamples(await exporter.metrics(), 'webhook_event_delivery_seconds_sum', { webhook_id: WEBHOOK });
    // 61.75 − 1 = 60.75 s for the retried event, 0.25 s for the one delivered at once.
    expect(sum.reduce((total, sample) => total + sample.value, 0)).toBeCloseTo(61, 6);
    expect(findSamples(await exporter.metrics(), 'webhook_event_delivery_seconds_bucket', { webhook_id: WEBHOOK, le: '60' })[0]?.value).toBe(1);
  });
});

describe('webhook_event_delivery_seconds for a provider whose event ids do not join attempts', () => {
  it('observes nothing for GitLab, whose event UUID is optional and not documented to survive a resend', async () => {
    const webhookId = 'project/4242/91';
    sim.addWebhook('gitlab', webhookId);
    const exporter = await startHarness(sim, { sources: [{ name: 'code', provider: 'gitlab', webhooks: [webhookId] }] });
    harnesses.push(exporter);
    const nowMs = Date.now() + 1_000;
    sim.append('gitlab', webhookId, [gitlabEntry({}, { nowMs }), gitlabEntry({}, { nowMs: nowMs + 1_000 })].reverse());
    await exporter.poll();
    expect(await exporter.deliveries({ webhook_id: webhookId })).toBe(2);
    expect(findSamples(await exporter.metrics(), 'webhook_event_delivery_seconds_count', { webhook_id: webhookId })).toEqual([]);
  });
});
