// Property: for random interleavings of arrivals (with ties and late entries inside lookback),
// arrivals while a read is paging, pending entries finishing, polls and restarts with a state
// file, every finished attempt is counted exactly once: never more than what has finished,
// never less than what had finished before a poll began, and exactly that once all is quiet.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ProviderSimulator, baanxEntry, salesfinityEntry } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

type Op =
  | { kind: 'arrive'; provider: 'salesfinity' | 'baanx'; count: number; advanceSeconds: number; lateSeconds: number; failed: boolean; pending: boolean }
  | { kind: 'finish'; pick: number; failed: boolean }
  /** `failPage`: the Salesfinity page (or, for 1, also the Baanx read) that answers 500 in this poll; 0 = none. */
  | { kind: 'poll'; arrivalsWhilePaging: number; failPage: number }
  | { kind: 'restart' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('arrive' as const),
      provider: fc.constantFrom('salesfinity' as const, 'baanx' as const),
      count: fc.integer({ min: 1, max: 6 }),
      advanceSeconds: fc.constantFrom(0, 0, 1, 3, 200), // 0 makes ties in createdAt; 200 spreads a read wider than lookback
      lateSeconds: fc.constantFrom(0, 0, 0, 30, 90), // logged late, still inside lookback
      failed: fc.boolean(),
      pending: fc.boolean(),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('finish' as const), pick: fc.nat(), failed: fc.boolean() }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('poll' as const),
      arrivalsWhilePaging: fc.integer({ min: 0, max: 3 }),
      failPage: fc.constantFrom(0, 0, 0, 1, 2, 3),
    }),
    weight: 3,
  },
  { arbitrary: fc.constant({ kind: 'restart' as const }), weight: 1 },
);

let sim: ProviderSimulator;
let dir: string;
let run = 0;

beforeAll(async () => {
  sim = await ProviderSimulator.start();
  dir = await mkdtemp(join(tmpdir(), 'wle-prop-'));
});
afterAll(() => sim.close());

it('counts every finished attempt exactly once', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 4 }), async (ops, pageSize) => {
      run += 1;
      const sf = `sf${String(run).padStart(22, '0')}`;
      const bx = `bx-${run}`;
      sim.addWebhook('salesfinity', sf);
      sim.addWebhook('baanx', bx);
      const options = {
        startFrom: 'backfill' as const,
        lookback: '5m',
        stateFile: join(dir, `state-${run}.json`),
        sources: [
          { name: 'sf', provider: 'salesfinity' as const, webhooks: [sf], pageSize, maxPages: 1000 },
          { name: 'bx', provider: 'baanx' as const, webhooks: [bx], limit: 100 },
        ],
      };
      let clockMs = Date.now() - 3_600_000;
      let seq = 0;
      const finished = { success: 0, failed: 0 };
      const pendingIds: string[] = [];
      const countedBefore = { success: 0, failed: 0 }; // by exporters stopped earlier in this history
      let harness: Harness = await startHarness(sim, options);

      const arrive = (op: Extract<Op, { kind: 'arrive' }>) => {
        clockMs += op.advanceSeconds * 1000;
        const createdAt = new Date(clockMs - op.lateSeconds * 1000).toISOString();
        for (let i = 0; i < op.count; i++) {
          const id = `e${run}-${seq++}`;
          const status = op.failed ? 'failed' : 'success';
          if (op.provider === 'salesfinity') {
            sim.append('salesfinity', sf, [salesfinityEntry({ _id: id, createdAt, status, response: { code: op.failed ? 500 : 200 } })]);
            finished[status] += 1;
          } else if (op.pending) {
            sim.append('baanx', bx, [baanxEntry({ id, createdAt, deliveryStatus: 'pending', responseStatus: null, durationMs: null })]);
            pendingIds.push(id);
          } else {
            sim.append('baanx', bx, [baanxEntry({ id, createdAt, deliveryStatus: status, responseStatus: op.failed ? 503 : 200 })]);
            finished[status] += 1;
          }
        }
      };
      const counted = async (status: 'success' | 'failed') => countedBefore[status] + (await harness.deliveries({ status }));
      const total = async () => (await counted('success')) + (await counted('failed'));

      try {
        for (const op of ops) {
          if (op.kind === 'arrive') arrive(op);
          else if (op.kind === 'finish' && pendingIds.length > 0) {
            const [id] = pendingIds.splice(op.pick % pendingIds.length, 1);
            const status = op.failed ? 'failed' : 'success';
            sim.update('baanx', bx, id!, { deliveryStatus: status, responseStatus: op.failed ? 503 : 200, durationMs: 40 });
            finished[status] += 1;
          } else if (op.kind === 'poll') {
            const finishedBefore = finished.success + finished.failed;
            let toArrive = op.arrivalsWhilePaging;
            let faulted = false;
            sim.onRequest((request) => {
              const page = request.provider === 'baanx' ? 1 : Number(request.query.page);
              if (page === op.failPage && !faulted) {
                faulted = true;
                sim.setFault(request.provider, request.webhookId, { kind: 'status', status: 500, times: 1 });
              }
              if (request.provider === 'salesfinity' && page !== 1 && toArrive > 0) {
                toArrive -= 1;
                arrive({ kind: 'arrive', provider: 'salesfinity', count: 1, advanceSeconds: 1, lateSeconds: 0, failed: false, pending: false });
              }
            });
            await harness.poll();
            sim.onRequest(null);
            const countedNow = await total();
            // A failed read may leave some for the next poll, but never counts anything twice.
            if (!faulted) expect(countedNow).toBeGreaterThanOrEqual(finishedBefore);
            expect(countedNow).toBeLessThanOrEqual(finished.success + finished.failed);
          } else if (op.kind === 'restart') {
            countedBefore.success = await counted('success');
            countedBefore.failed = await counted('failed');
            await harness.stop();
            harness = await startHarness(sim, options);
          }
        }
        await harness.poll(); // quiet: nothing arrives during this read
        expect(await counted('success')).toBe(finished.success);
        expect(await counted('failed')).toBe(finished.failed);
      } finally {
        sim.onRequest(null);
        await harness.stop();
      }
    }),
    { numRuns: 200 },
  );
}, 120_000);
