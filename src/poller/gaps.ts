// Whether a finished read could have missed deliveries, and what the operator should change: the
// gap rules of docs/counting.md for both paging kinds. Pure; the messages name the provider's own
// settings (from its adapter's hints), never the provider.

import type { OperatorHints, Paging } from '../providers/types.js';

/** What a read that did not fail found out, as far as gaps are concerned. */
export interface ReadFacts {
  firstRead: boolean;
  startFrom: 'now' | 'backfill';
  pages: number;
  entriesRead: number;
  /** An older page was not read because the log ended there (paged), or the read returned fewer than the window (newest-N). */
  reachedEnd: boolean;
  /** Some entry of the read had been seen by an earlier one. */
  anyKnown: boolean;
  /** Oldest createdAt read, Unix ms (Infinity when nothing was read). */
  oldestReadMs: number;
  floorMs: number;
  /** Pending entries that left the provider's log before they finished. */
  lostPending: number;
}

export function detectGap(facts: ReadFacts, paging: Paging, hints: OperatorHints): string | undefined {
  const counting = !facts.firstRead || facts.startFrom === 'backfill';
  const raiseSize = `raise ${hints.pageSize.setting} (max ${hints.pageSize.max})`;
  let gap: string | undefined;
  if (paging.kind === 'paged') {
    const limit = hints.pageLimit ?? 'the page limit';
    const cutShort = facts.pages >= paging.maxPages && !facts.reachedEnd && facts.oldestReadMs >= facts.floorMs;
    if (cutShort && counting) {
      // Reaching known entries means every new one was read; only late ones in the rest of the window can be missed.
      gap = facts.anyKnown
        ? `read stopped at ${limit}=${paging.maxPages} before re-reading the whole lookback window; ` +
          `deliveries logged late in the part not re-read were not counted. Raise ${limit}, or lower lookback.`
        : `read stopped at ${limit}=${paging.maxPages} before reaching entries already seen; ` +
          `deliveries older than the last page read were not counted. Raise ${limit} or poll more often (schedule).`;
    }
  } else {
    const fullRead = facts.entriesRead >= paging.windowSize;
    // No known entry is the test: an earlier read of an empty log, or ties at the newest known
    // createdAt filling the read, still leave entries behind that were never read. Unless the read
    // reached below the floor: what lies behind it is older still, too late to count (and an entry
    // seen before may have been forgotten there, so it cannot be told from a new one).
    if (!facts.firstRead && fullRead && !facts.anyKnown && facts.oldestReadMs >= facts.floorMs) {
      gap =
        `none of the ${facts.entriesRead} newest entries had been seen before: more deliveries arrived between ` +
        `two polls than one read returns, so some were not counted. Poll more often (schedule) or ${raiseSize}.`;
    }
    // Backfill promises the whole log; a newest-N read can only hold the newest N.
    if (facts.firstRead && facts.startFrom === 'backfill' && fullRead) {
      gap =
        `the first read (startFrom: backfill) returned a full ${facts.entriesRead} entries, as many as one read can: ` +
        `older deliveries in the log were not counted. ${raiseSize[0]!.toUpperCase()}${raiseSize.slice(1)} to backfill more.`;
    }
  }
  if (facts.lostPending > 0) {
    const window = paging.kind === 'paged' ? paging.pageSize : paging.windowSize;
    gap ??=
      `${facts.lostPending} pending ${facts.lostPending === 1 ? 'delivery' : 'deliveries'} left the provider's log before finishing ` +
      `(retention, or pushed out of the newest ${window} entries), so the outcome was not counted. ` +
      `Poll more often (schedule)${paging.kind === 'paged' ? '' : ` or ${raiseSize}`}.`;
  }
  return gap;
}
