// A description compiled once into plain functions: each path becomes an accessor specialised for
// its length, each field a reader, the status map a Map. normalize() then costs what a hand-written
// normaliser costs; nothing of the description is looked at per entry.

import { WRONG_TYPE, invalid, isRecord, readEventType, type Read } from '../fields.js';
import { bodyCapture, truncateUtf8 } from '../bodies.js';
import { sanitizeUrl, scrubUrls } from '../sanitize-url.js';
import { parseIsoTimestamp } from '../timestamp.js';
import type { DeliveryStatus, NormalizeResult } from '../types.js';
import type { Description } from './description.js';

export type Accessor = (value: unknown) => unknown;

/** Longest error text kept, as for the built-ins. */
const MAX_ERROR_TEXT_BYTES = 512;

/** `$` is the value itself; `a.b.0` walks objects and arrays; a missing step gives undefined. */
export function compilePath(path: string): Accessor {
  if (path === '$') return (value) => value;
  const keys = path.split('.');
  const steps = keys.map(stepFor);
  // Most paths are one or two keys: no loop, no array of steps to walk.
  if (steps.length === 1) return steps[0] as Accessor;
  if (steps.length === 2) {
    const [a, b] = steps as [Accessor, Accessor];
    return (value) => b(a(value));
  }
  return (value) => {
    let current = value;
    for (const step of steps) {
      current = step(current);
      if (current === undefined) return undefined;
    }
    return current;
  };
}

/**
 * One key of a path. A parsed JSON value holds no functions, so a function found under a key came
 * from Object.prototype (`constructor`, `toString`): not the entry's, so undefined. `__proto__`
 * cannot be written in a path (description.ts), and `length` is an array's, never a JSON field.
 */
function stepFor(key: string): Accessor {
  if (/^\d+$/.test(key)) {
    const index = Number(key);
    return (value) => (Array.isArray(value) ? value[index] : typeof value === 'object' && value !== null ? ownValue(value, key) : undefined);
  }
  if (key === 'length') return (value) => (typeof value === 'object' && value !== null && !Array.isArray(value) ? ownValue(value, key) : undefined);
  return (value) => {
    if (typeof value !== 'object' || value === null) return undefined;
    const found = (value as Record<string, unknown>)[key];
    return typeof found === 'function' ? undefined : found;
  };
}

function ownValue(value: object, key: string): unknown {
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

type TimestampFormat = 'iso8601' | 'epoch-s' | 'epoch-ms';

function timestampReader(format: TimestampFormat): (value: unknown) => number | undefined {
  switch (format) {
    case 'iso8601':
      return (value) => parseIsoTimestamp(value);
    case 'epoch-s':
      return (value) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined);
    case 'epoch-ms':
      return (value) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined);
  }
}

/** The entry id as a string: a non-empty string, or a whole number within the safe range. */
function readLogId(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  return Number.isSafeInteger(value) && (value as number) >= 0 ? String(value) : undefined;
}

function optionalString(value: unknown): Read<string> {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : WRONG_TYPE;
}

type HttpCodeFormat = 'number' | 'number-only' | 'leading-number' | 'code-or-reason';

/** The receiver's HTTP status as `from` says it is written; undefined when there was no response. */
function httpCodeReader(from: HttpCodeFormat): (value: unknown) => Read<number> {
  const inRange = (code: number): Read<number> => (Number.isInteger(code) && code >= 100 && code <= 599 ? code : WRONG_TYPE);
  if (from === 'code-or-reason') {
    // Text only: three digits are the code ("000" and "999" are none), other text a reason for no response.
    return (value) => {
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'string') return WRONG_TYPE;
      return /^\d{3}$/.test(value) ? inRange(Number(value)) : undefined;
    };
  }
  return (value) => {
    // 0, null or absent: there was no response (`none`).
    if (value === undefined || value === null || value === 0) return undefined;
    if (typeof value === 'number') return inRange(value);
    if (typeof value !== 'string' || from === 'number-only') return WRONG_TYPE;
    const text = from === 'leading-number' ? /^\s*(\d{3})\b/.exec(value)?.[1] : /^\s*\d+\s*$/.test(value) ? value : undefined;
    return text === undefined ? WRONG_TYPE : inRange(Number(text));
  };
}

/** Status values by type, so "1", 1 and true stay apart, and a lookup builds no key. */
class StatusTable {
  private readonly strings = new Map<string, StatusMeaning>();
  private readonly numbers = new Map<number, StatusMeaning>();
  private readonly booleans = new Map<boolean, StatusMeaning>();

