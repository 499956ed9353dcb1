// Two small fake delivery-log APIs for the `provider: http` tests, each as its public source
// shows it: Hook0's request attempts (hook0/hook0, api/src/handlers/request_attempts.rs and
// pagination.rs) and Hookdeck's attempts (the 2025-07-01 OpenAPI). Each serves an in-memory log that
// a test appends to and changes in place, newest first, with that API's own paging and auth.
// They are the tests' stand-ins for services we cannot call, not part of the exporter's simulator.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeNow, listenOnLoopback } from '../../helpers/loopback.js';

type Answer = { status: number; body: unknown; headers?: Record<string, string> };
type Handler = (request: IncomingMessage, url: URL) => Answer;

/** One request as the API saw it; the credential itself is never kept. */
export interface SeenRequest {
  url: URL;
  authorized: boolean;
}

/** What both fakes share: a loopback server, the requests it saw, and a hook run before each answer. */
abstract class FakeApi {
  readonly requests: SeenRequest[] = [];
  /** Runs before an authorized list request is answered: a test adds entries here "while paging". */
  onList: ((url: URL) => void) | undefined;
  private server: Server | undefined;
  /** `http://127.0.0.1:PORT`, once started. */
  origin = '';

  protected async listen(handle: Handler): Promise<void> {
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const url = new URL(request.url ?? '/', this.origin);
      const answer = handle(request, url);
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(JSON.stringify(answer.body));
    });
    this.origin = await listenOnLoopback(this.server);
  }

  protected seen(url: URL, authorized: boolean): void {
    this.requests.push({ url, authorized });
    if (authorized) this.onList?.(url);
  }

  async close(): Promise<void> {
    if (this.server) await closeNow(this.server);
  }
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const fromBase64url = (text: string): unknown => JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
const ms = (iso: string) => Date.parse(iso);

// ---- Hook0 ----------------------------------------------------------------------------------

/** A row of Hook0's `webhook.request_attempt` table, joined as the list handler joins it. */
export interface Hook0Row {
  request_attempt_id: string;
  application_id: string;
  subscription_id: string;
  event_id: string;
  event_type_name: string;
  created_at: string;
  /** A retry row is created at once, due at `delay_until` (Hook0's schedule: 3 s, 10 s, 3 min, …). */
  delay_until?: string | null;
  picked_at?: string | null;
  succeeded_at?: string | null;
  failed_at?: string | null;
  /** 0 for the first try; each retry is a new row with retry_count + 1. */
  retry_count: number;
  response_id?: string | null;
  /** The receiver's status, from the joined `webhook.response`; null when it gave none (timeout). */
  http_response_status?: number | null;
}

/** Hook0's fixed page: the list query ends in `LIMIT 50` and takes no size parameter. */
export const HOOK0_PAGE_SIZE = 50;

/**
 * Hook0's `GET /api/v1/request_attempts`: `Authorization: Bearer`, a bare JSON array ordered
 * `created_at DESC, request_attempt_id ASC`, 50 rows, and `Link: <…?pagination_cursor=…>; rel="next"`
 * whenever a page is not empty (so the last page is followed by an empty one). Status is computed
 * from the row's timestamps at answer time, as Hook0 does, so a row changes in place.
 */
export class Hook0Api extends FakeApi {
  private readonly rows: Hook0Row[] = [];

  private constructor(readonly token: string) {
    super();
  }

  static async start(token: string): Promise<Hook0Api> {
    const api = new Hook0Api(token);
    await api.listen((request, url) => api.handle(request, url));
    return api;
  }

  /** What a source's `baseUrl` is for this server. */
  get baseUrl(): string {
    return `${this.origin}/api/v1`;
  }

  append(...rows: Hook0Row[]): void {
    this.rows.push(...rows.map((row) => ({ ...row })));
  }

  /** Changes a row in place: a worker picked it, it succeeded or failed. */
  update(id: string, change: Partial<Hook0Row>): void {
    const row = this.rows.find((candidate) => candidate.request_attempt_id === id);
    if (row === undefined) throw new Error(`no Hook0 row ${id}`);
    Object.assign(row, change);
  }

