import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { answer } from './helpers/adapter.js';
import { describe, expect, it } from 'vitest';
import { createAdapter, createBaanxAdapter, createSalesfinityAdapter, sanitizeUrl, scrubUrls } from '../../src/providers/index.js';
import { normalize as normalizeBaanx } from '../../src/providers/baanx/normalize.js';
import { normalize as normalizeSalesfinity } from '../../src/providers/salesfinity/normalize.js';
import { parseIsoTimestamp } from '../../src/providers/timestamp.js';
import type { InvalidReason, ParsedPage } from '../../src/providers/types.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const SF_WEBHOOK = '507f1f77bcf86cd799439011';
const BX_WEBHOOK = '770e8400-e29b-41d4-a716-446655440002';

const salesfinity = createSalesfinityAdapter({ baseUrl: 'https://client-api.salesfinity.co', apiKey: 'sf-key-123', pageSize: 10, maxPages: 10 });
const baanx = createBaanxAdapter({ baseUrl: 'https://api.baanx.com', bearerToken: 'bx-token-456', limit: 50 });

function okPage(page: ParsedPage): Extract<ParsedPage, { ok: true }> {
  if (!page.ok) throw new Error(`expected a parsed page, got problem: ${page.problem}`);
  return page;
}

describe('Salesfinity adapter', () => {
  it('normalises the documented sample, field by field', () => {
    const page = okPage(answer(salesfinity, fixture('salesfinity-logs.json'), SF_WEBHOOK));
    expect(page.entryCount).toBe(1);
    expect(page.invalid).toEqual([]);
    expect(page.next).toBeDefined(); // pagination says page 1 of 5
    expect(page.attempts).toEqual([
      {
        logId: '507f1f77bcf86cd799439055',
        webhookId: SF_WEBHOOK,
        eventType: 'CALL_LOGGED',
        eventId: undefined,
        status: 'success',
        httpStatusCode: 200,
        durationSeconds: 0.245,
        createdAtMs: Date.UTC(2024, 0, 15, 14, 33, 0),
        attemptNumber: undefined,
        nextRetryAtMs: undefined,
        requestUrl: undefined,
        errorMessage: undefined,
      },
    ]);
  });

  it('declares what it can and cannot report', () => {
    expect(salesfinity).toMatchObject({
      provider: 'salesfinity',
      paging: { kind: 'paged', pageSize: 10, maxPages: 10 },
      capabilities: { retries: false, eventIds: false, unfinishedStates: false },
    });
  });

  const valid = { _id: 'a1', event: 'CALL_LOGGED', status: 'failed', response: { code: 503 }, responseTime: 10, createdAt: '2024-01-15T14:33:00Z' };
  const badEntries: Array<[string, unknown, InvalidReason]> = [
    ['null', null, 'not_an_object'],
    ['a string', 'entry', 'not_an_object'],
    ['an array', [valid], 'not_an_object'],
    ['no _id', { ...valid, _id: undefined }, 'missing_id'],
    ['empty _id', { ...valid, _id: '' }, 'missing_id'],
    ['numeric _id', { ...valid, _id: 42 }, 'missing_id'],
    ['no createdAt', { ...valid, createdAt: undefined }, 'invalid_date'],
    ['unparseable createdAt', { ...valid, createdAt: 'yesterday' }, 'invalid_date'],
    ['impossible createdAt', { ...valid, createdAt: '2024-02-30T10:00:00Z' }, 'invalid_date'],
    ['numeric createdAt', { ...valid, createdAt: 1705329180000 }, 'invalid_date'],
    ['status pending (Salesfinity has none)', { ...valid, status: 'pending' }, 'unknown_status'],
    ['no status', { ...valid, status: undefined }, 'unknown_status'],
    ['status in capitals', { ...valid, status: 'SUCCESS' }, 'unknown_status'],
    ['responseTime a string', { ...valid, responseTime: '245' }, 'wrong_type'],
    ['negative responseTime', { ...valid, responseTime: -1 }, 'wrong_type'],
    ['response.code a string', { ...valid, response: { code: '200' } }, 'wrong_type'],
    ['response.code not an HTTP status', { ...valid, response: { code: 42 } }, 'wrong_type'],
    ['response a string', { ...valid, response: 'OK' }, 'wrong_type'],
  ];
  it.each(badEntries)('rejects an entry with %s', (_name, entry, reason) => {
    expect(normalizeSalesfinity(entry, SF_WEBHOOK)).toEqual({ ok: false, reason });
  });

  it('accepts missing optional fields and falls back to the event type "unknown"', () => {
    for (const event of [undefined, '', 7, null]) {
      const result = normalizeSalesfinity({ _id: 'a2', status: 'failed', createdAt: '2024-01-15T14:33:00.5+01:00', event }, SF_WEBHOOK);
      expect(result).toEqual({
        ok: true,
        attempt: expect.objectContaining({
          logId: 'a2',
          eventType: 'unknown',
          status: 'failed',
          httpStatusCode: undefined,
          durationSeconds: undefined,
          createdAtMs: Date.UTC(2024, 0, 15, 13, 33, 0, 500),
        }),
      });
    }
  });

  it('keeps the order of the page and one reason per bad entry', () => {
    const body = { data: [valid, { ...valid, _id: '' }, { ...valid, _id: 'b2' }, 'junk'], pagination: { total: 4, page: 1, limit: 10, pages: 1 } };
    const page = okPage(answer(salesfinity, body, SF_WEBHOOK));
    expect(page.attempts.map((a) => a.logId)).toEqual(['a1', 'b2']);
    expect(page.invalid.map((entry) => entry.reason)).toEqual(['missing_id', 'not_an_object']);
    expect(new Set(page.invalid.map((entry) => entry.key)).size).toBe(2);
    expect(page.entryCount).toBe(4);
    expect(page.next).toBeUndefined();
  });

  it('falls back to "a full page means more" when pagination is missing or garbage', () => {
    const fullPage = Array.from({ length: 10 }, (_, i) => ({ ...valid, _id: `id${i}` }));
    for (const pagination of [undefined, null, 'x', { page: '1', pages: '5' }, { page: 1 }]) {
      expect(okPage(answer(salesfinity, { data: fullPage, pagination }, SF_WEBHOOK)).next).toBeDefined();
      expect(okPage(answer(salesfinity, { data: fullPage.slice(3), pagination }, SF_WEBHOOK)).next).toBeUndefined();
    }
    expect(okPage(answer(salesfinity, { data: fullPage, pagination: { page: 5, pages: 5 } }, SF_WEBHOOK)).next).toBeUndefined();
  });

  it.each([
    ['a JSON array', [], 'body is not a JSON object'],
    ['null', null, 'body is not a JSON object'],
    ['a string', '<html>', 'body is not a JSON object'],
    ['data missing', { pagination: {} }, '`data` is not an array'],
    ['data an object', { data: { items: [] } }, '`data` is not an array'],
  ])('reports a body that is %s as a problem', (_name, body, problem) => {
    expect(answer(salesfinity, body, SF_WEBHOOK)).toEqual({ ok: false, problem });
  });

  it('builds the documented request: page, limit, newest first, API key, user agent', () => {
    const request = salesfinity.firstRequest(SF_WEBHOOK);
    expect(request.url.href).toBe(`https://client-api.salesfinity.co/v1/webhooks/${SF_WEBHOOK}/logs?page=1&limit=10&sort=-createdAt`);
    expect(request.headers).toEqual({
      accept: 'application/json',
      'user-agent': `webhook-log-exporter/${packageVersion}`,
      'x-api-key': 'sf-key-123',
    });
  });

  it('leads from the page it answered to the next page number, with the same headers', () => {
    const third = salesfinity.firstRequest(SF_WEBHOOK);
    third.url.searchParams.set('page', '3');
    const body = { data: [valid], pagination: { total: 50, page: 3, limit: 10, pages: 5 } };
    const next = okPage(answer(salesfinity, body, SF_WEBHOOK, third)).next;
    expect(next?.url.href).toBe(`https://client-api.salesfinity.co/v1/webhooks/${SF_WEBHOOK}/logs?page=4&limit=10&sort=-createdAt`);
    expect(next?.headers).toEqual(third.headers);
  });

  it('keeps a base URL path prefix and encodes the webhook id', () => {
    const adapter = createSalesfinityAdapter({ baseUrl: 'http://127.0.0.1:1234/salesfinity/', apiKey: 'k', pageSize: 100, maxPages: 10 });
    const request = adapter.firstRequest('a/b c?d');
    expect(request.url.href).toBe('http://127.0.0.1:1234/salesfinity/v1/webhooks/a%2Fb%20c%3Fd/logs?page=1&limit=100&sort=-createdAt');
  });
});

