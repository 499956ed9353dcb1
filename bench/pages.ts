// Realistic provider pages for the ingest and scale benchmarks: entries made by the simulator's
// builders (20 % failures), then re-stamped with fresh ids and advancing times, so every page holds
// entries the exporter has not seen. Re-stamping a pool is what keeps 1M entries cheap to make (the
// Baanx builder signs each entry: ~30 µs). Salesfinity and Baanx entries carry ~1 KB payloads; the
// GitHub, GitLab and Svix entries are as large as their builders make them (a GitHub list item has
// no payload at all), since that is what their list endpoints send.

import {
  createBaanxAdapter,
  createGithubAdapter,
  createGitlabAdapter,
  createSalesfinityAdapter,
  createSvixAdapter,
  type ProviderAdapter,
  type BuiltInProvider,
} from '../src/providers/index.js';
import type { GithubHookDeliveryItem } from '../src/providers/github/types.js';
import type { GitlabHookEvent } from '../src/providers/gitlab/types.js';
import { SVIX_STATUS, SVIX_TRIGGER, SVIX_WITHHELD_CONTENT, type SvixMessageAttempt } from '../src/providers/svix/types.js';
import {
  baanxEntry,
  GITHUB_FAILURES,
  githubDelivery,
  gitlabEntry,
  gitlabInternalErrorEntry,
  salesfinityEntry,
  SIM_BAANX_TOKEN,
  SIM_GITHUB_TOKEN,
  SIM_GITLAB_TOKEN,
  SIM_SALESFINITY_API_KEY,
  SIM_SVIX_TOKEN,
  svixAttempt,
  svixConnectError,
  svixId,
  svixTimestamp,
} from '../src/simulator/index.js';
import { GITHUB_EVENTS, githubTimestamp } from '../src/simulator/github-entries.js';
import { GITLAB_TRIGGERS, gitlabTimestamp } from '../src/simulator/gitlab-entries.js';
import { uuidV4 } from '../src/simulator/ids.js';
import { deriveSeed, mulberry32, type Random } from '../src/simulator/random.js';

/** Entries per Salesfinity and Baanx page (their largest page), and what the scale benchmark reads. */
export const PAGE_SIZE = 100;
/** Entries per page: each provider's default (and largest) page size in the config. */
export const PAGE_SIZES: Readonly<Record<BuiltInProvider, number>> = { salesfinity: PAGE_SIZE, baanx: PAGE_SIZE, github: 100, gitlab: 20, svix: 250 };
const POOL_SIZE = 200;
const FAILURE_EVERY = 5; // one entry in five failed: 20 %

const SALESFINITY_EVENTS = ['CALL_LOGGED', 'CONTACT_CREATED', 'SEQUENCE_COMPLETED', 'MEETING_BOOKED', 'EMAIL_SENT'];
const BAANX_EVENTS = ['kyc.status.changed', 'card.transaction.created', 'card.status.changed', 'wallet.deposit', 'user.updated'];

export interface PageStreamOptions {
  provider: BuiltInProvider;
  webhookId: string;
  /** createdAt of the first entry, Unix ms. */
  startMs: number;
  /** Time between consecutive entries. */
  spacingMs: number;
}

/** One webhook's log as pages of JSON text, each newer than the last. */
export interface PageStream {
  readonly provider: BuiltInProvider;
  readonly webhookId: string;
  readonly adapter: ProviderAdapter;
  /** Entries on every page (PAGE_SIZES[provider]). */
  readonly pageSize: number;
  /** The headers every page comes with (lower-case names), as the provider sends them on a last page. */
  readonly headers: Readonly<Record<string, string>>;
  /** The next page of `pageSize` entries, serialised as the provider's API sends it. */
  nextPage(): string;
}

