import {
  WRONG_TYPE,
  invalid,
  isRecord,
  readDurationMsAsSeconds,
  readEventType,
  readHttpStatus,
  readId,
  readOptionalString,
  readOptionalTimestamp,
  type Read,
} from '../fields.js';
import { sanitizeUrl, scrubUrls } from '../sanitize-url.js';
import { truncateUtf8 } from '../bodies.js';
import { parseIsoTimestamp } from '../timestamp.js';
import type { NormalizeResult } from '../types.js';
import { BAANX_DELIVERY_STATUSES, BAANX_MAX_ATTEMPTS, type BaanxDeliveryStatus } from './types.js';

/**
 * One Baanx log entry as a DeliveryAttempt. Request headers and bodies are read only for
 * the event type and never copied: they hold X-Signature and payload data. Pure; never throws.
 */
export function normalize(entry: unknown, webhookId: string): NormalizeResult {
  if (!isRecord(entry)) return invalid('not_an_object');
  const logId = readId(entry.id);
  if (logId === undefined) return invalid('missing_id');
  const createdAtMs = parseIsoTimestamp(entry.createdAt);
  if (createdAtMs === undefined) return invalid('invalid_date');
  if (!isBaanxStatus(entry.deliveryStatus)) return invalid('unknown_status');

  const eventId = readOptionalString(entry.eventId);
  const attemptNumber = readAttemptNumber(entry.attemptNumber);
  const rawUrl = readOptionalString(entry.requestUrl);
  const httpStatusCode = readHttpStatus(entry.responseStatus);
  const durationSeconds = readDurationMsAsSeconds(entry.durationMs);
  const errorMessage = readOptionalString(entry.errorMessage);
  const nextRetryAtMs = readOptionalTimestamp(entry.nextRetryAt);
  if (
    eventId === WRONG_TYPE ||
    attemptNumber === WRONG_TYPE ||
    rawUrl === WRONG_TYPE ||
    httpStatusCode === WRONG_TYPE ||
    durationSeconds === WRONG_TYPE ||
    errorMessage === WRONG_TYPE ||
    nextRetryAtMs === WRONG_TYPE
  ) {
    return invalid('wrong_type');
  }

  return {
    ok: true,
    attempt: {
      logId,
      webhookId,
      eventType: readEventType(isRecord(entry.requestBody) ? entry.requestBody.eventType : undefined),
      eventId: eventId || undefined, // an empty id would join unrelated attempts into one trace
      status: entry.deliveryStatus,
      httpStatusCode,
      durationSeconds,
      createdAtMs,
      attemptNumber,
      // null is meaningful here: Baanx says it will not retry (exhausted when failed).
      nextRetryAtMs: entry.nextRetryAt === null ? null : nextRetryAtMs,
      requestUrl: rawUrl === undefined ? undefined : sanitizeUrl(rawUrl),
      // An empty message says nothing; treat it like null. A receiver URL in it may carry a token.
      errorMessage: errorMessage ? truncateUtf8(scrubUrls(errorMessage), MAX_ERROR_TEXT_BYTES) : undefined,
    },
  };
}

/** Longest error text kept: nothing in the API bounds it, and it reaches the status page. */
const MAX_ERROR_TEXT_BYTES = 512;

function readAttemptNumber(value: unknown): Read<number> {
  if (value === undefined || value === null) return undefined;
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= BAANX_MAX_ATTEMPTS
    ? (value as number)
    : WRONG_TYPE;
}

function isBaanxStatus(value: unknown): value is BaanxDeliveryStatus {
  return (BAANX_DELIVERY_STATUSES as readonly unknown[]).includes(value);
}
