// Raw shapes of Baanx's `GET /v1/webhooks/{id}/logs`, as its documentation describes them.
// Real bodies may omit fields, add fields or send other types: the normaliser reads them as `unknown`.

export const BAANX_DELIVERY_STATUSES = ['pending', 'processing', 'success', 'failed'] as const;
export type BaanxDeliveryStatus = (typeof BAANX_DELIVERY_STATUSES)[number];

/** Baanx retries a failed event up to attempt 6. */
export const BAANX_MAX_ATTEMPTS = 6;

export interface BaanxLogEntry {
  /** UUID, unique per attempt. */
  id: string;
  /** UUID of the event; retries of one event share it. */
  eventId?: string;
  webhookId?: string;
  /** 1 = first try, 2..6 = retries. */
  attemptNumber?: number;
  /** The receiver's URL; may carry credentials or a token. */
  requestUrl?: string;
  /** Includes `X-Timestamp` and `X-Signature` (secret-derived). */
  requestHeaders?: Record<string, string>;
  /** `eventType` names the event, e.g. `kyc.status.changed`. */
  requestBody?: { eventType?: string; [field: string]: unknown };
  /** Null when there was no response (connect failure, timeout). */
  responseStatus?: number | null;
  responseBody?: string | null;
  errorMessage?: string | null;
  deliveryStatus: BaanxDeliveryStatus;
  /** Milliseconds; null when there was no response. */
  durationMs?: number | null;
  /** ISO-8601. */
  createdAt: string;
  /** ISO-8601; null when no retry is scheduled. */
  nextRetryAt?: string | null;
}

export interface BaanxLogsResponse {
  /** Number of entries returned (not the total kept). */
  count?: number;
  logs: BaanxLogEntry[];
}

/** e.g. a 401: `{"message": "Not authenticated"}`. */
export interface BaanxErrorBody {
  message?: string;
}
