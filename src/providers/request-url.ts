/**
 * `{baseUrl}/{segments…}?{query}`, each segment escaped, keeping any path prefix of the base URL (a
 * proxy, GitHub Enterprise Server's `/api/v3`, GitLab's `/api/v4`, the simulator's `/<provider>`).
 */
export function apiUrl(baseUrl: string, segments: readonly string[], query: Record<string, string>): URL {
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${segments.map(encodeURIComponent).join('/')}`;
  url.search = new URLSearchParams(query).toString();
  url.hash = '';
  return url;
}

/** `{baseUrl}/v1/webhooks/{id}/logs`, the path Salesfinity and Baanx share. */
export function webhookLogsUrl(baseUrl: string, webhookId: string, query: Record<string, string>): URL {
  return apiUrl(baseUrl, ['v1', 'webhooks', webhookId, 'logs'], query);
}
