// Cardinality and memory bounds (issue 6): an event type storm, a thousand webhooks, and a short
// soak whose heap after GC must stay flat. The week-long soak is scripts/soak.ts (docs/soak.md).

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { cardinalityLimit } from '../../src/telemetry/catalogue.js';
import { ProviderSimulator, baanxEntry, salesfinityEntry } from '../../src/simulator/index.js';
import { FLAT_MARGIN_BYTES, heapVerdict, runSoak, WEEK_SOAK } from '../../scripts/soak-run.js';
import { labelValues, overflowSamples, seriesPerMetric } from '../../scripts/soak-series.js';
import { findSamples, type Exposition } from '../helpers/exposition.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';

const MAX_EVENT_TYPES = 100;
let sim: ProviderSimulator | undefined;
let harness: Harness | undefined;

afterEach(async () => {
  await harness?.stop();
  await sim?.close();
  harness = undefined;
  sim = undefined;
});

/** Every metric within the SDK's per-metric limit, and nothing folded into its overflow series. */
function expectWithinCardinalityLimit(exposition: Exposition, webhooks: number): void {
  expect(overflowSamples(exposition)).toEqual([]);
  for (const [metric, count] of seriesPerMetric(exposition)) {
    expect(count, metric).toBeLessThan(cardinalityLimit(webhooks));
  }
}

const sum = (exposition: Exposition, name: string, match: Record<string, string>) =>
  findSamples(exposition, name, match).reduce((total, sample) => total + sample.value, 0);

describe('event type storm', () => {
  const STORM = 10_000; // distinct event names, half per provider
  const PER_POLL = 90; // below Baanx's 100, so every read also returns an entry already seen (no gap)
  const SPACING_MS = 10_000;

  it('keeps maxEventTypes names plus `other` per source while every delivery is still counted', async () => {
    sim = await ProviderSimulator.start();
    sim.addWebhook('salesfinity', 'sf-storm');
    sim.addWebhook('baanx', 'bx-storm');
    harness = await startHarness(sim, {
      sources: [
        { name: 'sf', provider: 'salesfinity', webhooks: ['sf-storm'] },
        { name: 'bx', provider: 'baanx', webhooks: ['bx-storm'] },
      ],
      maxEventTypes: MAX_EVENT_TYPES,
    });
    const perProvider = STORM / 2;
    const startMs = Date.now() - perProvider * SPACING_MS;
    const failed = (i: number) => i % 7 === 0;
    for (let first = 0; first < perProvider; first += PER_POLL) {
      const batch = Array.from({ length: Math.min(PER_POLL, perProvider - first) }, (_, n) => first + n);
      const context = (i: number) => ({ nowMs: startMs + i * SPACING_MS });
      sim.append(
        'salesfinity',
        'sf-storm',
        batch.map((i) => salesfinityEntry({ event: `STORM_${i}`, status: failed(i) ? 'failed' : 'success', response: { code: failed(i) ? 503 : 200, body: {} } }, context(i))),
      );
      sim.append(
        'baanx',
        'bx-storm',
        batch.map((i) => baanxEntry({ eventType: `storm.${i}`, deliveryStatus: failed(i) ? 'failed' : 'success', responseStatus: failed(i) ? 503 : 200 }, context(i))),
      );
      await harness.poll();
    }

    const metrics = await harness.metrics();
    const failedCount = Array.from({ length: perProvider }, (_, i) => i).filter(failed).length;
    for (const source of ['sf', 'bx']) {
      const events = labelValues(metrics, 'webhook_deliveries_total', 'event', { source });
      expect(events.size, `${source} event label values`).toBe(MAX_EVENT_TYPES + 1);
      expect(events).toContain('other');
      expect(labelValues(metrics, 'webhook_delivery_duration_seconds_count', 'event', { source }).size).toBe(MAX_EVENT_TYPES + 1);
      // Nothing lost into the cap: per source and per status the totals are exact.
      expect(sum(metrics, 'webhook_deliveries_total', { source })).toBe(perProvider);
      expect(sum(metrics, 'webhook_deliveries_total', { source, status: 'failed' })).toBe(failedCount);
      // Each admitted name appeared once; `other` holds the rest.
      expect(sum(metrics, 'webhook_deliveries_total', { source, event: 'other' })).toBe(perProvider - MAX_EVENT_TYPES);
      expect(sum(metrics, 'webhook_exporter_gaps_total', { source })).toBe(0);
    }
    expectWithinCardinalityLimit(metrics, 2);
    // Series: per source at most (maxEventTypes + 1) × the two outcomes, however many names came.
    expect(seriesPerMetric(metrics).get('webhook_deliveries_total')).toBeLessThanOrEqual(2 * (MAX_EVENT_TYPES + 1) * 2);
  });
});

