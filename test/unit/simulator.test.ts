import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { answer } from './helpers/adapter.js';
import { createBaanxAdapter, createSalesfinityAdapter, type ProviderRequest } from '../../src/providers/index.js';
import {
  ProviderSimulator,
  SIM_BAANX_TOKEN,
  SIM_SALESFINITY_API_KEY,
  baanxEntry,
  salesfinityEntry,
  type SimulatorOptions,
} from '../../src/simulator/index.js';

const SF = '507f1f77bcf86cd799439011';
const BX = '770e8400-e29b-41d4-a716-446655440002';
const T0 = Date.UTC(2025, 11, 29, 10, 0, 0);
const DAY_MS = 86_400_000;

let sim: ProviderSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function startSim(options: SimulatorOptions = {}): Promise<ProviderSimulator> {
  sim = await ProviderSimulator.start(options);
  sim.addWebhook('salesfinity', SF);
  sim.addWebhook('baanx', BX);
  return sim;
}

const sfAuth = (s: ProviderSimulator) => ({ 'x-api-key': s.salesfinityApiKey });
const bxAuth = (s: ProviderSimulator) => ({ authorization: `Bearer ${s.baanxToken}` });

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}
async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const { status, text } = await get(url, headers);
  return { status, body: JSON.parse(text) };
}

const sfLogs = (s: ProviderSimulator, query = '', webhook = SF) => `${s.baseUrl('salesfinity')}/v1/webhooks/${webhook}/logs${query}`;
const bxLogs = (s: ProviderSimulator, query = '', webhook = BX) => `${s.baseUrl('baanx')}/v1/webhooks/${webhook}/logs${query}`;

/** `count` Salesfinity entries one minute apart, oldest first, with ids e00..e{count-1}. */
function sfSeries(count: number, startMs = T0) {
  return Array.from({ length: count }, (_, i) =>
    salesfinityEntry({ _id: `e${String(i).padStart(2, '0')}`, createdAt: new Date(startMs + i * 60_000).toISOString() }),
  );
}
const ids = (entries: Array<{ _id?: string; id?: string }>) => entries.map((e) => e._id ?? e.id);

describe('auth', () => {
  it('Salesfinity accepts its x-api-key and answers 401 {"message":"Unauthorized"} otherwise', async () => {
    const s = await startSim();
    expect(s.salesfinityApiKey).toBe(SIM_SALESFINITY_API_KEY);
    expect((await get(sfLogs(s), sfAuth(s))).status).toBe(200);
    const rejected: Array<Record<string, string>> = [{}, { 'x-api-key': 'wrong' }, { authorization: `Bearer ${s.salesfinityApiKey}` }];
    for (const headers of rejected) {
      expect(await getJson(sfLogs(s), headers)).toEqual({ status: 401, body: { message: 'Unauthorized' } });
    }
  });

  it('Baanx accepts its bearer token and answers the documented 401 body otherwise', async () => {
    const s = await startSim({ baanxToken: 'custom-token' });
    const documented401 = JSON.parse(readFileSync(new URL('./fixtures/baanx-401.json', import.meta.url), 'utf8'));
    expect((await get(bxLogs(s), { authorization: 'Bearer custom-token' })).status).toBe(200);
    expect((await get(bxLogs(s), { authorization: 'bearer custom-token' })).status).toBe(200);
    const rejected: Array<Record<string, string>> = [{}, { authorization: 'custom-token' }, { authorization: `Bearer ${SIM_BAANX_TOKEN}` }];
    for (const headers of rejected) {
      expect(await getJson(bxLogs(s), headers)).toEqual({ status: 401, body: documented401 });
    }
  });

  it('logs whether each request was authorized, never the secret itself', async () => {
    const s = await startSim();
    await get(sfLogs(s, '?page=2&limit=5'), { ...sfAuth(s), 'user-agent': 'test-agent/1' });
    await get(bxLogs(s), { authorization: 'Bearer nope' });
    expect(s.requests).toEqual([
      { provider: 'salesfinity', webhookId: SF, query: { page: '2', limit: '5' }, authorized: true, at: expect.any(Number), userAgent: 'test-agent/1', accept: '*/*', url: expect.any(URL) },
      { provider: 'baanx', webhookId: BX, query: {}, authorized: false, at: expect.any(Number), userAgent: expect.any(String), accept: '*/*', url: expect.any(URL) },
    ]);
    expect(JSON.stringify(s.requests)).not.toContain(s.salesfinityApiKey);
  });
});

