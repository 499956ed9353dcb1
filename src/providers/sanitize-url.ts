// Receiver URLs in delivery logs often carry secrets: `?token=…`, `user:password@`, or a
// fragment. Only scheme, host, port and path may leave the adapter.

/**
 * A log repeats the same few receiver URLs on every entry, and parsing a URL costs about as much
 * as parsing the rest of the entry, so results are remembered. Bounded: a provider that writes a
 * fresh URL per entry only empties the cache now and then.
 */
const CACHE_LIMIT = 1_000;
const cache = new Map<string, string>();
/** Cached for a URL that cannot be parsed (a sanitised URL is never empty): one lookup per entry, not two. */
const UNPARSEABLE = '';

/** The URL without user info, query string or fragment; undefined when it cannot be parsed. */
export function sanitizeUrl(raw: string): string | undefined {
  let sanitized = cache.get(raw);
  if (sanitized === undefined) {
    sanitized = parseAndStrip(raw) ?? UNPARSEABLE;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(raw, sanitized);
  }
  return sanitized === UNPARSEABLE ? undefined : sanitized;
}

function parseAndStrip(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return url.href;
}
