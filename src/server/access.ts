// Who may use the endpoints, per the web config: basic auth against bcrypt hashes, a request rate
// limit, and the response headers the file asks for. One AccessPolicy per loaded web config; a
// reload replaces it whole, so a cached verdict never outlives the users file it was made from.

import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { WebConfig } from '../config/index.js';

/** Probes stay open: the kubelet sends no credentials, and a limited probe could restart the pod. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

export type Verdict = 'allowed' | 'unauthorized' | 'rate-limited' | 'busy';

/**
 * Verdicts kept per distinct Authorization header. bcrypt costs tens of milliseconds by design;
 * Prometheus sends the same header every scrape, so only its first scrape pays it. Wrong headers
 * are kept too: a scraper with a stale password would otherwise run bcrypt on every scrape.
 */
const MAX_CACHED_VERDICTS = 256;
/** Checks waiting for bcrypt beyond this are refused at once: guessing must not queue unbounded work. */
const MAX_WAITING_CHECKS = 32;
/**
 * Compared against when the user is unknown, so that an unknown user costs as long as a wrong
 * password (cost 10, as the toolkit's docs suggest). The hash of a random string nobody knows.
 */
const DUMMY_HASH = '$2b$10$stsExaiaFl.6lZiTQqcP9.oc4ZL74eDaE2F3X7LiTqYw8EKlWe166';

export class AccessPolicy {
  private readonly verdicts = new Map<string, boolean>();
  private bcryptQueue: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private readonly limiter: TokenBucket | undefined;

  constructor(
    private readonly web: Pick<WebConfig, 'basicAuthUsers' | 'headers' | 'rateLimit'> | undefined,
    now: () => number = Date.now,
  ) {
    this.limiter = web?.rateLimit === undefined ? undefined : new TokenBucket(web.rateLimit.intervalMs, web.rateLimit.burst, now);
  }

  /** Headers the web config adds to every response. */
  get headers(): Readonly<Record<string, string>> {
    return this.web?.headers ?? {};
  }

  get requiresAuth(): boolean {
    return this.web?.basicAuthUsers !== undefined;
  }

  /**
   * Synchronous when the answer is known (no users, rate limited, or a cached verdict), a promise
   * only while bcrypt runs: the scrape path stays free of a microtask hop.
   */
  check(path: string, authorization: string | undefined): Verdict | Promise<Verdict> {
    if (OPEN_PATHS.has(path)) return 'allowed';
    if (this.limiter !== undefined && !this.limiter.take()) return 'rate-limited';
    const users = this.web?.basicAuthUsers;
    if (users === undefined) return 'allowed';
    if (authorization === undefined) return 'unauthorized';
    // A digest, not the header, is the key: the cache never holds a password.
    const key = createHash('sha256').update(authorization).digest('base64');
    const cached = this.verdicts.get(key);
    if (cached !== undefined) return cached ? 'allowed' : 'unauthorized';
    const credentials = parseBasic(authorization);
    if (credentials === undefined) return 'unauthorized';
    if (this.waiting >= MAX_WAITING_CHECKS) return 'busy';
    this.waiting += 1;
    const hash = users.get(credentials.user);
    // One bcrypt at a time: bcryptjs yields between rounds, but parallel guesses would still take every core.
    const verdict = this.bcryptQueue.then(() => bcrypt.compare(credentials.password, hash ?? DUMMY_HASH)).then(
      (matches) => {
        const allowed = matches && hash !== undefined;
        if (this.verdicts.size >= MAX_CACHED_VERDICTS) this.verdicts.clear();
        this.verdicts.set(key, allowed);
        return allowed ? ('allowed' as const) : ('unauthorized' as const);
      },
      () => 'unauthorized' as const,
    );
    this.bcryptQueue = verdict.finally(() => {
      this.waiting -= 1;
    });
    return verdict;
  }
}

/** `Basic base64(user:password)`; undefined for anything else. */
function parseBasic(header: string): { user: string; password: string } | undefined {
  const match = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** `burst` requests at once, then one per `intervalMs`, as the toolkit's rate limit. */
class TokenBucket {
  private tokens: number;
  private refilledAtMs: number;

  constructor(
    private readonly intervalMs: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.refilledAtMs = now();
  }

  take(): boolean {
    const nowMs = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (nowMs - this.refilledAtMs) / this.intervalMs);
    this.refilledAtMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
