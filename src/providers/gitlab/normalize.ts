import { WRONG_TYPE, invalid, isRecord, readEventType, readHttpStatus, readOptionalString, type Read } from '../fields.js';
import { sanitizeUrl } from '../sanitize-url.js';
import { parseIsoTimestamp } from '../timestamp.js';
import type { DeliveryStatus, NormalizeResult } from '../types.js';

/** Names the event the delivery carries; GitLab writes it `X-Gitlab-Event-UUID`, but names may come in any case. */
const EVENT_UUID_HEADER = 'X-Gitlab-Event-UUID';
const EVENT_UUID_HEADER_LOWER = EVENT_UUID_HEADER.toLowerCase();

/**
 * One GitLab hook event as a DeliveryAttempt. `request_headers` is read for the event UUID only and
 * never copied: it holds `X-Gitlab-Token`, the receiver's secret. GitLab never retries a failed
 * delivery by itself (a manual resend is a new entry), so every attempt says no retry follows
 * (`nextRetryAtMs: null`) and a failure counts as exhausted. Pure; never throws.
 */
export function normalize(entry: unknown, webhookId: string): NormalizeResult {
  if (!isRecord(entry)) return invalid('not_an_object');
  const logId = readLogId(entry.id);
  if (logId === undefined) return invalid('missing_id');
  const createdAtMs = parseIsoTimestamp(entry.created_at);
  if (createdAtMs === undefined) return invalid('invalid_date');
  const outcome = readOutcome(entry.response_status);
  if (outcome === undefined) return invalid('unknown_status');

  const eventId = readEventUuid(entry.request_headers);
  const rawUrl = readOptionalString(entry.url);
  const durationSeconds = readSeconds(entry.execution_duration);
  if (outcome === WRONG_TYPE || eventId === WRONG_TYPE || rawUrl === WRONG_TYPE || durationSeconds === WRONG_TYPE) {
    return invalid('wrong_type');
  }

  return {
    ok: true,
    attempt: {
      logId,
      webhookId,
      eventType: readEventType(entry.trigger),
      eventId: eventId || undefined, // an empty id would join unrelated attempts into one trace
      status: outcome.status,
      httpStatusCode: outcome.httpStatusCode,
      durationSeconds,
      createdAtMs,
      attemptNumber: undefined,
      nextRetryAtMs: null,
      requestUrl: rawUrl === undefined ? undefined : sanitizeUrl(rawUrl),
      errorMessage: undefined,
    },
  };
}

/** The documented id is an integer; anything else cannot tell one entry from another. */
function readLogId(value: unknown): string | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? String(value) : undefined;
}

interface Outcome {
  status: DeliveryStatus;
  httpStatusCode: number | undefined;
}

/**
 * `response_status` is a string: three digits when the receiver answered, otherwise a description
 * such as `internal error` (no response: a failure without an HTTP status). Absent: no outcome to count.
 */
function readOutcome(value: unknown): Outcome | undefined | typeof WRONG_TYPE {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return WRONG_TYPE;
  if (!/^\d{3}$/.test(value)) return { status: 'failed', httpStatusCode: undefined };
  const code = readHttpStatus(Number(value));
  if (code === undefined || code === WRONG_TYPE) return WRONG_TYPE; // "000", "999": not an HTTP status
  return { status: code >= 200 && code <= 299 ? 'success' : 'failed', httpStatusCode: code };
}

function readEventUuid(headers: unknown): Read<string> {
  if (headers === undefined || headers === null) return undefined;
  if (!isRecord(headers)) return WRONG_TYPE;
  // As GitLab writes it, found without lower-casing every header name of every entry.
  if (Object.hasOwn(headers, EVENT_UUID_HEADER)) return readOptionalString(headers[EVENT_UUID_HEADER]);
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === EVENT_UUID_HEADER_LOWER) return readOptionalString(headers[name]);
  }
  return undefined;
}

/** `execution_duration` is already in seconds. */
function readSeconds(value: unknown): Read<number> {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : WRONG_TYPE;
}