describe('routing', () => {
  it('answers 404 for an unknown webhook and an unknown path, and 405 for other methods', async () => {
    const s = await startSim();
    expect(await getJson(sfLogs(s, '', 'ffffffffffffffffffffffff'), sfAuth(s))).toEqual({ status: 404, body: { message: 'Webhook not found' } });
    expect((await get(bxLogs(s, '', 'nope'), bxAuth(s))).status).toBe(404);
    expect((await get(`${s.url}/salesfinity/v1/webhooks`, sfAuth(s))).status).toBe(404);
    expect((await get(`${s.url}/v1/webhooks/${SF}/logs`, sfAuth(s))).status).toBe(404);
    expect((await fetch(sfLogs(s), { method: 'POST', headers: sfAuth(s) })).status).toBe(405);
  });

  it('decodes an encoded webhook id', async () => {
    const s = await startSim();
    s.addWebhook('salesfinity', 'a/b c');
    expect((await get(sfLogs(s, '', encodeURIComponent('a/b c')), sfAuth(s))).status).toBe(200);
    expect(s.requests[0]?.webhookId).toBe('a/b c');
  });
});

describe('Salesfinity paging', () => {
  it('pages newest first with the documented pagination block', async () => {
    const s = await startSim();
    s.append('salesfinity', SF, sfSeries(25));
    const page1 = await getJson(sfLogs(s, '?page=1&limit=10&sort=-createdAt'), sfAuth(s));
    expect(ids(page1.body.data)).toEqual(['e24', 'e23', 'e22', 'e21', 'e20', 'e19', 'e18', 'e17', 'e16', 'e15']);
    expect(page1.body.pagination).toEqual({ total: 25, page: 1, limit: 10, pages: 3 });
    const page3 = await getJson(sfLogs(s, '?page=3&limit=10'), sfAuth(s));
    expect(ids(page3.body.data)).toEqual(['e04', 'e03', 'e02', 'e01', 'e00']);
    const beyond = await getJson(sfLogs(s, '?page=4&limit=10'), sfAuth(s));
    expect(beyond.body).toEqual({ data: [], pagination: { total: 25, page: 4, limit: 10, pages: 3 } });
  });

  it('defaults to page 1, limit 10, newest first, and sorts oldest first on request', async () => {
    const s = await startSim();
    s.append('salesfinity', SF, sfSeries(12));
    const defaults = await getJson(sfLogs(s), sfAuth(s));
    expect(defaults.body.data).toHaveLength(10);
    expect(defaults.body.data[0]._id).toBe('e11');
    const ascending = await getJson(sfLogs(s, '?sort=createdAt&limit=3'), sfAuth(s));
    expect(ids(ascending.body.data)).toEqual(['e00', 'e01', 'e02']);
  });

  it('shifts entries onto the next page when the log grows at the head between requests', async () => {
    const s = await startSim();
    s.append('salesfinity', SF, sfSeries(20));
    const page1 = await getJson(sfLogs(s, '?page=1&limit=10'), sfAuth(s));
    s.append('salesfinity', SF, sfSeries(3, T0 + DAY_MS).map((e, i) => ({ ...e, _id: `new${i}` })));
    const page2 = await getJson(sfLogs(s, '?page=2&limit=10'), sfAuth(s));
    // The three oldest of the first page come round again at the top of the second.
    expect(ids(page2.body.data).slice(0, 3)).toEqual(ids(page1.body.data).slice(7));
    expect(page2.body.pagination).toEqual({ total: 23, page: 2, limit: 10, pages: 3 });
  });

  it.each(['?page=0', '?page=-1', '?page=abc', '?page=1.5', '?limit=0', '?limit=101', '?limit=', '?sort=name', '?sort=-_id'])(
    'answers 400 for %s',
    async (query) => {
      const s = await startSim();
      const { status, body } = await getJson(sfLogs(s, query), sfAuth(s));
      expect(status).toBe(400);
      expect(body.message).toEqual(expect.any(String));
    },
  );
});

