// Request and response bodies, for operators who opt in to seeing them in traces (per source,
// `traces.includeBodies`). Never captured otherwise: payloads may hold personal data.

/**
 * What a source that opted in adds to each attempt: the request and response bodies its provider
 * logs (read from the raw entry by `request` and `response`), each truncated to `maxBytes`.
 * Undefined when the source did not opt in, so nothing is read at all.
 */
export function bodyCapture(
  maxBytes: number | undefined,
  request: (entry: Record<string, unknown>) => unknown,
  response: (entry: Record<string, unknown>) => unknown,
): ((attempt: { requestBody?: string; responseBody?: string }, entry: Record<string, unknown>) => void) | undefined {
  if (maxBytes === undefined) return undefined;
  return (attempt, entry) => {
    attempt.requestBody = bodyText(request(entry), maxBytes);
    attempt.responseBody = bodyText(response(entry), maxBytes);
  };
}

/** A body as text: strings as they are, anything else as JSON; undefined when absent or empty. */
export function bodyText(value: unknown, maxBytes: number): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    // Nesting deep enough to overflow JSON.stringify: the body is left out, the attempt still counts.
    return '[body too deeply nested to show]';
  }
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
