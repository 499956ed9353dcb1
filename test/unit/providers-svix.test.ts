// The Svix adapter and normaliser: the documented samples field by field (the mapping onto the
// delivery metrics), every invalid reason, the requests, the iterator paging, wrong-shaped bodies
// and webhook strings.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answer } from './helpers/adapter.js';
import { attemptsByEndpointUrl, createSvixAdapter, svixWebhookProblem } from '../../src/providers/svix/adapter.js';
import { svix, type SvixSource } from '../../src/providers/svix/definition.js';
import { ERROR_TEXT_MAX_BYTES, isCanceledAttempt, normalize } from '../../src/providers/svix/normalize.js';
import { parseIsoTimestamp } from '../../src/providers/timestamp.js';
import type { InvalidReason, ParsedPage, ProviderRequest } from '../../src/providers/types.js';

const testdata = (name: string): any => JSON.parse(readFileSync(new URL(`../testdata/svix/${name}`, import.meta.url), 'utf8'));
const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const APP = 'app_2Wn0ozpCBWWhyJKDDgYcTuXOSwZ';
const EP = 'ep_2Wn1Hl9zK4Xe5WGEyLNnBvTCQ2C';
const WEBHOOK = `${APP}/${EP}`;
const BASE = 'https://api.svix.com';
const QUERY = 'limit=250&with_msg=true&expanded_statuses=true&with_content=false';

const adapter = createSvixAdapter({ baseUrl: BASE, token: 'svix-token-123', pageSize: 250, maxPages: 10 });

function okPage(page: ParsedPage): Extract<ParsedPage, { ok: true }> {
  if (!page.ok) throw new Error(`expected a parsed page, got problem: ${page.problem}`);
  return page;
}

/** A well-formed attempt; tests override what they look at. */
const valid = {
  id: 'atmpt_2Wn1Hl9zK4Xe5WGEyLNnBvTCQ2C',
  msgId: 'msg_2Wn1Hl9zK4Xe5WGEyLNnBvTCQ2C',
  endpointId: EP,
  url: 'https://hooks.example.com/svix',
  response: '{}',
  responseStatusCode: 503,
  responseDurationMs: 87,
  status: 2,
  statusText: 'fail',
  triggerType: 0,
  timestamp: '2025-02-22T16:07:35.514412223Z',
  msg: { id: 'msg_2Wn1Hl9zK4Xe5WGEyLNnBvTCQ2C', eventType: 'invoice.paid', payload: {}, timestamp: '2025-02-22T16:07:35.000000001Z' },
};

const normalized = (entry: unknown) => {
  const result = normalize(entry, WEBHOOK);
  if (!result.ok) throw new Error(`expected an attempt, got ${result.reason}`);
  return result.attempt;
};

describe('Svix normaliser on the documented samples', () => {
  it('maps the list sample field by field', () => {
    const page = okPage(answer(adapter, testdata('attempts-by-endpoint.json'), WEBHOOK));
    expect(page.entryCount).toBe(1);
    expect(page.invalid).toEqual([]);
    expect(page.next).toBeUndefined(); // done: true, whatever the iterator says
    expect(page.attempts).toEqual([
      {
        logId: 'atmpt_1srOrx2ZWZBpBUvZwXKQmoEYga2', // id
        webhookId: WEBHOOK,
        eventType: 'user.signup', // msg.eventType
        eventId: 'msg_1srOrx2ZWZBpBUvZwXKQmoEYga2', // msgId
        status: 'success', // status 0
        httpStatusCode: 200, // responseStatusCode
        durationSeconds: 0, // responseDurationMs 0
        createdAtMs: Date.UTC(2025, 1, 22, 16, 7, 35, 514), // timestamp, nanoseconds cut to milliseconds
        attemptNumber: undefined, // triggerType 0: scheduled
        nextRetryAtMs: undefined, // Svix reports no retry schedule
        requestUrl: 'https://example.com/webhook/',
        errorMessage: undefined, // there was a response
      },
    ]);
  });

  it('maps the failed item: status 2 is failed, no msg means event type "unknown"', () => {
    expect(normalized(testdata('attempt-failed-item.composed.json'))).toEqual({
      logId: 'atmpt_33ZHzkmDazsPr4mDUsdzXJrGQ1f',
      webhookId: WEBHOOK,
      eventType: 'unknown',
      eventId: 'msg_1srOrx2ZWZBpBUvZwXKQmoEYga2',
      status: 'failed',
      httpStatusCode: 500,
      durationSeconds: 0,
      createdAtMs: Date.UTC(2025, 1, 22, 16, 7, 35, 514),
      attemptNumber: undefined,
      nextRetryAtMs: undefined,
      requestUrl: 'https://example.com/webhook/',
      errorMessage: undefined,
    });
  });

  it('reads nanosecond timestamps to the millisecond, cutting rather than rounding', () => {
    expect(parseIsoTimestamp('2025-02-22T16:07:35.514412223Z')).toBe(Date.UTC(2025, 1, 22, 16, 7, 35, 514));
    expect(parseIsoTimestamp('2025-02-22T16:07:35.999999999Z')).toBe(Date.UTC(2025, 1, 22, 16, 7, 35, 999));
    expect(parseIsoTimestamp('2025-02-22T16:07:35.5Z')).toBe(Date.UTC(2025, 1, 22, 16, 7, 35, 500));
    expect(normalized({ ...valid, timestamp: '2025-02-22T17:07:35.000000001+01:00' }).createdAtMs).toBe(Date.UTC(2025, 1, 22, 16, 7, 35));
  });
});

