// Small readers shared by the provider normalisers. Each optional reader returns the value,
// `undefined` when the field is absent (or null), or WRONG_TYPE when it is present but unusable,
// so a normaliser can reject the entry with the `wrong_type` reason instead of guessing.

import { parseIsoTimestamp } from './timestamp.js';
import type { InvalidReason, NormalizeResult } from './types.js';

export const WRONG_TYPE = Symbol('wrong_type');
export type Read<T> = T | undefined | typeof WRONG_TYPE;

export const UNKNOWN_EVENT_TYPE = 'unknown';

/** A JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function invalid(reason: InvalidReason): NormalizeResult {
  return { ok: false, reason };
}

/** The entry id: a non-empty string, or undefined. */
export function readId(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** An event type label value; anything but a non-empty string becomes `unknown`. */
export function readEventType(value: unknown): string {
  return typeof value === 'string' && value.length > 0 ? value : UNKNOWN_EVENT_TYPE;
}

/** An HTTP status code as a receiver could send it. */
export function readHttpStatus(value: unknown): Read<number> {
  if (value === undefined || value === null) return undefined;
  return Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 599 ? (value as number) : WRONG_TYPE;
}

/** A duration in milliseconds, returned in seconds. */
export function readDurationMsAsSeconds(value: unknown): Read<number> {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value / 1000 : WRONG_TYPE;
}

export function readOptionalString(value: unknown): Read<string> {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : WRONG_TYPE;
}

export function readOptionalTimestamp(value: unknown): Read<number> {
  if (value === undefined || value === null) return undefined;
  return parseIsoTimestamp(value) ?? WRONG_TYPE;
}