describe('Baanx adapter', () => {
  it('normalises the documented sample, field by field', () => {
    const page = okPage(answer(baanx, fixture('baanx-logs.json'), BX_WEBHOOK));
    expect(page.entryCount).toBe(2);
    expect(page.invalid).toEqual([]);
    expect(page.next).toBeUndefined();
    expect(page.attempts).toEqual([
      {
        logId: '550e8400-e29b-41d4-a716-446655440000',
        webhookId: BX_WEBHOOK,
        eventType: 'kyc.status.changed',
        eventId: '660e8400-e29b-41d4-a716-446655440001',
        status: 'success',
        httpStatusCode: 200,
        durationSeconds: 0.145,
        createdAtMs: Date.UTC(2025, 11, 29, 10, 0, 0),
        attemptNumber: 1,
        nextRetryAtMs: null,
        requestUrl: 'https://api.partner.com/webhooks/kyc',
        errorMessage: undefined,
      },
      {
        logId: '551e8400-e29b-41d4-a716-446655440001',
        webhookId: BX_WEBHOOK,
        eventType: 'card.activated',
        eventId: '661e8400-e29b-41d4-a716-446655440002',
        status: 'failed',
        httpStatusCode: 500,
        durationSeconds: 0.312,
        createdAtMs: Date.UTC(2025, 11, 29, 10, 5, 0),
        attemptNumber: 1,
        nextRetryAtMs: Date.UTC(2025, 11, 29, 10, 5, 1),
        requestUrl: 'https://api.partner.com/webhooks/kyc',
        errorMessage: undefined,
      },
    ]);
  });

  it('declares what it can and cannot report', () => {
    expect(baanx).toMatchObject({
      provider: 'baanx',
      paging: { kind: 'newest-n', windowSize: 50 },
      capabilities: { retries: true, eventIds: true, unfinishedStates: true },
    });
  });

  it('never copies signatures, headers or bodies into the record', () => {
    const entry = {
      id: 'log-1',
      deliveryStatus: 'failed',
      createdAt: '2025-12-29T10:00:00Z',
      requestUrl: 'https://hooks:hunter2@partner.example/kyc?token=s3cr3t#frag',
      requestHeaders: { 'X-Signature': 'sig-deadbeef' },
      requestBody: { eventType: 'kyc.status.changed', ssn: 'payload-secret' },
      responseBody: 'response-secret',
    };
    const result = normalizeBaanx(entry, BX_WEBHOOK);
    expect(result.ok && result.attempt.requestUrl).toBe('https://partner.example/kyc');
    const serialised = JSON.stringify(result);
    for (const secret of ['hunter2', 's3cr3t', 'frag', 'sig-deadbeef', 'payload-secret', 'response-secret']) {
      expect(serialised).not.toContain(secret);
    }
  });

  it('reads a timeout: no status, no duration, the error text, and an exhausted last attempt', () => {
    const result = normalizeBaanx(
      {
        id: 'log-2',
        eventId: 'evt-1',
        attemptNumber: 6,
        deliveryStatus: 'failed',
        responseStatus: null,
        durationMs: null,
        errorMessage: 'connection timeout',
        createdAt: '2025-12-29T10:00:00Z',
        nextRetryAt: null,
      },
      BX_WEBHOOK,
    );
    expect(result).toEqual({
      ok: true,
      attempt: expect.objectContaining({
        httpStatusCode: undefined,
        durationSeconds: undefined,
        errorMessage: 'connection timeout',
        attemptNumber: 6,
        nextRetryAtMs: null,
      }),
    });
  });

  it('leaves unreported optional fields undefined and the event type "unknown"', () => {
    for (const requestBody of [undefined, null, 'x', {}, { eventType: '' }, { eventType: 3 }]) {
      const result = normalizeBaanx({ id: 'log-3', deliveryStatus: 'pending', createdAt: '2025-12-29T10:00:00Z', requestBody }, BX_WEBHOOK);
      expect(result).toEqual({
        ok: true,
        attempt: {
          logId: 'log-3',
          webhookId: BX_WEBHOOK,
          eventType: 'unknown',
          eventId: undefined,
          status: 'pending',
          httpStatusCode: undefined,
          durationSeconds: undefined,
          createdAtMs: Date.UTC(2025, 11, 29, 10),
          attemptNumber: undefined,
          nextRetryAtMs: undefined,
          requestUrl: undefined,
          errorMessage: undefined,
        },
      });
    }
  });

  it('accepts every documented status, including the unfinished ones', () => {
    for (const deliveryStatus of ['pending', 'processing', 'success', 'failed']) {
      const result = normalizeBaanx({ id: 'x', deliveryStatus, createdAt: '2025-12-29T10:00:00Z' }, BX_WEBHOOK);
      expect(result.ok && result.attempt.status).toBe(deliveryStatus);
    }
  });

  const valid = { id: 'b1', deliveryStatus: 'success', createdAt: '2025-12-29T10:00:00Z', attemptNumber: 1, responseStatus: 200, durationMs: 5 };
  const badEntries: Array<[string, unknown, InvalidReason]> = [
    ['undefined', undefined, 'not_an_object'],
    ['a number', 12, 'not_an_object'],
    ['no id', { ...valid, id: undefined }, 'missing_id'],
    ['empty id', { ...valid, id: '' }, 'missing_id'],
    ['an object id', { ...valid, id: { $oid: 'x' } }, 'missing_id'],
    ['no createdAt', { ...valid, createdAt: undefined }, 'invalid_date'],
    ['a date without time', { ...valid, createdAt: '2025-12-29' }, 'invalid_date'],
    ['an hour of 25', { ...valid, createdAt: '2025-12-29T25:00:00Z' }, 'invalid_date'],
    ['status "delivered"', { ...valid, deliveryStatus: 'delivered' }, 'unknown_status'],
    ['the Salesfinity status field instead', { ...valid, deliveryStatus: undefined, status: 'success' }, 'unknown_status'],
    ['responseStatus a string', { ...valid, responseStatus: '200' }, 'wrong_type'],
    ['durationMs a string', { ...valid, durationMs: '145' }, 'wrong_type'],
    ['attemptNumber 0', { ...valid, attemptNumber: 0 }, 'wrong_type'],
    ['attemptNumber 7', { ...valid, attemptNumber: 7 }, 'wrong_type'],
    ['attemptNumber 1.5', { ...valid, attemptNumber: 1.5 }, 'wrong_type'],
    ['attemptNumber "1"', { ...valid, attemptNumber: '1' }, 'wrong_type'],
    ['unparseable nextRetryAt', { ...valid, nextRetryAt: 'soon' }, 'wrong_type'],
    ['numeric nextRetryAt', { ...valid, nextRetryAt: 1767002701000 }, 'wrong_type'],
    ['eventId a number', { ...valid, eventId: 660 }, 'wrong_type'],
    ['errorMessage an object', { ...valid, errorMessage: { code: 'ETIMEDOUT' } }, 'wrong_type'],
    ['requestUrl an object', { ...valid, requestUrl: { href: 'https://x' } }, 'wrong_type'],
  ];
  it.each(badEntries)('rejects an entry with %s', (_name, entry, reason) => {
    expect(normalizeBaanx(entry, BX_WEBHOOK)).toEqual({ ok: false, reason });
  });

  it('drops an unparseable receiver URL rather than the entry', () => {
    const result = normalizeBaanx({ ...valid, requestUrl: 'not a url' }, BX_WEBHOOK);
    expect(result.ok && result.attempt.requestUrl).toBeUndefined();
    expect(result.ok).toBe(true);
  });

  it.each([
    ['a JSON array', [valid], 'body is not a JSON object'],
    ['logs missing', { count: 0 }, '`logs` is not an array'],
    ['logs null', { count: 0, logs: null }, '`logs` is not an array'],
  ])('reports a body that is %s as a problem', (_name, body, problem) => {
    expect(answer(baanx, body, BX_WEBHOOK)).toEqual({ ok: false, problem });
  });

  it('builds the documented request: limit only, bearer token, user agent; never a next page', () => {
    const adapter = createBaanxAdapter({ baseUrl: 'http://127.0.0.1:9/baanx', bearerToken: 'bx-token-456', limit: 100 });
    const request = adapter.firstRequest(BX_WEBHOOK);
    expect(okPage(answer(adapter, { count: 100, logs: Array.from({ length: 100 }, () => ({})) }, BX_WEBHOOK)).next).toBeUndefined();
    expect(request.url.href).toBe(`http://127.0.0.1:9/baanx/v1/webhooks/${BX_WEBHOOK}/logs?limit=100`);
    expect(request.headers).toEqual({
      accept: 'application/json',
      'user-agent': `webhook-log-exporter/${packageVersion}`,
      authorization: 'Bearer bx-token-456',
    });
  });
});