/** The i-th webhook of a provider, in the form its config accepts (the adapters build URLs from it). */
export function benchWebhookId(provider: BuiltInProvider, i: number): string {
  switch (provider) {
    case 'github':
      return `acme/service-${i}/${400_000_000 + i}`; // OWNER/REPO/HOOK_ID
    case 'gitlab':
      return `project/acme/service-${i}/${9_000 + i}`; // project/PATH/HOOK_ID
    case 'svix':
      return `app_bench${i}/ep_bench${i}`; // APP_ID/ENDPOINT_ID
    default:
      return `${provider}-wh-${i}`;
  }
}

export function createPageStream(options: PageStreamOptions): PageStream {
  switch (options.provider) {
    case 'salesfinity':
      return salesfinityStream(options);
    case 'baanx':
      return baanxStream(options);
    case 'github':
      return githubStream(options);
    case 'gitlab':
      return gitlabStream(options);
    case 'svix':
      return svixStream(options);
  }
}

/** Salesfinity: each read is one complete page (`pages: 1`), so readLog stops there without a gap. */
function salesfinityStream({ webhookId, startMs, spacingMs }: PageStreamOptions): PageStream {
  const pool = Array.from({ length: POOL_SIZE }, (_, i) => salesfinityPoolEntry(i, startMs));
  const stamps = new Stamps(startMs, spacingMs);
  return {
    provider: 'salesfinity',
    webhookId,
    adapter: createSalesfinityAdapter({ baseUrl: 'https://salesfinity.bench.invalid', apiKey: SIM_SALESFINITY_API_KEY, pageSize: PAGE_SIZE, maxPages: 1 }),
    pageSize: PAGE_SIZE,
    headers: {},
    nextPage() {
      const data = stamps.take(PAGE_SIZE).map(({ seq, createdAt }) => ({ ...pool[seq % POOL_SIZE], _id: hexId(seq, 24), createdAt }));
      return JSON.stringify({ data: data.reverse(), pagination: { total: PAGE_SIZE, page: 1, limit: PAGE_SIZE, pages: 1 } });
    },
  };
}

/**
 * Baanx returns the newest `limit` entries; a poll that shares no entry with the previous one is a
 * gap. So, as in steady polling, each page repeats the newest entry of the page before it.
 */
function baanxStream({ webhookId, startMs, spacingMs }: PageStreamOptions): PageStream {
  const pool = Array.from({ length: POOL_SIZE }, (_, i) => baanxPoolEntry(i, startMs));
  const stamps = new Stamps(startMs, spacingMs);
  let previousNewest: object | undefined;
  return {
    provider: 'baanx',
    webhookId,
    adapter: createBaanxAdapter({ baseUrl: 'https://baanx.bench.invalid', bearerToken: SIM_BAANX_TOKEN, limit: PAGE_SIZE }),
    pageSize: PAGE_SIZE,
    headers: {},
    nextPage() {
      const fresh = stamps.take(previousNewest ? PAGE_SIZE - 1 : PAGE_SIZE);
      const logs: object[] = fresh.map(({ seq, createdAt }) => ({ ...pool[seq % POOL_SIZE], id: uuidLike(seq), createdAt }));
      if (previousNewest) logs.unshift(previousNewest);
      previousNewest = logs[logs.length - 1];
      return JSON.stringify({ count: logs.length, logs: logs.reverse() });
    },
  };
}

/**
 * GitHub: a bare array, newest first. No `Link` header, as on the log's last page, so each read is
 * this one page and ends without a gap (as Salesfinity's `pages: 1`). Ids grow with time, as
 * GitHub's do (milliseconds × 1000, the builder's scheme); `delivered_at` has whole seconds.
 */
