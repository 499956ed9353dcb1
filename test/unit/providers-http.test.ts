// The declarative provider (`provider: http`): a description compiled into accessors, each paging
// kind's next request, and every problem of a description named by its path at load.

import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { createHttpAdapter, requestUrl, type HttpAuth } from '../../src/providers/http/adapter.js';
import { compilePath } from '../../src/providers/http/compile.js';
import { descriptionSchema, type DescriptionInput } from '../../src/providers/http/description.js';
import { httpApiJsonSchema } from '../../src/providers/http/json-schema.js';
import type { ParsedPage, ProviderAdapter } from '../../src/providers/types.js';

const BASE = 'https://api.example.com/v1';
const AUTH: HttpAuth = { kind: 'bearer', token: 'tok-SECRET' };

function describeApi(overrides: Partial<DescriptionInput> = {}): DescriptionInput {
  return {
    request: { path: '/apps/{0}/attempts' },
    records: 'data',
    paging: { kind: 'page', pageParam: 'page', size: { param: 'per_page', value: 2 } },
    fields: { id: 'id', createdAt: 'created_at', status: 'state', eventId: 'event.id', eventType: 'event.type' },
    status: { success: ['ok', 200, true], failed: ['failed', false], pending: ['queued'], ignore: ['canceled'] },
    ...overrides,
  };
}

function adapterFor(input: DescriptionInput, auth: HttpAuth = AUTH): ProviderAdapter {
  return createHttpAdapter({ baseUrl: BASE, auth, description: descriptionSchema.parse(input) });
}

function page(adapter: ProviderAdapter, body: unknown, url = adapter.firstRequest('app_1').url, headers: Record<string, string> = {}): Extract<ParsedPage, { ok: true }> {
  const parsed = adapter.parsePage({ request: { url, headers: {} }, status: 200, headers, body }, 'app_1');
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed;
}

const entry = (id: string | number, state: unknown, extra: Record<string, unknown> = {}) => ({ id, created_at: '2026-12-02T04:18:36Z', state, event: { id: `evt_${id}`, type: 'order.paid' }, ...extra });

describe('compilePath', () => {
  it('walks keys and array indexes, and gives undefined for anything missing', () => {
    const value = { a: { b: [{ c: 1 }, { c: 2 }] }, 'x-y': 3 };
    expect(compilePath('$')(value)).toBe(value);
    expect(compilePath('a.b.1.c')(value)).toBe(2);
    expect(compilePath('x-y')(value)).toBe(3);
    expect(compilePath('a.missing.c')(value)).toBeUndefined();
    expect(compilePath('a.b.c')(value)).toBeUndefined(); // "c" is no index of an array
    expect(compilePath('constructor')({})).toBeUndefined(); // own keys only
  });
});

