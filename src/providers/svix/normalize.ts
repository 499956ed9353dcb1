import { truncateUtf8 } from '../bodies.js';
import {
  WRONG_TYPE,
  invalid,
  isRecord,
  readDurationMsAsSeconds,
  readEventType,
  readId,
  readOptionalString,
  type Read,
} from '../fields.js';
import { sanitizeUrl, scrubUrls } from '../sanitize-url.js';
import { parseIsoTimestamp } from '../timestamp.js';
import type { DeliveryStatus, NormalizeResult } from '../types.js';
import { SVIX_STATUS, SVIX_TRIGGER, SVIX_WITHHELD_CONTENT } from './types.js';

/** Error texts are for people reading a span or the status page, not a transcript. */
export const ERROR_TEXT_MAX_BYTES = 256;

/**
 * Svix does not number attempts; it only says whether one was a manual re-send. The record's
 * attempt number must then be above 1 (a re-send, counted in the retries metric) without claiming
 * which one it was: 2 stands for "a re-send".
 */
export const RESEND_ATTEMPT_NUMBER = 2;

const DELIVERY_STATUSES: ReadonlyMap<unknown, DeliveryStatus> = new Map<unknown, DeliveryStatus>([
  [SVIX_STATUS.success, 'success'],
  [SVIX_STATUS.fail, 'failed'],
  // Not finished yet: held and counted once they read success or fail.
  [SVIX_STATUS.pending, 'pending'],
  [SVIX_STATUS.sending, 'processing'],
]);

/**
 * A canceled attempt (status 4) was never sent: no delivery, neither counted nor invalid. The
 * adapter drops these before normalising; `normalize` has no delivery status for them.
 */
export function isCanceledAttempt(entry: unknown): boolean {
  return isRecord(entry) && entry.status === SVIX_STATUS.canceled;
}

/**
 * One Svix message attempt as a DeliveryAttempt. The receiver URL is sanitised and the receiver's
 * body is never copied here (bodies are the adapter's opt-in). Svix reports no retry schedule, so
 * `nextRetryAtMs` stays undefined. Pure; never throws.
 */
export function normalize(entry: unknown, webhookId: string): NormalizeResult {
  if (!isRecord(entry)) return invalid('not_an_object');
  const logId = readId(entry.id);
  if (logId === undefined) return invalid('missing_id');
  const createdAtMs = parseIsoTimestamp(entry.timestamp);
  if (createdAtMs === undefined) return invalid('invalid_date');
  const status = DELIVERY_STATUSES.get(entry.status);
  if (status === undefined) return invalid('unknown_status');

  // A missing message (with_msg not honoured) only loses the event type; a message that is not an object is bad input.
  const msg = entry.msg ?? {};
  if (!isRecord(msg)) return invalid('wrong_type');
  const eventId = readOptionalString(entry.msgId);
  const httpStatusCode = readSvixHttpStatus(entry.responseStatusCode);
  const durationSeconds = readDurationMsAsSeconds(entry.responseDurationMs);
  const attemptNumber = readAttemptNumber(entry.triggerType);
  const rawUrl = readOptionalString(entry.url);
  const response = readOptionalString(entry.response);
  if (
    eventId === WRONG_TYPE ||
    httpStatusCode === WRONG_TYPE ||
    durationSeconds === WRONG_TYPE ||
    attemptNumber === WRONG_TYPE ||
    rawUrl === WRONG_TYPE ||
    response === WRONG_TYPE
  ) {
    return invalid('wrong_type');
  }

  return {
    ok: true,
    attempt: {
      logId,
      webhookId,
      eventType: readEventType(msg.eventType),
      eventId: eventId || undefined, // an empty id would join unrelated attempts into one trace
      status,
      httpStatusCode,
      durationSeconds,
      createdAtMs,
      attemptNumber,
      nextRetryAtMs: undefined,
      requestUrl: rawUrl === undefined ? undefined : sanitizeUrl(rawUrl),
      errorMessage: httpStatusCode === undefined ? errorText(response) : undefined,
    },
  };
}

/** `responseStatusCode`: 0 means no response; otherwise an HTTP status. */
function readSvixHttpStatus(value: unknown): Read<number> {
  if (value === undefined || value === null || value === 0) return undefined;
  return Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 599 ? (value as number) : WRONG_TYPE;
}

/**
 * `triggerType` 1 (manual) is a re-send; 0 (scheduled) may be a first try or an automatic retry,
 * which Svix does not tell apart. A trigger type added later is read as "not a manual re-send"
 * rather than losing the delivery.
 */
function readAttemptNumber(value: unknown): Read<number> {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value)) return WRONG_TYPE;
  return value === SVIX_TRIGGER.manual ? RESEND_ATTEMPT_NUMBER : undefined;
}

/**
 * `response` of an attempt that got no response is the error text (e.g. a connect failure naming
 * the receiver's URL, token and all): URLs lose their query strings and credentials, and the text
 * is cut short. The placeholder Svix writes when content is withheld says nothing.
 */
function errorText(response: string | undefined): string | undefined {
  const text = response?.trim();
  if (!text || text === SVIX_WITHHELD_CONTENT) return undefined;
  return truncateUtf8(scrubUrls(text), ERROR_TEXT_MAX_BYTES);
}
