// The adapter of a described API: requests built from the description's template, pages turned
// into attempts by its compiled accessors, the next page found as its paging kind says. The
// counting rules are the poller's, the same as for every built-in provider.

import { isRecord } from '../fields.js';
import { nextPageUrl } from '../link-header.js';
import { parseEntries } from '../parse-entries.js';
import type { ParsedPage, ProviderAdapter, ProviderRequest } from '../types.js';
import { USER_AGENT } from '../user-agent.js';
import { compileDescription, compilePath, type CompiledDescription } from './compile.js';
import type { Description, PagingDescription } from './description.js';

export const HTTP_PROVIDER = 'http';

/** The credential of a described API, as the config resolved it (secrets read from their files). */
export type HttpAuth =
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'header'; name: string; value: string }
  | { kind: 'query'; name: string; value: string };

export interface HttpAdapterOptions {
  baseUrl: string;
  auth: HttpAuth;
  description: Description;
  userAgent?: string;
  /** Capture the described request and response bodies up to this size (opt-in for traces); undefined: never. */
  bodyLimitBytes?: number;
}

const NONE: readonly unknown[] = [];

/** Largest page the language accepts (`size.value`), for the gap message's hint. */
const MAX_SIZE = 10_000;

export function createHttpAdapter(options: HttpAdapterOptions): ProviderAdapter {
  const { baseUrl, auth, description, userAgent = USER_AGENT, bodyLimitBytes } = options;
  const compiled = compileDescription(description, bodyLimitBytes);
  const { paging } = description;
  const origin = new URL(baseUrl).origin;
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': userAgent, ...lowerCaseKeys(description.request.headers), ...authHeaders(auth) };
  const query: Record<string, string> = {
    ...description.request.query,
    ...(compiled.withBodies !== undefined && description.request.queryWithBodies),
    ...(auth.kind === 'query' ? { [auth.name]: auth.value } : {}),
  };
  if (paging.size.param !== undefined) query[paging.size.param] = String(paging.size.value);
  if (paging.kind === 'page') query[paging.pageParam] = String(paging.firstPage);
  const cursor = paging.kind === 'cursor-body' ? compilePath(paging.next) : undefined;
  const done = paging.kind === 'cursor-body' && paging.done !== undefined ? compilePath(paging.done) : undefined;
  const ignoresAny = description.status.ignore.length > 0 || description.status.otherwise === 'ignore';
  const pageCount = paging.kind === 'page' && paging.pageCount !== undefined ? { page: compilePath(paging.pageCount.page), pages: compilePath(paging.pageCount.pages) } : undefined;

  return {
    provider: HTTP_PROVIDER,
    paging: paging.kind === 'newest-n' ? { kind: 'newest-n', windowSize: paging.size.value } : { kind: 'paged', pageSize: paging.size.value, maxPages: paging.maxPages },
    capabilities: {
      // `never` tells as much as a schedule: every failure is final.
      retries: description.reports.retrySchedules !== false,
      eventIds: description.reports.eventIds,
      unfinishedStates: description.status.pending.length + description.status.processing.length > 0,
    },
    hints: {
      credential: credentialHint(auth),
      pageSize: { setting: description.hints.pageSize ?? 'api.paging.size.value', max: description.hints.pageSizeMax ?? MAX_SIZE },
      ...(paging.kind !== 'newest-n' && { pageLimit: description.hints.pageLimit ?? 'api.paging.maxPages' }),
    },
    firstRequest: (webhookId) => ({ url: requestUrl(baseUrl, description.request.path, webhookId, query), headers: { ...headers } }),
    errorMessage: genericErrorText,
    parsePage({ request, headers: answerHeaders, body }, webhookId): ParsedPage {
      const records = compiled.records(body);
      if (!Array.isArray(records)) return { ok: false, problem: `\`${description.records}\` is not an array in the body` };
      // Ignored entries (canceled, skipped) are no deliveries, but still entries of the page: a page
      // of them does not end the read, and one held as pending is let go.
      const ignored = ignoresAny ? records.filter((entry) => compiled.statusOf(entry) === 'ignore') : NONE;
      const deliveries = ignored.length === 0 ? records : records.filter((entry) => compiled.statusOf(entry) !== 'ignore');
      const withdrawn = ignored.flatMap((entry) => {
        const id = compiled.idOf(entry);
        return id === undefined ? [] : [id];
      });
      const next = nextRequest(paging, compiled, request, records, body, answerHeaders, origin, cursor, done, auth, pageCount, headers);
      return {
        ok: true,
        ...parseEntries(deliveries, webhookId, compiled.normalize, compiled.withBodies),
        entryCount: records.length,
        ...(withdrawn.length > 0 && { withdrawn }),
        next: next.request,
        ...(next.warning !== undefined && { warning: next.warning }),
      };
    },
  };
}