describe('Svix statuses', () => {
  it.each([
    [0, 'success'],
    [2, 'failed'],
    [1, 'pending'], // unfinished: held, counted when it finishes
    [3, 'processing'], // "sending": unfinished too
  ])('status %i is %s', (status, expected) => {
    expect(normalized({ ...valid, status }).status).toBe(expected);
  });

  it('follows status, not statusText or the HTTP code (Svix counts only 2xx as success)', () => {
    expect(normalized({ ...valid, status: 2, statusText: 'success', responseStatusCode: 302 })).toMatchObject({ status: 'failed', httpStatusCode: 302 });
  });

  it('leaves canceled attempts (status 4) out of attempts and invalid alike, but counts them as entries of the page', () => {
    const canceled = { ...valid, id: 'atmpt_2Wn1Hl9zK4Xe5WGEyLNnBvTCQ2A', status: 4, statusText: 'canceled', responseStatusCode: 0 };
    const page = okPage(answer(adapter, { data: [valid, canceled, { status: 4 }], iterator: canceled.id, done: false }, WEBHOOK));
    expect(page.attempts.map((a) => a.logId)).toEqual([valid.id]);
    expect(page.invalid).toEqual([]);
    expect(page.entryCount).toBe(3);
    expect(page.next).toBeDefined();
  });

  it('keeps reading past a page of only canceled attempts', () => {
    const canceled = { ...valid, status: 4, statusText: 'canceled' };
    const page = okPage(answer(adapter, { data: [canceled], iterator: canceled.id, done: false }, WEBHOOK));
    expect(page.attempts).toEqual([]);
    expect(page.entryCount).toBe(1); // an empty page would end the read
    expect(page.next?.url.searchParams.get('iterator')).toBe(canceled.id);
  });

  it('tells canceled attempts only by status 4', () => {
    expect([{ status: 4 }, { ...valid, status: 4 }].every(isCanceledAttempt)).toBe(true);
    expect([valid, { status: '4' }, { statusText: 'canceled' }, null, 4].some(isCanceledAttempt)).toBe(false);
    // Given one anyway, the normaliser has no delivery status for it.
    expect(normalize({ ...valid, status: 4 }, WEBHOOK)).toEqual({ ok: false, reason: 'unknown_status' });
  });
});

