// The counting rules of docs/counting.md, one test per rule and worked example,
// each against the real simulator over loopback and read back from the real exposition.

import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderSimulator, baanxEntry, salesfinityEntry } from '../../src/simulator/index.js';
import { sampleValue } from '../helpers/exposition.js';
import { minutesBefore as at, startHarness, type Harness } from '../helpers/harness.js';

const SF = '507f1f77bcf86cd799439011';
const BX = '770e8400-e29b-41d4-a716-446655440002';

let sim: ProviderSimulator;
let harnesses: Harness[] = [];
const base = Date.now();

beforeEach(async () => {
  sim = await ProviderSimulator.start();
  sim.addWebhook('salesfinity', SF);
  sim.addWebhook('baanx', BX);
  harnesses = [];
});

afterEach(async () => {
  for (const harness of harnesses) await harness.stop();
  await sim.close();
});

async function exporter(options: Parameters<typeof startHarness>[1]): Promise<Harness> {
  const harness = await startHarness(sim, options);
  harnesses.push(harness);
  return harness;
}

const salesfinity = (extra: object = {}) => ({ sources: [{ name: 'sf', provider: 'salesfinity' as const, webhooks: [SF], ...extra }] });
const baanx = (extra: object = {}) => ({ sources: [{ name: 'bx', provider: 'baanx' as const, webhooks: [BX], ...extra }] });
const sf = (id: string, minutesAgo: number, extra: object = {}) => salesfinityEntry({ _id: id, createdAt: at(base, minutesAgo), ...extra });

