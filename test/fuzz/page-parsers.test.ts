// Fuzzing every provider's page parser (adapter.parsePage) with arbitrary JSON and with the
// fixtures' entries mutated field by field. parsePage promises never to throw; every entry becomes
// an attempt or a counted invalid entry; attempts keep the DeliveryAttempt invariants; no receiver
// URL's query string, user info or fragment reaches an attempt; the next request stays on the
// configured origin.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAdapter, INVALID_REASONS, type AdapterSource, type DeliveryAttempt, type DeliveryStatus, type ParsedPage, type ProviderAdapter, type BuiltInProvider, type ProviderRequest } from '../../src/providers/index.js';
import { RUNS, secretCore } from './helpers.js';

const BASE = 'https://api.example.com/prefix';
const ORIGIN = new URL(BASE).origin;
/** Small, so that captured bodies are cut often. */
const BODY_LIMIT_BYTES = 48;
/** What truncateUtf8 appends when it cuts: "…", three bytes. */
const ELLIPSIS_BYTES = 3;

type Json = unknown;
type Entry = Record<string, Json>;

const testdata = (path: string): Json => JSON.parse(readFileSync(new URL(`../testdata/${path}`, import.meta.url), 'utf8'));
const asEntries = (value: Json): Entry[] => value as Entry[];

interface ProviderCase {
  provider: BuiltInProvider;
  webhookId: string;
  statuses: readonly DeliveryStatus[];
  /** Valid entries from the fixtures, to mutate. */
  fixtures: Entry[];
  /** A body of the provider's shape around `entries`. */
  wrap(entries: Json[]): Json;
  /** The entries of a body, when it has the provider's shape. */
  entriesOf(body: Json): Json[] | undefined;
  /** Entries the adapter leaves out of attempts and invalid alike (Svix's canceled attempts). */
  skipped(entry: Json): boolean;
  /** An entry's fields that carry the receiver's URL and the error text, and what makes it a failure without a response. */
  leakFields?: { url?: string; error?: string; noResponse: Entry };
}

const isRecord = (value: Json): value is Entry => typeof value === 'object' && value !== null && !Array.isArray(value);
const recordField = (body: Json, key: string): Json[] | undefined => (isRecord(body) && Array.isArray(body[key]) ? (body[key] as Json[]) : undefined);

const CASES: ProviderCase[] = [
  {
    provider: 'salesfinity',
    webhookId: '507f1f77bcf86cd799439011',
    statuses: ['success', 'failed'],
    fixtures: asEntries((testdata('salesfinity/basic/page-1.json') as Entry).data),
    wrap: (entries) => ({ data: entries, pagination: { total: entries.length, page: 1, limit: 100, pages: 1 } }),
    entriesOf: (body) => recordField(body, 'data'),
    skipped: () => false,
  },
  {
    provider: 'baanx',
    webhookId: '770e8400-e29b-41d4-a716-446655440002',
    statuses: ['success', 'failed', 'pending', 'processing'],
    fixtures: [...asEntries((testdata('baanx/basic/poll-1.json') as Entry).logs), ...asEntries((testdata('baanx/pending-then-finished/poll-1.json') as Entry).logs)],
    wrap: (entries) => ({ count: entries.length, logs: entries }),
    entriesOf: (body) => recordField(body, 'logs'),
    skipped: () => false,
    leakFields: { url: 'requestUrl', error: 'errorMessage', noResponse: { responseStatus: null, deliveryStatus: 'failed' } },
  },
  {
    provider: 'github',
    webhookId: 'acme/payments-api/12345678',
    statuses: ['success', 'failed'],
    fixtures: [...asEntries(testdata('github/repo-hook-deliveries.json')), testdata('github/hook-delivery.json') as Entry],
    wrap: (entries) => entries,
    entriesOf: (body) => (Array.isArray(body) ? body : undefined),
    skipped: () => false,
    leakFields: { url: 'url', error: 'status', noResponse: { status_code: 0 } },
  },
  {
    provider: 'gitlab',
    webhookId: 'project/1234/56',
    statuses: ['success', 'failed'],
    // The documented samples leave out `created_at`, which the API sends.
    fixtures: [...asEntries(testdata('gitlab/project-hook-events.json')), ...asEntries(testdata('gitlab/hook-event-internal-error.COMPOSED.json'))]
      .map((entry): Entry => ({ ...entry, created_at: '2026-05-28T04:42:42-07:00' }))
      .concat(asEntries(testdata('gitlab/paging/page-1.json'))),
    wrap: (entries) => entries,
    entriesOf: (body) => (Array.isArray(body) ? body : undefined),
    skipped: () => false,
    leakFields: { url: 'url', noResponse: { response_status: 'internal error' } },
  },
  {
    provider: 'svix',
    webhookId: 'app_2Wn0ozpCBWWhyJKDDgYcTuXOSwZ/ep_2Wn1Hl9zK4Xe5WGEyLNnBvTCQ2C',
    statuses: ['success', 'failed', 'pending', 'processing'],
    fixtures: [...asEntries((testdata('svix/attempts-by-endpoint.json') as Entry).data), testdata('svix/attempt-failed-item.composed.json') as Entry],
    wrap: (entries) => ({ data: entries, iterator: null, done: true }),
    entriesOf: (body) => recordField(body, 'data'),
    skipped: (entry) => isRecord(entry) && entry.status === 4,
    leakFields: { url: 'url', error: 'response', noResponse: { responseStatusCode: 0, status: 2 } },
  },
];

