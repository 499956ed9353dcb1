import { secretOrigin, type ProviderDefinition, type SourceBase } from '../definition.js';
import { onePathSegment } from '../webhook-id.js';
import { createSalesfinityAdapter, SALESFINITY_DEFAULT_BASE_URL } from './adapter.js';

export interface SalesfinitySource extends SourceBase {
  provider: 'salesfinity';
  auth: { apiKey: string; fromFile: boolean };
  pageSize: number;
  maxPages: number;
}

export const salesfinity: ProviderDefinition<SalesfinitySource> = {
  defaultBaseUrl: SALESFINITY_DEFAULT_BASE_URL,
  webhookIdProblem: (id) => onePathSegment(id, 'a Salesfinity webhook id (a 24-character hex ObjectId)'),
  createAdapter: (source, bodyLimitBytes) =>
    createSalesfinityAdapter({ baseUrl: source.baseUrl, apiKey: source.auth.apiKey, pageSize: source.pageSize, maxPages: source.maxPages, bodyLimitBytes }),
  describe: (source) => `api key ${secretOrigin(source)}, pageSize ${source.pageSize}, maxPages ${source.maxPages}`,
};
