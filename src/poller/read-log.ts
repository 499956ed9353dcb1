// One read of one webhook's delivery log, in four steps: the paging driver (paging.ts) fetches pages
// newest first; each entry is classified (classify.ts) and the decision applied to the checkpoint;
// the gap rules (gaps.ts) judge the finished read; the checkpoint moves. docs/counting.md states
// the rules and walks through examples. Nothing here depends on the provider or its paging kind
// beyond the adapter's `paging` and `hints`.

import type { DeliveryAttempt, InvalidEntry, InvalidReason, ProviderAdapter } from '../providers/types.js';
import type { Checkpoint } from './checkpoint.js';
import { classify } from './classify.js';
import { detectGap } from './gaps.js';
import { readPages, type Fetch, type ReadFailure } from './paging.js';
import type { PollRecorder } from './recorder.js';

export type { ReadFailure } from './paging.js';

export interface ReadSettings {
  source: string;
  webhookId: string;
  startFrom: 'now' | 'backfill';
  lookbackMs: number;
}

export interface ReadResult {
  /** Undefined when every page that was needed was read. */
  failure: ReadFailure | undefined;
  pages: number;
  /** Entries in the bodies, valid or not. */
  entriesRead: number;
  /** Finished attempts recorded by this read, for the status page and the poll span. */
  counted: DeliveryAttempt[];
  /** Finished attempts marked as seen without counting (first read with startFrom: now). */
  marked: number;
  invalid: number;
  /** Set when entries may have been missed; says what to change. */
  gap: string | undefined;
  /** Entries below the floor that were never seen: too late to count. */
  tooOld: number;
  /** The first page answered 304: nothing changed since the read that gave `etag`. */
  unchanged: boolean;
  /**
   * The first page's ETag, for the next read's conditional request: only after a complete read
   * that needed no second page (a 304 must skip neither pages a failed read left unread nor late
   * entries below the first page).
   */
  etag: string | undefined;
  /** Why the read stopped early though the provider may have more (the adapter's words). */
  warning: string | undefined;
}

export interface ReadDeps {
  adapter: ProviderAdapter;
  checkpoint: Checkpoint;
  recorder: PollRecorder;
  fetch: Fetch;
  /** The ETag of the last complete read's first page, sent as If-None-Match. */
  etag?: string;
}