describe('Baanx', () => {
  it('returns the newest `limit` entries (default 50) with their count', async () => {
    const s = await startSim({ now: () => T0 + 100 * 60_000 });
    s.append('baanx', BX, Array.from({ length: 60 }, (_, i) => baanxEntry({ id: `b${i}`, createdAt: new Date(T0 + i * 60_000).toISOString() })));
    const defaults = await getJson(bxLogs(s), bxAuth(s));
    expect(defaults.body.count).toBe(50);
    expect(defaults.body.logs).toHaveLength(50);
    expect(defaults.body.logs[0].id).toBe('b59');
    const five = await getJson(bxLogs(s, '?limit=5'), bxAuth(s));
    expect(five.body).toEqual({ count: 5, logs: s.entries('baanx', BX).slice(0, 5) });
    expect(ids(five.body.logs)).toEqual(['b59', 'b58', 'b57', 'b56', 'b55']);
    for (const query of ['?limit=0', '?limit=101', '?limit=ten']) expect((await get(bxLogs(s, query), bxAuth(s))).status).toBe(400);
  });

  it('ignores page parameters: there is no paging', async () => {
    const s = await startSim({ now: () => T0 });
    s.append('baanx', BX, [baanxEntry({ id: 'only' }, { nowMs: T0 })]);
    const page2 = await getJson(bxLogs(s, '?limit=10&page=2'), bxAuth(s));
    expect(ids(page2.body.logs)).toEqual(['only']);
  });

  it('drops entries older than seven days by its clock', async () => {
    let clock = T0;
    const s = await startSim({ now: () => clock });
    s.append('baanx', BX, [
      baanxEntry({ id: 'old', createdAt: new Date(T0 - 8 * DAY_MS).toISOString() }),
      baanxEntry({ id: 'week', createdAt: new Date(T0 - 6 * DAY_MS).toISOString() }),
      baanxEntry({ id: 'new' }, { nowMs: T0 }),
    ]);
    expect(ids((await getJson(bxLogs(s), bxAuth(s))).body.logs)).toEqual(['new', 'week']);
    clock = T0 + 2 * DAY_MS;
    expect(await getJson(bxLogs(s), bxAuth(s))).toEqual({ status: 200, body: { count: 1, logs: [expect.objectContaining({ id: 'new' })] } });
    expect(ids(s.entries('baanx', BX) as Array<{ id: string }>)).toEqual(['new']);
  });
});

describe('the log store', () => {
  it('keeps entries newest first whatever the order they were appended in; later-inserted first among ties', async () => {
    const s = await startSim();
    const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
    s.append('salesfinity', SF, [salesfinityEntry({ _id: 'm2', createdAt: at(2) }), salesfinityEntry({ _id: 'm0', createdAt: at(0) })]);
    s.append('salesfinity', SF, [salesfinityEntry({ _id: 'm1', createdAt: at(1) }), salesfinityEntry({ _id: 'm1b', createdAt: at(1) })]);
    expect(ids(s.entries('salesfinity', SF) as Array<{ _id: string }>)).toEqual(['m2', 'm1b', 'm1', 'm0']);
  });

  it('updates an entry in place, keeping its id and position', async () => {
    const s = await startSim({ now: () => T0 });
    s.append('baanx', BX, [baanxEntry({ id: 'p', deliveryStatus: 'pending' }, { nowMs: T0 - 1 }), baanxEntry({ id: 'q' }, { nowMs: T0 })]);
    s.update('baanx', BX, 'p', { deliveryStatus: 'failed', responseStatus: 503 });
    expect(s.entries('baanx', BX)).toEqual([
      expect.objectContaining({ id: 'q' }),
      expect.objectContaining({ id: 'p', deliveryStatus: 'failed', responseStatus: 503 }),
    ]);
    expect(() => s.update('baanx', BX, 'missing', {})).toThrow(/missing/);
    expect(() => s.append('baanx', 'unknown-webhook', [])).toThrow(/addWebhook/);
  });

  it('serves garbage entries as they were appended, for invalid-entry tests', async () => {
    const s = await startSim({ now: () => T0 });
    s.append('salesfinity', SF, [salesfinityEntry({ _id: 'good', createdAt: new Date(T0 - 60_000).toISOString() }), 'junk', { _id: 5 }]);
    const { body } = await getJson(sfLogs(s), sfAuth(s));
    expect(body.data).toEqual([{ _id: 5 }, 'junk', expect.objectContaining({ _id: 'good' })]);
  });

  it('returns copies, so callers cannot change the log by accident', async () => {
    const s = await startSim();
    const entry = salesfinityEntry({ _id: 'x' });
    s.append('salesfinity', SF, [entry]);
    entry.status = 'failed';
    (s.entries('salesfinity', SF)[0] as { status: string }).status = 'failed';
    expect(s.entries('salesfinity', SF)[0]).toMatchObject({ status: 'success' });
  });
});

