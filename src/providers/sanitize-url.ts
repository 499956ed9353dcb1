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

/**
 * The URL last asked for, and its answer: a page's entries mostly name the same receiver, and
 * comparing two strings costs less than hashing a fresh one (each entry's URL is a new string from
 * JSON.parse) for the cache.
 */
let lastRaw: string | undefined;
let lastSanitized = UNPARSEABLE;

/** The URL without user info, query string or fragment; undefined when it cannot be parsed. */
export function sanitizeUrl(raw: string): string | undefined {
  if (raw === lastRaw) return lastSanitized === UNPARSEABLE ? undefined : lastSanitized;
  let sanitized = cache.get(raw);
  lastRaw = raw;
  if (sanitized === undefined) {
    sanitized = parseAndStrip(raw) ?? UNPARSEABLE;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(raw, sanitized);
  }
  lastSanitized = sanitized;
  return sanitized === UNPARSEABLE ? undefined : sanitized;
}

/**
 * Anything shaped like `scheme://…` up to whitespace or a quote: glued to the word before it
 * (`_https://`, `1https://`) or holding parentheses, a URL still loses its query string.
 */
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;
/** Punctuation that ends the sentence around a URL rather than the URL: `(see https://h/x).` */
const TRAILING = /[).,;:!?]+$/;

/** A free text (a provider's error message) with every URL in it cut as sanitizeUrl cuts it, `[url]` when unparseable. */
export function scrubUrls(text: string): string {
  // Most texts hold no URL; the scan is the costly part.
  return text.includes('://') ? text.replace(URL_IN_TEXT, scrubOne) : text;
}

function scrubOne(match: string): string {
  let url = match;
  let after = '';
  // A closing parenthesis stays when the URL opened one: `https://h/a(b)`.
  for (let tail = TRAILING.exec(url)?.[0]; tail !== undefined && tail !== ''; tail = TRAILING.exec(url)?.[0]) {
    const last = url.slice(-1);
    if (last === ')' && count(url, '(') >= count(url, ')')) break;
    url = url.slice(0, -1);
    after = last + after;
  }
  return (sanitizeUrl(url) ?? '[url]') + after;
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n += 1;
  return n;
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
