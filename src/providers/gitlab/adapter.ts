import { bodyCapture, truncateUtf8 } from '../bodies.js';
import { isRecord } from '../fields.js';
import { parseEntries } from '../parse-entries.js';
import { apiUrl } from '../request-url.js';
import type { ParsedPage, ProviderAdapter, ProviderRequest } from '../types.js';
import { USER_AGENT } from '../user-agent.js';
import { normalize } from './normalize.js';
import { GITLAB_MAX_PER_PAGE, type GitlabHookKind } from './types.js';

export const GITLAB_DEFAULT_BASE_URL = 'https://gitlab.com/api/v4';

/**
 * The forms a webhook string takes. A project or group is named by its numeric id or by its full
 * path written with plain slashes (`project/acme/payments/56`): the config allows no `%`, and the
 * hook id is always the last part, so the path in between is unambiguous. The request encodes it
 * as GitLab asks (`/projects/acme%2Fpayments/hooks/56/events`).
 */
export const GITLAB_WEBHOOK_FORMS =
  'project/PROJECT_ID/HOOK_ID or group/GROUP_ID/HOOK_ID (e.g. project/1234/56, group/77/88), where a project or group may also be ' +
  'given by its full path with plain slashes (project/acme/payments/56, group/acme/platform/88)';

export interface GitlabWebhook {
  kind: GitlabHookKind;
  /** A numeric id or a full path (`acme/payments`), unencoded. */
  id: string;
  /** Numeric. */
  hookId: string;
}

const NUMBER = /^\d+$/;
/** An error text is a line for the log, never a page of HTML. */
const ERROR_TEXT_BYTES = 500;
/** What GitLab allows in a group or project path segment. */
const PATH_SEGMENT = /^[A-Za-z0-9_.-]+$/;

/** The parts of a webhook string, or what is wrong with it. */
export function parseGitlabWebhook(webhookId: string): { ok: true; webhook: GitlabWebhook } | { ok: false; problem: string } {
  const fail = (why: string) => ({ ok: false as const, problem: `${why}: expected ${GITLAB_WEBHOOK_FORMS}` });
  const parts = webhookId.split('/');
  const [kind] = parts;
  if (kind !== 'project' && kind !== 'group') return fail('must start with "project/" or "group/"');
  if (parts.length < 3) return fail(`needs a ${kind} and a hook id`);
  const hookId = parts[parts.length - 1] as string;
  if (!NUMBER.test(hookId)) return fail(`the hook id (the last part, ${JSON.stringify(hookId)}) must be a number`);
  const path = parts.slice(1, -1);
  if (webhookId.includes('%')) return fail('write a path with plain slashes, not URL-encoded');
  if (!path.every((segment) => PATH_SEGMENT.test(segment))) return fail(`${JSON.stringify(path.join('/'))} is not a ${kind} id or path`);
  // A project always lives in a namespace; one name alone is neither an id nor a project's full path.
  if (kind === 'project' && path.length === 1 && !NUMBER.test(path[0] as string)) {
    return fail(`a project path needs its namespace (project/NAMESPACE/${path[0]}/${hookId})`);
  }
  return { ok: true, webhook: { kind, id: path.join('/'), hookId } };
}

/** `{baseUrl}/projects/:id/hooks/:hook_id/events`, keeping any path prefix of the base URL (`/api/v4`). */
export function hookEventsUrl(baseUrl: string, webhook: GitlabWebhook, query: Record<string, string>): URL {
  const collection = webhook.kind === 'project' ? 'projects' : 'groups';
  return apiUrl(baseUrl, [collection, webhook.id, 'hooks', String(webhook.hookId), 'events'], query);
}

export interface GitlabAdapterOptions {
  baseUrl: string;
  /** Personal, project or group access token, sent as `PRIVATE-TOKEN`. */
  token: string;
  /** Entries per page (`per_page`), 1..20. */
  pageSize: number;
  /** Pages per read. */
  maxPages: number;
  userAgent?: string;
  /** Capture request and response bodies up to this size (opt-in for traces); undefined: never. */
  bodyLimitBytes?: number;
}

/**
 * Page numbers over a list kept newest first that grows at its head (entries move to later pages
 * between requests; the poller counts each once). The next page comes from `x-next-page`, else the
 * `Link` header's rel="next", else a full page suggests another.
 */
