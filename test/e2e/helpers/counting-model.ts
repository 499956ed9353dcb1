// A reference model of the counting rules (docs/counting.md) and of each provider's mapping
// (docs/providers.md), written from the documents, not from src/poller or the adapters: given what
// each page request of a read returned it says exactly what every delivery counter and the gap
// counter must hold. For Salesfinity and Baanx "what a page returned" is the provider's log at that
// moment, read from the simulator and sliced as their page numbers or `limit` say; for GitHub,
// GitLab and Svix it is the answer itself (status, headers, body) as the exporter received it, with
// the next page where the provider's paging puts it: the `Link` header's `rel="next"` (GitHub),
// `x-next-page` (GitLab), the body's `iterator` and `done` (Svix). The model checks that every
// page the exporter asked for is the one the previous answer named. It remembers every id forever;
// the exporter may forget ids below the lookback floor, and the two must agree because nothing
// below the floor counts.
//
// Choices where the documents allow more than one outcome (see the model test's header):
// - the pages of a read that come before a failed page take effect (counted, marked, pending
//   held, canceled ones let go); what needs a complete read (first-read done, newest seen, gap) does not;
// - a first read with `startFrom: now` holds as pending only entries at or above its floor;
// - a Svix canceled attempt (status 4) is no delivery: it has no place among the read's entries
//   (not counted, not held, no time for the floor or the page-limit rules); one held as pending is
//   let go without a gap (docs/providers.md, Svix mapping);
// - a described API's ignored entry (`provider: http`, status.ignore) is withdrawn as a Svix canceled
//   one is, except that on a newest-N read it is one of the N entries: a read of N entries is full
//   whatever they are, so older ones may exist;
// - a GitHub first page answered 304 ends the read as a successful poll that changes nothing
//   (docs/providers.md, "What a poll costs"): no count, no gap, the newest seen stays. Only a read
//   after a completed one may be conditional (the ETag is kept in memory only).

import type { Sample } from '../../helpers/exposition.js';
import type { RecordedAnswer } from './recording-dispatcher.js';

/** `http`: an API described in the config; its pages come to the model already read (PageRequest.view). */
export type ProviderKind = 'salesfinity' | 'baanx' | 'github' | 'gitlab' | 'svix' | 'http';

export interface ModelSettings {
  startFrom: 'now' | 'backfill';
  lookbackMs: number;
}

export interface ModelWebhook {
  source: string;
  provider: ProviderKind;
  webhookId: string;
  /** pageSize, or Baanx's limit. */
  pageSize: number;
  /** Paged providers only. */
  maxPages: number;
  /** One request per read, for the newest `pageSize` entries (Baanx always; a described API whose paging says so). */
  newestN?: boolean;
}

/** One logs request the exporter made during a read, and what it got. */
export interface PageRequest {
  /** 1 for the first request of the read, 2 for the next… (Salesfinity: its page number). */
  page: number;
  faulted: boolean;
  /**
   * Salesfinity and Baanx: the whole log, newest first, as the provider answered from (before
   * slicing). GitHub, optionally: the log when the request arrived, to note late entries a 304 leaves unread.
   */
  log?: readonly unknown[];
  /** GitHub, GitLab and Svix: the answer as the exporter received it. */
  answer?: RecordedAnswer;
  /** A described API: the page as the test's own server answered it, read by the test from what it served. */
  view?: PageView;
}

/** What the model knows about one entry, from the fields the providers' APIs document. */
export interface Attempt {
  id: string;
  createdAtMs: number;
  finished: boolean;
  status: string;
  event: string;
  code: string;
  hasDuration: boolean;
  /** Counts in webhook_delivery_retries_total. */
  retry: boolean;
  /** Counts in webhook_deliveries_exhausted_total (a failure the provider will not try again). */
  exhausted: boolean;
}

/** One page as the model reads it. */
export interface PageView {
  attempts: Attempt[];
  /** Ids the provider says will never be deliveries (Svix canceled attempts). */
  withdrawn: string[];
  /** The provider says there is an older page. */
  more: boolean;
  /** A conditional first page answered 304. */
  notModified: boolean;
  /** Where the provider says the next page is, in the terms `asked` uses. */
  next: string | undefined;
  /** Which page the request asked for: undefined for the newest. */
  asked: string | undefined;
}

