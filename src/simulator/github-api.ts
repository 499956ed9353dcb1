// GitHub's webhook deliveries, as `GET /repos/{owner}/{repo}/hooks/{id}/deliveries`,
// `/orgs/{org}/hooks/{id}/deliveries` and `/app/hook/deliveries` answer: a bare array newest first,
// keyset cursors in a `Link` header (new deliveries at the head do not move them), rate-limit
// headers on every answer, an ETag, and `{message, documentation_url}` errors.

import { createHash, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isRecord } from '../providers/fields.js';
import { APP_WEBHOOK_ID } from '../providers/github/types.js';
import type { AnswerContext, ApiAnswer, ProviderApi } from './provider-api.js';

import { SIM_GITHUB_TOKEN } from './secrets.js';

export { SIM_GITHUB_TOKEN };
/** The simulated GitHub App whose JWT reads `app`. */
export const SIM_GITHUB_APP_ID = 424242;

const THREE_DAYS_MS = 3 * 24 * 60 * 60 * 1000;
const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;
/** github.com's budget for a token: 5,000 requests an hour. */
const DEFAULT_RATE_LIMIT = 5_000;
const RATE_LIMIT_WINDOW_MS = 60 * 60 * 1000;
const DOCS = 'https://docs.github.com/rest';

/** What GitHub answers when a token's hourly budget is spent (its documented body). */
export const GITHUB_RATE_LIMIT_BODY = {
  message:
    "API rate limit exceeded for xxx.xxx.xxx.xxx. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)",
  documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
};

/**
 * The answer context plus the request's headers, for `If-None-Match` and for telling a token
 * from an App JWT (which path takes which). Without them those checks are skipped.
 */
export interface GithubAnswerContext extends AnswerContext {
  requestHeaders?: IncomingHttpHeaders;
}

export interface GithubApiOptions {
  /** Requests per window before 403s; default 5,000. */
  rateLimit?: number;
  /** Default one hour. */
  rateLimitWindowMs?: number;
}

let appKeys: { privateKeyPem: string; publicKey: KeyObject } | undefined;

/**
 * The simulated App's key pair, made on first use (not at import: RSA generation takes a moment).
 * Write `privateKeyPem` to the file an exporter source's `privateKeyFile` names.
 */
export function simGithubAppKeys(): { privateKeyPem: string; publicKey: KeyObject } {
  if (appKeys === undefined) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    appKeys = { privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), publicKey };
  }
  return appKeys;
}

export function createGithubApi(options: GithubApiOptions = {}): ProviderApi {
  const limit = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  const windowMs = options.rateLimitWindowMs ?? RATE_LIMIT_WINDOW_MS;
  const budget = { used: 0, resetAtMs: 0 };

  const rateHeaders = (): Record<string, string> => ({
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(Math.max(0, limit - budget.used)),
    'x-ratelimit-used': String(budget.used),
    'x-ratelimit-reset': String(Math.ceil(budget.resetAtMs / 1000)),
    'x-ratelimit-resource': 'core',
    // GitHub echoes the API version it answered with.
    'x-github-api-version-selected': '2022-11-28',
  });

  return {
    webhookIdFromPath,
    defaultSecret: SIM_GITHUB_TOKEN,
    idField: 'id',
    createdAtField: 'delivered_at',
    retentionMs: THREE_DAYS_MS,
    isAuthorized: (headers, token) => {
      const bearer = bearerOf(headers);
      return bearer !== undefined && (bearer === token || readAppJwt(bearer) !== undefined);
    },
    unauthorizedBody: { message: 'Bad credentials', documentation_url: DOCS },
    // Also what GitHub answers for a hook the credential may not see: it hides what it won't show.
    notFoundBody: { message: 'Not Found', documentation_url: DOCS },
    wrongShapeBody: { total_count: 1, deliveries: [] },
    answer(entriesNewestFirst, query, context: GithubAnswerContext): ApiAnswer {
      const { nowMs, url } = context;
      if (nowMs >= budget.resetAtMs) Object.assign(budget, { used: 0, resetAtMs: nowMs + windowMs });
      const docs = documentationUrl(url.pathname);
      const refused = credentialProblem(url.pathname, context.requestHeaders, nowMs);
      if (refused !== undefined) return { status: refused.status, body: { message: refused.message, documentation_url: docs }, headers: rateHeaders() };
      if (budget.used >= limit) return { status: 403, body: GITHUB_RATE_LIMIT_BODY, headers: rateHeaders() };

      const page = pageOf(entriesNewestFirst, query, url, docs);
      const etag = `W/"${createHash('sha256').update(JSON.stringify([page.body, page.link])).digest('hex')}"`;
      // A conditional request that finds nothing new is answered 304 and not charged.
      if (page.status === 200 && context.requestHeaders?.['if-none-match'] === etag) {
        return { status: 304, body: null, headers: { ...rateHeaders(), etag } };
      }
      budget.used += 1;
      const headers = rateHeaders();
      if (page.status === 200) headers.etag = etag;
      if (page.link !== undefined) headers.link = page.link;
      return { status: page.status, body: page.body, headers };
    },
  };
}

/** The simulator's GitHub, with github.com's budget. */
export const githubApi: ProviderApi = createGithubApi();

