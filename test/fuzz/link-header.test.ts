// Fuzzing the paging headers: GitHub's RFC 8288 `Link` parser and the rule that a rel="next" link
// is followed only on the configured origin (the request carries the token), and GitLab's
// `x-next-page`/`Link` reading, which takes only a page number and never goes backwards.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGithubAdapter, nextPageUrl, parseLinkHeader } from '../../src/providers/github/adapter.js';
import { createGitlabAdapter, nextPageNumber } from '../../src/providers/gitlab/adapter.js';
import { RUNS, secretCore } from './helpers.js';

const BASE = 'https://api.example.com/prefix';
const ORIGIN = new URL(BASE).origin;
const GITHUB_HOOK = 'acme/payments-api/12345678';
const github = createGithubAdapter({ baseUrl: BASE, token: 'ghp-fuzz-token', pageSize: 2, maxPages: 5 });
const firstUrl = github.firstRequest(GITHUB_HOOK).url;

// ---------------------------------------------------------------------------------------------
// Link headers, well-formed: each link as written and as it must read back.

const TOKEN_CHARACTERS = [..."!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"];
const token = fc.string({ unit: fc.constantFrom(...TOKEN_CHARACTERS), minLength: 1, maxLength: 8 });
const space = fc.constantFrom('', ' ', '\t', '  ');

interface WrittenParam {
  name: string;
  /** Undefined: written without "=". */
  value: string | undefined;
  quoted: boolean;
}

interface WrittenLink {
  target: string;
  params: WrittenParam[];
}

const quote = (value: string): string => `"${value.replace(/[\\"]/g, '\\$&')}"`;

const param: fc.Arbitrary<WrittenParam> = fc.record({
  name: fc.oneof(fc.constantFrom('rel', 'REL', 'Rel', 'title', 'type', 'anchor'), token),
  value: fc.option(fc.oneof(fc.constantFrom('next', 'prev', 'last', 'first', 'next last', 'NEXT', ' next '), token, fc.string({ maxLength: 10 })), { nil: undefined }),
  quoted: fc.boolean(),
});

/** What a target between "<" and ">" may be: anything without ">", as the parser trims it. */
const target = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.constantFrom('', '/prefix/x?cursor=abc', '?page=2', 'relative/path', 'https://api.example.com/prefix/x?page=2'),
  fc.string({ maxLength: 20 }).map((text) => text.replace(/>/g, '').trim()),
);

const link: fc.Arbitrary<WrittenLink> = fc.record({ target, params: fc.array(param, { maxLength: 4 }) });

/** Renders links with random spacing and empty list elements, quoting values that are not tokens. */
function renderLinks(links: readonly WrittenLink[], spaces: readonly string[]): string {
  let at = 0;
  const gap = (): string => spaces[at++ % Math.max(spaces.length, 1)] ?? '';
  return links
    .map((written) => {
      const params = written.params.map(({ name, value, quoted }) => {
        if (value === undefined) return `${gap()};${gap()}${name}`;
        const needsQuotes = quoted || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value);
        return `${gap()};${gap()}${name}${gap()}=${gap()}${needsQuotes ? quote(value) : value}`;
      });
      return `${gap()}<${written.target}>${params.join('')}`;
    })
    .join(`${gap()},${gap()}`);
}

/** The parameters the parser keeps: lower-cased names, the first occurrence of each. */
function expectedParams(written: WrittenLink): Map<string, string> {
  const params = new Map<string, string>();
  for (const { name, value } of written.params) if (!params.has(name.toLowerCase())) params.set(name.toLowerCase(), value ?? '');
  return params;
}

/** Link syntax soup: mostly-malformed headers that get past the first character. */
const linkSoup = fc
  .array(fc.constantFrom('<', '>', ';', ',', '=', '"', '\\', ' ', 'rel', 'next', 'https://api.example.com/x', '//evil.example', '?page=2', 'a', '\t', '\u0000', '😀'), { maxLength: 24 })
  .map((parts) => parts.join(''));

const anyHeader = fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), linkSoup, fc.array(link, { maxLength: 3 }).chain((links) => fc.array(space, { maxLength: 8 }).map((spaces) => renderLinks(links, spaces))));

// ---------------------------------------------------------------------------------------------