describe('a thousand webhooks', () => {
  const PER_PROVIDER = 500;

  it('polls every one in a cycle, keeps every series apart and passes promtool', async () => {
    sim = await ProviderSimulator.start();
    const ids = { salesfinity: [] as string[], baanx: [] as string[] };
    const nowMs = Date.now();
    for (let i = 0; i < PER_PROVIDER; i++) {
      const [sf, bx] = [`sf-${i}`, `bx-${i}`];
      ids.salesfinity.push(sf);
      ids.baanx.push(bx);
      sim.addWebhook('salesfinity', sf);
      sim.addWebhook('baanx', bx);
      sim.append('salesfinity', sf, [salesfinityEntry({}, { nowMs: nowMs - 2_000 }), salesfinityEntry({ status: 'failed', response: { code: 502, body: {} } }, { nowMs: nowMs - 1_000 })]);
      sim.append('baanx', bx, [baanxEntry({}, { nowMs: nowMs - 2_000 }), baanxEntry({ deliveryStatus: 'failed', responseStatus: 500 }, { nowMs: nowMs - 1_000 })]);
    }
    harness = await startHarness(sim, {
      sources: [
        { name: 'sf', provider: 'salesfinity', webhooks: ids.salesfinity },
        { name: 'bx', provider: 'baanx', webhooks: ids.baanx },
      ],
    });

    const started = performance.now();
    await harness.poll();
    const cycleMs = performance.now() - started;
    console.log(`one poll cycle of ${2 * PER_PROVIDER} webhooks: ${Math.round(cycleMs)} ms`);

    expect(harness.exporter.poller.isReady()).toBe(true);
    expect(harness.exporter.poller.statuses().filter((status) => status.lastResult !== 'success')).toEqual([]);
    const text = await harness.exporter.telemetry.collectExposition();
    const metrics = await harness.metrics();
    const polled = findSamples(metrics, 'webhook_exporter_polls_total', { result: 'success' });
    expect(polled).toHaveLength(2 * PER_PROVIDER);
    expect(polled.every((sample) => sample.value === 1)).toBe(true);
    for (const source of ['sf', 'bx']) {
      expect(sum(metrics, 'webhook_deliveries_total', { source })).toBe(2 * PER_PROVIDER);
      expect(sum(metrics, 'webhook_deliveries_total', { source, status: 'failed' })).toBe(PER_PROVIDER);
    }
    const series = seriesPerMetric(metrics);
    expect(series.get('webhook_exporter_polls_total')).toBe(2 * 2 * PER_PROVIDER); // success and error, from start-up
    expect(series.get('webhook_exporter_up')).toBe(2 * PER_PROVIDER);
    expect(series.get('webhook_deliveries_total')).toBe(2 * 2 * PER_PROVIDER); // one success and one failed series each
    expectWithinCardinalityLimit(metrics, 2 * PER_PROVIDER);
    expect(await promtoolCheckMetrics(text)).toBe('');
  });
});

describe('short soak', () => {
  // WEEK_SOAK's mix (faults, retries, pending, late entries, event types past the cap) and density
  // per webhook, on 2 + 2 webhooks and 110 extra event types so that every series exists before
  // warm-up ends: heap growth after it cannot be new series.
  const ENTRIES = 60_000;
  const WEBHOOKS = 4;
  const SHORT_SOAK = {
    ...WEEK_SOAK,
    entries: ENTRIES,
    simulatedMs: (WEEK_SOAK.simulatedMs * ENTRIES * (WEEK_SOAK.salesfinityWebhooks + WEEK_SOAK.baanxWebhooks)) / (1_000_000 * WEBHOOKS),
    salesfinityWebhooks: WEBHOOKS / 2,
    baanxWebhooks: WEBHOOKS / 2,
    eventTail: 110,
    lateShare: 0.2,
    checkpoints: 6,
  };

  it('counts every entry exactly, stays under the caps, and keeps heap after GC flat', { timeout: 50_000 }, async () => {
    const report = await runSoak(SHORT_SOAK);
    const heap = heapVerdict(report.checkpoints, ENTRIES);
    console.log(
      `short soak: ${report.entries} entries in ${Math.round(report.wallMs)} ms; heap after GC (MB) ` +
        report.checkpoints.map((c) => (c.heapUsedBytes / 2 ** 20).toFixed(2)).join(' → ') +
        `; series ${report.checkpoints.map((c) => c.series).join(' → ')}`,
    );
    expect(report.problems).toEqual([]);
    expect(report.finished).toBeGreaterThan(0.95 * ENTRIES);
    expect(report.seriesPerMetric.get('webhook_deliveries_total')).toBeLessThan(report.cardinalityLimit);
    // (Almost) every series existed at warm-up, so what the heap does afterwards is not the series' doing.
    expect((report.checkpoints.at(-1)?.series ?? Infinity) - heap.warmUp.series).toBeLessThanOrEqual(0.01 * heap.warmUp.series);
    expect(heap.growthBytes, `heap after GC grew past warm-up by more than ${FLAT_MARGIN_BYTES} bytes`).toBeLessThanOrEqual(FLAT_MARGIN_BYTES);
  });
});

describe('memory per API request', () => {
  // The poller hands every request its long-lived shutdown signal, and fetchJson combines it with
  // AbortSignal.timeout() through AbortSignal.any(). On Node 20 that keeps 25-95 bytes per request
  // for the life of the process: ~20 MB a day at 100 webhooks polled every 30 s (288,000 requests).
  // A request that keeps nothing measures ~2 bytes here (one AbortController, setTimeout/clearTimeout).
  const REQUESTS = '60000'; // a fixed noise of a few hundred kB, spread thin
  const PROBE = join(import.meta.dirname, '..', '..', 'scripts', 'soak-request-memory.ts');

  it('keeps nothing per request when the shutdown signal lives as long as the process', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', PROBE, 'with-signal', REQUESTS]);
    expect((JSON.parse(stdout) as { bytesPerRequest: number }).bytesPerRequest).toBeLessThan(15);
  });
});
