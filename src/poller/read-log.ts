// One read of one webhook's delivery log: fetch pages newest-first, decide for every entry whether it
// is new, already known, still pending or too old, record the new finished ones, and move the
// checkpoint. This file is the counting rules of contract.md; counting-examples.md walks through them.

import type { DeliveryAttempt, InvalidEntry, InvalidReason, ProviderAdapter } from '../providers/types.js';
import { isFinished } from '../providers/types.js';
import type { Checkpoint } from './checkpoint.js';
import type { FetchOutcome } from './fetch-json.js';
import type { PollRecorder } from './recorder.js';

export interface ReadSettings {
  source: string;
  webhookId: string;
  startFrom: 'now' | 'backfill';
  lookbackMs: number;
  /** Page limit per read for paginated providers. */
  maxPages: number;
}

export type ReadFailure =
  | { kind: 'http_error'; status: number; retryAfterMs: number | undefined }
  | { kind: 'timeout' }
  | { kind: 'network_error'; detail: string }
  | { kind: 'bad_body'; detail: string }
  | { kind: 'too_large'; maxBytes: number }
  | { kind: 'wrong_shape'; detail: string };

export interface ReadResult {
  /** Undefined when every page that was needed was read. */
  failure: ReadFailure | undefined;
  pages: number;
  /** Entries in the bodies, valid or not. */
  entriesRead: number;
  /** Finished attempts recorded by this read. */
  counted: number;
  /** The same attempts, for the poll span. */
  countedAttempts: DeliveryAttempt[];
  /** Finished attempts marked as seen without counting (first read with startFrom: now). */
  marked: number;
  invalid: number;
  /** Set when entries may have been missed; says what to change. */
  gap: string | undefined;
  /** Entries below the floor that were never seen: too late to count. */
  tooOld: number;
}

export interface ReadDeps {
  adapter: ProviderAdapter;
  checkpoint: Checkpoint;
  recorder: PollRecorder;
  fetch: (url: ReturnType<ProviderAdapter['buildRequest']>) => Promise<FetchOutcome>;
}

