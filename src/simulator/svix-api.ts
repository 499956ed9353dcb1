// The simulated Svix "list attempts by endpoint" API: bearer token, pages newest first by attempt
// id with an `iterator` cursor in the body, the query flags that shape each attempt, Svix's error
// bodies, and a simple request budget answered with a bare 429 (Svix documents no rate-limit headers).

import { isRecord } from '../providers/fields.js';
import { SVIX_MAX_LIMIT, SVIX_STATUS, SVIX_WITHHELD_CONTENT, type SvixHttpError, type SvixValidationError } from '../providers/svix/types.js';
import { parseIsoTimestamp } from '../providers/timestamp.js';
import type { AnswerContext, ProviderApi } from './provider-api.js';

import { SIM_SVIX_TOKEN } from './secrets.js';

export { SIM_SVIX_TOKEN };

export const SVIX_UNAUTHORIZED_BODY: SvixHttpError = { code: 'authentication_failed', detail: 'Incorrect authentication credentials.' };
/** Svix's answer for an unknown application or endpoint (the shared server sends its own 404 today). */
export const SVIX_NOT_FOUND_BODY: SvixHttpError = { code: 'not_found', detail: 'Entity not found' };
/** Svix documents a 429 with its usual error body and no rate-limit headers; the code is the simulator's guess. */
export const SVIX_RATE_LIMITED_BODY: SvixHttpError = { code: 'too_many_requests', detail: 'Too many requests, slow down.' };

const DEFAULT_LIMIT = 50;
/** Without an iterator, `before` or `after`, Svix searches only the last 90 days. */
const SEARCH_WINDOW_MS = 90 * 24 * 60 * 60 * 1000;
/** An attempt id; `-` in front asks for the newer page (a `prevIterator`). */
const ITERATOR = /^(-?)(atmpt_[A-Za-z0-9]{27})$/;
/** Above every real attempt id: where the first page continues when it held only malformed entries. */
const ABOVE_EVERY_ID = `atmpt_${'z'.repeat(27)}`;
/** Far above what a poller needs, so only tests that ask for it see a 429. */
export const SVIX_SIM_REQUESTS_PER_SECOND = 1_000;

export interface SvixApiOptions {
  /** Requests answered per simulator (per host:port) and clock second before a 429. */
  requestsPerSecond?: number;
}

/** Fixed one-second windows of the simulator's clock, per host:port (one simulator each). */
class RequestBudget {
  private readonly windows = new Map<string, { second: number; used: number }>();

  constructor(private readonly perSecond: number) {}

  take(context: AnswerContext): boolean {
    const second = Math.floor(context.nowMs / 1000);
    const key = context.url.host;
    let window = this.windows.get(key);
    if (window === undefined || window.second !== second) {
      if (this.windows.size >= 1_000) this.windows.clear(); // many short-lived simulators in one process
      window = { second, used: 0 };
      this.windows.set(key, window);
    }
    window.used += 1;
    return window.used <= this.perSecond;
  }
}

/**
 * A Svix API. `svixApi` is the one the simulator registers; tests make their own to set a budget.
 * The budget is kept per host:port of the request, i.e. per simulator, in fixed one-second windows
 * of the simulator's clock.
 */
export function createSvixApi(options: SvixApiOptions = {}): ProviderApi {
  const budget = new RequestBudget(options.requestsPerSecond ?? SVIX_SIM_REQUESTS_PER_SECOND);
  return {
    webhookIdFromPath: attemptsByEndpointId,
    defaultSecret: SIM_SVIX_TOKEN,
    idField: 'id',
    createdAtField: 'timestamp',
    notFoundBody: SVIX_NOT_FOUND_BODY,
    // Svix keeps attempts per its plan's retention; the 90-day search window is part of `answer`.
    retentionMs: undefined,
    isAuthorized: (headers, token) => /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1] === token,
    unauthorizedBody: SVIX_UNAUTHORIZED_BODY,
    wrongShapeBody: { data: { attempts: [] }, iterator: 42, done: 'no' },
    answer(entriesNewestFirst, query, context) {
      if (!budget.take(context)) return { status: 429, body: SVIX_RATE_LIMITED_BODY };
      const parsed = parseQuery(query);
      if (!parsed.ok) return { status: 422, body: parsed.error };
      return { status: 200, body: listPage(entriesNewestFirst, parsed.query, context.nowMs) };
    },
  };
}

export const svixApi: ProviderApi = createSvixApi();

/** `/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}` → `APP_ID/ENDPOINT_ID`; throws on a malformed escape. */
export function attemptsByEndpointId(path: string): string | undefined {
  const match = /^\/api\/v1\/app\/([^/]+)\/attempt\/endpoint\/([^/]+)\/?$/.exec(path);
  if (!match) return undefined;
  const appId = decodeURIComponent(match[1]!);
  const endpointId = decodeURIComponent(match[2]!);
  // An encoded "/" would make the webhook string ambiguous; no Svix id holds one.
  return appId.includes('/') || endpointId.includes('/') ? undefined : `${appId}/${endpointId}`;
}

interface ListQuery {
  limit: number;
  iterator: { id: string; newer: boolean } | undefined;
  beforeMs: number | undefined;
  afterMs: number | undefined;
  withContent: boolean;
  withMsg: boolean;
  expandedStatuses: boolean;
}

type Issue = SvixValidationError['detail'][number];

