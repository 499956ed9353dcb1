// The simulated Svix API driven directly (no simulator server: it is not registered yet), the real
// adapter and poller reading it page after page while attempts arrive, and every response shape it
// produces checked against Svix's published schema: the official SDK (npm `svix`) deserialising
// our answers over loopback HTTP, and a JSON Schema of the SDK's types validated with ajv.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { ApiException, MessageAttemptTriggerType, MessageStatus, MessageStatusText, Svix, type MessageAttemptOut } from 'svix';
import { afterEach, describe, expect, it } from 'vitest';
import { Checkpoint } from '../../src/poller/checkpoint.js';
import type { Fetch } from '../../src/poller/paging.js';
import { readLog } from '../../src/poller/read-log.js';
import { createSvixAdapter } from '../../src/providers/svix/adapter.js';
import { normalize } from '../../src/providers/svix/normalize.js';
import type { SvixMessageAttempt } from '../../src/providers/svix/types.js';
import { parseIsoTimestamp } from '../../src/providers/timestamp.js';
import type { ProviderRequest } from '../../src/providers/types.js';
import type { ApiAnswer, ProviderApi } from '../../src/simulator/provider-api.js';
import { mulberry32 } from '../../src/simulator/random.js';
import { SIM_RECEIVER_TOKEN } from '../../src/simulator/secrets.js';
import {
  SIM_SVIX_TOKEN,
  SVIX_NOT_FOUND_BODY,
  SVIX_RATE_LIMITED_BODY,
  attemptsByEndpointId,
  createSvixApi,
  svixApi,
} from '../../src/simulator/svix-api.js';
import { SIM_SVIX_RECEIVER_URL, svixAttempt, svixConnectError, svixId, svixTimestamp } from '../../src/simulator/svix-entries.js';
import { recordingRecorder } from './helpers/fake-log.js';
import { listenOnLoopback } from '../helpers/loopback.js';

const testdata = (name: string): any => JSON.parse(readFileSync(new URL(`../testdata/svix/${name}`, import.meta.url), 'utf8'));

const APP = 'app_2Wn0ozpCBWWhyJKDDgYcTuXOSwZ';
const EP = 'ep_2Wn1Hl9zK4Xe5WGEyLNnBvTCQ2C';
const WEBHOOK = `${APP}/${EP}`;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const SIM_URL = new URL('http://127.0.0.1:4010/svix');
const DAY_MS = 86_400_000;

/** A log of `count` attempts one second apart ending at `endMs`, newest first, from a seeded PRNG. */
function attemptLog(count: number, endMs = T0, seed = 1, overrides: Partial<SvixMessageAttempt> = {}): SvixMessageAttempt[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const atMs = endMs - i * 1000;
    return svixAttempt({ endpointId: EP, timestamp: svixTimestamp(atMs, random), ...overrides }, { nowMs: atMs, random });
  });
}

const ask = (api: ProviderApi, log: readonly unknown[], query: Record<string, string> = {}, nowMs = T0): ApiAnswer =>
  api.answer(log, query, { url: SIM_URL, nowMs });
const bodyOf = (reply: ApiAnswer): any => reply.body;
/** The query a request carries, as the simulator's server hands it to `answer`. */
const queryOf = (request: ProviderRequest): Record<string, string> => Object.fromEntries(request.url.searchParams);

// ---------------------------------------------------------------------------------------------
// The published schema, for ajv: the SDK's types as JSON Schema (see the file's $comment).

