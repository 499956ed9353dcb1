// Traces end to end, as a user runs them: the CLI's `once` in a child process, configured by OTEL_*
// environment variables only, exporting to a real OTLP/HTTP receiver on loopback, against the
// provider simulator. Both encodings (http/json and http/protobuf) go through the same assertions.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  ProviderSimulator,
  SIM_DEFAULT_RECEIVER_URL,
  SIM_RECEIVER_PASSWORD,
  SIM_RECEIVER_TOKEN,
  SIM_SECRETS,
  baanxEntry,
  salesfinityEntry,
} from '../../src/simulator/index.js';
import { finished, spawnCli } from '../helpers/cli.js';
import { configFor, type SourceSpec } from '../helpers/harness.js';
import { decodeTraceRequest, type OtlpKeyValue, type OtlpSpan, type OtlpTraceRequest } from './helpers/otlp-protobuf.js';
import { OtlpReceiver, type OtlpRequest } from './helpers/otlp-receiver.js';


// OTLP enums as numbers on the wire.
const SPAN_KIND_INTERNAL = 1;
const SPAN_KIND_CLIENT = 3;
const STATUS_ERROR = 2;

/** Twenty minutes ago, with a millisecond part, so "to the millisecond" means something. */
const BASE_MS = Math.floor(Date.now() / 1000) * 1000 - 20 * 60_000 + 123;
const at = (seconds: number): string => new Date(BASE_MS + seconds * 1000).toISOString();

/** In bodies only: seeing one in an export means a body was exported. */
const REQUEST_BODY_MARK = 'request-body-mark-31c7';
const RESPONSE_BODY_MARK = 'response-body-mark-8a2d';
const LONG_RESPONSE_BODY = `{"received":true,"note":"${RESPONSE_BODY_MARK}","padding":"${'z'.repeat(60)}"}`;
/** Longer than the 256 characters an error message is cut to, and carrying the receiver URL's token. */
const LONG_ERROR = `receiver ${SIM_DEFAULT_RECEIVER_URL} answered 503: ${'upstream busy; '.repeat(30)}`;
const MAX_BODY_BYTES = 16;

// Baanx webhook `bx-orders`: event A fails twice, then succeeds; event B is still pending; event C is
// exhausted at attempt 6; one entry is unreadable.
const EVENT_A = '4a1e0c1e-8d5b-4c57-9d0e-aaaaaaaaaaaa';
const EVENT_C = '4a1e0c1e-8d5b-4c57-9d0e-cccccccccccc';
const baanxBody = (eventType: string) => ({ eventType, marker: REQUEST_BODY_MARK });
const a1 = baanxEntry({
  eventId: EVENT_A,
  attemptNumber: 1,
  requestBody: baanxBody('card.settled'),
  deliveryStatus: 'failed',
  responseStatus: 503,
  responseBody: 'busy',
  durationMs: 2_500,
  errorMessage: LONG_ERROR,
  createdAt: at(0),
  nextRetryAt: at(60),
});
const a2 = baanxEntry({
  eventId: EVENT_A,
  attemptNumber: 2,
  requestBody: baanxBody('card.settled'),
  deliveryStatus: 'failed',
  responseStatus: null,
  responseBody: null,
  durationMs: null,
  errorMessage: 'connection timeout',
  createdAt: at(60),
  nextRetryAt: at(360),
});
const a3 = baanxEntry({
  eventId: EVENT_A,
  attemptNumber: 3,
  requestBody: baanxBody('card.settled'),
  // Credentials in the user info and a token in the query: neither may leave the exporter.
  requestUrl: `https://hook-user:${SIM_RECEIVER_PASSWORD}@hooks.partner.example/baanx/events?token=${SIM_RECEIVER_TOKEN}`,
  responseBody: LONG_RESPONSE_BODY,
  durationMs: 145,
  createdAt: at(360),
});
const b1 = baanxEntry({
  requestBody: baanxBody('kyc.status.changed'),
  deliveryStatus: 'pending',
  responseStatus: null,
  responseBody: null,
  durationMs: null,
  createdAt: at(400),
});
const c6 = baanxEntry({
  eventId: EVENT_C,
  attemptNumber: 6,
  requestBody: baanxBody('card.declined'),
  deliveryStatus: 'failed',
  responseStatus: 500,
  responseBody: 'Internal Server Error',
  durationMs: 80,
  errorMessage: 'Internal Server Error',
  createdAt: at(200),
  nextRetryAt: null,
});
const unreadable = { id: 'unreadable-1', deliveryStatus: 'success', createdAt: 'yesterday' };