  set(value: string | number | boolean, meaning: StatusMeaning): void {
    if (typeof value === 'string') this.strings.set(value, meaning);
    else if (typeof value === 'number') this.numbers.set(value, meaning);
    else this.booleans.set(value, meaning);
  }

  get(value: unknown): StatusMeaning | undefined {
    if (typeof value === 'string') return this.strings.get(value);
    if (typeof value === 'number') return this.numbers.get(value);
    if (typeof value === 'boolean') return this.booleans.get(value);
    return undefined;
  }
}

export type StatusMeaning = DeliveryStatus | 'ignore';

export interface CompiledDescription {
  /** The array of entries in a 2xx body, or undefined when there is none. */
  records: Accessor;
  /** What an entry's status value means; undefined when it is absent, null or a value nothing names. */
  statusOf(entry: unknown): StatusMeaning | undefined;
  /** The entry's id, for entries that are left out (ignored) but must let a pending one go. */
  idOf(entry: unknown): string | undefined;
  normalize(entry: unknown, webhookId: string): NormalizeResult;
  /** Adds the bodies the description names, when the source opted in (`bodyLimitBytes`); undefined otherwise. */
  withBodies: ((attempt: { requestBody?: string; responseBody?: string }, entry: Record<string, unknown>) => void) | undefined;
}

/** `bodyLimitBytes`: capture the described bodies up to this size (traces.includeBodies); undefined: never. */
export function compileDescription(description: Description, bodyLimitBytes?: number): CompiledDescription {
  const { fields, reports } = description;
  const status = new StatusTable();
  for (const value of description.status.success) status.set(value, 'success');
  for (const value of description.status.failed) status.set(value, 'failed');
  for (const value of description.status.pending) status.set(value, 'pending');
  for (const value of description.status.processing) status.set(value, 'processing');
  for (const value of description.status.ignore) status.set(value, 'ignore');
  const { fromHttpCode, otherwise } = description.status;

  const id = compilePath(fields.id);
  const rawStatus = compilePath(fields.status);
  const createdAt = compilePath(fields.createdAt.path);
  const readCreatedAt = timestampReader(fields.createdAt.format);
  const eventId = fields.eventId === undefined ? undefined : compilePath(fields.eventId);
  const eventType = fields.eventType === undefined ? undefined : compilePath(fields.eventType);
  const attempt = fields.attempt === undefined ? undefined : compilePath(fields.attempt.path);
  const readAttempt = attemptReader(fields.attempt);
  const httpCode = fields.httpCode === undefined ? undefined : compilePath(fields.httpCode.path);
  const readHttpCode = httpCodeReader(fields.httpCode?.from ?? 'number');
  const duration = fields.duration === undefined ? undefined : compilePath(fields.duration.path);
  // Divided, not multiplied by 1/1000: 145 ms is 0.145 s exactly as the built-ins compute it.
  const durationDivisor = fields.duration?.unit === 'ms' ? 1000 : 1;
  const nextRetryAt = fields.nextRetryAt === undefined ? undefined : compilePath(fields.nextRetryAt.path);
  const readNextRetryAt = timestampReader(fields.nextRetryAt?.format ?? 'iso8601');
  const error = fields.error === undefined ? undefined : compilePath(fields.error.path);
  const notErrors = new Set(fields.error?.except);
  const errorOnlyWithoutResponse = fields.error?.when === 'no-response';
  const receiverUrl = fields.requestUrl === undefined ? undefined : compilePath(fields.requestUrl);
  const requestBody = fields.requestBody === undefined ? undefined : compilePath(fields.requestBody);
  const responseBody = fields.responseBody === undefined ? undefined : compilePath(fields.responseBody);
  // `never`: no retry follows any attempt (null); without schedules nothing says (undefined).
  const neverRetries = reports.retrySchedules === 'never';

  const listed = (entry: unknown): StatusMeaning | undefined => status.get(rawStatus(entry));
  // Absent or null is no status whatever the description says; a listed value wins over the code.
  const statusOf =
    !fromHttpCode && otherwise === undefined
      ? listed
      : (entry: unknown): StatusMeaning | undefined => {
          const value = rawStatus(entry);
          if (value === undefined || value === null) return undefined;
          const meaning = status.get(value);
          if (meaning !== undefined) return meaning;
          if (fromHttpCode && httpCode !== undefined) {
            const code = readHttpCode(httpCode(entry));
            if (typeof code === 'number') return code >= 200 && code <= 299 ? 'success' : 'failed';
          }
          return otherwise;
        };

  return {
    withBodies:
      requestBody === undefined && responseBody === undefined
        ? undefined
        : bodyCapture(bodyLimitBytes, (entry) => requestBody?.(entry), (entry) => responseBody?.(entry)),
    records: compilePath(description.records),
    statusOf,
    idOf: (entry) => readLogId(id(entry)),
    normalize(entry, webhookId) {
      if (!isRecord(entry)) return invalid('not_an_object');
      const logId = readLogId(id(entry));
      if (logId === undefined) return invalid('missing_id');
      const createdAtMs = readCreatedAt(createdAt(entry));
      if (createdAtMs === undefined) return invalid('invalid_date');
      const meaning = statusOf(entry);
      if (meaning === undefined || meaning === 'ignore') return invalid('unknown_status');

      const event = eventId === undefined ? undefined : optionalString(eventId(entry));
      const number = attempt === undefined ? undefined : readAttempt(attempt(entry));
      const code = httpCode === undefined ? undefined : readHttpCode(httpCode(entry));
      const seconds = duration === undefined ? undefined : readDuration(duration(entry), durationDivisor);
      const retryAt = nextRetryAt === undefined ? undefined : readRetryAt(nextRetryAt(entry), readNextRetryAt);
      const errorText = error === undefined ? undefined : optionalString(error(entry));
      const url = receiverUrl === undefined ? undefined : optionalString(receiverUrl(entry));
      if (event === WRONG_TYPE || number === WRONG_TYPE || code === WRONG_TYPE || seconds === WRONG_TYPE || retryAt === WRONG_TYPE || errorText === WRONG_TYPE || url === WRONG_TYPE) {
        return invalid('wrong_type');
      }
      return {
        ok: true,
        attempt: {
          logId,
          webhookId,
          eventType: eventType === undefined ? readEventType(undefined) : readEventType(eventType(entry)),
          eventId: event || undefined, // an empty id would join unrelated attempts into one trace
          status: meaning,
          httpStatusCode: code,
          durationSeconds: seconds,
          createdAtMs,
          attemptNumber: reports.attemptNumbers ? number : undefined,
          // Without retry schedules nothing says whether a retry follows: undefined, never null.
          nextRetryAtMs: neverRetries ? null : reports.retrySchedules ? retryAt : undefined,
          requestUrl: url ? sanitizeUrl(url) : undefined,
          errorMessage:
            errorText && !notErrors.has(errorText) && !(errorOnlyWithoutResponse && code !== undefined)
              ? truncateUtf8(scrubUrls(errorText), MAX_ERROR_TEXT_BYTES)
              : undefined,
        },
      };
    },
  };
}

