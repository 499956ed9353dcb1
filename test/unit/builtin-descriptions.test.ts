// The five built-in providers written in the description language (config/providers/*.yaml) and
// run by the `provider: http` adapter parse every page as the built-in adapters do: on every
// fixture of test/testdata/<provider>/ (the golden scenarios page by page, each adapter following
// its own next request, and the documented samples) and on random pages made by the simulators'
// entry builders. The built-ins stay (they carry what a description does not); this test keeps
// each description a faithful account of its built-in.
//
// Compared per page: every attempt, field by field and in order; the invalid entries (reason and
// content key); entryCount; withdrawn ids; whether a warning ends the read; the next request (URL
// path, query parameters, headers). Per adapter: paging, capabilities, the first request and the
// hints' setting names (the credential hint differs by kind of source).
//
// Every attempt field is compared, the receiver's URL and the bodies included: both adapters capture
// bodies (truncated to BODY_LIMIT_BYTES), as for a source that sets `traces.includeBodies`.
//
// Not covered, because no fixture and no simulator sends it, and there the built-ins are stricter:
// - ids: the language takes a non-empty string or a whole number; Salesfinity, Baanx and Svix take
//   only strings, GitHub and GitLab only whole numbers.
// - a receiver code of 0: no response in the language; Salesfinity and Baanx call it the wrong type.
// - the wrong type of a field the language does not read: Salesfinity's `response` (not an object),
//   GitLab's `request_headers`, Svix's `msg`; GitHub's receiver URL when it is not text (the
//   built-in leaves it out, the language calls the entry the wrong type); and a Baanx attempt number
//   written as text ("2"), which the language reads as a number.
// - GitLab without `x-next-page` (GitLab sends it on every page): the built-in then takes the page
//   number of the Link header's rel="next"; and the event UUID header in another case than GitLab's.
// - Salesfinity without `pagination` and with more entries than asked for: the built-in ends the read.
// - Svix: a body whose `done` or `iterator` has the wrong type (the built-in refuses the page); a
//   canceled attempt whose id is ""; error texts with surrounding blanks (the built-in trims them)
//   or longer than 256 bytes (the built-in cuts there, the language at 512).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/index.js';
import { createHttpAdapter, type HttpAuth } from '../../src/providers/http/adapter.js';
import { descriptionSchema, type DescriptionInput } from '../../src/providers/http/description.js';
import {
  BUILT_IN_PROVIDERS,
  createAdapter,
  definitionOf,
  type AdapterSource,
  type BuiltInProvider,
  type ParsedPage,
  type ProviderAdapter,
  type ProviderRequest,
} from '../../src/providers/index.js';
import {
  baanxEntry,
  githubDeliveryDetail,
  githubDeliveryLog,
  gitlabEntry,
  gitlabInternalErrorEntry,
  salesfinityEntry,
  svixAttempt,
  svixConnectError,
} from '../../src/simulator/index.js';
import { mulberry32 } from '../../src/simulator/random.js';

const DESCRIPTIONS = fileURLToPath(new URL('../../config/providers/', import.meta.url));
const TESTDATA = fileURLToPath(new URL('../testdata/', import.meta.url));
const SAMPLES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const BASE = 'https://api.example.com/prefix';
/** Random pages per provider; FUZZ_RUNS=5000 searches deeper, as for the fuzz tests. */
const RUNS = Number(process.env.FUZZ_RUNS) || 300;
/** Bodies captured, as with `traces: {includeBodies: true, maxBodyBytes: 64}`: short enough that some are cut. */
const BODY_LIMIT_BYTES = 64;
/** The simulated log's newest entry: 2026-12-02T10:00:00Z. */
const NOW_MS = Date.UTC(2026, 11, 2, 10);

type Json = unknown;
type Headers = Record<string, string>;

/** One page to parse: its body and headers, and the query parameters of the request that asked for it. */
interface Page {
  body: Json;
  headers: Headers;
  params: Record<string, string>;
}

interface Case {
  provider: BuiltInProvider;
  webhookId: string;
  /** A source of the built-in, as the config loader makes it, reading `size` entries a page. */
  source(size: number): AdapterSource;
  /** The same credential as a source of `provider: http` sends it. */
  auth(source: AdapterSource): HttpAuth;
  /** The documented samples beside the golden scenarios, each as one page (of `webhookId` unless it names its own). */
  samples(): Array<{ name: string; page: Page; webhookId?: string }>;
  /** A random page of `size` entries at most, from the simulator's entry builders. */
  randomPage(size: number): fc.Arbitrary<Page>;
}