// Salesfinity webhook `sf-calls`: a success, a 500 and an attempt with no response at all.
const salesfinityBody = { event: 'CALL_LOGGED', payload: { marker: REQUEST_BODY_MARK } };
const s1 = salesfinityEntry({ request: { body: salesfinityBody }, response: { code: 200, body: { marker: RESPONSE_BODY_MARK } }, responseTime: 245, createdAt: at(10) });
const s2 = salesfinityEntry({ request: { body: salesfinityBody }, status: 'failed', response: { code: 500, body: 'oops' }, responseTime: 1_200, createdAt: at(20) });
const s3 = salesfinityEntry({ request: { body: salesfinityBody }, status: 'failed', response: undefined, responseTime: undefined, createdAt: at(30) });

// Salesfinity webhook `sf-bulk`: more new entries in one poll than a span holds events (128).
const BULK_SIZE = 150;
const SPAN_EVENT_LIMIT = 128;
const bulk = Array.from({ length: BULK_SIZE }, (_, i) => salesfinityEntry({ createdAt: at(500 + i) }));

const FINISHED_BAANX = [a1, a2, a3, c6];
const FINISHED_SALESFINITY = [s1, s2, s3];

type AttributeValue = string | number | boolean | undefined;
type Attributes = Record<string, AttributeValue>;

interface ExportedSpan extends OtlpSpan {
  attrs: Attributes;
  resource: Attributes;
}

interface ExportRun {
  code: number | null;
  stderr: string;
  requests: OtlpRequest[];
  connections: number;
  spans: ExportedSpan[];
}

let sim: ProviderSimulator;
let dir: string;

beforeAll(async () => {
  sim = await ProviderSimulator.start();
  sim.addWebhook('baanx', 'bx-orders');
  sim.append('baanx', 'bx-orders', [a1, a2, a3, b1, c6, unreadable]);
  // A webhook whose log cannot be read: its poll span is an error.
  sim.setFault('baanx', 'bx-down', { kind: 'status', status: 500 });
  sim.addWebhook('salesfinity', 'sf-calls');
  sim.append('salesfinity', 'sf-calls', [s1, s2, s3]);
  sim.addWebhook('salesfinity', 'sf-bulk');
  sim.append('salesfinity', 'sf-bulk', bulk);
  dir = await mkdtemp(join(tmpdir(), 'wle-tracing-'));
});

afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

const BASE_SOURCES: SourceSpec[] = [
  { name: 'bx', provider: 'baanx', webhooks: ['bx-orders', 'bx-down'] },
  { name: 'sf', provider: 'salesfinity', webhooks: ['sf-calls', 'sf-bulk'] },
];

/** The harness config, with `traces` set on every source when given. */
function configWith(
  sources: SourceSpec[],
  extra: { stateFile?: string; startFrom?: 'now' | 'backfill'; traces?: object } = {},
): Record<string, unknown> {
  const config = configFor(sim, { sources, stateFile: extra.stateFile, startFrom: extra.startFrom });
  const configured = config.sources as Array<Record<string, unknown>>;
  return { ...config, sources: configured.map((source) => (extra.traces ? { ...source, traces: extra.traces } : source)) };
}

let configCount = 0;
/** Runs `once` against a fresh receiver with exactly these OTEL_* variables; returns what arrived. */
async function exportOnce(config: Record<string, unknown>, env: Record<string, string>): Promise<ExportRun> {
  const configFile = join(dir, `config-${++configCount}.json`);
  await writeFile(configFile, JSON.stringify(config));
  const receiver = await OtlpReceiver.start();
  try {
    const { code, stderr } = await runOnce(configFile, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env });
    const requests = [...receiver.requests];
    return { code, stderr, requests, connections: receiver.connections, spans: requests.flatMap(spansOf) };
  } finally {
    await receiver.close();
  }
}