const schemaDocument = testdata('message-attempt-out.schema.json');
const ajv = new Ajv.default({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats.default(ajv);
ajv.addSchema(schemaDocument);
const validator = (definition: string) => ajv.getSchema(`${schemaDocument.$id}#/definitions/${definition}`)!;

function expectValid(definition: string, value: unknown): void {
  const validate = validator(definition);
  const ok = validate(value);
  expect(ok ? [] : validate.errors, `${definition}: ${ajv.errorsText(validate.errors)}`).toEqual([]);
}

describe('Svix simulator: path, auth, error bodies', () => {
  it('reads APP_ID/ENDPOINT_ID from the attempts-by-endpoint path', () => {
    expect(svixApi.webhookIdFromPath(`/api/v1/app/${APP}/attempt/endpoint/${EP}`)).toBe(WEBHOOK);
    expect(svixApi.webhookIdFromPath('/api/v1/app/my-app.prod/attempt/endpoint/endpoint_1/')).toBe('my-app.prod/endpoint_1');
    expect(svixApi.webhookIdFromPath('/api/v1/app/a%2Eb/attempt/endpoint/c')).toBe('a.b/c');
    for (const path of [
      `/api/v1/app/${APP}/attempt/msg/msg_1`,
      `/api/v1/app/${APP}/endpoint/${EP}`,
      `/api/v1/app/${APP}/attempt/endpoint/`,
      `/v1/webhooks/${EP}/logs`,
      `/api/v1/app/a%2Fb/attempt/endpoint/c`, // an encoded "/" would make the webhook string ambiguous
    ]) {
      expect(svixApi.webhookIdFromPath(path), path).toBeUndefined();
    }
    expect(() => attemptsByEndpointId('/api/v1/app/%E0%A4%A/attempt/endpoint/c')).toThrow(URIError);
  });

  it('accepts its bearer token only, and answers otherwise with Svix\'s 401 body', () => {
    expect(svixApi.defaultSecret).toBe(SIM_SVIX_TOKEN);
    expect(SIM_SVIX_TOKEN.startsWith('sim-svix-')).toBe(true);
    expect(svixApi.isAuthorized({ authorization: `Bearer ${SIM_SVIX_TOKEN}` }, SIM_SVIX_TOKEN)).toBe(true);
    expect(svixApi.isAuthorized({ authorization: `bearer ${SIM_SVIX_TOKEN}` }, SIM_SVIX_TOKEN)).toBe(true);
    for (const authorization of [undefined, SIM_SVIX_TOKEN, 'Bearer wrong', `Basic ${SIM_SVIX_TOKEN}`]) {
      expect(svixApi.isAuthorized({ authorization }, SIM_SVIX_TOKEN)).toBe(false);
    }
    expect(svixApi.unauthorizedBody).toEqual(testdata('errors.json')['401']);
    expect(SVIX_NOT_FOUND_BODY).toEqual(testdata('errors.json')['404']);
    expect(svixApi.idField).toBe('id');
  });

  it('has a wrong-shape body the adapter rejects', () => {
    const adapter = createSvixAdapter({ baseUrl: SIM_URL.href, token: SIM_SVIX_TOKEN, pageSize: 250, maxPages: 10 });
    const request = adapter.firstRequest(WEBHOOK);
    expect(adapter.parsePage({ request, status: 200, headers: {}, body: svixApi.wrongShapeBody }, WEBHOOK).ok).toBe(false);
  });
});

describe('Svix simulator: query rules', () => {
  const log = attemptLog(3);

  it('answers a limit above 250 with the documented 422, word for word', () => {
    const reply = ask(svixApi, log, { limit: '251' });
    expect(reply).toEqual({ status: 422, body: testdata('errors.json')['422'] });
    expect(reply.headers).toBeUndefined();
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '-1' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ limit: '2.5' }, 'limit'],
    [{ iterator: 'nope' }, 'iterator'],
    [{ iterator: 'msg_1srOrx2ZWZBpBUvZwXKQmoEYga2' }, 'iterator'],
    [{ with_msg: 'yes' }, 'with_msg'],
    [{ with_content: '1' }, 'with_content'],
    [{ expanded_statuses: 'TRUE' }, 'expanded_statuses'],
    [{ before: 'yesterday' }, 'before'],
    [{ after: '2026-02-30T00:00:00Z' }, 'after'],
  ])('answers %j with a 422 naming %s', (query, field) => {
    const reply = ask(svixApi, log, query);
    expect(reply.status).toBe(422);
    expect(bodyOf(reply).detail).toEqual([{ loc: ['query', field], msg: expect.any(String), type: 'value_error' }]);
    expectValid('HTTPValidationError', reply.body);
  });

  it('lists every broken rule at once', () => {
    const reply = ask(svixApi, log, { limit: '999', with_msg: 'maybe' });
    expect(bodyOf(reply).detail.map((item: { loc: string[] }) => item.loc[1])).toEqual(['limit', 'with_msg']);
  });

  it('uses Svix\'s defaults for what a request leaves out: 50 attempts, content, no msg, canceled as success', () => {
    const canceled = attemptLog(60, T0, 2, { status: 4, statusText: 'canceled' });
    const body = bodyOf(ask(svixApi, canceled));
    expect(body.data).toHaveLength(50);
    expect(body.done).toBe(false);
    expect(body.data[0]).not.toHaveProperty('msg');
    expect(body.data[0]).toMatchObject({ response: '{"received":true}', status: 0, statusText: 'success' });
  });

  it('shapes attempts as the flags ask: withheld content, msg without payload, canceled kept', () => {
    const stored = attemptLog(1, T0, 3, { status: 4, statusText: 'canceled', responseStatusCode: 0, response: svixConnectError() })[0]!;
    const query = { with_msg: 'true', expanded_statuses: 'true', with_content: 'false' };
    const [shaped] = bodyOf(ask(svixApi, [stored], query)).data;
    expect(shaped).toEqual({ ...stored, response: '{}', msg: { ...stored.msg, payload: {} } });
    const [withContent] = bodyOf(ask(svixApi, [stored], { ...query, with_content: 'true' })).data;
    expect(withContent.response).toBe(svixConnectError());
  });

  it('searches the last 90 days unless before, after or an iterator says otherwise', () => {
    const old = attemptLog(1, T0 - 91 * DAY_MS, 4);
    const recent = attemptLog(1, T0 - DAY_MS, 5);
    const both = [...recent, ...old];
    expect(bodyOf(ask(svixApi, both)).data.map((a: SvixMessageAttempt) => a.id)).toEqual([recent[0]!.id]);
    const before = new Date(T0 - 2 * DAY_MS).toISOString();
    expect(bodyOf(ask(svixApi, both, { before })).data.map((a: SvixMessageAttempt) => a.id)).toEqual([old[0]!.id]);
    const after = new Date(T0 - 92 * DAY_MS).toISOString();
    expect(bodyOf(ask(svixApi, both, { after })).data.map((a: SvixMessageAttempt) => a.id)).toEqual([recent[0]!.id, old[0]!.id]);
    expect(bodyOf(ask(svixApi, both, { iterator: recent[0]!.id })).data.map((a: SvixMessageAttempt) => a.id)).toEqual([old[0]!.id]);
  });

  it('spends a per-simulator budget per clock second, then answers a bare 429 with Svix\'s error body', () => {
    const api = createSvixApi({ requestsPerSecond: 2 });
    const other = new URL('http://127.0.0.1:4011/svix');
    expect(ask(api, log).status).toBe(200);
    expect(ask(api, log).status).toBe(200);
    const limited = ask(api, log);
    expect(limited).toEqual({ status: 429, body: SVIX_RATE_LIMITED_BODY }); // no rate-limit headers: none documented
    expectValid('HttpErrorOut', limited.body);
    expect(api.answer(log, {}, { url: other, nowMs: T0 }).status).toBe(200); // another simulator
    expect(ask(api, log, {}, T0 + 1000).status).toBe(200); // the next second
  });
});

