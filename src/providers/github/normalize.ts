import { WRONG_TYPE, invalid, isRecord, readEventType, readOptionalString, type Read } from '../fields.js';
import { truncateUtf8 } from '../bodies.js';
import { sanitizeUrl, scrubUrls } from '../sanitize-url.js';
import { parseIsoTimestamp } from '../timestamp.js';
import type { NormalizeResult } from '../types.js';
import { GITHUB_STATUS_OK } from './types.js';

/** Longest error text kept: `status` is a short description, but nothing bounds it. */
export const MAX_ERROR_TEXT_BYTES = 512;

/** A redelivery re-sends an event; GitHub does not say which re-send it is, so every one is "2". */
export const FIRST_DELIVERY = 1;
export const REDELIVERY = 2;

/**
 * One `hook-delivery-item` as a DeliveryAttempt. Success is a 2xx `status_code`; GitHub never
 * retries by itself, so no retry is ever scheduled (`nextRetryAtMs: null`: every failure is final).
 * Pure; never throws.
 */
export function normalize(entry: unknown, webhookId: string): NormalizeResult {
  if (!isRecord(entry)) return invalid('not_an_object');
  const logId = readDeliveryId(entry.id);
  if (logId === undefined) return invalid('missing_id');
  const createdAtMs = parseIsoTimestamp(entry.delivered_at);
  if (createdAtMs === undefined) return invalid('invalid_date');
  // Without a status code nothing says whether the receiver accepted the delivery.
  if (entry.status_code === undefined || entry.status_code === null) return invalid('unknown_status');

  const statusCode = readStatusCode(entry.status_code);
  const eventId = readOptionalString(entry.guid);
  const durationSeconds = readSeconds(entry.duration);
  const redelivery = readOptionalBoolean(entry.redelivery);
  const statusText = readOptionalString(entry.status);
  if (
    statusCode === WRONG_TYPE ||
    eventId === WRONG_TYPE ||
    durationSeconds === WRONG_TYPE ||
    redelivery === WRONG_TYPE ||
    statusText === WRONG_TYPE
  ) {
    return invalid('wrong_type');
  }
  // Only the single-delivery endpoint has `url`; read it when present, never reject for it.
  const rawUrl = typeof entry.url === 'string' ? entry.url : undefined;

  return {
    ok: true,
    attempt: {
      logId,
      webhookId,
      eventType: readEventType(entry.event),
      eventId: eventId || undefined, // an empty guid would join unrelated deliveries into one trace
      status: statusCode !== undefined && statusCode >= 200 && statusCode <= 299 ? 'success' : 'failed',
      httpStatusCode: statusCode,
      durationSeconds,
      createdAtMs,
      attemptNumber: redelivery === undefined ? undefined : redelivery ? REDELIVERY : FIRST_DELIVERY,
      nextRetryAtMs: null,
      requestUrl: rawUrl === undefined ? undefined : sanitizeUrl(rawUrl),
      errorMessage: statusText === undefined || statusText === '' || statusText === GITHUB_STATUS_OK ? undefined : errorText(statusText),
    },
  };
}

/**
 * A non-negative integer within the safe range, as a string. Ids are int64: past 2^53 JSON
 * numbers lose digits, and two deliveries could share one rounded id.
 */
function readDeliveryId(value: unknown): string | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? String(value) : undefined;
}

/** The receiver's HTTP status; 0 means there was no response (`none`), so it is undefined. */
function readStatusCode(value: unknown): Read<number> {
  if (value === 0) return undefined;
  return Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 599 ? (value as number) : WRONG_TYPE;
}

/** `duration` is already in seconds. */
function readSeconds(value: unknown): Read<number> {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : WRONG_TYPE;
}

function readOptionalBoolean(value: unknown): Read<boolean> {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'boolean' ? value : WRONG_TYPE;
}

/** Truncated, and with any URL in it cut to scheme, host and path: a query string may hold a token. */
function errorText(status: string): string {
  return truncateUtf8(scrubUrls(status), MAX_ERROR_TEXT_BYTES);
}
