// The web configuration file of the Prometheus exporter-toolkit (TLS, client certificates, basic
// auth, response headers, a rate limit), so that the file a fleet already shares between its Go
// exporters serves this one unchanged. Read at start (a problem is a config error) and again
// whenever one of its files changes (a problem keeps the previous configuration serving).
// Messages name the key and the file, never a password hash, a key or a certificate's text.
// The types and the TLS options live in web-config-types.ts, so the server loads no loader.

import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createSecureContext, type SecureVersion } from 'node:tls';
import { CLIENT_AUTH_TYPES, secureContextOptions, type TlsSettings, type WebConfig } from './web-config-types.js';
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { ConfigError, issuesToProblems, renderProblem, type Problem } from './problems.js';
import { strictObject } from './strict-object.js';
import { notAFileName } from './secrets.js';
import { parseConfigText } from './syntax.js';

const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const satisfies Record<string, SecureVersion>;
type TlsVersionName = keyof typeof TLS_VERSIONS;

/**
 * Go's names of the cipher suites it lets a server choose (TLS 1.0–1.2), as OpenSSL names them.
 * Go does not let TLS 1.3 suites be configured; the toolkit accepts their names and so do we.
 */
const CIPHER_SUITES: Readonly<Record<string, string | null>> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_AES_128_GCM_SHA256: null,
  TLS_AES_256_GCM_SHA384: null,
  TLS_CHACHA20_POLY1305_SHA256: null,
};

/** Go's curve names, as OpenSSL names the groups. */
const CURVES: Readonly<Record<string, string>> = {
  CurveP256: 'P-256',
  CurveP384: 'P-384',
  CurveP521: 'P-521',
  X25519: 'X25519',
  X25519MLKEM768: 'X25519MLKEM768',
};

/** The response headers the toolkit lets a file set, with the values it accepts (any when absent). */
const HEADERS: Readonly<Record<string, readonly string[] | undefined>> = {
  'Content-Security-Policy': undefined,
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-Content-Type-Options': ['nosniff'],
  'X-XSS-Protection': undefined,
  'Strict-Transport-Security': undefined,
};

/** `$2a$`, `$2b$` or `$2y$` (htpasswd's), a two-digit cost, then 22 characters of salt and 31 of hash. */
const BCRYPT_HASH = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const BCRYPT_MIN_COST = 4;
const BCRYPT_MAX_COST = 31;

const pemOrFile = z.string().min(1, { error: 'must not be empty' });
const names = (what: string, known: Readonly<Record<string, unknown>>) =>
  z.array(
    z.string().refine((name) => Object.hasOwn(known, name), {
      error: (issue) => `unknown ${what} ${JSON.stringify(issue.input)}; one of ${Object.keys(known).join(', ')}`,
    }),
  );
const tlsVersion = z.enum(Object.keys(TLS_VERSIONS) as [TlsVersionName, ...TlsVersionName[]], {
  error: `must be one of ${Object.keys(TLS_VERSIONS).join(', ')}`,
});

const webConfigSchema = strictObject({
  // `tls_server_config:` with nothing under it means no TLS, as for the toolkit.
  tls_server_config: strictObject({
    cert: pemOrFile.optional(),
    key: pemOrFile.optional(),
    client_ca: pemOrFile.optional(),
    cert_file: pemOrFile.optional(),
    key_file: pemOrFile.optional(),
    client_ca_file: pemOrFile.optional(),
    client_auth_type: z.enum(CLIENT_AUTH_TYPES, { error: `must be one of ${CLIENT_AUTH_TYPES.join(', ')}` }).default('NoClientCert'),
    client_allowed_sans: z.array(z.string().min(1)).optional(),
    min_version: tlsVersion.default('TLS12'),
    max_version: tlsVersion.default('TLS13'),
    cipher_suites: names('cipher suite', CIPHER_SUITES).optional(),
    prefer_server_cipher_suites: z.boolean().default(true),
    curve_preferences: names('curve', CURVES).optional(),
  })
    .nullable()
    .optional(),
  http_server_config: strictObject({
    // HTTP/1.1 is what this server speaks; the key is accepted so that a shared file works as is.
    http2: z.boolean().optional(),
    headers: z.record(z.string(), z.string()).optional(),
  })
    .nullable()
    .optional(),
  // The values are only checked to be bcrypt hashes, and never shown: they are password hashes.
  basic_auth_users: z.record(z.string(), z.unknown()).nullable().optional(),
  rate_limit: strictObject({
    interval: z.union([z.string(), z.number()]),
    burst: z.number().int().min(0),
  })
    .nullable()
    .optional(),
});