/** `{baseUrl}{path}` with `{n}` the n-th part of the webhook id, URL-encoded, then the static query. */
export function requestUrl(baseUrl: string, pathTemplate: string, webhookId: string, query: Record<string, string>): URL {
  const parts = webhookId.split('/');
  const path = pathTemplate.replace(/\{(\d+)\}/g, (_, index: string) => encodeURIComponent(parts[Number(index)] ?? ''));
  const base = new URL(baseUrl);
  const url = new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}${path}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url;
}

function nextRequest(
  paging: PagingDescription,
  compiled: CompiledDescription,
  request: ProviderRequest,
  records: readonly unknown[],
  body: unknown,
  headers: Readonly<Record<string, string>>,
  origin: string,
  cursor: ((value: unknown) => unknown) | undefined,
  done: ((value: unknown) => unknown) | undefined,
  auth: HttpAuth,
  pageCount: { page: (value: unknown) => unknown; pages: (value: unknown) => unknown } | undefined,
  /** The adapter's own headers: a next page is never conditional (the poller adds If-None-Match to a read's first request only). */
  baseHeaders: Readonly<Record<string, string>>,
): { request?: ProviderRequest; warning?: string } {
  const withParam = (name: string, value: string): ProviderRequest => {
    const url = new URL(request.url);
    url.searchParams.set(name, value);
    return { url, headers: { ...baseHeaders } };
  };
  switch (paging.kind) {
    case 'newest-n':
      return {};
    case 'page': {
      const current = Number(request.url.searchParams.get(paging.pageParam) ?? paging.firstPage);
      // The API's own word first: a header naming the next page, then the body's page count.
      const named = paging.nextPageHeader === undefined ? undefined : headers[paging.nextPageHeader.toLowerCase()]?.trim();
      if (named === '') return {};
      if (named !== undefined && /^\d+$/.test(named)) {
        const page = Number(named);
        if (Number.isSafeInteger(page) && page > current) return { request: withParam(paging.pageParam, String(page)) };
        return page > 0 && page <= current ? { warning: `${paging.nextPageHeader} (${page}) does not come after page ${current}` } : {};
      }
      if (pageCount !== undefined) {
        const page = pageCount.page(body);
        const pages = pageCount.pages(body);
        if (isPageNumber(page) && isPageNumber(pages)) return page < pages ? { request: withParam(paging.pageParam, String(current + 1)) } : {};
      }
      // A short page is the last one.
      if (records.length < paging.size.value) return {};
      return { request: withParam(paging.pageParam, String(current + 1)) };
    }
    case 'after-id': {
      if (records.length < paging.size.value) return {};
      const last = compiled.idOf(records[records.length - 1]);
      if (last === undefined) return { warning: `the last entry of a full page has no usable id, so \`${paging.param}\` cannot name the next page; the read ends here` };
      if (last === request.url.searchParams.get(paging.param)) return { warning: `the page asked for with ${paging.param}=<id> ended with that id again, so paging would not move on` };
      return { request: withParam(paging.param, last) };
    }
    case 'cursor-body': {
      if (done?.(body) === true) return {};
      const value = cursor?.(body);
      if (value === undefined || value === null || value === '') return {};
      if (typeof value !== 'string' && typeof value !== 'number') return { warning: `\`${paging.next}\` is neither a string nor a number; the read ends here` };
      const next = String(value);
      if (next === request.url.searchParams.get(paging.cursorParam)) return { warning: 'the API answered with the cursor it was asked for, so paging would not move on' };
      return { request: withParam(paging.cursorParam, next) };
    }
    case 'link-header': {
      const found = nextPageUrl(headers.link, request.url, origin);
      if (found.problem !== undefined) return { warning: found.problem };
      if (found.url === undefined) return {};
      // The API's link carries its own query; a credential sent in the query must ride along (same origin only).
      if (auth.kind === 'query') found.url.searchParams.set(auth.name, auth.value);
      return { request: { url: found.url, headers: { ...baseHeaders } } };
    }
  }
}

function isPageNumber(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

function authHeaders(auth: HttpAuth): Record<string, string> {
  switch (auth.kind) {
    case 'bearer':
      return { authorization: `Bearer ${auth.token}` };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
    case 'header':
      return { [auth.name.toLowerCase()]: auth.value };
    case 'query':
      return {};
  }
}

function credentialHint(auth: HttpAuth): string {
  switch (auth.kind) {
    case 'bearer':
      return 'auth.bearer.token (or tokenFile)';
    case 'basic':
      return 'auth.basic.username and password (or passwordFile)';
    case 'header':
      return `auth.header.value (or valueFile) for ${auth.name}`;
    case 'query':
      return `auth.query.value (or valueFile) for ?${auth.name}=`;
  }
}

function lowerCaseKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([name, value]) => [name.toLowerCase(), value]));
}

/** `{message}`, `{error}`, `{detail}` or `{error: {message}}`, or a text body: what most APIs say. */
function genericErrorText(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim().slice(0, 200) || undefined;
  if (!isRecord(body)) return undefined;
  for (const key of ['message', 'error', 'detail', 'title']) {
    const value = body[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, 200);
    if (isRecord(value) && typeof value.message === 'string') return value.message.trim().slice(0, 200);
  }
  return undefined;
}