function githubStream({ webhookId, startMs, spacingMs }: PageStreamOptions): PageStream {
  const random = mulberry32(deriveSeed(1, webhookId));
  const pool = Array.from({ length: POOL_SIZE }, (_, i) => githubPoolEntry(i, startMs, random));
  const stamps = new Stamps(startMs, spacingMs);
  const pageSize = PAGE_SIZES.github;
  return {
    provider: 'github',
    webhookId,
    adapter: createGithubAdapter({ baseUrl: 'https://github.bench.invalid', token: SIM_GITHUB_TOKEN, pageSize, maxPages: 1 }),
    pageSize,
    headers: {},
    nextPage() {
      const items: GithubHookDeliveryItem[] = stamps.take(pageSize).map(({ seq, atMs }) => ({
        ...(pool[seq % POOL_SIZE] as GithubHookDeliveryItem),
        id: atMs * 1000 + (seq % 1000),
        guid: uuidV4(random),
        delivered_at: githubTimestamp(atMs),
      }));
      return JSON.stringify(items.reverse());
    },
  };
}

/**
 * GitLab: a bare array of 20 (per_page's largest), newest first, with `x-next-page` empty as GitLab
 * sends it on the last page, so each read is this one page and ends without a gap. Every entry gets
 * a fresh id, event UUID and `created_at` (whole seconds, with an offset, as GitLab writes it).
 */
function gitlabStream({ webhookId, startMs, spacingMs }: PageStreamOptions): PageStream {
  const random = mulberry32(deriveSeed(2, webhookId));
  const pool = Array.from({ length: POOL_SIZE }, (_, i) => gitlabPoolEntry(i, startMs, random));
  const stamps = new Stamps(startMs, spacingMs);
  const pageSize = PAGE_SIZES.gitlab;
  return {
    provider: 'gitlab',
    webhookId,
    adapter: createGitlabAdapter({ baseUrl: 'https://gitlab.bench.invalid/api/v4', token: SIM_GITLAB_TOKEN, pageSize, maxPages: 1 }),
    pageSize,
    headers: { 'x-page': '1', 'x-per-page': String(pageSize), 'x-next-page': '', 'x-prev-page': '' },
    nextPage() {
      const events: GitlabHookEvent[] = stamps.take(pageSize).map(({ seq, atMs }) => {
        const entry = pool[seq % POOL_SIZE] as GitlabHookEvent;
        return {
          ...entry,
          id: atMs * 1000 + (seq % 1000),
          request_headers: { ...entry.request_headers, 'Idempotency-Key': uuidV4(random), 'X-Gitlab-Event-UUID': uuidV4(random) },
          created_at: gitlabTimestamp(atMs),
        };
      });
      return JSON.stringify(events.reverse());
    },
  };
}

/**
 * Svix: `{data, iterator, prevIterator, done: true}` with 250 attempts (`limit`'s largest), newest
 * first; `done` ends the read at this page. The attempts are shaped as the API answers the adapter's
 * query (`with_msg=true`, `with_content=false`): `response` withheld as `{}`, the message's payload
 * empty. Each gets fresh KSUID ids (attempt and message) and a nanosecond timestamp.
 */
function svixStream({ webhookId, startMs, spacingMs }: PageStreamOptions): PageStream {
  const random = mulberry32(deriveSeed(3, webhookId));
  // One endpoint per webhook (APP_ID/ENDPOINT_ID): every attempt names it.
  const endpointId = webhookId.slice(webhookId.indexOf('/') + 1);
  const pool = Array.from({ length: POOL_SIZE }, (_, i) => ({ ...svixPoolEntry(i, startMs, random), endpointId }));
  const stamps = new Stamps(startMs, spacingMs);
  const pageSize = PAGE_SIZES.svix;
  return {
    provider: 'svix',
    webhookId,
    adapter: createSvixAdapter({ baseUrl: 'https://svix.bench.invalid', token: SIM_SVIX_TOKEN, pageSize, maxPages: 1 }),
    pageSize,
    headers: {},
    nextPage() {
      const data: SvixMessageAttempt[] = stamps.take(pageSize).map(({ seq, atMs }) => {
        const entry = pool[seq % POOL_SIZE] as SvixMessageAttempt;
        const timestamp = svixTimestamp(atMs, random);
        const msgId = svixId('msg', atMs, random);
        return { ...entry, id: svixId('atmpt', atMs, random), msgId, timestamp, msg: entry.msg && { ...entry.msg, id: msgId, timestamp } };
      });
      data.reverse();
      return JSON.stringify({ data, iterator: data[data.length - 1]?.id ?? null, prevIterator: `-${data[0]?.id}`, done: true });
    },
  };
}