describe('faults', () => {
  it('answers a set status, with the provider 401 body or a custom body', async () => {
    const s = await startSim();
    s.setFault('salesfinity', SF, { kind: 'status', status: 503 });
    expect(await getJson(sfLogs(s), sfAuth(s))).toEqual({ status: 503, body: { message: 'Service Unavailable' } });
    s.setFault('baanx', BX, { kind: 'status', status: 401 });
    expect(await getJson(bxLogs(s), bxAuth(s))).toEqual({ status: 401, body: { message: 'Not authenticated' } });
    s.setFault('baanx', BX, { kind: 'status', status: 500, body: 'upstream exploded' });
    const custom = await get(bxLogs(s), bxAuth(s));
    expect([custom.status, custom.text, custom.headers.get('content-type')]).toEqual([500, 'upstream exploded', 'text/plain; charset=utf-8']);
  });

  it('rate-limits with Retry-After in seconds or as an HTTP date', async () => {
    const s = await startSim();
    s.setFault('salesfinity', SF, { kind: 'rate-limit', retryAfter: '7' });
    const limited = await get(sfLogs(s), sfAuth(s));
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '7']);
    const date = new Date(T0).toUTCString();
    s.setFault('salesfinity', SF, { kind: 'rate-limit', retryAfter: date });
    expect((await get(sfLogs(s), sfAuth(s))).headers.get('retry-after')).toBe(date);
  });

  it('sends truncated JSON, an HTML page, or JSON of the wrong shape with status 200', async () => {
    const s = await startSim();
    s.setFault('salesfinity', SF, { kind: 'garbage' });
    const garbage = await get(sfLogs(s), sfAuth(s));
    expect([garbage.status, garbage.headers.get('content-type')]).toEqual([200, 'application/json']);
    expect(() => JSON.parse(garbage.text)).toThrow(SyntaxError);

    s.setFault('salesfinity', SF, { kind: 'html' });
    const html = await get(sfLogs(s), sfAuth(s));
    expect([html.status, html.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect(html.text).toMatch(/^<!doctype html>/);

    s.setFault('salesfinity', SF, { kind: 'wrong-shape' });
    s.setFault('baanx', BX, { kind: 'wrong-shape' });
    const sfShape = await getJson(sfLogs(s), sfAuth(s));
    const bxShape = await getJson(bxLogs(s), bxAuth(s));
    expect(sfShape.status).toBe(200);
    const sfAdapter = createSalesfinityAdapter({ baseUrl: s.baseUrl('salesfinity'), apiKey: 'k', pageSize: 10, maxPages: 10 });
    const bxAdapter = createBaanxAdapter({ baseUrl: s.baseUrl('baanx'), bearerToken: 't', limit: 10 });
    expect(answer(sfAdapter, sfShape.body, SF)).toEqual({ ok: false, problem: '`data` is not an array' });
    expect(answer(bxAdapter, bxShape.body, BX)).toEqual({ ok: false, problem: '`logs` is not an array' });
  });

  it('answers normally after a delay when slow', async () => {
    const s = await startSim();
    s.append('salesfinity', SF, sfSeries(1));
    s.setFault('salesfinity', SF, { kind: 'slow', delayMs: 300 });
    const started = performance.now();
    const { status, body } = await getJson(sfLogs(s), sfAuth(s));
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect([status, ids(body.data)]).toEqual([200, ['e00']]);
  });

  it('still applies auth after a delay', async () => {
    const s = await startSim();
    s.setFault('salesfinity', SF, { kind: 'slow', delayMs: 50 });
    expect((await get(sfLogs(s))).status).toBe(401);
  });

  it('resets the connection without answering', async () => {
    const s = await startSim();
    s.setFault('baanx', BX, { kind: 'reset' });
    await expect(fetch(bxLogs(s), { headers: bxAuth(s) })).rejects.toThrow();
    expect(s.requests).toHaveLength(1);
  });

  it('clears itself after `times` requests, and when set to null', async () => {
    const s = await startSim();
    s.setFault('salesfinity', SF, { kind: 'status', status: 500, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(sfLogs(s), sfAuth(s))).status);
    expect(statuses).toEqual([500, 500, 200]);
    s.setFault('salesfinity', SF, { kind: 'status', status: 500 });
    expect((await get(sfLogs(s), sfAuth(s))).status).toBe(500);
    expect((await get(sfLogs(s), sfAuth(s))).status).toBe(500);
    s.setFault('salesfinity', SF, null);
    expect((await get(sfLogs(s), sfAuth(s))).status).toBe(200);
    expect(() => s.setFault('salesfinity', SF, { kind: 'html', times: 0 })).toThrow(RangeError);
  });

  it("applies '*' to every webhook of one provider, a webhook's own fault first", async () => {
    const s = await startSim();
    s.addWebhook('salesfinity', 'other');
    s.setFault('salesfinity', '*', { kind: 'status', status: 503 });
    s.setFault('salesfinity', SF, { kind: 'status', status: 403 });
    expect((await get(sfLogs(s, '', 'other'), sfAuth(s))).status).toBe(503);
    expect((await get(sfLogs(s), sfAuth(s))).status).toBe(403);
    expect((await get(bxLogs(s), bxAuth(s))).status).toBe(200);
  });
});

