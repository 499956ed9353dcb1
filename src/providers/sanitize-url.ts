// Receiver URLs in delivery logs often carry secrets: `?token=…`, `user:password@`, or a
// fragment. Only scheme, host, port and path may leave the adapter.

/** The URL without user info, query string or fragment; undefined when it cannot be parsed. */
export function sanitizeUrl(raw: string): string | undefined {
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
