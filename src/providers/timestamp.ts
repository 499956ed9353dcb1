// ISO-8601 date-times from provider logs, read strictly: Date.parse alone accepts many
// other formats, rolls 2024-02-30 over into March, and reads a zone-less time in the
// server's local zone, which would make counts depend on where the exporter runs.
//
// The accepted form, case-insensitive in `T` and `Z`, after trimming whitespace:
//   YYYY-MM-DDTHH:MM[:SS[.1 to 9 digits]][Z | ±HH[[:]MM]]
// Read character by character rather than with a regular expression: it runs once or twice per
// entry, and a match array with seven Number() calls cost half of normalising a GitHub entry.
// test/unit/providers.test.ts holds it to the regular expression's answers on random strings.

const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const PLUS = 0x2b;
const ZERO = 0x30;

/** Unix milliseconds of an ISO-8601 date-time string; a time without a zone is taken as UTC. */
export function parseIsoTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const end = text.length;
  if (end < 16) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  if (
    year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 ||
    text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH || (text.charCodeAt(10) | 0x20) !== 0x74 /* t */ || text.charCodeAt(13) !== COLON
  ) {
    return undefined;
  }
  let at = 16;
  let second = 0;
  let ms = 0;
  if (at < end && text.charCodeAt(at) === COLON) {
    second = digits(text, at + 1, 2);
    if (second < 0) return undefined;
    at += 3;
    if (at < end && text.charCodeAt(at) === DOT) {
      const start = at + 1;
      at = start;
      while (at < end && isDigit(text.charCodeAt(at))) at += 1;
      const count = at - start;
      if (count < 1 || count > 9) return undefined;
      // Milliseconds: the first three digits, padded with zeros.
      for (let i = 0; i < 3; i += 1) ms = ms * 10 + (i < count ? text.charCodeAt(start + i) - ZERO : 0);
    }
  }
  const offsetMs = zoneOffsetMs(text, at, end);
  if (offsetMs === undefined) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMs;
}

/** The zone from `at` to the end: none (UTC), `Z`, or ±HH with optional [:]MM; undefined if anything else. */
function zoneOffsetMs(text: string, at: number, end: number): number | undefined {
  if (at === end) return 0;
  const sign = text.charCodeAt(at);
  if ((sign | 0x20) === 0x7a /* z */) return at + 1 === end ? 0 : undefined;
  if (sign !== PLUS && sign !== DASH) return undefined;
  const hours = digits(text, at + 1, 2);
  if (hours < 0) return undefined;
  at += 3;
  let minutes = 0;
  if (at < end) {
    if (text.charCodeAt(at) === COLON) at += 1;
    minutes = digits(text, at, 2);
    if (minutes < 0 || at + 2 !== end) return undefined;
  }
  return (sign === DASH ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}

/** The decimal number of `count` ASCII digits at `at`, or -1 if any is missing or not a digit. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i += 1) {
    const code = text.charCodeAt(i); // NaN past the end, which is not a digit
    if (!isDigit(code)) return -1;
    value = value * 10 + (code - ZERO);
  }
  return value;
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= 0x39;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Date.UTC would roll 30 February into March; a day past the month's end does not exist. */
function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}
