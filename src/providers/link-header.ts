// RFC 8288 `Link` headers, and the rel="next" link a paged API names in one: GitHub's keyset
// cursors, and any API a description pages with `link-header`.

/**
 * The next page's URL from a `Link` header, or why it cannot be followed. The URL is kept as
 * given (the cursor is opaque) but must stay on the base URL's origin: the request carries the
 * credential, which must not go to another host.
 */
export function nextPageUrl(linkHeader: string | undefined, requestUrl: URL, origin: string): { url?: URL; problem?: string } {
  if (linkHeader === undefined || linkHeader.trim() === '') return {};
  const parsed = parseLinkHeader(linkHeader);
  if ('problem' in parsed) return { problem: `ignored a malformed Link header (${parsed.problem}); the read ends at this page` };
  const targets = [...new Set(parsed.links.filter((link) => relations(link).includes('next')).map((link) => link.target))];
  if (targets.length === 0) return {};
  if (targets.length > 1) return { problem: 'ignored a Link header with several different rel="next" links; the read ends at this page' };
  let url: URL;
  try {
    url = new URL(targets[0]!, requestUrl);
  } catch {
    return { problem: 'ignored a rel="next" link that is not a URL; the read ends at this page' };
  }
  if (url.origin !== origin) {
    return { problem: `did not follow a rel="next" link to ${url.origin}, another origin than the configured baseUrl (${origin}); the read ends at this page` };
  }
  url.hash = '';
  // A link back to the page just read would repeat it until maxPages.
  if (url.href === requestUrl.href) return { problem: 'ignored a rel="next" link to the page just read; the read ends at this page' };
  return { url };
}

export interface WebLink {
  target: string;
  /** Lower-cased parameter names; the first occurrence of each (RFC 8288 §3). */
  params: Map<string, string>;
}

/** RFC 8288 `Link`: `<uri>; name=token; name="quoted", <uri>; …`. Never throws. */
export function parseLinkHeader(value: string): { links: WebLink[] } | { problem: string } {
  const links: WebLink[] = [];
  let i = 0;
  const skipSpace = () => {
    while (value[i] === ' ' || value[i] === '\t') i++;
  };
  while (i < value.length) {
    skipSpace();
    if (value[i] === ',') {
      i++; // empty list elements are allowed
      continue;
    }
    if (i >= value.length) break;
    if (value[i] !== '<') return { problem: `expected "<" at character ${i + 1}` };
    const close = value.indexOf('>', i + 1);
    if (close < 0) return { problem: 'a "<" without its ">"' };
    const link: WebLink = { target: value.slice(i + 1, close).trim(), params: new Map() };
    i = close + 1;
    for (;;) {
      skipSpace();
      if (i >= value.length || value[i] === ',') break;
      if (value[i] !== ';') return { problem: `expected ";" or "," at character ${i + 1}` };
      i++;
      skipSpace();
      const name = readToken(value, i);
      if (name === '') return { problem: `a parameter without a name at character ${i + 1}` };
      i += name.length;
      skipSpace();
      let paramValue = '';
      if (value[i] === '=') {
        i++;
        skipSpace();
        if (value[i] === '"') {
          const quoted = readQuoted(value, i);
          if (quoted === undefined) return { problem: 'an unterminated quoted string' };
          paramValue = quoted.text;
          i = quoted.end;
        } else {
          paramValue = readToken(value, i);
          if (paramValue === '') return { problem: `parameter "${name}" without a value` };
          i += paramValue.length;
        }
      }
      const key = name.toLowerCase();
      if (!link.params.has(key)) link.params.set(key, paramValue);
    }
    links.push(link);
  }
  return { links };
}

/** `rel` holds one or more relation types separated by spaces, compared case-insensitively. */
function relations(link: WebLink): string[] {
  return (link.params.get('rel') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
}

const TOKEN_CHARACTER = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

function readToken(text: string, start: number): string {
  let end = start;
  while (end < text.length && TOKEN_CHARACTER.test(text[end]!)) end++;
  return text.slice(start, end);
}

function readQuoted(text: string, start: number): { text: string; end: number } | undefined {
  let result = '';
  for (let i = start + 1; i < text.length; i++) {
    const character = text[i]!;
    if (character === '"') return { text: result, end: i + 1 };
    if (character === '\\') {
      i++;
      if (i >= text.length) return undefined;
      result += text[i];
    } else result += character;
  }
  return undefined;
}
