// A reference model of the counting rules (docs/counting.md), written from the document, not
// from src/poller: given what each page request of a read returned (the
// provider's log at that moment, read from the simulator) it says exactly what every delivery
// counter and the gap counter must hold. It remembers every id forever; the exporter may forget
// ids below the lookback floor, and the two must agree because nothing below the floor counts.
//
// Choices where docs/counting.md allows more than one outcome (see the model test's header):
// - the pages of a read that come before a failed page take effect (counted, marked, pending
//   held); what needs a complete read (first-read done, newest seen, gap) does not;
// - a first read with `startFrom: now` holds as pending only entries at or above its floor.

import type { Sample } from '../../helpers/exposition.js';

export type ProviderKind = 'salesfinity' | 'baanx';

export interface ModelSettings {
  startFrom: 'now' | 'backfill';
  lookbackMs: number;
}

export interface ModelWebhook {
  source: string;
  provider: ProviderKind;
  webhookId: string;
  /** Salesfinity pageSize or Baanx limit. */
  pageSize: number;
  /** Salesfinity only. */
  maxPages: number;
}

/** One logs request the exporter made during a read, and the log as the provider held it then. */
export interface PageRequest {
  page: number;
  faulted: boolean;
  /** The whole log, newest first, as the provider answered from (before slicing). */
  log: readonly unknown[];
}

/** What the model knows about one entry, from the fields the providers' APIs document. */
interface Attempt {
  id: string;
  createdAtMs: number;
  finished: boolean;
  status: string;
  event: string;
  code: string;
  hasDuration: boolean;
  attemptNumber: number | undefined;
  nextRetryAt: string | null | undefined;
}

interface Memory {
  /** A read of this webhook has completed (so `startFrom` no longer applies). */
  completedRead: boolean;
  /** Newest createdAt returned by a completed read. */
  newestSeenMs: number | undefined;
  /** Finished ids counted or marked. */
  handled: Set<string>;
  /** Ids last read as pending or processing, with createdAt. */
  pending: Map<string, number>;
}

export interface ReadVerdict {
  failed: boolean;
  gap: boolean;
  counted: number;
}

/** Thrown when the exporter stopped paging above where docs/counting.md says a read must reach. */
export class StoppedTooEarly extends Error {}

export class CountingModel {
  private readonly memory = new Map<string, Memory>();
  /** Series key → value, for the current process (a restart is a counter reset). */
  private counters = new Map<string, number>();

  constructor(
    private readonly settings: ModelSettings,
    private readonly webhooks: readonly ModelWebhook[],
  ) {
    this.forget();
  }

  /** A restart: counters start again; memory survives only with a state file. */
  restart({ keepState }: { keepState: boolean }): void {
    this.counters = new Map();
    if (!keepState) this.forget();
  }

  read(webhookId: string, requests: readonly PageRequest[]): ReadVerdict {
    const webhook = this.webhooks.find((w) => w.webhookId === webhookId);
    if (!webhook) throw new Error(`model has no webhook ${webhookId}`);
    const memory = this.memory.get(webhookId) as Memory;
    const paginated = webhook.provider === 'salesfinity';
    const firstRead = !memory.completedRead;
    const counting = !firstRead || this.settings.startFrom === 'backfill';
    const markingNow = firstRead && this.settings.startFrom === 'now';
    // "Entries up to `lookback` older than the newest seen are re-read"; older unknown ones are too late.
    let floorMs = !firstRead && memory.newestSeenMs !== undefined ? memory.newestSeenMs - this.settings.lookbackMs : -Infinity;
    const knownBefore = new Set([...memory.handled, ...memory.pending.keys()]);
    const verdict: ReadVerdict = { failed: requests.some((r) => r.faulted), gap: false, counted: 0 };
    let newestMs = -Infinity;
    let oldestMs = Infinity;
    let returned = 0;
    const returnedIds = new Set<string>();
    let anyKnown = false;
    let pagesRead = 0;
    let morePages = false;
    let floorSet = !markingNow;

    for (let page = 1; !paginated || page <= webhook.maxPages; page++) {
      const request = requests.find((r) => r.page === page);
      if (!request) throw new StoppedTooEarly(`${webhook.source}: the read stopped before page ${page}, above the lookback floor`);
      if (request.faulted) return verdict;
      const entries = request.log.slice((page - 1) * webhook.pageSize, page * webhook.pageSize).map(toAttempt);
      pagesRead = page;
      returned += entries.length;
      morePages = paginated && page < Math.ceil(request.log.length / webhook.pageSize);
      // `now` marks "down to the lookback floor" below the newest entry there is.
      if (!floorSet && entries.length > 0) {
        floorMs = Math.max(...entries.map((e) => e.createdAtMs)) - this.settings.lookbackMs;
        floorSet = true;
      }
      for (const attempt of entries) {
        newestMs = Math.max(newestMs, attempt.createdAtMs);
        oldestMs = Math.min(oldestMs, attempt.createdAtMs);
        if (knownBefore.has(attempt.id)) anyKnown = true;
        returnedIds.add(attempt.id);
        verdict.counted += this.handle(webhook, memory, attempt, floorMs, counting);
      }
      if (!paginated || !morePages) break;
      // Past the floor and every held pending entry: nothing further down can count.
      const depthMs = Math.min(floorMs, ...memory.pending.values());
      if (Math.min(...entries.map((e) => e.createdAtMs)) < depthMs) break;
    }
    if (verdict.failed) return verdict;

    if (paginated) {
      // "A read cut short by maxPages": it stopped with more pages left and had not reached the floor.
      verdict.gap = !markingNow && pagesRead === webhook.maxPages && morePages && oldestMs >= floorMs;
    } else {
      // "A non-paginated read with no known entry", when the read could hold no more (a shorter
      // answer is the whole log): entries behind it were never read. On a first read that matters
      // only to backfill, which promises the whole log; `now` wants none of it.
      verdict.gap = (!firstRead || this.settings.startFrom === 'backfill') && returned === webhook.pageSize && !anyKnown;
    }
    // A held pending entry that the read covered but did not return has left the log (retention),
    // and one older than a full unpaginated read has been pushed out of reach: its outcome can never
    // be counted ("could have missed"). Covered: everything, once the read reached the end of the
    // log; else strictly above the oldest entry read (ties may sit on the next page).
    const coveredAboveMs = !paginated || !morePages ? -Infinity : oldestMs;
    for (const [id, createdAtMs] of memory.pending) {
      if (returnedIds.has(id) || createdAtMs <= coveredAboveMs) continue;
      memory.pending.delete(id);
      verdict.gap = true;
    }
    if (verdict.gap) this.add(['webhook_exporter_gaps_total', { source: webhook.source, webhook_id: webhookId }]);
    memory.completedRead = true;
    if (newestMs > (memory.newestSeenMs ?? -Infinity)) memory.newestSeenMs = newestMs;
    return verdict;
  }