describe('Svix fields', () => {
  it('reads responseStatusCode 0 as no HTTP status, and takes the error text from response', () => {
    const attempt = normalized({ ...valid, responseStatusCode: 0, response: 'error trying to connect: Connection refused (os error 111)' });
    expect(attempt.httpStatusCode).toBeUndefined();
    expect(attempt.errorMessage).toBe('error trying to connect: Connection refused (os error 111)');
  });

  it('has no error text when there was a response, or when the API withheld the content ("{}")', () => {
    expect(normalized({ ...valid, responseStatusCode: 500, response: 'Internal error' }).errorMessage).toBeUndefined();
    for (const response of ['{}', ' {} ', '', '   ', undefined, null]) {
      expect(normalized({ ...valid, responseStatusCode: 0, response }).errorMessage).toBeUndefined();
    }
  });

  it('strips query strings and credentials from URLs in the error text and cuts it short', () => {
    const secretUrl = 'https://user:hunter2@hooks.example.com/in?token=s3cr3t#frag';
    const attempt = normalized({ ...valid, responseStatusCode: 0, url: secretUrl, response: `error sending request for url (${secretUrl}): timed out` });
    expect(attempt.errorMessage).toBe('error sending request for url (https://hooks.example.com/in): timed out');
    expect(attempt.requestUrl).toBe('https://hooks.example.com/in');
    expect(JSON.stringify(attempt)).not.toMatch(/hunter2|s3cr3t|frag/);

    const long = normalized({ ...valid, responseStatusCode: 0, response: `é${'x'.repeat(1000)}` }).errorMessage!;
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(ERROR_TEXT_MAX_BYTES + Buffer.byteLength('…'));
    expect(long.startsWith('éxxx')).toBe(true);
  });

  it('never copies the receiver body or the payload into the record', () => {
    const attempt = normalized({ ...valid, response: 'response-secret', msg: { ...valid.msg, payload: { ssn: 'payload-secret' } } });
    expect(JSON.stringify(attempt)).not.toMatch(/response-secret|payload-secret/);
  });

  it('reads triggerType 1 (manual) as a re-send, anything else as not one', () => {
    expect(normalized({ ...valid, triggerType: 1 }).attemptNumber).toBe(2); // above 1: counted in the retries metric
    for (const triggerType of [0, 7, undefined, null]) expect(normalized({ ...valid, triggerType }).attemptNumber).toBeUndefined();
  });

  it('leaves the event type "unknown" and the event id undefined when Svix gives none', () => {
    for (const msg of [undefined, null, {}, { eventType: '' }, { eventType: 3 }]) {
      expect(normalized({ ...valid, msg }).eventType).toBe('unknown');
    }
    for (const msgId of [undefined, null, '']) expect(normalized({ ...valid, msgId }).eventId).toBeUndefined();
  });

  it('keeps the entry when its URL does not parse, without the URL', () => {
    expect(normalized({ ...valid, url: 'not a url' }).requestUrl).toBeUndefined();
  });

  const badEntries: Array<[string, unknown, InvalidReason]> = [
    ['null', null, 'not_an_object'],
    ['a string', 'atmpt_x', 'not_an_object'],
    ['an array', [valid], 'not_an_object'],
    ['no id', { ...valid, id: undefined }, 'missing_id'],
    ['an empty id', { ...valid, id: '' }, 'missing_id'],
    ['a numeric id', { ...valid, id: 42 }, 'missing_id'],
    ['no timestamp', { ...valid, timestamp: undefined }, 'invalid_date'],
    ['an unparseable timestamp', { ...valid, timestamp: 'yesterday' }, 'invalid_date'],
    ['more than nine fractional digits', { ...valid, timestamp: '2025-02-22T16:07:35.5144122230Z' }, 'invalid_date'],
    ['a numeric timestamp', { ...valid, timestamp: 1740240455514 }, 'invalid_date'],
    ['createdAt instead of timestamp', { ...valid, timestamp: undefined, createdAt: valid.timestamp }, 'invalid_date'],
    ['status 5', { ...valid, status: 5 }, 'unknown_status'],
    ['status "0"', { ...valid, status: '0' }, 'unknown_status'],
    ['only statusText', { ...valid, status: undefined }, 'unknown_status'],
    ['msg a string', { ...valid, msg: 'user.signup' }, 'wrong_type'],
    ['msgId a number', { ...valid, msgId: 7 }, 'wrong_type'],
    ['responseStatusCode a string', { ...valid, responseStatusCode: '500' }, 'wrong_type'],
    ['responseStatusCode not an HTTP status', { ...valid, responseStatusCode: 42 }, 'wrong_type'],
    ['responseStatusCode -1', { ...valid, responseStatusCode: -1 }, 'wrong_type'],
    ['responseDurationMs a string', { ...valid, responseDurationMs: '87' }, 'wrong_type'],
    ['negative responseDurationMs', { ...valid, responseDurationMs: -1 }, 'wrong_type'],
    ['triggerType "1"', { ...valid, triggerType: '1' }, 'wrong_type'],
    ['triggerType 0.5', { ...valid, triggerType: 0.5 }, 'wrong_type'],
    ['url an object', { ...valid, url: { href: 'https://x' } }, 'wrong_type'],
    ['response an object', { ...valid, response: { error: 'x' } }, 'wrong_type'],
  ];
  it.each(badEntries)('rejects an entry with %s', (_name, entry, reason) => {
    expect(normalize(entry, WEBHOOK)).toEqual({ ok: false, reason });
  });

  it('keeps the page order and one reason per bad entry', () => {
    const second = { ...valid, id: 'atmpt_2Wn1Hl9zK4Xe5WGEyLNnBvTCQ2B' };
    const page = okPage(answer(adapter, { data: [valid, { ...valid, id: '' }, second, 'junk'], iterator: null, done: true }, WEBHOOK));
    expect(page.attempts.map((a) => a.logId)).toEqual([valid.id, second.id]);
    expect(page.invalid.map((entry) => entry.reason)).toEqual(['missing_id', 'not_an_object']);
    expect(page.entryCount).toBe(4);
  });
});

