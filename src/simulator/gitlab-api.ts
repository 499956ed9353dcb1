// GitLab's webhook events (`GET /projects/:id/hooks/:hook_id/events`, `GET /groups/…`, 17.3+):
// PRIVATE-TOKEN auth, page numbers with x-next-page and Link headers, per_page 1..20, the last 7
// days newest first, and a rate-limit budget reported on every answer.

import { parseIsoTimestamp } from '../providers/timestamp.js';
import { isRecord } from '../providers/fields.js';
import { integerParam, type ApiAnswer, type ProviderApi } from './provider-api.js';

import { SIM_GITLAB_RECEIVER_SECRET, SIM_GITLAB_TOKEN } from './secrets.js';

export { SIM_GITLAB_RECEIVER_SECRET, SIM_GITLAB_TOKEN };
/** GitLab's own secrets (all of them also in SIM_SECRETS). */
export const SIM_GITLAB_SECRETS: readonly string[] = [SIM_GITLAB_TOKEN, SIM_GITLAB_RECEIVER_SECRET];

/** GitLab's documented error bodies. */
export const GITLAB_UNAUTHORIZED_BODY = { message: '401 Unauthorized' };
export const GITLAB_NOT_FOUND_BODY = { message: '404 Not found' };
/** The 429 body: plain text, not JSON. */
export const GITLAB_RETRY_LATER_BODY = 'Retry later';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Listed: from the start of the day 7 days ago. */
const LISTED_DAYS = 7;
const MAX_PER_PAGE = 20;
/** Above this many entries GitLab leaves out x-total, x-total-pages and the `last` link. */
const MAX_COUNTED = 10_000;
const RATE_WINDOW_MS = 60_000;
/** GitLab.com's budget for authenticated API requests per user and minute. */
const DEFAULT_REQUESTS_PER_MINUTE = 2_000;
const STATUS_CATEGORIES: Record<string, (status: string) => boolean> = {
  successful: (status) => /^2\d\d$/.test(status),
  client_failure: (status) => /^4\d\d$/.test(status),
  server_failure: (status) => /^5\d\d$/.test(status),
};

export interface GitlabApiOptions {
  /** Requests answered per clock minute before 429s (default 2000). */
  requestsPerMinute?: number;
}

/** One API with its own rate-limit budget; `gitlabApi` below is the one the server registers. */
export function createGitlabApi(options: GitlabApiOptions = {}): ProviderApi {
  const budget = rateBudget(options.requestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE);
  return {
    webhookIdFromPath: hookEventsWebhookId,
    defaultSecret: SIM_GITLAB_TOKEN,
    idField: 'id',
    // The exact cut (start of the day 7 days ago) is answer()'s; the store may drop anything older than this.
    retentionMs: (LISTED_DAYS + 1) * DAY_MS,
    isAuthorized: (headers, token) => headers['private-token'] === token || /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1] === token,
    unauthorizedBody: GITLAB_UNAUTHORIZED_BODY,
    wrongShapeBody: { data: [], page: 1 },
    answer(entriesNewestFirst, query, { url, nowMs }) {
      const limits = budget.take(nowMs);
      if (limits.exhausted) {
        return {
          status: 429,
          body: GITLAB_RETRY_LATER_BODY,
          headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': String(limits.retryAfterSeconds), ...limits.headers },
        };
      }
      const answer = listPage(entriesNewestFirst, query, url, nowMs);
      return { ...answer, headers: { ...answer.headers, ...limits.headers } };
    },
  };
}

export const gitlabApi: ProviderApi = createGitlabApi();

/** `/projects/:id/hooks/:hook_id/events` → `project/ID/HOOK_ID`, the id decoded (`acme%2Fpayments` → `acme/payments`). */
export function hookEventsWebhookId(path: string): string | undefined {
  const match = /^\/(projects|groups)\/([^/]+)\/hooks\/([^/]+)\/events\/?$/.exec(path);
  if (!match) return undefined;
  const kind = match[1] === 'projects' ? 'project' : 'group';
  return `${kind}/${decodeURIComponent(match[2]!)}/${decodeURIComponent(match[3]!)}`;
}

