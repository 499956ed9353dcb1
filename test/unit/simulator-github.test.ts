// The simulated GitHub deliveries API driven directly (it is not registered with the HTTP server
// yet), the real adapter reading it page after page while deliveries arrive, and every shape it
// answers validated against GitHub's published OpenAPI schemas (test/testdata/github/openapi-schemas.json,
// written by scripts/extract-github-schemas.ts).

import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { createGithubAdapter, type GithubParsedPage } from '../../src/providers/github/adapter.js';
import { normalize } from '../../src/providers/github/normalize.js';
import type { GithubHookDeliveryItem } from '../../src/providers/github/types.js';
import type { DeliveryAttempt, ProviderAdapter, ProviderRequest } from '../../src/providers/types.js';
import { GITHUB_RATE_LIMIT_BODY, type GithubAnswerContext, SIM_GITHUB_APP_ID, SIM_GITHUB_TOKEN, createGithubApi, githubApi, simGithubAppKeys, webhookIdFromPath } from '../../src/simulator/github-api.js';
import { GITHUB_FAILURES, SIM_GITHUB_RECEIVER_URL, githubDelivery, githubDeliveryDetail, githubDeliveryLog } from '../../src/simulator/github-entries.js';
import type { ApiAnswer, ProviderApi } from '../../src/simulator/provider-api.js';
import { mulberry32 } from '../../src/simulator/random.js';
import { SIM_RECEIVER_TOKEN, SIM_SIGNATURE_PREFIX } from '../../src/simulator/secrets.js';

const testdata = (name: string): unknown => JSON.parse(readFileSync(new URL(`../testdata/github/${name}`, import.meta.url), 'utf8'));

const NOW = Date.UTC(2026, 4, 28, 12, 30, 0);
const BASE = 'http://127.0.0.1:9/github';
const REPO_HOOK = 'acme/payments-api/12345678';
const ORG_HOOK = 'acme/98765432';

/** `count` successful deliveries one minute apart ending at `endMs`, newest first, ids growing with time. */
function series(count: number, endMs = NOW, seed = 1): GithubHookDeliveryItem[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => githubDelivery({}, { nowMs: endMs - i * 60_000, random }));
}

/** What the server would do with this request: auth, then the API's answer (headers lower-cased as node gives them). */
function ask(api: ProviderApi, entries: readonly unknown[], request: ProviderRequest, nowMs = NOW, extraHeaders: Record<string, string> = {}): ApiAnswer {
  const requestHeaders = Object.fromEntries(Object.entries({ ...request.headers, ...extraHeaders }).map(([name, value]) => [name.toLowerCase(), value]));
  if (!api.isAuthorized(requestHeaders, api.defaultSecret)) return { status: 401, body: api.unauthorizedBody };
  const path = request.url.pathname.replace(/^\/github/, '');
  expect(api.webhookIdFromPath(path)).toBeDefined();
  const context: GithubAnswerContext = { url: request.url, nowMs, requestHeaders };
  return api.answer(entries, Object.fromEntries(request.url.searchParams), context);
}

const tokenAdapter = (pageSize = 100) => createGithubAdapter({ baseUrl: BASE, token: SIM_GITHUB_TOKEN, pageSize, maxPages: 100 });
const appAdapter = (now: () => number = () => NOW, pageSize = 100) =>
  createGithubAdapter({ baseUrl: BASE, app: { appId: SIM_GITHUB_APP_ID, privateKeyPem: simGithubAppKeys().privateKeyPem }, pageSize, maxPages: 100, now });
const request = (url: string, headers: Record<string, string> = { authorization: `Bearer ${SIM_GITHUB_TOKEN}` }): ProviderRequest => ({ url: new URL(url), headers });

function parse(adapter: ProviderAdapter, req: ProviderRequest, reply: ApiAnswer, webhookId: string): GithubParsedPage {
  expect(reply.status).toBe(200);
  return adapter.parsePage({ request: req, status: reply.status, headers: reply.headers ?? {}, body: reply.body }, webhookId);
}

