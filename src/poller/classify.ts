// What one entry of a read means for the counts, decided from the checkpoint as it stands. Pure:
// the read applies each decision before classifying the next entry, so an entry that shifted to
// the next page while paging is already known when it shows up again.

import { isFinished, type DeliveryAttempt } from '../providers/types.js';

export type Classification =
  /** Seen before and finished: nothing to do. */
  | 'known'
  /** Below the counting floor and never seen: too late to count (logged at debug level). */
  | 'too-old'
  /** Seen for the first time, not finished yet: remembered as pending. */
  | 'now-pending'
  /** Pending before and still not finished. */
  | 'still-pending'
  /** Pending before, finished now: counted now, whatever startFrom said about the first read. */
  | 'finished-pending'
  /** Seen for the first time, finished: counted (or only marked as seen on a first read with startFrom: now). */
  | 'new-finished';

export interface CheckpointView {
  readonly seen: { has(id: string): boolean };
  readonly pending: { readonly size: number; has(id: string): boolean };
}

export function classify(attempt: Pick<DeliveryAttempt, 'logId' | 'status' | 'createdAtMs'>, checkpoint: CheckpointView, floorMs: number): Classification {
  // Most logs hold nothing pending: then one lookup per entry, not two.
  if (checkpoint.pending.size > 0 && checkpoint.pending.has(attempt.logId)) return isFinished(attempt.status) ? 'finished-pending' : 'still-pending';
  if (checkpoint.seen.has(attempt.logId)) return 'known';
  if (attempt.createdAtMs < floorMs) return 'too-old';
  return isFinished(attempt.status) ? 'new-finished' : 'now-pending';
}