describe('Svix requests', () => {
  it('asks for the newest attempts with the message, expanded statuses and no content; bearer token and user agent', () => {
    const request = adapter.firstRequest(WEBHOOK);
    expect(request.url.href).toBe(`${BASE}/api/v1/app/${APP}/attempt/endpoint/${EP}?${QUERY}`);
    expect(request.headers).toEqual({
      accept: 'application/json',
      'user-agent': `webhook-log-exporter/${packageVersion}`,
      authorization: 'Bearer svix-token-123',
    });
  });

  it('keeps a base URL path prefix and takes UIDs as they are', () => {
    const prefixed = createSvixAdapter({ baseUrl: 'http://127.0.0.1:1234/svix/', token: 't', pageSize: 50, maxPages: 3 });
    expect(prefixed.firstRequest('my-app.prod/endpoint_1').url.href).toBe(
      'http://127.0.0.1:1234/svix/api/v1/app/my-app.prod/attempt/endpoint/endpoint_1?limit=50&with_msg=true&expanded_statuses=true&with_content=false',
    );
  });

  it('encodes what a malformed webhook string holds instead of throwing (the config rejects it first)', () => {
    expect(attemptsByEndpointUrl(BASE, 'a b?c', {}).href).toBe(`${BASE}/api/v1/app/a%20b%3Fc/attempt/endpoint/`);
    expect(attemptsByEndpointUrl(BASE, 'a/b/c', {}).href).toBe(`${BASE}/api/v1/app/a/attempt/endpoint/b%2Fc`);
  });

  it('asks for content and captures bodies only when the source opts in', () => {
    const withBodies = createSvixAdapter({ baseUrl: BASE, token: 't', pageSize: 250, maxPages: 10, bodyLimitBytes: 8 });
    expect(withBodies.firstRequest(WEBHOOK).url.searchParams.get('with_content')).toBe('true');
    const entry = { ...valid, response: '{"received":true}', msg: { ...valid.msg, payload: { invoice: 'inv_1' } } };
    const [attempt] = okPage(answer(withBodies, { data: [entry], iterator: null, done: true }, WEBHOOK)).attempts;
    expect(attempt).toMatchObject({ responseBody: '{"receiv…', requestBody: '{"invoic…' });
    const [plain] = okPage(answer(adapter, { data: [entry], iterator: null, done: true }, WEBHOOK)).attempts;
    expect(plain).not.toHaveProperty('responseBody');
    expect(plain).not.toHaveProperty('requestBody');
  });

  it('declares paged reads, event ids and unfinished states, but no retry schedules', () => {
    expect(adapter).toMatchObject({
      provider: 'svix',
      paging: { kind: 'paged', pageSize: 250, maxPages: 10 },
      capabilities: { retries: false, eventIds: true, unfinishedStates: true },
      hints: { credential: 'token (or tokenFile)', pageSize: { setting: 'pageSize', max: 250 }, pageLimit: 'maxPages' },
    });
  });
});

describe('Svix paging', () => {
  const first = adapter.firstRequest(WEBHOOK);
  const page = (body: unknown, request: ProviderRequest = first) => okPage(answer(adapter, body, WEBHOOK, request));

  it('leads to the same request with the iterator, the same headers, and a fresh object', () => {
    const next = page({ data: [valid], iterator: valid.id, prevIterator: `-${valid.id}`, done: false }).next!;
    expect(next.url.href).toBe(`${first.url.href}&iterator=${valid.id}`);
    expect(next.headers).toEqual(first.headers);
    expect(next.headers).not.toBe(first.headers);
    expect(first.url.searchParams.has('iterator')).toBe(false); // the answered request is left alone

    const older = 'atmpt_1srOrx2ZWZBpBUvZwXKQmoEYga2';
    const third = page({ data: [valid], iterator: older, done: false }, next).next!;
    expect([...third.url.searchParams.entries()]).toEqual([...new URLSearchParams(`${QUERY}&iterator=${older}`).entries()]);
  });

  it.each([
    ['done is true', { iterator: 'atmpt_1srOrx2ZWZBpBUvZwXKQmoEYga2', done: true }],
    ['the iterator is null', { iterator: null, done: false }],
    ['the iterator is missing', { done: false }],
    ['the iterator is empty', { iterator: '', done: false }],
  ])('ends the read when %s', (_name, fields) => {
    expect(page({ data: [valid], ...fields }).next).toBeUndefined();
  });

  it('ends the read rather than asking for the same page again when the iterator repeats', () => {
    const next = page({ data: [valid], iterator: valid.id, done: false }).next!;
    const again = page({ data: [valid], iterator: valid.id, done: false }, next);
    expect(again.attempts).toHaveLength(1); // what the page holds still counts
    expect(again.next).toBeUndefined();
  });

  it.each([
    ['a JSON array', [valid], 'body is not a JSON object'],
    ['null', null, 'body is not a JSON object'],
    ['a string', '<html>', 'body is not a JSON object'],
    ['data missing', { iterator: null, done: true }, '`data` is not an array'],
    ['data an object', { data: { attempts: [] }, iterator: null, done: true }, '`data` is not an array'],
    ['done missing', { data: [], iterator: null }, '`done` is not a boolean'],
    ['done a string', { data: [], iterator: null, done: 'true' }, '`done` is not a boolean'],
    ['iterator a number', { data: [], iterator: 42, done: false }, '`iterator` is neither a string nor null'],
  ])('reports a body that is %s as a problem', (_name, body, problem) => {
    expect(answer(adapter, body, WEBHOOK)).toEqual({ ok: false, problem });
  });
});

