import { isRecord } from '../fields.js';
import { parseEntries } from '../parse-entries.js';
import { webhookLogsUrl } from '../request-url.js';
import { bodyCapture } from '../bodies.js';
import type { ParsedPage, ProviderAdapter } from '../types.js';
import { USER_AGENT } from '../user-agent.js';
import { normalize } from './normalize.js';

export const BAANX_DEFAULT_BASE_URL = 'https://api.baanx.com';
/** The API's largest `limit`. */
export const MAX_LIMIT = 100;

export interface BaanxAdapterOptions {
  baseUrl: string;
  bearerToken: string;
  /** Newest entries per request, 1..100. */
  limit: number;
  userAgent?: string;
  /** Capture request and response bodies up to this size (opt-in for traces); undefined: never. */
  bodyLimitBytes?: number;
}

/** Baanx returns only the newest `limit` entries: no pages, nothing older can be read. */
export function createBaanxAdapter(options: BaanxAdapterOptions): ProviderAdapter {
  const { baseUrl, bearerToken, limit, userAgent = USER_AGENT, bodyLimitBytes } = options;
  const withBodies = bodyCapture(bodyLimitBytes, (entry) => entry.requestBody, (entry) => entry.responseBody);
  return {
    provider: 'baanx',
    paging: { kind: 'newest-n', windowSize: limit },
    capabilities: { retries: true, eventIds: true, unfinishedStates: true },
    hints: { credential: 'bearerToken (or bearerTokenFile)', pageSize: { setting: 'limit', max: MAX_LIMIT } },
    firstRequest(webhookId) {
      return {
        url: webhookLogsUrl(baseUrl, webhookId, { limit: String(limit) }),
        headers: { accept: 'application/json', 'user-agent': userAgent, authorization: `Bearer ${bearerToken}` },
      };
    },
    parsePage({ body }, webhookId): ParsedPage {
      if (!isRecord(body)) return { ok: false, problem: 'body is not a JSON object' };
      if (!Array.isArray(body.logs)) return { ok: false, problem: '`logs` is not an array' };
      return { ok: true, ...parseEntries(body.logs, webhookId, normalize, withBodies), next: undefined };
    },
  };
}
