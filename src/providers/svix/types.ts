// Raw shapes of Svix's `GET /api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}`, as its API
// reference and official SDK (`MessageAttemptOut`, `ListResponseMessageAttemptOut`) describe them.
// Real bodies may omit fields, add fields or send other types: the normaliser reads them as `unknown`.

/** `status`: 4 (canceled) only with `expanded_statuses=true`; otherwise canceled reads as 0. */
export const SVIX_STATUS = { success: 0, pending: 1, fail: 2, sending: 3, canceled: 4 } as const;
export type SvixStatus = (typeof SVIX_STATUS)[keyof typeof SVIX_STATUS];
export type SvixStatusText = keyof typeof SVIX_STATUS;

/** `triggerType`: 0 a scheduled (automatic) attempt, 1 a manual re-send. */
export const SVIX_TRIGGER = { scheduled: 0, manual: 1 } as const;
export type SvixTriggerType = (typeof SVIX_TRIGGER)[keyof typeof SVIX_TRIGGER];

/** The API's largest `limit`; more gets a 422. */
export const SVIX_MAX_LIMIT = 250;

/**
 * What `response` holds when the request said `with_content=false`: the API withholds the receiver's
 * body (and, with it, the error text of an attempt that got no response) and writes this instead.
 */
export const SVIX_WITHHELD_CONTENT = '{}';

/** The message an attempt delivers, present with `with_msg=true`. */
export interface SvixMessage {
  /** `msg_` + 27 base62 characters; the same as the attempt's `msgId`. */
  id: string;
  /** e.g. `user.signup`. */
  eventType: string;
  /** Never filled in by the attempts list, whatever the flags. */
  payload: Record<string, unknown>;
  /** ISO-8601. */
  timestamp: string;
  /** The sender's own idempotency key, if it gave one. */
  eventId?: string | null;
  channels?: string[] | null;
  tags?: string[] | null;
  deliverAt?: string | null;
}

export interface SvixMessageAttempt {
  /** `atmpt_` + 27 base62 characters (a KSUID): unique per attempt, sorts by time. */
  id: string;
  /** The message (event); every attempt of one message shares it. */
  msgId: string;
  endpointId: string;
  /** The receiver's URL; may carry credentials or a token. */
  url: string;
  /** The receiver's body, or the error text when there was no response; `{}` with `with_content=false`. */
  response: string;
  /** 0 when there was no response (connect failure, timeout). */
  responseStatusCode: number;
  /** Milliseconds. */
  responseDurationMs: number;
  status: SvixStatus;
  statusText: SvixStatusText;
  triggerType: SvixTriggerType;
  /** ISO-8601 with up to nanosecond precision, e.g. `2025-02-22T16:07:35.514412223Z`. */
  timestamp: string;
  msg?: SvixMessage | null;
}

/** One page. `iterator` asks for the next (older) page; `done` says there is none. */
export interface SvixAttemptsResponse {
  data: SvixMessageAttempt[];
  iterator: string | null;
  /** `-` + the first item's id: the newer page. Omitted on an empty page. */
  prevIterator?: string | null;
  done: boolean;
}

/** Every error but a 422, e.g. a 401: `{"code": "authentication_failed", "detail": "Incorrect authentication credentials."}`. */
export interface SvixHttpError {
  code: string;
  detail: string;
}

/** A 422, e.g. a `limit` above 250. */
export interface SvixValidationError {
  detail: Array<{ loc: string[]; msg: string; type: string }>;
}