describe('Svix webhook strings', () => {
  it.each([WEBHOOK, 'my-app/my-endpoint', 'a/b', 'app.v2_prod-1/ep.v2_prod-1', `${'a'.repeat(256)}/${'b'.repeat(256)}`])('accepts %s', (id) => {
    expect(svix.webhookIdProblem(id)).toBeUndefined();
  });

  it.each([
    ['ep_2Wn1Hl9zK4Xe5WGEyLNnBvTCQ2C', /^must be APP_ID\/ENDPOINT_ID/],
    ['app/ep/extra', /^must be APP_ID\/ENDPOINT_ID/],
    ['app/', /^"" is not a Svix endpoint id or UID: expected APP_ID\/ENDPOINT_ID/],
    ['/ep', /^"" is not a Svix application id or UID/],
    ['app/ep~1', /^"ep~1" is not a Svix endpoint id or UID/],
    ['app:1/ep', /^"app:1" is not a Svix application id or UID/],
    ['app/..', /^"\.\." is not a Svix endpoint id or UID/],
    ['./ep', /^"\." is not a Svix application id or UID/],
    [`${'a'.repeat(257)}/ep`, /is not a Svix application id or UID/],
  ])('rejects %s, saying which form is expected', (id, message) => {
    const problem = svixWebhookProblem(id);
    expect(problem).toMatch(message);
    expect(problem).toContain('e.g. app_2Wn0ozpCBWWhyJKDDgYcTuXOSwZ/ep_2Wn1Hl9zK4Xe5WGEyLNnBvTCQ2C');
  });
});

describe('Svix definition', () => {
  const source: SvixSource = { provider: 'svix', baseUrl: 'http://svix.test', auth: { token: 'tk', fromFile: true }, pageSize: 100, maxPages: 4 };

  it('builds the adapter from a configured source and describes it without the secret', () => {
    expect(svix.defaultBaseUrl).toBe('https://api.svix.com');
    const built = svix.createAdapter(source, undefined);
    expect(built).toMatchObject({ provider: 'svix', paging: { kind: 'paged', pageSize: 100, maxPages: 4 } });
    expect(built.firstRequest('a/b').headers.authorization).toBe('Bearer tk');
    expect(built.firstRequest('a/b').url.href).toBe('http://svix.test/api/v1/app/a/attempt/endpoint/b?limit=100&with_msg=true&expanded_statuses=true&with_content=false');
    expect(svix.createAdapter(source, 512).firstRequest('a/b').url.searchParams.get('with_content')).toBe('true');
    expect(svix.describe(source)).toBe('token from file, pageSize 100, maxPages 4');
    expect(svix.describe({ ...source, auth: { token: 'tk', fromFile: false } })).not.toContain('tk');
  });
});

describe('an iterator that repeats', () => {
  it('ends the read with a warning, the page still counted', async () => {
    const { createSvixAdapter } = await import('../../src/providers/svix/adapter.js');
    const adapter = createSvixAdapter({ baseUrl: 'https://api.svix.test', token: 't', pageSize: 2, maxPages: 5 });
    const first = adapter.firstRequest('app_1/ep_1');
    first.url.searchParams.set('iterator', 'it_1');
    const parsed = adapter.parsePage({ request: first, status: 200, headers: {}, body: { data: [], iterator: 'it_1', prevIterator: null, done: false } }, 'app_1/ep_1');
    expect(parsed).toMatchObject({ ok: true, next: undefined, warning: expect.stringMatching(/same|iterator it was asked for/) });
  });
});