describe('Svix simulator: pages', () => {
  it('pages newest first by attempt id: iterator = last id, prevIterator = "-" + first id, done at the end', () => {
    const log = attemptLog(5);
    const ids = log.map((a) => a.id);
    expect([...ids].sort().reverse()).toEqual(ids); // ids sort by time, as Svix's KSUIDs do
    const first = bodyOf(ask(svixApi, log, { limit: '2' }));
    expect(first).toMatchObject({ iterator: ids[1], prevIterator: `-${ids[0]}`, done: false });
    expect(first.data.map((a: SvixMessageAttempt) => a.id)).toEqual(ids.slice(0, 2));
    const second = bodyOf(ask(svixApi, log, { limit: '2', iterator: first.iterator }));
    expect(second.data.map((a: SvixMessageAttempt) => a.id)).toEqual(ids.slice(2, 4));
    const last = bodyOf(ask(svixApi, log, { limit: '2', iterator: second.iterator }));
    expect(last).toMatchObject({ iterator: ids[4], prevIterator: `-${ids[4]}`, done: true });
    // A "-" iterator goes back to the newer page, still newest first.
    const newer = bodyOf(ask(svixApi, log, { limit: '2', iterator: last.prevIterator }));
    expect(newer.data.map((a: SvixMessageAttempt) => a.id)).toEqual(ids.slice(2, 4));
  });

  it('answers an empty log as Svix does: no iterator, no prevIterator, done', () => {
    const body = bodyOf(ask(svixApi, []));
    expect(body).toEqual({ data: [], iterator: null, done: true });
    expectValid('ListResponseMessageAttemptOut', body);
  });

  it('orders by id whatever order the store keeps, and finds a page\'s end when it is exactly full', () => {
    const log = attemptLog(4);
    const shuffled = [log[2], log[0], log[3], log[1]];
    const body = bodyOf(ask(svixApi, shuffled, { limit: '4' }));
    expect(body.data.map((a: SvixMessageAttempt) => a.id)).toEqual(log.map((a) => a.id));
    expect(body.done).toBe(true);
  });

  it('puts malformed test entries without an id first on the first page, so every read sees them', () => {
    const log = attemptLog(3);
    const withJunk = [log[0], 'junk', log[1], { id: 42 }, log[2]];
    const idsOf = (body: any) => body.data.map((entry: any) => (typeof entry?.id === 'string' ? entry.id : entry));
    const first = bodyOf(ask(svixApi, withJunk, { limit: '3' }));
    expect(idsOf(first)).toEqual(['junk', { id: 42 }, log[0]!.id]);
    expect(first.iterator).toBe(log[0]!.id);
    const second = bodyOf(ask(svixApi, withJunk, { limit: '3', iterator: first.iterator }));
    expect(idsOf(second)).toEqual([log[1]!.id, log[2]!.id]);
    expect(second.done).toBe(true);
    // A first page of nothing but junk still leads on to the attempts.
    const onlyJunk = bodyOf(ask(svixApi, withJunk, { limit: '2' }));
    expect(onlyJunk).toMatchObject({ data: ['junk', { id: 42 }], done: false });
    expect(idsOf(bodyOf(ask(svixApi, withJunk, { limit: '2', iterator: onlyJunk.iterator })))).toEqual([log[0]!.id, log[1]!.id]);
  });

  it('builds attempts with realistic ids, nanosecond timestamps, a tokened receiver URL and a consistent statusText', () => {
    const random = mulberry32(9);
    const attempt = svixAttempt({ status: 2, responseStatusCode: 0, response: svixConnectError() }, { nowMs: T0, random });
    expect(attempt.id).toMatch(/^atmpt_[A-Za-z0-9]{27}$/);
    expect(attempt.msgId).toMatch(/^msg_[A-Za-z0-9]{27}$/);
    expect(attempt.msg?.id).toBe(attempt.msgId);
    expect(attempt.timestamp).toMatch(/^2026-01-05T12:00:00\.000\d{6}Z$/);
    expect(attempt).toMatchObject({ statusText: 'fail', url: SIM_SVIX_RECEIVER_URL });
    expect(attempt.url).toContain(SIM_RECEIVER_TOKEN);
    expect(svixId('atmpt', T0, () => 0)).toBe('atmpt_' + svixId('x', T0, () => 0).slice(2)); // same KSUID for the same instant and bytes
    expect(svixId('atmpt', T0 + 4, () => 0) > svixId('atmpt', T0, () => 0.999)).toBe(true); // 1/256 s later sorts later
    // The adapter never lets the receiver's token out, not even through the error text.
    const read = normalize(attempt, WEBHOOK);
    expect(read.ok && read.attempt.errorMessage).toContain('https://hooks.partner.example/svix/events)');
    expect(JSON.stringify(read)).not.toContain(SIM_RECEIVER_TOKEN);
  });
});