describe('paths', () => {
  it('keeps the log newest first by delivered_at, and answers 404 as GitHub does', () => {
    expect(githubApi).toMatchObject({ idField: 'id', createdAtField: 'delivered_at', retentionMs: 3 * 86_400_000 });
    expect(githubApi.notFoundBody).toEqual({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  });

  it.each([
    ['/repos/octocat/Hello-World/hooks/12345678/deliveries', 'octocat/Hello-World/12345678'],
    ['/repos/my.org/repo_1/hooks/5/deliveries/', 'my.org/repo_1/5'],
    ['/orgs/acme/hooks/98765432/deliveries', 'acme/98765432'],
    ['/app/hook/deliveries', 'app'],
    ['/orgs/a%20b/hooks/7/deliveries', 'a b/7'],
  ])('%s names %s', (path, id) => {
    expect(webhookIdFromPath(path)).toBe(id);
  });

  it.each(['/repos/a/b/hooks/1', '/repos/a/b/hooks/1/deliveries/9', '/app/hooks/deliveries', '/orgs/a/hooks/deliveries', '/repos/a%2Fb/c/hooks/1/deliveries', '/v1/webhooks/x/logs'])(
    'does not take %s',
    (path) => {
      expect(webhookIdFromPath(path)).toBeUndefined();
    },
  );

  it('throws on a malformed escape (the server answers 400)', () => {
    expect(() => webhookIdFromPath('/orgs/%E0%A4%A/hooks/1/deliveries')).toThrow();
  });

  it.each([REPO_HOOK, ORG_HOOK, 'app', 'a b/7'])('reads back the id from the path the adapter asks for: %s', (id) => {
    expect(webhookIdFromPath(tokenAdapter().firstRequest(id).url.pathname.replace(/^\/github/, ''))).toBe(id);
  });
});

describe('auth', () => {
  it('takes its token (Bearer or token scheme) and answers 401 {message, documentation_url} otherwise', () => {
    const ok = (authorization: string) => githubApi.isAuthorized({ authorization }, SIM_GITHUB_TOKEN);
    expect([ok(`Bearer ${SIM_GITHUB_TOKEN}`), ok(`token ${SIM_GITHUB_TOKEN}`)]).toEqual([true, true]);
    expect([ok('Bearer wrong'), ok(SIM_GITHUB_TOKEN), ok('')]).toEqual([false, false, false]);
    expect(githubApi.isAuthorized({}, SIM_GITHUB_TOKEN)).toBe(false);
    expect(githubApi.unauthorizedBody).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
  });

  it('reads "app" with the App JWT the adapter signs, and only with it', () => {
    const adapter = appAdapter();
    const first = adapter.firstRequest('app');
    expect(githubApi.isAuthorized({ authorization: first.headers.authorization }, SIM_GITHUB_TOKEN)).toBe(true);
    const reply = ask(createGithubApi(), series(3), first);
    expect(reply.status).toBe(200);
    expect((reply.body as unknown[]).length).toBe(3);

    const tokenOnApp = ask(createGithubApi(), [], request(`${BASE}/app/hook/deliveries`));
    expect(tokenOnApp).toMatchObject({ status: 401, body: { message: 'A JSON web token could not be decoded' } });
    expect(ask(createGithubApi(), [], tokenAdapter().firstRequest('app')).status).toBe(401); // no credential at all
    const jwtOnRepo = ask(createGithubApi(), [], { ...tokenAdapter().firstRequest(REPO_HOOK), headers: first.headers });
    expect(jwtOnRepo).toMatchObject({ status: 403, body: { message: 'Resource not accessible by integration' } });
  });

  it('refuses an App JWT signed by another key or for another App', () => {
    const other = createGithubAdapter({ baseUrl: BASE, app: { appId: SIM_GITHUB_APP_ID + 1, privateKeyPem: simGithubAppKeys().privateKeyPem }, pageSize: 1, maxPages: 1 });
    expect(ask(createGithubApi(), [], other.firstRequest('app')).status).toBe(401);
    const [header, claims] = appAdapter().firstRequest('app').headers.authorization!.slice('Bearer '.length).split('.');
    expect(githubApi.isAuthorized({ authorization: `Bearer ${header}.${claims}.c2lnbmF0dXJl` }, SIM_GITHUB_TOKEN)).toBe(false);
  });

  it('checks the JWT times on its own clock: expired, issued in the future, too long', () => {
    const jwt = appAdapter(() => NOW).firstRequest('app');
    expect(ask(createGithubApi(), [], jwt, NOW + 8 * 60_000).status).toBe(200);
    expect(ask(createGithubApi(), [], jwt, NOW + 9 * 60_000)).toMatchObject({ status: 401, body: { message: expect.stringContaining("'exp'") } });
    expect(ask(createGithubApi(), [], jwt, NOW - 5 * 60_000)).toMatchObject({ status: 401, body: { message: expect.stringContaining("'iat'") } });
  });

  it('renews the JWT as pages go on, so a long read keeps reading', () => {
    let clock = NOW;
    const adapter = appAdapter(() => clock, 10);
    const api = createGithubApi();
    const log = series(60);
    let req: ProviderRequest | undefined = adapter.firstRequest('app');
    const seen: string[] = [];
    const tokens = new Set<string>();
    while (req !== undefined) {
      tokens.add(req.headers.authorization!);
      const reply = ask(api, log, req, clock + 2_000); // sent as soon as it is built
      clock += 4 * 60_000; // four minutes between pages: a token outlives two of them at most
      const page = parse(adapter, req, reply, 'app');
      if (!page.ok) throw new Error(page.problem);
      seen.push(...page.attempts.map((attempt) => attempt.logId));
      req = page.next;
    }
    expect(seen).toEqual(log.map((d) => String(d.id)));
    expect(tokens.size).toBe(2); // renewed once in twenty minutes
  });
});

describe('query rules', () => {
  const api = () => createGithubApi();
  const log = series(40);

  it('answers the newest 30 by default and at most per_page', () => {
    expect((ask(api(), log, request(`${BASE}/repos/acme/payments-api/hooks/12345678/deliveries`)).body as unknown[]).length).toBe(30);
    expect((ask(api(), log, request(`${BASE}/orgs/acme/hooks/98765432/deliveries?per_page=100`)).body as unknown[]).length).toBe(40);
    expect(ask(api(), log, request(`${BASE}/orgs/acme/hooks/98765432/deliveries?per_page=7`)).body).toEqual(log.slice(0, 7));
  });

  it.each(['0', '101', 'ten', '1.5', '-1', ''])('answers 422 Validation Failed for per_page=%j', (perPage) => {
    const reply = ask(api(), log, request(`${BASE}/orgs/acme/hooks/1/deliveries?per_page=${perPage}`));
    expect(reply).toMatchObject({ status: 422, body: { message: 'Validation Failed', errors: [{ field: 'per_page', code: 'invalid' }] } });
    expect(reply.headers?.['x-ratelimit-remaining']).toBeDefined();
  });

  it('filters by status as documented (success 200-399, failure 400-599) and refuses other values', () => {
    const entries = [githubDelivery({ id: 5, status_code: 200 }), githubDelivery({ id: 4, status_code: 302 }), githubDelivery({ id: 3, ...GITHUB_FAILURES.http503 }), githubDelivery({ id: 2, ...GITHUB_FAILURES.timeout })];
    const ids = (status: string) => (ask(api(), entries, request(`${BASE}/orgs/a/hooks/1/deliveries?status=${status}`)).body as GithubHookDeliveryItem[]).map((d) => d.id);
    expect(ids('success')).toEqual([5, 4]);
    expect(ids('failure')).toEqual([3]);
    expect(ask(api(), entries, request(`${BASE}/orgs/a/hooks/1/deliveries?status=failed`))).toMatchObject({ status: 422, body: { errors: [{ field: 'status' }] } });
  });

  it.each(['abc', 'v1_', 'v2_123', 'v1_hdeadbeef'])('answers 400 for cursor=%j', (cursor) => {
    expect(ask(api(), log, request(`${BASE}/orgs/a/hooks/1/deliveries?cursor=${cursor}`))).toMatchObject({ status: 400, body: { message: 'Invalid cursor' } });
  });
});

describe('paging', () => {
  it('links the next page with a cursor naming its first delivery, keeping the query as asked', () => {
    const log = series(5);
    const reply = ask(createGithubApi(), log, request(`${BASE}/repos/acme/payments-api/hooks/12345678/deliveries?per_page=2`));
    expect(reply.headers?.link).toBe(`<${BASE}/repos/acme/payments-api/hooks/12345678/deliveries?per_page=2&cursor=v1_${log[2]!.id}>; rel="next"`);
    const last = ask(createGithubApi(), log, request(`${BASE}/repos/acme/payments-api/hooks/12345678/deliveries?per_page=2&cursor=v1_${log[4]!.id}`));
    expect([last.body, last.headers?.link]).toEqual([[log[4]], undefined]);
  });

  it('starts at the next older delivery when the cursor\'s delivery has expired', () => {
    const log = series(6);
    const cursorId = log[2]!.id;
    const withoutIt = log.filter((d) => d.id !== cursorId);
    const reply = ask(createGithubApi(), withoutIt, request(`${BASE}/orgs/a/hooks/1/deliveries?per_page=2&cursor=v1_${cursorId}`));
    expect((reply.body as GithubHookDeliveryItem[]).map((d) => d.id)).toEqual([log[3]!.id, log[4]!.id]);
  });

  it.each([
    ['a repository hook', REPO_HOOK, 3],
    ['an organization hook', ORG_HOOK, 10],
    ['the App hook', 'app', 7],
  ])('the adapter reads %s page after page, each delivery once, while new ones arrive at the head', (_name, webhookId, pageSize) => {
    const adapter = webhookId === 'app' ? createGithubAdapter({ baseUrl: BASE, app: { appId: SIM_GITHUB_APP_ID, privateKeyPem: simGithubAppKeys().privateKeyPem }, pageSize, maxPages: 100, now: () => NOW }) : tokenAdapter(pageSize);
    const api = createGithubApi();
    const random = mulberry32(7);
    const log: GithubHookDeliveryItem[] = githubDeliveryLog({ count: 47, nowMs: NOW, random });
    const original = log.map((d) => String(d.id));
    const counted: DeliveryAttempt[] = [];
    let clock = NOW;
    let req: ProviderRequest | undefined = adapter.firstRequest(webhookId);
    let pages = 0;
    while (req !== undefined) {
      const page = parse(adapter, req, ask(api, log, req, clock), webhookId);
      if (!page.ok) throw new Error(page.problem);
      expect(page.warning).toBeUndefined();
      counted.push(...page.attempts);
      pages += 1;
      // Two deliveries arrive before the next page is asked for: a keyset cursor does not move.
      clock += 1_000;
      log.unshift(githubDelivery({}, { nowMs: clock, random }), githubDelivery({}, { nowMs: clock + 1, random }));
      log.sort((a, b) => b.id - a.id);
      req = page.next;
    }
    const ids = counted.map((attempt) => attempt.logId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(original);
    expect(pages).toBe(Math.ceil(47 / pageSize));
    expect(counted.filter((a) => a.attemptNumber === 2).length).toBeGreaterThan(0);
    expect(counted.filter((a) => a.status === 'failed').every((a) => a.nextRetryAtMs === null)).toBe(true);
  });
});

describe('rate limits and conditional requests', () => {
  it('sends the x-ratelimit headers on every answer and 403s with the documented body once spent', () => {
    const api = createGithubApi({ rateLimit: 3, rateLimitWindowMs: 60_000 });
    const req = tokenAdapter().firstRequest(ORG_HOOK);
    const answers = [0, 1, 2, 3].map((i) => ask(api, series(2), req, NOW + i * 1_000));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 403]);
    expect(answers.map((a) => a.headers?.['x-ratelimit-remaining'])).toEqual(['2', '1', '0', '0']);
    expect(answers.map((a) => a.headers?.['x-ratelimit-used'])).toEqual(['1', '2', '3', '3']);
    expect(answers[3]!.headers).toMatchObject({ 'x-ratelimit-limit': '3', 'x-ratelimit-reset': String((NOW + 60_000) / 1000), 'x-ratelimit-resource': 'core' });
    expect(answers[3]!.body).toEqual(testdata('error-primary-rate-limit.json'));
    expect(GITHUB_RATE_LIMIT_BODY).toEqual(testdata('error-primary-rate-limit.json'));
    const afterReset = ask(api, series(2), req, NOW + 60_000);
    expect([afterReset.status, afterReset.headers?.['x-ratelimit-remaining']]).toEqual([200, '2']);
  });

  it('answers 304 to If-None-Match with its ETag while nothing changed, without charging', () => {
    const api = createGithubApi({ rateLimit: 10 });
    const req = tokenAdapter().firstRequest(REPO_HOOK);
    const log = series(3);
    const first = ask(api, log, req);
    const etag = first.headers!.etag!;
    expect(etag).toMatch(/^W\/"[0-9a-f]{64}"$/);
    const unchanged = ask(api, log, req, NOW, { 'if-none-match': etag });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers).toMatchObject({ etag, 'x-ratelimit-remaining': '9' });
    const changed = ask(api, [githubDelivery({}, { nowMs: NOW + 1, random: mulberry32(3) }), ...log], req, NOW, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers).toMatchObject({ 'x-ratelimit-remaining': '8' });
    expect(changed.headers!.etag).not.toBe(etag);
  });
});