interface Memory {
  /** A read of this webhook has completed (so `startFrom` no longer applies). */
  completedRead: boolean;
  /** Newest createdAt returned by a completed read. */
  newestSeenMs: number | undefined;
  /** Finished ids counted or marked. */
  handled: Set<string>;
  /** Ids last read as unfinished (pending, processing, sending), with createdAt. */
  pending: Map<string, number>;
}

export interface ReadVerdict {
  failed: boolean;
  gap: boolean;
  counted: number;
}

/** How often each rule was exercised, by provider: a history generator that never reaches a rule tests nothing. */
export type ModelCoverage = Record<string, Record<string, number>>;

/** Thrown when the exporter stopped paging above where docs/counting.md says a read must reach. */
export class StoppedTooEarly extends Error {}

/** Thrown when the exporter asked for a page other than the one the provider's paging names. */
export class WrongPage extends Error {}

export class CountingModel {
  private readonly memory = new Map<string, Memory>();
  /**
   * The ETag of the first page of each webhook's last complete read in this process: the only one
   * a conditional request may send (README, "Unchanged logs cost nothing more": kept in memory, so
   * a restart reads in full; a failed read leaves it as it was, since its pages may not be skipped).
   */
  private readonly etags = new Map<string, string>();
  /** Shared by all models given the same object. */
  private readonly coverage: ModelCoverage;
  /** Series key → value, for the current process (a restart is a counter reset). */
  private counters = new Map<string, number>();

  constructor(
    private readonly settings: ModelSettings,
    private readonly webhooks: readonly ModelWebhook[],
    coverage: ModelCoverage = {},
  ) {
    this.coverage = coverage;
    this.forget();
  }

  private note(webhook: ModelWebhook, what: string, times = 1): void {
    const byProvider = (this.coverage[webhook.provider] ??= {});
    byProvider[what] = (byProvider[what] ?? 0) + times;
  }

  /** A restart: counters start again; memory survives only with a state file. */
  restart({ keepState }: { keepState: boolean }): void {
    this.counters = new Map();
    this.etags.clear();
    if (!keepState) this.forget();
  }