export function createGitlabAdapter(options: GitlabAdapterOptions): ProviderAdapter {
  const { baseUrl, token, pageSize, maxPages, userAgent = USER_AGENT, bodyLimitBytes } = options;
  const withBodies = bodyCapture(bodyLimitBytes, (entry) => entry.request_data, (entry) => entry.response_body);
  // Parsed once per webhook (the configured ones: a few thousand at most), not on every page.
  const webhooks = new Map<string, GitlabWebhook>();
  const pageRequest = (webhookId: string, page: number): ProviderRequest => {
    let webhook = webhooks.get(webhookId);
    if (webhook === undefined) {
      const parsed = parseGitlabWebhook(webhookId);
      // The config rejects such ids; a stray one asks for a hook that cannot exist (a 404 the
      // poller reports) rather than throwing inside the poller.
      webhook = parsed.ok ? parsed.webhook : { kind: 'project' as const, id: webhookId, hookId: '0' };
      webhooks.set(webhookId, webhook);
    }
    return {
      url: hookEventsUrl(baseUrl, webhook, { page: String(page), per_page: String(pageSize) }),
      headers: { accept: 'application/json', 'user-agent': userAgent, 'private-token': token },
    };
  };
  return {
    provider: 'gitlab',
    paging: { kind: 'paged', pageSize, maxPages },
    // `retries`: GitLab's schedule is always "none", so each failed attempt is an exhausted delivery.
    // `eventIds`: X-Gitlab-Event-UUID is optional, and GitLab does not document that a resend keeps
    // it; it still links an attempt's span to its event, but no event is timed to delivery.
    capabilities: { retries: true, eventIds: false, unfinishedStates: false },
    hints: { credential: 'token (or tokenFile)', pageSize: { setting: 'pageSize', max: GITLAB_MAX_PER_PAGE }, pageLimit: 'maxPages' },
    firstRequest: (webhookId) => pageRequest(webhookId, 1),
    errorMessage: errorText,
    parsePage({ request, headers, body }, webhookId): ParsedPage {
      if (!Array.isArray(body)) return { ok: false, problem: 'body is not a JSON array' };
      const page = Number(request.url.searchParams.get('page')) || 1;
      const nextPage = nextPageNumber(headers, page, body.length === pageSize);
      const named = Number(headers['x-next-page']);
      // A next page that does not come after this one would read the same pages forever.
      const backwards = nextPage === undefined && Number.isInteger(named) && named > 0 && named <= page;
      return {
        ok: true,
        ...parseEntries(body, webhookId, normalize, withBodies),
        next: nextPage === undefined ? undefined : pageRequest(webhookId, nextPage),
        ...(backwards && { warning: `x-next-page (${named}) does not come after page ${page}` }),
      };
    },
  };
}

/**
 * `x-next-page` (empty on the last page); without it, the `page` of the Link header's rel="next"
 * (only its page number is taken: the request stays on the configured base URL, so the token never
 * follows a link elsewhere); without either, a full page suggests another. Never goes backwards.
 */
export function nextPageNumber(headers: Readonly<Record<string, string>>, page: number, fullPage: boolean): number | undefined {
  const fromHeader = headers['x-next-page'];
  if (fromHeader !== undefined && fromHeader.trim() === '') return undefined;
  const candidate = fromHeader !== undefined && NUMBER.test(fromHeader.trim()) ? Number(fromHeader) : linkNextPage(headers.link);
  if (candidate === 'no next') return undefined;
  // Past 2^53 a page number is no longer exact (it would be asked for as `page=1e+21`): no next page.
  if (candidate !== undefined) return Number.isSafeInteger(candidate) && candidate > page ? candidate : undefined;
  return fullPage ? page + 1 : undefined;
}

/** The page number of rel="next"; 'no next' when a Link header lists other pages but not a next one. */
function linkNextPage(link: string | undefined): number | 'no next' | undefined {
  if (link === undefined || link.trim() === '') return undefined;
  for (const part of link.split(',')) {
    const [target, ...params] = part.split(';');
    const rel = params.map((param) => param.trim()).find((param) => /^rel\s*=/i.test(param));
    const rels = rel?.replace(/^rel\s*=\s*/i, '').replace(/"/g, '').toLowerCase().split(/\s+/) ?? [];
    if (!rels.includes('next')) continue;
    const value = safeUrl(target?.trim().replace(/^<|>$/g, '') ?? '')?.searchParams.get('page');
    return value != null && NUMBER.test(value) ? Number(value) : undefined;
  }
  return 'no next';
}

/**
 * What an error answer says: `{"message": "401 Unauthorized"}`, `{"error": "per_page does not have a
 * valid value"}`, or the plain text of a 429 (`Retry later`). Bounded; the poller cleans it further.
 */
function errorText(body: unknown): string | undefined {
  const said = isRecord(body) ? (typeof body.message === 'string' ? body.message : body.error) : body;
  if (typeof said !== 'string') return undefined;
  const text = said.trim();
  // A proxy's HTML error page says nothing an operator can act on.
  return text === '' || text.startsWith('<') ? undefined : truncateUtf8(text, ERROR_TEXT_BYTES);
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** For the config's rule and the simulator: a webhook string's problem, or undefined when it is usable. */
export function gitlabWebhookProblem(webhookId: string): string | undefined {
  const parsed = parseGitlabWebhook(webhookId);
  return parsed.ok ? undefined : parsed.problem;
}