/** The adapter as the exporter builds it from a configured source, with or without bodies for traces. */
function adapterFor(provider: BuiltInProvider, includeBodies: boolean): ProviderAdapter {
  const traces = { includeBodies, maxBodyBytes: BODY_LIMIT_BYTES };
  const paged = { pageSize: 3, maxPages: 5, traces };
  const sources: Record<BuiltInProvider, AdapterSource> = {
    salesfinity: { provider: 'salesfinity', baseUrl: BASE, auth: { apiKey: 'sf-key', fromFile: false }, ...paged },
    baanx: { provider: 'baanx', baseUrl: BASE, auth: { bearerToken: 'baanx-token', fromFile: false }, limit: 3, traces },
    github: { provider: 'github', baseUrl: BASE, auth: { token: 'ghp-token', fromFile: false }, ...paged },
    gitlab: { provider: 'gitlab', baseUrl: BASE, auth: { token: 'glpat-token', fromFile: false }, ...paged },
    svix: { provider: 'svix', baseUrl: BASE, auth: { token: 'svix-token', fromFile: false }, ...paged },
  };
  return createAdapter(sources[provider]);
}

// ---------------------------------------------------------------------------------------------
// Inputs

const ODD_DATES = [
  '2024-02-30T00:00:00Z', '2023-02-29T00:00:00Z', '2024-02-29T23:59:59Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999999999+23:59',
  ' 2024-01-01T00:00Z ', '2024-01-01', '2024-01-01T24:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01T00:00:60Z', '2024-01-01t00:00:00z',
  '2024-01-01T00:00:00.1234567890Z', '+002024-01-01T00:00:00Z', '2024-01-01T00:00:00-23:59', '2024-01-01T00:00:00+2400', 'yesterday', '1717171717',
];
const ODD_NUMBERS = [0, -0, -1, 0.5, 1.5, 99, 100, 199, 200, 204, 299, 599, 600, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 1, 2, 3, 4, 5, 6, 7];
const ODD_STRINGS = [
  '', ' ', '200', '000', '999', '2xx', 'OK', 'abc', 'success', 'failed', 'pending', 'processing', 'fail', 'sending', 'canceled', '😀', '\u0000', 'é',
  'https://user:pw@receiver.example.com/hook?token=t#f', 'https://[::1', 'not a url', '{}', 'X'.repeat(70_000),
];

/** A value a provider's field should never hold, and some it may. */
const oddValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, [], {}, [1], { a: 1 }, ...ODD_DATES, ...ODD_NUMBERS, ...ODD_STRINGS),
  fc.jsonValue({ maxDepth: 2 }),
);

/** "a", "a.b": the fields of an entry down to two levels. */
function fieldPaths(entry: Entry): string[][] {
  return Object.entries(entry).flatMap(([key, value]) => [[key], ...(isRecord(value) ? Object.keys(value).map((inner) => [key, inner]) : [])]);
}