function runOnce(configFile: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return finished(spawnCli(['once', '--config', configFile], env));
}



function spansOf(request: OtlpRequest): ExportedSpan[] {
  if (request.path !== '/v1/traces') return [];
  const body: OtlpTraceRequest = request.contentType?.includes('json')
    ? (JSON.parse(request.body.toString('utf8')) as OtlpTraceRequest)
    : decodeTraceRequest(request.body);
  return body.resourceSpans.flatMap((resourceSpans) => {
    const resource = attributesOf(resourceSpans.resource.attributes);
    return resourceSpans.scopeSpans.flatMap((scope) => scope.spans.map((span) => ({ ...span, attrs: attributesOf(span.attributes), resource })));
  });
}

function attributesOf(list: readonly OtlpKeyValue[] = []): Attributes {
  return Object.fromEntries(
    list.map(({ key, value }) => [
      key,
      // OTLP/JSON may write int64 as a string; compare numbers either way.
      value.stringValue ?? (value.intValue === undefined ? undefined : Number(value.intValue)) ?? value.boolValue ?? value.doubleValue,
    ]),
  );
}

const deliverySpans = (run: ExportRun) => run.spans.filter((span) => span.name === 'POST');
const pollSpans = (run: ExportRun) => run.spans.filter((span) => span.name === 'webhook.poll');

function spanFor(run: ExportRun, logId: string): ExportedSpan {
  const matches = deliverySpans(run).filter((span) => span.attrs['webhook.log.id'] === logId);
  expect(matches, `spans for log entry ${logId}`).toHaveLength(1);
  return matches[0]!;
}

function pollSpanFor(run: ExportRun, webhookId: string): ExportedSpan {
  const matches = pollSpans(run).filter((span) => span.attrs['webhook.id'] === webhookId);
  expect(matches, `poll spans for ${webhookId}`).toHaveLength(1);
  return matches[0]!;
}

function eventsNamed(span: OtlpSpan, name: string) {
  return span.events.filter((event) => event.name === name).map((event) => ({ ...event, attrs: attributesOf(event.attributes) }));
}

/** The documented trace id: the first 16 bytes of sha256(`${source}\0${key}`), as hex. */
function expectedTraceId(source: string, key: string): string {
  return createHash('sha256').update(`${source}\0${key}`).digest('hex').slice(0, 32);
}

/** Nanoseconds (decimal string) to milliseconds, rounded: ns since 1970 exceed a double's exact range. */
const toMs = (nanos: string): number => Number((BigInt(nanos) + 500_000n) / 1_000_000n);

/** Every exported byte, as text: protobuf stores strings verbatim, so a substring search covers both encodings. */
const exportedText = (run: ExportRun): string => run.requests.map((request) => request.body.toString('utf8')).join('\n');

function expectNoSecrets(run: ExportRun): void {
  expect(deliverySpans(run).length, 'spans to search').toBeGreaterThan(0);
  const text = exportedText(run);
  for (const secret of SIM_SECRETS) expect(text).not.toContain(secret);
  // Request headers (X-Signature, X-Timestamp, Content-Type of the delivery) are never exported.
  for (const header of ['X-Signature', 'X-Timestamp', 'authorization', 'x-api-key']) expect(text.toLowerCase()).not.toContain(header.toLowerCase());
  expect(text).not.toContain('?token=');
}

