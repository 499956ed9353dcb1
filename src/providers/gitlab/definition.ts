import { secretOrigin, type ProviderDefinition, type SourceBase } from '../definition.js';
import { createGitlabAdapter, GITLAB_DEFAULT_BASE_URL, gitlabWebhookProblem } from './adapter.js';

export interface GitlabSource extends SourceBase {
  provider: 'gitlab';
  /** Sent as `PRIVATE-TOKEN`. */
  auth: { token: string; fromFile: boolean };
  /** `per_page`, 1..20. */
  pageSize: number;
  maxPages: number;
}

export const gitlab: ProviderDefinition<GitlabSource> = {
  defaultBaseUrl: GITLAB_DEFAULT_BASE_URL,
  // Ids span several path segments (project/acme/payments/56): not onePathSegment.
  webhookIdProblem: gitlabWebhookProblem,
  createAdapter: (source, bodyLimitBytes) =>
    createGitlabAdapter({ baseUrl: source.baseUrl, token: source.auth.token, pageSize: source.pageSize, maxPages: source.maxPages, bodyLimitBytes }),
  describe: (source) => `token ${secretOrigin(source)}, pageSize ${source.pageSize}, maxPages ${source.maxPages}`,
};