function withField(entry: Entry, path: readonly string[], value: Json | undefined): Entry {
  const copy = structuredClone(entry);
  let target: Entry = copy;
  for (const key of path.slice(0, -1)) {
    const next = target[key];
    if (!isRecord(next)) return copy;
    target = next;
  }
  const last = path[path.length - 1] as string;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

/** A fixture entry with up to four fields replaced by odd values or removed. */
function mutatedEntry(fixtures: readonly Entry[]): fc.Arbitrary<Entry> {
  return fc.constantFrom(...fixtures).chain((fixture) => {
    const paths = fieldPaths(fixture);
    const change = fc.tuple(fc.constantFrom(...paths), fc.option(oddValue, { nil: undefined, freq: 4 }));
    return fc.array(change, { maxLength: 4 }).map((changes) => changes.reduce((entry, [path, value]) => withField(entry, path, value), fixture));
  });
}

const headerValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', '2', '0', '-1', '1e3', '99999999999999999999', 'abc'),
  fc.constantFrom('<https://api.example.com/prefix/x?page=2>; rel="next"', '<https://evil.example/x?page=2>; rel="next"', '<//evil.example/x>; rel=next', '<x?page=3>; rel="next last"', '<', '<>; rel', ';;,'),
);
const headers = fc.dictionary(fc.constantFrom('link', 'x-next-page', 'x-page', 'x-total-pages', 'etag', 'retry-after'), headerValue, { maxKeys: 4 });

/** The first request, or one further on with an odd page number or cursor. */
function request(adapter: ProviderAdapter, webhookId: string): fc.Arbitrary<ProviderRequest> {
  const odd = fc.constantFrom('1', '2', '0', '-1', 'abc', '1e3', '99999999999999999999', '', 'ITERATOR', '-iterator');
  return fc.dictionary(fc.constantFrom('page', 'iterator', 'cursor'), odd, { maxKeys: 2 }).map((params) => {
    const first = adapter.firstRequest(webhookId);
    const url = new URL(first.url);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return { url, headers: first.headers };
  });
}

// ---------------------------------------------------------------------------------------------
// Checks

const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');

function expectAttempt(attempt: DeliveryAttempt, providerCase: ProviderCase, withBodies: boolean): void {
  expect(attempt.logId).toBeTypeOf('string');
  expect(attempt.logId.length).toBeGreaterThan(0);
  expect(attempt.webhookId).toBe(providerCase.webhookId);
  expect(attempt.eventType.length).toBeGreaterThan(0);
  if (attempt.eventId !== undefined) expect(attempt.eventId.length).toBeGreaterThan(0);
  expect(providerCase.statuses).toContain(attempt.status);
  if (attempt.httpStatusCode !== undefined) {
    expect(Number.isInteger(attempt.httpStatusCode) && attempt.httpStatusCode >= 100 && attempt.httpStatusCode <= 599, `HTTP status ${attempt.httpStatusCode}`).toBe(true);
  }
  if (attempt.durationSeconds !== undefined) expect(Number.isFinite(attempt.durationSeconds) && attempt.durationSeconds >= 0).toBe(true);
  expect(Number.isSafeInteger(attempt.createdAtMs), `createdAtMs ${attempt.createdAtMs}`).toBe(true);
  if (attempt.attemptNumber !== undefined) expect(Number.isInteger(attempt.attemptNumber) && attempt.attemptNumber >= 1).toBe(true);
  if (attempt.nextRetryAtMs !== undefined && attempt.nextRetryAtMs !== null) expect(Number.isSafeInteger(attempt.nextRetryAtMs)).toBe(true);
  if (attempt.requestUrl !== undefined) {
    const url = new URL(attempt.requestUrl);
    expect([url.search, url.hash, url.username, url.password], `requestUrl ${attempt.requestUrl}`).toEqual(['', '', '', '']);
  }
  if (attempt.errorMessage !== undefined) expect(attempt.errorMessage.length).toBeGreaterThan(0);
  if (!withBodies) {
    // Payloads may hold personal data: nothing is captured unless the source opted in.
    expect('requestBody' in attempt || 'responseBody' in attempt).toBe(false);
  } else {
    for (const body of [attempt.requestBody, attempt.responseBody]) {
      if (body !== undefined) expect(byteLength(body)).toBeLessThanOrEqual(BODY_LIMIT_BYTES + ELLIPSIS_BYTES);
    }
  }
}

