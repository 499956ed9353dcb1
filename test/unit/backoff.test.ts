// Per-webhook back-off, with a fixed `random` so every delay is exact.

import { describe, expect, it } from 'vitest';
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, Backoff, RETRY_AFTER_CAP_MS, RETRY_AFTER_DEFAULT_MS } from '../../src/poller/backoff.js';

const T0 = 1_700_000_000_000;

/** Delays of `count` consecutive failures, each starting when the previous delay ended. */
function failureDelays(backoff: Backoff, count: number): number[] {
  const delays: number[] = [];
  let now = T0;
  for (let i = 0; i < count; i++) {
    const delay = backoff.failed(now);
    delays.push(delay);
    now += delay;
  }
  return delays;
}

describe('Backoff', () => {
  it('is ready at once before any failure', () => {
    const backoff = new Backoff(() => 0.5);
    expect(backoff.ready(T0)).toBe(true);
    expect(backoff.nextAllowedAtMs).toBe(0);
    expect(backoff.consecutiveFailures).toBe(0);
  });

  it('doubles the delay after each failure, starting at the base', () => {
    const delays = failureDelays(new Backoff(() => 1), 5);
    expect(delays).toEqual([1, 2, 4, 8, 16].map((factor) => BACKOFF_BASE_MS * factor));
  });

  it('stops growing at the cap', () => {
    const backoff = new Backoff(() => 1);
    const delays = failureDelays(backoff, 20);
    expect(Math.max(...delays)).toBe(BACKOFF_CAP_MS);
    expect(delays.slice(-5)).toEqual(Array(5).fill(BACKOFF_CAP_MS));
    expect(backoff.consecutiveFailures).toBe(20);
  });

  it('uses equal jitter: between half the exponential delay and all of it', () => {
    expect(failureDelays(new Backoff(() => 0), 3)).toEqual([2_500, 5_000, 10_000]);
    expect(failureDelays(new Backoff(() => 0.5), 3)).toEqual([3_750, 7_500, 15_000]);
    expect(failureDelays(new Backoff(() => 0.999), 1)[0]).toBeCloseTo(4_997.5, 6);
    expect(failureDelays(new Backoff(() => 0), 20).at(-1)).toBe(BACKOFF_CAP_MS / 2);
  });

  it('refuses polls until the delay has passed, then allows them', () => {
    const backoff = new Backoff(() => 0);
    const delay = backoff.failed(T0);
    expect(backoff.nextAllowedAtMs).toBe(T0 + delay);
    expect(backoff.ready(T0 + delay - 1)).toBe(false);
    expect(backoff.ready(T0 + delay)).toBe(true);
  });

  it('starts over from the base after a success', () => {
    const backoff = new Backoff(() => 1);
    failureDelays(backoff, 4);
    backoff.succeeded();
    expect(backoff.consecutiveFailures).toBe(0);
    expect(backoff.ready(T0)).toBe(true);
    expect(backoff.failed(T0)).toBe(BACKOFF_BASE_MS);
  });

  it('honours Retry-After exactly, without jitter', () => {
    const backoff = new Backoff(() => 0);
    expect(backoff.rateLimited(T0, 3_000)).toBe(3_000);
    expect(backoff.nextAllowedAtMs).toBe(T0 + 3_000);
    expect(backoff.ready(T0 + 2_999)).toBe(false);
    expect(backoff.ready(T0 + 3_000)).toBe(true);
    expect(backoff.consecutiveFailures).toBe(1);
  });

  it('caps an absurd Retry-After', () => {
    const backoff = new Backoff(() => 0);
    expect(backoff.rateLimited(T0, 30 * 24 * 3_600_000)).toBe(RETRY_AFTER_CAP_MS);
  });

  it('waits a default when a 429 carried no usable Retry-After', () => {
    const backoff = new Backoff(() => 0);
    expect(backoff.rateLimited(T0, undefined)).toBe(RETRY_AFTER_DEFAULT_MS);
    expect(backoff.nextAllowedAtMs).toBe(T0 + RETRY_AFTER_DEFAULT_MS);
  });

  it('counts a rate limit as a failure, so the next error backs off further', () => {
    const backoff = new Backoff(() => 1);
    backoff.rateLimited(T0, 1_000);
    expect(backoff.failed(T0)).toBe(BACKOFF_BASE_MS * 2);
  });

  it('honours a Retry-After that came with an error (503) when it is longer than the back-off, capped', () => {
    const backoff = new Backoff(() => 1);
    expect(backoff.failed(T0, 60_000)).toBe(60_000);
    expect(backoff.failed(T0, 1)).toBe(BACKOFF_BASE_MS * 2);
    expect(backoff.failed(T0, 30 * 24 * 3_600_000)).toBe(RETRY_AFTER_CAP_MS);
  });
});