export async function readLog(settings: ReadSettings, deps: ReadDeps): Promise<ReadResult> {
  const { adapter, checkpoint, recorder } = deps;
  const { source, webhookId } = settings;
  const firstRead = !checkpoint.initialized;
  const counting = !firstRead || settings.startFrom === 'backfill';
  // First read with `now`: the floor is set from the newest entry once the first page is in.
  let floorMs = checkpoint.countFloorMs(settings.lookbackMs);
  const readDepthMs = checkpoint.readDepthMs(settings.lookbackMs);
  const result: ReadResult = { failure: undefined, pages: 0, entriesRead: 0, counted: [], marked: 0, invalid: 0, gap: undefined, tooOld: 0, unchanged: false, etag: undefined, warning: undefined };
  let firstPageEtag: string | undefined;
  const progress = new ReadProgress(new Set(checkpoint.pending.keys()));
  const invalidThisRead = new Set<string>();
  let reachedEnd = false;
  /** The read stopped because it went below its floor: everything below is seen or too late. */
  let pastFloor = false;

  // A first read has nothing to compare with; a conditional request there would only skip counting.
  const ifNoneMatch = firstRead ? undefined : deps.etag;
  for await (const read of readPages(adapter, webhookId, deps.fetch, (code) => recorder.recordApiRequest(source, code), ifNoneMatch)) {
    if (read.kind === 'failed') {
      result.failure = read.failure;
      break;
    }
    if (read.kind === 'unchanged') {
      // Nothing new at the head since the last complete read: a successful poll that leaves the
      // checkpoint, pending entries and gap state as they were.
      result.unchanged = true;
      result.etag = deps.etag;
      return result;
    }
    const { page } = read;
    if (read.number === 1) firstPageEtag = read.etag;
    if (page.warning !== undefined) result.warning = page.warning;
    result.pages += 1;
    result.entriesRead += page.entryCount;
    result.invalid += recordNewInvalid(recorder, source, page.invalid, checkpoint.invalid, invalidThisRead);
    if (firstRead && settings.startFrom === 'now' && progress.newestReadMs === undefined && page.attempts.length > 0) {
      floorMs = newestCreatedAtMs(page.attempts) - settings.lookbackMs;
    }

    for (const id of page.withdrawn ?? []) {
      progress.pendingNotSeen.delete(id);
      checkpoint.pending.delete(id);
    }
    const { toRecord, pageOldest } = applyPage(page.attempts, checkpoint, floorMs, counting, progress);
    // Recorded page by page: a later page that fails must not take these back (they are in `seen`).
    if (toRecord.length > 0) {
      recorder.recordDeliveries(source, adapter.provider, toRecord, adapter.capabilities.retries);
      for (const attempt of toRecord) result.counted.push(attempt);
    }
    progress.newestFinished.flush(recorder, source, adapter.provider, webhookId);

    progress.oldestReadMs = Math.min(progress.oldestReadMs, pageOldest);
    if (read.last) {
      reachedEnd = adapter.paging.kind === 'paged' || page.entryCount < adapter.paging.windowSize;
      break;
    }
    // Past the lookback floor (and any pending entry): everything below was seen or is too late.
    if (pageOldest < Math.min(floorMs, readDepthMs)) {
      pastFloor = true;
      break;
    }
  }

  result.tooOld = progress.tooOld;
  result.marked = progress.marked;
  if (result.failure) {
    // The checkpoint stays where it was; the next read covers the window again.
    for (const key of invalidThisRead) checkpoint.invalid.add(key);
    recorder.setPending(source, adapter.provider, webhookId, checkpoint.pending.size);
    return result;
  }
  checkpoint.invalid = invalidThisRead;
  const { newestReadMs, oldestReadMs, anyKnown, pendingNotSeen } = progress;
  // A newest-N read never reads deeper, so a pending entry it did not return has left its window.
  const coveredDownToMs = reachedEnd || adapter.paging.kind === 'newest-n' ? -Infinity : oldestReadMs;
  const lostPending = checkpoint.dropPendingNotSeen(pendingNotSeen, coveredDownToMs);
  result.gap = detectGap(
    { firstRead, startFrom: settings.startFrom, pages: result.pages, entriesRead: result.entriesRead, reachedEnd, anyKnown, oldestReadMs, floorMs, lostPending },
    adapter.paging,
    adapter.hints,
  );
  if (result.gap) recorder.recordGap(source, webhookId);
  recorder.setPending(source, adapter.provider, webhookId, checkpoint.pending.size);
  checkpoint.finishRead(newestReadMs, settings.lookbackMs);
  // Only when the whole window was on the first page: a late entry inside the window then sorts
  // into that page and changes its ETag. Deeper, a late entry would hide behind an unchanged page 1;
  // and a read that stopped at its page limit (maxPages: 1) has not seen the whole window: a 304
  // would end the next read before the pages it must still read, and no gap would be told.
  result.etag = result.pages === 1 && (reachedEnd || pastFloor) ? firstPageEtag : undefined;
  return result;
}

/** What a read has learnt so far, page by page. */
class ReadProgress {
  newestReadMs: number | undefined = undefined;
  oldestReadMs = Infinity;
  /** Some entry read was already known (seen or pending): the read reached what an earlier one read. */
  anyKnown = false;
  tooOld = 0;
  marked = 0;
  readonly newestFinished = new NewestFinished();

  /** Pending entries not read again yet. */
  constructor(readonly pendingNotSeen: Set<string>) {}
}

