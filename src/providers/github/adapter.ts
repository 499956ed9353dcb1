import { isRecord } from '../fields.js';
import { parseEntries } from '../parse-entries.js';
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

/**
 * The next page's URL from a `Link` header, or why it cannot be followed. The URL is kept as
 * given (the cursor is opaque) but must stay on the base URL's origin: the request carries the
 * credential, which must not go to another host.
 */
export function nextPageUrl(linkHeader: string | undefined, requestUrl: URL, origin: string): { url?: URL; problem?: string } {
  if (linkHeader === undefined || linkHeader.trim() === '') return {};
  const parsed = parseLinkHeader(linkHeader);
  if ('problem' in parsed) return { problem: `ignored a malformed Link header (${parsed.problem}); the read ends at this page` };
  const targets = [...new Set(parsed.links.filter((link) => relations(link).includes('next')).map((link) => link.target))];
  if (targets.length === 0) return {};
  if (targets.length > 1) return { problem: 'ignored a Link header with several different rel="next" links; the read ends at this page' };
  let url: URL;
  try {
    url = new URL(targets[0]!, requestUrl);
  } catch {
    return { problem: 'ignored a rel="next" link that is not a URL; the read ends at this page' };
  }
  if (url.origin !== origin) {
    return { problem: `did not follow a rel="next" link to ${url.origin}, another origin than the configured baseUrl (${origin}); the read ends at this page` };
  }
  url.hash = '';
  // A link back to the page just read would repeat it until maxPages.
  if (url.href === requestUrl.href) return { problem: 'ignored a rel="next" link to the page just read; the read ends at this page' };
  return { url };
}

export interface WebLink {
  target: string;
  /** Lower-cased parameter names; the first occurrence of each (RFC 8288 §3). */
  params: Map<string, string>;
}

/** RFC 8288 `Link`: `<uri>; name=token; name="quoted", <uri>; …`. Never throws. */
export function parseLinkHeader(value: string): { links: WebLink[] } | { problem: string } {
  const links: WebLink[] = [];
  let i = 0;
  const skipSpace = () => {
    while (value[i] === ' ' || value[i] === '\t') i++;
  };
  while (i < value.length) {
    skipSpace();
    if (value[i] === ',') {
      i++; // empty list elements are allowed
      continue;
    }
    if (i >= value.length) break;
    if (value[i] !== '<') return { problem: `expected "<" at character ${i + 1}` };
    const close = value.indexOf('>', i + 1);
    if (close < 0) return { problem: 'a "<" without its ">"' };
    const link: WebLink = { target: value.slice(i + 1, close).trim(), params: new Map() };
    i = close + 1;
    for (;;) {
      skipSpace();
      if (i >= value.length || value[i] === ',') break;
      if (value[i] !== ';') return { problem: `expected ";" or "," at character ${i + 1}` };
      i++;
      skipSpace();
      const name = readToken(value, i);
      if (name === '') return { problem: `a parameter without a name at character ${i + 1}` };
      i += name.length;
      skipSpace();
      let paramValue = '';
      if (value[i] === '=') {
        i++;
        skipSpace();
        if (value[i] === '"') {
          const quoted = readQuoted(value, i);
          if (quoted === undefined) return { problem: 'an unterminated quoted string' };
          paramValue = quoted.text;
          i = quoted.end;
        } else {
          paramValue = readToken(value, i);
          if (paramValue === '') return { problem: `parameter "${name}" without a value` };
          i += paramValue.length;
        }
      }
      const key = name.toLowerCase();
      if (!link.params.has(key)) link.params.set(key, paramValue);
    }
    links.push(link);
  }
  return { links };
}

/** `rel` holds one or more relation types separated by spaces, compared case-insensitively. */
function relations(link: WebLink): string[] {
  return (link.params.get('rel') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
}

const TOKEN_CHARACTER = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

function readToken(text: string, start: number): string {
  let end = start;
  while (end < text.length && TOKEN_CHARACTER.test(text[end]!)) end++;
  return text.slice(start, end);
}

function readQuoted(text: string, start: number): { text: string; end: number } | undefined {
  let result = '';
  for (let i = start + 1; i < text.length; i++) {
    const character = text[i]!;
    if (character === '"') return { text: result, end: i + 1 };
    if (character === '\\') {
      i++;
      if (i >= text.length) return undefined;
      result += text[i];
    } else result += character;
  }
  return undefined;
}