const json = (path: string): Json => JSON.parse(readFileSync(path, 'utf8'));
/** As a page arrives: JSON, so a builder's undefined fields are absent. */
const asJson = (value: Json): Json => JSON.parse(JSON.stringify(value));
/** `name: value` lines, as the samples of response headers are written. */
const headerFile = (path: string): Headers =>
  Object.fromEntries(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.includes(':'))
      .map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
const page = (body: Json, headers: Headers = {}, params: Record<string, string> = {}): Page => ({ body, headers, params });

/** Entries from a seeded builder, newest first, a minute apart. */
function entries<T>(seed: number, overrides: readonly T[], build: (override: T, context: { nowMs: number; random: () => number }) => Json): Json[] {
  const random = mulberry32(seed);
  return overrides.map((override, index) => build(override, { nowMs: NOW_MS - index * 60_000, random }));
}

/**
 * Some entries broken as the invalid-entry fixtures break them: no id, no date, an unknown status,
 * not an object, a field of the wrong type.
 */
function breakSome(list: Json[], breaks: ReadonlyArray<number>, fields: { id: string; date: string; status: string; unknown: Json; wrongType: [string, Json] }): Json[] {
  return list.map((entry, index) => {
    const kind = breaks[index % breaks.length] ?? 0;
    if (kind === 0 || typeof entry !== 'object' || entry === null) return entry;
    const copy = { ...(entry as Record<string, Json>) };
    if (kind === 1) delete copy[fields.id];
    if (kind === 2) copy[fields.date] = 'yesterday';
    if (kind === 3) copy[fields.status] = fields.unknown;
    if (kind === 5) copy[fields.wrongType[0]] = fields.wrongType[1];
    return kind === 4 ? null : copy;
  });
}
/** Mostly intact entries: 0 keeps one, 1..5 break it as breakSome says. */
const breaks = fc.array(fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 5 }) }), { minLength: 1, maxLength: 6 });
/** How many entries a page holds: often a full one, so that paging goes on. */
const count = (size: number) => fc.oneof(fc.constant(size), fc.integer({ min: 0, max: size }));
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const pageNumber = fc.integer({ min: 1, max: 4 });

