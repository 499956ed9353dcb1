import { describe, expect, it } from 'vitest';
import { Checkpoint } from '../../src/poller/checkpoint.js';

const LOOKBACK_MS = 160_000;

/** A webhook read once per second with 10 new ids each time, as read-log.ts marks and prunes them. */
function steadyReads(checkpoint: Checkpoint, reads: number): void {
  for (let read = 0; read < reads; read++) {
    for (let i = 0; i < 10; i++) {
      const at = read * 1_000 + i * 100;
      checkpoint.seen.set(`id-${read}-${i}`, at);
      checkpoint.advanceWatermark(at);
    }
    checkpoint.initialized = true;
    checkpoint.prune(LOOKBACK_MS);
  }
}

describe('Checkpoint.prune', () => {
  it('keeps every id at or above the count floor', () => {
    const checkpoint = new Checkpoint();
    steadyReads(checkpoint, 1_000);
    const floor = checkpoint.countFloorMs(LOOKBACK_MS);
    const inWindow = [...Array(1_000).keys()].flatMap((read) =>
      [...Array(10).keys()].filter((i) => read * 1_000 + i * 100 >= floor).map((i) => `id-${read}-${i}`),
    );
    for (const id of inWindow) expect(checkpoint.seen.has(id)).toBe(true);
  });

  it('holds at most a sixteenth of the window more than the window, however long it runs', () => {
    const checkpoint = new Checkpoint();
    const window = (LOOKBACK_MS / 1_000) * 10; // ids per lookback at 10 per second
    for (let round = 0; round < 20; round++) {
      steadyReads(checkpoint, 100);
      expect(checkpoint.seen.size).toBeLessThanOrEqual(window + window / 16 + 10);
    }
    // …and it does forget: far more ids were read than it holds.
    expect(checkpoint.seen.size).toBeLessThan(1_000 * 10);
  });

  it('walks the ids only once the floor has moved a sixteenth of the lookback (amortised)', () => {
    const checkpoint = new Checkpoint();
    checkpoint.initialized = true;
    for (let at = 0; at < 400_000; at += 1_000) checkpoint.seen.set(`id-${at}`, at);
    checkpoint.advanceWatermark(399_000);
    checkpoint.prune(LOOKBACK_MS); // the first walk: floor 239 000
    expect(checkpoint.seen.size).toBe(161); // 239 000 … 399 000
    checkpoint.advanceWatermark(399_000 + 9_000); // floor +9 s, under 160 s / 16 = 10 s
    checkpoint.prune(LOOKBACK_MS);
    expect(checkpoint.seen.size).toBe(161); // ids below the new floor are still kept: harmless
    checkpoint.advanceWatermark(399_000 + 10_000);
    checkpoint.prune(LOOKBACK_MS);
    expect(checkpoint.seen.size).toBe(151);
  });
});
