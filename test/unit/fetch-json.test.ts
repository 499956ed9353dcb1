// fetchJson against small real loopback servers: every way a provider answer can go wrong
// must come back as an outcome, never as a throw, and never with the URL in it.

import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchJson, parseRetryAfter, type FetchOptions } from '../../src/poller/fetch-json.js';

const SECRET_QUERY = 'token=fetch-json-test-secret';
const OPTIONS: FetchOptions = { timeoutMs: 300, maxResponseBytes: 1_000 };

type Route = (res: ServerResponse) => void;

/** What the server does per path; a route that never ends the response makes the client wait. */
const routes: Record<string, Route> = {
  '/ok': (res) => json(res, 200, { data: [1, 2, 3] }),
  '/not-modified': (res) => {
    res.writeHead(304, { etag: 'W/"abc"', 'x-ratelimit-remaining': '4999' });
    res.end();
  },
  // A cursor API's paging and rate-limit headers, one of them repeated.
  '/headers': (res) => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('Link', '<https://api.example/hooks?cursor=abc>; rel="next"');
    res.setHeader('X-RateLimit-Remaining', '4999');
    res.setHeader('Vary', ['Accept', 'Authorization']);
    res.end('{}');
  },
  '/503-retry-seconds': (res) => json(res, 503, { message: 'down' }, { 'retry-after': '7' }),
  '/429-retry-date': (res) => json(res, 429, { message: 'slow down' }, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }),
  '/429-retry-garbage': (res) => json(res, 429, { message: 'slow down' }, { 'retry-after': '1.5' }),
  '/500-no-retry-after': (res) => json(res, 500, { message: 'boom' }),
  '/500-huge-error-page': (res) => send(res, 500, 'text/html', 'x'.repeat(200_000)),
  '/503-body-stalls': (res) => {
    res.writeHead(503, { 'content-type': 'text/plain', 'content-length': '100', 'retry-after': '9' });
    res.write('Service Unavail');
  },
  '/stall-before-headers': () => undefined,
  '/drip': (res) => {
    // One byte every 50 ms: never idle long enough for an idle timeout, never finished either.
    res.writeHead(200, { 'content-type': 'application/json' });
    const timer = setInterval(() => res.write(' '), 50);
    res.on('close', () => clearInterval(timer));
  },
  '/stall-mid-body': (res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    res.write('{"data": [{"_id": "a"');
  },
  '/exactly-at-cap': (res) => send(res, 200, 'application/json', JSON.stringify({ pad: 'x'.repeat(OPTIONS.maxResponseBytes - 10) })),
  '/over-cap-chunked': (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ pad: 'x'.repeat(5_000) }));
  },
  '/over-cap-announced-then-stalls': (res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000000' });
    res.write('x'.repeat(5_000));
  },
  '/latin1-in-json': (res) => send(res, 200, 'application/json', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0xff, 0x22, 0x7d])), // {"a":"é?"} in Latin-1
  '/binary': (res) => send(res, 200, 'application/octet-stream', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80])),
  '/html': (res) => send(res, 200, 'text/html; charset=utf-8', '<!doctype html><title>Maintenance</title>'),
  '/empty': (res) => send(res, 200, 'application/json', ''),
};

let server: Server;
let baseUrl: string;
const seenHeaders: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seenHeaders.push(req.headers);
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (route) route(res);
    else json(res, 404, { message: 'no such route' });
  });
  baseUrl = await listen(server);
});

