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

  it('holds at most one read more than the window, however long it runs', () => {
    const checkpoint = new Checkpoint();
    const window = (LOOKBACK_MS / 1_000) * 10; // ids per lookback at 10 per second
    for (let round = 0; round < 20; round++) {
      steadyReads(checkpoint, 100);
      expect(checkpoint.seen.size).toBeLessThanOrEqual(window + 10);
    }
    // …and it does forget: far more ids were read than it holds.
    expect(checkpoint.seen.size).toBeLessThan(1_000 * 10);
  });

  it('forgets on every read, each id once, even when a read marks its ids newest first', () => {
    const checkpoint = new Checkpoint();
    checkpoint.initialized = true;
    // Reads of 10 ids each, one a second, marked newest first as a read lists them.
    for (let read = 0; read < 400; read++) {
      for (let i = 9; i >= 0; i--) checkpoint.seen.set(`id-${read}-${i}`, read * 1_000 + i * 100);
      checkpoint.advanceWatermark(read * 1_000 + 900);
    }
    checkpoint.prune(LOOKBACK_MS); // floor 399 900 − 160 000 = 239 900
    // Every id below the floor goes, but read 239's ids wait behind its newest (239 900, not below).
    expect(checkpoint.seen.size).toBe(161 * 10);
    expect(checkpoint.seen.has('id-239-0')).toBe(true);
    expect(checkpoint.seen.has('id-238-9')).toBe(false);
    checkpoint.advanceWatermark(399_900 + 1);
    checkpoint.prune(LOOKBACK_MS); // floor 239 901: read 239 goes whole
    expect(checkpoint.seen.size).toBe(160 * 10);
    expect(checkpoint.seen.has('id-239-0')).toBe(false);
    expect(checkpoint.seen.has('id-240-0')).toBe(true);
  });
});
