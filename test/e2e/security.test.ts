// Issue 6, "prove it under fire": security. One end-to-end `run` of the real CLI per OTLP encoding,
// at debug level with traces and OTLP metrics exported, against the simulator's live traffic (whose
// entries carry X-Signature headers, receiver URLs with ?token= and bodies) and against providers
// that echo the request back (401, 500 and a 200 that is not JSON). Every byte the exporter emits
// is collected and scanned for every simulator secret in every encoding it could take. The same run
// checks escaping of provider strings and how the HTTP server treats hostile clients.

import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_WEBHOOKS,
  ProviderSimulator,
  SIM_GITHUB_APP_ID,
  SIM_GITHUB_TOKEN,
  SIM_GITLAB_TOKEN,
  SIM_SECRETS,
  SIM_SVIX_TOKEN,
  baanxEntry,
  salesfinityEntry,
  simGithubAppKeys,
} from '../../src/simulator/index.js';
import { finished, spawnCli, waitFor, type Finished } from '../helpers/cli.js';
import { findSamples, parseExposition } from '../helpers/exposition.js';
import { configFor } from '../helpers/harness.js';
import { decodeTraceRequest } from './helpers/otlp-protobuf.js';
import { OtlpReceiver } from './helpers/otlp-receiver.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { httpRequest, type Reply } from '../helpers/http-request.js';

const XSS = '<script>alert(1)</script>';
/** A label value with every character the text format must escape. */
const AWKWARD = 'quote"back\\slash\nnewline';
const PATHS = ['/metrics', '/healthz', '/readyz', '/', '/api/v1/status'] as const;
/** server.headersTimeout in src/server/server.ts. */
const HEADERS_TIMEOUT_MS = 10_000;
const ENCODINGS = ['http/protobuf', 'http/json'] as const;

/** Everything one process emitted, by where it came from. */
interface Emitted {
  where: string;
  text: string;
}

interface CliRun {
  encoding: string;
  url: string;
  exit: Finished;
  stateFile: string;
  stateMode: number;
  pages: Record<string, Reply>;
}

let sim: ProviderSimulator;
let echo: http.Server;
let receiver: OtlpReceiver;
let dir: string;
let runs: CliRun[];
let slowHeaders: { afterMs: number; reply: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wle-security-'));
  sim = await ProviderSimulator.start();
  sim.startTraffic({ webhooks: [...DEMO_WEBHOOKS, { provider: 'github', webhookId: 'app' }], intervalMs: 150, seed: 6 });
  await writeFile(join(dir, 'app.pem'), simGithubAppKeys().privateKeyPem, { mode: 0o600 });
  plantProviderStrings(sim);
  // Faults that answer with what a misconfigured proxy might echo back: the credentials.
  const echoed = `Authorization: Bearer ${sim.baanxToken}; x-api-key: ${sim.salesfinityApiKey}; url: /logs?token=${SIM_SECRETS[2]}`;
  sim.setFault('salesfinity', 'sf-401', { kind: 'status', status: 401 });
  sim.setFault('salesfinity', 'sf-echo', { kind: 'status', status: 500, body: JSON.stringify({ message: echoed }) });
  sim.setFault('salesfinity', 'sf-garbage', { kind: 'garbage' });
  sim.setFault('baanx', 'bx-echo', { kind: 'status', status: 500, body: echoed });
  sim.setFault('baanx', 'bx-html', { kind: 'html' });
  // Providers whose error bodies are logged (their message), echoing the credential they were sent.
  const json = { 'content-type': 'application/json' };
  sim.setFault('github', 'acme/echo/1', { kind: 'status', status: 401, headers: json, body: JSON.stringify({ message: `Bad credentials: Bearer ${SIM_GITHUB_TOKEN}` }) });
  sim.setFault('gitlab', 'project/1/99', { kind: 'status', status: 401, headers: json, body: JSON.stringify({ message: `401 Unauthorized ${SIM_GITLAB_TOKEN}` }) });
  sim.setFault('svix', 'app_echo/ep_echo', { kind: 'status', status: 401, headers: json, body: JSON.stringify({ code: 'authentication_failed', detail: `bad token ${SIM_SVIX_TOKEN}` }) });
  echo = await startEchoProvider();
  receiver = await OtlpReceiver.start();

  const children = await Promise.all(ENCODINGS.map((encoding) => startRun(encoding)));
  const slow = sendHeadersSlowly(children[0]!.url);
  // Meanwhile: scheduled polls, traffic, span batches. The cut-off must come before SIGTERM closes the socket.
  slowHeaders = await slow;
  runs = await Promise.all(children.map((child) => scrapeAndStop(child)));
}, 60_000);

