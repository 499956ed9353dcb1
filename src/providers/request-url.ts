/**
 * `{baseUrl}/{segments…}?{query}`, each segment escaped, keeping any path prefix of the base URL (a
 * proxy, GitHub Enterprise Server's `/api/v3`, GitLab's `/api/v4`, the simulator's `/<provider>`).
 * Built as one string and parsed once: every read of every webhook makes one.
 */
export function apiUrl(baseUrl: string, segments: readonly string[], query: Record<string, string>): URL {
  const search = new URLSearchParams(query).toString();
  return new URL(`${basePrefix(baseUrl)}/${segments.map(encodeURIComponent).join('/')}${search === '' ? '' : `?${search}`}`);
}

/** `{baseUrl}/v1/webhooks/{id}/logs`, the path Salesfinity and Baanx share. */
export function webhookLogsUrl(baseUrl: string, webhookId: string, query: Record<string, string>): URL {
  return apiUrl(baseUrl, ['v1', 'webhooks', webhookId, 'logs'], query);
}

/** Base URLs come from the config, so a few entries at most. */
const prefixes = new Map<string, string>();

/** The base URL without its query, fragment and trailing slashes. */
function basePrefix(baseUrl: string): string {
  let prefix = prefixes.get(baseUrl);
  if (prefix === undefined) {
    const url = new URL(baseUrl);
    url.search = '';
    url.hash = '';
    prefix = url.href.replace(/\/+$/, '');
    prefixes.set(baseUrl, prefix);
  }
  return prefix;
}
