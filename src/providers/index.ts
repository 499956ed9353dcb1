// The providers' public face: one factory from a configured source, and the shared types.
// Nothing outside src/providers/ needs to import a provider's own folder.

import { BAANX_DEFAULT_BASE_URL, createBaanxAdapter } from './baanx/adapter.js';
import { SALESFINITY_DEFAULT_BASE_URL, createSalesfinityAdapter } from './salesfinity/adapter.js';
import type { ProviderAdapter, ProviderName } from './types.js';

export type {
  DeliveryAttempt,
  DeliveryStatus,
  FinishedStatus,
  InvalidReason,
  NormalizeResult,
  ParsedPage,
  ProviderAdapter,
  ProviderName,
  ProviderRequest,
} from './types.js';
export { INVALID_REASONS, PROVIDERS, isFinished } from './types.js';
export { sanitizeUrl } from './sanitize-url.js';
export { createBaanxAdapter, createSalesfinityAdapter };

export const DEFAULT_BASE_URLS: Readonly<Record<ProviderName, string>> = {
  salesfinity: SALESFINITY_DEFAULT_BASE_URL,
  baanx: BAANX_DEFAULT_BASE_URL,
};

/** The fields of a configured source that an adapter needs; config objects carry more. */
interface TraceBodies {
  /** `traces.includeBodies`: capture bodies (truncated to maxBodyBytes) for trace span events. */
  traces?: { includeBodies: boolean; maxBodyBytes: number };
}
export type AdapterSource =
  | ({ provider: 'salesfinity'; baseUrl: string; auth: { apiKey: string }; pageSize: number } & TraceBodies)
  | ({ provider: 'baanx'; baseUrl: string; auth: { bearerToken: string }; limit: number } & TraceBodies);

export function createAdapter(source: AdapterSource): ProviderAdapter {
  const bodyLimitBytes = source.traces?.includeBodies ? source.traces.maxBodyBytes : undefined;
  switch (source.provider) {
    case 'salesfinity':
      return createSalesfinityAdapter({ baseUrl: source.baseUrl, apiKey: source.auth.apiKey, pageSize: source.pageSize, bodyLimitBytes });
    case 'baanx':
      return createBaanxAdapter({ baseUrl: source.baseUrl, bearerToken: source.auth.bearerToken, limit: source.limit, bodyLimitBytes });
  }
}
