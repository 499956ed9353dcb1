// Realistic provider pages for the ingest and scale benchmarks: entries made by the simulator's
// builders (~1 KB each, 20 % failures), then re-stamped with fresh ids and advancing times, so every
// page holds entries the exporter has not seen. Re-stamping a pool is what keeps 1M entries cheap
// to make (the Baanx builder signs each entry: ~30 µs).

import { createBaanxAdapter, createSalesfinityAdapter, type ProviderAdapter, type ProviderName } from '../src/providers/index.js';
import { baanxEntry, salesfinityEntry, SIM_BAANX_TOKEN, SIM_SALESFINITY_API_KEY } from '../src/simulator/index.js';

export const PAGE_SIZE = 100;
const POOL_SIZE = 200;
const FAILURE_EVERY = 5; // one entry in five failed: 20 %

const SALESFINITY_EVENTS = ['CALL_LOGGED', 'CONTACT_CREATED', 'SEQUENCE_COMPLETED', 'MEETING_BOOKED', 'EMAIL_SENT'];
const BAANX_EVENTS = ['kyc.status.changed', 'card.transaction.created', 'card.status.changed', 'wallet.deposit', 'user.updated'];

export interface PageStreamOptions {
  provider: ProviderName;
  webhookId: string;
  /** createdAt of the first entry, Unix ms. */
  startMs: number;
  /** Time between consecutive entries. */
  spacingMs: number;
}

/** One webhook's log as pages of JSON text, each newer than the last. */
export interface PageStream {
  readonly provider: ProviderName;
  readonly webhookId: string;
  readonly adapter: ProviderAdapter;
  /** The next page of PAGE_SIZE entries, serialised as the provider's API sends it. */
  nextPage(): string;
}

export function createPageStream(options: PageStreamOptions): PageStream {
  return options.provider === 'salesfinity' ? salesfinityStream(options) : baanxStream(options);
}

/** Salesfinity: each read is one complete page (`pages: 1`), so readLog stops there without a gap. */
function salesfinityStream({ webhookId, startMs, spacingMs }: PageStreamOptions): PageStream {
  const pool = Array.from({ length: POOL_SIZE }, (_, i) => salesfinityPoolEntry(i, startMs));
  const stamps = new Stamps(startMs, spacingMs);
  return {
    provider: 'salesfinity',
    webhookId,
    adapter: createSalesfinityAdapter({ baseUrl: 'https://salesfinity.bench.invalid', apiKey: SIM_SALESFINITY_API_KEY, pageSize: PAGE_SIZE, maxPages: 1 }),
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
    nextPage() {
      const fresh = stamps.take(previousNewest ? PAGE_SIZE - 1 : PAGE_SIZE);
      const logs: object[] = fresh.map(({ seq, createdAt }) => ({ ...pool[seq % POOL_SIZE], id: uuidLike(seq), createdAt }));
      if (previousNewest) logs.unshift(previousNewest);
      previousNewest = logs[logs.length - 1];
      return JSON.stringify({ count: logs.length, logs: logs.reverse() });
    },
  };
}

/** Sequence numbers and ISO times, oldest first. */
class Stamps {
  private seq = 0;
  constructor(
    private readonly startMs: number,
    private readonly spacingMs: number,
  ) {}

  take(count: number): Array<{ seq: number; createdAt: string }> {
    return Array.from({ length: count }, () => {
      const seq = this.seq++;
      return { seq, createdAt: new Date(this.startMs + seq * this.spacingMs).toISOString() };
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