  read(webhookId: string, requests: readonly PageRequest[]): ReadVerdict {
    const webhook = this.webhooks.find((w) => w.webhookId === webhookId);
    if (!webhook) throw new Error(`model has no webhook ${webhookId}`);
    const memory = this.memory.get(webhookId) as Memory;
    const paginated = !(webhook.newestN ?? webhook.provider === 'baanx');
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
    let named: string | undefined;
    let firstPageEtag: string | undefined;

    for (let page = 1; !paginated || page <= webhook.maxPages; page++) {
      const request = requests.find((r) => r.page === page);
      if (!request) throw new StoppedTooEarly(`${webhook.source}: the read stopped before page ${page}, above the lookback floor`);
      if (request.faulted) {
        this.note(webhook, 'failed read');
        return verdict;
      }
      const view = pageView(webhook, request, page);
      if (view.notModified) {
        const etag = this.etags.get(webhookId);
        if (page !== 1 || firstRead || etag === undefined || request.answer?.headers.etag !== etag) {
          throw new WrongPage(
            `${webhook.source}: 304 (ETag ${request.answer?.headers.etag}) to page ${page}; only a first page unchanged ` +
              `since the last complete read in this process (ETag ${etag}) may be skipped`,
          );
        }
        // "A 304 ends the read as a successful poll": nothing at the head changed since the last complete read.
        this.note(webhook, 'first page not modified');
        const waiting = this.waitingBelow(webhook, memory, request.log, floorMs);
        if (waiting > 0) this.note(webhook, 'late entry below an unchanged first page, left for a later read', waiting);
        return verdict;
      }
      if (view.asked !== (page === 1 ? undefined : named)) {
        throw new WrongPage(`${webhook.source}: page ${page} asked for ${view.asked ?? 'the newest page'}, the provider named ${page === 1 ? 'the newest page' : named}`);
      }
      named = view.next;
      if (page === 1) firstPageEtag = request.answer?.headers.etag;
      if (page > 1) this.note(webhook, 'later page read');
      const entries = view.attempts;
      pagesRead = page;
      returned += entries.length + view.withdrawn.length;
      morePages = paginated && view.more;
      // A held attempt the provider canceled is let go: never a delivery, and not lost either.
      if (view.withdrawn.length > 0) this.note(webhook, 'canceled attempt read', view.withdrawn.length);
      for (const id of view.withdrawn) if (memory.pending.delete(id)) this.note(webhook, 'held attempt canceled');
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
    if (firstPageEtag === undefined) this.etags.delete(webhookId);
    else this.etags.set(webhookId, firstPageEtag);

    if (paginated) {
      // "A read cut short by maxPages": it stopped with more pages left and had not reached the floor.
      verdict.gap = !markingNow && pagesRead === webhook.maxPages && morePages && oldestMs >= floorMs;
      if (verdict.gap) this.note(webhook, 'page-limit gap');
    } else {
      // "A non-paginated read with no known entry", when the read could hold no more (a shorter
      // answer is the whole log): entries behind it were never read. On a first read that matters
      // only to backfill, which promises the whole log; `now` wants none of it.
      // Not when it reached below the floor: what lies behind it is too late to count anyway.
      verdict.gap = (!firstRead || this.settings.startFrom === 'backfill') && returned === webhook.pageSize && !anyKnown && (firstRead || oldestMs >= floorMs);
      if (verdict.gap) this.note(webhook, 'full-read gap');
    }
    // A held pending entry that the read covered but did not return has left the log (retention),
    // and one older than a full unpaginated read has been pushed out of reach: its outcome can never
    // be counted ("could have missed"). Covered: everything, once the read reached the end of the
    // log; else strictly above the oldest entry read (ties may sit on the next page).
    const coveredAboveMs = !paginated || !morePages ? -Infinity : oldestMs;
    for (const [id, createdAtMs] of memory.pending) {
      if (returnedIds.has(id) || createdAtMs <= coveredAboveMs) continue;
      memory.pending.delete(id);
      this.note(webhook, 'unfinished gone gap');
      verdict.gap = true;
    }
    if (verdict.gap) this.add(['webhook_exporter_gaps_total', { source: webhook.source, webhook_id: webhookId }]);
    memory.completedRead = true;
    if (newestMs > (memory.newestSeenMs ?? -Infinity)) memory.newestSeenMs = newestMs;
    return verdict;
  }

  /**
   * GitHub, when its first page answered 304: finished entries of the whole log (as the simulator
   * held it) that are unknown and at or above the floor. A full read would count them now; after
   * the 304 they wait for a read whose first page has changed.
   */
  private waitingBelow(webhook: ModelWebhook, memory: Memory, log: readonly unknown[] | undefined, floorMs: number): number {
    if (webhook.provider !== 'github' || log === undefined) return 0;
    return log.map(githubAttempt).filter((a) => !memory.handled.has(a.id) && !memory.pending.has(a.id) && a.createdAtMs >= floorMs).length;
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
      this.note(webhook, 'held, then counted');
      this.count(webhook, attempt);
      return 1;
    }
    if (memory.handled.has(attempt.id)) return 0;
    if (attempt.createdAtMs < floorMs) {
      this.note(webhook, 'too late');
      return 0;
    }
    if (!attempt.finished) {
      this.note(webhook, 'held');
      memory.pending.set(attempt.id, attempt.createdAtMs);
      return 0;
    }
    memory.handled.add(attempt.id);
    if (!counting) {
      this.note(webhook, 'marked, not counted');
      return 0;
    }
    this.count(webhook, attempt);
    return 1;
  }