describe('createAdapter', () => {
  it('builds the adapter a configured source names, ignoring extra config fields', () => {
    const sf = createAdapter({ provider: 'salesfinity', baseUrl: 'http://sf.test', auth: { apiKey: 'k1', fromFile: false }, pageSize: 25, maxPages: 4 });
    expect(sf).toMatchObject({ provider: 'salesfinity', paging: { kind: 'paged', pageSize: 25, maxPages: 4 } });
    expect(sf.hints).toEqual({ credential: 'apiKey (or apiKeyFile)', pageSize: { setting: 'pageSize', max: 100 }, pageLimit: 'maxPages' });
    expect(sf.firstRequest('w').headers['x-api-key']).toBe('k1');

    const source = { provider: 'baanx' as const, name: 'baanx-prod', baseUrl: 'http://bx.test', auth: { bearerToken: 't1', fromFile: true }, limit: 7, webhooks: ['w'] };
    const bx = createAdapter(source);
    expect(bx).toMatchObject({ provider: 'baanx', paging: { kind: 'newest-n', windowSize: 7 } });
    expect(bx.hints).toEqual({ credential: 'bearerToken (or bearerTokenFile)', pageSize: { setting: 'limit', max: 100 } });
    expect(bx.firstRequest('w').headers.authorization).toBe('Bearer t1');
  });
});