type RawWebConfig = z.output<typeof webConfigSchema>;

/** Reads and checks the web config file and every file it names; throws ConfigError with every problem. */
export async function loadWebConfig(file: string): Promise<WebConfig> {
  const notAFile = notAFileName(file);
  if (notAFile !== undefined) throw new ConfigError([notAFile]);
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError([`${file}: cannot read web config file: ${(cause as NodeJS.ErrnoException).code ?? 'unknown error'}`]);
  }
  return parseWebConfig(text, { baseDir: dirname(path), fileName: path });
}

/**
 * As loadWebConfig, from the file's text. Relative file names are resolved against `baseDir` (the
 * web config file's folder, as the toolkit does).
 */
export async function parseWebConfig(text: string, options: { baseDir: string; fileName: string }): Promise<WebConfig> {
  const { baseDir, fileName } = options;
  const prefixed = (problems: readonly Problem[]) => new ConfigError(problems.map((problem) => `${fileName}: ${renderProblem(problem)}`));
  let document: unknown;
  try {
    // An empty file is a valid web config (nothing to secure), as for the toolkit.
    document = text.trim() === '' ? {} : parseConfigText(text, 'yaml', fileName);
  } catch (error) {
    if (error instanceof ConfigError && error.problems.some((problem) => problem.startsWith('(root): config is empty'))) document = {};
    else throw error;
  }
  const parsed = webConfigSchema.safeParse(document);
  if (!parsed.success) throw prefixed(issuesToProblems(parsed.error.issues));
  const raw = parsed.data;
  const problems: Problem[] = [];
  const files = [resolve(fileName)];
  const readPem = async (inline: string | undefined, name: string | undefined, path: PropertyKey[]): Promise<string | undefined> => {
    if (inline !== undefined) return inline;
    if (name === undefined) return undefined;
    const notAFile = notAFileName(name);
    if (notAFile !== undefined) {
      problems.push({ path, message: notAFile });
      return undefined;
    }
    const full = resolve(baseDir, name);
    files.push(full);
    try {
      return await readFile(full, 'utf8');
    } catch (cause) {
      problems.push({ path, message: `cannot read ${full}: ${(cause as NodeJS.ErrnoException).code ?? 'unknown error'}` });
      return undefined;
    }
  };

  const tls = await readTls(raw.tls_server_config ?? undefined, readPem, problems);
  // From the document, not zod's copy: a record schema drops a `__proto__` key, and a users list
  // that lost its only user would turn basic auth off without a word.
  const basicAuthUsers = readUsers(raw.basic_auth_users ? ((document as Record<string, unknown>).basic_auth_users as Record<string, unknown>) : undefined, problems);
  const headers = readHeaders(raw.http_server_config?.headers, problems);
  const rateLimit = readRateLimit(raw.rate_limit ?? undefined, problems);
  if (problems.length > 0) throw prefixed(problems);
  return { file: resolve(fileName), tls, basicAuthUsers, headers, rateLimit, files };
}

type ReadPem = (inline: string | undefined, file: string | undefined, path: PropertyKey[]) => Promise<string | undefined>;

