import { isRecord } from '../fields.js';
import { parseEntries } from '../parse-entries.js';
import { webhookLogsUrl } from '../request-url.js';
import { bodyText } from '../bodies.js';
import type { DeliveryAttempt, ParsedPage, ProviderAdapter } from '../types.js';
import { USER_AGENT } from '../user-agent.js';
import { normalize } from './normalize.js';
import type { SalesfinitySort } from './types.js';

export const SALESFINITY_DEFAULT_BASE_URL = 'https://client-api.salesfinity.co';

// Newest first, so a poller can stop paging at the first entry it has already seen.
const NEWEST_FIRST: SalesfinitySort = '-createdAt';

export interface SalesfinityAdapterOptions {
  baseUrl: string;
  apiKey: string;
  /** Entries per page, 1..100. */
  pageSize: number;
  userAgent?: string;
  /** Capture request and response bodies up to this size (opt-in for traces); undefined: never. */
  bodyLimitBytes?: number;
}

export function createSalesfinityAdapter(options: SalesfinityAdapterOptions): ProviderAdapter {
  const { baseUrl, apiKey, pageSize, userAgent = USER_AGENT, bodyLimitBytes } = options;
  const withBodies =
    bodyLimitBytes === undefined
      ? undefined
      : (attempt: DeliveryAttempt, entry: Record<string, unknown>) => {
          attempt.requestBody = bodyText(isRecord(entry.request) ? entry.request.body : undefined, bodyLimitBytes);
          attempt.responseBody = bodyText(isRecord(entry.response) ? entry.response.body : undefined, bodyLimitBytes);
        };
  return {
    provider: 'salesfinity',
    paginated: true,
    reportsRetries: false,
    pageSize,
    buildRequest(webhookId, page) {
      const query = { page: String(page), limit: String(pageSize), sort: NEWEST_FIRST };
      return {
        url: webhookLogsUrl(baseUrl, webhookId, query),
        headers: { accept: 'application/json', 'user-agent': userAgent, 'x-api-key': apiKey },
      };
    },
    parsePage(body, webhookId): ParsedPage {
      if (!isRecord(body)) return { ok: false, problem: 'body is not a JSON object' };
      if (!Array.isArray(body.data)) return { ok: false, problem: '`data` is not an array' };
      return {
        ok: true,
        ...parseEntries(body.data, webhookId, normalize, withBodies),
        hasMorePages: hasMorePages(body.pagination, body.data.length, pageSize),
      };
    },
  };
}

/** From `pagination` when it is usable; otherwise a full page suggests there is another. */
function hasMorePages(pagination: unknown, entryCount: number, pageSize: number): boolean {
  if (isRecord(pagination) && isPageNumber(pagination.page) && isPageNumber(pagination.pages)) {
    return pagination.page < pagination.pages;
  }
  return entryCount === pageSize;
}

function isPageNumber(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}
