import { bodyCapture } from '../bodies.js';
import { isRecord } from '../fields.js';
import { parseEntries } from '../parse-entries.js';
import { apiUrl } from '../request-url.js';
import type { ParsedPage, ProviderAdapter, ProviderRequest } from '../types.js';
import { USER_AGENT } from '../user-agent.js';
import { isCanceledAttempt, normalize } from './normalize.js';
import { SVIX_MAX_LIMIT } from './types.js';

export const SVIX_DEFAULT_BASE_URL = 'https://api.svix.com';

/** What an application or endpoint id (or UID) may hold, as Svix's API reference states. */
const SVIX_ID = /^[a-zA-Z0-9_.-]{1,256}$/;

export const SVIX_WEBHOOK_FORM =
  'APP_ID/ENDPOINT_ID: a Svix application id or UID, "/", and one of its endpoints\' id or UID, each of letters, digits, "-", "_" and "." ' +
  '(e.g. app_2Wn0ozpCBWWhyJKDDgYcTuXOSwZ/ep_2Wn1Hl9zK4Xe5WGEyLNnBvTCQ2C)';

/** What is wrong with a webhook string for Svix, or undefined. */
export function svixWebhookProblem(webhookId: string): string | undefined {
  const parts = webhookId.split('/');
  if (parts.length !== 2) return `must be ${SVIX_WEBHOOK_FORM}`;
  for (const [what, part] of [['application', parts[0]], ['endpoint', parts[1]]] as const) {
    // "." and ".." fit the pattern but would move the request's path.
    if (part === undefined || !SVIX_ID.test(part) || part === '.' || part === '..') {
      return `${JSON.stringify(part ?? '')} is not a Svix ${what} id or UID: expected ${SVIX_WEBHOOK_FORM}`;
    }
  }
  return undefined;
}

/**
 * `{baseUrl}/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}`, keeping any path prefix of the
 * base URL (a proxy or the simulator may mount the API below `/svix`). A malformed webhook string
 * (which the config rejects) still makes a URL: the API answers it with a 404.
 */
export function attemptsByEndpointUrl(baseUrl: string, webhookId: string, query: Record<string, string>): URL {
  const slash = webhookId.indexOf('/');
  const appId = slash < 0 ? webhookId : webhookId.slice(0, slash);
  const endpointId = slash < 0 ? '' : webhookId.slice(slash + 1);
  return apiUrl(baseUrl, ['api', 'v1', 'app', appId, 'attempt', 'endpoint', endpointId], query);
}

export interface SvixAdapterOptions {
  baseUrl: string;
  /** API access token, sent as `Authorization: Bearer`. */
  token: string;
  /** Attempts per page (`limit`), 1..250. */
  pageSize: number;
  /** Pages per read. */
  maxPages: number;
  userAgent?: string;
  /** Capture request and response bodies up to this size (opt-in for traces); undefined: never. */
  bodyLimitBytes?: number;
}

/**
 * Newest attempts first, ordered by attempt id; each page's `iterator` names the next, older one,
 * so attempts added at the head while paging do not move it.
 */
export function createSvixAdapter(options: SvixAdapterOptions): ProviderAdapter {
  const { baseUrl, token, pageSize, maxPages, userAgent = USER_AGENT, bodyLimitBytes } = options;
  const withBodies = bodyCapture(bodyLimitBytes, (entry) => (isRecord(entry.msg) ? entry.msg.payload : undefined), (entry) => entry.response);
  const query = {
    limit: String(pageSize),
    // The event type lives on the message.
    with_msg: 'true',
    // Otherwise canceled attempts read as successes.
    expanded_statuses: 'true',
    // Receivers' bodies (and the error text of attempts without a response) only when the source
    // opted in to bodies: they can be large and hold personal data.
    with_content: withBodies === undefined ? 'false' : 'true',
  };
  const headers = { accept: 'application/json', 'user-agent': userAgent, authorization: `Bearer ${token}` };
  return {
    provider: 'svix',
    paging: { kind: 'paged', pageSize, maxPages },
    // Svix reports no retry schedule, so "exhausted" cannot be told.
    capabilities: { retries: false, eventIds: true, unfinishedStates: true },
    hints: { credential: 'token (or tokenFile)', pageSize: { setting: 'pageSize', max: SVIX_MAX_LIMIT }, pageLimit: 'maxPages' },
    firstRequest: (webhookId) => ({ url: attemptsByEndpointUrl(baseUrl, webhookId, query), headers: { ...headers } }),
    errorMessage: svixErrorText,
    parsePage({ request, body }, webhookId): ParsedPage {
      if (!isRecord(body)) return { ok: false, problem: 'body is not a JSON object' };
      if (!Array.isArray(body.data)) return { ok: false, problem: '`data` is not an array' };
      if (typeof body.done !== 'boolean') return { ok: false, problem: '`done` is not a boolean' };
      if (body.iterator !== null && body.iterator !== undefined && typeof body.iterator !== 'string') {
        return { ok: false, problem: '`iterator` is neither a string nor null' };
      }
      // Canceled attempts are no deliveries: left out of attempts and invalid alike, but still
      // entries of the page, so a page of only canceled attempts does not end the read.
      const deliveries = body.data.filter((entry) => !isCanceledAttempt(entry));
      // An attempt held as pending that is canceled now is let go, not reported as lost.
      const withdrawn = body.data.filter(isCanceledAttempt).flatMap((entry) => (isRecord(entry) && typeof entry.id === 'string' ? [entry.id] : []));
      return {
        ok: true,
        ...parseEntries(deliveries, webhookId, normalize, withBodies),
        entryCount: body.data.length,
        ...(withdrawn.length > 0 && { withdrawn }),
        next: nextRequest(request, body.done, body.iterator),
        // The same iterator again would ask for this page over and over: the read ends, and says so.
        ...(!body.done && typeof body.iterator === 'string' && body.iterator !== '' && body.iterator === request.url.searchParams.get('iterator') && {
          warning: 'the provider answered with the iterator it was asked for, so paging would not move on',
        }),
      };
    },
  };
}

/**
 * The same request with `iterator` set, unless the log ends here. An iterator that repeats the
 * one just used would ask for this page again, over and over: it ends the read instead.
 */
function nextRequest(request: ProviderRequest, done: boolean, iterator: string | null | undefined): ProviderRequest | undefined {
  if (done || !iterator || iterator === request.url.searchParams.get('iterator')) return undefined;
  const url = new URL(request.url);
  url.searchParams.set('iterator', iterator);
  return { url, headers: { ...request.headers } };
}

/** Svix's errors: `{code, detail}`, or for a 422 `{detail: [{loc, msg, type}]}`. */
function svixErrorText(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const detail = Array.isArray(body.detail)
    ? body.detail.flatMap((item) => (isRecord(item) && typeof item.msg === 'string' ? [item.msg] : [])).join('; ')
    : typeof body.detail === 'string'
      ? body.detail
      : '';
  const code = typeof body.code === 'string' ? body.code : '';
  const text = [code, detail].filter((part) => part !== '').join(': ');
  return text === '' ? undefined : text;
}