async function readTls(raw: NonNullable<RawWebConfig['tls_server_config']> | undefined, readPem: ReadPem, problems: Problem[]): Promise<TlsSettings | undefined> {
  if (raw === undefined) return undefined;
  const at = (...path: string[]) => ['tls_server_config', ...path];
  const before = problems.length;
  const nothingToServe = raw.cert === undefined && raw.cert_file === undefined && raw.key === undefined && raw.key_file === undefined;
  const clientCaGiven = raw.client_ca !== undefined || raw.client_ca_file !== undefined;
  if (nothingToServe) {
    // The toolkit serves plain HTTP for a TLS section without a certificate; settings that need
    // TLS would then be silently ignored, so they are refused.
    if (clientCaGiven || raw.client_auth_type !== 'NoClientCert') problems.push({ path: at(), message: 'client certificates need TLS: set cert_file and key_file' });
    return undefined;
  }
  for (const [inline, file] of [['cert', 'cert_file'], ['key', 'key_file'], ['client_ca', 'client_ca_file']] as const) {
    if (raw[inline] !== undefined && raw[file] !== undefined) problems.push({ path: at(inline), message: `give either ${inline} or ${file}, not both` });
  }
  if (raw.cert === undefined && raw.cert_file === undefined) problems.push({ path: at('cert_file'), message: 'required with key_file: the server certificate (PEM)' });
  if (raw.key === undefined && raw.key_file === undefined) problems.push({ path: at('key_file'), message: 'required with cert_file: the private key of the certificate (PEM)' });
  const verifies = raw.client_auth_type === 'VerifyClientCertIfGiven' || raw.client_auth_type === 'RequireAndVerifyClientCert';
  if (verifies && !clientCaGiven) problems.push({ path: at('client_ca_file'), message: `required with client_auth_type ${raw.client_auth_type}: the CA that signs client certificates` });
  if (!verifies && clientCaGiven) {
    problems.push({ path: at('client_auth_type'), message: 'a client CA is set but client certificates are not verified: set RequireAndVerifyClientCert' });
  }
  if (raw.client_allowed_sans !== undefined && raw.client_auth_type !== 'RequireAnyClientCert' && raw.client_auth_type !== 'RequireAndVerifyClientCert') {
    problems.push({ path: at('client_allowed_sans'), message: 'needs client_auth_type RequireAndVerifyClientCert (or RequireAnyClientCert): otherwise a client may send no certificate' });
  }
  const minVersion = TLS_VERSIONS[raw.min_version];
  const maxVersion = TLS_VERSIONS[raw.max_version];
  if (raw.min_version > raw.max_version) problems.push({ path: at('min_version'), message: `${raw.min_version} is above max_version ${raw.max_version}` });

  const cert = await readPem(raw.cert, raw.cert_file, at(raw.cert !== undefined ? 'cert' : 'cert_file'));
  const key = await readPem(raw.key, raw.key_file, at(raw.key !== undefined ? 'key' : 'key_file'));
  const clientCa = await readPem(raw.client_ca, raw.client_ca_file, at(raw.client_ca !== undefined ? 'client_ca' : 'client_ca_file'));
  if (problems.length > before || cert === undefined || key === undefined) return undefined;

  const keyPath = at(raw.key !== undefined ? 'key' : 'key_file');
  const certPath = at(raw.cert !== undefined ? 'cert' : 'cert_file');
  let certificate: X509Certificate | undefined;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    problems.push({ path: certPath, message: 'not a certificate in PEM form' });
  }
  let privateKey: KeyObject | undefined;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    problems.push({ path: keyPath, message: 'not a private key in PEM form (an encrypted key cannot be used: it needs a passphrase)' });
  }
  if (certificate !== undefined && privateKey !== undefined && !certificate.checkPrivateKey(privateKey)) {
    problems.push({ path: keyPath, message: 'does not match the certificate of cert_file: the pair belongs to different keys' });
  }
  if (clientCa !== undefined) {
    try {
      new X509Certificate(clientCa);
    } catch {
      problems.push({ path: at(raw.client_ca !== undefined ? 'client_ca' : 'client_ca_file'), message: 'not a certificate in PEM form' });
    }
  }
  const settings: TlsSettings = {
    cert,
    key,
    clientCa,
    clientAuth: raw.client_auth_type,
    clientAllowedSans: raw.client_allowed_sans,
    minVersion,
    maxVersion,
    ciphers: cipherList(raw.cipher_suites),
    honorCipherOrder: raw.prefer_server_cipher_suites,
    ecdhCurve: raw.curve_preferences === undefined || raw.curve_preferences.length === 0 ? undefined : raw.curve_preferences.map((name) => CURVES[name]).join(':'),
  };
  if (problems.length > before) return undefined;
  try {
    // What the server will do with them: catches what the checks above cannot, e.g. a key too weak
    // for OpenSSL's security level, or a curve this OpenSSL lacks.
    createSecureContext(secureContextOptions(settings));
  } catch (error) {
    problems.push({ path: at(), message: `OpenSSL refuses these settings: ${describeOpenSslError(error)}` });
  }
  return settings;
}