  private count(webhook: ModelWebhook, attempt: Attempt): void {
    const labels = { source: webhook.source, provider: webhook.provider, webhook_id: webhook.webhookId, event: attempt.event };
    const withStatus = { ...labels, status: attempt.status };
    this.add(['webhook_deliveries_total', { ...withStatus, http_status_code: attempt.code }]);
    this.note(webhook, `counted ${attempt.status}`);
    if (attempt.code === 'none') this.note(webhook, 'counted without a response');
    if (attempt.hasDuration) this.add(['webhook_delivery_duration_seconds_count', withStatus]);
    if (attempt.retry) {
      this.add(['webhook_delivery_retries_total', withStatus]);
      this.note(webhook, 'counted retry');
    }
    if (attempt.exhausted) {
      this.add(['webhook_deliveries_exhausted_total', labels]);
      this.note(webhook, 'counted exhausted');
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

// ---- Pages, as each provider's paging is documented (docs/providers.md, "Paging") ----

function pageView(webhook: ModelWebhook, request: PageRequest, page: number): PageView {
  const none = { withdrawn: [], notModified: false, next: undefined, asked: undefined };
  switch (webhook.provider) {
    case 'salesfinity':
    case 'baanx': {
      const log = request.log ?? [];
      const entries = log.slice((page - 1) * webhook.pageSize, page * webhook.pageSize).map(toAttempt);
      const more = webhook.provider === 'salesfinity' && page < Math.ceil(log.length / webhook.pageSize);
      return { ...none, attempts: entries, more };
    }
    case 'github':
      return githubPage(answerOf(webhook, request));
    case 'gitlab':
      return gitlabPage(answerOf(webhook, request));
    case 'svix':
      return svixPage(answerOf(webhook, request));
    case 'http':
      if (request.view === undefined) throw new Error(`${webhook.source}: page ${request.page} has no view`);
      return request.view;
  }
}

function answerOf(webhook: ModelWebhook, request: PageRequest): RecordedAnswer {
  if (request.answer === undefined) throw new Error(`${webhook.source}: page ${request.page} has no recorded answer`);
  return request.answer;
}

function queryOf(path: string): URLSearchParams {
  return new URL(path, 'http://model.invalid').searchParams;
}

/** A bare array newest first; the next page is the `rel="next"` URL of the `Link` header, followed as given. */
function githubPage(answer: RecordedAnswer): PageView {
  const asked = queryOf(answer.path).has('cursor') ? answer.path : undefined;
  if (answer.status === 304) return { attempts: [], withdrawn: [], more: false, notModified: true, next: undefined, asked };
  const link = /<([^>]+)>\s*;\s*rel="next"/.exec(answer.headers.link ?? '')?.[1];
  const next = link === undefined ? undefined : ((url) => url.pathname + url.search)(new URL(link));
  return { attempts: arrayBody(answer).map(githubAttempt), withdrawn: [], more: next !== undefined, notModified: false, next, asked };
}

/** A bare array newest first; the next page number is `x-next-page`, empty on the last page. */
function gitlabPage(answer: RecordedAnswer): PageView {
  const pageAsked = queryOf(answer.path).get('page');
  const next = answer.headers['x-next-page'] || undefined;
  const asked = pageAsked === null || pageAsked === '1' ? undefined : pageAsked;
  return { attempts: arrayBody(answer).map(gitlabAttempt), withdrawn: [], more: next !== undefined, notModified: false, next, asked };
}

/** `{data, iterator, done}`: `iterator` names the next, older page, `done: true` ends the log. Canceled attempts are no deliveries. */
function svixPage(answer: RecordedAnswer): PageView {
  const body = answer.body as { data: Array<Record<string, unknown>>; iterator: string | null; done: boolean };
  if (!Array.isArray(body?.data)) throw new Error(`svix answered ${answer.status} without data: ${JSON.stringify(answer.body)}`);
  const canceled = (entry: Record<string, unknown>) => entry.status === 4;
  const next = body.done || !body.iterator ? undefined : body.iterator;
  return {
    attempts: body.data.filter((entry) => !canceled(entry)).map(svixAttempt),
    withdrawn: body.data.filter(canceled).map((entry) => String(entry.id)),
    more: next !== undefined,
    notModified: false,
    next,
    asked: queryOf(answer.path).get('iterator') ?? undefined,
  };
}

function arrayBody(answer: RecordedAnswer): unknown[] {
  if (!Array.isArray(answer.body)) throw new Error(`answer ${answer.status} to ${answer.path} is not an array: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

// ---- Entries, as each provider's mapping is documented (docs/providers.md, "Mapping") ----

/** Salesfinity `_id`/`status`/`response.code`/`responseTime`, or Baanx `id`/`deliveryStatus`/…  */
function toAttempt(raw: unknown): Attempt {
  const entry = raw as Record<string, unknown>;
  const salesfinity = '_id' in entry;
  const status = String(salesfinity ? entry.status : entry.deliveryStatus);
  const code = salesfinity ? (entry.response as { code?: number } | undefined)?.code : entry.responseStatus;
  const duration = salesfinity ? entry.responseTime : entry.durationMs;
  const event = salesfinity ? entry.event : (entry.requestBody as { eventType?: string }).eventType;
  const attemptNumber = salesfinity ? undefined : (entry.attemptNumber as number);
  return {
    id: String(salesfinity ? entry._id : entry.id),
    createdAtMs: Date.parse(String(entry.createdAt)),
    finished: status === 'success' || status === 'failed',
    status,
    event: String(event),
    code: typeof code === 'number' ? String(code) : 'none',
    hasDuration: typeof duration === 'number',
    retry: attemptNumber !== undefined && attemptNumber > 1,
    // Only Baanx reports retry schedules; `nextRetryAt` null there means no retry follows.
    exhausted: !salesfinity && status === 'failed' && entry.nextRetryAt === null,
  };
}

/** Success is a 2xx `status_code`, 0 is no response; a redelivery is a retry; GitHub never retries, so every failure is final. */
function githubAttempt(raw: unknown): Attempt {
  const entry = raw as Record<string, unknown>;
  const code = entry.status_code as number;
  const status = code >= 200 && code <= 299 ? 'success' : 'failed';
  return {
    id: String(entry.id),
    createdAtMs: Date.parse(String(entry.delivered_at)),
    finished: true,
    status,
    event: String(entry.event),
    code: code === 0 ? 'none' : String(code),
    hasDuration: typeof entry.duration === 'number',
    retry: entry.redelivery === true,
    exhausted: status === 'failed',
  };
}

/** `response_status`: three digits are the receiver's status (2xx success), other text a failure without one; every failure is final. */
function gitlabAttempt(raw: unknown): Attempt {
  const entry = raw as Record<string, unknown>;
  const text = String(entry.response_status);
  const digits = /^\d{3}$/.test(text);
  const status = digits && text.startsWith('2') ? 'success' : 'failed';
  return {
    id: String(entry.id),
    createdAtMs: Date.parse(String(entry.created_at)),
    finished: true,
    status,
    event: String(entry.trigger),
    code: digits ? text : 'none',
    hasDuration: typeof entry.execution_duration === 'number',
    retry: false,
    exhausted: status === 'failed',
  };
}

/** `status` 0 success, 2 fail, 1 pending and 3 sending unfinished; a manual re-send (`triggerType` 1) is a retry; no retry schedule. */
function svixAttempt(raw: unknown): Attempt {
  const entry = raw as Record<string, unknown>;
  const code = entry.responseStatusCode as number;
  return {
    id: String(entry.id),
    createdAtMs: Date.parse(String(entry.timestamp)),
    finished: entry.status === 0 || entry.status === 2,
    status: entry.status === 0 ? 'success' : entry.status === 2 ? 'failed' : 'pending',
    event: String((entry.msg as { eventType?: string } | undefined)?.eventType ?? 'unknown'),
    code: code === 0 ? 'none' : String(code),
    hasDuration: typeof entry.responseDurationMs === 'number',
    retry: entry.triggerType === 1,
    exhausted: false,
  };
}

/** A history of operations against a real exporter, compared with the model after every step. */
export interface ModelledHistory<O> {
  start(): Promise<void>;
  stop(): Promise<void>;
  apply(op: O): Promise<void>;
  compare(step: string): Promise<void>;
}

/** Runs one history, comparing after every step; the exporter is stopped whatever happens. */
export async function runModelledHistory<O>(history: ModelledHistory<O>, ops: readonly O[]): Promise<void> {
  await history.start();
  try {
    await history.compare('start');
    for (const [index, op] of ops.entries()) {
      await history.apply(op);
      await history.compare(`step ${index} ${JSON.stringify(op)}`);
    }
  } finally {
    await history.stop();
  }
}