describe('onRequest, requests and maxInFlight', () => {
  it('runs the hook, awaited, before the request is answered', async () => {
    const s = await startSim();
    s.append('salesfinity', SF, sfSeries(10));
    const seen: string[] = [];
    s.onRequest(async (request) => {
      seen.push(request.query.page ?? '?');
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (request.query.page === '2') s.append('salesfinity', SF, [salesfinityEntry({ _id: 'inserted', createdAt: new Date(T0 + DAY_MS).toISOString() })]);
    });
    await getJson(sfLogs(s, '?page=1&limit=5'), sfAuth(s));
    const page2 = await getJson(sfLogs(s, '?page=2&limit=5'), sfAuth(s));
    expect(seen).toEqual(['1', '2']);
    // The entry added by the hook is already counted, and pushed e05 from page 1 onto page 2.
    expect(page2.body.pagination.total).toBe(11);
    expect(ids(page2.body.data)[0]).toBe('e05');
    s.onRequest(null);
    await get(sfLogs(s), sfAuth(s));
    expect(seen).toHaveLength(2);
  });

  it('counts the most requests open at once for one webhook', async () => {
    const s = await startSim();
    await get(sfLogs(s), sfAuth(s));
    await get(sfLogs(s), sfAuth(s));
    expect(s.maxInFlight).toBe(1);
    s.setFault('baanx', BX, { kind: 'slow', delayMs: 100 });
    await Promise.all([1, 2, 3].map(() => get(bxLogs(s), bxAuth(s))));
    expect(s.maxInFlight).toBe(3);
  });
});

describe('the adapters against the simulator', () => {
  it('read every page of a Salesfinity log and the newest Baanx entries', async () => {
    const s = await startSim({ now: () => T0 + DAY_MS });
    s.append('salesfinity', SF, sfSeries(7));
    s.append('baanx', BX, [baanxEntry({ id: 'b1' }, { nowMs: T0 })]);
    const sf = createSalesfinityAdapter({ baseUrl: s.baseUrl('salesfinity'), apiKey: s.salesfinityApiKey, pageSize: 3, maxPages: 10 });
    const seen: string[] = [];
    for (let request: ProviderRequest | undefined = sf.firstRequest(SF); request !== undefined; ) {
      const parsed = answer(sf, await (await fetch(request.url, { headers: request.headers })).json(), SF, request);
      if (!parsed.ok) throw new Error(parsed.problem);
      seen.push(...parsed.attempts.map((attempt) => attempt.logId));
      request = parsed.next;
    }
    expect(seen).toEqual(['e06', 'e05', 'e04', 'e03', 'e02', 'e01', 'e00']);
    expect(s.requests.map((r) => r.query)).toEqual([1, 2, 3].map((page) => ({ page: String(page), limit: '3', sort: '-createdAt' })));
    expect(s.requests[0]?.userAgent).toMatch(/^webhook-log-exporter\/\d+\.\d+\.\d+/);

    const bx = createBaanxAdapter({ baseUrl: s.baseUrl('baanx'), bearerToken: s.baanxToken, limit: 100 });
    const request = bx.firstRequest(BX);
    const parsed = answer(bx, await (await fetch(request.url, { headers: request.headers })).json(), BX);
    expect(parsed).toMatchObject({ ok: true, attempts: [{ logId: 'b1', status: 'success', attemptNumber: 1 }] });
  });
});