const CASES: Case[] = [
  {
    provider: 'salesfinity',
    webhookId: '507f1f77bcf86cd799439011',
    source: (size) => ({ provider: 'salesfinity', baseUrl: BASE, auth: { apiKey: 'sf-key', fromFile: false }, pageSize: size, maxPages: 5 }),
    auth: (source) => ({ kind: 'header', name: 'x-api-key', value: (source as { auth: { apiKey: string } }).auth.apiKey }),
    samples: () => [{ name: 'test/unit/fixtures/salesfinity-logs.json', page: page(json(join(SAMPLES, 'salesfinity-logs.json'))) }],
    randomPage: (size) =>
      fc
        .record({
          seed,
          breaks,
          page: pageNumber,
          entries: fc.array(
            fc.record({
              status: fc.constantFrom('success', 'failed'),
              event: fc.constantFrom('CALL_LOGGED', 'CONTACT_UPDATED', 'MEETING_BOOKED', 'VOICEMAIL_DROPPED'),
              // No response at all (a timeout) leaves `response` out.
              response: fc.option(fc.record({ code: fc.constantFrom(200, 201, 204, 400, 404, 500, 502, 503), body: fc.constant({ received: true }) }), { nil: undefined }),
              responseTime: fc.option(fc.integer({ min: 0, max: 30_000 }), { nil: undefined }),
            }),
            { maxLength: size },
          ),
          pages: fc.option(fc.integer({ min: -1, max: 2 }), { nil: undefined }),
        })
        .chain((drawn) => count(size).map((n) => ({ ...drawn, entries: drawn.entries.slice(0, n) })))
        .map(({ seed: s, breaks: b, page: p, entries: overrides, pages }) => {
          const data = breakSome(entries(s, overrides, (override, context) => salesfinityEntry(override, context)), b, { id: '_id', date: 'createdAt', status: 'status', unknown: 'retrying', wrongType: ['response', { code: '200' }] });
          // `pagination` as Salesfinity sends it, or left out (the full-page rule decides then).
          const pagination = pages === undefined ? undefined : { total: (p + pages) * size, page: p, limit: size, pages: p + pages };
          return page(asJson({ data, pagination }), {}, { page: String(p) });
        }),
  },
  {
    provider: 'baanx',
    webhookId: '770e8400-e29b-41d4-a716-446655440002',
    source: (size) => ({ provider: 'baanx', baseUrl: BASE, auth: { bearerToken: 'baanx-token', fromFile: false }, limit: size }),
    auth: (source) => ({ kind: 'bearer', token: (source as { auth: { bearerToken: string } }).auth.bearerToken }),
    samples: () => [{ name: 'test/unit/fixtures/baanx-logs.json', page: page(json(join(SAMPLES, 'baanx-logs.json'))) }],
    randomPage: (size) =>
      fc
        .record({
          seed,
          breaks,
          entries: fc.array(
            fc.record({
              deliveryStatus: fc.constantFrom('pending', 'processing', 'success', 'failed'),
              eventType: fc.constantFrom('kyc.status.changed', 'card.activated', 'transaction.settled'),
              attemptNumber: fc.integer({ min: 1, max: 6 }),
              responseStatus: fc.constantFrom(200, 201, 400, 404, 500, 503, null),
              durationMs: fc.option(fc.integer({ min: 0, max: 30_000 }), { nil: null }),
              errorMessage: fc.constantFrom(null, '', 'connection timeout', 'connect ECONNREFUSED https://hooks.partner.example/baanx?token=t0k', 'x'.repeat(600)),
              nextRetryAt: fc.constantFrom(null, '2026-12-02T10:05:00.000Z', '2026-12-02T11:00:00Z'),
            }),
            { maxLength: size },
          ),
        })
        .map(({ seed: s, breaks: b, entries: overrides }) => {
          const logs = breakSome(entries(s, overrides, (override, context) => baanxEntry(override, context)), b, { id: 'id', date: 'createdAt', status: 'deliveryStatus', unknown: 'queued', wrongType: ['attemptNumber', 7] });
          return page(asJson({ count: logs.length, logs }));
        }),
  },
  {
    provider: 'github',
    webhookId: 'acme/payments-api/12345678',
    source: (size) => ({ provider: 'github', baseUrl: BASE, auth: { token: 'ghp-token', fromFile: false }, pageSize: size, maxPages: 5 }),
    auth: (source) => ({ kind: 'bearer', token: (source as { auth: { token: string } }).auth.token as string }),
    samples: () => [
      {
        name: 'repo-hook-deliveries.json with link-header.txt',
        page: page(json(join(TESTDATA, 'github/repo-hook-deliveries.json')), headerFile(join(TESTDATA, 'github/link-header.txt'))),
        // The hook the sample's Link header names, so that it is followed.
        webhookId: 'octocat/Hello-World/12345678',
      },
      // One delivery as GET …/deliveries/{id} shows it: with the receiver's URL and what was sent.
      { name: 'hook-delivery.json', page: page([json(join(TESTDATA, 'github/hook-delivery.json'))]) },
    ],
    randomPage: (size) =>
      fc
        .record({
          seed,
          breaks,
          n: count(size),
          // A redirect or another 2xx now and then, beside the simulator's 503, 500, 404 and 0.
          recode: fc.array(fc.constantFrom(undefined, 201, 204, 302), { minLength: 1, maxLength: 4 }),
          detail: fc.boolean(),
          cursor: fc.option(fc.constantFrom('v1_1', 'v1_2'), { nil: undefined }),
          link: fc.constantFrom('none', 'next', 'same page', 'elsewhere', 'malformed'),
        })
        .map(({ seed: s, breaks: b, n, recode, detail, cursor, link }) => {
          const log = githubDeliveryLog({ count: n, nowMs: NOW_MS, random: mulberry32(s), failureRate: 0.4, redeliveryRate: 0.3 }).map((delivery, index) => {
            const code = recode[index % recode.length];
            const item = code === undefined ? delivery : { ...delivery, status_code: code, status: code < 300 ? 'OK' : `Invalid HTTP Response: ${code}` };
            return detail ? githubDeliveryDetail(item) : item;
          });
          const path = `${BASE}/repos/acme/payments-api/hooks/12345678/deliveries`;
          const current = `${path}?per_page=${size}${cursor === undefined ? '' : `&cursor=${cursor}`}`;
          const links: Record<typeof link, string | undefined> = {
            none: undefined,
            next: `<${path}?per_page=${size}&cursor=v1_${s}>; rel="next"`,
            'same page': `<${current}>; rel="next"`,
            elsewhere: `<https://elsewhere.example/x?cursor=1>; rel="next"`,
            malformed: `<${path}?cursor=1; rel="next"`,
          };
          const body = breakSome(log, b, { id: 'id', date: 'delivered_at', status: 'status_code', unknown: null, wrongType: ['status_code', '200'] });
          return page(asJson(body), links[link] === undefined ? {} : { link: links[link] }, cursor === undefined ? {} : { cursor });
        }),
  },
  {
    provider: 'gitlab',
    webhookId: 'project/1234/56',
    source: (size) => ({ provider: 'gitlab', baseUrl: BASE, auth: { token: 'glpat-token', fromFile: false }, pageSize: size, maxPages: 5 }),
    auth: (source) => ({ kind: 'header', name: 'PRIVATE-TOKEN', value: (source as { auth: { token: string } }).auth.token }),
    samples: () => {
      // The documented samples leave out `created_at`, which the API sends: as they are (every entry
      // invalid on both sides), and with it.
      const documented = json(join(TESTDATA, 'gitlab/project-hook-events.json')) as Json[];
      const internalError = json(join(TESTDATA, 'gitlab/hook-event-internal-error.COMPOSED.json')) as Json[];
      const dated = (list: Json[]) => list.map((entry) => ({ ...(entry as object), created_at: '2026-05-28T04:42:42-07:00' }));
      const headers = headerFile(join(TESTDATA, 'gitlab/pagination-headers.txt'));
      return [
        { name: 'project-hook-events.json as documented', page: page(documented, headers) },
        { name: 'project-hook-events.json with created_at', page: page(dated(documented), headers) },
        { name: 'hook-event-internal-error.COMPOSED.json', page: page(dated(internalError), { ...headers, 'x-next-page': '' }) },
      ];
    },
    randomPage: (size) =>
      fc
        .record({
          seed,
          breaks,
          page: pageNumber,
          entries: fc.array(
            fc.record({
              response_status: fc.constantFrom('200', '201', '204', '302', '400', '404', '500', '503', 'internal error'),
              trigger: fc.constantFrom('push_hooks', 'merge_request_hooks', 'pipeline_hooks', 'issue_hooks'),
              withUuid: fc.boolean(),
            }),
            { maxLength: size },
          ),
          // As GitLab sends it: the next page, or empty on the last; now and then one that does not move on.
          nextPage: fc.constantFrom<Array<(page: number) => string>>((p) => String(p + 1), () => '', (p) => String(p + 2), (p) => String(p), () => '0'),
          link: fc.boolean(),
        })
        .chain((drawn) => count(size).map((n) => ({ ...drawn, entries: drawn.entries.slice(0, n) })))
        .map(({ seed: s, breaks: b, page: p, entries: overrides, nextPage, link }) => {
          const built = entries(s, overrides, ({ withUuid, ...override }, context) => {
            const entry = override.response_status === 'internal error' ? gitlabInternalErrorEntry(override, context) : gitlabEntry(override, context);
            if (!withUuid) delete (entry.request_headers as Record<string, string>)['X-Gitlab-Event-UUID'];
            return entry;
          });
          const headers: Headers = { 'x-page': String(p), 'x-per-page': String(size), 'x-next-page': nextPage(p) };
          if (link) headers.link = `<${BASE}/projects/1234/hooks/56/events?page=${p + 1}&per_page=${size}>; rel="next"`;
          return page(asJson(breakSome(built, b, { id: 'id', date: 'created_at', status: 'response_status', unknown: null, wrongType: ['response_status', '000'] })), headers, { page: String(p) });
        }),
  },
  {
    provider: 'svix',
    webhookId: 'app_2Wn0ozpCBWWhyJKDDgYcTuXOSwZ/ep_2Wn1Hl9zK4Xe5WGEyLNnBvTCQ2C',
    source: (size) => ({ provider: 'svix', baseUrl: BASE, auth: { token: 'svix-token', fromFile: false }, pageSize: size, maxPages: 5 }),
    auth: (source) => ({ kind: 'bearer', token: (source as { auth: { token: string } }).auth.token }),
    samples: () => [
      { name: 'attempts-by-endpoint.json', page: page(json(join(TESTDATA, 'svix/attempts-by-endpoint.json'))) },
      { name: 'attempt-failed-item.composed.json', page: page({ data: [json(join(TESTDATA, 'svix/attempt-failed-item.composed.json'))], iterator: null, done: true }) },
    ],
    randomPage: (size) =>
      fc
        .record({
          seed,
          breaks,
          entries: fc.array(
            fc.record({
              status: fc.constantFrom(0, 1, 2, 3, 4),
              responseStatusCode: fc.constantFrom(200, 204, 400, 500, 503, 0),
              // What Svix writes into `response` with with_content=false ("{}") and without it.
              content: fc.constantFrom('withheld', 'sent'),
              triggerType: fc.constantFrom(0, 1),
              eventType: fc.constantFrom('invoice.paid', 'user.signup', 'order.shipped'),
              withMsg: fc.boolean(),
            }),
            { maxLength: size },
          ),
          done: fc.boolean(),
          iterator: fc.constantFrom('next', 'asked', 'null'),
          asked: fc.option(fc.constantFrom('atmpt_asked'), { nil: undefined }),
        })
        .chain((drawn) => count(size).map((n) => ({ ...drawn, entries: drawn.entries.slice(0, n) })))
        .map(({ seed: s, breaks: b, entries: overrides, done, iterator, asked }) => {
          const built = entries(s, overrides, ({ content, withMsg, ...override }, context) => {
            const response = content === 'withheld' ? '{}' : override.responseStatusCode === 0 ? svixConnectError() : '{"received":true}';
            const attempt: Record<string, Json> = { ...svixAttempt({ ...override, response }, context) };
            if (!withMsg) delete attempt.msg;
            return attempt;
          });
          const data = breakSome(built, b, { id: 'id', date: 'timestamp', status: 'status', unknown: 5, wrongType: ['triggerType', 1.5] });
          const last = built.at(-1) as { id?: string } | undefined;
          const next = iterator === 'null' ? null : iterator === 'asked' && asked !== undefined ? asked : (last?.id ?? 'atmpt_end');
          return page(asJson({ data, iterator: next, done, ...(last?.id === undefined ? {} : { prevIterator: `-${last.id}` }) }), {}, asked === undefined ? {} : { iterator: asked });
        }),
  },
];