/** Sequence numbers and times (Unix ms and ISO), oldest first. */
class Stamps {
  private seq = 0;
  constructor(
    private readonly startMs: number,
    private readonly spacingMs: number,
  ) {}

  take(count: number): Array<{ seq: number; atMs: number; createdAt: string }> {
    return Array.from({ length: count }, () => {
      const seq = this.seq++;
      const atMs = this.startMs + seq * this.spacingMs;
      return { seq, atMs, createdAt: new Date(atMs).toISOString() };
    });
  }
}

function salesfinityPoolEntry(i: number, nowMs: number): object {
  const event = SALESFINITY_EVENTS[i % SALESFINITY_EVENTS.length] as string;
  const failed = i % FAILURE_EVERY === FAILURE_EVERY - 1;
  return salesfinityEntry(
    {
      event,
      status: failed ? 'failed' : 'success',
      // A payload the size of a real CRM event, which brings the entry to about 1 KB.
      request: { body: { event, payload: crmPayload(i) } },
      response: failed ? { code: 502, body: { error: 'Bad Gateway', message: 'upstream connect error or disconnect/reset before headers' } } : { code: 200, body: { received: true } },
      responseTime: 80 + ((i * 37) % 900),
    },
    { nowMs },
  );
}

function baanxPoolEntry(i: number, nowMs: number): object {
  const failed = i % FAILURE_EVERY === FAILURE_EVERY - 1;
  return baanxEntry(
    {
      requestBody: cardEventBody(BAANX_EVENTS[i % BAANX_EVENTS.length] as string, i),
      attemptNumber: failed ? 1 + (i % 3) : 1,
      responseStatus: failed ? 503 : 200,
      responseBody: failed ? '{"error":"service unavailable","retryable":true}' : '{"received": true}',
      errorMessage: failed ? 'receiver answered 503 Service Unavailable' : null,
      deliveryStatus: failed ? 'failed' : 'success',
      durationMs: 40 + ((i * 53) % 1500),
      nextRetryAt: failed && i % 3 !== 2 ? new Date(nowMs + 60_000).toISOString() : null,
    },
    { nowMs },
  );
}

const GITHUB_FAILURE_LIST = Object.values(GITHUB_FAILURES);

/** One in five failed, cycling through GitHub's failures (with and without a response); one in ten a redelivery. */
function githubPoolEntry(i: number, nowMs: number, random: Random): GithubHookDeliveryItem {
  const [event, action] = GITHUB_EVENTS[i % GITHUB_EVENTS.length] as readonly [string, string | null];
  const failed = i % FAILURE_EVERY === FAILURE_EVERY - 1;
  const failure = failed ? (GITHUB_FAILURE_LIST[Math.floor(i / FAILURE_EVERY) % GITHUB_FAILURE_LIST.length] as (typeof GITHUB_FAILURE_LIST)[number]) : undefined;
  return githubDelivery(
    {
      event,
      action,
      ...failure,
      // As githubDeliveryLog does: a timeout takes GitHub's 10 s, a refused connection almost nothing.
      ...(failure === GITHUB_FAILURES.timeout ? { duration: 10 } : failure === GITHUB_FAILURES.connectFailure ? { duration: 0.05 } : {}),
      redelivery: i % 10 === 9,
      installation_id: i % 2 === 0 ? 31_415_926 : null,
      repository_id: 456_000 + (i % 7),
    },
    { nowMs, random },
  );
}

const GITLAB_TRIGGER_NAMES = Object.keys(GITLAB_TRIGGERS);