describe('GitHub Link header parser', () => {
  it('never throws; answers links or one non-empty problem', () => {
    fc.assert(
      fc.property(anyHeader, (header) => {
        const parsed = parseLinkHeader(header);
        if ('problem' in parsed) {
          expect(parsed.problem.length).toBeGreaterThan(0);
          expect('links' in parsed).toBe(false);
          return;
        }
        for (const { target: parsedTarget, params } of parsed.links) {
          expect(parsedTarget).not.toContain('>');
          for (const name of params.keys()) expect(name).toBe(name.toLowerCase());
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('reads back every well-formed header: targets, and the first value of each parameter', () => {
    fc.assert(
      fc.property(fc.array(link, { minLength: 1, maxLength: 4 }), fc.array(space, { maxLength: 12 }), (links, spaces) => {
        const parsed = parseLinkHeader(renderLinks(links, spaces));
        if ('problem' in parsed) throw new Error(`well-formed header refused: ${parsed.problem}`);
        expect(parsed.links.map((read) => read.target)).toEqual(links.map((written) => written.target));
        expect(parsed.links.map((read) => read.params)).toEqual(links.map(expectedParams));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('GitHub next page from the Link header', () => {
  it('never throws; a followed link stays on the configured origin, without fragment, and moves on', () => {
    let followed = 0;
    fc.assert(
      fc.property(anyHeader, (header) => {
        const result = nextPageUrl(header, firstUrl, ORIGIN);
        expect(result.url !== undefined && result.problem !== undefined, 'both a URL and a problem').toBe(false);
        if (result.problem !== undefined) expect(result.problem.length).toBeGreaterThan(0);
        if (result.url !== undefined) {
          followed += 1;
          expect(result.url.origin).toBe(ORIGIN);
          expect(result.url.hash).toBe('');
          expect(result.url.href).not.toBe(firstUrl.href);
        }
      }),
      // One link that must be followed, whatever the random draw: the checks above then always run.
      { numRuns: RUNS, examples: [[`<${ORIGIN}/repositories/1/hooks/2/deliveries?per_page=100&cursor=v1_2>; rel="next"`]] },
    );
    expect(followed).toBeGreaterThan(0);
  });

  // Written the ways a host can hide in a URL reference: scheme, port, suffix, user info, "//" and "\".
  const foreign = [
    (rest: string) => `https://evil.example${rest}`,
    (rest: string) => `http://api.example.com${rest}`,
    (rest: string) => `https://api.example.com:8443${rest}`,
    (rest: string) => `https://api.example.com.evil.example${rest}`,
    (rest: string) => `https://api.example.com@evil.example${rest}`,
    (rest: string) => `//evil.example${rest}`,
    (rest: string) => `/\\evil.example${rest}`,
    (rest: string) => `\\\\evil.example${rest}`,
    (rest: string) => `https:\\\\evil.example${rest}`,
    (rest: string) => `HTTPS://EVIL.EXAMPLE${rest}`,
    (rest: string) => `https://evil.example\t${rest}`,
    (rest: string) => `https://[::1]${rest}`,
  ];

  it('never follows a rel="next" link to another origin, and says so without repeating the link\'s cursor', () => {
    const header = fc.record({
      write: fc.constantFrom(...foreign),
      path: fc.constantFrom('/prefix/x', '/x', ''),
      cursor: secretCore,
      others: fc.array(link, { maxLength: 2 }),
      spaces: fc.array(space, { maxLength: 6 }),
      rel: fc.constantFrom('next', 'NEXT', 'next last', 'prev next'),
    });
    fc.assert(
      fc.property(header, ({ write, path, cursor, others, spaces, rel }) => {
        const foreignTarget = write(`${path}?cursor=${cursor}`);
        // The oracle: the URL standard's own reading of the reference.
        expect(new URL(foreignTarget, firstUrl).origin).not.toBe(ORIGIN);
        const withoutNext = others.map((other) => ({ ...other, params: other.params.filter((p) => p.name.toLowerCase() !== 'rel') }));
        const text = renderLinks([{ target: foreignTarget, params: [{ name: 'rel', value: rel, quoted: true }] }, ...withoutNext], spaces);
        const result = nextPageUrl(text, firstUrl, ORIGIN);
        expect(result.url).toBeUndefined();
        expect(result.problem).toMatch(/another origin/);
        expect(result.problem).not.toContain(cursor);
        const page = github.parsePage({ request: github.firstRequest(GITHUB_HOOK), status: 200, headers: { link: text }, body: [] }, GITHUB_HOOK);
        expect(page.ok && page.next).toBeUndefined();
        expect(page.ok && page.warning).toMatch(/another origin/);
      }),
      { numRuns: RUNS },
    );
  });

  it('follows a rel="next" link on the configured origin exactly as given, its cursor untouched', () => {
    const same = [
      (rest: string) => `https://api.example.com/prefix/x${rest}`,
      (rest: string) => `HTTPS://API.EXAMPLE.COM:443/prefix/x${rest}`,
      (rest: string) => `/prefix/x${rest}`,
      (rest: string) => `x${rest}`,
      (rest: string) => `${rest}`,
    ];
    const header = fc.record({ write: fc.constantFrom(...same), cursor: secretCore, fragment: fc.constantFrom('', '#top'), spaces: fc.array(space, { maxLength: 6 }) });
    fc.assert(
      fc.property(header, ({ write, cursor, fragment, spaces }) => {
        const sameTarget = write(`?per_page=2&cursor=${cursor}${fragment}`);
        const text = renderLinks([{ target: sameTarget, params: [{ name: 'rel', value: 'next', quoted: false }] }], spaces);
        const expected = new URL(sameTarget, firstUrl);
        expected.hash = '';
        const page = github.parsePage({ request: github.firstRequest(GITHUB_HOOK), status: 200, headers: { link: text }, body: [] }, GITHUB_HOOK);
        expect(page.ok && page.warning).toBeUndefined();
        expect(page.ok && page.next?.url.href).toBe(expected.href);
        // The same credential as the first request, and to the same host.
        expect(page.ok && page.next?.headers).toEqual(github.firstRequest(GITHUB_HOOK).headers);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('GitLab next page', () => {
  const GITLAB_HOOK = 'project/1234/56';
  const gitlab = createGitlabAdapter({ baseUrl: `${BASE}/api/v4`, token: 'glpat-fuzz', pageSize: 3, maxPages: 5 });
  const gitlabFirst = gitlab.firstRequest(GITLAB_HOOK);

  const nextPageHeader = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', ' ', '0', '1', '2', ' 7 ', '-3', '2.5', '1e3', '99999999999999999999', 'abc'));
  const pagingHeaders = fc.record({ 'x-next-page': nextPageHeader, link: anyHeader }, { requiredKeys: [] });

  it('takes a page number that comes after this one, or none; never throws', () => {
    fc.assert(
      fc.property(pagingHeaders, fc.integer({ min: 1, max: 1000 }), fc.boolean(), (headers, page, fullPage) => {
        const next = nextPageNumber(headers, page, fullPage);
        if (next !== undefined) expect(Number.isInteger(next) && next > page, `next page ${next} after ${page}`).toBe(true);
        const named = headers['x-next-page'];
        if (named !== undefined && named.trim() === '') expect(next).toBeUndefined();
        // A number past 2^53 is not exact: no next page rather than a rounded one.
        if (named !== undefined && /^\d+$/.test(named.trim()) && Number(named) > page) expect(next).toBe(Number.isSafeInteger(Number(named)) ? Number(named) : undefined);
      }),
      { numRuns: RUNS },
    );
  });

  it('asks for the next page on the configured URL, whatever host the Link header names', () => {
    const foreignLink = fc.tuple(fc.constantFrom('https://evil.example', '//evil.example', 'http://api.example.com', ''), fc.integer({ min: 2, max: 50 })).map(
      ([host, page]) => `<${host}/other/path?page=${page}&private_token=leak>; rel="next"`,
    );
    const headers = fc.record({ link: fc.oneof(foreignLink, anyHeader), 'x-next-page': nextPageHeader }, { requiredKeys: [] });
    let nextPages = 0;
    fc.assert(
      fc.property(headers, fc.array(fc.jsonValue(), { maxLength: 3 }), (pageHeaders, body) => {
        const page = gitlab.parsePage({ request: gitlabFirst, status: 200, headers: pageHeaders, body }, GITLAB_HOOK);
        if (!page.ok || page.next === undefined) return;
        nextPages += 1;
        const { url } = page.next;
        expect(url.origin).toBe(gitlabFirst.url.origin);
        expect(url.pathname).toBe(gitlabFirst.url.pathname);
        expect([...url.searchParams.keys()].sort()).toEqual(['page', 'per_page']);
        expect(page.next.headers).toEqual(gitlabFirst.headers);
      }),
      { numRuns: RUNS },
    );
    expect(nextPages).toBeGreaterThan(0);
  });
});
