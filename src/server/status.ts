// What `GET /api/v1/status` answers and the status page shows: the server's view of the poller and
// of the recent deliveries, grouped by source, taken when it is requested. The process builds it
// (src/app.ts) from the poller's statuses and telemetry's delivery windows. docs/status.md
// describes every field.

/** The JSON document of `GET /api/v1/status`. Times are ISO-8601 UTC strings. */
export interface StatusDocument {
  version: string;
  startedAt: string;
  /** Every webhook has finished its first poll (as /readyz). */
  ready: boolean;
  /** When the document was made: the end of the window. */
  generatedAt: string;
  sources: StatusSource[];
}

export interface StatusSource {
  name: string;
  provider: string;
  /** The webhooks this replica polls. */
  webhooks: StatusWebhook[];
}

export interface StatusWebhook {
  id: string;
  /** The latest poll succeeded; null before the first poll has finished. */
  up: boolean | null;
  /** When the latest poll finished; null before the first. */
  lastPollAt: string | null;
  /** Why the latest poll failed, in words (never a secret); null while polls succeed. */
  lastError: string | null;
  /** The span `deliveries`, `successRatio`, `durationSeconds` and `perMinute` cover: "15m". */
  window: string;
  /** Finished attempts whose createdAt falls in the window. */
  deliveries: { success: number; failed: number };
  /** success ÷ (success + failed) in the window, 0..1; null when there were none. */
  successRatio: number | null;
  /** Receiver response times in the window; null when no attempt in it reported one. */
  durationSeconds: { p50: number; p95: number } | null;
  /** Entries whose latest read status is pending or processing. */
  pending: number;
  /** Failed attempts after which no retry follows, since the exporter started. */
  exhausted: number;
  /** The newest failed attempt read since the exporter started; null when none. */
  lastFailure: StatusFailure | null;
  /** One bucket per minute, oldest first, the last one the current minute. */
  perMinute: StatusMinute[];
}

export interface StatusFailure {
  /** The attempt's createdAt. */
  at: string;
  /** The event label as the metrics carry it (capped by maxEventTypes). */
  event: string;
  /** "503", or "none" when there was no response. */
  httpStatusCode: string;
  /** The provider's error text, scrubbed of URLs' queries and truncated; null when it gives none. */
  error: string | null;
}

export interface StatusMinute {
  /** The minute's start. */
  at: string;
  success: number;
  failed: number;
}