afterAll(async () => {
  await sim?.close();
  await receiver?.close();
  echo?.closeAllConnections();
  await new Promise((resolve) => echo?.close(resolve));
});

describe('secrets', () => {
  it('appear nowhere in stdout, stderr, any page, any OTLP request or the state file', async () => {
    const emitted = [...runs.flatMap(emittedBy), ...otlpEmitted(), ...(await stateFilesEmitted())];
    // The scan must have had something to scan: debug logs, spans and metrics of the planted traffic.
    expect(emitted.filter((e) => e.where.includes('OTLP /v1/traces')).length).toBeGreaterThan(0);
    expect(emitted.filter((e) => e.where.includes('OTLP /v1/metrics')).length).toBeGreaterThan(0);
    for (const run of runs) {
      expect(run.exit.stdout).toContain('"level":"debug"');
      expect(run.pages['/metrics']!.body).toContain('event="kyc.status.changed"'); // Baanx traffic was counted
      // The status document carried the failing polls' errors and the failed deliveries' texts too.
      expect(run.pages['/api/v1/status']!.body).toMatch(/"lastError":"[^"]/);
      expect(run.pages['/api/v1/status']!.body).toMatch(/"lastFailure":\{/);
      // The echoed credentials reached the log line's "provider says" part, redacted.
      expect(run.exit.stdout).toContain('(the provider says: \\"Bad credentials: [redacted]\\")');
      expect(run.exit.stdout).toContain('(the provider says: \\"authentication_failed: bad token [redacted]\\")');
    }
    expect(leaks(emitted)).toEqual([]);
  });

  it('the scan finds a secret in any of the encodings it checks', () => {
    for (const secret of SIM_SECRETS) {
      for (const encoded of [
        `x${secret}y`,
        encodeURIComponent(`?t=${secret}&`),
        JSON.stringify({ v: `"${secret}\n` }),
        Buffer.from(`a${secret}`).toString('base64'),
        Buffer.from(`ab${secret}bc`).toString('base64url'),
      ]) {
        expect(leaks([{ where: 'probe', text: encoded }]), encoded).not.toEqual([]);
      }
    }
  });

  it('were sent to the providers, so their absence means something', () => {
    expect(sim.requests.some((r) => r.provider === 'baanx' && r.authorized)).toBe(true);
    expect(sim.requests.some((r) => r.provider === 'salesfinity' && r.authorized)).toBe(true);
    for (const provider of ['github', 'gitlab', 'svix'] as const) expect(sim.requests.some((r) => r.provider === provider && r.authorized), provider).toBe(true);
    expect(sim.requests.some((r) => r.provider === 'github' && r.webhookId === 'app' && r.authorized), 'the App hook, with its JWT').toBe(true);
    for (const webhookId of ['sf-401', 'sf-echo', 'sf-garbage', 'bx-echo', 'bx-html', 'acme/echo/1', 'project/1/99', 'app_echo/ep_echo']) {
      expect(sim.requests.some((r) => r.webhookId === webhookId), webhookId).toBe(true);
    }
    expect(echoRequests).toBeGreaterThanOrEqual(2 * ENCODINGS.length);
  });
});

describe('the state file', () => {
  it('is written with mode 0600', () => {
    for (const run of runs) expect(run.stateMode & 0o777, run.encoding).toBe(0o600);
  });
});

