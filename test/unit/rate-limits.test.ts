// Rate-limit budgets from answer headers, and what they ask of the poller (src/poller/rate-limits.ts).
import { describe, expect, it } from 'vitest';
import type { ReadFailure } from '../../src/poller/paging.js';
import { budgetFrom, pacedIntervalMs, rateLimitWaitMs } from '../../src/poller/rate-limits.js';

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const RESET_UNIX = NOW / 1000 + 600; // ten minutes ahead

const failure = (status: number, headers: Record<string, string>, retryAfterMs?: number): ReadFailure => ({
  kind: 'http_error',
  code: String(status),
  status,
  retryAfterMs,
  headers,
  body: { message: 'x' },
});

describe('budgetFrom', () => {
  it('reads x-ratelimit-* (reset in Unix seconds) and RateLimit-* (reset as seconds from now, or Unix)', () => {
    expect(budgetFrom({ 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': String(RESET_UNIX) }, NOW)).toEqual({ remaining: 4999, resetAtMs: NOW + 600_000 });
    expect(budgetFrom({ 'ratelimit-remaining': '10', 'ratelimit-reset': '30' }, NOW)).toEqual({ remaining: 10, resetAtMs: NOW + 30_000 });
    expect(budgetFrom({ 'ratelimit-remaining': '10', 'ratelimit-reset': String(RESET_UNIX) }, NOW)).toEqual({ remaining: 10, resetAtMs: NOW + 600_000 });
    expect(budgetFrom({ 'x-ratelimit-remaining': '7' }, NOW)).toEqual({ remaining: 7, resetAtMs: undefined });
  });

  it('is undefined without a usable remaining count', () => {
    expect(budgetFrom({}, NOW)).toBeUndefined();
    expect(budgetFrom({ 'x-ratelimit-remaining': 'lots' }, NOW)).toBeUndefined();
  });
});

describe('rateLimitWaitMs', () => {
  it.each<[string, ReadFailure, number | undefined]>([
    ['403 with the budget spent: until the reset', failure(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(RESET_UNIX) }), 600_000],
    ['429 with the budget spent: until the reset', failure(429, { 'ratelimit-remaining': '0', 'ratelimit-reset': '45' }), 45_000],
    ['403 with Retry-After (a secondary limit): as asked', failure(403, { 'x-ratelimit-remaining': '30' }, 90_000), 90_000],
    ['429 with Retry-After and a spent budget: Retry-After', failure(429, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(RESET_UNIX) }, 5_000), 5_000],
    ['429 saying nothing: a minute', failure(429, {}), 60_000],
    ['403 with budget left and no Retry-After: not a rate limit (credentials)', failure(403, { 'x-ratelimit-remaining': '4000' }), undefined],
    ['403 with no rate-limit headers: not a rate limit', failure(403, {}), undefined],
    ['503: not a rate limit', failure(503, { 'x-ratelimit-remaining': '0' }, 10_000), undefined],
  ])('%s', (_name, given, expected) => {
    expect(rateLimitWaitMs(given, NOW)).toBe(expected);
  });

  it("a 403 the provider says is a rate limit (GitHub's secondary limit) without a time: a minute", () => {
    expect(rateLimitWaitMs(failure(403, { 'x-ratelimit-remaining': '4000' }), NOW, true)).toBe(60_000);
    expect(rateLimitWaitMs(failure(403, {}, 120_000), NOW, true)).toBe(120_000);
    expect(rateLimitWaitMs(failure(500, {}), NOW, true)).toBeUndefined();
  });

  it('never for a failure that is not an HTTP answer', () => {
    expect(rateLimitWaitMs({ kind: 'timeout', code: 'timeout' }, NOW)).toBeUndefined();
  });
});

describe('pacedIntervalMs', () => {
  it('is 0 when the provider gives no reset, or the budget is plenty', () => {
    expect(pacedIntervalMs(undefined, 10, 1, NOW)).toBe(0);
    expect(pacedIntervalMs({ remaining: 100, resetAtMs: undefined }, 10, 1, NOW)).toBe(0);
    // 5,000 left for the hour, 2 webhooks: one read every 1.44 s would do.
    expect(pacedIntervalMs({ remaining: 5_000, resetAtMs: NOW + 3_600_000 }, 2, 1, NOW)).toBe(1_440);
  });

  it('spaces reads so that every webhook fits in what is left: 2,000 hooks on 5,000 an hour', () => {
    expect(pacedIntervalMs({ remaining: 5_000, resetAtMs: NOW + 3_600_000 }, 2_000, 1, NOW)).toBe(1_440_000); // every 24 min
    expect(pacedIntervalMs({ remaining: 5_000, resetAtMs: NOW + 3_600_000 }, 2_000, 2, NOW)).toBe(2_880_000); // two pages a read
  });

  it('waits for the reset when not one read is left', () => {
    expect(pacedIntervalMs({ remaining: 1, resetAtMs: NOW + 60_000 }, 5, 2, NOW)).toBe(60_000);
    expect(pacedIntervalMs({ remaining: 0, resetAtMs: NOW - 1 }, 5, 1, NOW)).toBe(0);
  });
});
