// Request and response bodies, for operators who opt in to seeing them in traces (per source,
// `traces.includeBodies`). Never captured otherwise: payloads may hold personal data.

/** A body as text: strings as they are, anything else as JSON; undefined when absent. */
export function bodyText(value: unknown, maxBytes: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return truncateUtf8(text, maxBytes);
}

/** At most `maxBytes` of UTF-8, never splitting a character, with "…" when cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1; // back off a continuation byte
  return `${bytes.subarray(0, end).toString('utf8')}…`;
}