describe('Svix simulator read by the real adapter', () => {
  it('counts every attempt exactly once while new attempts arrive at the head between pages', () => {
    let clock = T0;
    const random = mulberry32(11);
    const log: SvixMessageAttempt[] = attemptLog(620, T0, 12);
    const arrive = (count: number) => {
      for (let i = 0; i < count; i++) {
        clock += 250;
        log.unshift(svixAttempt({ endpointId: EP, timestamp: svixTimestamp(clock, random) }, { nowMs: clock, random }));
      }
    };
    const before = log.map((a) => a.id);
    const adapter = createSvixAdapter({ baseUrl: SIM_URL.href, token: SIM_SVIX_TOKEN, pageSize: 100, maxPages: 50 });
    const reads = new Map<string, number>();
    let request: ProviderRequest | undefined = adapter.firstRequest(WEBHOOK);
    let pages = 0;
    while (request !== undefined) {
      // What the simulator's server would do with this request: the path below /svix, the token, the query.
      expect(svixApi.webhookIdFromPath(request.url.pathname.slice(SIM_URL.pathname.length))).toBe(WEBHOOK);
      expect(svixApi.isAuthorized({ authorization: request.headers.authorization }, SIM_SVIX_TOKEN)).toBe(true);
      const reply = svixApi.answer(log, queryOf(request), { url: request.url, nowMs: clock });
      expect(reply.status).toBe(200);
      expectValid('ListResponseMessageAttemptOut', reply.body);
      const page = adapter.parsePage({ request, status: reply.status, headers: reply.headers ?? {}, body: reply.body }, WEBHOOK);
      if (!page.ok) throw new Error(page.problem);
      expect(page.invalid).toEqual([]);
      for (const attempt of page.attempts) reads.set(attempt.logId, (reads.get(attempt.logId) ?? 0) + 1);
      pages += 1;
      arrive(37);
      request = page.next;
    }
    expect(pages).toBe(7);
    expect([...reads.values()].every((n) => n === 1)).toBe(true);
    expect([...reads.keys()]).toEqual(before); // all of them, in order, none of those that arrived meanwhile
  });

  it('through the poller: counts once across polls, holds pending and sending until they finish, never counts canceled', async () => {
    let clock = T0;
    const random = mulberry32(21);
    const log: SvixMessageAttempt[] = attemptLog(300, T0, 22);
    const add = (fields: Partial<SvixMessageAttempt>) => {
      clock += 500;
      const attempt = svixAttempt({ endpointId: EP, timestamp: svixTimestamp(clock, random), ...fields }, { nowMs: clock, random });
      log.unshift(attempt);
      return attempt;
    };
    const pending = add({ status: 1, statusText: 'pending', responseStatusCode: 0, response: '' });
    const sending = add({ status: 3, statusText: 'sending', responseStatusCode: 0, response: '' });
    const canceled = add({ status: 4, statusText: 'canceled', responseStatusCode: 0 });
    const resent = add({ triggerType: 1 });
    let arriving = 0;
    const fetch: Fetch = async (request) => {
      const reply = svixApi.answer(log, queryOf(request), { url: request.url, nowMs: clock });
      for (let i = 0; i < arriving; i++) add({});
      return { kind: 'ok', code: String(reply.status), status: reply.status, headers: reply.headers ?? {}, body: reply.body };
    };
    const adapter = createSvixAdapter({ baseUrl: SIM_URL.href, token: SIM_SVIX_TOKEN, pageSize: 50, maxPages: 20 });
    const checkpoint = new Checkpoint();
    const settings = { source: 'svix-test', webhookId: WEBHOOK, startFrom: 'backfill' as const, lookbackMs: 5 * 60_000 };
    const poll = async () => {
      const recorder = recordingRecorder();
      const result = await readLog(settings, { adapter, checkpoint, recorder, fetch });
      expect(result.failure).toBeUndefined();
      return { recorder, result };
    };

    arriving = 3; // three new attempts after every request of the first poll
    const first = await poll();
    expect(first.recorder.counted).toHaveLength(301); // 300 + the re-send: not the pending, sending or canceled one
    expect(new Set(first.recorder.counted).size).toBe(301);
    expect(first.recorder.counted).not.toContain(canceled.id);
    expect(first.recorder.pending).toBe(2);
    expect(first.result.counted.find((a) => a.logId === resent.id)?.attemptNumber).toBe(2);

    arriving = 0;
    Object.assign(pending, { status: 0, statusText: 'success', responseStatusCode: 204, response: '' });
    Object.assign(sending, { status: 2, statusText: 'fail', responseStatusCode: 0, response: svixConnectError() });
    const second = await poll();
    const arrivedMeanwhile = first.result.pages * 3;
    expect(second.recorder.counted).toHaveLength(arrivedMeanwhile + 2);
    expect(second.recorder.counted).toEqual(expect.arrayContaining([pending.id, sending.id]));
    expect(second.recorder.counted.some((id) => first.recorder.counted.includes(id))).toBe(false);
    expect(second.recorder.pending).toBe(0);
    const failed = second.result.counted.find((a) => a.logId === sending.id)!;
    // with_content=false: Svix withholds the error text along with the receiver's body.
    expect(failed).toMatchObject({ status: 'failed', httpStatusCode: undefined, errorMessage: undefined });

    const third = await poll();
    expect(third.recorder.counted).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Validation against the published schema: Svix's official SDK reads our answers over HTTP.

/** A loopback server that answers as the simulator's server would, from `api` over `log()`. */
async function serveSvix(api: ProviderApi, log: () => readonly unknown[], raw = new Map<string, unknown>()): Promise<{ server: Server; url: string }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (raw.has(url.pathname)) return send(200, raw.get(url.pathname));
    const webhookId = api.webhookIdFromPath(url.pathname);
    if (webhookId !== WEBHOOK) return send(404, SVIX_NOT_FOUND_BODY);
    if (!api.isAuthorized(req.headers, SIM_SVIX_TOKEN)) return send(401, api.unauthorizedBody);
    const reply = api.answer(log(), Object.fromEntries(url.searchParams), { url, nowMs: T0 });
    send(reply.status, reply.body, reply.headers);
  });
  return { server, url: await listenOnLoopback(server) };
}

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  servers = [];
});
async function sdkAgainst(api: ProviderApi, log: () => readonly unknown[], raw?: Map<string, unknown>, token = SIM_SVIX_TOKEN): Promise<Svix> {
  const { server, url } = await serveSvix(api, log, raw);
  servers.push(server);
  return new Svix(token, { serverUrl: url });
}