/** `OWNER/REPO/HOOK_ID`, `ORG/HOOK_ID` or `app` from the deliveries path; throws on a malformed escape. */
export function webhookIdFromPath(path: string): string | undefined {
  if (/^\/app\/hook\/deliveries\/?$/.test(path)) return APP_WEBHOOK_ID;
  const match = /^\/repos\/([^/]+)\/([^/]+)\/hooks\/([^/]+)\/deliveries\/?$/.exec(path) ?? /^\/orgs\/([^/]+)\/hooks\/([^/]+)\/deliveries\/?$/.exec(path);
  if (match === null) return undefined;
  const parts = match.slice(1).map((segment) => decodeURIComponent(segment));
  // An escaped "/" would make two ids out of one path; GitHub's names hold none.
  return parts.some((part) => part.includes('/')) ? undefined : parts.join('/');
}

interface Page {
  status: number;
  body: unknown;
  link?: string;
}

/** The documented query rules, then the page the cursor starts. */
function pageOf(entriesNewestFirst: readonly unknown[], query: Readonly<Record<string, string>>, url: URL, docs: string): Page {
  const perPage = query.per_page === undefined ? DEFAULT_PER_PAGE : /^\d+$/.test(query.per_page) ? Number(query.per_page) : NaN;
  if (!(perPage >= 1 && perPage <= MAX_PER_PAGE)) return validationFailed('per_page', docs);
  if (query.status !== undefined && query.status !== 'success' && query.status !== 'failure') return validationFailed('status', docs);

  // As documented for the `status` filter: success is 200-399, failure 400-599.
  const range = query.status === 'success' ? [200, 399] : query.status === 'failure' ? [400, 599] : undefined;
  const listed = range === undefined ? entriesNewestFirst : entriesNewestFirst.filter((entry) => isRecord(entry) && typeof entry.status_code === 'number' && entry.status_code >= range[0]! && entry.status_code <= range[1]!);

  const start = query.cursor === undefined ? 0 : cursorPosition(listed, query.cursor);
  if (start === undefined) return { status: 400, body: { message: 'Invalid cursor', documentation_url: docs } };
  const body = listed.slice(start, start + perPage);
  const following = listed[start + perPage];
  if (following === undefined) return { status: 200, body };
  const next = new URL(url);
  next.searchParams.set('cursor', `v1_${cursorKey(following)}`);
  return { status: 200, body, link: `<${next.href}>; rel="next"` };
}

function validationFailed(field: string, docs: string): Page {
  return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'HookDelivery', field, code: 'invalid' }], documentation_url: docs } };
}

/**
 * A cursor names the first delivery of the page by id. When that delivery is gone (retention),
 * the page starts at the next older one: ids grow with time.
 */
function cursorPosition(listed: readonly unknown[], cursor: string): number | undefined {
  const key = /^v1_(\w+)$/.exec(cursor)?.[1];
  if (key === undefined) return undefined;
  const exact = listed.findIndex((entry) => cursorKey(entry) === key);
  if (exact >= 0) return exact;
  if (!/^\d+$/.test(key)) return undefined;
  const older = listed.findIndex((entry) => isRecord(entry) && Number.isSafeInteger(entry.id) && (entry.id as number) < Number(key));
  return older >= 0 ? older : listed.length;
}

/** The id, or (for a deliberately broken entry without one) a digest of its content. */
function cursorKey(entry: unknown): string {
  if (isRecord(entry) && Number.isSafeInteger(entry.id)) return String(entry.id);
  return `h${createHash('sha256').update(JSON.stringify(entry) ?? 'undefined').digest('hex').slice(0, 16)}`;
}

function documentationUrl(path: string): string {
  if (path.endsWith('/app/hook/deliveries')) return `${DOCS}/apps/webhooks#list-deliveries-for-an-app-webhook`;
  if (/\/orgs\/[^/]+\/hooks\//.test(path)) return `${DOCS}/orgs/webhooks#list-deliveries-for-an-organization-webhook`;
  return `${DOCS}/repos/webhooks#list-deliveries-for-a-repository-webhook`;
}

function bearerOf(headers: IncomingHttpHeaders): string | undefined {
  return /^(?:Bearer|token) (.+)$/i.exec(headers.authorization ?? '')?.[1];
}

/**
 * `app` takes only an App JWT, current by the simulator's clock, with `exp` at most ten minutes
 * after `iat`; the hooks of repositories and organizations take only a token.
 */
function credentialProblem(path: string, headers: IncomingHttpHeaders | undefined, nowMs: number): { status: number; message: string } | undefined {
  if (headers === undefined) return undefined;
  const bearer = bearerOf(headers);
  const claims = bearer === undefined ? undefined : readAppJwt(bearer);
  if (!path.endsWith('/app/hook/deliveries')) {
    return claims === undefined ? undefined : { status: 403, message: 'Resource not accessible by integration' };
  }
  if (claims === undefined) return { status: 401, message: 'A JSON web token could not be decoded' };
  const nowSeconds = Math.floor(nowMs / 1000);
  if (typeof claims.iat !== 'number' || claims.iat > nowSeconds + 60) {
    return { status: 401, message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued" };
  }
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) {
    return { status: 401, message: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires" };
  }
  if (claims.exp - claims.iat > 600) return { status: 401, message: "'Expiration time' claim ('exp') is too far in the future" };
  return undefined;
}

/** The claims of an RS256 JWT signed by the simulated App's key for its id; undefined otherwise. */
function readAppJwt(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || appKeys === undefined) return undefined; // no key handed out: no JWT can be valid
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    const claims: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    if (!isRecord(header) || header.alg !== 'RS256' || !isRecord(claims)) return undefined;
    const signed = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), appKeys.publicKey, Buffer.from(parts[2]!, 'base64url'));
    return signed && String(claims.iss) === String(SIM_GITHUB_APP_ID) ? claims : undefined;
  } catch {
    return undefined;
  }
}
