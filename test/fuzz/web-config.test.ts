// Fuzzing the web config loader (parseWebConfig, and through listen.webConfigFile the main config)
// with random text, random documents and near-valid exporter-toolkit files. Only ConfigError may
// escape, each problem is one "path: message" line, and no password, bcrypt hash or private key
// text from the input is ever repeated in a problem.
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseConfig } from '../../src/config/index.js';
import { CLIENT_AUTH_TYPES, parseWebConfig, type WebConfig } from '../../src/config/web-config.js';
import { makeCa, makeServerCertificate, type Pem } from '../helpers/certificates.js';
import { RUNS, bareYaml, damage, damaged, expectNoSecrets, expectWellFormed, problemsOf, secretCore, settle, type Settled } from './helpers.js';

const GARBAGE_SECRET = 'SxGarbagePemJ2wQ7tNc';
/** bcrypt's cost 4, the least it allows: hashing stays quick. */
const COST = 4;

let dir: string;
let server: Pem;
let ca: Pem;
/** A private key that matches no certificate here. */
const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** Passwords and their hashes, made once. */
const users = ['SxPasswordAliceH4kR8', 'SxPasswordBobZ6mT1pQ'].map((password) => ({ password, hash: bcrypt.hashSync(password, COST) }));

/** Lines of key material (never a PEM header) that no message may repeat. */
const keyLines = (pem: string): string[] => pem.trim().split('\n').slice(1, -1).filter((line) => line.length >= 16);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fuzz-web-config-'));
  ca = await makeCa(dir, 'ca');
  server = await makeServerCertificate(dir, ca, 'server');
  await writeFile(join(dir, 'other.key'), otherKey);
  await writeFile(join(dir, 'garbage.pem'), `-----BEGIN PRIVATE KEY-----\n${GARBAGE_SECRET}\n-----END PRIVATE KEY-----\n`);
  await writeFile(join(dir, 'empty.pem'), '');
  await mkdir(join(dir, 'folder'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every secret the inputs below can hold. */
function allSecrets(): string[] {
  return [GARBAGE_SECRET, ...keyLines(server.key), ...keyLines(ca.key), ...keyLines(otherKey), ...users.flatMap(({ password, hash }) => [password, hash, hash.slice(-31)])];
}

function parseWeb(text: string): Promise<Settled<WebConfig>> {
  return settle(parseWebConfig(text, { baseDir: dir, fileName: join(dir, 'web.yml') }));
}

function expectWebOutcome(result: Settled<WebConfig>): string[] {
  if (result.ok) return [];
  const problems = problemsOf(result.error);
  expectWellFormed(problems);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Near-valid web configs.

type Doc = Record<string, unknown>;

const CERT_FILES = ['server.crt', 'ca.crt', 'garbage.pem', 'empty.pem', 'missing.crt', 'folder', 'server.key'];
const KEY_FILES = ['server.key', 'other.key', 'garbage.pem', 'empty.pem', 'missing.key', 'folder', 'server.crt'];
const CIPHERS = ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256', 'TLS_RSA_WITH_RC4_128_SHA', 'AES128-SHA'];
const CURVES = ['CurveP256', 'CurveP384', 'X25519', 'P-256', 'secp256k1'];
const HEADERS = ['Content-Security-Policy', 'X-Frame-Options', 'X-Content-Type-Options', 'Strict-Transport-Security', 'X-Powered-By', 'x-frame-options'];

// Documents name their PEM texts, passwords and hashes by placeholders ("pem:server.key",
// "hash:0"), which `materialise` fills in: counterexamples stay short, and the certificates exist
// only once beforeAll has made them.

const inlinePem = (kind: 'cert' | 'key') => fc.constantFrom<unknown>(kind === 'cert' ? 'pem:server.crt' : 'pem:server.key', kind === 'cert' ? 'pem:ca.crt' : 'pem:other.key', 'pem:garbage', '', 42);

const tlsServerConfig = fc.record(
  {
    cert_file: fc.constantFrom(...CERT_FILES),
    key_file: fc.constantFrom(...KEY_FILES),
    cert: inlinePem('cert'),
    key: inlinePem('key'),
    client_ca_file: fc.constantFrom('ca.crt', 'server.key', 'missing.crt'),
    client_ca: inlinePem('cert'),
    client_auth_type: fc.constantFrom<unknown>(...CLIENT_AUTH_TYPES, 'Bogus', 5),
    client_allowed_sans: fc.constantFrom<unknown>(['localhost'], [], [''], 'localhost'),
    min_version: fc.constantFrom<unknown>('TLS10', 'TLS12', 'TLS13', 'TLS14', 12),
    max_version: fc.constantFrom<unknown>('TLS11', 'TLS12', 'TLS13', 'tls13'),
    cipher_suites: fc.subarray(CIPHERS),
    prefer_server_cipher_suites: fc.constantFrom<unknown>(true, false, 'yes'),
    curve_preferences: fc.subarray(CURVES),
    unknown_tls_key: fc.constant(1),
  },
  { requiredKeys: [] },
);

/** A user's entry: its hash, or the mistakes an operator makes with it. */
const userEntry = fc.oneof(
  fc.constantFrom('hash:0', 'hash:1', 'password:0', 'password:1', 'truncated-hash:0', 'cost-99-hash:1'),
  secretCore,
  fc.constantFrom<unknown>(null, 12345, [], {}),
);

const basicAuthUsers = fc.dictionary(fc.constantFrom('alice', 'bob', '', 'a:b', 'ユーザー', 'user name'), userEntry, { maxKeys: 3 });

const httpServerConfig = fc.record(
  {
    http2: fc.constantFrom<unknown>(true, false, 'yes'),
    headers: fc.dictionary(fc.constantFrom(...HEADERS), fc.constantFrom<unknown>('deny', 'DENY', 'sameorigin', 'nosniff', 'allow', '', "default-src 'self'", 'a\nb', 5)),
  },
  { requiredKeys: [] },
);

const rateLimit = fc.record(
  { interval: fc.constantFrom<unknown>('1s', '100ms', 0, '0', '0s', '5 minutes', 10, '-1s', null), burst: fc.constantFrom<unknown>(0, 1, 10, 1.5, -1, 'x') },
  { requiredKeys: [] },
);

const webConfig: fc.Arbitrary<Doc> = fc.record(
  {
    tls_server_config: tlsServerConfig,
    http_server_config: httpServerConfig,
    basic_auth_users: basicAuthUsers,
    rate_limit: rateLimit,
    tls_config: fc.constant({ enabled: true }),
  },
  { requiredKeys: [] },
);

/** The text a placeholder stands for, and the secrets that text is or holds. */
function placeholder(value: string): { text: string; secrets: string[] } | undefined {
  const [kind, name] = value.split(':') as [string, string | undefined];
  const user = users[Number(name)];
  const pems: Record<string, string> = { 'server.crt': server.cert, 'server.key': server.key, 'ca.crt': ca.cert, 'other.key': otherKey, garbage: `-----BEGIN PRIVATE KEY-----\n${GARBAGE_SECRET}\n-----END PRIVATE KEY-----\n` };
  if (kind === 'pem' && name !== undefined && pems[name] !== undefined) return { text: pems[name], secrets: [] };
  if (user === undefined) return undefined;
  if (kind === 'hash') return { text: user.hash, secrets: [] };
  if (kind === 'password') return { text: user.password, secrets: [] };
  if (kind === 'truncated-hash') return { text: user.hash.slice(0, -1), secrets: [user.hash.slice(-31, -1)] };
  if (kind === 'cost-99-hash') return { text: user.hash.replace(`$0${COST}$`, '$99$'), secrets: [user.hash.slice(-31)] };
  return undefined;
}

/** The document with its placeholders filled in, and every secret it may hold. */
function materialise(doc: Doc): { doc: Doc; secrets: string[] } {
  const secrets = allSecrets();
  const fill = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const found = placeholder(value);
      if (found === undefined) return value;
      secrets.push(...found.secrets);
      return found.text;
    }
    if (Array.isArray(value)) return value.map(fill);
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item)]));
    return value;
  };
  const filled = fill(doc) as Doc;
  // A random value a user was given is a password written where its hash belongs.
  for (const value of Object.values((doc.basic_auth_users ?? {}) as Doc)) if (typeof value === 'string' && value.startsWith('Sx')) secrets.push(value);
  return { doc: filled, secrets };
}

