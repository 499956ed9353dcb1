// A provider's rate-limit budget, read from the headers every answer carries (the
// x-ratelimit-* or the RateLimit-* family), and what it asks of the poller: wait out an exhausted
// budget or a Retry-After, and space reads so the schedule does not run the budget dry before the
// reset. Pure: the poller keeps the state and the clock.

import { RETRY_AFTER_DEFAULT_MS } from './backoff.js';
import type { ReadFailure } from './paging.js';

export interface Budget {
  /** Requests left until the reset. */
  remaining: number;
  /** When the budget refills, Unix ms; undefined when the provider does not say. */
  resetAtMs: number | undefined;
}

/** Unix seconds above this are a time; below, a number of seconds from now (the RateLimit draft's form). */
const UNIX_SECONDS_AFTER_2001 = 1_000_000_000;

function numberHeader(headers: Readonly<Record<string, string>>, names: readonly string[]): number | undefined {
  for (const name of names) {
    const value = headers[name]?.trim();
    if (value !== undefined && /^\d+$/.test(value)) return Number(value);
  }
  return undefined;
}

/** The budget an answer advertises, or undefined when it carries no remaining count. */
export function budgetFrom(headers: Readonly<Record<string, string>>, nowMs: number): Budget | undefined {
  const remaining = numberHeader(headers, ['x-ratelimit-remaining', 'ratelimit-remaining']);
  if (remaining === undefined) return undefined;
  const reset = numberHeader(headers, ['x-ratelimit-reset', 'ratelimit-reset']);
  const resetAtMs = reset === undefined ? undefined : reset > UNIX_SECONDS_AFTER_2001 ? reset * 1000 : nowMs + reset * 1000;
  return { remaining, resetAtMs };
}

/**
 * How long no request with the same credentials may be sent after this failure, or undefined when
 * it is not a rate limit. A 429 always is; a 403 is when the budget is spent, it says Retry-After,
 * or the adapter recognises one in the body (`saidByProvider`).
 */
export function rateLimitWaitMs(failure: ReadFailure, nowMs: number, saidByProvider = false): number | undefined {
  if (failure.kind !== 'http_error' || (failure.status !== 429 && failure.status !== 403)) return undefined;
  const budget = budgetFrom(failure.headers, nowMs);
  const untilReset = budget?.remaining === 0 && budget.resetAtMs !== undefined ? Math.max(0, budget.resetAtMs - nowMs) : undefined;
  if (failure.retryAfterMs !== undefined) return failure.retryAfterMs;
  if (untilReset !== undefined) return untilReset;
  // The provider's own word (a secondary limit) without a time: at least a minute.
  if (failure.status === 429 || budget?.remaining === 0 || saidByProvider) return RETRY_AFTER_DEFAULT_MS;
  return undefined;
}

/**
 * The least time between two reads of each of `webhooks` webhooks (reads costing `requestsPerRead`
 * requests each) for the budget to last until its reset; 0 when it lasts whatever the schedule.
 */
export function pacedIntervalMs(budget: Budget | undefined, webhooks: number, requestsPerRead: number, nowMs: number): number {
  if (budget?.resetAtMs === undefined) return 0;
  const untilReset = Math.max(0, budget.resetAtMs - nowMs);
  if (untilReset === 0) return 0;
  const readsLeft = Math.floor(budget.remaining / Math.max(1, requestsPerRead));
  if (readsLeft <= 0) return untilReset;
  return Math.ceil((untilReset * webhooks) / readsLeft);
}
