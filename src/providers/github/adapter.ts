import { isRecord } from '../fields.js';
import { parseEntries } from '../parse-entries.js';
import { nextPageUrl } from '../link-header.js';
import { apiUrl } from '../request-url.js';
import type { ParsedPage, ProviderAdapter, ProviderRequest } from '../types.js';
import { USER_AGENT } from '../user-agent.js';
import { createAppJwtSource, type AppJwtSource } from './app-jwt.js';
import { normalize } from './normalize.js';
import { APP_WEBHOOK_ID } from './types.js';

export const GITHUB_DEFAULT_BASE_URL = 'https://api.github.com';
/** The API's largest `per_page`. */
export const MAX_PER_PAGE = 100;
/** The REST API version the adapter is written against. */
export const GITHUB_API_VERSION = '2022-11-28';

export interface GithubAppCredentials {
  appId: string | number;
  privateKeyPem: string;
}

export interface GithubAdapterOptions {
  /** `https://api.github.com`, or `https://HOST/api/v3` for Enterprise Server. */
  baseUrl: string;
  /** Reads repository and organization hooks. */
  token?: string;
  /** Reads the App's own hook (`app`), with a JWT signed per `app-jwt.ts`. */
  app?: GithubAppCredentials;
  /** `per_page`, 1..100. */
  pageSize: number;
  maxPages: number;
  userAgent?: string;
  /** Clock for the App JWT, Unix milliseconds; default Date.now. */
  now?: () => number;
}

/**
 * A page whose `Link` header could not be followed says why in `warning`, for the log; the read
 * then ends there, as on a last page.
 */
export type GithubParsedPage = ParsedPage;

/**
 * GitHub's webhook deliveries: a bare array per page, newest first, and the next (older) page's
 * URL in `Link: <…>; rel="next"`, its cursor opaque. Which credential a request carries depends
 * on the webhook: the token for repository and organization hooks, the App JWT for `app`.
 */
export function createGithubAdapter(options: GithubAdapterOptions): ProviderAdapter {
  const { baseUrl, token, app, pageSize, maxPages, userAgent = USER_AGENT } = options;
  const appJwt = app === undefined ? undefined : tryAppJwtSource(app, options.now);
  const origin = new URL(baseUrl).origin;

  // Chosen per request: a JWT is renewed as it nears expiry, and the two credentials never mix.
  const headersFor = (webhookId: string): Record<string, string> => {
    const bearer = webhookId === APP_WEBHOOK_ID ? appJwt?.token() : token;
    const headers: Record<string, string> = {
      accept: 'application/vnd.github+json',
      'x-github-api-version': GITHUB_API_VERSION,
      'user-agent': userAgent,
    };
    // Without the credential this webhook needs, GitHub answers 401: the hint names the fix.
    if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
    return headers;
  };

  return {
    provider: 'github',
    paging: { kind: 'paged', pageSize, maxPages },
    // Every failed delivery is final (no automatic retry); a redelivery is a re-send.
    capabilities: { retries: true, eventIds: true, unfinishedStates: false },
    hints: { credential: credentialHint(token !== undefined, app !== undefined), pageSize: { setting: 'pageSize', max: MAX_PER_PAGE }, pageLimit: 'maxPages' },
    firstRequest: (webhookId) => ({ url: deliveriesUrl(baseUrl, webhookId, pageSize), headers: headersFor(webhookId) }),
    // A secondary rate limit is a 403 (or 429) that may carry no header saying so, only its message.
    isRateLimit: (status, body) => (status === 403 || status === 429) && isRecord(body) && typeof body.message === 'string' && /secondary rate limit/i.test(body.message),
    // GitHub's errors are {message, documentation_url}: the message says what is wrong.
    errorMessage: (body) => (isRecord(body) && typeof body.message === 'string' && body.message !== '' ? body.message : undefined),
    parsePage({ request, headers, body }, webhookId): GithubParsedPage {
      if (!Array.isArray(body)) return { ok: false, problem: 'body is not a JSON array' };
      const entries = parseEntries(body, webhookId, normalize);
      const link = nextPageUrl(headers.link, request.url, origin);
      const next: ProviderRequest | undefined = link.url === undefined ? undefined : { url: link.url, headers: headersFor(webhookId) };
      return link.problem === undefined ? { ok: true, ...entries, next } : { ok: true, ...entries, next, warning: link.problem };
    },
  };
}

/** `OWNER/REPO/HOOK_ID`, `ORG/HOOK_ID` or `app` → the deliveries URL below the base URL's path. */
export function deliveriesUrl(baseUrl: string, webhookId: string, perPage: number): URL {
  const segments = webhookId === APP_WEBHOOK_ID ? ['app', 'hook', 'deliveries'] : deliveriesPath(webhookId.split('/'));
  return apiUrl(baseUrl, segments, { per_page: String(perPage) });
}

function deliveriesPath(parts: string[]): string[] {
  // The definition rejects every other shape before an adapter sees it.
  if (parts.length === 2) return ['orgs', parts[0]!, 'hooks', parts[1]!, 'deliveries'];
  return ['repos', parts[0]!, parts[1]!, 'hooks', parts[2]!, 'deliveries'];
}

/** Read as "check that the source's <hint> is current": names what the source lacks too. */
function credentialHint(hasToken: boolean, hasApp: boolean): string {
  if (hasToken && hasApp) return 'token (or tokenFile) for repository and organization hooks, appId and privateKeyFile for "app"';
  if (hasApp) return 'appId and privateKeyFile, or for repository and organization hooks a token (or tokenFile)';
  return 'token (or tokenFile), or for "app" an appId and privateKeyFile';
}

/** A key that cannot sign leaves `app` without a credential (config validation reports the key). */
function tryAppJwtSource(app: GithubAppCredentials, now: (() => number) | undefined): AppJwtSource | undefined {
  try {
    return createAppJwtSource({ appId: app.appId, privateKeyPem: app.privateKeyPem, now });
  } catch {
    return undefined;
  }
}

// Shared with the declarative provider's link-header paging; kept importable from here.
export { nextPageUrl, parseLinkHeader, type WebLink } from '../link-header.js';
