// What the exporter remembers about one webhook between polls, so that every finished attempt is
// counted exactly once. Memory is bounded by the lookback window, not by uptime: ids older than
// (newest seen − lookback) are forgotten, and reads never look below that floor.

import { AgingMap } from '../collections/aging-map.js';

/** The serialisable form, as written to the state file. */
export interface CheckpointData {
  /** True once a read has completed, so `startFrom` applies only to the very first one. */
  initialized: boolean;
  /** Newest `createdAt` read so far (Unix ms); undefined while the log has been empty. */
  watermarkMs: number | undefined;
  /** Finished entries already handled: [log id, createdAt ms]. */
  seen: Array<[string, number]>;
  /** Entries last read as pending or processing: [log id, createdAt ms]. Counted when they finish. */
  pending: Array<[string, number]>;
  /** Content keys of the unreadable entries in the latest read, so re-reads do not count them again. */
  invalid?: string[];
}

export class Checkpoint {
  initialized = false;
  watermarkMs: number | undefined = undefined;
  /** Finished ids → createdAt; a read marks them newest first, so the oldest go first. */
  readonly seen = new AgingMap<string>();
  readonly pending = new Map<string, number>();
  /** Bounded by one read: replaced by each complete read's set. */
  invalid = new Set<string>();

  static from(data: CheckpointData): Checkpoint {
    const checkpoint = new Checkpoint();
    checkpoint.initialized = data.initialized;
    checkpoint.watermarkMs = data.watermarkMs;
    for (const [id, at] of data.seen) checkpoint.seen.set(id, at);
    for (const [id, at] of data.pending) checkpoint.pending.set(id, at);
    checkpoint.invalid = new Set(data.invalid ?? []);
    return checkpoint;
  }

  toData(): CheckpointData {
    return {
      initialized: this.initialized,
      watermarkMs: this.watermarkMs,
      seen: [...this.seen],
      pending: [...this.pending],
      invalid: [...this.invalid],
    };
  }

  /**
   * Entries older than this that are not known are too late to count. It is also where `prune`
   * forgets ids, so the two must stay the same line: an id forgotten above it would count again.
   */
  countFloorMs(lookbackMs: number): number {
    if (!this.initialized || this.watermarkMs === undefined) return -Infinity;
    return this.watermarkMs - lookbackMs;
  }

  /** How deep a paginated read must go: the count floor, or further if a pending entry is older (to see it finish). */
  readDepthMs(lookbackMs: number): number {
    let depth = this.countFloorMs(lookbackMs);
    for (const at of this.pending.values()) depth = Math.min(depth, at);
    return depth;
  }

  /**
   * Drops the pending entries a complete read passed over without returning, strictly newer than
   * `coveredDownToMs` (ties at the oldest entry read may sit on the next, unread page): retention
   * removed them, or newer entries pushed them out of a newest-N window. They can never be seen
   * finishing, so memory stays bounded and the read reports a gap. Returns how many.
   */
  dropPendingNotSeen(notSeen: Iterable<string>, coveredDownToMs: number): number {
    let dropped = 0;
    for (const id of notSeen) {
      const at = this.pending.get(id);
      if (at !== undefined && at > coveredDownToMs) {
        this.pending.delete(id);
        dropped += 1;
      }
    }
    return dropped;
  }

  /** After a read that did not fail: the log has been read once, the watermark moves, old ids go. */
  finishRead(newestReadMs: number | undefined, lookbackMs: number): void {
    this.initialized = true;
    if (newestReadMs !== undefined) this.advanceWatermark(newestReadMs);
    this.prune(lookbackMs);
  }

  advanceWatermark(createdAtMs: number): void {
    if (this.watermarkMs === undefined || createdAtMs > this.watermarkMs) this.watermarkMs = createdAtMs;
  }

  /**
   * Forget finished ids below the lookback floor: no read will look there again. It costs what it
   * forgets (AgingMap), so it runs after every read. A read marks its ids newest first, so the
   * oldest ids of the latest read wait behind its newest: at most one read's ids more than the
   * window, and never a recount, since the count floor already rejects what is below it.
   */
  prune(lookbackMs: number): void {
    this.seen.forgetOlderThan(this.countFloorMs(lookbackMs));
  }
}