/** One in five failed: no response (`internal error`), or a 503 / 500 with the receiver's body. */
function gitlabPoolEntry(i: number, nowMs: number, random: Random): GitlabHookEvent {
  const trigger = GITLAB_TRIGGER_NAMES[i % GITLAB_TRIGGER_NAMES.length] as string;
  if (i % FAILURE_EVERY !== FAILURE_EVERY - 1) return gitlabEntry({ trigger }, { nowMs, random });
  switch (Math.floor(i / FAILURE_EVERY) % 3) {
    case 0:
      return gitlabInternalErrorEntry({ trigger }, { nowMs, random });
    case 1:
      return gitlabEntry({ trigger, response_status: '503', response_body: '{"error":"service unavailable","retryable":true}' }, { nowMs, random });
    default:
      return gitlabEntry({ trigger, response_status: '500', response_body: '<html><body><h1>500 Internal Server Error</h1></body></html>' }, { nowMs, random });
  }
}

const SVIX_EVENTS = ['invoice.paid', 'user.signup', 'subscription.renewed', 'payment.failed', 'customer.updated'];

/**
 * One in five failed (a 503, a 500, or no response: svixConnectError), one in ten a manual re-send;
 * then shaped as the API answers `with_content=false`: `response` withheld, payload never listed.
 */
function svixPoolEntry(i: number, nowMs: number, random: Random): SvixMessageAttempt {
  const eventType = SVIX_EVENTS[i % SVIX_EVENTS.length] as string;
  const failed = i % FAILURE_EVERY === FAILURE_EVERY - 1;
  const failure = !failed
    ? {}
    : [
        { responseStatusCode: 503, response: '{"error":"service unavailable"}' },
        { responseStatusCode: 500, response: 'Internal Server Error' },
        { responseStatusCode: 0, response: svixConnectError(), responseDurationMs: 0 },
      ][Math.floor(i / FAILURE_EVERY) % 3];
  const attempt = svixAttempt(
    {
      eventType,
      ...failure,
      ...(failed && { status: SVIX_STATUS.fail, statusText: 'fail' as const }),
      triggerType: i % 10 === 9 ? SVIX_TRIGGER.manual : SVIX_TRIGGER.scheduled,
    },
    { nowMs, random },
  );
  return { ...attempt, response: SVIX_WITHHELD_CONTENT, msg: attempt.msg && { ...attempt.msg, payload: {} } };
}

function cardEventBody(eventType: string, i: number): { eventType: string; [field: string]: unknown } {
  return {
    eventType,
    userId: `user-${hexId(i * 11, 10)}`,
    status: i % 4 === 0 ? 'pending_review' : 'approved',
    cardId: `card-${hexId(i * 17, 12)}`,
    amount: { value: ((i * 7919) % 100_000) / 100, currency: 'EUR' },
    merchant: { name: 'Corner Coffee Ltd', mcc: '5814', country: 'GB' },
  };
}

function crmPayload(i: number): object {
  return {
    call_id: `call_${hexId(i, 8)}`,
    outcome: i % 3 === 0 ? 'voicemail' : 'answered',
    duration: 30 + (i % 600),
    direction: 'outbound',
    from: '+14155550100',
    to: `+1415555${String(1000 + (i % 9000)).padStart(4, '0')}`,
    contact: { id: `contact_${hexId(i * 7, 12)}`, first_name: 'Alex', last_name: 'Rivera', company: 'Acme Logistics', title: 'Head of Operations' },
    user: { id: `user_${hexId(i * 13, 12)}`, email: 'sdr@example.com' },
    sequence: { id: `seq_${hexId(i * 3, 10)}`, step: 1 + (i % 6), name: 'Q3 outbound — logistics' },
    recording_url: `https://recordings.example.com/calls/${hexId(i, 16)}.mp3`,
    notes: 'Asked for pricing on the annual plan; follow up next Tuesday with a case study.',
    tags: ['outbound', 'priority', 'logistics'],
    custom_fields: { region: 'EMEA', segment: 'mid-market', lead_source: 'webinar' },
  };
}

function hexId(n: number, width: number): string {
  return n.toString(16).padStart(width, '0').slice(-width);
}

function uuidLike(n: number): string {
  const hex = hexId(n, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
}
