import { secretOrigin, type ProviderDefinition, type SourceBase } from '../definition.js';
import { createGithubAdapter, GITHUB_DEFAULT_BASE_URL } from './adapter.js';
import { APP_WEBHOOK_ID } from './types.js';

export interface GithubSource extends SourceBase {
  provider: 'github';
  /**
   * A token for repository and organization hooks, and/or a GitHub App (id and PEM key text, read
   * from `privateKeyFile`) for `app`. `fromFile`: the token came from `tokenFile`.
   */
  auth: { token?: string; appId?: string | number; privateKey?: string; fromFile: boolean };
  /** `per_page`, 1..100. */
  pageSize: number;
  maxPages: number;
}

const EXPECTED_FORMS =
  'OWNER/REPO/HOOK_ID (a repository hook), ORG/HOOK_ID (an organization hook) or "app" (the GitHub App\'s own hook), with HOOK_ID a number';

/** What is wrong with a webhook string, or undefined for one of the three accepted forms. */
export function githubWebhookIdProblem(id: string): string | undefined {
  if (id === APP_WEBHOOK_ID) return undefined;
  const parts = id.split('/');
  if (parts.length !== 2 && parts.length !== 3) return `must be ${EXPECTED_FORMS}`;
  const hookId = parts[parts.length - 1]!;
  if (!/^\d+$/.test(hookId)) return `ends in "${hookId}", which is not a hook id: must be ${EXPECTED_FORMS}`;
  return undefined;
}

/**
 * What this source lacks to read one webhook, for the config check (webhook ids alone cannot
 * tell): `app` needs the App's id and key, every other hook a token. Undefined when it has it.
 */
export function githubCredentialProblem(webhookId: string, auth: { token?: string; appId?: string | number; privateKey?: string }): string | undefined {
  if (webhookId === APP_WEBHOOK_ID) {
    return auth.appId === undefined || auth.privateKey === undefined
      ? '"app" is read with the GitHub App\'s JWT: set auth.appId and auth.privateKeyFile'
      : undefined;
  }
  return auth.token === undefined
    ? 'repository and organization hooks are read with a token: set auth.token or auth.tokenFile (an App JWT cannot read them)'
    : undefined;
}

export const github: ProviderDefinition<GithubSource> = {
  defaultBaseUrl: GITHUB_DEFAULT_BASE_URL,
  webhookIdProblem: githubWebhookIdProblem,
  // The list endpoints carry no request or response bodies, so there are none to add to traces.
  createAdapter: (source) =>
    createGithubAdapter({
      baseUrl: source.baseUrl,
      token: source.auth.token,
      app:
        source.auth.appId === undefined || source.auth.privateKey === undefined
          ? undefined
          : { appId: source.auth.appId, privateKeyPem: source.auth.privateKey },
      pageSize: source.pageSize,
      maxPages: source.maxPages,
    }),
  describe: (source) => {
    const credentials = [
      source.auth.token === undefined ? undefined : `token ${secretOrigin(source)}`,
      source.auth.appId === undefined ? undefined : `app ${source.auth.appId} with its private key from file`,
    ].filter((part) => part !== undefined);
    return `${credentials.join(', ')}, pageSize ${source.pageSize}, maxPages ${source.maxPages}`;
  },
};

/** Why a PEM cannot sign the App JWT (for the config check of `privateKeyFile`); never repeats the key. */
export { appPrivateKeyProblem as githubPrivateKeyProblem } from './app-jwt.js';