describe('the request', () => {
  it('puts the webhook id\'s parts into the path, URL-encoded, under the base URL\'s path, with the static query and the page size', () => {
    const adapter = adapterFor(describeApi({ request: { path: '/apps/{0}/endpoints/{1}/attempts?kind=all', query: { with: 'msg' }, headers: { 'X-Api-Version': '2' } } }));
    const first = adapter.firstRequest('app 1/ep_2');
    expect(first.url.href).toBe('https://api.example.com/v1/apps/app%201/endpoints/ep_2/attempts?kind=all&with=msg&per_page=2&page=1');
    expect(first.headers).toMatchObject({ authorization: 'Bearer tok-SECRET', 'x-api-version': '2', accept: 'application/json' });
    expect(requestUrl('https://h.example/prefix/', '/a/{0}', 'x', {}).href).toBe('https://h.example/prefix/a/x');
  });

  it('sends each kind of credential its own way', () => {
    const headersFor = (auth: HttpAuth) => adapterFor(describeApi(), auth).firstRequest('app_1');
    expect(headersFor({ kind: 'basic', username: 'u', password: 'p' }).headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(headersFor({ kind: 'header', name: 'X-Api-Key', value: 'k' }).headers['x-api-key']).toBe('k');
    const query = headersFor({ kind: 'query', name: 'api_key', value: 'k' });
    expect(query.url.searchParams.get('api_key')).toBe('k');
    expect(query.headers.authorization).toBeUndefined();
  });
});

describe('entries', () => {
  it('maps every field through its accessor and transform', () => {
    const adapter = adapterFor(
      describeApi({
        fields: {
          id: 'id',
          createdAt: { path: 'at', format: 'epoch-ms' },
          status: 'state',
          eventId: 'event.id',
          eventType: 'event.type',
          attempt: { path: 'retries', base: 0 },
          httpCode: { path: 'response.status', from: 'leading-number' },
          duration: { path: 'response.took', unit: 'ms' },
          nextRetryAt: { path: 'retry_at', format: 'epoch-s' },
          error: 'response.error',
        },
        reports: { attemptNumbers: true, retrySchedules: true, eventIds: true },
      }),
    );
    const { attempts } = page(adapter, {
      data: [
        { id: 17, at: 1_764_649_116_000, state: 'failed', event: { id: 'e1', type: 'order.paid' }, retries: 2, response: { status: '503 Service Unavailable', took: 250, error: 'see https://r.example/hook?token=SECRET' }, retry_at: null },
      ],
    });
    expect(attempts).toEqual([
      {
        logId: '17',
        webhookId: 'app_1',
        eventType: 'order.paid',
        eventId: 'e1',
        status: 'failed',
        httpStatusCode: 503,
        durationSeconds: 0.25,
        createdAtMs: 1_764_649_116_000,
        attemptNumber: 3,
        nextRetryAtMs: null,
        requestUrl: undefined,
        errorMessage: 'see https://r.example/hook',
      },
    ]);
  });

  it('reads the receiver URL without its query, and the bodies only for a source that opted in, asking for them as described', () => {
    const api = descriptionSchema.parse(
      describeApi({
        request: { path: '/apps/{0}/attempts', query: { with_content: 'false' }, queryWithBodies: { with_content: 'true' } },
        fields: { id: 'id', createdAt: 'created_at', status: 'state', requestUrl: 'endpoint.url', requestBody: 'payload', responseBody: 'response.body' },
      }),
    );
    const row = entry('a1', 'ok', { endpoint: { url: 'https://receiver.example/hook?token=SECRET' }, payload: { order: 42 }, response: { body: 'x'.repeat(40) } });
    const plain = createHttpAdapter({ baseUrl: BASE, auth: AUTH, description: api });
    expect(plain.firstRequest('app_1').url.searchParams.get('with_content')).toBe('false');
    expect(page(plain, { data: [row, entry('a2', 'ok', { response: { body: '' } })] }).attempts.map(({ requestUrl, requestBody, responseBody }) => ({ requestUrl, requestBody, responseBody }))).toEqual([
      { requestUrl: 'https://receiver.example/hook', requestBody: undefined, responseBody: undefined },
      { requestUrl: undefined, requestBody: undefined, responseBody: undefined },
    ]);
    const withBodies = createHttpAdapter({ baseUrl: BASE, auth: AUTH, description: api, bodyLimitBytes: 16 });
    expect(withBodies.firstRequest('app_1').url.searchParams.get('with_content')).toBe('true');
    const [captured, empty] = page(withBodies, { data: [row, entry('a2', 'ok', { response: { body: '' } })] }).attempts;
    expect(captured).toMatchObject({ requestUrl: 'https://receiver.example/hook', requestBody: '{"order":42}', responseBody: `${'x'.repeat(16)}…` });
    expect(empty).toMatchObject({ requestBody: undefined, responseBody: undefined }); // an empty text is no body
    // A receiver URL that is not text makes the entry unreadable, as any field of the wrong type does.
    expect(page(plain, { data: [entry('a3', 'ok', { endpoint: { url: 7 } })] }).invalid).toEqual([{ reason: 'wrong_type', key: expect.any(String) }]);
  });

  it('tells status values of each type apart, counts ignored rows as entries and lets them go, and skips what it cannot map by reason', () => {
    const adapter = adapterFor(describeApi({ paging: { kind: 'newest-n', size: { value: 10 } } }));
    const parsed = page(adapter, {
      data: [entry(1, 'ok'), entry(2, 200), entry(3, true), entry(4, '200'), entry(5, 'queued'), entry(6, 'canceled'), entry(7, false), { id: 8 }, 'x', entry(9, 'ok', { created_at: 'yesterday' })],
    });
    expect(parsed.attempts.map((attempt) => [attempt.logId, attempt.status])).toEqual([
      ['1', 'success'],
      ['2', 'success'],
      ['3', 'success'],
      ['5', 'pending'],
      ['7', 'failed'],
    ]);
    expect(parsed.invalid.map((invalid) => invalid.reason)).toEqual(['unknown_status', 'invalid_date', 'not_an_object', 'invalid_date']);
    expect(parsed.withdrawn).toEqual(['6']);
    expect(parsed.entryCount).toBe(10);
  });

  it('leaves attempt numbers and retry schedules out unless the description says the API reports them', () => {
    const adapter = adapterFor(describeApi({ fields: { id: 'id', createdAt: 'created_at', status: 'state', attempt: 'n', nextRetryAt: 'retry_at' } }));
    const [attempt] = page(adapter, { data: [entry(1, 'failed', { n: 3, retry_at: null })] }).attempts;
    expect(attempt).toMatchObject({ attemptNumber: undefined, nextRetryAtMs: undefined, eventType: 'unknown', eventId: undefined });
    expect(adapter.capabilities).toEqual({ retries: false, eventIds: false, unfinishedStates: true });
  });

  it('refuses a body without its records', () => {
    const adapter = adapterFor(describeApi());
    expect(adapter.parsePage({ request: adapter.firstRequest('app_1'), status: 200, headers: {}, body: { items: [] } }, 'app_1')).toEqual({ ok: false, problem: '`data` is not an array in the body' });
  });
});

describe('paging', () => {
  it('page: the next page number while pages come back full', () => {
    const adapter = adapterFor(describeApi());
    const full = page(adapter, { data: [entry(2, 'ok'), entry(1, 'ok')] });
    expect(full.next?.url.searchParams.get('page')).toBe('2');
    expect(page(adapter, { data: [entry(1, 'ok')] }).next).toBeUndefined();
    expect(adapter.paging).toEqual({ kind: 'paged', pageSize: 2, maxPages: 10 });
  });

  it('cursor-body: the cursor sent back until it is absent or the done flag says so; a repeated cursor ends the read with a warning', () => {
    const adapter = adapterFor(describeApi({ paging: { kind: 'cursor-body', cursorParam: 'after', next: 'pagination.next', done: 'pagination.done', size: { param: 'limit', value: 2 } } }));
    const first = page(adapter, { data: [entry(2, 'ok')], pagination: { next: 'c2', done: false } });
    expect(first.next?.url.searchParams.get('after')).toBe('c2');
    expect(page(adapter, { data: [], pagination: { next: 'c3', done: true } }).next).toBeUndefined();
    expect(page(adapter, { data: [], pagination: { next: null } }).next).toBeUndefined();
    const repeated = page(adapter, { data: [entry(1, 'ok')], pagination: { next: 'c2' } }, first.next?.url);
    expect(repeated.next).toBeUndefined();
    expect(repeated.warning).toContain('cursor it was asked for');
  });

  it('link-header: rel="next" on the configured origin only', () => {
    const adapter = adapterFor(describeApi({ paging: { kind: 'link-header', size: { param: 'limit', value: 2 } } }));
    const next = page(adapter, { data: [] }, undefined, { link: '<https://api.example.com/v1/apps/app_1/attempts?cursor=abc>; rel="next"' });
    expect(next.next?.url.href).toBe('https://api.example.com/v1/apps/app_1/attempts?cursor=abc');
    const elsewhere = page(adapter, { data: [] }, undefined, { link: '<https://evil.example/steal>; rel="next"' });
    expect(elsewhere.next).toBeUndefined();
    expect(elsewhere.warning).toContain('another origin');
  });

  it('after-id: the last id of a full page, and never the same one twice', () => {
    const adapter = adapterFor(describeApi({ paging: { kind: 'after-id', param: 'before_id', size: { param: 'limit', value: 2 } } }));
    const first = page(adapter, { data: [entry(9, 'ok'), entry(8, 'ok')] });
    expect(first.next?.url.searchParams.get('before_id')).toBe('8');
    expect(page(adapter, { data: [entry(8, 'ok')] }).next).toBeUndefined();
    expect(page(adapter, { data: [entry(9, 'ok'), entry(8, 'ok')] }, first.next?.url).warning).toContain('would not move on');
  });

  it('newest-n: one request, and the hint names the setting to raise', () => {
    const adapter = adapterFor(describeApi({ paging: { kind: 'newest-n', size: { param: 'limit', value: 50 } } }));
    expect(adapter.paging).toEqual({ kind: 'newest-n', windowSize: 50 });
    expect(page(adapter, { data: [entry(1, 'ok')] }).next).toBeUndefined();
    expect(adapter.hints).toEqual({ credential: 'auth.bearer.token (or tokenFile)', pageSize: { setting: 'api.paging.size.value', max: 10_000 } });
  });
});

describe('a description in the config', () => {
  const source = (api: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ sources: [{ name: 'mine', provider: 'http', baseUrl: BASE, auth: { bearer: { token: 't' } }, webhooks: ['app_1'], api, ...extra }] });
  const problemsOf = async (text: string): Promise<string[]> => {
    try {
      await parseConfig(text, { format: 'json' });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  it('loads, with the defaults filled in', async () => {
    const config = await parseConfig(source(describeApi()), { format: 'json' });
    expect(config.sources[0]).toMatchObject({ provider: 'http', auth: { kind: 'bearer', token: 't', fromFile: false }, api: { paging: { maxPages: 10, firstPage: 1 }, reports: { attemptNumbers: false } } });
  });

  it('names every problem by its path: a bad path, a paging kind without its cursor, no final status, an unknown transform, a report without its field', async () => {
    const problems = await problemsOf(
      source({
        ...describeApi(),
        records: 'data..items',
        paging: { kind: 'cursor-body', cursorParam: 'after', size: { value: 2 } },
        fields: { id: 'id', createdAt: { path: 'at', format: 'rfc2822' }, status: 'state' },
        status: { pending: ['queued'] },
        reports: { eventIds: true },
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^sources\[0\]\.api\.records: not a path/),
      'sources[0].api.paging.next: required',
      expect.stringMatching(/^sources\[0\]\.api\.fields\.createdAt/),
      expect.stringMatching(/^sources\[0\]\.api\.status: no final value/),
    ]);
    expect(await problemsOf(source({ ...describeApi(), reports: { eventIds: true }, fields: { id: 'id', createdAt: 'at', status: 's' } }))).toEqual([
      'sources[0].api.reports.eventIds: needs fields.eventId: without it the entries cannot tell',
    ]);
  });

  it('refuses traces.includeBodies for a description that names no body', async () => {
    expect(await problemsOf(source(describeApi(), { traces: { includeBodies: true } }))).toEqual([
      'sources[0].traces.includeBodies: the description names no body to show: add api.fields.requestBody or api.fields.responseBody',
    ]);
    const withBody = { ...describeApi(), fields: { ...describeApi().fields, responseBody: 'response' } };
    expect(await problemsOf(source(withBody, { traces: { includeBodies: true } }))).toEqual([]);
  });

  it('checks the webhook ids against the placeholders of the path, and the credential', async () => {
    const twoParts = { ...describeApi(), request: { path: '/apps/{0}/endpoints/{1}' } };
    expect(await problemsOf(source(twoParts))).toEqual(['sources[0].webhooks[0]: must have 2 parts joined by "/" ({0}/{1}…), as api.request.path uses them']);
    expect(await problemsOf(source({ ...describeApi(), request: { path: '/apps/{1}' } }))).toEqual([
      'sources[0].api.request.path: {0} is missing: use {0}, {1}, … in order',
      expect.stringMatching(/^sources\[0\]\.webhooks\[0\]: must have 2 parts/),
    ]);
    expect(await problemsOf(source(describeApi(), { auth: { bearer: { token: 't' }, header: { name: 'X-Key', value: 'v' } } }))).toEqual([
      'sources[0].auth: use one of bearer, basic, header or query, not several',
    ]);
    expect(await problemsOf(source(describeApi(), { baseUrl: undefined }))).toEqual([expect.stringMatching(/^sources\[0\]\.baseUrl: /)]);
  });
});

describe('the JSON Schema of the language', () => {
  it('is the committed config/http-api.schema.json (npm run generate:schema), and editors can validate with it', async () => {
    const committed = JSON.parse(await readFile(new URL('../../config/http-api.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    expect(committed).toEqual(httpApiJsonSchema());
    const validate = new Ajv({ strict: false }).compile(committed);
    expect(validate(describeApi()), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...describeApi(), paging: { kind: 'offset', size: { value: 2 } } })).toBe(false);
    expect(validate({ ...describeApi(), fields: { id: 'id', createdAt: 'at', status: 's', colour: 'c' } })).toBe(false);
    expect(validate({ ...describeApi(), records: 'data..items' })).toBe(false);
  });
});

describe('what the review found', () => {
  it('keeps a query-parameter credential on a followed Link', () => {
    const adapter = adapterFor(describeApi({ paging: { kind: 'link-header', size: { param: 'limit', value: 2 } } }), { kind: 'query', name: 'api_key', value: 'k' });
    const next = page(adapter, { data: [] }, undefined, { link: '<https://api.example.com/v1/apps/app_1/attempts?cursor=abc>; rel="next"' });
    expect(next.next?.url.searchParams.get('api_key')).toBe('k');
    expect(next.next?.url.searchParams.get('cursor')).toBe('abc');
  });

  it('refuses webhook ids the path cannot tell apart', async () => {
    const config = (path: string, webhooks: string[]) =>
      JSON.stringify({ sources: [{ name: 'mine', provider: 'http', baseUrl: BASE, auth: { bearer: { token: 't' } }, webhooks, api: { ...describeApi(), request: { path } } }] });
    await expect(parseConfig(config('/apps/{0}', ['a/b']), { format: 'json' })).rejects.toMatchObject({
      problems: ['sources[0].webhooks[0]: must not contain "/": api.request.path uses one part of the webhook id ({0})'],
    });
    await expect(parseConfig(config('/attempts', ['one', 'two']), { format: 'json' })).rejects.toMatchObject({
      problems: [expect.stringMatching(/^sources\[0\]\.webhooks: api\.request\.path uses no part of the webhook id/)],
    });
    await expect(parseConfig(config('/attempts', ['project']), { format: 'json' })).resolves.toBeDefined();
  });
});