describe('sanitizeUrl', () => {
  it.each([
    ['https://api.partner.com/webhooks/kyc?token=s3cr3t', 'https://api.partner.com/webhooks/kyc'],
    ['https://user:pass@api.partner.com/hook', 'https://api.partner.com/hook'],
    ['https://api.partner.com/hook#frag', 'https://api.partner.com/hook'],
    ['http://u:p@10.0.0.1:8443/a/b?x=1&token=t#f', 'http://10.0.0.1:8443/a/b'],
    ['https://api.partner.com', 'https://api.partner.com/'],
  ])('%s → %s', (raw, expected) => {
    expect(sanitizeUrl(raw)).toBe(expected);
  });

  it.each(['', 'not a url', '/relative/path', 'http://'])('gives undefined for unparseable %j', (raw) => {
    expect(sanitizeUrl(raw)).toBeUndefined();
  });

  it('gives the same answer from its cache, and past the cache bound', () => {
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2_500; i++) {
        expect(sanitizeUrl(`https://u:p@hooks.test/r/${i}?token=t${i}`)).toBe(`https://hooks.test/r/${i}`);
      }
      expect(sanitizeUrl('not a url')).toBeUndefined();
    }
  });

  it('answers a URL asked for twice in a row as the first time, parseable or not', () => {
    const sequence = ['https://a.test/x?t=1', 'https://a.test/x?t=1', 'not a url', 'not a url', 'https://b.test/y#f', 'not a url', 'https://a.test/x?t=1'];
    // Built as new strings, as JSON.parse makes them: equal text, not the same string object.
    expect(sequence.map((raw) => sanitizeUrl(JSON.parse(JSON.stringify(raw)) as string))).toEqual([
      'https://a.test/x',
      'https://a.test/x',
      undefined,
      undefined,
      'https://b.test/y',
      undefined,
      'https://a.test/x',
    ]);
  });
});

