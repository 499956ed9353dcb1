// The one record every provider adapter produces, and the small interface adapters implement.
// Only adapters know a provider's field names; the poller, telemetry and server see these types.

export const PROVIDERS = ['salesfinity', 'baanx'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export type DeliveryStatus = 'success' | 'failed' | 'pending' | 'processing';
export type FinishedStatus = 'success' | 'failed';

export function isFinished(status: DeliveryStatus): status is FinishedStatus {
  return status === 'success' || status === 'failed';
}

/** One delivery attempt, as read from a provider's log, whatever the provider. */
export interface DeliveryAttempt {
  /** Log entry id; unique per attempt within a webhook. */
  logId: string;
  webhookId: string;
  /** Event type (`CALL_LOGGED`, `kyc.status.changed`); `unknown` when the provider gave none. */
  eventType: string;
  /** The event this attempt delivers; retries share it. Undefined when the provider has no event id. */
  eventId: string | undefined;
  status: DeliveryStatus;
  /** Receiver's HTTP status; undefined when there was no response (timeout, connect failure). */
  httpStatusCode: number | undefined;
  /** Receiver's response time; undefined when unknown. */
  durationSeconds: number | undefined;
  /** When the attempt happened, Unix milliseconds. */
  createdAtMs: number;
  /** 1 = first try. Undefined when the provider does not report attempt numbers. */
  attemptNumber: number | undefined;
  /**
   * When the provider will retry, Unix milliseconds; null when it schedules no retry;
   * undefined when the provider does not report retry schedules.
   */
  nextRetryAtMs: number | null | undefined;
  /** The receiver's URL without query string or credentials; undefined when unknown. */
  requestUrl: string | undefined;
  /** Provider's error text (e.g. "connection timeout"); undefined when none. */
  errorMessage: string | undefined;
  /** The payload sent, truncated; present only when the source opts in to bodies in traces. */
  requestBody?: string;
  /** The receiver's answer, truncated; present only when the source opts in to bodies in traces. */
  responseBody?: string;
}

/** Why an entry could not be normalised. These are the `reason` label values of the invalid counter. */
export const INVALID_REASONS = ['not_an_object', 'missing_id', 'invalid_date', 'unknown_status', 'wrong_type'] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

export type NormalizeResult = { ok: true; attempt: DeliveryAttempt } | { ok: false; reason: InvalidReason };

/** An entry that could not be normalised. */
export interface InvalidEntry {
  reason: InvalidReason;
  /** Recognises the same bad entry in a later read (a digest of its content), so it is counted once. */
  key: string;
}

/** One response body, turned into attempts. */
export type ParsedPage =
  | {
      ok: true;
      /** Entries that normalised, in the order the API returned them (newest first). */
      attempts: DeliveryAttempt[];
      /** One per entry that was skipped. */
      invalid: InvalidEntry[];
      /** Number of entries in the body, valid or not. */
      entryCount: number;
      /** True when the provider says a later page exists (always false for unpaginated APIs). */
      hasMorePages: boolean;
    }
  | {
      ok: false;
      /** What is wrong with the body as a whole, for the log (e.g. "`data` is not an array"). */
      problem: string;
    };

export interface ProviderRequest {
  url: URL;
  /** Includes the auth header: never log these. */
  headers: Record<string, string>;
}

/** What the poller needs from a provider. Pure apart from holding the source's settings. */
export interface ProviderAdapter {
  readonly provider: ProviderName;
  /** True when the API pages through history (Salesfinity); false when it returns only the newest entries (Baanx). */
  readonly paginated: boolean;
  /** True when entries carry attempt numbers and retry schedules, so exhausted deliveries can be told. */
  readonly reportsRetries: boolean;
  /** Entries per request. */
  readonly pageSize: number;
  /** The request for one page (1-based) of one webhook's log; unpaginated providers ignore `page`. */
  buildRequest(webhookId: string, page: number): ProviderRequest;
  /** Turns a decoded JSON body into attempts; never throws. */
  parsePage(body: unknown, webhookId: string): ParsedPage;
}
