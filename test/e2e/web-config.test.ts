// The web config end to end: a real exporter built from a config file, real certificates made by
// openssl, real TLS handshakes from Node's https client (a new connection per request, so every
// request is a handshake), and the files rewritten while the exporter serves.

import http from 'node:http';
import https from 'node:https';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildExporter, type Exporter } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logger.js';
import { makeCa, makeLeaf, makeServerCertificate, type Pem } from '../helpers/certificates.js';
import { waitFor } from '../helpers/cli.js';
import { findSamples, parseExposition } from '../helpers/exposition.js';

interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
  /** SHA-256 fingerprint of the certificate the server presented. */
  serverCertificate: string | undefined;
}

interface ClientOptions {
  ca?: string;
  cert?: string;
  key?: string;
  user?: string;
  password?: string;
}

function get(url: string, options: ClientOptions = {}): Promise<Answer> {
  const secure = url.startsWith('https:');
  const auth = options.user === undefined ? {} : { Authorization: `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}` };
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).get(
      url,
      { agent: false, headers: auth, ...(secure ? { ca: options.ca, cert: options.cert, key: options.key } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const socket = res.socket as import('node:tls').TLSSocket;
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
            serverCertificate: secure ? socket.getPeerCertificate?.().fingerprint256 : undefined,
          });
        });
        res.on('error', reject);
      },
    );
    request.on('error', reject);
    request.setTimeout(5_000, () => request.destroy(new Error('timeout')));
  });
}

function fingerprint(pem: Pem): string {
  return new X509Certificate(pem.cert).fingerprint256;
}

const PASSWORD = 'correct horse battery staple';
let dir: string;
let ca: Pem;
let otherCa: Pem;
let server1: Pem;
let server2: Pem;
let client: Pem;
let strangerClient: Pem;
let hash: string;
const exporters: Exporter[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wle-web-config-'));
  ca = await makeCa(dir, 'ca');
  otherCa = await makeCa(dir, 'other-ca');
  server1 = await makeServerCertificate(dir, ca, 'server1');
  server2 = await makeServerCertificate(dir, ca, 'server2');
  client = await makeLeaf(dir, ca, 'prometheus', { usage: 'clientAuth', sans: ['DNS:prometheus.monitoring.svc', 'URI:spiffe://cluster.local/ns/monitoring/sa/prometheus'] });
  strangerClient = await makeLeaf(dir, otherCa, 'stranger', { usage: 'clientAuth', sans: ['DNS:prometheus.monitoring.svc'] });
  hash = await bcrypt.hash(PASSWORD, 4);
}, 60_000);

afterEach(async () => {
  await Promise.all(exporters.splice(0).map((exporter) => exporter.stop()));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An exporter whose config names `web-config.yml` in its own folder; it listens, and never polls. */
async function startExporter(name: string, webConfig: string): Promise<{ exporter: Exporter; url: (path: string) => string; logs: Array<Record<string, unknown>>; folder: string }> {
  const folder = await mkdtemp(join(dir, `${name}-`));
  await writeFile(join(folder, 'web-config.yml'), webConfig);
  await writeFile(
    join(folder, 'config.yaml'),
    [
      'listen: { host: 127.0.0.1, port: 0, webConfigFile: web-config.yml }',
      'sources:',
      '  - { name: cards, provider: baanx, baseUrl: "http://127.0.0.1:9", auth: { bearerToken: t }, webhooks: ["550e8400-e29b-41d4-a716-446655440000"] }',
    ].join('\n'),
  );
  const config = await loadConfig(join(folder, 'config.yaml'));
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) } });
  const exporter = await buildExporter(config, { logger });
  exporters.push(exporter);
  const address = await exporter.listen(0);
  const scheme = config.listen.webConfig?.tls ? 'https' : 'http';
  return { exporter, logs, folder, url: (path) => `${scheme}://localhost:${address.port}${path}` };
}

