import type { StatusPageSource, StatusPageWebhook, StatusSnapshot } from './status.js';

/**
 * The HTML page served on `/`. Every value comes from config or from a provider's API, so every
 * one is escaped. Links are relative so the page also works behind a path-prefixing proxy.
 */
export function renderStatusPage(snapshot: StatusSnapshot, ready: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>webhook-log-exporter</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; }
table { border-collapse: collapse; margin-bottom: 2em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
.error { color: #b00020; }
</style>
</head>
<body>
<h1>webhook-log-exporter ${escapeHtml(snapshot.version)}</h1>
<p>Started ${formatTime(snapshot.startedAtMs)}. ${ready ? 'Ready' : 'Not ready: some webhooks have not finished their first poll'}.</p>
<p><a href="metrics">metrics</a> · <a href="healthz">healthz</a> · <a href="readyz">readyz</a></p>
${snapshot.sources.map(renderSource).join('\n')}
</body>
</html>
`;
}

function renderSource(source: StatusPageSource): string {
  return `<h2>${escapeHtml(source.name)} (${escapeHtml(source.provider)})</h2>
<table>
<tr><th>webhook</th><th>last poll</th><th>result</th><th>last error</th><th>entries counted</th><th>pending</th></tr>
${source.webhooks.map(renderWebhook).join('\n')}
</table>`;
}

function renderWebhook(webhook: StatusPageWebhook): string {
  const cells = [
    escapeHtml(webhook.id),
    webhook.lastPollAtMs === undefined ? 'not yet' : formatTime(webhook.lastPollAtMs),
    escapeHtml(webhook.lastResult ?? ''),
    webhook.lastError === undefined ? '' : `<span class="error">${escapeHtml(webhook.lastError)}</span>`,
    String(webhook.entriesCounted),
    String(webhook.pending),
  ];
  return `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
}

function formatTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? '' : `<time>${date.toISOString()}</time>`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}