// ---------------------------------------------------------------------------------------------

describe('web config loader: arbitrary input', () => {
  it('random text yields a web config or a ConfigError of "path: message" lines', async () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.array(fc.constantFrom('tls_server_config:', 'basic_auth_users:', 'rate_limit:', '\n', '  ', '- ', '{', '}', ':', '"', '*a', '&a', '|', 'cert_file: x', '$2y$'), { maxLength: 30 }).map((parts) => parts.join('')),
    );
    await fc.assert(
      fc.asyncProperty(text, async (input) => {
        expectWebOutcome(await parseWeb(input));
      }),
      { numRuns: RUNS },
    );
  });

  it('random documents under the toolkit\'s keys yield a web config or a ConfigError of "path: message" lines', async () => {
    const value = fc.jsonValue({ maxDepth: 3 });
    const doc = fc.oneof(
      value,
      fc.dictionary(fc.constantFrom('tls_server_config', 'http_server_config', 'basic_auth_users', 'rate_limit'), value),
      fc.dictionary(fc.constantFrom('cert_file', 'key_file', 'cert', 'key', 'client_ca', 'client_auth_type', 'min_version', 'cipher_suites', 'curve_preferences'), value).map((tls) => ({ tls_server_config: tls })),
    );
    await fc.assert(
      fc.asyncProperty(doc, async (document) => {
        expectWebOutcome(await parseWeb(YAML.stringify(document)));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('web config loader: near-valid files', () => {
  it('valid files load, with every user\'s hash and the certificate read from its file (the generator is near-valid)', async () => {
    const valid = fc.record({
      tls: fc.boolean(),
      userCount: fc.integer({ min: 0, max: 2 }),
      headers: fc.subarray(['Content-Security-Policy', 'X-Frame-Options', 'X-Content-Type-Options']),
      interval: fc.option(fc.constantFrom('1s', '250ms'), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(valid, async ({ tls, userCount, headers, interval }) => {
        const chosen = users.slice(0, userCount);
        const doc: Doc = {
          ...(tls && { tls_server_config: { cert_file: 'server.crt', key_file: 'server.key' } }),
          ...(chosen.length > 0 && { basic_auth_users: Object.fromEntries(chosen.map(({ hash }, index) => [`user${index}`, hash])) }),
          http_server_config: { headers: Object.fromEntries(headers.map((name) => [name, name === 'X-Frame-Options' ? 'deny' : name === 'X-Content-Type-Options' ? 'nosniff' : "default-src 'self'"])) },
          ...(interval !== undefined && { rate_limit: { interval, burst: 5 } }),
        };
        const result = await parseWeb(YAML.stringify(doc));
        if (!result.ok) throw new Error(`a valid web config was refused: ${problemsOf(result.error).join('; ')}`);
        expect(result.value.tls?.cert).toBe(tls ? server.cert : undefined);
        expect([...(result.value.basicAuthUsers?.values() ?? [])]).toEqual(chosen.map(({ hash }) => hash));
        expect(Object.keys(result.value.headers).sort()).toEqual([...headers].sort());
      }),
      { numRuns: 60 },
    );
  });

  it('no password, hash or private key text from the file appears in any problem', async () => {
    await fc.assert(
      fc.asyncProperty(webConfig, async (written) => {
        const { doc, secrets } = materialise(written);
        const result = await parseWeb(YAML.stringify(doc));
        if (result.ok) return;
        const problems = problemsOf(result.error);
        expectWellFormed(problems);
        expectNoSecrets(problems, secrets);
      }),
      { numRuns: RUNS },
    );
  });

  // Found by this fuzzer: the YAML parser's message is passed on, and it quotes an alias name, so
  // `alice: *password` (a password where its hash belongs) repeats the password.
  it('no password or hash appears in the syntax errors of bare or damaged YAML', async () => {
    await fc.assert(
      fc.asyncProperty(webConfig, fc.constantFrom('', '*', '&', '|', '!x!'), damage, async (written, prefix, how) => {
        const { doc, secrets } = materialise(written);
        if (typeof doc.basic_auth_users === 'object' && doc.basic_auth_users !== null) {
          const written = doc.basic_auth_users as Doc;
          for (const user of Object.keys(written)) if (typeof written[user] === 'string') written[user] = `${prefix}${written[user] as string}`;
        }
        const result = await parseWeb(damaged(bareYaml(doc), how));
        if (result.ok) return;
        const problems = problemsOf(result.error);
        expectNoSecrets(problems, secrets);
      }),
      { numRuns: RUNS },
    );
  });

  // Found by this fuzzer: a key or certificate pasted where its file name belongs is read as a
  // path, and "cannot read <path>" repeats the whole PEM text, over several lines.
  it('PEM text written in cert_file, key_file or client_ca_file is not repeated', async () => {
    const misplaced = fc.record({ setting: fc.constantFrom('cert_file', 'key_file', 'client_ca_file'), pem: fc.constantFrom('pem:server.key', 'pem:other.key', 'pem:ca.crt') });
    await fc.assert(
      fc.asyncProperty(misplaced, async ({ setting, pem }) => {
        const tls: Doc = { cert_file: 'server.crt', key_file: 'server.key', client_auth_type: setting === 'client_ca_file' ? 'RequireAndVerifyClientCert' : 'NoClientCert' };
        tls[setting] = placeholder(pem)?.text;
        const result = await parseWeb(YAML.stringify({ tls_server_config: tls }));
        const problems = expectWebOutcome(result);
        expect(problems.length).toBeGreaterThan(0);
        expectNoSecrets(problems, allSecrets());
      }),
      { numRuns: 30 },
    );
  });

  it('through listen.webConfigFile, the main config reports web config problems the same way', async () => {
    await fc.assert(
      fc.asyncProperty(webConfig, async (written) => {
        const { doc, secrets } = materialise(written);
        await writeFile(join(dir, 'web.yml'), YAML.stringify(doc));
        const main = YAML.stringify({ listen: { webConfigFile: 'web.yml' }, sources: [{ name: 'sf', provider: 'salesfinity', auth: { apiKey: 'k' }, webhooks: ['w1'] }] });
        const result = await settle(parseConfig(main, { format: 'yaml', env: {}, baseDir: dir }));
        if (result.ok) return;
        const problems = problemsOf(result.error);
        expectWellFormed(problems);
        for (const problem of problems) expect(problem.startsWith('listen.webConfigFile: '), problem).toBe(true);
        expectNoSecrets(problems, secrets);
      }),
      { numRuns: 150 },
    );
  });
});
