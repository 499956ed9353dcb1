import { secretOrigin, type ProviderDefinition, type SourceBase } from '../definition.js';
import { createSvixAdapter, SVIX_DEFAULT_BASE_URL, svixWebhookProblem } from './adapter.js';

export interface SvixSource extends SourceBase {
  provider: 'svix';
  /** Sent as `Authorization: Bearer`. */
  auth: { token: string; fromFile: boolean };
  /** `limit`, 1..250. */
  pageSize: number;
  maxPages: number;
}

export const svix: ProviderDefinition<SvixSource> = {
  defaultBaseUrl: SVIX_DEFAULT_BASE_URL,
  // Two path segments, APP_ID/ENDPOINT_ID: not onePathSegment.
  webhookIdProblem: svixWebhookProblem,
  createAdapter: (source, bodyLimitBytes) =>
    createSvixAdapter({ baseUrl: source.baseUrl, token: source.auth.token, pageSize: source.pageSize, maxPages: source.maxPages, bodyLimitBytes }),
  describe: (source) => `token ${secretOrigin(source)}, pageSize ${source.pageSize}, maxPages ${source.maxPages}`,
};