afterAll(async () => {
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
  await closed;
});

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function listen(target: Server): Promise<string> {
  return new Promise((resolve) => target.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(target.address() as AddressInfo).port}`)));
}

function get(path: string, options: Partial<FetchOptions> = {}, base = baseUrl) {
  const url = new URL(`${base}${path}?${SECRET_QUERY}`);
  return fetchJson({ url, headers: { accept: 'application/json', 'x-api-key': 'k' } }, { ...OPTIONS, ...options });
}

async function timed<T>(work: Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work;
  return { result, ms: performance.now() - started };
}

describe('fetchJson', () => {
  it('hands over the status and every header, names in lower case, repeated ones joined', async () => {
    const outcome = await get('/headers');
    if (outcome.kind !== 'ok') throw new Error(`expected ok, got ${outcome.kind}`);
    expect(outcome.status).toBe(200);
    expect(outcome.headers).toMatchObject({
      link: '<https://api.example/hooks?cursor=abc>; rel="next"',
      'x-ratelimit-remaining': '4999',
      vary: 'Accept, Authorization',
      'content-type': 'application/json',
    });
  });

  it('decodes a JSON answer and sends the given headers', async () => {
    seenHeaders.length = 0;
    expect(await get('/ok')).toMatchObject({ kind: 'ok', code: '200', status: 200, body: { data: [1, 2, 3] } });
    expect(seenHeaders[0]?.['x-api-key']).toBe('k');
  });

  it('reports a 304 as not modified, with its headers', async () => {
    expect(await get('/not-modified')).toEqual({ kind: 'not_modified', code: '304', headers: expect.objectContaining({ etag: 'W/"abc"', 'x-ratelimit-remaining': '4999' }) });
  });

  describe('non-2xx answers', () => {
    it('reports the status and a Retry-After in seconds', async () => {
      expect(await get('/503-retry-seconds')).toMatchObject({ kind: 'http_error', code: '503', status: 503, retryAfterMs: 7_000 });
    });

    it('reports a Retry-After given as an HTTP date as the time left until then', async () => {
      const outcome = await get('/429-retry-date');
      expect(outcome).toMatchObject({ kind: 'http_error', code: '429', status: 429 });
      const retryAfterMs = outcome.kind === 'http_error' ? outcome.retryAfterMs : undefined;
      // An HTTP date has whole seconds, so up to one second is lost to rounding.
      expect(retryAfterMs).toBeGreaterThan(28_000);
      expect(retryAfterMs).toBeLessThanOrEqual(30_000);
    });

    it('leaves Retry-After unset when it is missing or unusable', async () => {
      expect(await get('/500-no-retry-after')).toMatchObject({ kind: 'http_error', code: '500', status: 500, retryAfterMs: undefined });
      expect(await get('/429-retry-garbage')).toMatchObject({ kind: 'http_error', code: '429', status: 429, retryAfterMs: undefined });
    });

    it("keeps the start of the provider's error body, decoded, and the answer's headers", async () => {
      expect(await get('/500-no-retry-after')).toMatchObject({ body: { message: 'boom' }, headers: { 'content-type': 'application/json' } });
      const huge = await get('/500-huge-error-page');
      expect(huge.kind === 'http_error' && typeof huge.body === 'string' && huge.body.length).toBe(16 * 1024);
    });

    it('does not wait for an error page whose body stalls beyond the timeout', async () => {
      const { result, ms } = await timed(get('/503-body-stalls'));
      expect(result).toMatchObject({ kind: 'http_error', code: '503', status: 503, retryAfterMs: 9_000 });
      expect(ms).toBeLessThan(OPTIONS.timeoutMs + 700);
    });

    it('does not read a huge error page', async () => {
      const { result, ms } = await timed(get('/500-huge-error-page'));
      expect(result).toMatchObject({ kind: 'http_error', status: 500 });
      expect(ms).toBeLessThan(OPTIONS.timeoutMs);
    });
  });

  describe('timeouts', () => {
    it('gives up when no headers arrive within the timeout', async () => {
      const { result, ms } = await timed(get('/stall-before-headers'));
      expect(result).toEqual({ kind: 'timeout', code: 'timeout' });
      expect(ms).toBeGreaterThanOrEqual(OPTIONS.timeoutMs - 20);
      expect(ms).toBeLessThan(OPTIONS.timeoutMs + 700);
    });

    it('bounds the whole answer, not only the pauses in it', async () => {
      const { result, ms } = await timed(get('/drip'));
      expect(result).toEqual({ kind: 'timeout', code: 'timeout' });
      expect(ms).toBeLessThan(OPTIONS.timeoutMs + 700);
    });

    it('gives up when the body stops half way', async () => {
      const { result, ms } = await timed(get('/stall-mid-body'));
      expect(result).toEqual({ kind: 'timeout', code: 'timeout' });
      expect(ms).toBeLessThan(OPTIONS.timeoutMs + 700);
    });
  });

  describe('body size cap', () => {
    it('accepts a body exactly at the cap', async () => {
      expect(await get('/exactly-at-cap')).toMatchObject({ kind: 'ok', code: '200' });
    });

    it('abandons a body over the cap, chunked or announced', async () => {
      expect(await get('/over-cap-chunked')).toEqual({ kind: 'too_large', code: '200', maxBytes: OPTIONS.maxResponseBytes });
      const { result, ms } = await timed(get('/over-cap-announced-then-stalls'));
      expect(result).toEqual({ kind: 'too_large', code: '200', maxBytes: OPTIONS.maxResponseBytes });
      expect(ms).toBeLessThan(OPTIONS.timeoutMs); // stops at the cap, does not wait for the rest
    });
  });

  describe('bodies that are not JSON', () => {
    it('reads invalid UTF-8 inside JSON as replacement characters', async () => {
      expect(await get('/latin1-in-json')).toMatchObject({ kind: 'ok', code: '200', body: { a: '\uFFFD\uFFFD' } });
    });

    it('reports binary, HTML and empty bodies as not JSON, with the content type', async () => {
      expect(await get('/binary')).toEqual({ kind: 'bad_body', code: '200', detail: 'body is not valid JSON (content-type application/octet-stream)' });
      expect(await get('/html')).toEqual({ kind: 'bad_body', code: '200', detail: 'body is not valid JSON (content-type text/html)' });
      expect(await get('/empty')).toEqual({ kind: 'bad_body', code: '200', detail: 'empty body instead of JSON' });
    });
  });

  describe('network errors', () => {
    it('reports a refused connection by its code, without the URL', async () => {
      const closed = createServer();
      const closedBase = await listen(closed);
      await new Promise((resolve) => closed.close(resolve));
      const outcome = await get('/ok', {}, closedBase);
      expect(outcome).toEqual({ kind: 'network_error', code: 'network_error', detail: 'ECONNREFUSED' });
    });

    it('reports a host name that does not resolve', async () => {
      const outcome = await get('/ok', { timeoutMs: 5_000 }, 'http://webhook-log-exporter-test.invalid');
      expect(outcome).toMatchObject({ kind: 'network_error', code: 'network_error' });
      const detail = outcome.kind === 'network_error' ? outcome.detail : '';
      expect(detail).toMatch(/^(ENOTFOUND|EAI_AGAIN)$/);
    });

    it('stops at once when the caller aborts, and says so rather than "timeout"', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const { result, ms } = await timed(get('/stall-before-headers', { timeoutMs: 5_000, signal: controller.signal }));
      expect(result).toEqual({ kind: 'network_error', code: 'network_error', detail: 'aborted' });
      expect(ms).toBeLessThan(1_000);
    });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 5 ', now)).toBe(5_000);
  });

  it('reads every HTTP-date form as the time left', () => {
    expect(parseRetryAfter('Sun, 01 Jun 2025 12:00:30 GMT', now)).toBe(30_000); // IMF-fixdate
    expect(parseRetryAfter('Sunday, 01-Jun-25 12:01:00 GMT', now)).toBe(60_000); // RFC 850
    expect(parseRetryAfter('Sun Jun  1 12:00:10 2025', now)).toBe(10_000); // asctime
  });

  it('reads an asctime date as GMT whatever the local time zone', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(parseRetryAfter('Sun Jun  1 12:00:10 2025', now)).toBe(10_000);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('treats a date in the past as "now"', () => {
    expect(parseRetryAfter('Sun, 01 Jun 2025 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores what is neither', () => {
    for (const garbage of [undefined, '', 'soon', '3 seconds', '1.5', '-1', '1e3', '12abc', 'Sun, garbage']) {
      expect(parseRetryAfter(garbage, now), String(garbage)).toBeUndefined();
    }
  });
});
