// The one record every provider adapter produces, and the small interface adapters implement.
// Only adapters know a provider's field names; the poller, telemetry and server see these types.

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

/** A provider's answer as the adapter sees it: a 2xx, its headers (lower-case names) and decoded JSON body. */
export interface ProviderResponse {
  /** The request this answers (a page-number API reads its page number from it). */
  request: ProviderRequest;
  status: number;
  headers: Readonly<Record<string, string>>;
  body: unknown;
}

/** One response, turned into attempts and where to read next. */
export type ParsedPage =
  | {
      ok: true;
      /** Entries that normalised, in the order the API returned them (newest first). */
      attempts: DeliveryAttempt[];
      /** One per entry that was skipped. */
      invalid: InvalidEntry[];
      /** Number of entries in the body, valid or not. */
      entryCount: number;
      /**
       * Ids of entries the provider has withdrawn, so they will never be deliveries (a canceled
       * attempt): if one was held as pending, it is let go without a gap.
       */
      withdrawn?: string[];
      /**
       * Why the read stops here although the provider may have more (a `Link` header that cannot be
       * followed, say): the page still counts; the poller logs it once.
       */
      warning?: string;
      /**
       * The request for the next (older) page: from a page number, a cursor in the body or a
       * `Link: rel="next"` header. Undefined at the end of the log, and always for newest-N logs.
       */
      next: ProviderRequest | undefined;
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

/**
 * How a read reaches older entries. `paged`: page after page (page numbers or cursors), newest
 * first, until the counting floor, the end of the log or `maxPages`. `newest-n`: one request that
 * returns only the newest `windowSize` entries; nothing older can be read.
 */
export type Paging = { kind: 'paged'; pageSize: number; maxPages: number } | { kind: 'newest-n'; windowSize: number };

/** What the provider's entries can tell, beyond status and time. */
export interface Capabilities {
  /** Entries carry attempt numbers and retry schedules, so exhausted deliveries can be told. */
  retries: boolean;
  /**
   * Entries carry an event id that every attempt of one event shares, retries and re-sends
   * included: the exporter then times each event until its first success
   * (webhook_event_delivery_seconds). An id that only links spans does not qualify.
   */
  eventIds: boolean;
  /** Entries can be read before they finish (pending, sending) and change in place. */
  unfinishedStates: boolean;
}

/** The names of the source's settings, for messages that tell an operator what to change. */
export interface OperatorHints {
  /** The credential settings, e.g. "apiKey (or apiKeyFile)". */
  credential: string;
  /** The setting that sizes one request, and its largest value. */
  pageSize: { setting: string; max: number };
  /** The setting that limits pages per read (paged logs). */
  pageLimit?: string;
}

/**
 * What the poller needs from a provider: where a read starts, and how each answer becomes attempts
 * plus the next request. The adapter owns its paging and fields; the poller owns the counting rules,
 * the same for every paging kind. Pure apart from holding the source's settings.
 */
export interface ProviderAdapter {
  readonly provider: string;
  readonly paging: Paging;
  readonly capabilities: Capabilities;
  readonly hints: OperatorHints;
  /** The first request of a read of one webhook's log: its newest entries. */
  firstRequest(webhookId: string): ProviderRequest;
  /** Turns one 2xx answer into attempts and the next request; never throws. */
  parsePage(response: ProviderResponse, webhookId: string): ParsedPage;
  /** What an error answer's body says (its `{message}` or the like), for the log line; never throws. */
  errorMessage?(body: unknown): string | undefined;
  /**
   * Whether an error answer is a rate limit that its headers do not show (GitHub's secondary limit:
   * a 403 whose message says so). Headers (Retry-After, a spent budget) the poller reads itself.
   */
  isRateLimit?(status: number, body: unknown): boolean;
}