describe('parseIsoTimestamp', () => {
  it.each([
    ['2024-01-15T14:33:00.000Z', Date.UTC(2024, 0, 15, 14, 33)],
    ['2024-01-15T14:33:00Z', Date.UTC(2024, 0, 15, 14, 33)],
    ['2024-01-15T14:33Z', Date.UTC(2024, 0, 15, 14, 33)],
    ['2024-01-15T14:33:00.123456Z', Date.UTC(2024, 0, 15, 14, 33, 0, 123)],
    ['2024-01-15T14:33:00+02:00', Date.UTC(2024, 0, 15, 12, 33)],
    ['2024-01-15T14:33:00-0130', Date.UTC(2024, 0, 15, 16, 3)],
    ['2024-01-15T14:33:00', Date.UTC(2024, 0, 15, 14, 33)], // no zone: UTC, not the host's zone
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)], // divisible by 400: a leap year
    ['2024-12-31T23:59:59.999Z', Date.UTC(2024, 11, 31, 23, 59, 59, 999)],
  ])('%s', (text, expected) => {
    expect(parseIsoTimestamp(text)).toBe(expected);
  });

  it.each(['2023-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2024-04-31T00:00:00Z', '2024-01-00T00:00:00Z', '2024-01-15T24:00:00Z', '2024-13-01T00:00:00Z', '2024-01-15 14:33', 'Mon, 15 Jan 2024 14:33:00 GMT', '', 'x'])(
    'rejects %j',
    (text) => {
      expect(parseIsoTimestamp(text)).toBeUndefined();
    },
  );

  it('reads back every instant toISOString writes', () => {
    const instants = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2200, 0, 1) });
    fc.assert(fc.property(instants, (ms) => parseIsoTimestamp(new Date(ms).toISOString()) === ms));
  });

  it('answers as the regular expression it replaced, on valid, near-valid and random strings', () => {
    // Built from the grammar's pieces, each sometimes wrong, so most strings sit near the edge of the form.
    const digitsOf = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length });
    const piece = <T extends string>(valid: fc.Arbitrary<T>, ...odd: string[]) => fc.oneof({ weight: 8, arbitrary: valid }, fc.constantFrom('', ...odd));
    const nearValid = fc
      .tuple(
        piece(fc.constantFrom(' ', '', '\t')),
        piece(digitsOf(4), '202', '20245', '2o24'),
        piece(fc.constant('-'), '/'),
        piece(fc.constantFrom('01', '02', '04', '12', '13', '00'), '1'),
        piece(fc.constant('-'), '_'),
        piece(fc.constantFrom('01', '28', '29', '30', '31', '32', '00'), '9'),
        piece(fc.constantFrom('T', 't'), ' ', 'X'),
        piece(fc.constantFrom('00', '09', '23', '24'), '7'),
        piece(fc.constant(':'), '.'),
        piece(fc.constantFrom('00', '59', '60'), '5'),
        piece(fc.constantFrom('', ':00', ':59', ':60', ':5'), ':'),
        piece(fc.constantFrom('', '.0', '.5', '.123', '.123456789', '.1234567890', '.'), '.x'),
        piece(fc.constantFrom('', 'Z', 'z', '+02:00', '-0130', '+05', '+05:', '+5', '-12:3', 'UTC', 'ZZ'), '+'),
        piece(fc.constantFrom('', ' ', '\n'), 'x', '0', '00'),
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(nearValid, fc.string({ maxLength: 40 }), fc.date({ noInvalidDate: true }).map((date) => date.toISOString())), (text) => {
        expect(parseIsoTimestamp(text)).toBe(parseIsoTimestampByRegex(text));
      }),
      { numRuns: 20_000 },
    );
  });
});

/** The regular-expression reader that parseIsoTimestamp replaced for speed: the reference for its answers. */
function parseIsoTimestampByRegex(value: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(value.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number) as [number, number, number, number, number];
  const second = match[6] === undefined ? 0 : Number(match[6]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (month < 1 || month > 12 || day < 1 || day > (days as number) || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = match[7] === undefined ? 0 : Number(match[7].padEnd(3, '0').slice(0, 3));
  const zone = match[8];
  let offsetMs = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    offsetMs = (zone.startsWith('-') ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * 60_000;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMs;
}

describe('scrubUrls', () => {
  it.each([
    ['error sending request for url (https://h.test/in?token=s3cr3t): timed out', 'error sending request for url (https://h.test/in): timed out'],
    ['see https://h.test/a(b)?token=s3cr3t.', 'see https://h.test/a(b).'],
    ['glued_https://u:p@h.test/x?token=s3cr3t and 1https://h.test/y#frag', 'glued_https://h.test/x and 1https://h.test/y'],
    ['no url here', 'no url here'],
    ['broken https://[::1 here', 'broken [url] here'],
  ])('%s', (text, expected) => {
    expect(scrubUrls(text)).toBe(expected);
  });
});