describe('entry builders', () => {
  it('build deterministic, newest-first logs with failures and redeliveries of earlier failures', () => {
    const log = githubDeliveryLog({ count: 200, nowMs: NOW, random: mulberry32(11) });
    expect(githubDeliveryLog({ count: 200, nowMs: NOW, random: mulberry32(11) })).toEqual(log);
    expect(log.map((d) => d.id)).toEqual([...log.map((d) => d.id)].sort((a, b) => b - a));
    expect(log[0]!.delivered_at).toBe('2026-05-28T12:30:00Z');
    const codes = new Set(log.map((d) => d.status_code));
    expect(codes).toEqual(new Set([200, 503, 500, 404, 0]));
    const redeliveries = log.filter((d) => d.redelivery);
    expect(redeliveries.length).toBeGreaterThan(5);
    for (const redelivery of redeliveries) {
      const original = log.find((d) => d.guid === redelivery.guid && !d.redelivery)!;
      expect(original.status_code === 0 || original.status_code >= 400).toBe(true);
      expect(original.id).toBeLessThan(redelivery.id);
    }
  });

  it('plant the receiver token and signature only in the single-delivery shape, which the normaliser drops', () => {
    const detail = githubDeliveryDetail(githubDelivery({ ...GITHUB_FAILURES.http503 }, { nowMs: NOW, random: mulberry32(1) }));
    expect(detail.url).toBe(SIM_GITHUB_RECEIVER_URL);
    expect(JSON.stringify(detail)).toContain(SIM_RECEIVER_TOKEN);
    expect(detail.request.headers?.['X-Hub-Signature-256']).toContain(SIM_SIGNATURE_PREFIX);
    const result = normalize(detail, REPO_HOOK);
    expect(result.ok && result.attempt.requestUrl).toBe('https://hooks.partner.example/github/events');
    for (const secret of [SIM_RECEIVER_TOKEN, SIM_SIGNATURE_PREFIX]) expect(JSON.stringify(result)).not.toContain(secret);
  });
});