describe('counting rules', () => {
  it('counts an entry once when it shifts from page 1 to page 2 while paging, and the newcomer in the next poll', async () => {
    sim.append('salesfinity', SF, [sf('e1', 5), sf('e2', 4), sf('e3', 3), sf('e4', 2), sf('e5', 1)]);
    let inserted = false;
    sim.onRequest((request) => {
      if (request.query.page === '2' && !inserted) {
        inserted = true;
        sim.append('salesfinity', SF, [sf('e6', 0)]); // page 2 now starts with e4, already read on page 1
      }
    });
    const harness = await exporter(salesfinity({ pageSize: 2 }));
    await harness.poll();
    expect(inserted).toBe(true);
    expect(await harness.deliveries()).toBe(5); // e5, e4 (once), e3, e2, e1
    await harness.poll();
    expect(await harness.deliveries()).toBe(6); // e6 only
    await harness.poll();
    expect(await harness.deliveries()).toBe(6);
  });

  it('counts an entry with the same createdAt as a known one (ties are read down to the lookback floor)', async () => {
    sim.append('salesfinity', SF, [sf('b', 1), sf('a', 0)]);
    const harness = await exporter(salesfinity({ pageSize: 1 }));
    await harness.poll();
    expect(await harness.deliveries()).toBe(2);
    sim.append('salesfinity', SF, [sf('c', 0)]);
    // Order the tie as the worked example does, a before c (the simulator puts the later-moved first),
    // so a reader that stopped at the first known entry would never reach c.
    sim.update('salesfinity', SF, 'a', { createdAt: at(base, 0.5) });
    sim.update('salesfinity', SF, 'a', { createdAt: at(base, 0) });
    expect(sim.entries('salesfinity', SF).map((entry) => (entry as { _id: string })._id)).toEqual(['a', 'c', 'b']);
    await harness.poll();
    expect(await harness.deliveries()).toBe(3);
    await harness.poll();
    expect(await harness.deliveries()).toBe(3);
  });

  it('counts a late entry inside lookback, and not one older than the floor', async () => {
    sim.append('salesfinity', SF, [sf('w', 3), sf('x', 0)]);
    const harness = await exporter(salesfinity({ pageSize: 10 }));
    await harness.poll();
    expect(await harness.deliveries()).toBe(2);
    sim.append('salesfinity', SF, [sf('y', 2), sf('too-old', 10)]); // logged late with older createdAt
    await harness.poll();
    expect(await harness.deliveries()).toBe(3);
    expect(harness.logs.some((line) => line.level === 'debug' && String(line.msg).includes('older than the lookback floor'))).toBe(true);
  });

  it('holds a pending entry until it finishes, then counts it once with its final status and code', async () => {
    sim.append('baanx', BX, [baanxEntry({ id: 'p', deliveryStatus: 'pending', responseStatus: null, durationMs: null, createdAt: at(base, 1) })]);
    const harness = await exporter(baanx());
    const pending = async () => sampleValue(await harness.metrics(), 'webhook_deliveries_pending', { webhook_id: BX });
    await harness.poll();
    expect(await harness.deliveries()).toBe(0);
    expect(await pending()).toBe(1);

    sim.update('baanx', BX, 'p', { deliveryStatus: 'processing' });
    await harness.poll();
    expect(await harness.deliveries()).toBe(0);
    expect(await pending()).toBe(1);

    sim.update('baanx', BX, 'p', { deliveryStatus: 'failed', responseStatus: 503, durationMs: 120, nextRetryAt: at(base, -1) });
    await harness.poll();
    expect(await harness.deliveries({ status: 'failed', http_status_code: '503' })).toBe(1);
    expect(await pending()).toBe(0);
    await harness.poll();
    expect(await harness.deliveries()).toBe(1);
  });

  it('a pending entry older than lookback does not make a finished neighbour count twice (found by the property test)', async () => {
    sim.append('baanx', BX, [
      baanxEntry({ id: 'still-pending', deliveryStatus: 'pending', responseStatus: null, createdAt: at(base, 10) }),
      baanxEntry({ id: 'done', createdAt: at(base, 10) }),
      baanxEntry({ id: 'newest', createdAt: at(base, 3) }),
    ]);
    const harness = await exporter(baanx());
    await harness.poll();
    expect(await harness.deliveries()).toBe(2);
    // "done" is now below the lookback floor and forgotten; the pending entry must not drag the floor down with it.
    await harness.poll();
    expect(await harness.deliveries()).toBe(2);
  });

  it('counts retries of one event and an exhausted delivery', async () => {
    const eventId = '11111111-1111-4111-8111-111111111111';
    sim.append('baanx', BX, [
      baanxEntry({ id: 'r1', eventId, attemptNumber: 1, deliveryStatus: 'failed', responseStatus: 500, nextRetryAt: at(base, 3), createdAt: at(base, 4) }),
      baanxEntry({ id: 'r2', eventId, attemptNumber: 2, deliveryStatus: 'failed', responseStatus: 502, nextRetryAt: at(base, 2), createdAt: at(base, 3) }),
      baanxEntry({ id: 'r3', eventId, attemptNumber: 3, deliveryStatus: 'success', responseStatus: 200, createdAt: at(base, 2) }),
    ]);
    const harness = await exporter(baanx());
    await harness.poll();
    let metrics = await harness.metrics();
    expect(await harness.deliveries({ status: 'failed' })).toBe(2);
    expect(await harness.deliveries({ status: 'success' })).toBe(1);
    expect(sampleValue(metrics, 'webhook_delivery_retries_total', { status: 'failed' })).toBe(1);
    expect(sampleValue(metrics, 'webhook_delivery_retries_total', { status: 'success' })).toBe(1);
    expect(sampleValue(metrics, 'webhook_deliveries_exhausted_total')).toBeUndefined();

    sim.append('baanx', BX, [
      baanxEntry({ id: 'r6', attemptNumber: 6, deliveryStatus: 'failed', responseStatus: 503, nextRetryAt: null, createdAt: at(base, 1) }),
    ]);
    await harness.poll();
    metrics = await harness.metrics();
    expect(sampleValue(metrics, 'webhook_deliveries_exhausted_total')).toBe(1);
    expect(sampleValue(metrics, 'webhook_delivery_retries_total', { status: 'failed' })).toBe(2);
  });

  describe('startFrom', () => {
    const history = () => Array.from({ length: 120 }, (_, i) => sf(`h${i}`, i * 0.01)); // 120 entries within 2 minutes

    it('now: marks what is there as seen, counts only what comes after, and still counts a pending one when it finishes', async () => {
      sim.append('salesfinity', SF, history());
      sim.append('baanx', BX, [baanxEntry({ id: 'p', deliveryStatus: 'pending', responseStatus: null, createdAt: at(base, 1) }), baanxEntry({ id: 'old', createdAt: at(base, 2) })]);
      const harness = await exporter({ startFrom: 'now', sources: [...salesfinity().sources, ...baanx().sources] });
      await harness.poll();
      expect(await harness.deliveries()).toBe(0);
      // The newest delivery is still known, so "time since last success" works from the start.
      expect(sampleValue(await harness.metrics(), 'webhook_last_delivery_timestamp_seconds', { source: 'sf', status: 'success' })).toBeGreaterThan(0);

      sim.append('salesfinity', SF, [sf('new', -0.5)]);
      sim.update('baanx', BX, 'p', { deliveryStatus: 'success', responseStatus: 200, durationMs: 80 });
      await harness.poll();
      expect(await harness.deliveries({ source: 'sf' })).toBe(1);
      expect(await harness.deliveries({ source: 'bx' })).toBe(1);
    });

    it('backfill: counts all of it, paging until the list ends', async () => {
      sim.append('salesfinity', SF, history());
      const harness = await exporter(salesfinity({ pageSize: 50, maxPages: 10 }));
      await harness.poll();
      expect(await harness.deliveries()).toBe(120);
      expect(sim.requests.filter((r) => r.provider === 'salesfinity').map((r) => r.query.page)).toEqual(['1', '2', '3']);
    });
  });

  describe('state file', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'wle-state-'));
    });

    it('restart with a state file counts exactly what arrived while down, not what was counted before', async () => {
      const stateFile = join(dir, 'nested', 'state.json');
      sim.append('salesfinity', SF, Array.from({ length: 137 }, (_, i) => sf(`a${i}`, 4 - i * 0.01)));
      const first = await exporter({ ...salesfinity(), stateFile });
      await first.poll();
      expect(await first.deliveries()).toBe(137);
      await first.stop();
      expect((await stat(stateFile)).mode & 0o777).toBe(0o600);

      sim.append('salesfinity', SF, Array.from({ length: 23 }, (_, i) => sf(`b${i}`, -1 - i * 0.01)));
      const second = await exporter({ ...salesfinity(), stateFile, startFrom: 'backfill' });
      await second.poll();
      expect(await second.deliveries()).toBe(23);
    });

    it('a corrupt state file is logged and ignored, never fatal, and rewritten after the next poll', async () => {
      const stateFile = join(dir, 'state.json');
      await writeFile(stateFile, '{"version": 1, "webhooks": {"sf/x": {"provi');
      sim.append('salesfinity', SF, [sf('a', 1), sf('b', 0)]);
      const harness = await exporter({ ...salesfinity(), stateFile, startFrom: 'now' });
      expect(harness.logs.some((line) => line.level === 'warn' && String(line.msg).startsWith('state file ignored') && line.problem === 'not valid JSON')).toBe(true);
      await harness.poll();
      expect(await harness.deliveries()).toBe(0); // as a first start with startFrom: now
      await harness.stop();
      const rewritten = JSON.parse(await readFile(stateFile, 'utf8')) as { version: number; webhooks: Record<string, unknown> };
      expect(rewritten.version).toBe(1);
      expect(Object.keys(rewritten.webhooks)).toEqual([`sf/${SF}`]);
    });

    it('a state file of the wrong shape is ignored with the reason', async () => {
      const stateFile = join(dir, 'state.json');
      await writeFile(stateFile, JSON.stringify({ version: 99, webhooks: {} }));
      const harness = await exporter({ ...salesfinity(), stateFile });
      expect(harness.logs.some((line) => String(line.msg).startsWith('state file ignored') && String(line.problem).includes('version'))).toBe(true);
    });
  });

  describe('gaps', () => {
    it('Baanx: a read in which no entry is known counts what it read and records a gap with advice', async () => {
      sim.append('baanx', BX, [baanxEntry({ id: 'z', createdAt: at(base, 10) })]);
      const harness = await exporter(baanx());
      await harness.poll();
      sim.append('baanx', BX, Array.from({ length: 150 }, (_, i) => baanxEntry({ id: `n${i}`, createdAt: at(base, 5 - i * 0.01) })));
      await harness.poll();
      const metrics = await harness.metrics();
      expect(await harness.deliveries()).toBe(101);
      expect(sampleValue(metrics, 'webhook_exporter_gaps_total', { webhook_id: BX })).toBe(1);
      expect(harness.logs.some((line) => line.level === 'warn' && String(line.msg).includes('Poll more often'))).toBe(true);
      await harness.poll(); // the next read overlaps: no gap
      expect(sampleValue(await harness.metrics(), 'webhook_exporter_gaps_total', { webhook_id: BX })).toBe(1);
    });

    it('Baanx: a first backfill read that comes back full records a gap (older entries were never read)', async () => {
      sim.append('baanx', BX, Array.from({ length: 5 }, (_, i) => baanxEntry({ id: `b${i}`, createdAt: at(base, 5 - i) })));
      const full = await exporter({ ...baanx({ limit: 5 }), startFrom: 'backfill' });
      await full.poll();
      expect(await full.deliveries()).toBe(5);
      expect(sampleValue(await full.metrics(), 'webhook_exporter_gaps_total', { webhook_id: BX })).toBe(1);
      expect(full.logs.some((line) => line.level === 'warn' && String(line.msg).includes('to backfill more'))).toBe(true);
      const roomy = await exporter({ ...baanx({ limit: 6 }), startFrom: 'backfill' }); // the whole log fits: no gap
      await roomy.poll();
      expect(sampleValue(await roomy.metrics(), 'webhook_exporter_gaps_total', { webhook_id: BX })).toBe(0);
    });

    it('Baanx: a pending entry pushed out of the newest `limit` before it finished is dropped and recorded as a gap', async () => {
      sim.append('baanx', BX, [baanxEntry({ id: 'p', createdAt: at(base, 10), deliveryStatus: 'pending', responseStatus: null })]);
      const harness = await exporter(baanx({ limit: 3 }));
      await harness.poll();
      expect(sampleValue(await harness.metrics(), 'webhook_deliveries_pending', { webhook_id: BX })).toBe(1);
      sim.append('baanx', BX, Array.from({ length: 2 }, (_, i) => baanxEntry({ id: `a${i}`, createdAt: at(base, 9 - i) })));
      await harness.poll(); // p is still inside the newest 3: held
      expect(sampleValue(await harness.metrics(), 'webhook_deliveries_pending', { webhook_id: BX })).toBe(1);
      expect(sampleValue(await harness.metrics(), 'webhook_exporter_gaps_total', { webhook_id: BX })).toBe(0);
      sim.append('baanx', BX, [baanxEntry({ id: 'a2', createdAt: at(base, 7) })]);
      sim.update('baanx', BX, 'p', { deliveryStatus: 'failed', responseStatus: 500, nextRetryAt: null });
      await harness.poll(); // p finished out of reach: its outcome can never be read
      const metrics = await harness.metrics();
      expect(sampleValue(metrics, 'webhook_deliveries_pending', { webhook_id: BX })).toBe(0);
      expect(sampleValue(metrics, 'webhook_exporter_gaps_total', { webhook_id: BX })).toBe(1);
      expect(await harness.deliveries()).toBe(3);
      expect(harness.logs.some((line) => line.level === 'warn' && String(line.msg).includes('left the provider\'s log before finishing'))).toBe(true);
    });

    it('Salesfinity: a read cut short by maxPages counts what it read and records a gap', async () => {
      sim.append('salesfinity', SF, [sf('z', 10)]);
      const harness = await exporter(salesfinity({ pageSize: 100, maxPages: 3 }));
      await harness.poll();
      sim.append('salesfinity', SF, Array.from({ length: 400 }, (_, i) => sf(`n${i}`, 5 - i * 0.001)));
      await harness.poll();
      expect(await harness.deliveries()).toBe(301);
      expect(sampleValue(await harness.metrics(), 'webhook_exporter_gaps_total', { webhook_id: SF })).toBe(1);
      expect(harness.logs.some((line) => line.level === 'warn' && String(line.msg).includes('Raise maxPages'))).toBe(true);
    });

    it('Salesfinity: a read that reached known entries but not the end of the lookback window says only late entries may be missed', async () => {
      sim.append('salesfinity', SF, Array.from({ length: 10 }, (_, i) => sf(`w${i}`, 4 - i * 0.1))); // all inside 5m lookback
      const harness = await exporter({ ...salesfinity({ pageSize: 2, maxPages: 2 }), startFrom: 'now' });
      await harness.poll(); // startFrom now: marks what it reads, no gap
      sim.append('salesfinity', SF, [sf('fresh', 2)]);
      await harness.poll();
      expect(await harness.deliveries()).toBe(1);
      expect(sampleValue(await harness.metrics(), 'webhook_exporter_gaps_total', { webhook_id: SF })).toBe(1);
      const warning = harness.logs.find((line) => line.level === 'warn' && String(line.msg).startsWith('possible gap'));
      expect(String(warning?.msg)).toContain('before re-reading the whole lookback window');
    });

    it('a page that fails mid-read keeps the checkpoint: the next poll reads the window again and counts each entry once', async () => {
      sim.append('salesfinity', SF, [sf('z', 30)]);
      const harness = await exporter(salesfinity({ pageSize: 2 }));
      await harness.poll();
      sim.append('salesfinity', SF, Array.from({ length: 6 }, (_, i) => sf(`n${i}`, 20 - i * 2))); // spread wider than lookback
      sim.onRequest((request) => {
        if (request.query.page === '2') sim.setFault('salesfinity', SF, { kind: 'status', status: 500, times: 1 });
      });
      await harness.poll();
      expect(await harness.deliveries()).toBe(3); // z, plus page 1 of the failed read
      sim.onRequest(null);
      await harness.poll();
      expect(await harness.deliveries()).toBe(7);
      const metrics = await harness.metrics();
      expect(sampleValue(metrics, 'webhook_exporter_polls_total', { webhook_id: SF, result: 'error' })).toBe(1);
      expect(sampleValue(metrics, 'webhook_exporter_gaps_total', { webhook_id: SF })).toBe(0);
    });
  });
});