const STATUS_VALUES = Object.values(MessageStatus).filter((value) => typeof value === 'number');
const TRIGGER_VALUES = Object.values(MessageAttemptTriggerType).filter((value) => typeof value === 'number');

/** What the SDK made of one attempt, field by field, against the JSON it was given and what our adapter reads. */
function expectSdkAttempt(parsed: MessageAttemptOut, raw: any): void {
  for (const field of ['id', 'msgId', 'endpointId', 'url', 'response'] as const) expect(typeof parsed[field], field).toBe('string');
  expect(Number.isInteger(parsed.responseStatusCode)).toBe(true);
  expect(Number.isInteger(parsed.responseDurationMs)).toBe(true);
  expect(STATUS_VALUES).toContain(parsed.status);
  expect(parsed.statusText).toBe(MessageStatusText[MessageStatus[parsed.status] as keyof typeof MessageStatusText]);
  expect(TRIGGER_VALUES).toContain(parsed.triggerType);
  expect(parsed.timestamp).toBeInstanceOf(Date);
  expect(Number.isNaN(parsed.timestamp.getTime())).toBe(false);
  // The SDK's Date and our reader agree on the nanosecond timestamp, to the millisecond.
  expect(parsed.timestamp.getTime()).toBe(parseIsoTimestamp(raw.timestamp));
  expect(parsed).toMatchObject({
    id: raw.id,
    msgId: raw.msgId,
    endpointId: raw.endpointId,
    url: raw.url,
    response: raw.response,
    responseStatusCode: raw.responseStatusCode,
    responseDurationMs: raw.responseDurationMs,
    status: raw.status,
    triggerType: raw.triggerType,
  });
  if (raw.msg == null) {
    expect(parsed.msg ?? undefined).toBeUndefined();
  } else {
    expect(parsed.msg).toMatchObject({ id: raw.msg.id, eventType: raw.msg.eventType, payload: raw.msg.payload });
    expect(parsed.msg!.timestamp.getTime()).toBe(parseIsoTimestamp(raw.msg.timestamp));
  }
  const read = normalize(raw, WEBHOOK);
  if (parsed.status === MessageStatus.Canceled) expect(read).toEqual({ ok: false, reason: 'unknown_status' }); // dropped before normalising
  else expect(read.ok && read.attempt.createdAtMs).toBe(parsed.timestamp.getTime());
}

