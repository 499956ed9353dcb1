// Per-webhook pacing after failures. Polls are the unit of retry: a failed poll is never retried
// at once; the scheduled ticks that fall inside the back-off window are skipped. That keeps at
// most one request in flight per webhook and never hammers a provider that is already struggling.

export const BACKOFF_BASE_MS = 5_000; // 5 seconds after the first failure
export const BACKOFF_CAP_MS = 5 * 60_000; // 5 minutes: a fixed key or a recovered provider is seen within this
export const RETRY_AFTER_CAP_MS = 60 * 60_000; // 1 hour: ignore absurd Retry-After values
export const RETRY_AFTER_DEFAULT_MS = 60_000; // a 429 without a usable Retry-After

export class Backoff {
  private failures = 0;
  private notBeforeMs = 0;

  constructor(private readonly random: () => number = Math.random) {}

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** True when a poll may start now. */
  ready(nowMs: number): boolean {
    return nowMs >= this.notBeforeMs;
  }

  /** The earliest time the next poll may start (0 when not backing off). */
  get nextAllowedAtMs(): number {
    return this.notBeforeMs;
  }

  succeeded(): void {
    this.failures = 0;
    this.notBeforeMs = 0;
  }

  /**
   * Exponential with "equal jitter": half the delay fixed, half random, so many webhooks spread out.
   * `atLeastMs`: a Retry-After that came with the failure (e.g. a 503), honoured when longer.
   */
  failed(nowMs: number, atLeastMs?: number): number {
    this.failures += 1;
    const exponential = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (this.failures - 1));
    const jittered = exponential / 2 + (this.random() * exponential) / 2;
    const delay = Math.max(jittered, Math.min(RETRY_AFTER_CAP_MS, atLeastMs ?? 0));
    this.notBeforeMs = nowMs + delay;
    return delay;
  }

  /** The provider said when to come back: honour it exactly (bounded), no jitter. */
  rateLimited(nowMs: number, retryAfterMs: number | undefined): number {
    this.failures += 1;
    const delay = Math.min(RETRY_AFTER_CAP_MS, retryAfterMs ?? RETRY_AFTER_DEFAULT_MS);
    this.notBeforeMs = nowMs + delay;
    return delay;
  }
}
