// What differs between the simulated APIs: path, auth, query rules, body shapes, retention.
// Everything else (routing, faults, bookkeeping) is shared in server.ts.

import type { IncomingHttpHeaders } from 'node:http';

export interface ApiAnswer {
  status: number;
  body: unknown;
  /** Paging and rate-limit headers (e.g. `link`, `x-next-page`, `x-ratelimit-remaining`). */
  headers?: Record<string, string>;
}

/** The request an answer is for, beyond the query: what a Link header or a per-token budget needs. */
export interface AnswerContext {
  /** The full URL asked for, as the client sent it (for next-page links). */
  url: URL;
  /** Clock time of the request, Unix milliseconds. */
  nowMs: number;
  /** The request's headers: If-None-Match, the credential a path needs. Never recorded. */
  requestHeaders?: IncomingHttpHeaders;
}

export interface ProviderApi {
  /**
   * The webhook id a logs path below the provider's prefix names (decoded), or undefined when the
   * path is not this API's logs path. An id may span several segments (OWNER/REPO/HOOK_ID).
   */
  webhookIdFromPath(path: string): string | undefined;
  /** The credential it accepts unless the simulator is told another (see secrets.ts). */
  readonly defaultSecret: string;
  /** Field holding an entry's id in this provider's log. */
  readonly idField: string;
  /** Field holding an entry's time (ISO 8601), by which the log is kept newest first; default `createdAt`. */
  readonly createdAtField?: string;
  /** The provider's body for an unknown webhook; default `{"message":"Webhook not found"}`. */
  readonly notFoundBody?: unknown;
  /** Entries older than this are no longer returned (undefined: kept forever). */
  readonly retentionMs: number | undefined;
  isAuthorized(headers: IncomingHttpHeaders, secret: string): boolean;
  readonly unauthorizedBody: unknown;
  /** 200 JSON of a shape the docs do not describe, for the `wrong-shape` fault. */
  readonly wrongShapeBody: unknown;
  /** A 200 with the page the query asks for, or a 400 when the query breaks the documented rules. */
  answer(entriesNewestFirst: readonly unknown[], query: Readonly<Record<string, string>>, context: AnswerContext): ApiAnswer;
}

/**
 * An integer query parameter: its default when absent, the number when it is within range,
 * undefined when it breaks the rule.
 */
export function integerParam(value: string | undefined, fallback: number, min: number, max: number): number | undefined {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) return undefined;
  const number = Number(value);
  return number >= min && number <= max ? number : undefined;
}

export function badRequest(message: string): ApiAnswer {
  return { status: 400, body: { message } };
}

/** `/v1/webhooks/{id}/logs`, the path Salesfinity and Baanx share; throws on a malformed escape. */
export function webhookLogsId(path: string): string | undefined {
  const match = /^\/v1\/webhooks\/([^/]+)\/logs\/?$/.exec(path);
  return match ? decodeURIComponent(match[1]!) : undefined;
}
