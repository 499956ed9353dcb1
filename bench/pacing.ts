// The paced schedule: 2,000 webhooks of one source sharing a budget of 5,000 requests an hour
// (GitHub's for a token), polled every 30 s, on a simulated clock over a day. The poller's own
// rule decides each read (src/poller/rate-limits.ts: pacedIntervalMs from the budget last reported,
// at every tick, as Poller.trigger does); the provider's budget refills on the hour. Figures: the
// least budget ever left (target: never 0) and the effective interval between two reads of one
// webhook, against the schedule's.

import { pacedIntervalMs } from '../src/poller/rate-limits.js';
import { fmt, median, ratio, verdict, type Row } from './harness.js';

export interface PacingOptions {
  webhooks: number;
  budgetPerHour: number;
  scheduleMs: number;
  hours: number;
}

export interface PacingResult {
  options: PacingOptions;
  minRemaining: number;
  reads: number;
  /** Median time between two reads of one webhook, ms. */
  effectiveIntervalMs: number;
}

const HOUR_MS = 3_600_000;

export function runPacing(options: PacingOptions): PacingResult {
  const { webhooks, budgetPerHour, scheduleMs, hours } = options;
  const lastReadAt = new Array<number | undefined>(webhooks).fill(undefined);
  const gaps: number[] = [];
  let remaining = budgetPerHour;
  let resetAt = HOUR_MS;
  let minRemaining = remaining;
  let reads = 0;
  let known = false; // nothing is known about the budget before the first answer
  for (let now = 0; now < hours * HOUR_MS; now += scheduleMs) {
    for (let webhook = 0; webhook < webhooks; webhook++) {
      if (now >= resetAt) {
        remaining = budgetPerHour;
        resetAt += HOUR_MS;
      }
      const last = lastReadAt[webhook];
      // Decided at the tick from the budget last reported, as the poller does.
      const interval = known ? pacedIntervalMs({ remaining, resetAtMs: resetAt }, webhooks, 1, now) : 0;
      if (last !== undefined && now < last + interval) continue; // the tick is skipped
      if (last !== undefined) gaps.push(now - last);
      lastReadAt[webhook] = now;
      remaining -= 1; // one page: nothing new most of the time
      reads += 1;
      minRemaining = Math.min(minRemaining, remaining);
      known = true;
    }
  }
  return { options, minRemaining, reads, effectiveIntervalMs: median(gaps) };
}

export function pacingRows({ options, minRemaining, reads, effectiveIntervalMs }: PacingResult): Row[] {
  const label = `paced ${options.webhooks.toLocaleString('en-US')} hooks`;
  return [
    {
      benchmark: label,
      measure: `least budget left in ${options.hours} h (${options.budgetPerHour.toLocaleString('en-US')}/h, ${reads.toLocaleString('en-US')} reads)`,
      ours: minRemaining.toLocaleString('en-US'),
      baseline: '0 (exhausted)',
      ratio: '—',
      target: '> 0',
      verdict: verdict(minRemaining > 0),
    },
    {
      benchmark: label,
      measure: 'effective interval per webhook (s, median)',
      ours: fmt(effectiveIntervalMs / 1000, 0),
      baseline: `${fmt(options.scheduleMs / 1000, 0)} schedule`,
      ratio: ratio(effectiveIntervalMs / options.scheduleMs),
      target: '—',
      verdict: 'info',
    },
  ];
}
