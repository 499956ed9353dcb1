// A provider that exists only in memory, for the poller's unit tests: its log is an array of
// entries, newest first, served in any of the four paging kinds we know (page numbers, a cursor in
// the body, a cursor in a Link header, newest-N), through the same ProviderAdapter interface as the
// real providers. No HTTP: `fetch` answers from the array, as it stands at the time of the request.

import type { FetchOutcome } from '../../../src/poller/fetch-json.js';
import type { Fetch } from '../../../src/poller/paging.js';
import type { PollRecorder } from '../../../src/poller/recorder.js';
import type { DeliveryAttempt, DeliveryStatus, ParsedPage, ProviderAdapter, ProviderRequest } from '../../../src/providers/types.js';

export type PagingStyle = 'page-number' | 'body-cursor' | 'link-header' | 'newest-n';

export interface FakeEntry {
  id: string;
  /** createdAt, Unix ms. */
  at: number;
  status: DeliveryStatus;
  /** The provider withdrew it (canceled): never a delivery. */
  withdrawn?: boolean;
}

export const entry = (id: string, at: number, status: DeliveryStatus = 'success'): FakeEntry => ({ id, at, status });

const BASE = 'https://fake.invalid/log';

/** The adapter: reads `offset` from whichever place its style keeps the cursor. */
export function fakeAdapter(style: PagingStyle, pageSize: number, maxPages = 10): ProviderAdapter {
  const request = (offset: number): ProviderRequest => ({ url: new URL(`${BASE}?offset=${offset}&size=${pageSize}`), headers: {} });
  return {
    provider: 'fake',
    paging: style === 'newest-n' ? { kind: 'newest-n', windowSize: pageSize } : { kind: 'paged', pageSize, maxPages },
    capabilities: { retries: false, eventIds: false, unfinishedStates: true },
    hints: { credential: 'token', pageSize: { setting: 'size', max: 50 }, pageLimit: 'pages' },
    firstRequest: () => request(0),
    parsePage({ request: asked, headers, body }, webhookId): ParsedPage {
      const { entries, more, cursor } = body as { entries: FakeEntry[]; more?: boolean; cursor?: number | null };
      if (!Array.isArray(entries)) return { ok: false, problem: '`entries` is not an array' };
      const attempts = entries.filter((e) => !e.withdrawn).map((e) => attempt(e, webhookId));
      const withdrawn = entries.filter((e) => e.withdrawn).map((e) => e.id);
      const offset = Number(asked.url.searchParams.get('offset'));
      let next: ProviderRequest | undefined;
      if (style === 'page-number' && more) next = request(offset + pageSize);
      if (style === 'body-cursor' && cursor != null) next = request(cursor);
      if (style === 'link-header') {
        const link = /<([^>]+)>;\s*rel="next"/.exec(headers.link ?? '');
        if (link) next = { url: new URL(link[1]!), headers: {} };
      }
      return { ok: true, attempts, invalid: [], entryCount: entries.length, next, ...(withdrawn.length > 0 && { withdrawn }) };
    },
  };
}

/** Answers every request from `log()` (newest first), as it is when asked; `failAt` fails that request number (1-based). */
export function fakeFetch(style: PagingStyle, log: () => readonly FakeEntry[], options: { failAt?: number } = {}): Fetch & { requests: number } {
  const fetch = async (request: ProviderRequest): Promise<FetchOutcome> => {
    fetch.requests += 1;
    if (fetch.requests === options.failAt) return { kind: 'http_error', code: '503', status: 503, retryAfterMs: undefined, headers: {}, body: { message: 'unavailable' } };
    const offset = Number(request.url.searchParams.get('offset'));
    const size = Number(request.url.searchParams.get('size'));
    const all = log();
    const entries = all.slice(offset, offset + size);
    const more = offset + size < all.length;
    const headers: Record<string, string> = {};
    let body: unknown = { entries };
    if (style === 'page-number') body = { entries, more };
    if (style === 'body-cursor') body = { entries, cursor: more ? offset + size : null };
    if (style === 'link-header' && more) headers.link = `<${BASE}?offset=${offset + size}&size=${size}>; rel="next"`;
    // Like GitHub: a weak validator of the page's content, and 304 when the client already has it.
    const etag = `W/"${entries.map((e) => `${e.id}:${e.status}`).join(',')}"`;
    if (request.headers['if-none-match'] === etag) return { kind: 'not_modified', code: '304', headers: { etag } };
    headers.etag = etag;
    return { kind: 'ok', code: '200', status: 200, headers, body };
  };
  fetch.requests = 0;
  return fetch;
}

function attempt(e: FakeEntry, webhookId: string): DeliveryAttempt {
  return {
    logId: e.id,
    webhookId,
    eventType: 'test.event',
    eventId: undefined,
    status: e.status,
    httpStatusCode: e.status === 'success' ? 200 : e.status === 'failed' ? 500 : undefined,
    durationSeconds: undefined,
    createdAtMs: e.at,
    attemptNumber: undefined,
    nextRetryAtMs: undefined,
    requestUrl: undefined,
    errorMessage: undefined,
  };
}

/** A recorder that keeps what it was told: the counted ids in order, gaps and API answers. */
export function recordingRecorder(): PollRecorder & { counted: string[]; gaps: number; answers: string[]; pending: number } {
  const recorder = {
    counted: [] as string[],
    gaps: 0,
    answers: [] as string[],
    pending: 0,
    recordDeliveries: (_source: string, _provider: string, attempts: readonly DeliveryAttempt[]) => {
      for (const a of attempts) recorder.counted.push(a.logId);
    },
    noteLastDelivery: () => undefined,
    setPending: (_source: string, _provider: string, _webhookId: string, count: number) => {
      recorder.pending = count;
    },
    recordPoll: () => undefined,
    recordApiRequest: (_source: string, code: string) => {
      recorder.answers.push(code);
    },
    setRateLimitRemaining: () => undefined,
    recordInvalid: () => undefined,
    recordGap: () => {
      recorder.gaps += 1;
    },
  };
  return recorder;
}
