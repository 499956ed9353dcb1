/**
 * `{baseUrl}/v1/webhooks/{id}/logs`, keeping any path prefix of the base URL
 * (a proxy or the simulator may mount the API below `/salesfinity`).
 */
export function webhookLogsUrl(baseUrl: string, webhookId: string, query: Record<string, string>): URL {
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/webhooks/${encodeURIComponent(webhookId)}/logs`;
  url.search = new URLSearchParams(query).toString();
  url.hash = '';
  return url;
}