describe('the published schema (GitHub OpenAPI, @octokit/openapi)', () => {
  interface Published {
    source: { package: string; version: string; path: string };
    operations: Record<string, { path: string; responses: Record<string, { schema: object | null }> }>;
    schemas: Record<string, { properties: Record<string, unknown> }>;
    examples: Record<string, { value: unknown }>;
  }
  const published = testdata('openapi-schemas.json') as Published;
  const ajv = new Ajv({ strict: false, allErrors: true }); // strict: OpenAPI's `example` is no JSON Schema keyword
  addFormats.default(ajv);
  const compile = (schema: object | null | undefined): ValidateFunction => {
    if (!schema) throw new Error('schema missing from openapi-schemas.json');
    return ajv.compile(schema);
  };
  const list = {
    [REPO_HOOK]: compile(published.operations['repos/list-webhook-deliveries']?.responses['200']?.schema),
    [ORG_HOOK]: compile(published.operations['orgs/list-webhook-deliveries']?.responses['200']?.schema),
    app: compile(published.operations['apps/list-webhook-deliveries']?.responses['200']?.schema),
  };
  const badRequest = compile(published.operations['repos/list-webhook-deliveries']?.responses['400']?.schema);
  const validationFailed = compile(published.operations['repos/list-webhook-deliveries']?.responses['422']?.schema);
  const basicError = compile(published.schemas['basic-error']);
  const singleDelivery = compile(published.schemas['hook-delivery']);
  const itemFields = Object.keys(published.schemas['hook-delivery-item']!.properties);

  function expectValid(validate: ValidateFunction, body: unknown): void {
    const valid = validate(body);
    expect(validate.errors ?? [], JSON.stringify(body).slice(0, 300)).toEqual([]);
    expect(valid).toBe(true);
  }

  it('comes from a pinned package version and path', () => {
    expect(published.source).toMatchObject({ package: '@octokit/openapi', path: 'generated/api.github.com.json' });
    expect(published.source.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('accepts the documented samples; the spec example is oldest first, the API newest first', () => {
    const sample = testdata('repo-hook-deliveries.json') as GithubHookDeliveryItem[];
    for (const validate of Object.values(list)) expectValid(validate, sample);
    expect(published.examples['hook-delivery-items']!.value).toEqual(sample);
    expect(Date.parse(sample[0]!.delivered_at)).toBeLessThan(Date.parse(sample[1]!.delivered_at));
    expectValid(singleDelivery, testdata('hook-delivery.json'));
    expectValid(basicError, testdata('error-primary-rate-limit.json'));
  });

  it('accepts every 200 page the simulator answers, for each endpoint, with only documented fields', () => {
    const log = githubDeliveryLog({ count: 120, nowMs: NOW, random: mulberry32(5) });
    for (const [webhookId, validate] of Object.entries(list)) {
      const adapter = webhookId === 'app' ? appAdapter() : tokenAdapter(25);
      const api = createGithubApi();
      let req: ProviderRequest | undefined = adapter.firstRequest(webhookId);
      let pages = 0;
      while (req !== undefined) {
        const reply = ask(api, log, req);
        expectValid(validate, reply.body);
        for (const item of reply.body as object[]) expect(itemFields).toEqual(expect.arrayContaining(Object.keys(item)));
        const page = parse(adapter, req, reply, webhookId);
        req = page.ok ? page.next : undefined;
        pages += 1;
      }
      expect(pages).toBe(webhookId === 'app' ? 2 : 5);
      expectValid(validate, ask(createGithubApi(), [], adapter.firstRequest(webhookId)).body); // an empty log
    }
    for (const failure of Object.values(GITHUB_FAILURES)) expectValid(list.app, [githubDelivery({ ...failure, redelivery: true, action: null, installation_id: 9 })]);
  });

  it('accepts the single-delivery shape of the builder', () => {
    for (const failure of [{}, GITHUB_FAILURES.timeout, GITHUB_FAILURES.http404]) expectValid(singleDelivery, githubDeliveryDetail(githubDelivery(failure)));
  });

  it('accepts every error body the simulator answers', () => {
    const api = createGithubApi({ rateLimit: 1 });
    expectValid(basicError, api.unauthorizedBody);
    expectValid(basicError, api.notFoundBody);
    expectValid(basicError, ask(createGithubApi(), [], request(`${BASE}/app/hook/deliveries`)).body); // token on app: 401
    expectValid(basicError, ask(createGithubApi(), [], { ...tokenAdapter().firstRequest(REPO_HOOK), headers: appAdapter().firstRequest('app').headers }).body); // JWT on a repository: 403
    expectValid(basicError, ask(createGithubApi(), [], appAdapter().firstRequest('app'), NOW + 3_600_000).body); // expired JWT: 401
    ask(api, [], tokenAdapter().firstRequest(ORG_HOOK));
    const spent = ask(api, [], tokenAdapter().firstRequest(ORG_HOOK));
    expect(spent.status).toBe(403);
    expectValid(basicError, spent.body);
    expectValid(badRequest, ask(createGithubApi(), [], request(`${BASE}/orgs/a/hooks/1/deliveries?cursor=x`)).body);
    expectValid(validationFailed, ask(createGithubApi(), [], request(`${BASE}/orgs/a/hooks/1/deliveries?per_page=500`)).body);
  });

  it('rejects the wrong-shape body the fault sends, so the validator does check', () => {
    expect(list[REPO_HOOK](githubApi.wrongShapeBody)).toBe(false);
    expect(list[REPO_HOOK]([{ ...githubDelivery(), id: '1' }])).toBe(false);
    expect(list[REPO_HOOK]([{ ...githubDelivery(), delivered_at: 'yesterday' }])).toBe(false);
  });
});
