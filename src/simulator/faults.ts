// Misbehaviour on request: a test or the demo sets a fault for one webhook (or '*' for all of
// a provider's webhooks) and the next matching requests get it instead of a normal answer.

import type { BuiltInProvider } from '../providers/registry.js';

/** `times`: how many requests the fault applies to before it clears itself (default: until cleared). */
export type Fault =
  /** `headers`: e.g. a spent rate-limit budget (`x-ratelimit-remaining: 0` and its reset). */
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string>; times?: number }
  | { kind: 'rate-limit'; retryAfter: string; times?: number }
  | { kind: 'garbage'; times?: number }
  | { kind: 'html'; times?: number }
  | { kind: 'wrong-shape'; times?: number }
  | { kind: 'slow'; delayMs: number; times?: number }
  | { kind: 'reset'; times?: number }
  /** The real answer's headers and first half, then silence: a body that stalls mid-way. */
  | { kind: 'stall-body'; times?: number }
  /** The real answer's headers and first half, then the connection closes: JSON cut off mid-way. */
  | { kind: 'cut-body'; times?: number }
  /** The real answer encoded as Latin-1: non-ASCII characters arrive as bytes that are not UTF-8. */
  | { kind: 'latin1'; times?: number };

export const ALL_WEBHOOKS = '*';

interface ActiveFault {
  fault: Fault;
  remaining: number | undefined;
}

export class FaultBook {
  private readonly faults = new Map<string, ActiveFault>();

  set(provider: BuiltInProvider, target: string, fault: Fault | null): void {
    const key = faultKey(provider, target);
    if (fault === null) {
      this.faults.delete(key);
      return;
    }
    if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times > 0)) {
      throw new RangeError(`fault times must be a positive integer, got ${fault.times}`);
    }
    this.faults.set(key, { fault, remaining: fault.times });
  }

  /** The fault for this request, if any (a webhook's own before the provider-wide one), counted as used. */
  take(provider: BuiltInProvider, webhookId: string): Fault | undefined {
    for (const key of [faultKey(provider, webhookId), faultKey(provider, ALL_WEBHOOKS)]) {
      const active = this.faults.get(key);
      if (active === undefined) continue;
      if (active.remaining !== undefined && --active.remaining === 0) this.faults.delete(key);
      return active.fault;
    }
    return undefined;
  }
}

function faultKey(provider: BuiltInProvider, target: string): string {
  return `${provider}\u0000${target}`;
}
