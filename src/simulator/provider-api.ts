// What differs between the simulated APIs: path, auth, query rules, body shapes, retention.
// Everything else (routing, faults, bookkeeping) is shared in server.ts.

import type { IncomingHttpHeaders } from 'node:http';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export interface ProviderApi {
  /** The logs path below the provider's prefix; its first group is the (encoded) webhook id. */
  readonly logsPath: RegExp;
  /** The credential it accepts unless the simulator is told another (see secrets.ts). */
  readonly defaultSecret: string;
  /** Field holding an entry's id in this provider's log. */
  readonly idField: string;
  /** Entries older than this are no longer returned (undefined: kept forever). */
  readonly retentionMs: number | undefined;
  isAuthorized(headers: IncomingHttpHeaders, secret: string): boolean;
  readonly unauthorizedBody: unknown;
  /** 200 JSON of a shape the docs do not describe, for the `wrong-shape` fault. */
  readonly wrongShapeBody: unknown;
  /** A 200 with the page the query asks for, or a 400 when the query breaks the documented rules. */
  answer(entriesNewestFirst: readonly unknown[], query: Readonly<Record<string, string>>): ApiAnswer;
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

/** `/v1/webhooks/{id}/logs`, the path Salesfinity and Baanx share. */
export const WEBHOOK_LOGS_PATH = /^\/v1\/webhooks\/([^/]+)\/logs\/?$/;