/** A re-send is numbered 2 whichever re-send it was, as the built-ins number GitHub's and Svix's. */
const RESEND_ATTEMPT_NUMBER = 2;

function attemptReader(field: Description['fields']['attempt']): (value: unknown) => Read<number> {
  if (field !== undefined && 'resend' in field) {
    const { resend, others } = field;
    return (value) => {
      if (value === undefined || value === null) return undefined;
      if (typeof value !== typeof resend || (typeof value === 'number' && !Number.isInteger(value))) return WRONG_TYPE;
      if (value === resend) return RESEND_ATTEMPT_NUMBER;
      return others === 'first' ? 1 : undefined;
    };
  }
  const base = field?.base ?? 1;
  const max = (field !== undefined && 'max' in field ? field.max : undefined) ?? Number.MAX_SAFE_INTEGER;
  return (value) => {
    if (value === undefined || value === null) return undefined;
    const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (!Number.isSafeInteger(number) || (number as number) < base) return WRONG_TYPE;
    const attempt = (number as number) + (1 - base);
    return attempt <= max ? attempt : WRONG_TYPE;
  };
}

function readDuration(value: unknown, divisor: number): Read<number> {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value / divisor : WRONG_TYPE;
}

/** null: the API schedules no retry; absent: it did not say. */
function readRetryAt(value: unknown, read: (value: unknown) => number | undefined): Read<number | null> {
  if (value === null) return null;
  if (value === undefined) return undefined;
  return read(value) ?? WRONG_TYPE;
}
