// Sharding: replicas with the same config and their own `shard.index` poll each webhook exactly once between them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownsWebhook } from '../../src/poller/shard.js';
import { ProviderSimulator, baanxEntry } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

describe('ownsWebhook', () => {
  const webhooks = Array.from({ length: 300 }, (_, i) => `webhook-${i}`);

  it('gives every webhook to exactly one of the replicas, spread evenly', () => {
    const count = 3;
    const owned = Array.from({ length: count }, (_, index) => webhooks.filter((id) => ownsWebhook({ index, count }, 'src', id)));
    expect(owned.flat().sort()).toEqual([...webhooks].sort());
    for (const share of owned) expect(share.length).toBeGreaterThan(70); // 100 each on average
  });

  it('depends on the source too, and on nothing else (the same answer every time)', () => {
    const a = webhooks.filter((id) => ownsWebhook({ index: 0, count: 2 }, 'a', id));
    const b = webhooks.filter((id) => ownsWebhook({ index: 0, count: 2 }, 'b', id));
    expect(a).not.toEqual(b);
    expect(webhooks.filter((id) => ownsWebhook({ index: 0, count: 2 }, 'a', id))).toEqual(a);
  });

  it('owns everything without a shard or with count 1', () => {
    expect(webhooks.every((id) => ownsWebhook(undefined, 's', id) && ownsWebhook({ index: 0, count: 1 }, 's', id))).toBe(true);
  });
});

describe('two replicas against one config', () => {
  let sim: ProviderSimulator;
  const harnesses: Harness[] = [];
  const webhooks = Array.from({ length: 8 }, (_, i) => `bx-${i}`);

  beforeAll(async () => {
    sim = await ProviderSimulator.start();
    for (const [i, id] of webhooks.entries()) {
      sim.addWebhook('baanx', id);
      sim.append('baanx', id, Array.from({ length: i + 1 }, () => baanxEntry({ createdAt: new Date(Date.now() - 60_000).toISOString() })));
    }
  });
  afterAll(async () => {
    for (const harness of harnesses) await harness.stop();
    await sim.close();
  });

  it('poll disjoint shares that together cover every webhook, and count every delivery once', async () => {
    for (const index of [0, 1]) {
      const harness = await startHarness(sim, { sources: [{ name: 'bx', provider: 'baanx', webhooks }], shard: { index, count: 2 } });
      harnesses.push(harness);
      await harness.poll();
    }
    const polled = harnesses.map((harness) => harness.exporter.poller.statuses().map((status) => status.webhookId));
    expect(polled[0]!.length).toBeGreaterThan(0);
    expect(polled[1]!.length).toBeGreaterThan(0);
    expect([...polled[0]!, ...polled[1]!].sort()).toEqual([...webhooks].sort());
    expect(sim.requests.map((request) => request.webhookId).sort()).toEqual([...webhooks].sort());
    const counted = (await harnesses[0]!.deliveries()) + (await harnesses[1]!.deliveries());
    expect(counted).toBe(webhooks.reduce((sum, _, i) => sum + i + 1, 0));
    // Each replica's health series name only its own webhooks.
    const polls = (await harnesses[0]!.metrics()).samples.filter((s) => s.name === 'webhook_exporter_polls_total');
    expect(new Set(polls.map((s) => s.labels.webhook_id))).toEqual(new Set(polled[0]));
  });
});