describe('provider-controlled strings', () => {
  it('are escaped in the exposition, which promtool accepts', async () => {
    for (const run of runs) {
      const body = run.pages['/metrics']!.body;
      expect(body).toContain(`event="${AWKWARD.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
      const exposition = parseExposition(body);
      for (const event of [XSS, AWKWARD]) {
        expect(findSamples(exposition, 'webhook_deliveries_total', { source: 'sf', event }), event).not.toEqual([]);
      }
      expect(findSamples(exposition, 'webhook_deliveries_total', { source: 'bx', event: XSS })).not.toEqual([]);
      expect(await promtoolCheckMetrics(body)).toBe('');
    }
  });

  it('are escaped on the status page (a content type chosen by the provider reaches its last error)', () => {
    for (const run of runs) {
      const page = run.pages['/']!;
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      // The page's one script is its own, from the exporter; nothing a provider sent became markup.
      expect(page.body.match(/<script[^>]*>/g)).toEqual(['<script src="status.js" defer>']);
      expect(page.body).toContain('text/&lt;script&gt;alert(1)&lt;/script&gt;');
    }
  });
});

describe('the HTTP server', () => {
  it('binds to the configured address only', async () => {
    const port = new URL(runs[0]!.url).port;
    expect(runs[0]!.exit.stdout).toContain(`"address":"127.0.0.1:${port}"`);
    // Measured while the process was up; see scrapeAndStop.
    expect(bindProbes).toEqual({ '127.0.0.1': 'connected', '127.0.0.2': 'refused', '::1': 'refused' });
  });

  it('answers 405 with Allow to every other method on every path, and 413 to every request body', () => {
    for (const [request, answer] of Object.entries(hostileAnswers)) {
      const expected = request.startsWith('GET') || request.startsWith('HEAD') ? '413 close' : '405 GET, HEAD';
      expect(answer, request).toBe(expected);
    }
    expect(Object.keys(hostileAnswers).length).toBe(PATHS.length * (OTHER_METHODS.length + 3));
  });

  it(`cuts off a client that sends its headers slowly within headersTimeout (${HEADERS_TIMEOUT_MS} ms)`, () => {
    expect(slowHeaders.reply).toMatch(/^HTTP\/1\.1 408 /);
    // Node checks the timeout every connectionsCheckingInterval: the cut comes within a few seconds of it.
    expect(slowHeaders.afterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 500);
    expect(slowHeaders.afterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 4_000);
  });
});

// ---- the scenario ----------------------------------------------------------------------------

/** Entries whose event names a renderer or the text format must escape. */
function plantProviderStrings(simulator: ProviderSimulator): void {
  simulator.addWebhook('salesfinity', 'sf-labels');
  simulator.append('salesfinity', 'sf-labels', [
    salesfinityEntry({ event: XSS }),
    salesfinityEntry({ event: AWKWARD, status: 'failed', response: { code: 500, body: XSS } }),
  ]);
  simulator.addWebhook('baanx', 'bx-labels');
  simulator.append('baanx', 'bx-labels', [baanxEntry({ eventType: XSS })]);
}

let echoRequests = 0;

/**
 * A provider behind a proxy that reflects the request: URL and every header (the credentials) in
 * its body, with a content type of its own choosing. Webhook `echo-401` answers 401, `echo-500` 500,
 * anything else a 200 that is not JSON.
 */
async function startEchoProvider(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    echoRequests++;
    const status = req.url?.includes('/echo-401/') ? 401 : req.url?.includes('/echo-500/') ? 500 : 200;
    res.writeHead(status, { 'content-type': `text/${XSS}` });
    res.end(`you sent ${req.method} ${req.url} with ${JSON.stringify(req.headers)}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function configFile(encoding: string): Record<string, unknown> {
  const echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  const demo = (provider: string) => DEMO_WEBHOOKS.filter((w) => w.provider === provider).map((w) => w.webhookId);
  const config = configFor(sim, {
    schedule: '* * * * * *',
    stateFile: join(dir, encoding.replace('/', '-'), 'state.json'),
    sources: [
      { name: 'sf', provider: 'salesfinity', webhooks: [...demo('salesfinity'), 'sf-labels', 'sf-401', 'sf-echo', 'sf-garbage'] },
      { name: 'bx', provider: 'baanx', webhooks: [...demo('baanx'), 'bx-labels', 'bx-echo', 'bx-html'] },
      { name: 'gh', provider: 'github', webhooks: [...demo('github'), 'acme/echo/1'] },
      { name: 'gl', provider: 'gitlab', webhooks: [...demo('gitlab'), 'project/1/99'] },
      { name: 'sv', provider: 'svix', webhooks: [...demo('svix'), 'app_echo/ep_echo'] },
      { name: 'sf-echo', provider: 'salesfinity', webhooks: ['echo-200', 'echo-500', 'echo-401'] },
      { name: 'bx-echo', provider: 'baanx', webhooks: ['echo-500'] },
    ],
  });
  const sources = (config.sources as Array<Record<string, unknown>>).map((source) =>
    String(source.name).endsWith('-echo') ? { ...source, baseUrl: `${echoUrl}/${String(source.provider)}` } : source,
  );
  // The GitHub App's own hook, read with a JWT signed from the key file.
  sources.push({ name: 'gh-app', provider: 'github', baseUrl: sim.baseUrl('github'), auth: { appId: SIM_GITHUB_APP_ID, privateKeyFile: join(dir, 'app.pem') }, webhooks: ['app'] });
  return { ...config, sources };
}

interface Running {
  encoding: string;
  child: ChildProcessWithoutNullStreams;
  exit: Promise<Finished>;
  url: string;
  stateFile: string;
}

async function startRun(encoding: string): Promise<Running> {
  const config = configFile(encoding);
  const file = join(dir, `${encoding.replace('/', '-')}.json`);
  await writeFile(file, JSON.stringify(config));
  const child = spawnCli(['run', '--config', file], {
    LOG_LEVEL: 'debug',
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --unhandled-rejections=strict`.trim(), // one would make the exit non-zero
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: encoding,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: '500',
    OTEL_METRIC_EXPORT_INTERVAL: '1000',
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = finished(child);
  const port = await waitFor(() => /"address":"127\.0\.0\.1:(\d+)"/.exec(output)?.[1], `${encoding}: the listening line`);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), `${encoding}: /readyz`);
  return { encoding, child, exit, url, stateFile: (config.state as { file: string }).file };
}

const OTHER_METHODS = ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
/** "METHOD path (how)" → "status allow-or-connection". */
let hostileAnswers: Record<string, string> = {};
let bindProbes: Record<string, string> = {};

async function scrapeAndStop(running: Running): Promise<CliRun> {
  const pages: CliRun['pages'] = {};
  for (const path of PATHS) pages[path] = await httpRequest(`${running.url}${path}`, 'GET');
  if (running.encoding === ENCODINGS[0]) {
    hostileAnswers = await askHostile(running.url);
    bindProbes = await probeBinds(Number(new URL(running.url).port));
  }
  running.child.kill('SIGTERM');
  const exit = await running.exit;
  expect(exit.code, exit.stderr).toBe(0);
  const stateMode = (await stat(running.stateFile)).mode;
  return { encoding: running.encoding, url: running.url, exit, stateFile: running.stateFile, stateMode, pages };
}

async function askHostile(url: string): Promise<Record<string, string>> {
  const answers: Record<string, string> = {};
  const describe = (reply: Reply) =>
    reply.status === 405 ? `405 ${reply.headers.allow}` : `${reply.status} ${reply.headers.connection}`;
  for (const path of PATHS) {
    for (const method of OTHER_METHODS) answers[`${method} ${path}`] = describe(await httpRequest(`${url}${path}`, method));
    answers[`GET ${path} (content-length)`] = describe(await httpRequest(`${url}${path}`, 'GET', { body: 'x'.repeat(4096) }));
    answers[`GET ${path} (chunked)`] = describe(await httpRequest(`${url}${path}`, 'GET', { body: 'x'.repeat(4096), chunked: true }));
    answers[`HEAD ${path} (content-length)`] = describe(await httpRequest(`${url}${path}`, 'HEAD', { body: 'x' }));
  }
  return answers;
}

/** What a client gets when it connects to the exporter's port on other local addresses. */
async function probeBinds(port: number): Promise<Record<string, string>> {
  const probe = (host: string) =>
    new Promise<string>((resolve) => {
      const socket = net.connect({ host, port }, () => {
        socket.destroy();
        resolve('connected');
      });
      // ECONNREFUSED; EADDRNOTAVAIL where the host has no IPv6 loopback: refused either way.
      socket.on('error', () => resolve('refused'));
    });
  return Object.fromEntries(await Promise.all(['127.0.0.1', '127.0.0.2', '::1'].map(async (host) => [host, await probe(host)])));
}

/** Sends a request line and then one header every second, never finishing; resolves when cut off. */
function sendHeadersSlowly(url: string): Promise<{ afterMs: number; reply: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const startedAt = Date.now();
    let reply = '';
    const socket = net.connect(Number(port), hostname, () => socket.write('GET /metrics HTTP/1.1\r\nHost: exporter\r\n'));
    const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 1_000);
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
    socket.on('error', () => undefined); // a reset is a cut-off too
    socket.on('close', () => {
      clearInterval(drip);
      resolve({ afterMs: Date.now() - startedAt, reply });
    });
  });
}

/** node:http rather than fetch, which refuses a GET with a body. */
// ---- the scan --------------------------------------------------------------------------------

function emittedBy(run: CliRun): Emitted[] {
  const name = (what: string) => `${run.encoding} ${what}`;
  return [
    { where: name('stdout'), text: run.exit.stdout },
    { where: name('stderr'), text: run.exit.stderr },
    ...Object.entries(run.pages).map(([path, page]) => ({ where: name(`GET ${path}`), text: `${JSON.stringify(page.headers)}\n${page.body}` })),
  ];
}

function otlpEmitted(): Emitted[] {
  return receiver.requests.flatMap((req, index) => {
    const where = `OTLP ${req.path} #${index} (${req.contentType})`;
    const emitted = [
      { where: `${where} as UTF-8`, text: req.body.toString('utf8') },
      // Latin-1 maps every byte to one character, so nothing is lost to invalid UTF-8.
      { where: `${where} as bytes`, text: req.body.toString('latin1') },
    ];
    if (req.path === '/v1/traces' && req.contentType?.includes('protobuf')) {
      emitted.push({ where: `${where} as protobuf strings`, text: JSON.stringify(decodeTraceRequest(req.body)) });
    }
    return emitted;
  });
}

async function stateFilesEmitted(): Promise<Emitted[]> {
  return Promise.all(runs.map(async (run) => ({ where: `${run.encoding} state file`, text: await readFile(run.stateFile, 'utf8') })));
}

/** Each secret as it could appear: raw, URL-encoded, JSON-escaped, base64 and base64url at any alignment. */
function secretForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(secret)]).toString('base64');
    // Drop the characters that also depend on the bytes around the secret.
    const stable = encoded.slice(offset === 0 ? 0 : offset + 1, -4);
    forms.add(stable);
    forms.add(stable.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms];
}

/** A line of the GitHub App's private key (the simulator's key pair is made once per process). */
const PRIVATE_KEY_LINE = simGithubAppKeys().privateKeyPem.split('\n')[1]!;
const FORMS = [...SIM_SECRETS, PRIVATE_KEY_LINE].flatMap((secret) => secretForms(secret).map((form) => ({ secret, form })));
/** Any JSON Web Token (the App JWT changes every few minutes, so it is found by its shape). */
const JWT = /eyJ[\w-]{8,}\.[\w-]{8,}\./;

/** Every hit, with where it was and the text around it. */
function leaks(emitted: readonly Emitted[]): string[] {
  const hits: string[] = [];
  for (const { where, text } of emitted) {
    for (const { secret, form } of FORMS) {
      const at = text.indexOf(form);
      if (at >= 0) hits.push(`${where}: ${secret} as "${form}" near ${JSON.stringify(text.slice(Math.max(0, at - 60), at + form.length + 20))}`);
    }
    if (/[?&]token=/.test(text)) hits.push(`${where}: a URL query string with a token`);
    if (JWT.test(text)) hits.push(`${where}: a JWT near ${JSON.stringify(text.slice(Math.max(0, text.search(JWT) - 40), text.search(JWT) + 40))}`);
    if (text.includes('PRIVATE KEY')) hits.push(`${where}: a PEM private key`);
  }
  return hits;
}

