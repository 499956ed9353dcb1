import { isRecord } from '../fields.js';
import { parseEntries } from '../parse-entries.js';
import { webhookLogsUrl } from '../request-url.js';
import { bodyCapture } from '../bodies.js';
import type { ParsedPage, ProviderAdapter, ProviderRequest } from '../types.js';
import { USER_AGENT } from '../user-agent.js';
import { normalize } from './normalize.js';
import type { SalesfinitySort } from './types.js';

export const SALESFINITY_DEFAULT_BASE_URL = 'https://client-api.salesfinity.co';

/** The API's largest `limit`. */
export const MAX_PAGE_SIZE = 100;

// Newest first, so a poller can stop paging at the first entry it has already seen.
const NEWEST_FIRST: SalesfinitySort = '-createdAt';

export interface SalesfinityAdapterOptions {
  baseUrl: string;
  apiKey: string;
  /** Entries per page, 1..100. */
  pageSize: number;
  /** Pages per read. */
  maxPages: number;
  userAgent?: string;
  /** Capture request and response bodies up to this size (opt-in for traces); undefined: never. */
  bodyLimitBytes?: number;
}

export function createSalesfinityAdapter(options: SalesfinityAdapterOptions): ProviderAdapter {
  const { baseUrl, apiKey, pageSize, maxPages, userAgent = USER_AGENT, bodyLimitBytes } = options;
  const withBodies = bodyCapture(bodyLimitBytes, (entry) => (isRecord(entry.request) ? entry.request.body : undefined), (entry) => (isRecord(entry.response) ? entry.response.body : undefined));
  const pageRequest = (webhookId: string, page: number): ProviderRequest => ({
    url: webhookLogsUrl(baseUrl, webhookId, { page: String(page), limit: String(pageSize), sort: NEWEST_FIRST }),
    headers: { accept: 'application/json', 'user-agent': userAgent, 'x-api-key': apiKey },
  });
  return {
    provider: 'salesfinity',
    paging: { kind: 'paged', pageSize, maxPages },
    capabilities: { retries: false, eventIds: false, unfinishedStates: false },
    hints: { credential: 'apiKey (or apiKeyFile)', pageSize: { setting: 'pageSize', max: MAX_PAGE_SIZE }, pageLimit: 'maxPages' },
    firstRequest: (webhookId) => pageRequest(webhookId, 1),
    parsePage({ request, body }, webhookId): ParsedPage {
      if (!isRecord(body)) return { ok: false, problem: 'body is not a JSON object' };
      if (!Array.isArray(body.data)) return { ok: false, problem: '`data` is not an array' };
      const page = Number(request.url.searchParams.get('page'));
      return {
        ok: true,
        ...parseEntries(body.data, webhookId, normalize, withBodies),
        next: hasMorePages(body.pagination, body.data.length, pageSize) ? pageRequest(webhookId, page + 1) : undefined,
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
