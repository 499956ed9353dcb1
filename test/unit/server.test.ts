import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type ServerDeps, type StatusDocument, type StatusWebhook } from '../../src/server/index.js';
import { httpRequest, type Reply } from '../helpers/http-request.js';
import { closeNow, listenOnLoopback } from '../helpers/loopback.js';

const POLLED_AT_MS = Date.UTC(2025, 0, 15, 10, 0, 0);
const XSS = '<script>alert(1)</script>';

let ready = false;
let snapshot: StatusDocument;
let metricsCollections = 0;
let collectionFails = false;

const deps: ServerDeps = {
  telemetry: {
    async collectExpositionChunks() {
      metricsCollections++;
      if (collectionFails) throw new Error('collection failed');
      return ['webhook_exporter_up', ' 1\n'];
    },
  },
  isReady: () => ready,
  status: () => snapshot,
};

const server = createServer(deps);
let baseUrl: string;

beforeAll(async () => {
  baseUrl = await listenOnLoopback(server);
});

afterAll(() => closeNow(server));

beforeEach(() => {
  ready = false;
  metricsCollections = 0;
  collectionFails = false;
  snapshot = {
    version: '1.2.3',
    startedAt: new Date(POLLED_AT_MS - 60_000).toISOString(),
    ready: false,
    generatedAt: new Date(POLLED_AT_MS).toISOString(),
    sources: [
      {
        name: 'baanx-prod',
        provider: 'baanx',
        webhooks: [
          webhook({ id: 'hook-1', up: false, lastPollAt: new Date(POLLED_AT_MS).toISOString(), lastError: 'HTTP 401 from provider', pending: 3 }),
          webhook({ id: 'hook-2' }),
        ],
      },
    ],
  };
});

/** A webhook with nothing in its window, as before its first poll, with `fields` over it. */
function webhook(fields: Partial<StatusWebhook> & { id: string }): StatusWebhook {
  return {
    up: null,
    lastPollAt: null,
    lastError: null,
    window: '15m',
    deliveries: { success: 0, failed: 0 },
    successRatio: null,
    durationSeconds: null,
    pending: 0,
    exhausted: 0,
    lastFailure: null,
    perMinute: Array.from({ length: 15 }, (_, i) => ({ at: new Date(POLLED_AT_MS - (14 - i) * 60_000).toISOString(), success: 0, failed: 0 })),
    ...fields,
  };
}

function request(method: string, path: string, body?: string): Promise<Reply> {
  return httpRequest(`${baseUrl}${path}`, method, body === undefined ? {} : { body });
}

describe('probes', () => {
  it('answers /healthz with 200 "ok"', async () => {
    const reply = await request('GET', '/healthz');
    expect(reply).toMatchObject({ status: 200, body: 'ok' });
    expect(reply.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('answers /readyz with 503 until ready, then 200', async () => {
    expect(await request('GET', '/readyz')).toMatchObject({ status: 503, body: 'not ready' });
    ready = true;
    expect(await request('GET', '/readyz')).toMatchObject({ status: 200, body: 'ready' });
  });

  it('answers HEAD with the status and no body', async () => {
    expect(await request('HEAD', '/healthz')).toMatchObject({ status: 200, body: '' });
    expect(await request('HEAD', '/readyz')).toMatchObject({ status: 503, body: '' });
  });
});

describe('/metrics', () => {
  it('collects from telemetry for GET and HEAD, whatever the query string', async () => {
    expect(await request('GET', '/metrics')).toMatchObject({ status: 200, body: 'webhook_exporter_up 1\n' });
    expect(await request('GET', '/metrics?name[]=x')).toMatchObject({ status: 200, body: 'webhook_exporter_up 1\n' });
    const head = await request('HEAD', '/metrics');
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(head.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(metricsCollections).toBe(3);
  });

  it('answers 500 when collection fails', async () => {
    collectionFails = true;
    const reply = await request('GET', '/metrics');
    expect(reply).toMatchObject({ status: 500, body: 'metrics collection failed\n' });
    expect(reply.headers['content-type']).toBe('text/plain; charset=utf-8');
  });
});

describe('routing', () => {
  it('answers 404 for unknown paths, whatever the method', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/metrics/'],
      ['GET', '/healthz/x'],
      ['POST', '/nope'],
    ] as const) {
      expect(await request(method, path), `${method} ${path}`).toMatchObject({ status: 404 });
    }
  });

  it('answers 405 with Allow for other methods on known paths', async () => {
    for (const [method, path] of [
      ['POST', '/metrics'],
      ['PUT', '/healthz'],
      ['DELETE', '/'],
      ['OPTIONS', '/readyz?x=1'],
    ] as const) {
      const reply = await request(method, path);
      expect(reply.status, `${method} ${path}`).toBe(405);
      expect(reply.headers.allow).toBe('GET, HEAD');
    }
    expect(metricsCollections).toBe(0);
  });

  it('refuses request bodies', async () => {
    const reply = await request('GET', '/metrics', 'x'.repeat(1024));
    expect(reply.status).toBe(413);
    expect(reply.headers.connection).toBe('close');
    expect(metricsCollections).toBe(0);
  });

  it('answers 500 when a handler throws, and keeps serving', async () => {
    snapshot = undefined as unknown as StatusDocument; // status() returning nothing makes the page throw
    expect(await request('GET', '/')).toMatchObject({ status: 500, body: 'internal error' });
    expect(await request('GET', '/healthz')).toMatchObject({ status: 200 });
  });

  it('sets request timeouts', () => {
    expect(server.headersTimeout).toBe(10_000);
    expect(server.requestTimeout).toBe(30_000);
    expect(server.keepAliveTimeout).toBe(65_000);
  });
});

describe('status page and its JSON', () => {
  it('serves the page as HTML that loads nothing from elsewhere', async () => {
    const reply = await request('GET', '/');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.headers['content-security-policy']).toContain("default-src 'none'");
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.body).toContain('baanx-prod');
    expect(reply.body).toContain('hook-1');
  });

  it('serves GET /api/v1/status as the status document, never cached', async () => {
    const reply = await request('GET', '/api/v1/status');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(reply.body)).toEqual(snapshot);
  });

  it('escapes every config and provider string on the page; the JSON carries them as data', async () => {
    const hostile = webhook({ id: XSS, lastError: `event ${XSS} "quoted" & 'single'`, lastFailure: { at: new Date(POLLED_AT_MS).toISOString(), event: XSS, httpStatusCode: '503', error: XSS } });
    snapshot = { ...snapshot, version: XSS, sources: [{ name: XSS, provider: XSS, webhooks: [hostile] }] };
    const page = await request('GET', '/');
    expect(page.body).not.toContain(XSS);
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const json = await request('GET', '/api/v1/status');
    expect(JSON.parse(json.body).sources[0].webhooks[0].lastFailure.event).toBe(XSS);
  });

  it('answers HEAD without a body', async () => {
    expect(await request('HEAD', '/?refresh=1')).toMatchObject({ status: 200, body: '' });
    expect(await request('HEAD', '/api/v1/status')).toMatchObject({ status: 200, body: '' });
  });
});