/** Every invariant of one parsed page; `body` is what the adapter was given. */
function expectPage(page: ParsedPage, body: Json, providerCase: ProviderCase, adapter: ProviderAdapter, withBodies: boolean): void {
  if (!page.ok) {
    expect(page.problem).toBeTypeOf('string');
    expect(page.problem.length).toBeGreaterThan(0);
    return;
  }
  const entries = providerCase.entriesOf(body);
  expect(entries, 'a page was parsed from a body without the provider\'s shape').toBeDefined();
  const skipped = (entries ?? []).filter(providerCase.skipped).length;
  expect(page.entryCount).toBe(entries?.length);
  expect(page.attempts.length + page.invalid.length + skipped).toBe(page.entryCount);
  for (const attempt of page.attempts) expectAttempt(attempt, providerCase, withBodies);
  for (const entry of page.invalid) {
    expect(INVALID_REASONS).toContain(entry.reason);
    expect(entry.key).toMatch(/^[\w-]{22}$/);
  }
  if (page.warning !== undefined) expect(page.warning.length).toBeGreaterThan(0);
  if (page.withdrawn !== undefined) {
    const skippedIds = (entries ?? []).filter(providerCase.skipped).map((entry) => (entry as Entry).id);
    for (const id of page.withdrawn) expect(skippedIds).toContain(id);
  }
  if (adapter.paging.kind === 'newest-n') expect(page.next).toBeUndefined();
  if (page.next !== undefined) {
    // The request carries the credential: it must not go to another host.
    expect(page.next.url.origin).toBe(ORIGIN);
    expect(page.next.headers).toEqual(adapter.firstRequest(providerCase.webhookId).headers);
  }
}

// ---------------------------------------------------------------------------------------------

