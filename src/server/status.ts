// What the status page shows, as the process that runs the poller reports it.

export interface WebhookStatus {
  id: string;
  /** When the latest poll finished, Unix ms; absent before the first. */
  lastPollAtMs?: number;
  lastResult?: 'success' | 'error';
  /** Why the latest poll failed; may hold provider-controlled text. */
  lastError?: string;
  entriesCounted: number;
  pending: number;
}

export interface SourceStatus {
  name: string;
  provider: string;
  webhooks: WebhookStatus[];
}

export interface StatusSnapshot {
  version: string;
  startedAtMs: number;
  sources: SourceStatus[];
}