export async function readLog(settings: ReadSettings, deps: ReadDeps): Promise<ReadResult> {
  const { adapter, checkpoint, recorder } = deps;
  const { source, webhookId } = settings;
  const firstRead = !checkpoint.initialized;
  const counting = !firstRead || settings.startFrom === 'backfill';
  // First read with `now`: the floor is set from the newest entry once the first page is in.
  let floorMs = checkpoint.countFloorMs(settings.lookbackMs);
  const readDepthMs = checkpoint.readDepthMs(settings.lookbackMs);
  const result: ReadResult = {
    failure: undefined,
    pages: 0,
    entriesRead: 0,
    counted: 0,
    countedAttempts: [],
    marked: 0,
    invalid: 0,
    gap: undefined,
    tooOld: 0,
  };
  const pendingNotSeen = new Set(checkpoint.pending.keys());
  const invalidThisRead = new Set<string>();
  let newestReadMs: number | undefined;
  let oldestReadMs = Infinity;
  let anyKnown = false;
  let reachedEnd = false;
  const newestFinished = new NewestFinished();

  for (let page = 1; ; page++) {
    if (adapter.paginated && page > settings.maxPages) break;
    const outcome = await deps.fetch(adapter.buildRequest(webhookId, page));
    recorder.recordApiRequest(source, outcome.code);
    if (outcome.kind !== 'ok') {
      result.failure = toFailure(outcome);
      break;
    }
    const parsed = adapter.parsePage(outcome.body, webhookId);
    if (!parsed.ok) {
      result.failure = { kind: 'wrong_shape', detail: parsed.problem };
      break;
    }
    result.pages += 1;
    result.entriesRead += parsed.entryCount;
    result.invalid += recordNewInvalid(recorder, source, parsed.invalid, checkpoint.invalid, invalidThisRead);

    if (firstRead && settings.startFrom === 'now' && newestReadMs === undefined && parsed.attempts.length > 0) {
      floorMs = newestCreatedAtMs(parsed.attempts) - settings.lookbackMs;
    }

    const toRecord: DeliveryAttempt[] = [];
    let pageOldest = Infinity;
    for (const attempt of parsed.attempts) {
      newestReadMs = Math.max(newestReadMs ?? -Infinity, attempt.createdAtMs);
      pageOldest = Math.min(pageOldest, attempt.createdAtMs);
      pendingNotSeen.delete(attempt.logId);
      if (checkpoint.knows(attempt.logId)) anyKnown = true;
      switch (classify(attempt, checkpoint, floorMs)) {
        case 'known':
        case 'still-pending':
          break;
        case 'too-old':
          result.tooOld += 1;
          break;
        case 'now-pending':
          checkpoint.pending.set(attempt.logId, attempt.createdAtMs);
          break;
        case 'finished-pending':
          // It was held while pending: count it now, whatever startFrom said about the first read.
          checkpoint.pending.delete(attempt.logId);
          checkpoint.seen.set(attempt.logId, attempt.createdAtMs);
          toRecord.push(attempt);
          newestFinished.note(attempt);
          break;
        case 'new-finished':
          checkpoint.seen.set(attempt.logId, attempt.createdAtMs);
          if (counting) toRecord.push(attempt);
          else result.marked += 1;
          newestFinished.note(attempt);
          break;
      }
    }
    // Recorded page by page: a later page that fails must not take these back (they are in `seen`).
    if (toRecord.length > 0) {
      recorder.recordDeliveries(source, adapter.provider, toRecord, adapter.reportsRetries);
      result.counted += toRecord.length;
      result.countedAttempts.push(...toRecord);
    }
    newestFinished.flush(recorder, source, adapter.provider, webhookId);

    oldestReadMs = Math.min(oldestReadMs, pageOldest);
    if (!adapter.paginated || !parsed.hasMorePages || parsed.entryCount === 0) {
      reachedEnd = !adapter.paginated ? parsed.entryCount < adapter.pageSize : true;
      break;
    }
    // Past the lookback floor (and any pending entry): everything below was seen or is too late.
    if (pageOldest < Math.min(floorMs, readDepthMs)) break;
  }

  recorder.setPending(source, adapter.provider, webhookId, checkpoint.pending.size);
  if (result.failure) {
    // The checkpoint stays where it was; the next read covers the window again.
    for (const key of invalidThisRead) checkpoint.invalid.add(key);
    return result;
  }
  checkpoint.invalid = invalidThisRead;

  const cutShort = adapter.paginated && result.pages >= settings.maxPages && !reachedEnd && oldestReadMs >= floorMs;
  if (cutShort && (!firstRead || settings.startFrom === 'backfill')) {
    // Reaching known entries means every new one was read; only late ones in the rest of the window can be missed.
    result.gap = anyKnown
      ? `read stopped at maxPages=${settings.maxPages} before re-reading the whole lookback window; ` +
        'deliveries logged late in the part not re-read were not counted. Raise maxPages, or lower lookback.'
      : `read stopped at maxPages=${settings.maxPages} before reaching entries already seen; ` +
        'deliveries older than the last page read were not counted. Raise maxPages or poll more often (schedule).';
  }
  const fullUnpaginatedRead = !adapter.paginated && result.entriesRead >= adapter.pageSize;
  // No known entry is the whole test (contract.md): an earlier read of an empty log, or ties at the
  // newest known createdAt filling the read, still leave entries behind that were never read.
  if (!firstRead && fullUnpaginatedRead && !anyKnown) {
    result.gap =
      `none of the ${result.entriesRead} newest entries had been seen before: more deliveries arrived between ` +
      'two polls than one read returns, so some were not counted. Poll more often (schedule) or raise limit (max 100).';
  }
  // Backfill promises the whole log; an unpaginated read can only hold the newest `limit`.
  if (firstRead && settings.startFrom === 'backfill' && fullUnpaginatedRead) {
    result.gap =
      `the first read (startFrom: backfill) returned a full ${result.entriesRead} entries, as many as one read can: ` +
      'older deliveries in the log were not counted. Raise limit (max 100) to backfill more.';
  }

  // A pending entry that a complete read passed over without returning has left the provider's
  // window: retention removed it, or newer entries pushed it out of an unpaginated read, which
  // never reads deeper. It can never be seen finishing, so it is dropped (memory stays bounded)
  // and its outcome is a gap. Strictly above the oldest entry read: ties at that createdAt may sit
  // on the next, unread page.
  const coveredDownToMs = reachedEnd || !adapter.paginated ? -Infinity : oldestReadMs;
  let lostPending = 0;
  for (const id of pendingNotSeen) {
    const at = checkpoint.pending.get(id);
    if (at !== undefined && at > coveredDownToMs) {
      checkpoint.pending.delete(id);
      lostPending += 1;
    }
  }
  if (lostPending > 0) {
    result.gap ??=
      `${lostPending} pending ${lostPending === 1 ? 'delivery' : 'deliveries'} left the provider's log before finishing ` +
      `(retention, or pushed out of the newest ${adapter.pageSize} entries), so the outcome was not counted. ` +
      `Poll more often (schedule)${adapter.paginated ? '' : ' or raise limit (max 100)'}.`;
  }
  if (result.gap) recorder.recordGap(source, webhookId);
  recorder.setPending(source, adapter.provider, webhookId, checkpoint.pending.size);

  checkpoint.initialized = true;
  if (newestReadMs !== undefined) checkpoint.advanceWatermark(newestReadMs);
  checkpoint.prune(settings.lookbackMs);
  return result;
}

/** A loop, not Math.max(...spread): no array per page, and no argument-count limit on huge pages. */
function newestCreatedAtMs(attempts: readonly DeliveryAttempt[]): number {
  let newest = -Infinity;
  for (const attempt of attempts) newest = Math.max(newest, attempt.createdAtMs);
  return newest;
}

type Classification = 'known' | 'too-old' | 'now-pending' | 'still-pending' | 'finished-pending' | 'new-finished';

function classify(attempt: DeliveryAttempt, checkpoint: Checkpoint, floorMs: number): Classification {
  if (checkpoint.pending.has(attempt.logId)) return isFinished(attempt.status) ? 'finished-pending' : 'still-pending';
  if (checkpoint.seen.has(attempt.logId)) return 'known';
  if (attempt.createdAtMs < floorMs) return 'too-old';
  return isFinished(attempt.status) ? 'new-finished' : 'now-pending';
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

function toFailure(outcome: Exclude<FetchOutcome, { kind: 'ok' }>): ReadFailure {
  switch (outcome.kind) {
    case 'http_error':
      return { kind: 'http_error', status: outcome.status, retryAfterMs: outcome.retryAfterMs };
    case 'timeout':
      return { kind: 'timeout' };
    case 'network_error':
      return { kind: 'network_error', detail: outcome.detail };
    case 'bad_body':
      return { kind: 'bad_body', detail: outcome.detail };
    case 'too_large':
      return { kind: 'too_large', maxBytes: outcome.maxBytes };
  }
}