describe.each(CASES)('$provider page parser', (providerCase) => {
  const adapters = [
    { withBodies: false, adapter: adapterFor(providerCase.provider, false) },
    { withBodies: true, adapter: adapterFor(providerCase.provider, true) },
  ];
  const setup = fc.constantFrom(...adapters).chain(({ withBodies, adapter }) =>
    fc.record({ withBodies: fc.constant(withBodies), adapter: fc.constant(adapter), request: request(adapter, providerCase.webhookId), headers }),
  );

  function parse({ adapter, request: pageRequest, headers: pageHeaders }: { adapter: ProviderAdapter; request: ProviderRequest; headers: Record<string, string> }, body: Json): ParsedPage {
    return adapter.parsePage({ request: pageRequest, status: 200, headers: pageHeaders, body }, providerCase.webhookId);
  }

  it('the fixtures parse to one attempt per entry (the mutations start from valid entries)', () => {
    const adapter = adapters[0]?.adapter as ProviderAdapter;
    const body = providerCase.wrap(providerCase.fixtures);
    const page = parse({ adapter, request: adapter.firstRequest(providerCase.webhookId), headers: {} }, body);
    expectPage(page, body, providerCase, adapter, false);
    expect(page.ok && page.invalid).toEqual([]);
  });

  it('never throws on arbitrary JSON, and a page it accepts keeps every invariant', () => {
    const body = fc.oneof(fc.jsonValue(), fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 6 }).map((entries) => providerCase.wrap(entries)));
    fc.assert(
      fc.property(setup, body, (context, input) => {
        expectPage(parse(context, input), input, providerCase, context.adapter, context.withBodies);
      }),
      { numRuns: RUNS },
    );
  });

  it('counts every mutated fixture entry as an attempt or an invalid entry, and attempts keep their invariants', () => {
    const seen = { attempts: 0, invalid: 0 };
    fc.assert(
      fc.property(setup, fc.array(mutatedEntry(providerCase.fixtures), { maxLength: 6 }), (context, entries) => {
        const body = providerCase.wrap(entries);
        const page = parse(context, body);
        expect(page.ok, page.ok ? '' : page.problem).toBe(true);
        expectPage(page, body, providerCase, context.adapter, context.withBodies);
        seen.attempts += page.ok ? page.attempts.length : 0;
        seen.invalid += page.ok ? page.invalid.length : 0;
      }),
      { numRuns: RUNS },
    );
    // Both sides were exercised, so neither set of checks is vacuous.
    expect(seen.attempts).toBeGreaterThan(0);
    expect(seen.invalid).toBeGreaterThan(0);
  });

  const leakFields = providerCase.leakFields;
  if (leakFields !== undefined) {
    // Found by this fuzzer: Baanx's `errorMessage` is passed on untouched, and GitHub's error text
    // scrubber needs a word boundary before the scheme, so "_https://…?token=…" keeps its query.
    it('keeps no query string, user info or fragment of the receiver URL in requestUrl or errorMessage', () => {
      const receiver = fc.record({
        scheme: fc.constantFrom('https', 'http', 'HTTPS'),
        user: fc.option(secretCore, { nil: undefined }),
        host: fc.constantFrom('receiver.example.com', 'localhost:8080', '[::1]:8443', '10.0.0.1'),
        path: fc.constantFrom('', '/', '/hooks/in', '/a.b/c~d_e-f'),
        query: secretCore,
        fragment: fc.option(secretCore, { nil: undefined }),
      });
      const around = fc.tuple(
        fc.constantFrom('', ' ', 'error sending request for url (', 'failed to connect to ', '_', '1', '"', '<', 'x'),
        fc.constantFrom('', ' ', ')', ': connection refused', '"', '>', '.', ','),
      );
      fc.assert(
        fc.property(fc.constantFrom(...providerCase.fixtures), receiver, around, ({ ...fixture }, parts, [before, after]) => {
          const url = `${parts.scheme}://${parts.user === undefined ? '' : `user:${parts.user}@`}${parts.host}${parts.path}?token=${parts.query}${parts.fragment === undefined ? '' : `#${parts.fragment}`}`;
          const entry: Entry = { ...fixture, ...leakFields.noResponse };
          if (leakFields.url !== undefined) entry[leakFields.url] = url;
          if (leakFields.error !== undefined) entry[leakFields.error] = `${before}${url}${after}`;
          const adapter = adapters[0]?.adapter as ProviderAdapter;
          const page = adapter.parsePage({ request: adapter.firstRequest(providerCase.webhookId), status: 200, headers: {}, body: providerCase.wrap([entry]) }, providerCase.webhookId);
          expect(page.ok && page.attempts.length).toBe(1);
          const attempt = page.ok ? page.attempts[0] : undefined;
          const secrets = [parts.user, parts.query, parts.fragment].filter((secret) => secret !== undefined);
          for (const text of [attempt?.requestUrl, attempt?.errorMessage]) {
            for (const secret of secrets) expect(text ?? '', `secret ${secret} kept`).not.toContain(secret);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe('every page parser', () => {
  /** `depth` arrays inside one another, as JSON.parse accepts them from a response body. */
  function nested(depth: number): Json {
    let value: Json = [];
    for (let level = 1; level < depth; level++) value = [value];
    return value;
  }

  // Found by this fuzzer: contentKey (src/providers/parse-entries.ts) and bodyText
  // (src/providers/bodies.ts) call JSON.stringify, which overflows the stack on a deeply nested
  // value, so parsePage throws a RangeError although it promises never to throw.
  it('never throws on deeply nested entries or bodies', () => {
    const input = fc.record({
      provider: fc.constantFrom(...CASES.map((providerCase) => providerCase.provider)),
      depth: fc.integer({ min: 1, max: 50_000 }),
      inBody: fc.boolean(),
    });
    fc.assert(
      fc.property(input, ({ provider, depth, inBody }) => {
        const providerCase = CASES.find((candidate) => candidate.provider === provider) as ProviderCase;
        const withBodies = inBody && providerCase.provider !== 'github';
        const adapter = adapterFor(providerCase.provider, withBodies);
        const fixture = providerCase.fixtures[0] as Entry;
        // A valid entry whose captured body is deep, or an entry that is itself deep (and invalid).
        const deepBody = { salesfinity: { request: { body: nested(depth) } }, baanx: { requestBody: nested(depth) }, gitlab: { request_data: nested(depth) }, svix: { msg: { eventType: 'user.signup', payload: nested(depth) } }, github: {} };
        const entry = withBodies ? { ...fixture, ...deepBody[providerCase.provider] } : nested(depth);
        const body = providerCase.wrap([entry]);
        let page: ParsedPage | undefined;
        expect(() => {
          page = adapter.parsePage({ request: adapter.firstRequest(providerCase.webhookId), status: 200, headers: {}, body }, providerCase.webhookId);
        }).not.toThrow();
        if (page !== undefined) expectPage(page, body, providerCase, adapter, withBodies);
      }),
      { numRuns: 60, examples: [[{ provider: 'salesfinity', depth: 50_000, inBody: false }]] },
    );
  });
});