// ---------------------------------------------------------------------------------------------

function descriptionInput(provider: BuiltInProvider): DescriptionInput {
  return parseYaml(readFileSync(join(DESCRIPTIONS, `${provider}.yaml`), 'utf8')) as DescriptionInput;
}

/**
 * The description with the built-in source's own settings, which its hints name: `size.value` is
 * the built-in's page size (`pageSize`, Baanx's `limit`) and `maxPages` its `maxPages`.
 */
function describedAs(input: DescriptionInput, source: AdapterSource) {
  const settings = source as unknown as Record<string, unknown>;
  const size = settings[input.hints?.pageSize ?? ''];
  const pageLimit = input.hints?.pageLimit === undefined ? undefined : settings[input.hints.pageLimit];
  expect(size, `hints.pageSize names a setting of the built-in (${input.hints?.pageSize})`).toBeTypeOf('number');
  const paging = { ...input.paging, size: { ...input.paging.size, value: size as number }, ...(pageLimit !== undefined && { maxPages: pageLimit as number }) };
  return descriptionSchema.parse({ ...input, paging });
}

interface Pair {
  builtIn: ProviderAdapter;
  described: ProviderAdapter;
}

function adaptersFor(providerCase: Case, source: AdapterSource): Pair {
  const description = describedAs(descriptionInput(providerCase.provider), source);
  return {
    builtIn: createAdapter({ ...source, traces: { includeBodies: true, maxBodyBytes: BODY_LIMIT_BYTES } }),
    described: createHttpAdapter({ baseUrl: source.baseUrl, auth: providerCase.auth(source), description, bodyLimitBytes: BODY_LIMIT_BYTES }),
  };
}

