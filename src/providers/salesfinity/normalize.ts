import {
  WRONG_TYPE,
  invalid,
  isRecord,
  readDurationMsAsSeconds,
  readEventType,
  readHttpStatus,
  readId,
} from '../fields.js';
import { parseIsoTimestamp } from '../timestamp.js';
import type { NormalizeResult } from '../types.js';
import { SALESFINITY_STATUSES, type SalesfinityStatus } from './types.js';

/**
 * One Salesfinity log entry as a DeliveryAttempt. Salesfinity exposes no attempt number,
 * retry schedule, event id or receiver URL, so those stay undefined. Pure; never throws.
 */
export function normalize(entry: unknown, webhookId: string): NormalizeResult {
  if (!isRecord(entry)) return invalid('not_an_object');
  const logId = readId(entry._id);
  if (logId === undefined) return invalid('missing_id');
  const createdAtMs = parseIsoTimestamp(entry.createdAt);
  if (createdAtMs === undefined) return invalid('invalid_date');
  if (!isSalesfinityStatus(entry.status)) return invalid('unknown_status');

  // A missing response (e.g. a timeout) is fine; a response that is not an object is not.
  const response = entry.response ?? {};
  if (!isRecord(response)) return invalid('wrong_type');
  const httpStatusCode = readHttpStatus(response.code);
  const durationSeconds = readDurationMsAsSeconds(entry.responseTime);
  if (httpStatusCode === WRONG_TYPE || durationSeconds === WRONG_TYPE) return invalid('wrong_type');

  return {
    ok: true,
    attempt: {
      logId,
      webhookId,
      eventType: readEventType(entry.event),
      eventId: undefined,
      status: entry.status,
      httpStatusCode,
      durationSeconds,
      createdAtMs,
      attemptNumber: undefined,
      nextRetryAtMs: undefined,
      requestUrl: undefined,
      errorMessage: undefined,
    },
  };
}

function isSalesfinityStatus(value: unknown): value is SalesfinityStatus {
  return (SALESFINITY_STATUSES as readonly unknown[]).includes(value);
}
