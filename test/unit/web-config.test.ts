// The web config file as the exporter-toolkit defines it: what loads, and every problem named by
// its path, through the exporter's own config loader (as check-config and run see it).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig, parseWebConfig } from '../../src/config/index.js';
import { AccessPolicy } from '../../src/server/access.js';
import { makeCa, makeLeaf, makeServerCertificate, type Pem } from '../helpers/certificates.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
let ca: Pem;
let server: Pem;
let other: Pem;
let hash: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wle-web-config-unit-'));
  ca = await makeCa(dir, 'ca');
  server = await makeServerCertificate(dir, ca, 'server');
  other = await makeLeaf(dir, ca, 'other', { usage: 'serverAuth', sans: ['DNS:other'] });
  hash = await bcrypt.hash('secret password', 4);
}, 30_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every problem loadConfig reports for a config whose listen.webConfigFile holds `webConfig`. */
async function problemsOf(webConfig: string): Promise<string[]> {
  const folder = await mkdtemp(join(dir, 'case-'));
  await writeFile(join(folder, 'web.yml'), webConfig);
  await writeFile(join(folder, 'config.yaml'), configText('web.yml'));
  try {
    await loadConfig(join(folder, 'config.yaml'));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

function configText(webConfigFile: string): string {
  return [
    `listen: { port: 9464, webConfigFile: ${webConfigFile} }`,
    'sources: [{ name: cards, provider: baanx, auth: { bearerToken: t }, webhooks: ["550e8400-e29b-41d4-a716-446655440000"] }]',
  ].join('\n');
}

describe('a web config that loads', () => {
  it("takes a fleet's file with every key of the exporter-toolkit format, unchanged", async () => {
    const text = [
      'tls_server_config:',
      `  cert_file: ${server.certFile}`,
      `  key_file: ${server.keyFile}`,
      '  client_auth_type: RequireAndVerifyClientCert',
      `  client_ca_file: ${ca.certFile}`,
      '  client_allowed_sans: ["prometheus.monitoring.svc"]',
      '  min_version: TLS12',
      '  max_version: TLS13',
      '  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]',
      '  prefer_server_cipher_suites: true',
      '  curve_preferences: [CurveP256, X25519]',
      'http_server_config:',
      '  http2: true',
      '  headers:',
      "    Content-Security-Policy: default-src 'self'",
      '    X-Frame-Options: deny',
      '    X-Content-Type-Options: nosniff',
      '    X-XSS-Protection: "1; mode=block"',
      '    Strict-Transport-Security: max-age=31536000; includeSubDomains',
      'basic_auth_users:',
      `  prometheus: ${hash}`,
      // htpasswd writes $2y$ hashes
      `  grafana: ${hash.replace('$2b$', '$2y$')}`,
      'rate_limit: { interval: 100ms, burst: 20 }',
    ].join('\n');
    const web = await parseWebConfig(text, { baseDir: dir, fileName: join(dir, 'web.yml') });
    expect(web.tls).toMatchObject({
      clientAuth: 'RequireAndVerifyClientCert',
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384',
      ecdhCurve: 'P-256:X25519',
      clientAllowedSans: ['prometheus.monitoring.svc'],
    });
    expect([...(web.basicAuthUsers?.keys() ?? [])]).toEqual(['prometheus', 'grafana']);
    expect(web.rateLimit).toEqual({ intervalMs: 100, burst: 20 });
    expect(web.headers['X-Frame-Options']).toBe('deny');
    expect(web.files).toEqual([join(dir, 'web.yml'), server.certFile, server.keyFile, ca.certFile]);
  });

  it('resolves relative file names against the web config file, and accepts an empty file', async () => {
    const folder = await mkdtemp(join(dir, 'relative-'));
    await writeFile(join(folder, 'tls.crt'), server.cert);
    await writeFile(join(folder, 'tls.key'), server.key);
    const web = await parseWebConfig('tls_server_config: { cert_file: tls.crt, key_file: tls.key }', { baseDir: folder, fileName: join(folder, 'web.yml') });
    expect(web.tls?.cert).toBe(server.cert);
    const empty = await parseWebConfig('', { baseDir: folder, fileName: join(folder, 'web.yml') });
    expect(empty).toMatchObject({ tls: undefined, basicAuthUsers: undefined, rateLimit: undefined });
  });
});

describe('a web config with problems: exit 2, each named by its path', () => {
  it('names unknown keys, as everywhere in the config', async () => {
    const problems = await problemsOf(`tls_server_config: { cert_fil: ${server.certFile}, key_file: ${server.keyFile} }\nbasic_auth: {}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^listen\.webConfigFile: .*web\.yml: tls_server_config\.cert_fil: unknown key \(did you mean "cert_file"\?\)$/),
        expect.stringMatching(/web\.yml: basic_auth: unknown key/),
      ]),
    );
  });

  it('refuses a password that is not a bcrypt hash, without showing it', async () => {
    const problems = await problemsOf('basic_auth_users:\n  alice: hunter2-plaintext\n  bob: "$2y$03$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG"');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/web\.yml: basic_auth_users\.alice: not a bcrypt hash/);
    expect(problems[1]).toMatch(/web\.yml: basic_auth_users\.bob: bcrypt cost 3 is outside 4\.\.31/);
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problems.join('\n')).not.toContain('X0h1gDsP');
  });

  it('refuses a certificate that does not match its key', async () => {
    const problems = await problemsOf(`tls_server_config: { cert_file: ${server.certFile}, key_file: ${other.keyFile} }`);
    expect(problems).toEqual([expect.stringMatching(/web\.yml: tls_server_config\.key_file: does not match the certificate of cert_file/)]);
    expect(problems.join('\n')).not.toContain('PRIVATE KEY');
  });

  it('refuses a file that cannot be read: the web config itself, or one it names', async () => {
    expect(await problemsOf(`tls_server_config: { cert_file: ${join(dir, 'missing.crt')}, key_file: ${server.keyFile} }`)).toEqual([
      expect.stringMatching(/web\.yml: tls_server_config\.cert_file: cannot read .*missing\.crt: ENOENT$/),
    ]);
    const folder = await mkdtemp(join(dir, 'no-web-'));
    await writeFile(join(folder, 'config.yaml'), configText('absent.yml'));
    await expect(loadConfig(join(folder, 'config.yaml'))).rejects.toMatchObject({
      problems: [expect.stringMatching(/^listen\.webConfigFile: .*absent\.yml: cannot read web config file: ENOENT$/)],
    });
  });

  it('refuses settings that would be silently weaker than written', async () => {
    const tls = `cert_file: ${server.certFile}, key_file: ${server.keyFile}`;
    expect(await problemsOf(`tls_server_config: { ${tls}, client_ca_file: ${ca.certFile} }`)).toEqual([
      expect.stringMatching(/tls_server_config\.client_auth_type: a client CA is set but client certificates are not verified/),
    ]);
    expect(await problemsOf(`tls_server_config: { ${tls}, client_auth_type: RequireAndVerifyClientCert }`)).toEqual([
      expect.stringMatching(/tls_server_config\.client_ca_file: required with client_auth_type RequireAndVerifyClientCert/),
    ]);
    expect(await problemsOf(`tls_server_config: { ${tls}, client_allowed_sans: [a] }`)).toEqual([expect.stringMatching(/tls_server_config\.client_allowed_sans: needs client_auth_type/)]);
    expect(await problemsOf(`tls_server_config: { ${tls}, min_version: TLS13, max_version: TLS12 }`)).toEqual([expect.stringMatching(/tls_server_config\.min_version: TLS13 is above max_version TLS12/)]);
    expect(await problemsOf(`tls_server_config: { ${tls}, min_version: TLS1.2 }`)).toEqual([expect.stringMatching(/tls_server_config\.min_version: must be one of TLS10, TLS11, TLS12, TLS13/)]);
    expect(await problemsOf(`tls_server_config: { ${tls}, cipher_suites: [TLS_RSA_WITH_RC4_128_SHA] }`)).toEqual([
      expect.stringMatching(/tls_server_config\.cipher_suites\[0\]: unknown cipher suite "TLS_RSA_WITH_RC4_128_SHA"/),
    ]);
    expect(await problemsOf(`tls_server_config: { key_file: ${server.keyFile} }`)).toEqual([expect.stringMatching(/tls_server_config\.cert_file: required with key_file/)]);
    expect(await problemsOf('http_server_config: { headers: { X-Frame-Options: allow-all, Server: x } }')).toEqual([
      expect.stringMatching(/http_server_config\.headers\.X-Frame-Options: must be one of deny, sameorigin/),
      expect.stringMatching(/http_server_config\.headers\.Server: not a header the web config can set/),
    ]);
    expect(await problemsOf('rate_limit: { interval: 5, burst: 1 }')).toEqual([expect.stringMatching(/rate_limit\.interval: must be a duration/)]);
  });

  it('exits 2 from check-config, naming the path', async () => {
    const folder = await mkdtemp(join(dir, 'cli-'));
    await writeFile(join(folder, 'web.yml'), 'basic_auth_users: { alice: plaintext-password }');
    await writeFile(join(folder, 'config.yaml'), configText('web.yml'));
    const result = await runCli(['check-config', '--config', join(folder, 'config.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/listen\.webConfigFile: .*web\.yml: basic_auth_users\.alice: not a bcrypt hash/);
    expect(result.stderr).not.toContain('plaintext-password');
  });
});

describe('AccessPolicy', () => {
  it('runs bcrypt once per distinct credential, not once per scrape', async () => {
    const compare = vi.spyOn(bcrypt, 'compare');
    try {
      const policy = new AccessPolicy({ basicAuthUsers: new Map([['prometheus', hash]]), headers: {}, rateLimit: undefined });
      const header = (password: string) => `Basic ${Buffer.from(`prometheus:${password}`).toString('base64')}`;
      for (let scrape = 0; scrape < 50; scrape++) expect(await policy.check('/metrics', header('secret password'))).toBe('allowed');
      for (let scrape = 0; scrape < 50; scrape++) expect(await policy.check('/metrics', header('stale password'))).toBe('unauthorized');
      expect(compare).toHaveBeenCalledTimes(2);
      // A cached verdict is answered without a promise: the scrape path pays no bcrypt and no hop.
      expect(policy.check('/metrics', header('secret password'))).toBe('allowed');
    } finally {
      compare.mockRestore();
    }
  });

  it('refuses malformed headers and unknown users, and leaves the probes open', async () => {
    const policy = new AccessPolicy({ basicAuthUsers: new Map([['prometheus', hash]]), headers: {}, rateLimit: undefined });
    expect(policy.check('/healthz', undefined)).toBe('allowed');
    expect(policy.check('/readyz', undefined)).toBe('allowed');
    expect(policy.check('/metrics', undefined)).toBe('unauthorized');
    expect(await policy.check('/metrics', 'Bearer abc')).toBe('unauthorized');
    expect(await policy.check('/metrics', `Basic ${Buffer.from('no-colon').toString('base64')}`)).toBe('unauthorized');
    expect(await policy.check('/metrics', `Basic ${Buffer.from('mallory:secret password').toString('base64')}`)).toBe('unauthorized');
  });
});

describe('user names', () => {
  it('refuses a __proto__ user instead of dropping it (which would turn basic auth off)', async () => {
    const problems = await problemsOf(`basic_auth_users:\n  __proto__: "${hash}"`);
    expect(problems).toEqual([expect.stringMatching(/basic_auth_users\.__proto__: not a usable user name/)]);
  });
});