describe('Svix simulator against the published schema', () => {
  /** Every kind of attempt the simulator stores: each status, both trigger types, with and without a response. */
  function variedLog(): SvixMessageAttempt[] {
    const random = mulberry32(31);
    const at = (i: number) => ({ nowMs: T0 - i * 1000, random });
    return [
      svixAttempt({ endpointId: EP }, at(0)),
      svixAttempt({ endpointId: EP, status: 2, responseStatusCode: 503, response: 'Service Unavailable' }, at(1)),
      svixAttempt({ endpointId: EP, status: 2, responseStatusCode: 0, responseDurationMs: 15000, response: svixConnectError() }, at(2)),
      svixAttempt({ endpointId: EP, status: 1, responseStatusCode: 0, response: '', responseDurationMs: 0 }, at(3)),
      svixAttempt({ endpointId: EP, status: 3, responseStatusCode: 0, response: '', responseDurationMs: 0 }, at(4)),
      svixAttempt({ endpointId: EP, status: 4, responseStatusCode: 0, response: '' }, at(5)),
      svixAttempt({ endpointId: EP, triggerType: 1, eventType: 'user.signup' }, at(6)),
      svixAttempt({ endpointId: EP, status: 2, responseStatusCode: 302, response: '' }, at(7)),
    ];
  }

  const FLAG_SETS: Array<Record<string, string>> = [
    { with_msg: 'true', expanded_statuses: 'true', with_content: 'false' }, // what the adapter asks
    { with_msg: 'true', expanded_statuses: 'true', with_content: 'true' }, // the adapter with bodies
    {}, // Svix's defaults
    { with_msg: 'false', expanded_statuses: 'false' },
  ];

  it.each(FLAG_SETS)('every page the simulator produces validates (%j)', (flags) => {
    const log = variedLog();
    let iterator: string | undefined;
    do {
      const body = bodyOf(ask(svixApi, log, { ...flags, limit: '3', ...(iterator ? { iterator } : {}) }));
      expectValid('ListResponseMessageAttemptOut', body);
      iterator = body.done ? undefined : body.iterator;
    } while (iterator !== undefined);
  });

  it('every error body the simulator produces validates', () => {
    expectValid('HttpErrorOut', svixApi.unauthorizedBody);
    expectValid('HttpErrorOut', SVIX_NOT_FOUND_BODY);
    expectValid('HttpErrorOut', SVIX_RATE_LIMITED_BODY);
    expectValid('HTTPValidationError', ask(svixApi, [], { limit: '251', iterator: 'x', with_msg: 'x', before: 'x' }).body);
  });

  it('the published samples validate, and a broken attempt does not (the schema is not vacuous)', () => {
    expectValid('ListResponseMessageAttemptOut', testdata('attempts-by-endpoint.json'));
    expectValid('MessageAttemptOut', testdata('attempt-failed-item.composed.json'));
    const errors = testdata('errors.json');
    for (const status of ['400', '401', '403', '404']) expectValid('HttpErrorOut', errors[status]);
    expectValid('HTTPValidationError', errors['422']);

    const validate = validator('MessageAttemptOut');
    const good = testdata('attempt-failed-item.composed.json');
    for (const broken of [
      { ...good, status: 5 },
      { ...good, statusText: 'failed' },
      { ...good, id: 'a1' },
      { ...good, timestamp: 'yesterday' },
      { ...good, responseStatusCode: '500' },
      { ...good, extra: true },
      (({ msgId: _, ...rest }) => rest)(good),
    ]) {
      expect(validate(broken), JSON.stringify(broken)).toBe(false);
    }
  });

  it('the JSON Schema says what the SDK\'s types say: the same fields, the same required ones, the same enums', () => {
    const declarations = readFileSync(new URL('../../node_modules/svix/dist/index.d.mts', import.meta.url), 'utf8');
    const fieldsOf = (name: string) => {
      const block = new RegExp(`interface ${name} \\{\\n([\\s\\S]*?)\\n\\}`).exec(declarations)?.[1];
      if (block === undefined) throw new Error(`no interface ${name} in the SDK's types`);
      const fields = [...block.matchAll(/^ {2}(\w+)(\??):/gm)];
      return { all: fields.map((m) => m[1]).sort(), required: fields.filter((m) => m[2] === '').map((m) => m[1]).sort() };
    };
    for (const name of ['ListResponseMessageAttemptOut', 'MessageAttemptOut', 'MessageOut']) {
      const schema = schemaDocument.definitions[name];
      expect(Object.keys(schema.properties).sort(), name).toEqual(fieldsOf(name).all);
      expect([...schema.required].sort(), name).toEqual(fieldsOf(name).required);
    }
    expect(schemaDocument.definitions.MessageStatus.enum).toEqual(STATUS_VALUES);
    expect(schemaDocument.definitions.MessageStatusText.enum).toEqual(Object.values(MessageStatusText));
    expect(schemaDocument.definitions.MessageAttemptTriggerType.enum).toEqual(TRIGGER_VALUES);
  });

  it('the SDK reads every page of the simulator, as the adapter asks for them, field by field', async () => {
    const log = variedLog();
    const sdk = await sdkAgainst(svixApi, () => log);
    const seen: string[] = [];
    let iterator: string | null | undefined;
    do {
      const page = await sdk.messageAttempt.listByEndpoint(APP, EP, { limit: 3, iterator, withMsg: true, expandedStatuses: true, withContent: false });
      expect(typeof page.done).toBe('boolean');
      for (const attempt of page.data) {
        const raw = log.find((entry) => entry.id === attempt.id)!;
        expectSdkAttempt(attempt, { ...raw, response: '{}', msg: { ...raw.msg, payload: {} } });
        seen.push(attempt.id);
      }
      iterator = page.done ? undefined : page.iterator;
    } while (iterator);
    expect(seen).toEqual(log.map((entry) => entry.id));
  });

  it('the SDK reads the simulator\'s other shapes: content, no msg, canceled as success', async () => {
    const log = variedLog();
    const sdk = await sdkAgainst(svixApi, () => log);
    const withContent = await sdk.messageAttempt.listByEndpoint(APP, EP, { withMsg: true, expandedStatuses: true, withContent: true });
    expect(withContent.data.map((a) => a.response)).toEqual(log.map((a) => a.response));
    const plain = await sdk.messageAttempt.listByEndpoint(APP, EP, { withMsg: false, expandedStatuses: false, withContent: false });
    expect(plain.data.every((a) => a.msg === undefined)).toBe(true);
    expect(plain.data.map((a) => a.status)).not.toContain(MessageStatus.Canceled);
    expect(plain.done).toBe(true);
    expect(plain.iterator).toBe(log[log.length - 1]!.id);
    expect(plain.prevIterator).toBe(`-${log[0]!.id}`);
  });

  it('the SDK reads the simulator\'s errors as Svix\'s: 401, 404, 422 and a bare 429', async () => {
    const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as ApiException<any>);
    const stranger = await sdkAgainst(svixApi, () => [], undefined, 'not-the-token');
    const unauthorized = await failure(stranger.messageAttempt.listByEndpoint(APP, EP));
    expect(unauthorized).toBeInstanceOf(ApiException);
    expect(unauthorized).toMatchObject({ code: 401, body: { code: 'authentication_failed', detail: expect.any(String) } });

    const sdk = await sdkAgainst(svixApi, () => []);
    expect(await failure(sdk.messageAttempt.listByEndpoint(APP, 'ep_unknown'))).toMatchObject({ code: 404, body: { code: 'not_found' } });
    const tooMany = await failure(sdk.messageAttempt.listByEndpoint(APP, EP, { limit: 251 }));
    expect(tooMany).toMatchObject({ code: 422, body: { detail: [{ loc: ['query', 'limit'], msg: 'Given limit must not exceed 250', type: 'value_error' }] } });

    const limitedApi = createSvixApi({ requestsPerSecond: 1 });
    const limitedSdk = await sdkAgainst(limitedApi, () => []);
    await limitedSdk.messageAttempt.listByEndpoint(APP, EP);
    const limited = await failure(limitedSdk.messageAttempt.listByEndpoint(APP, EP));
    expect(limited).toMatchObject({ code: 429, body: SVIX_RATE_LIMITED_BODY });
    expect(Object.keys(limited!.headers).filter((name) => /ratelimit|retry-after/i.test(name))).toEqual([]);
  });

  it('the SDK reads the published samples', async () => {
    const list = testdata('attempts-by-endpoint.json');
    const item = testdata('attempt-failed-item.composed.json');
    const raw = new Map<string, unknown>([
      [`/api/v1/app/${APP}/attempt/endpoint/${EP}`, list],
      [`/api/v1/app/${APP}/msg/${item.msgId}/attempt/${item.id}`, item],
    ]);
    const sdk = await sdkAgainst(svixApi, () => [], raw);
    const page = await sdk.messageAttempt.listByEndpoint(APP, EP, { withMsg: true, expandedStatuses: true, withContent: false });
    expect(page).toMatchObject({ iterator: 'iterator', prevIterator: '-iterator', done: true });
    expect(page.data).toHaveLength(1);
    expectSdkAttempt(page.data[0]!, list.data[0]);
    expect(page.data[0]!.msg).toMatchObject({ eventId: 'unique-identifier', channels: ['project_123', 'group_2'], tags: ['project_1337'] });
    const single = await sdk.messageAttempt.get(APP, item.msgId, item.id);
    expectSdkAttempt(single, item);
  });
});
