import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type ServerDeps, type StatusSnapshot } from '../../src/server/index.js';
import { httpRequest, type Reply } from '../helpers/http-request.js';

const POLLED_AT_MS = Date.UTC(2025, 0, 15, 10, 0, 0);
const XSS = '<script>alert(1)</script>';

let ready = false;
let snapshot: StatusSnapshot;
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  ready = false;
  metricsCollections = 0;
  collectionFails = false;
  snapshot = {
    version: '1.2.3',
    startedAtMs: POLLED_AT_MS - 60_000,
    sources: [
      {
        name: 'baanx-prod',
        provider: 'baanx',
        webhooks: [
          {
            id: 'hook-1',
            lastPollAtMs: POLLED_AT_MS,
            lastResult: 'error',
            lastError: 'HTTP 401 from provider',
            entriesCounted: 42,
            pending: 3,
          },
          { id: 'hook-2', entriesCounted: 0, pending: 0 },
        ],
      },
    ],
  };
});

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
    snapshot = undefined as unknown as StatusSnapshot; // status() returning nothing makes the page throw
    expect(await request('GET', '/')).toMatchObject({ status: 500, body: 'internal error' });
    expect(await request('GET', '/healthz')).toMatchObject({ status: 200 });
  });

  it('sets request timeouts', () => {
    expect(server.headersTimeout).toBe(10_000);
    expect(server.requestTimeout).toBe(30_000);
    expect(server.keepAliveTimeout).toBe(65_000);
  });
});

describe('status page', () => {
  it('shows each source and webhook with its last poll, result, error, entries counted and pending', async () => {
    const reply = await request('GET', '/');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.headers['content-security-policy']).toContain("default-src 'none'");
    const rows = reply.body.match(/<tr>.*<\/tr>/g) ?? [];
    expect(rows.slice(1)).toEqual([
      '<tr><td>hook-1</td><td><time>2025-01-15T10:00:00.000Z</time></td><td>error</td>' +
        '<td><span class="error">HTTP 401 from provider</span></td><td>42</td><td>3</td></tr>',
      '<tr><td>hook-2</td><td>not yet</td><td></td><td></td><td>0</td><td>0</td></tr>',
    ]);
    expect(reply.body).toContain('<h2>baanx-prod (baanx)</h2>');
    expect(reply.body).toContain('1.2.3');
    for (const link of ['metrics', 'healthz', 'readyz']) expect(reply.body).toContain(`<a href="${link}">`);
    expect(reply.body).toContain('Not ready');
  });

  it('escapes every config and provider string', async () => {
    snapshot = {
      version: XSS,
      startedAtMs: POLLED_AT_MS,
      sources: [
        {
          name: XSS,
          provider: XSS,
          webhooks: [{ id: XSS, lastError: `event ${XSS} "quoted" & 'single'`, entriesCounted: 1, pending: 0 }],
        },
      ],
    };
    const reply = await request('GET', '/');
    expect(reply.body).not.toContain('<script');
    // Version, source name, provider, webhook id and error: five escaped copies.
    expect(reply.body.split('&lt;script&gt;alert(1)&lt;/script&gt;')).toHaveLength(6);
    expect(reply.body).toContain('&quot;quoted&quot; &amp; &#39;single&#39;');
  });

  it('answers HEAD without a body', async () => {
    expect(await request('HEAD', '/?refresh=1')).toMatchObject({ status: 200, body: '' });
  });
});