describe.each([
  { protocol: 'http/json', contentType: 'application/json' },
  { protocol: 'http/protobuf', contentType: 'application/x-protobuf' },
])('traces over $protocol', ({ protocol, contentType }) => {
  let run: ExportRun;

  beforeAll(async () => {
    run = await exportOnce(configWith(BASE_SOURCES), {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol,
      OTEL_SERVICE_NAME: 'wle-tracing-test',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=ci,team=payments',
    });
  });

  it('arrives at /v1/traces in that encoding, flushed before `once` exits', () => {
    expect(run.code, run.stderr).toBe(0);
    const traces = run.requests.filter((request) => request.path === '/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    for (const request of traces) expect(request.contentType).toContain(contentType);
    expect(run.connections).toBeGreaterThan(0);
  });

  it('exports exactly one CLIENT span per finished attempt and none for pending ones', () => {
    const finished = [...FINISHED_BAANX.map((e) => e.id), ...FINISHED_SALESFINITY.map((e) => e._id), ...bulk.map((e) => e._id)];
    const exported = deliverySpans(run).map((span) => span.attrs['webhook.log.id']);
    expect(exported).toHaveLength(finished.length);
    expect(new Set(exported)).toEqual(new Set(finished));
    expect(exported).not.toContain(b1.id);
    for (const span of deliverySpans(run)) {
      expect(span.kind).toBe(SPAN_KIND_CLIENT);
      expect(span.attrs['http.request.method']).toBe('POST');
    }
  });

  it('puts every attempt of one event in one trace whose id derives from (source, event id)', () => {
    const traceA = expectedTraceId('bx', EVENT_A);
    for (const entry of [a1, a2, a3]) expect(spanFor(run, entry.id).traceId).toBe(traceA);
    expect(spanFor(run, c6.id).traceId).toBe(expectedTraceId('bx', EVENT_C));
    // Salesfinity has no event id: each log entry is its own trace.
    for (const entry of FINISHED_SALESFINITY) expect(spanFor(run, entry._id).traceId).toBe(expectedTraceId('sf', entry._id));
    // Each attempt is a root span of its event's trace: no parent that would never arrive.
    for (const span of deliverySpans(run)) expect(span.parentSpanId || undefined).toBeUndefined();
    const spanIds = deliverySpans(run).map((span) => span.spanId);
    expect(new Set(spanIds).size).toBe(spanIds.length);
  });

  it('starts each span at createdAt and ends it after the reported duration, to the millisecond', () => {
    const cases: Array<[string, string, number]> = [
      [a1.id, a1.createdAt, 2_500],
      [a2.id, a2.createdAt, 0], // no response: no duration
      [a3.id, a3.createdAt, 145],
      [c6.id, c6.createdAt, 80],
      [s1._id, s1.createdAt, 245],
      [s2._id, s2.createdAt, 1_200],
      [s3._id, s3.createdAt, 0],
    ];
    for (const [logId, createdAt, durationMs] of cases) {
      const span = spanFor(run, logId);
      expect(toMs(span.startTimeUnixNano), logId).toBe(Date.parse(createdAt));
      expect(toMs(span.endTimeUnixNano) - toMs(span.startTimeUnixNano), logId).toBe(durationMs);
    }
  });

  it('marks failed attempts ERROR with error.type, and follows the HTTP client conventions', () => {
    for (const [logId, errorType] of [
      [a1.id, '503'],
      [a2.id, 'timeout'],
      [c6.id, '500'],
      [s2._id, '500'],
      // No response and no error text to say why: the semantic conventions' fallback.
      [s3._id, '_OTHER'],
    ] as const) {
      const span = spanFor(run, logId);
      expect(span.status.code, logId).toBe(STATUS_ERROR);
      expect(span.attrs['error.type'], logId).toBe(errorType);
    }
    for (const logId of [a3.id, s1._id]) {
      const span = spanFor(run, logId);
      expect(span.status.code ?? 0, logId).not.toBe(STATUS_ERROR);
      expect(span.attrs['error.type'], logId).toBeUndefined();
    }
    expect(spanFor(run, a1.id).attrs).toMatchObject({
      'url.full': 'https://hooks.partner.example/baanx/events',
      'server.address': 'hooks.partner.example',
      'http.response.status_code': 503,
      'webhook.source': 'bx',
      'webhook.provider': 'baanx',
      'webhook.id': 'bx-orders',
      'webhook.event.type': 'card.settled',
      'webhook.event.id': EVENT_A,
      'webhook.attempt': 1,
      'webhook.log.id': a1.id,
      'webhook.delivery.status': 'failed',
    });
    expect(spanFor(run, a1.id).attrs['http.request.resend_count']).toBeUndefined();
    expect(spanFor(run, a2.id).attrs['http.response.status_code']).toBeUndefined();
    expect(spanFor(run, a3.id).attrs).toMatchObject({
      // Without the user info and the query string of the logged URL.
      'url.full': 'https://hooks.partner.example/baanx/events',
      'http.request.resend_count': 2,
      'http.response.status_code': 200,
      'webhook.delivery.status': 'success',
    });
    expect(spanFor(run, c6.id).attrs).toMatchObject({ 'webhook.attempt': 6, 'http.request.resend_count': 5 });
    const salesfinity = spanFor(run, s1._id).attrs;
    expect(salesfinity).toMatchObject({ 'webhook.source': 'sf', 'webhook.provider': 'salesfinity', 'webhook.id': 'sf-calls', 'webhook.event.type': 'CALL_LOGGED', 'http.response.status_code': 200 });
    // What Salesfinity does not report is left out rather than invented.
    for (const key of ['webhook.event.id', 'webhook.attempt', 'url.full', 'http.request.resend_count']) expect(salesfinity[key], key).toBeUndefined();
  });

  it('records the response, the error and the scheduled retry as span events', () => {
    const first = spanFor(run, a1.id);
    expect(eventsNamed(first, 'webhook.response').map((event) => event.attrs)).toEqual([{ 'http.response.status_code': 503 }]);
    const [error] = eventsNamed(first, 'webhook.error');
    const message = String(error?.attrs['error.message']);
    expect(message.startsWith('receiver https://hooks.partner.example/baanx/events answered 503: upstream busy;')).toBe(true);
    expect(message).toHaveLength(256);
    const [retry] = eventsNamed(first, 'webhook.retry.scheduled');
    expect(toMs(retry!.timeUnixNano)).toBe(Date.parse(a1.nextRetryAt!));
    expect(retry!.attrs['webhook.retry.at']).toBe(new Date(Date.parse(a1.nextRetryAt!)).toISOString());

    const timedOut = spanFor(run, a2.id);
    expect(eventsNamed(timedOut, 'webhook.response')).toEqual([]);
    expect(eventsNamed(timedOut, 'webhook.error').map((event) => event.attrs)).toEqual([{ 'error.message': 'connection timeout' }]);
    expect(toMs(eventsNamed(timedOut, 'webhook.retry.scheduled')[0]!.timeUnixNano)).toBe(Date.parse(a2.nextRetryAt!));

    const delivered = spanFor(run, a3.id);
    expect(eventsNamed(delivered, 'webhook.response').map((event) => event.attrs)).toEqual([{ 'http.response.status_code': 200 }]);
    expect(eventsNamed(delivered, 'webhook.error')).toEqual([]);
    expect(eventsNamed(delivered, 'webhook.retry.scheduled')).toEqual([]);

    // Exhausted: Baanx schedules no retry.
    expect(eventsNamed(spanFor(run, c6.id), 'webhook.retry.scheduled')).toEqual([]);
  });

  it('exports one webhook.poll span per webhook with its counts and an event per new entry', () => {
    expect(pollSpans(run)).toHaveLength(4);
    const orders = pollSpanFor(run, 'bx-orders');
    expect(orders.kind).toBe(SPAN_KIND_INTERNAL);
    expect(orders.status.code ?? 0).not.toBe(STATUS_ERROR);
    expect(orders.attrs).toMatchObject({
      'webhook.source': 'bx',
      'webhook.provider': 'baanx',
      'webhook.poll.pages': 1,
      'webhook.poll.entries.read': 6,
      'webhook.poll.entries.invalid': 1,
    });
    // New means newly counted: the pending entry waits until it finishes.
    expect(orders.attrs['webhook.poll.entries.new']).toBe(FINISHED_BAANX.length);
    const entryEvents = eventsNamed(orders, 'webhook.entry');
    expect(new Set(entryEvents.map((event) => event.attrs['webhook.log.id']))).toEqual(new Set(FINISHED_BAANX.map((entry) => entry.id)));
    expect(entryEvents.find((event) => event.attrs['webhook.log.id'] === c6.id)?.attrs).toMatchObject({
      'webhook.event.type': 'card.declined',
      'webhook.delivery.status': 'failed',
    });

    const calls = pollSpanFor(run, 'sf-calls');
    expect(calls.attrs).toMatchObject({ 'webhook.poll.pages': 1, 'webhook.poll.entries.read': 3, 'webhook.poll.entries.new': 3, 'webhook.poll.entries.invalid': 0 });
    expect(new Set(eventsNamed(calls, 'webhook.entry').map((event) => event.attrs['webhook.log.id']))).toEqual(new Set(FINISHED_SALESFINITY.map((e) => e._id)));

    expect(pollSpanFor(run, 'bx-down').status.code).toBe(STATUS_ERROR);
  });

  it('keeps at most the SDK event limit of entry events on a poll span and counts the rest', () => {
    const bulkPoll = pollSpanFor(run, 'sf-bulk');
    expect(bulkPoll.attrs).toMatchObject({
      'webhook.poll.pages': 2,
      'webhook.poll.entries.read': BULK_SIZE,
      'webhook.poll.entries.new': BULK_SIZE,
      'webhook.poll.events.dropped': BULK_SIZE - SPAN_EVENT_LIMIT,
    });
    const logged = eventsNamed(bulkPoll, 'webhook.entry').map((event) => event.attrs['webhook.log.id']);
    expect(logged).toHaveLength(SPAN_EVENT_LIMIT);
    expect(new Set(logged).size).toBe(SPAN_EVENT_LIMIT);
    const bulkIds = new Set(bulk.map((entry) => entry._id));
    for (const id of logged) expect(bulkIds.has(String(id))).toBe(true);
  });

  it('describes the service by OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', () => {
    for (const span of run.spans) {
      expect(span.resource['service.name']).toBe('wle-tracing-test');
      expect(span.resource['deployment.environment.name']).toBe('ci');
      expect(span.resource['team']).toBe('payments');
    }
  });

  it('exports no secret, request header or body', () => {
    expectNoSecrets(run);
    const text = exportedText(run);
    expect(text).not.toContain(REQUEST_BODY_MARK);
    expect(text).not.toContain(RESPONSE_BODY_MARK);
    for (const span of deliverySpans(run)) {
      expect(eventsNamed(span, 'webhook.request')).toEqual([]);
      for (const event of eventsNamed(span, 'webhook.response')) expect(event.attrs['http.response.body']).toBeUndefined();
    }
  });
});

describe('traces with traces.includeBodies', () => {
  let run: ExportRun;

  beforeAll(async () => {
    const config = configWith(BASE_SOURCES, { traces: { includeBodies: true, maxBodyBytes: MAX_BODY_BYTES } });
    run = await exportOnce(config, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' });
  });

  it('adds the request and response bodies as span events, cut to maxBodyBytes', () => {
    expect(run.code, run.stderr).toBe(0);
    const responseBody = (logId: string) => eventsNamed(spanFor(run, logId), 'webhook.response')[0]?.attrs['http.response.body'];
    const requestBody = (logId: string) => eventsNamed(spanFor(run, logId), 'webhook.request')[0]?.attrs['http.request.body'];
    expect(responseBody(a1.id)).toBe('busy'); // short enough to keep whole
    // Cut bodies end in an ellipsis after at most maxBodyBytes of the original.
    expect(responseBody(a3.id)).toBe(`${LONG_RESPONSE_BODY.slice(0, MAX_BODY_BYTES)}…`);
    expect(requestBody(a1.id)).toBe(`${JSON.stringify(a1.requestBody).slice(0, MAX_BODY_BYTES)}…`);
    expect(responseBody(s1._id)).toBe(`${JSON.stringify(s1.response?.body).slice(0, MAX_BODY_BYTES)}…`);
    expect(requestBody(s1._id)).toBe(`${JSON.stringify(salesfinityBody).slice(0, MAX_BODY_BYTES)}…`);
    // Every marker sits past the first maxBodyBytes of its body: none may arrive.
    const text = exportedText(run);
    expect(text).not.toContain(REQUEST_BODY_MARK);
    expect(text).not.toContain(RESPONSE_BODY_MARK);
  });

  it('still exports no secret or request header', () => {
    expectNoSecrets(run);
  });
});

describe('traces of a described API (provider: http) with traces.includeBodies', () => {
  // The Baanx simulator read twice in one run: by the built-in, and by provider: http with the
  // shipped config/providers/baanx.yaml. Their delivery spans must carry the same receiver URL,
  // bodies, codes and events.
  let run: ExportRun;
  const traces = { includeBodies: true, maxBodyBytes: MAX_BODY_BYTES };

  beforeAll(async () => {
    const config = configWith([{ name: 'bx', provider: 'baanx', webhooks: ['bx-orders'] }], { traces });
    const builtIn = (config.sources as Array<Record<string, unknown>>)[0]!;
    const api = parseYaml(await readFile(new URL('../../config/providers/baanx.yaml', import.meta.url), 'utf8')) as unknown;
    const described = { name: 'bx-described', provider: 'http', baseUrl: builtIn.baseUrl, auth: { bearer: { token: sim.baanxToken } }, webhooks: ['bx-orders'], api, traces };
    run = await exportOnce({ ...config, sources: [builtIn, described] }, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' });
  });

  it('carries the receiver URL and the bodies, as the built-in\'s spans do', () => {
    expect(run.code, run.stderr).toBe(0);
    const spansOfSource = (source: string) => deliverySpans(run).filter((span) => span.attrs['webhook.source'] === source);
    // What a span says of its delivery, apart from the source and provider that name who read it.
    const shape = (span: ExportedSpan) => {
      const { 'webhook.source': _source, 'webhook.provider': _provider, ...attrs } = span.attrs;
      return { attrs, events: span.events.map((event) => ({ name: event.name, attrs: attributesOf(event.attributes) })) };
    };
    const byLogId = (source: string) => new Map(spansOfSource(source).map((span) => [span.attrs['webhook.log.id'], shape(span)]));
    const builtIn = byLogId('bx');
    expect(builtIn.size).toBe(FINISHED_BAANX.length);
    expect(byLogId('bx-described')).toEqual(builtIn);
    const described = byLogId('bx-described');
    expect(described.get(a1.id)?.attrs['url.full']).toBeDefined();
    expect(described.get(a1.id)?.events).toContainEqual({ name: 'webhook.response', attrs: expect.objectContaining({ 'http.response.body': 'busy' }) });
  });

  it('still exports no secret or request header', () => {
    expectNoSecrets(run);
  });
});

describe('traces with startFrom: now', () => {
  it('exports no span for what the logs held at the first read, only the poll spans', async () => {
    const run = await exportOnce(configWith(BASE_SOURCES, { startFrom: 'now' }), {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(deliverySpans(run)).toEqual([]);
    const orders = pollSpanFor(run, 'bx-orders');
    expect(orders.attrs['webhook.poll.entries.new']).toBe(0);
    expect(eventsNamed(orders, 'webhook.entry')).toEqual([]);
  });
});

describe('traces across a restart with a state file', () => {
  const EVENT_R = '4a1e0c1e-8d5b-4c57-9d0e-rrrrrrrrrrrr';
  const r1 = baanxEntry({ eventId: EVENT_R, attemptNumber: 1, deliveryStatus: 'failed', responseStatus: 502, errorMessage: 'bad gateway', createdAt: at(0), nextRetryAt: at(30) });
  const held = baanxEntry({ deliveryStatus: 'pending', responseStatus: null, durationMs: null, createdAt: at(5) });
  const r2 = baanxEntry({ eventId: EVENT_R, attemptNumber: 2, createdAt: at(30) });
  const sfBefore = salesfinityEntry({ createdAt: at(1) });
  const sfAfter = salesfinityEntry({ createdAt: at(40) });
  let first: ExportRun;
  let second: ExportRun;

  beforeAll(async () => {
    sim.addWebhook('baanx', 'bx-restart');
    sim.append('baanx', 'bx-restart', [r1, held]);
    sim.addWebhook('salesfinity', 'sf-restart');
    sim.append('salesfinity', 'sf-restart', [sfBefore]);
    const config = configWith(
      [
        { name: 'bx', provider: 'baanx', webhooks: ['bx-restart'] },
        { name: 'sf', provider: 'salesfinity', webhooks: ['sf-restart'] },
      ],
      { stateFile: join(dir, 'state.json') },
    );
    const env = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' };
    first = await exportOnce(config, env);
    // Between the two processes: a retry, a pending attempt that finished, a new Salesfinity entry.
    sim.append('baanx', 'bx-restart', [r2]);
    sim.update('baanx', 'bx-restart', held.id, { deliveryStatus: 'success', responseStatus: 200, durationMs: 90 });
    sim.append('salesfinity', 'sf-restart', [sfAfter]);
    second = await exportOnce(config, env);
  });

  it('exports each finished attempt in exactly one of the two runs', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    const logIds = (run: ExportRun) => deliverySpans(run).map((span) => span.attrs['webhook.log.id']);
    expect(logIds(first).sort()).toEqual([r1.id, sfBefore._id].sort());
    expect(logIds(second).sort()).toEqual([r2.id, held.id, sfAfter._id].sort());
  });

  it('puts a retry read by the second process in the trace of its first attempt', () => {
    expect(spanFor(second, r2.id).traceId).toBe(spanFor(first, r1.id).traceId);
    expect(spanFor(second, r2.id).traceId).toBe(expectedTraceId('bx', EVENT_R));
  });

  it('exports no secret in either run', () => {
    expectNoSecrets(first);
    expectNoSecrets(second);
  });
});

describe('traces at SIGTERM', () => {
  it('flushes the spans still buffered before `run` exits', async () => {
    const configFile = join(dir, 'config-run.json');
    await writeFile(configFile, JSON.stringify(configWith([{ name: 'sf', provider: 'salesfinity', webhooks: ['sf-calls'] }])));
    const receiver = await OtlpReceiver.start();
    try {
      const child = spawnCli(['run', '--config', configFile], {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        // Far beyond the test: only the shutdown flush can send these spans.
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      });
      const exit = finished(child);
      await untilReady(child);
      expect(receiver.requests).toEqual([]);
      child.kill('SIGTERM');
      const { code, stderr } = await exit;
      expect(code, stderr).toBe(0);
      const spans = receiver.requests.flatMap(spansOf);
      const logIds = spans.filter((span) => span.name === 'POST').map((span) => span.attrs['webhook.log.id']);
      expect(logIds.sort()).toEqual(FINISHED_SALESFINITY.map((entry) => entry._id).sort());
      expect(spans.filter((span) => span.name === 'webhook.poll')).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});

/** Resolves once `run` has finished its first poll: its log names the address, /readyz says ready. */
async function untilReady(child: ChildProcessWithoutNullStreams): Promise<void> {
  const address = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /"address":"([^"]+)"/.exec(buffered);
      if (match) resolve(match[1]!);
    });
    child.once('close', () => reject(new Error(`run exited before listening: ${buffered}`)));
  });
  for (;;) {
    const response = await fetch(`http://${address}/readyz`);
    if (response.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('tracing off', () => {
  it('with OTEL_TRACES_EXPORTER unset, nothing connects to the endpoint the other variables name', async () => {
    const run = await exportOnce(configWith(BASE_SOURCES), {
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'wle-tracing-test',
    });
    expect(run.code, run.stderr).toBe(0);
    // The receiver counts connections: the runs above prove it sees them when tracing is on.
    expect(run.connections).toBe(0);
    expect(run.requests).toEqual([]);
  });
});