/** The documented query rules; every broken rule is one item of the 422's `detail`. */
function parseQuery(query: Readonly<Record<string, string>>): { ok: true; query: ListQuery } | { ok: false; error: SvixValidationError } {
  const issues: Issue[] = [];
  const issue = (field: string, msg: string) => issues.push({ loc: ['query', field], msg, type: 'value_error' });

  let limit = DEFAULT_LIMIT;
  if (query.limit !== undefined) {
    limit = /^\d+$/.test(query.limit) ? Number(query.limit) : Number.NaN;
    if (Number.isNaN(limit)) issue('limit', 'value is not a valid integer');
    else if (limit > SVIX_MAX_LIMIT) issue('limit', `Given limit must not exceed ${SVIX_MAX_LIMIT}`);
    else if (limit < 1) issue('limit', 'Given limit must be at least 1');
  }
  const iteratorMatch = query.iterator === undefined ? undefined : ITERATOR.exec(query.iterator);
  if (query.iterator !== undefined && !iteratorMatch) issue('iterator', 'invalid iterator: expected an attempt id (atmpt_…)');
  const flag = (field: string, fallback: boolean): boolean => {
    const value = query[field];
    if (value === undefined) return fallback;
    if (value !== 'true' && value !== 'false') issue(field, 'value could not be parsed to a boolean');
    return value === 'true';
  };
  const date = (field: string): number | undefined => {
    const value = query[field];
    if (value === undefined) return undefined;
    const ms = parseIsoTimestamp(value);
    if (ms === undefined) issue(field, 'input is not a valid RFC 3339 date-time');
    return ms;
  };
  const parsed: ListQuery = {
    limit,
    iterator: iteratorMatch ? { id: iteratorMatch[2]!, newer: iteratorMatch[1] === '-' } : undefined,
    beforeMs: date('before'),
    afterMs: date('after'),
    // Svix's own defaults when a request leaves them out (its SDKs send other defaults).
    withContent: flag('with_content', true),
    withMsg: flag('with_msg', false),
    expandedStatuses: flag('expanded_statuses', false),
  };
  return issues.length > 0 ? { ok: false, error: { detail: issues } } : { ok: true, query: parsed };
}

/**
 * One page, as Svix builds it: attempts ordered by id (newest first), those below the iterator (or
 * above it for a `-` iterator), `limit` of them, `iterator` = the last id, `prevIterator` = `-` +
 * the first, `done` when nothing is left. The cursor is an id, so attempts added at the head while a
 * client pages do not move it. Malformed test entries without an id have no place in that order:
 * they lead the first page, so every read sees them.
 */
function listPage(entriesNewestFirst: readonly unknown[], query: ListQuery, nowMs: number): object {
  const { limit, iterator, beforeMs, afterMs } = query;
  const withIds = entriesNewestFirst.filter(hasId).sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const withoutIds = iterator === undefined ? entriesNewestFirst.filter((entry) => !hasId(entry)).slice(0, limit) : [];

  // Oldest first when asking for newer attempts (a `-` iterator, or only `after`), as Svix does.
  const ascending = iterator?.newer ?? (afterMs !== undefined && beforeMs === undefined);
  const searchFromMs = iterator === undefined && beforeMs === undefined && afterMs === undefined ? nowMs - SEARCH_WINDOW_MS : undefined;
  const inRange = (entry: { id: string }): boolean => {
    if (iterator !== undefined && (iterator.newer ? entry.id <= iterator.id : entry.id >= iterator.id)) return false;
    const atMs = parseIsoTimestamp((entry as Record<string, unknown>).timestamp);
    if (atMs === undefined) return true; // malformed: still listed, for the reader to reject
    return !(
      (beforeMs !== undefined && atMs >= beforeMs) ||
      (afterMs !== undefined && atMs <= afterMs) ||
      (searchFromMs !== undefined && atMs <= searchFromMs)
    );
  };
  const candidates = (ascending ? [...withIds].reverse() : withIds).filter(inRange);
  const room = limit - withoutIds.length;
  const picked = candidates.slice(0, room);
  if (ascending) picked.reverse();
  const done = candidates.length <= room;

  const data = [...withoutIds, ...picked].map((entry) => shapeAttempt(entry, query));
  const first = picked[0]?.id;
  const last = picked[picked.length - 1]?.id ?? (done ? undefined : ABOVE_EVERY_ID);
  return {
    data,
    iterator: last ?? null,
    // Svix leaves prevIterator out when there is no first item.
    ...(first === undefined ? {} : { prevIterator: `-${first}` }),
    done,
  };
}

function hasId(entry: unknown): entry is Record<string, unknown> & { id: string } {
  return isRecord(entry) && typeof entry.id === 'string' && entry.id !== '';
}

/** What the flags make of a stored attempt: withheld content, no message, canceled read as success. */
function shapeAttempt(entry: unknown, query: ListQuery): unknown {
  if (!isRecord(entry)) return entry;
  const shaped: Record<string, unknown> = { ...entry };
  if (!query.withContent && typeof shaped.response === 'string') shaped.response = SVIX_WITHHELD_CONTENT;
  if (!query.withMsg) delete shaped.msg;
  // "Message payloads are never included in the response, regardless of this flag."
  else if (isRecord(shaped.msg)) shaped.msg = { ...shaped.msg, payload: {} };
  if (!query.expandedStatuses && shaped.status === SVIX_STATUS.canceled) {
    shaped.status = SVIX_STATUS.success;
    shaped.statusText = 'success';
  }
  return shaped;
}