  private handle(request: IncomingMessage, url: URL): Answer {
    if (!/^\/api\/v1\/request_attempts\/?$/.test(url.pathname)) return problem(404, 'NotFound', 'Not found');
    const authorized = request.headers.authorization === `Bearer ${this.token}`;
    this.seen(url, authorized);
    if (!authorized) return problem(401, 'AuthInvalidBiscuit', 'Could not verify your credentials.');
    const applicationId = url.searchParams.get('application_id');
    if (applicationId === null) return problem(400, 'BadRequest', 'Query deserialize error: missing field `application_id`');
    const subscriptionId = url.searchParams.get('subscription_id');
    const cursorText = url.searchParams.get('pagination_cursor');
    const now = Date.now();
    // No cursor: Hook0's default is (now, nil UUID), which also keeps out rows dated in the future.
    const cursor = cursorText === null ? { date: now, id: '00000000-0000-0000-0000-000000000000' } : readHook0Cursor(cursorText);
    if (cursor === undefined) return problem(400, 'BadRequest', 'Query deserialize error: invalid pagination_cursor');

    // Postgres row comparison `(created_at, id) < (date, id)`, then the handler's ORDER BY.
    const page = this.rows
      .filter((row) => row.application_id === applicationId && (subscriptionId === null || row.subscription_id === subscriptionId))
      .filter((row) => ms(row.created_at) <= now)
      .filter((row) => ms(row.created_at) < cursor.date || (ms(row.created_at) === cursor.date && row.request_attempt_id < cursor.id))
      .sort((a, b) => ms(b.created_at) - ms(a.created_at) || (a.request_attempt_id < b.request_attempt_id ? -1 : 1))
      .slice(0, HOOK0_PAGE_SIZE);

    const last = page.at(-1);
    const headers: Record<string, string> = {};
    if (last !== undefined) {
      // Built from the instance's app URL, with the filters of this request and the new cursor.
      const next = new URL('/api/v1/request_attempts', this.origin);
      for (const name of ['application_id', 'event_id', 'subscription_id', 'min_created_at', 'max_created_at', 'event.event_type_names']) {
        const value = url.searchParams.get(name);
        if (value !== null) next.searchParams.set(name, value);
      }
      next.searchParams.set('pagination_cursor', base64url({ date: last.created_at, id: last.request_attempt_id }));
      headers.link = `<${next.href}>; rel="next"`;
    }
    return { status: 200, body: page.map((row) => hook0Attempt(row, now)), headers };
  }
}

function readHook0Cursor(text: string): { date: number; id: string } | undefined {
  try {
    const value = fromBase64url(text) as { date?: unknown; id?: unknown };
    if (typeof value.date !== 'string' || typeof value.id !== 'string' || Number.isNaN(ms(value.date))) return undefined;
    return { date: ms(value.date), id: value.id };
  } catch {
    return undefined;
  }
}

/** Hook0's `RequestAttempt` JSON, with `status` as `RequestAttemptStatus::compute` derives it. */
function hook0Attempt(row: Hook0Row, now: number): Record<string, unknown> {
  const start = Math.max(ms(row.created_at), row.delay_until ? ms(row.delay_until) : 0);
  const finished = (at: string) => ({ at, full_processing_ms: ms(at) - start });
  const status = row.failed_at
    ? { type: 'failed', ...finished(row.failed_at) }
    : row.succeeded_at
      ? { type: 'successful', ...finished(row.succeeded_at) }
      : row.picked_at
        ? { type: 'in_progress', since: row.picked_at }
        : row.delay_until && ms(row.delay_until) > now
          ? { type: 'waiting', since: row.created_at, until: row.delay_until }
          : { type: 'pending', since: row.created_at };
  return {
    request_attempt_id: row.request_attempt_id,
    event_id: row.event_id,
    event: { event_id: row.event_id, event_type_name: row.event_type_name },
    subscription: { subscription_id: row.subscription_id, description: null },
    created_at: row.created_at,
    picked_at: row.picked_at ?? null,
    failed_at: row.failed_at ?? null,
    succeeded_at: row.succeeded_at ?? null,
    delay_until: row.delay_until ?? null,
    response_id: row.response_id ?? null,
    retry_count: row.retry_count,
    http_response_status: row.http_response_status ?? null,
    status,
  };
}

/** Hook0 answers errors as RFC 7807 problems. */
function problem(status: number, id: string, detail: string): Answer {
  return { status, body: { id, type: `https://hook0.com/documentation/errors/${id}`, title: id, detail, status } };
}

// ---- Hookdeck -------------------------------------------------------------------------------

/** Hookdeck's `EventAttempt` (2025-07-01), the fields the list returns. */
export interface HookdeckAttempt {
  id: string;
  team_id: string;
  event_id: string;
  destination_id: string;
  response_status: number | null;
  /** "Sequential number of attempts (up to and including this one) made for the associated event". */
  attempt_number: number | null;
  trigger: 'INITIAL' | 'MANUAL' | 'BULK_RETRY' | 'UNPAUSE' | 'AUTOMATIC' | null;
  error_code: string | null;
  requested_url: string | null;
  http_method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | null;
  bulk_retry_id: string | null;
  /** 2025-07-01 documents FAILED and SUCCESSFUL; 2023-01-01 also QUEUED and HOLD. */
  status: 'SUCCESSFUL' | 'FAILED' | 'QUEUED' | 'HOLD';
  successful_at: string | null;
  delivered_at: string | null;
  responded_at: string | null;
  delivery_latency: number | null;
  response_latency: number | null;
  updated_at: string;
  created_at: string;
}