  /** The series the exporter must show, in `sampleKey` form, zeros left out. */
  expected(): Map<string, number> {
    return new Map(this.counters);
  }

  private handle(webhook: ModelWebhook, memory: Memory, attempt: Attempt, floorMs: number, counting: boolean): number {
    if (memory.pending.has(attempt.id)) {
      if (!attempt.finished) return 0;
      // Held while pending: counted when a later read shows it finished, whatever startFrom said.
      memory.pending.delete(attempt.id);
      memory.handled.add(attempt.id);
      this.count(webhook, attempt);
      return 1;
    }
    if (memory.handled.has(attempt.id) || attempt.createdAtMs < floorMs) return 0;
    if (!attempt.finished) {
      memory.pending.set(attempt.id, attempt.createdAtMs);
      return 0;
    }
    memory.handled.add(attempt.id);
    if (!counting) return 0;
    this.count(webhook, attempt);
    return 1;
  }

  private count(webhook: ModelWebhook, attempt: Attempt): void {
    const labels = { source: webhook.source, provider: webhook.provider, webhook_id: webhook.webhookId, event: attempt.event };
    const withStatus = { ...labels, status: attempt.status };
    this.add(['webhook_deliveries_total', { ...withStatus, http_status_code: attempt.code }]);
    if (attempt.hasDuration) this.add(['webhook_delivery_duration_seconds_count', withStatus]);
    if (attempt.attemptNumber !== undefined && attempt.attemptNumber > 1) this.add(['webhook_delivery_retries_total', withStatus]);
    // Only Baanx reports retry schedules; null there means no retry follows.
    if (webhook.provider === 'baanx' && attempt.status === 'failed' && attempt.nextRetryAt === null) {
      this.add(['webhook_deliveries_exhausted_total', labels]);
    }
  }

  private add([name, labels]: [string, Record<string, string>]): void {
    const key = sampleKey(name, labels);
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
  }

  private forget(): void {
    for (const { webhookId } of this.webhooks) {
      this.memory.set(webhookId, { completedRead: false, newestSeenMs: undefined, handled: new Set(), pending: new Map() });
    }
  }
}

/** The metric families the model predicts. */
export const MODELLED_METRICS = [
  'webhook_deliveries_total',
  'webhook_delivery_duration_seconds_count',
  'webhook_delivery_retries_total',
  'webhook_deliveries_exhausted_total',
  'webhook_exporter_gaps_total',
] as const;

/** One string per series: the name and its labels in a fixed order (OTel scope labels left out). */
export function sampleKey(name: string, labels: Record<string, string>): string {
  const own = Object.entries(labels).filter(([label]) => !label.startsWith('otel_scope_'));
  own.sort(([a], [b]) => a.localeCompare(b));
  return `${name}{${own.map(([label, value]) => `${label}="${value}"`).join(',')}}`;
}

/** The exporter's side in the same form: modelled families only, zeros left out. */
export function observedSeries(samples: readonly Sample[]): Map<string, number> {
  const observed = new Map<string, number>();
  for (const sample of samples) {
    if (!(MODELLED_METRICS as readonly string[]).includes(sample.name) || sample.value === 0) continue;
    observed.set(sampleKey(sample.name, sample.labels), sample.value);
  }
  return observed;
}

/** The providers' documented fields, read directly: `_id`/`status`/`response.code`/`responseTime` or `id`/`deliveryStatus`/…  */
function toAttempt(raw: unknown): Attempt {
  const entry = raw as Record<string, unknown>;
  const salesfinity = '_id' in entry;
  const status = String(salesfinity ? entry.status : entry.deliveryStatus);
  const code = salesfinity ? (entry.response as { code?: number } | undefined)?.code : entry.responseStatus;
  const duration = salesfinity ? entry.responseTime : entry.durationMs;
  const event = salesfinity ? entry.event : (entry.requestBody as { eventType?: string }).eventType;
  return {
    id: String(salesfinity ? entry._id : entry.id),
    createdAtMs: Date.parse(String(entry.createdAt)),
    finished: status === 'success' || status === 'failed',
    status,
    event: String(event),
    code: typeof code === 'number' ? String(code) : 'none',
    hasDuration: typeof duration === 'number',
    attemptNumber: salesfinity ? undefined : (entry.attemptNumber as number),
    nextRetryAt: salesfinity ? undefined : (entry.nextRetryAt as string | null),
  };
}
