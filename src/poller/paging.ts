// The paging driver: one read of a webhook's log as a stream of pages, newest first. The adapter
// says where each page leads (a page number, a body cursor, a Link header); this loop knows only
// "first request", "next request" and the page limit, so every paging kind reads the same way.

import type { ParsedPage, ProviderAdapter, ProviderRequest } from '../providers/types.js';
import type { FetchFailure, FetchOutcome } from './fetch-json.js';

/** Why a read stopped before it had every page it wanted. */
export type ReadFailure = FetchFailure | { kind: 'wrong_shape'; code: string; detail: string };

export type PageOfEntries = Extract<ParsedPage, { ok: true }>;

export type PageRead =
  | {
      kind: 'page';
      page: PageOfEntries;
      number: number;
      /** No older page exists. */
      last: boolean;
      /** The first page's ETag, for the next read's conditional request. */
      etag: string | undefined;
    }
  /** The first page answered 304 to `ifNoneMatch`: the log's head is as the last read left it. */
  | { kind: 'unchanged' }
  | { kind: 'failed'; failure: ReadFailure };

export type Fetch = (request: ProviderRequest) => Promise<FetchOutcome>;

/**
 * Yields pages until the log ends, the page limit is reached, a request fails (then that failure,
 * last), or the consumer stops early (past its floor). `onAnswer` sees every request's outcome code.
 * With `ifNoneMatch`, the first request is conditional; a 304 ends the read as `unchanged`.
 */
export async function* readPages(
  adapter: ProviderAdapter,
  webhookId: string,
  fetch: Fetch,
  onAnswer: (code: string) => void,
  ifNoneMatch?: string,
): AsyncGenerator<PageRead> {
  const maxPages = adapter.paging.kind === 'paged' ? adapter.paging.maxPages : 1;
  const first = adapter.firstRequest(webhookId);
  let request: ProviderRequest | undefined = ifNoneMatch === undefined ? first : { ...first, headers: { ...first.headers, 'if-none-match': ifNoneMatch } };
  for (let number = 1; request !== undefined && number <= maxPages; number++) {
    const outcome = await fetch(request);
    onAnswer(outcome.code);
    if (outcome.kind === 'not_modified') {
      // Only the first request is conditional; a 304 to any other is not an answer we can use.
      yield number === 1 ? { kind: 'unchanged' } : { kind: 'failed', failure: { kind: 'bad_body', code: outcome.code, detail: 'unexpected 304 to an unconditional request' } };
      return;
    }
    if (outcome.kind !== 'ok') {
      yield { kind: 'failed', failure: outcome };
      return;
    }
    const parsed = adapter.parsePage({ request, status: outcome.status, headers: outcome.headers, body: outcome.body }, webhookId);
    if (!parsed.ok) {
      yield { kind: 'failed', failure: { kind: 'wrong_shape', code: outcome.code, detail: parsed.problem } };
      return;
    }
    // An empty page ends the log, whatever a cursor says: there is nothing older to reach through it.
    const last = parsed.next === undefined || parsed.entryCount === 0;
    yield { kind: 'page', page: parsed, number, last, etag: number === 1 ? outcome.headers.etag : undefined };
    if (last) return;
    request = unconditional(parsed.next);
  }
}

/**
 * Only a read's first request is conditional. An adapter that builds the next request from the one
 * before (a body cursor set on a copy of it) would carry If-None-Match on: a later page whose
 * content matched the last read's first page would then answer 304 and fail the read.
 */
function unconditional(request: ProviderRequest | undefined): ProviderRequest | undefined {
  if (request === undefined || !('if-none-match' in request.headers)) return request;
  const { 'if-none-match': _dropped, ...headers } = request.headers;
  return { ...request, headers };
}