/**
 * Classifies a page's entries in the API's order, applying each decision to the checkpoint before
 * the next, so an entry that shifted to the next page while paging is known when it shows up
 * again. Returns the finished attempts to record. A synchronous function of its own: V8 optimises
 * a loop inside an async function late, and this loop runs once per entry.
 */
function applyPage(
  attempts: readonly DeliveryAttempt[],
  checkpoint: Checkpoint,
  floorMs: number,
  counting: boolean,
  progress: ReadProgress,
): { toRecord: DeliveryAttempt[]; pageOldest: number } {
  const toRecord: DeliveryAttempt[] = [];
  let pageOldest = Infinity;
  let newest = progress.newestReadMs ?? -Infinity;
  for (const attempt of attempts) {
    newest = Math.max(newest, attempt.createdAtMs);
    pageOldest = Math.min(pageOldest, attempt.createdAtMs);
    if (progress.pendingNotSeen.size > 0) progress.pendingNotSeen.delete(attempt.logId);
    // One classification per entry, and known-ness read from it: no second lookup of the id.
    switch (classify(attempt, checkpoint, floorMs)) {
      case 'known':
      case 'still-pending':
        progress.anyKnown = true;
        break;
      case 'too-old':
        progress.tooOld += 1;
        break;
      case 'now-pending':
        checkpoint.pending.set(attempt.logId, attempt.createdAtMs);
        break;
      case 'finished-pending':
        progress.anyKnown = true;
        checkpoint.pending.delete(attempt.logId);
        checkpoint.seen.set(attempt.logId, attempt.createdAtMs);
        toRecord.push(attempt);
        progress.newestFinished.note(attempt);
        break;
      case 'new-finished':
        checkpoint.seen.set(attempt.logId, attempt.createdAtMs);
        if (counting) toRecord.push(attempt);
        else progress.marked += 1;
        progress.newestFinished.note(attempt);
        break;
    }
  }
  if (attempts.length > 0) progress.newestReadMs = newest;
  return { toRecord, pageOldest };
}

/** A loop, not Math.max(...spread): no array per page, and no argument-count limit on huge pages. */
function newestCreatedAtMs(attempts: readonly DeliveryAttempt[]): number {
  let newest = -Infinity;
  for (const attempt of attempts) newest = Math.max(newest, attempt.createdAtMs);
  return newest;
}

/** Newest `createdAt` per finished status on a page, so the gauge is set once per page, not per entry. */
class NewestFinished {
  private success = -Infinity;
  private failed = -Infinity;

  note(attempt: DeliveryAttempt): void {
    if (attempt.status === 'success') this.success = Math.max(this.success, attempt.createdAtMs);
    else if (attempt.status === 'failed') this.failed = Math.max(this.failed, attempt.createdAtMs);
  }

  flush(recorder: PollRecorder, source: string, provider: string, webhookId: string): void {
    if (this.success > -Infinity) recorder.noteLastDelivery(source, provider, webhookId, 'success', this.success);
    if (this.failed > -Infinity) recorder.noteLastDelivery(source, provider, webhookId, 'failed', this.failed);
    this.success = -Infinity;
    this.failed = -Infinity;
  }
}

/** Counts each unreadable entry once, however many reads see it; returns how many were new. */
function recordNewInvalid(
  recorder: PollRecorder,
  source: string,
  entries: readonly InvalidEntry[],
  knownBefore: ReadonlySet<string>,
  thisRead: Set<string>,
): number {
  const byReason = new Map<InvalidReason, number>();
  for (const { reason, key } of entries) {
    // By content: an entry that shifts to the next page while paging is not counted twice
    // (identical bad entries, which cannot be told from a shifted one, count once).
    const known = knownBefore.has(key) || thisRead.has(key);
    thisRead.add(key);
    if (!known) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  }
  let count = 0;
  for (const [reason, n] of byReason) {
    recorder.recordInvalid(source, reason, n);
    count += n;
  }
  return count;
}