/** A request as the API sees it: where, with which query parameters (in any order) and headers. */
function requestShape(request: ProviderRequest | undefined) {
  if (request === undefined) return undefined;
  const params = [...request.url.searchParams].sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1));
  return { at: `${request.url.origin}${request.url.pathname}`, params, headers: request.headers };
}

function pageShape(parsed: ParsedPage) {
  if (!parsed.ok) return { ok: false };
  return {
    ok: true,
    attempts: parsed.attempts,
    invalid: parsed.invalid,
    entryCount: parsed.entryCount,
    withdrawn: parsed.withdrawn ?? [],
    // The texts differ (each adapter words its own); whether the read ends with one does not.
    warns: parsed.warning !== undefined,
    next: requestShape(parsed.next),
  };
}

/** The request that asked for `params` on the first request's URL. */
function asked(first: ProviderRequest, params: Record<string, string>): ProviderRequest {
  const url = new URL(first.url);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return { url, headers: first.headers };
}

/** Parses one page with both adapters and holds them to the same result; returns both. */
function expectSamePage(providerCase: Case, pair: Pair, requests: { builtIn: ProviderRequest; described: ProviderRequest }, answer: Page, what: string) {
  const parse = (adapter: ProviderAdapter, request: ProviderRequest) =>
    adapter.parsePage({ request, status: 200, headers: answer.headers, body: answer.body }, providerCase.webhookId);
  const builtIn = parse(pair.builtIn, requests.builtIn);
  const described = parse(pair.described, requests.described);
  expect(pageShape(described), what).toStrictEqual(pageShape(builtIn));
  return { builtIn, described };
}