/** OpenSSL messages name the failing function and reason; never the key material. */
function describeOpenSslError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0]?.slice(0, 200) ?? 'unknown error';
}

function cipherList(suites: readonly string[] | undefined): string | undefined {
  if (suites === undefined) return undefined;
  const openSsl = suites.map((name) => CIPHER_SUITES[name]).filter((name): name is string => typeof name === 'string');
  return openSsl.length === 0 ? undefined : openSsl.join(':');
}

function readUsers(raw: Record<string, unknown> | undefined, problems: Problem[]): ReadonlyMap<string, string> | undefined {
  if (raw === undefined || Object.keys(raw).length === 0) return undefined;
  const users = new Map<string, string>();
  for (const [user, hash] of Object.entries(raw)) {
    const path = ['basic_auth_users', user];
    if (user === '' || user.includes(':') || user === '__proto__') {
      problems.push({ path, message: 'not a usable user name: it must be non-empty, without ":" (basic auth cannot carry it), and not __proto__' });
      continue;
    }
    const match = typeof hash === 'string' ? BCRYPT_HASH.exec(hash) : null;
    const cost = match === null ? NaN : Number(match[1]);
    if (match === null) {
      problems.push({ path, message: 'not a bcrypt hash ($2y$…, 60 characters): store the hash of the password, never the password; make one with htpasswd -nBC 10 "" | tr -d \':\\n\'' });
    } else if (cost < BCRYPT_MIN_COST || cost > BCRYPT_MAX_COST) {
      problems.push({ path, message: `bcrypt cost ${cost} is outside ${BCRYPT_MIN_COST}..${BCRYPT_MAX_COST}` });
    } else {
      users.set(user, hash as string);
    }
  }
  return users;
}

function readHeaders(raw: Record<string, string> | undefined, problems: Problem[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    const path = ['http_server_config', 'headers', name];
    if (!Object.hasOwn(HEADERS, name)) {
      problems.push({ path, message: `not a header the web config can set; one of ${Object.keys(HEADERS).join(', ')}` });
      continue;
    }
    if (value === '') continue; // blank means unset, as for the toolkit
    const allowed = HEADERS[name];
    if (allowed !== undefined && !allowed.includes(value.toLowerCase())) {
      problems.push({ path, message: `must be one of ${allowed.join(', ')}` });
      continue;
    }
    if (/[\r\n]/.test(value)) {
      problems.push({ path, message: 'must be one line' });
      continue;
    }
    headers[name] = value;
  }
  return headers;
}

function readRateLimit(raw: { interval: string | number; burst: number } | undefined, problems: Problem[]): WebConfig['rateLimit'] {
  if (raw === undefined) return undefined;
  let intervalMs: number;
  if (raw.interval === 0 || raw.interval === '0' || raw.interval === '0s') {
    intervalMs = 0;
  } else {
    try {
      intervalMs = typeof raw.interval === 'number' ? NaN : parseDuration(raw.interval);
      if (Number.isNaN(intervalMs)) throw new Error('must be a duration such as "100ms" or "1s" (a bare number has no unit)');
    } catch (error) {
      problems.push({ path: ['rate_limit', 'interval'], message: (error as Error).message });
      return undefined;
    }
  }
  // An interval of 0 turns the limiter off, as for the toolkit.
  if (intervalMs === 0) return undefined;
  if (raw.burst < 1) {
    problems.push({ path: ['rate_limit', 'burst'], message: 'must be at least 1 when interval is set: a burst of 0 would refuse every request' });
    return undefined;
  }
  return { intervalMs, burst: raw.burst };
}

export { CLIENT_AUTH_TYPES, secureContextOptions, type ClientAuthType, type TlsSettings, type WebConfig } from './web-config-types.js';
