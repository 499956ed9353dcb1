// What the status page shows: the server's view of the poller, grouped by source and taken when the
// page is requested. Not the poller's own WebhookStatus (src/poller), which the process maps into it.

export interface StatusSnapshot {
  version: string;
  startedAtMs: number;
  sources: StatusPageSource[];
}

/** One table of the page: a configured source and the webhooks this replica polls. */
export interface StatusPageSource {
  name: string;
  provider: string;
  webhooks: StatusPageWebhook[];
}

/** One row of a source's table. */
export interface StatusPageWebhook {
  id: string;
  /** When the latest poll finished, Unix ms; absent before the first. */
  lastPollAtMs?: number;
  lastResult?: 'success' | 'error';
  /** Why the latest poll failed; may hold provider-controlled text. */
  lastError?: string;
  entriesCounted: number;
  pending: number;
}