// ---------------------------------------------------------------------------------------------

/** A golden scenario's responses, per poll, in the order the exporter asks for them. */
function scenarioPolls(dir: string): Page[][] {
  const files = readdirSync(dir).filter((file) => file.endsWith('.json') && !file.endsWith('.headers.json'));
  const polls = new Map<number, Array<{ number: number; file: string }>>();
  for (const file of files) {
    const poll = Number(/^poll-(\d+)/.exec(file)?.[1] ?? 1);
    const number = Number(/page-(\d+)\.json$/.exec(file)?.[1] ?? 1);
    polls.set(poll, [...(polls.get(poll) ?? []), { number, file }]);
  }
  return [...polls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, pages]) =>
      pages
        .sort((a, b) => a.number - b.number)
        .map(({ file }) => {
          const headersFile = join(dir, file.replace(/\.json$/, '.headers.json'));
          const headers = existsSync(headersFile)
            ? Object.fromEntries(Object.entries(json(headersFile) as Headers).map(([name, value]) => [name.toLowerCase(), value.replaceAll('${GOLDEN_BASE_URL}', BASE)]))
            : {};
          return page(json(join(dir, file)), headers);
        }),
    );
}

function scenarios(provider: BuiltInProvider): string[] {
  const root = join(TESTDATA, provider);
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

describe.each(CASES.map((providerCase) => [providerCase.provider, `${providerCase.provider}.yaml`, providerCase] as const))('%s, described in config/providers/%s', (_provider, _file, providerCase) => {
  const { provider, webhookId } = providerCase;

  it('is a valid description, and the `api` of a source with the built-in\'s webhook ids', async () => {
    const input = descriptionInput(provider);
    expect(descriptionSchema.safeParse(input).error).toBeUndefined();
    const config = JSON.stringify({ sources: [{ name: provider, provider: 'http', baseUrl: BASE, auth: { bearer: { token: 't' } }, webhooks: [webhookId], api: input }] });
    await expect(parseConfig(config, { format: 'json' })).resolves.toBeDefined();
  });

  it('makes an adapter like the built-in\'s: paging, capabilities, hints and first request', () => {
    const source = providerCase.source(7);
    const { builtIn, described } = adaptersFor(providerCase, source);
    expect(described.paging).toEqual(builtIn.paging);
    expect(described.capabilities).toEqual(builtIn.capabilities);
    // The credential hint names the keys of its kind of source (`auth.bearer.token`, `apiKey`).
    expect({ ...described.hints, credential: undefined }).toEqual({ ...builtIn.hints, credential: undefined });
    expect(requestShape(described.firstRequest(webhookId))).toEqual(requestShape(builtIn.firstRequest(webhookId)));
  });

  it.each(scenarios(provider))('the golden scenario %s, page by page, each adapter following its own next request', async (name) => {
    const dir = join(TESTDATA, provider, name);
    const config = await loadConfig(join(dir, 'config.yaml'), { GOLDEN_BASE_URL: BASE });
    const source = config.sources[0] as AdapterSource;
    const pair = adaptersFor(providerCase, source);
    const id = (source as unknown as { webhooks: string[] }).webhooks[0] as string;
    expect(id).toBe(webhookId);
    scenarioPolls(dir).forEach((pages, poll) => {
      let requests = { builtIn: pair.builtIn.firstRequest(id), described: pair.described.firstRequest(id) };
      pages.forEach((answer, index) => {
        const what = `${name}, poll ${poll + 1}, page ${index + 1}`;
        const { builtIn, described } = expectSamePage(providerCase, pair, requests, answer, what);
        if (index === pages.length - 1) return;
        const next = { builtIn: builtIn.ok ? builtIn.next : undefined, described: described.ok ? described.next : undefined };
        if (next.builtIn === undefined || next.described === undefined) throw new Error(`${what}: no next request, but the scenario has another page`);
        requests = { builtIn: next.builtIn, described: next.described };
      });
    });
  });

  it('the documented samples', () => {
    // At the provider's own address, so that a sample's Link header is followed.
    const source = { ...providerCase.source(2), baseUrl: definitionOf(provider).defaultBaseUrl } as AdapterSource;
    const pair = adaptersFor(providerCase, source);
    for (const { name, page: answer, webhookId: id = webhookId } of providerCase.samples()) {
      const requests = { builtIn: pair.builtIn.firstRequest(id), described: pair.described.firstRequest(id) };
      const { builtIn } = expectSamePage({ ...providerCase, webhookId: id }, pair, requests, answer, name);
      if (name.includes('link-header')) expect(builtIn.ok && builtIn.next?.url.searchParams.get('cursor')).toBe('v1_12345678');
    }
  });

  it(`random pages from the simulator's entry builders (${RUNS} runs)`, () => {
    const pairs = new Map<number, Pair>();
    const pairFor = (size: number): Pair => {
      let pair = pairs.get(size);
      if (pair === undefined) pairs.set(size, (pair = adaptersFor(providerCase, providerCase.source(size))));
      return pair;
    };
    const seen = { attempts: 0, invalid: 0, next: 0, withdrawn: 0 };
    const input = fc.integer({ min: 1, max: 6 }).chain((size) => providerCase.randomPage(size).map((answer) => ({ size, answer })));
    fc.assert(
      fc.property(input, ({ size, answer }) => {
        const pair = pairFor(size);
        const requests = {
          builtIn: asked(pair.builtIn.firstRequest(webhookId), answer.params),
          described: asked(pair.described.firstRequest(webhookId), answer.params),
        };
        const { builtIn } = expectSamePage(providerCase, pair, requests, answer, 'a random page');
        if (builtIn.ok) {
          seen.attempts += builtIn.attempts.length;
          seen.invalid += builtIn.invalid.length;
          seen.next += builtIn.next === undefined ? 0 : 1;
          seen.withdrawn += builtIn.withdrawn?.length ?? 0;
        }
      }),
      { numRuns: RUNS },
    );
    // Neither side of each comparison was vacuous.
    expect(seen.attempts).toBeGreaterThan(0);
    expect(seen.invalid).toBeGreaterThan(0);
    if (pairFor(1).builtIn.paging.kind === 'paged') expect(seen.next).toBeGreaterThan(0);
    if (provider === 'svix') expect(seen.withdrawn).toBeGreaterThan(0);
  });
});

it('describes every built-in provider, and nothing else', () => {
  const files = readdirSync(DESCRIPTIONS).filter((file) => file.endsWith('.yaml')).map((file) => file.replace(/\.yaml$/, ''));
  expect(files.sort()).toEqual([...BUILT_IN_PROVIDERS].sort());
  expect(CASES.map((providerCase) => providerCase.provider).sort()).toEqual([...BUILT_IN_PROVIDERS].sort());
});

describe('what the built-ins added to the language is checked at load, each problem by its path', () => {
  const problemsOf = async (api: unknown, webhooks: string[]): Promise<string[]> => {
    const config = JSON.stringify({ sources: [{ name: 'mine', provider: 'http', baseUrl: BASE, auth: { bearer: { token: 't' } }, webhooks, api }] });
    try {
      await parseConfig(config, { format: 'json' });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };
  const github = descriptionInput('github') as DescriptionInput & { fields: Record<string, unknown> };
  const svix = descriptionInput('svix') as DescriptionInput & { fields: Record<string, unknown> };
  const repoHook = ['acme/payments-api/12345678'];

  it('a status decided by the HTTP code, and an error text only without a response, need the code', async () => {
    const { httpCode: _github, ...githubWithoutCode } = github.fields;
    expect(await problemsOf({ ...github, fields: githubWithoutCode }, repoHook)).toEqual(['sources[0].api.status.fromHttpCode: needs fields.httpCode: the code it reads']);
    const { httpCode: _svix, ...svixWithoutCode } = svix.fields;
    expect(await problemsOf({ ...svix, fields: svixWithoutCode }, ['app_1/ep_1'])).toEqual([
      'sources[0].api.fields.error.when: needs fields.httpCode: without it nothing tells an attempt without a response',
    ]);
  });

  it('a re-send flag goes with `others` and without a number\'s `base` or `max`; `never` retrying goes without a retry time', async () => {
    const attempt = (value: unknown) => problemsOf({ ...github, fields: { ...github.fields, attempt: value } }, repoHook);
    expect(await attempt({ path: 'redelivery', resend: true, base: 0 })).toEqual([
      expect.stringMatching(/^sources\[0\]\.api\.fields\.attempt\.others: required with `resend`/),
      'sources[0].api.fields.attempt.base: does not go with `resend`: a re-send flag carries no number',
    ]);
    expect(await attempt({ path: 'redelivery', others: 'first' })).toEqual(['sources[0].api.fields.attempt.others: goes with `resend`, the value that marks a re-send']);
    expect(await problemsOf({ ...github, fields: { ...github.fields, nextRetryAt: 'retry_at' } }, repoHook)).toEqual([
      'sources[0].api.reports.retrySchedules: never: the API schedules no retry, so fields.nextRetryAt has nothing to say; leave it out',
    ]);
  });

  it('page counts and next-page headers are named where they are; a value is listed once, `processing` included', async () => {
    const gitlab = descriptionInput('gitlab');
    expect(await problemsOf({ ...gitlab, paging: { ...gitlab.paging, nextPageHeader: 'x next page', pageCount: { page: '$', pages: 'pages' } } }, ['project/1/2'])).toEqual([
      'sources[0].api.paging.pageCount.page: a key of the body, not `$`',
      'sources[0].api.paging.nextPageHeader: must be an HTTP header name (letters, digits, "-", …)',
    ]);
    expect(await problemsOf({ ...svix, status: { ...svix.status, processing: [3, 1] } }, ['app_1/ep_1'])).toEqual(['sources[0].api.status.processing[1]: 1 is already listed under pending']);
    expect(await problemsOf({ ...github, status: { otherwise: 'pending' } }, repoHook)).toEqual(['sources[0].api.status.otherwise: must be "failed" or "ignore"']);
  });

  it('`otherwise: ignore` leaves every unlisted value out and lets it go, as `ignore` does', () => {
    const input = descriptionInput('salesfinity');
    const description = descriptionSchema.parse({ ...input, status: { success: ['success'], failed: ['failed'], otherwise: 'ignore' } });
    const adapter = createHttpAdapter({ baseUrl: BASE, auth: { kind: 'header', name: 'x-api-key', value: 'k' }, description });
    const entry = (id: string, status: unknown) => ({ _id: id, createdAt: '2026-12-02T10:00:00Z', status });
    const parsed = adapter.parsePage({ request: adapter.firstRequest('w'), status: 200, headers: {}, body: { data: [entry('a', 'success'), entry('b', 'skipped'), entry('c', null)] } }, 'w');
    expect(parsed.ok && { attempts: parsed.attempts.map((attempt) => attempt.logId), invalid: parsed.invalid.map((invalid) => invalid.reason), withdrawn: parsed.withdrawn }).toEqual({
      attempts: ['a'],
      // Absent or null is no status at all: unreadable, not ignored.
      invalid: ['unknown_status'],
      withdrawn: ['b'],
    });
  });
});
