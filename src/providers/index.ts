// The providers' public face: one factory from a configured source, and the shared types.
// Nothing outside src/providers/ needs to import a provider's own folder.

import { BAANX_DEFAULT_BASE_URL, createBaanxAdapter } from './baanx/adapter.js';
import { SALESFINITY_DEFAULT_BASE_URL, createSalesfinityAdapter } from './salesfinity/adapter.js';
import { onePathSegment } from './webhook-id.js';
import type { ProviderAdapter, ProviderName } from './types.js';

export type {
  DeliveryAttempt,
  DeliveryStatus,
  FinishedStatus,
  InvalidReason,
  NormalizeResult,
  OperatorHints,
  Paging,
  ParsedPage,
  ProviderAdapter,
  ProviderName,
  ProviderRequest,
  ProviderResponse,
} from './types.js';
export { INVALID_REASONS, PROVIDERS, isFinished } from './types.js';
export { sanitizeUrl } from './sanitize-url.js';
export { createBaanxAdapter, createSalesfinityAdapter };

export const DEFAULT_BASE_URLS: Readonly<Record<ProviderName, string>> = {
  salesfinity: SALESFINITY_DEFAULT_BASE_URL,
  baanx: BAANX_DEFAULT_BASE_URL,
};

/** Each provider's own rule for a webhook id, beyond the config's: what is wrong with `id`, or undefined. */
export const WEBHOOK_ID_PROBLEM: Readonly<Record<ProviderName, (id: string) => string | undefined>> = {
  salesfinity: (id) => onePathSegment(id, 'a Salesfinity webhook id (a 24-character hex ObjectId)'),
  baanx: (id) => onePathSegment(id, 'a Baanx webhook id (a UUID)'),
};

/** The fields of a configured source that an adapter needs; config objects carry more. */
interface TraceBodies {
  /** `traces.includeBodies`: capture bodies (truncated to maxBodyBytes) for trace span events. */
  traces?: { includeBodies: boolean; maxBodyBytes: number };
}
export type AdapterSource =
  | ({ provider: 'salesfinity'; baseUrl: string; auth: { apiKey: string }; pageSize: number; maxPages: number } & TraceBodies)
  | ({ provider: 'baanx'; baseUrl: string; auth: { bearerToken: string }; limit: number } & TraceBodies);

export function createAdapter(source: AdapterSource): ProviderAdapter {
  const bodyLimitBytes = source.traces?.includeBodies ? source.traces.maxBodyBytes : undefined;
  switch (source.provider) {
    case 'salesfinity':
      return createSalesfinityAdapter({ baseUrl: source.baseUrl, apiKey: source.auth.apiKey, pageSize: source.pageSize, maxPages: source.maxPages, bodyLimitBytes });
    case 'baanx':
      return createBaanxAdapter({ baseUrl: source.baseUrl, bearerToken: source.auth.bearerToken, limit: source.limit, bodyLimitBytes });
  }
}