function tlsConfig(files: { cert: string; key: string }, extra = ''): string {
  return [
    'tls_server_config:',
    `  cert_file: ${files.cert}`,
    `  key_file: ${files.key}`,
    '  client_auth_type: RequireAndVerifyClientCert',
    `  client_ca_file: ${ca.certFile}`,
    '  min_version: TLS12',
    extra,
    'basic_auth_users:',
    `  prometheus: ${hash}`,
  ].join('\n');
}

describe('TLS with client certificates and basic auth', () => {
  it('refuses plain HTTP, a missing or foreign client certificate and a wrong password; serves the right ones', async () => {
    const { url } = await startExporter('mtls', tlsConfig({ cert: server1.certFile, key: server1.keyFile }));
    const trusted = { ca: ca.cert, cert: client.cert, key: client.key };

    // Plain HTTP on the TLS port: the handshake fails, nothing is served.
    await expect(get(url('/metrics').replace('https:', 'http:'))).rejects.toThrow();
    await expect(get(url('/metrics'), { ca: ca.cert })).rejects.toThrow();
    await expect(get(url('/metrics'), { ca: ca.cert, cert: strangerClient.cert, key: strangerClient.key, user: 'prometheus', password: PASSWORD })).rejects.toThrow();

    expect((await get(url('/metrics'), trusted)).status).toBe(401);
    const wrong = await get(url('/metrics'), { ...trusted, user: 'prometheus', password: 'wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect((await get(url('/metrics'), { ...trusted, user: 'nobody', password: PASSWORD })).status).toBe(401);
    expect((await get(url('/nothing-here'), trusted)).status).toBe(401); // no route is revealed without credentials

    const right = await get(url('/metrics'), { ...trusted, user: 'prometheus', password: PASSWORD });
    expect(right.status).toBe(200);
    expect(right.body).toContain('webhook_exporter_polls_total');
    expect(right.serverCertificate).toBe(fingerprint(server1));
    for (const path of ['/', '/api/v1/status']) expect((await get(url(path), { ...trusted, user: 'prometheus', password: PASSWORD })).status).toBe(200);

    // Probes stay open to the kubelet, which sends no password (it still needs TLS and, here, a certificate).
    expect((await get(url('/healthz'), trusted)).status).toBe(200);
    expect((await get(url('/readyz'), trusted)).status).toBe(503); // not polled yet: not ready, but not 401
  });

  it('serves a rewritten certificate to the next handshake, and new users to the next request, without a restart', async () => {
    const certFile = join(dir, 'rotating.crt');
    const keyFile = join(dir, 'rotating.key');
    await writeFile(certFile, server1.cert);
    await writeFile(keyFile, server1.key);
    const { url, logs, folder } = await startExporter('rotate', tlsConfig({ cert: certFile, key: keyFile }));
    const trusted = { ca: ca.cert, cert: client.cert, key: client.key, user: 'prometheus', password: PASSWORD };
    expect((await get(url('/metrics'), trusted)).serverCertificate).toBe(fingerprint(server1));

    // As cert-manager renews: both files replaced (by rename, so no reader sees half a file).
    await writeFile(`${certFile}.new`, server2.cert);
    await writeFile(`${keyFile}.new`, server2.key);
    await rename(`${keyFile}.new`, keyFile);
    await rename(`${certFile}.new`, certFile);
    await waitFor(async () => ((await get(url('/metrics'), trusted)).serverCertificate === fingerprint(server2) ? true : undefined), 'the new certificate', 10_000);
    expect(logs.some((line) => line.msg === 'web config reloaded')).toBe(true);

    // A new password for the same user: the old one stops working at once, cached or not.
    const newHash = await bcrypt.hash('new password', 4);
    await writeFile(join(folder, 'web-config.yml'), tlsConfig({ cert: certFile, key: keyFile }).replace(hash, newHash));
    await waitFor(async () => ((await get(url('/metrics'), trusted)).status === 401 ? true : undefined), 'the old password refused', 10_000);
    expect((await get(url('/metrics'), { ...trusted, password: 'new password' })).status).toBe(200);
  });

  it('keeps serving the previous web config when a reload fails, logs it once and counts it', async () => {
    const { url, logs, folder } = await startExporter('bad-reload', tlsConfig({ cert: server1.certFile, key: server1.keyFile }));
    const trusted = { ca: ca.cert, cert: client.cert, key: client.key, user: 'prometheus', password: PASSWORD };
    const reloadErrors = async () => findSamples(parseExposition((await get(url('/metrics'), trusted)).body), 'webhook_exporter_web_config_reload_errors_total')[0]?.value;
    expect(await reloadErrors()).toBe(0);

    // A key that belongs to another certificate: the pair cannot serve.
    await writeFile(join(folder, 'web-config.yml'), tlsConfig({ cert: server1.certFile, key: server2.keyFile }));
    await waitFor(async () => ((await reloadErrors()) === 1 ? true : undefined), 'the failed reload counted', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // more checks of the unchanged bad file
    expect(await reloadErrors()).toBe(1);
    const failures = logs.filter((line) => line.msg === 'web config not reloaded: the previous one keeps serving');
    expect(failures).toHaveLength(1);
    expect(JSON.stringify(failures[0])).toContain('does not match the certificate');
    expect(JSON.stringify(logs)).not.toContain(hash); // the log names the problem, never a hash or key
    expect(JSON.stringify(logs)).not.toContain('PRIVATE KEY');

    const served = await get(url('/metrics'), trusted);
    expect(served.status).toBe(200);
    expect(served.serverCertificate).toBe(fingerprint(server1));
  });

  it('refuses a client certificate without an allowed SAN when client_allowed_sans is set', async () => {
    const allowed = await startExporter('sans-ok', tlsConfig({ cert: server1.certFile, key: server1.keyFile }, '  client_allowed_sans: ["spiffe://cluster.local/ns/monitoring/sa/prometheus"]'));
    const trusted = { ca: ca.cert, cert: client.cert, key: client.key, user: 'prometheus', password: PASSWORD };
    expect((await get(allowed.url('/metrics'), trusted)).status).toBe(200);
    const other = await startExporter('sans-other', tlsConfig({ cert: server1.certFile, key: server1.keyFile }, '  client_allowed_sans: ["grafana.monitoring.svc"]'));
    await expect(get(other.url('/metrics'), trusted)).rejects.toThrow();
  });
});

describe('basic auth, headers and rate limit without TLS', () => {
  it('asks for credentials on every path but the probes, and adds the configured headers', async () => {
    const { url } = await startExporter(
      'plain-auth',
      ['basic_auth_users:', `  scraper: ${hash}`, 'http_server_config:', '  headers:', '    X-Frame-Options: deny', '    Strict-Transport-Security: max-age=31536000'].join('\n'),
    );
    const refused = await get(url('/metrics'));
    expect(refused.status).toBe(401);
    expect(refused.headers['x-frame-options']).toBe('deny');
    const served = await get(url('/metrics'), { user: 'scraper', password: PASSWORD });
    expect(served.status).toBe(200);
    expect(served.headers['strict-transport-security']).toBe('max-age=31536000');
    expect((await get(url('/healthz'))).status).toBe(200);
    // The status page keeps its own, stricter policy; the configured headers are added around it.
    const page = await get(url('/'), { user: 'scraper', password: PASSWORD });
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['x-frame-options']).toBe('deny');
  });

  it('answers 429 past the burst, but never to the probes', async () => {
    const { url } = await startExporter('rate', 'rate_limit: { interval: 1h, burst: 2 }');
    expect((await get(url('/metrics'))).status).toBe(200);
    expect((await get(url('/api/v1/status'))).status).toBe(200);
    const limited = await get(url('/metrics'));
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect((await get(url('/healthz'))).status).toBe(200);
  });
});