/** Documented range of `limit`; the default when absent is not documented (100 assumed). */
export const HOOKDECK_MAX_LIMIT = 255;
const HOOKDECK_DEFAULT_LIMIT = 100;

/**
 * Hookdeck's `GET /2025-07-01/attempts` for the project the API key belongs to: Bearer (or Basic
 * with the key as user name and an empty password), `{ pagination, count, models }`, ordered by
 * `created_at` (`dir=desc` newest first), `limit` 0..255, and a `pagination.next` cursor, sent back
 * as `?next=`, only when older attempts remain.
 */
export class HookdeckApi extends FakeApi {
  private readonly attempts: HookdeckAttempt[] = [];

  private constructor(readonly apiKey: string) {
    super();
  }

  static async start(apiKey: string): Promise<HookdeckApi> {
    const api = new HookdeckApi(apiKey);
    await api.listen((request, url) => api.handle(request, url));
    return api;
  }

  get baseUrl(): string {
    return `${this.origin}/2025-07-01`;
  }

  append(...attempts: HookdeckAttempt[]): void {
    this.attempts.push(...attempts.map((attempt) => ({ ...attempt })));
  }

  update(id: string, change: Partial<HookdeckAttempt>): void {
    const attempt = this.attempts.find((candidate) => candidate.id === id);
    if (attempt === undefined) throw new Error(`no Hookdeck attempt ${id}`);
    Object.assign(attempt, change, { updated_at: new Date().toISOString() });
  }

  private handle(request: IncomingMessage, url: URL): Answer {
    if (url.pathname !== '/2025-07-01/attempts') return hookdeckError(404, 'NOT_FOUND', 'Not found');
    const authorization = request.headers.authorization ?? '';
    const basic = `Basic ${Buffer.from(`${this.apiKey}:`).toString('base64')}`;
    const authorized = authorization === `Bearer ${this.apiKey}` || authorization === basic;
    this.seen(url, authorized);
    if (!authorized) return hookdeckError(401, 'UNAUTHORIZED', 'Unauthorized');

    const limitText = url.searchParams.get('limit');
    const limit = limitText === null ? HOOKDECK_DEFAULT_LIMIT : /^\d+$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 0 && limit <= HOOKDECK_MAX_LIMIT)) return hookdeckError(422, 'UNPROCESSABLE_ENTITY', '"limit" must be less than or equal to 255');
    const orderBy = url.searchParams.get('order_by') ?? 'created_at';
    if (orderBy !== 'created_at') return hookdeckError(422, 'UNPROCESSABLE_ENTITY', '"order_by" must be [created_at]');
    const dir = url.searchParams.get('dir') ?? 'desc';
    if (dir !== 'asc' && dir !== 'desc') return hookdeckError(422, 'UNPROCESSABLE_ENTITY', '"dir" must be one of [asc, desc]');
    const nextText = url.searchParams.get('next');
    const after = nextText === null ? undefined : readHookdeckCursor(nextText);
    if (nextText !== null && after === undefined) return hookdeckError(422, 'UNPROCESSABLE_ENTITY', '"next" is not a valid cursor');

    // Keyset order on (created_at, id), so attempts added at the head do not move older pages.
    const sign = dir === 'desc' ? -1 : 1;
    const order = (a: HookdeckAttempt, b: HookdeckAttempt) => sign * (ms(a.created_at) - ms(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const sorted = [...this.attempts].sort(order);
    const rest = after === undefined ? sorted : sorted.filter((attempt) => order(attempt, after) > 0);
    const models = rest.slice(0, limit);
    const last = models.at(-1);
    const first = models[0];
    const pagination: Record<string, unknown> = { order_by: 'created_at', dir, limit };
    if (last !== undefined && rest.length > models.length) pagination.next = base64url([last.created_at, last.id]);
    if (first !== undefined && after !== undefined) pagination.prev = base64url([first.created_at, first.id]);
    return { status: 200, body: { pagination, count: models.length, models } };
  }
}

function readHookdeckCursor(text: string): HookdeckAttempt | undefined {
  try {
    const value = fromBase64url(text);
    if (!Array.isArray(value) || typeof value[0] !== 'string' || typeof value[1] !== 'string') return undefined;
    return { created_at: value[0], id: value[1] } as HookdeckAttempt; // only the sort keys are compared
  } catch {
    return undefined;
  }
}

/** Hookdeck's `APIErrorResponse`. */
function hookdeckError(status: number, code: string, message: string): Answer {
  return { status, body: { code, status, message, data: null } };
}
