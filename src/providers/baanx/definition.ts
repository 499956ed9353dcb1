import { secretOrigin, type ProviderDefinition, type SourceBase } from '../definition.js';
import { onePathSegment } from '../webhook-id.js';
import { BAANX_DEFAULT_BASE_URL, createBaanxAdapter } from './adapter.js';

export interface BaanxSource extends SourceBase {
  provider: 'baanx';
  auth: { bearerToken: string; fromFile: boolean };
  limit: number;
}

export const baanx: ProviderDefinition<BaanxSource> = {
  defaultBaseUrl: BAANX_DEFAULT_BASE_URL,
  webhookIdProblem: (id) => onePathSegment(id, 'a Baanx webhook id (a UUID)'),
  createAdapter: (source, bodyLimitBytes) =>
    createBaanxAdapter({ baseUrl: source.baseUrl, bearerToken: source.auth.bearerToken, limit: source.limit, bodyLimitBytes }),
  describe: (source) => `bearer token ${secretOrigin(source)}, limit ${source.limit}`,
};
