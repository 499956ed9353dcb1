// Per-webhook in-memory logs of one provider, kept newest first by their time field (`createdAt`
// unless the API says otherwise) as the APIs return them. Among entries with the same createdAt the later-inserted comes first.
// Entries are raw objects (possibly garbage, for invalid-entry tests): one without a
// parseable createdAt sorts as if created when it was appended.

import { isRecord } from '../providers/fields.js';
import { parseIsoTimestamp } from '../providers/timestamp.js';

interface StoredEntry {
  raw: unknown;
  sortKeyMs: number;
}

/** Oldest entries beyond this are dropped so a long demo run does not grow without bound. */
const DEFAULT_MAX_ENTRIES_PER_WEBHOOK = 10_000;

export class LogStore {
  private readonly logs = new Map<string, StoredEntry[]>();

  /** `idField` names the entry id (`_id`, `id`), `createdAtField` its time. */
  constructor(
    private readonly idField: string,
    private readonly createdAtField = 'createdAt',
    private readonly maxEntriesPerWebhook = DEFAULT_MAX_ENTRIES_PER_WEBHOOK,
  ) {}

  addWebhook(webhookId: string): void {
    if (!this.logs.has(webhookId)) this.logs.set(webhookId, []);
  }

  hasWebhook(webhookId: string): boolean {
    return this.logs.has(webhookId);
  }

  webhookIds(): string[] {
    return [...this.logs.keys()];
  }

  append(webhookId: string, entries: readonly unknown[], nowMs: number): void {
    const log = this.log(webhookId);
    for (const entry of entries) {
      const raw = structuredClone(entry);
      insertNewestFirst(log, { raw, sortKeyMs: this.createdAtMs(raw) ?? nowMs });
    }
    log.splice(this.maxEntriesPerWebhook);
  }

  /** Merges `patch` into the entry with this id (e.g. pending → failed), keeping its place unless createdAt changes. */
  update(webhookId: string, logId: string, patch: object): void {
    const log = this.log(webhookId);
    // Ids may be numbers in the raw entry (GitHub, GitLab); the exporter knows them as strings.
    const index = log.findIndex((stored) => isRecord(stored.raw) && String(stored.raw[this.idField]) === logId);
    const stored = log[index];
    if (stored === undefined) throw new Error(`no log entry ${logId} in webhook ${webhookId}`);
    const raw = { ...(stored.raw as object), ...structuredClone(patch) };
    const sortKeyMs = this.createdAtMs(raw) ?? stored.sortKeyMs;
    if (sortKeyMs === stored.sortKeyMs) {
      log[index] = { raw, sortKeyMs };
      return;
    }
    log.splice(index, 1);
    insertNewestFirst(log, { raw, sortKeyMs });
  }

  /** Drops entries created before `cutoffMs` (retention). */
  dropOlderThan(webhookId: string, cutoffMs: number): void {
    const log = this.log(webhookId);
    const firstTooOld = log.findIndex((stored) => stored.sortKeyMs < cutoffMs);
    if (firstTooOld >= 0) log.splice(firstTooOld);
  }

  /** Copies of the entries, newest first, so callers cannot change the log by accident. */
  entries(webhookId: string): unknown[] {
    return this.log(webhookId).map((stored) => structuredClone(stored.raw));
  }

  private createdAtMs(raw: unknown): number | undefined {
    return isRecord(raw) ? parseIsoTimestamp(raw[this.createdAtField]) : undefined;
  }

  private log(webhookId: string): StoredEntry[] {
    const log = this.logs.get(webhookId);
    if (log === undefined) throw new Error(`unknown webhook ${webhookId}: call addWebhook first`);
    return log;
  }
}

/** Binary search for the first entry not newer than this one, so it goes ahead of equal timestamps. */
function insertNewestFirst(log: StoredEntry[], entry: StoredEntry): void {
  let low = 0;
  let high = log.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((log[middle] as StoredEntry).sortKeyMs > entry.sortKeyMs) low = middle + 1;
    else high = middle;
  }
  log.splice(low, 0, entry);
}