function listPage(entriesNewestFirst: readonly unknown[], query: Readonly<Record<string, string>>, url: URL, nowMs: number): ApiAnswer {
  const page = integerParam(query.page, 1, 1, Number.MAX_SAFE_INTEGER);
  if (page === undefined) return invalidParam('page is invalid');
  if (query.per_page !== undefined && !/^\d+$/.test(query.per_page)) return invalidParam('per_page is invalid');
  const perPage = integerParam(query.per_page, MAX_PER_PAGE, 1, MAX_PER_PAGE);
  if (perPage === undefined) return invalidParam('per_page does not have a valid value');
  const status = query.status;
  const matchesStatus = status === undefined ? () => true : statusFilter(status);
  if (matchesStatus === undefined) return invalidParam('status does not have a valid value');

  const listed = listedNewestFirst(entriesNewestFirst, nowMs).filter((entry) => matchesStatus(isRecord(entry) ? entry.response_status : undefined));
  const total = listed.length;
  // Offsets over the log as it is now: entries added at the head push older ones onto later pages.
  const items = listed.slice((page - 1) * perPage, page * perPage);
  return { status: 200, body: items, headers: pagingHeaders(url, page, perPage, total) };
}

/** The last 7 days, newest first by `created_at`; an entry without a readable one counts as made now. */
function listedNewestFirst(entries: readonly unknown[], nowMs: number): unknown[] {
  const cutoffMs = Math.floor(nowMs / DAY_MS) * DAY_MS - LISTED_DAYS * DAY_MS;
  return entries
    .map((entry, index) => ({ entry, index, at: (isRecord(entry) ? parseIsoTimestamp(entry.created_at) : undefined) ?? nowMs }))
    .filter(({ at }) => at >= cutoffMs)
    .sort((a, b) => b.at - a.at || a.index - b.index)
    .map(({ entry }) => entry);
}

/** `status`: an HTTP code (`500`) or a category (`successful`, `client_failure`, `server_failure`). */
function statusFilter(value: string): ((status: unknown) => boolean) | undefined {
  const category = STATUS_CATEGORIES[value];
  if (category) return (status) => typeof status === 'string' && category(status);
  const code = integerParam(value, 0, 100, 599);
  return code === undefined ? undefined : (status) => status === String(code);
}

function pagingHeaders(url: URL, page: number, perPage: number, total: number): Record<string, string> {
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const hasNext = page * perPage < total;
  const counted = total <= MAX_COUNTED;
  const link = (rel: string, to: number) => {
    const target = new URL(url);
    target.searchParams.set('page', String(to));
    target.searchParams.set('per_page', String(perPage));
    return `<${target.href}>; rel="${rel}"`;
  };
  const links = [
    page > 1 ? link('prev', page - 1) : undefined,
    hasNext ? link('next', page + 1) : undefined,
    link('first', 1),
    counted ? link('last', totalPages) : undefined,
  ];
  return {
    link: links.filter((value) => value !== undefined).join(', '),
    'x-page': String(page),
    'x-per-page': String(perPage),
    'x-next-page': hasNext ? String(page + 1) : '',
    'x-prev-page': page > 1 ? String(page - 1) : '',
    ...(counted ? { 'x-total': String(total), 'x-total-pages': String(totalPages) } : {}),
  };
}

function invalidParam(error: string): ApiAnswer {
  return { status: 400, body: { error } };
}

interface Limits {
  exhausted: boolean;
  retryAfterSeconds: number;
  headers: Record<string, string>;
}

/** A fixed budget per clock minute, as GitLab's RateLimit-* headers describe it. */
function rateBudget(limit: number) {
  let windowStartMs = -Infinity;
  let observed = 0;
  return {
    take(nowMs: number): Limits {
      const start = Math.floor(nowMs / RATE_WINDOW_MS) * RATE_WINDOW_MS;
      if (start !== windowStartMs) {
        windowStartMs = start;
        observed = 0;
      }
      observed += 1;
      const resetMs = start + RATE_WINDOW_MS;
      return {
        exhausted: observed > limit,
        retryAfterSeconds: Math.max(1, Math.ceil((resetMs - nowMs) / 1000)),
        headers: {
          'ratelimit-limit': String(limit),
          'ratelimit-observed': String(observed),
          'ratelimit-remaining': String(Math.max(0, limit - observed)),
          'ratelimit-reset': String(Math.floor(resetMs / 1000)),
        },
      };
    },
  };
}
