import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import YAML from 'yaml';
import {
  ConfigError,
  describeSource,
  loadConfig,
  parseConfig,
  parseDuration,
  type ExporterConfig,
  type ParseConfigOptions,
  type SourceConfig,
  type WebConfig,
} from '../../src/config/index.js';
import type { HttpAuth } from '../../src/providers/http/adapter.js';
import type { Description } from '../../src/providers/http/description.js';

const EXAMPLE_FILE = new URL('../../config/example.yaml', import.meta.url);
const EXAMPLE_TOKEN_FILE = '/etc/webhook-log-exporter/secrets/baanx-token';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'config-test-'));
  await writeFile(join(dir, 'key-lf'), 'key-from-file\n');
  await writeFile(join(dir, 'key-crlf'), 'key-from-file\r\n');
  await writeFile(join(dir, 'empty-key'), '\n');
  await writeFile(join(dir, 'two-line-key'), 'first\nsecond\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Strips the common indentation, so configs can be written indented in the test. */
function yaml(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\n\s*$/, '\n').split('\n');
  const indent = Math.min(...lines.filter((line) => line.trim() !== '').map((line) => line.search(/\S/)));
  return lines.map((line) => line.slice(indent)).join('\n');
}

function parse(text: string, options: Partial<ParseConfigOptions> = {}): Promise<ExporterConfig> {
  return parseConfig(text, { format: 'yaml', env: {}, baseDir: dir, ...options });
}

async function problemsOf(text: string, options: Partial<ParseConfigOptions> = {}): Promise<string[]> {
  const error = await parse(text, options).then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
}

const SALESFINITY = yaml(`
  sources:
    - name: sf
      provider: salesfinity
      auth: { apiKey: key }
      webhooks: ["w1"]
`);

const DEFAULTS = {
  listen: { host: '0.0.0.0', port: 9464 },
  schedule: '*/30 * * * * *',
  startFrom: 'now',
  lookback: 300_000,
  histogramBuckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  maxEventTypes: 100,
  http: { timeout: 10_000, concurrency: 4, maxResponseBytes: 16_777_216 },
} as const;

describe('config/example.yaml', () => {
  async function exampleText(): Promise<string> {
    const text = await readFile(EXAMPLE_FILE, 'utf8');
    expect(text).toContain(EXAMPLE_TOKEN_FILE);
    return text;
  }

  it('loads, with its environment variable set and its token file present', async () => {
    const tokenFile = join(dir, 'baanx-token');
    await writeFile(tokenFile, 'baanx-token-value\n');
    const configFile = join(dir, 'example.yaml');
    await writeFile(configFile, (await exampleText()).replace(EXAMPLE_TOKEN_FILE, tokenFile));

    const config = await loadConfig(configFile, { SALESFINITY_API_KEY: 'sf-key-value' });

    expect(config).toEqual({
      ...DEFAULTS,
      state: { file: '/var/lib/webhook-log-exporter/state.json' },
      shard: { index: 0, count: 1 },
      sources: [
        {
          name: 'salesfinity-prod',
          provider: 'salesfinity',
          baseUrl: 'https://client-api.salesfinity.co',
          auth: { apiKey: 'sf-key-value', fromFile: false },
          webhooks: ['507f1f77bcf86cd799439011'],
          pageSize: 100,
          maxPages: 10,
          traces: { includeBodies: false, maxBodyBytes: 1024 },
        },
        {
          name: 'baanx-prod',
          provider: 'baanx',
          baseUrl: 'https://api.baanx.com',
          auth: { bearerToken: 'baanx-token-value', fromFile: true },
          webhooks: ['770e8400-e29b-41d4-a716-446655440002'],
          limit: 100,
          traces: { includeBodies: false, maxBodyBytes: 1024 },
        },
      ],
    });
  });

  it('shows every key of the resolved config, so that it documents them all', async () => {
    const text = await exampleText();
    const config = await parse(text.replace(EXAMPLE_TOKEN_FILE, 'key-lf'), { env: { SALESFINITY_API_KEY: 'k' } });
    const written = keyPaths(YAML.parse(text));
    // `auth` differs on purpose: the file names where the secret is, the result carries the secret;
    // so does `listen.webConfig`, the contents of the (optional, commented) `webConfigFile`.
    const resolved = keyPaths(config).filter((path) => !path.includes('.auth.') && path !== 'listen.webConfig');
    expect(resolved.filter((path) => !written.includes(path))).toEqual([]);
  });
});

/** "listen.port", "sources[].name": every key in a document, list items merged. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((item) => keyPaths(item, `${prefix}[]`)))];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return [path, ...keyPaths(item, path)];
  });
}

describe('defaults', () => {
  it('fills every optional setting of a minimal config', async () => {
    expect(await parse(SALESFINITY)).toEqual({
      ...DEFAULTS,
      sources: [
        {
          name: 'sf',
          provider: 'salesfinity',
          baseUrl: 'https://client-api.salesfinity.co',
          auth: { apiKey: 'key', fromFile: false },
          webhooks: ['w1'],
          pageSize: 100,
          maxPages: 10,
          traces: { includeBodies: false, maxBodyBytes: 1024 },
        },
      ],
    });
  });

  it('fills the Baanx defaults', async () => {
    const config = await parse(
      yaml(`
        sources:
          - { name: bx, provider: baanx, auth: { bearerToken: tok }, webhooks: ["w1"] }
      `),
    );
    expect(config.sources).toEqual([
      { name: 'bx', provider: 'baanx', baseUrl: 'https://api.baanx.com', auth: { bearerToken: 'tok', fromFile: false }, webhooks: ['w1'], limit: 100, traces: { includeBodies: false, maxBodyBytes: 1024 } },
    ]);
  });

  it('keeps defaults of a partly written section', async () => {
    const config = await parse(`listen: { port: 8080 }\nhttp: { concurrency: 8 }\n${SALESFINITY}`);
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(config.http).toEqual({ timeout: 10_000, concurrency: 8, maxResponseBytes: 16_777_216 });
  });
});

describe('resolution', () => {
  it('converts durations to milliseconds', async () => {
    const config = await parse(`lookback: 1h30m\nhttp: { timeout: 500ms }\n${SALESFINITY}`);
    expect(config.lookback).toBe(5_400_000);
    expect(config.http.timeout).toBe(500);
  });

  it('drops trailing slashes from baseUrl and normalises the host', async () => {
    const config = await parse(SALESFINITY.replace('provider: salesfinity', 'provider: salesfinity\n    baseUrl: http://LocalHost:8080/proxy/sf/'));
    expect(config.sources[0]?.baseUrl).toBe('http://localhost:8080/proxy/sf');
  });

  it('resolves a relative state file against the config folder', async () => {
    const config = await parse(`state: { file: state/checkpoints.json }\n${SALESFINITY}`);
    expect(config.state).toEqual({ file: join(dir, 'state/checkpoints.json') });
  });

  it.each([
    ['\\n', 'key-lf'],
    ['\\r\\n', 'key-crlf'],
  ])('reads a secret file and drops its trailing %s', async (_, file) => {
    const config = await parse(SALESFINITY.replace('apiKey: key', `apiKeyFile: ${file}`));
    expect(config.sources[0]?.auth).toEqual({ apiKey: 'key-from-file', fromFile: true });
  });

  it('reads a JSON config file', async () => {
    const file = join(dir, 'config.json');
    await writeFile(
      file,
      JSON.stringify({
        listen: { port: 9100 },
        sources: [{ name: 'bx', provider: 'baanx', auth: { bearerTokenFile: 'key-lf' }, webhooks: ['w1'], limit: 50 }],
      }),
    );
    const config = await loadConfig(file, {});
    expect(config.listen.port).toBe(9100);
    expect(config.sources).toEqual([
      { name: 'bx', provider: 'baanx', baseUrl: 'https://api.baanx.com', auth: { bearerToken: 'key-from-file', fromFile: true }, webhooks: ['w1'], limit: 50, traces: { includeBodies: false, maxBodyBytes: 1024 } },
    ]);
  });
});

describe('environment variables', () => {
  // A replacer function, because a replacement string would read `$$` as `$`.
  const withKey = (value: string) => SALESFINITY.replace('apiKey: key', () => `apiKey: ${JSON.stringify(value)}`);

  it('substitutes ${VAR}', async () => {
    const config = await parse(withKey('${SF_KEY}'), { env: { SF_KEY: 'from-env' } });
    expect(config.sources[0]?.auth).toEqual({ apiKey: 'from-env', fromFile: false });
  });

  it('uses the ${VAR:-default} fallback when VAR is unset or empty, and VAR when set', async () => {
    const text = `listen: { host: "\${HOST:-127.0.0.1}" }\n${SALESFINITY}`;
    expect((await parse(text, { env: {} })).listen.host).toBe('127.0.0.1');
    expect((await parse(text, { env: { HOST: '' } })).listen.host).toBe('127.0.0.1');
    expect((await parse(text, { env: { HOST: '::1' } })).listen.host).toBe('::1');
  });

  it('reads $${ as a literal ${', async () => {
    const config = await parse(withKey('a$${SF_KEY}b'), { env: { SF_KEY: 'unused' } });
    expect(config.sources[0]?.auth).toEqual({ apiKey: 'a${SF_KEY}b', fromFile: false });
  });

  it('keeps YAML-special characters of a substituted value as they are', async () => {
    const secret = 'a: b # c, [d] {e} "f" \'g\' &h *i';
    const config = await parse(withKey('${SF_KEY}'), { env: { SF_KEY: secret } });
    expect(config.sources[0]?.auth).toEqual({ apiKey: secret, fromFile: false });
  });

  it('turns numeric strings into numbers for numeric settings', async () => {
    const text = `listen: { port: "\${PORT:-9464}" }\nmaxEventTypes: "\${MAX_EVENTS}"\nhistogramBuckets: ["0.5", "\${TOP}"]\n${SALESFINITY}`;
    const config = await parse(text, { env: { PORT: '8080', MAX_EVENTS: '20', TOP: '1e1' } });
    expect(config.listen.port).toBe(8080);
    expect(config.maxEventTypes).toBe(20);
    expect(config.histogramBuckets).toEqual([0.5, 10]);
  });

  it('refuses a string that is only partly a number', async () => {
    expect(await problemsOf(`listen: { port: "\${PORT}" }\n${SALESFINITY}`, { env: { PORT: '80 ' } })).toEqual([
      'listen.port: must be a number, got a string',
    ]);
  });
});

interface BadConfig {
  name: string;
  text: string;
  problems: string[];
  format?: 'yaml' | 'json';
  env?: NodeJS.ProcessEnv;
}

// Expected problems use <dir> for the test's temporary folder.
const BAD_CONFIGS: BadConfig[] = [
  {
    name: 'unknown top-level key',
    text: `listn: { port: 1 }\n${SALESFINITY}`,
    problems: ['listn: unknown key (did you mean "listen"?)'],
  },
  {
    name: 'unknown nested key',
    text: `http: { timout: 5s, retries: 3 }\n${SALESFINITY}`,
    problems: ['http.timout: unknown key (did you mean "timeout"?)', 'http.retries: unknown key'],
  },
  {
    name: 'unknown key in a source',
    text: SALESFINITY.replace('webhooks:', 'webhook:'),
    problems: ['sources[0].webhooks: required', 'sources[0].webhook: unknown key (did you mean "webhooks"?)'],
  },
  {
    name: 'missing auth',
    text: SALESFINITY.replace('auth: { apiKey: key }', 'baseUrl: https://example.com'),
    problems: ['sources[0].auth: needs apiKey or apiKeyFile'],
  },
  {
    name: 'empty auth',
    text: SALESFINITY.replace('auth: { apiKey: key }', 'auth: {}'),
    problems: ['sources[0].auth: needs apiKey or apiKeyFile'],
  },
  {
    name: 'both apiKey and apiKeyFile',
    text: SALESFINITY.replace('apiKey: key', 'apiKey: key, apiKeyFile: key-lf'),
    problems: ['sources[0].auth: use apiKey or apiKeyFile, not both'],
  },
  {
    name: 'the other provider\'s auth key',
    text: SALESFINITY.replace('apiKey: key', 'bearerToken: key'),
    problems: ['sources[0].auth: needs apiKey or apiKeyFile', 'sources[0].auth.bearerToken: unknown key'],
  },
  {
    name: 'wrong provider',
    text: SALESFINITY.replace('provider: salesfinity', 'provider: hubspot'),
    problems: ['sources[0].provider: must be "salesfinity" or "baanx" or "github" or "gitlab" or "svix" or "http"'],
  },
  {
    name: 'duplicate source name',
    text: `${SALESFINITY}  - { name: sf, provider: baanx, auth: { bearerToken: t }, webhooks: ["w1"] }\n`,
    problems: ['sources[1].name: already used by sources[0]; names must be unique'],
  },
  {
    name: 'bad characters in a source name',
    text: SALESFINITY.replace('name: sf', 'name: "Sales Finity"'),
    problems: ['sources[0].name: must use only lowercase letters, digits, "_" and "-" (it becomes the `source` label)'],
  },
  {
    name: 'pageSize 0',
    text: `${SALESFINITY}    pageSize: 0\n`,
    problems: ['sources[0].pageSize: must be at least 1'],
  },
  {
    name: 'pageSize 101 and a fractional maxPages',
    text: `${SALESFINITY}    pageSize: 101\n    maxPages: 1.5\n`,
    problems: ['sources[0].pageSize: must be at most 100', 'sources[0].maxPages: must be an integer, got a number'],
  },
  {
    name: 'shard index not below count',
    text: `shard: { index: 2, count: 2 }\n${SALESFINITY}`,
    problems: ['shard.index: index must be below count (indexes start at 0)'],
  },
  {
    name: 'shard without count',
    text: `shard: { index: 0 }\n${SALESFINITY}`,
    problems: ['shard.count: required'],
  },
  {
    name: 'Baanx limit 101',
    text: 'sources: [{ name: bx, provider: baanx, auth: { bearerToken: t }, webhooks: ["w1"], limit: 101 }]\n',
    problems: ['sources[0].limit: must be at most 100'],
  },
  {
    name: 'Salesfinity with limit',
    text: `${SALESFINITY}    limit: 50\n`,
    problems: ['sources[0].limit: unknown key (did you mean "pageSize"?)'],
  },
  {
    name: 'Baanx with pageSize and maxPages',
    text: 'sources: [{ name: bx, provider: baanx, auth: { bearerToken: t }, webhooks: ["w1"], pageSize: 10, maxPages: 2 }]\n',
    problems: [
      'sources[0].pageSize: unknown key (did you mean "limit"?)',
      'sources[0].maxPages: unknown key (Baanx has no pages: it returns only the newest entries)',
    ],
  },
  {
    name: 'bad schedule',
    text: `schedule: "*/30 * * *"\n${SALESFINITY}`,
    problems: ['schedule: not a valid cron expression (expected 5 or 6 fields but got 4); e.g. "*/30 * * * * *" is every 30 seconds'],
  },
  {
    name: 'bad duration',
    text: `lookback: 5 minutes\n${SALESFINITY}`,
    problems: ['lookback: invalid duration "5 minutes": use whole numbers with units d, h, m, s or ms, largest first, e.g. "500ms", "10s", "5m", "1h30m"'],
  },
  {
    name: 'duration without a unit, and a zero duration',
    text: `lookback: 300\nhttp: { timeout: 0s }\n${SALESFINITY}`,
    problems: [
      'lookback: must be a duration such as "500ms", "10s" or "5m" (a bare number has no unit)',
      'http.timeout: must be longer than 0',
    ],
  },
  {
    name: 'unset environment variable',
    text: SALESFINITY.replace('apiKey: key', 'apiKey: "${SALESFINITY_API_KEY}"'),
    problems: ['sources[0].auth.apiKey: environment variable SALESFINITY_API_KEY is not set'],
  },
  {
    name: 'malformed variable reference',
    text: `listen: { host: "\${HOST" }\n${SALESFINITY}`,
    problems: ['listen.host: invalid ${...} reference: use ${NAME} or ${NAME:-default}, or $${ for a literal "${"'],
  },
  {
    name: 'unreadable secret file',
    text: SALESFINITY.replace('apiKey: key', 'apiKeyFile: missing-key'),
    problems: ['sources[0].auth.apiKeyFile: cannot read <dir>/missing-key: ENOENT'],
  },
  {
    name: 'empty secret file',
    text: SALESFINITY.replace('apiKey: key', 'apiKeyFile: empty-key'),
    problems: ['sources[0].auth.apiKeyFile: <dir>/empty-key is empty'],
  },
  {
    name: 'secret file of several lines',
    text: SALESFINITY.replace('apiKey: key', 'apiKeyFile: two-line-key'),
    problems: ['sources[0].auth.apiKeyFile: <dir>/two-line-key holds more than one line or control characters'],
  },
  {
    name: 'secret file that is a folder',
    text: SALESFINITY.replace('apiKey: key', 'apiKeyFile: .'),
    problems: ['sources[0].auth.apiKeyFile: cannot read <dir>: not a regular file'],
  },
  {
    name: 'baseUrl with a query string',
    text: SALESFINITY.replace('provider: salesfinity', 'provider: salesfinity\n    baseUrl: "https://example.com/api?token=abc"'),
    problems: ['sources[0].baseUrl: must not contain a query string: put credentials in auth'],
  },
  {
    name: 'baseUrl with credentials, and one that is not http',
    text: `${SALESFINITY.replace('provider: salesfinity', 'provider: salesfinity\n    baseUrl: "https://user:pass@example.com"')}  - { name: bx, provider: baanx, baseUrl: "ftp://example.com", auth: { bearerToken: t }, webhooks: ["w1"] }\n`,
    problems: [
      'sources[0].baseUrl: must not contain a user name or password: put credentials in auth',
      'sources[1].baseUrl: must start with http:// or https://',
    ],
  },
  {
    name: 'webhook id with a slash where the provider takes one path segment, or a dot segment',
    text: SALESFINITY.replace('["w1"]', '["w1", "a/w2", "../admin/w2", "a//b", "a?b"]'),
    problems: [
      'sources[0].webhooks[1]: must not contain "/": a Salesfinity webhook id (a 24-character hex ObjectId) is one segment of the API\'s path',
      'sources[0].webhooks[2]: must not be "." or "..": webhook ids go into a URL path',
      'sources[0].webhooks[3]: must not start or end with "/" or hold "//": each part between slashes needs a name',
      'sources[0].webhooks[4]: must not contain "?": webhook ids go into a URL path, so use only letters, digits, "-", "_", ".", "~" and "/"',
    ],
  },
  {
    name: 'webhook ids that are empty, repeated, "..", or a number',
    text: SALESFINITY.replace('["w1"]', '["w1", "", "w1", "..", 12345]'),
    problems: [
      'sources[0].webhooks[1]: must not be empty',
      'sources[0].webhooks[2]: repeats webhooks[0]',
      'sources[0].webhooks[3]: must not be "." or "..": webhook ids go into a URL path',
      'sources[0].webhooks[4]: must be a string, got a number (put it in quotes)',
    ],
  },
  {
    name: 'non-increasing histogram buckets',
    text: `histogramBuckets: [0.1, 1, 1, 0.5]\n${SALESFINITY}`,
    problems: [
      'histogramBuckets[2]: must be greater than the bucket before it (1)',
      'histogramBuckets[3]: must be greater than the bucket before it (1)',
    ],
  },
  {
    name: 'empty and negative histogram buckets',
    text: `histogramBuckets: []\nhttp: { concurrency: 65 }\nmaxEventTypes: 0\nlisten: { port: 70000 }\n${SALESFINITY}`,
    problems: [
      'histogramBuckets: must not be empty',
      'http.concurrency: must be at most 64',
      'maxEventTypes: must be at least 1',
      'listen.port: must be at most 65535',
    ],
  },
  {
    name: 'bad startFrom',
    text: `startFrom: beginning\n${SALESFINITY}`,
    problems: ['startFrom: must be "now" or "backfill"'],
  },
  {
    name: 'YAML syntax error',
    text: 'listen:\n  port: 9464\n    host: [x\n',
    problems: ['config: YAML syntax error at line 2, column 9: Nested mappings are not allowed in compact mappings'],
  },
  {
    name: 'JSON syntax error',
    format: 'json',
    text: '{\n  "listen": { "port": 9464 },\n  "sources": [,]\n}\n',
    problems: ['config: JSON syntax error at line 3, column 15: Unexpected token \',\''],
  },
  {
    name: 'empty sources',
    text: 'sources: []\n',
    problems: ['sources: needs at least one source'],
  },
  {
    name: 'no sources',
    text: 'listen: { port: 9464 }\n',
    problems: ['sources: required: list at least one source'],
  },
  {
    name: 'a source that is not an object',
    text: 'sources: [salesfinity]\n',
    problems: ['sources[0]: must be an object, got a string'],
  },
  {
    name: 'empty file',
    text: '# nothing here yet\n',
    problems: ['(root): config is empty'],
  },
  {
    name: 'a document that is not a mapping',
    text: '- sources\n',
    problems: ['(root): must be an object, got a list'],
  },
];

describe('invalid configs', () => {
  it.each(BAD_CONFIGS)('$name', async ({ text, problems, format, env }) => {
    const found = await problemsOf(text, { format: format ?? 'yaml', env: env ?? {} });
    const expected = problems.map((problem) => problem.replaceAll('<dir>', dir));
    expect([...found].sort()).toEqual([...expected].sort());
  });

  it('reports every problem at once, including unset variables and unreadable files', async () => {
    const text = yaml(`
      listen: { port: "\${PORT}" }
      schedule: every minute
      sources:
        - name: Sales
          provider: salesfinity
          auth: { apiKeyFile: missing-key }
          webhooks: ["a/b"]
          pageSize: 500
        - name: bx
          provider: baanx
          auth: { bearerToken: "\${BAANX_TOKEN}" }
          webhooks: ["w1"]
          limt: 5
    `);
    expect((await problemsOf(text)).sort()).toEqual(
      [
        'listen.port: environment variable PORT is not set',
        'schedule: not a valid cron expression (expected 5 or 6 fields but got 2); e.g. "*/30 * * * * *" is every 30 seconds',
        'sources[0].name: must use only lowercase letters, digits, "_" and "-" (it becomes the `source` label)',
        `sources[0].auth.apiKeyFile: cannot read ${dir}/missing-key: ENOENT`,
        'sources[0].webhooks[0]: must not contain "/": a Salesfinity webhook id (a 24-character hex ObjectId) is one segment of the API\'s path',
        'sources[0].pageSize: must be at most 100',
        'sources[1].auth.bearerToken: environment variable BAANX_TOKEN is not set',
        'sources[1].limt: unknown key (did you mean "limit"?)',
      ].sort(),
    );
  });

  it('never puts a secret into a problem or the error message', async () => {
    const secret = 'sk_live_SECRET';
    const text = yaml(`
      sources:
        - name: sf
          provider: salesfinity
          baseUrl: "https://example.com/?key=${secret}"
          auth: { apiKey: "\${SF_KEY}" }
          webhooks: ["w1"]
          pageSize: "${secret}"
    `);
    const error = await parse(text, { env: { SF_KEY: `${secret}\nX-Injected: 1` } }).catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'sources[0].baseUrl: must not contain a query string: put credentials in auth',
      'sources[0].auth.apiKey: must not contain line breaks or control characters',
      'sources[0].pageSize: must be a number, got a string',
    ]);
    expect((error as ConfigError).message).not.toContain('SECRET');
  });

  it('does not quote the text around a JSON syntax error', async () => {
    const problems = await problemsOf('{\n  "auth": { "apiKey": sk_live_SECRET }\n}', { format: 'json' });
    expect(problems).toEqual(["config: JSON syntax error at line 2, column 23: Unexpected token 's'"]);
  });

  it('names an invisible offending character by its code point, so the problem stays on one line', async () => {
    // Found by the config fuzz test: V8 quotes the token, here a line separator.
    expect(await problemsOf('\u2028!', { format: 'json' })).toEqual(['config: JSON syntax error at line 1, column 1: Unexpected token U+2028']);
  });

  it('names the file in syntax errors and a missing file', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'sources: [\n');
    await expect(loadConfig(file, {})).rejects.toMatchObject({
      problems: [`${file}: YAML syntax error at line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]`],
    });
    await expect(loadConfig(join(dir, 'absent.yaml'), {})).rejects.toMatchObject({
      problems: [`cannot read config file ${join(dir, 'absent.yaml')}: ENOENT`],
    });
  });

  it('is a ConfigError whose message lists the problems', async () => {
    const error = await parse('sources: []\n').catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'ConfigError', message: 'invalid configuration:\n  sources: needs at least one source' });
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1d2h3m4s5ms', 93_784_005],
    ['0s', 0],
  ])('%s is %d ms', (text, milliseconds) => {
    expect(parseDuration(text)).toBe(milliseconds);
  });

  it.each(['', '5', 'm', '1.5s', '-1s', '5 m', ' 5m', '30m1h', '1m1m', '10sec', '1h30'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(`invalid duration ${JSON.stringify(text)}`);
  });
});

describe('describeSource', () => {
  it('summarises each provider without the secret', async () => {
    const config = await parse(
      yaml(`
        sources:
          - { name: salesfinity-prod, provider: salesfinity, auth: { apiKeyFile: key-lf }, webhooks: ["a"] }
          - { name: baanx-prod, provider: baanx, auth: { bearerToken: tok-SECRET }, webhooks: ["a", "b"], limit: 50 }
      `),
    );
    const lines = config.sources.map(describeSource);
    expect(lines).toEqual([
      'salesfinity-prod: salesfinity at https://client-api.salesfinity.co, 1 webhook, api key from file, pageSize 100, maxPages 10',
      'baanx-prod: baanx at https://api.baanx.com, 2 webhooks, bearer token from config, limit 50',
    ]);
  });
});

describe('types', () => {
  it('resolve to the shape other modules code against', () => {
    expectTypeOf<ExporterConfig['listen']>().toEqualTypeOf<{ host: string; port: number; webConfigFile?: string | undefined; webConfig: WebConfig | undefined }>();
    expectTypeOf<ExporterConfig>().toEqualTypeOf<{
      listen: ExporterConfig['listen'];
      schedule: string;
      startFrom: 'now' | 'backfill';
      lookback: number;
      state?: { file: string };
      histogramBuckets: number[];
      maxEventTypes: number;
      http: { timeout: number; concurrency: number; maxResponseBytes: number };
      shard?: { index: number; count: number };
      sources: SourceConfig[];
    }>();
    expectTypeOf<SourceConfig>().toEqualTypeOf<
      | {
          name: string;
          provider: 'salesfinity';
          baseUrl: string;
          auth: { apiKey: string; fromFile: boolean };
          webhooks: string[];
          pageSize: number;
          maxPages: number;
          traces: { includeBodies: boolean; maxBodyBytes: number };
        }
      | {
          name: string;
          provider: 'baanx';
          baseUrl: string;
          auth: { bearerToken: string; fromFile: boolean };
          webhooks: string[];
          limit: number;
          traces: { includeBodies: boolean; maxBodyBytes: number };
        }
      | {
          name: string;
          provider: 'github';
          baseUrl: string;
          auth: { token: string | undefined; appId: string | number | undefined; privateKey: string | undefined; fromFile: boolean };
          webhooks: string[];
          pageSize: number;
          maxPages: number;
          traces: { includeBodies: boolean; maxBodyBytes: number };
        }
      | {
          name: string;
          provider: 'svix';
          baseUrl: string;
          auth: { token: string; fromFile: boolean };
          webhooks: string[];
          pageSize: number;
          maxPages: number;
          traces: { includeBodies: boolean; maxBodyBytes: number };
        }
      | {
          name: string;
          provider: 'gitlab';
          baseUrl: string;
          auth: { token: string; fromFile: boolean };
          webhooks: string[];
          pageSize: number;
          maxPages: number;
          traces: { includeBodies: boolean; maxBodyBytes: number };
        }
      | {
          name: string;
          provider: 'http';
          baseUrl: string;
          auth: HttpAuth & { fromFile: boolean };
          webhooks: string[];
          api: Description;
          traces: { includeBodies: boolean; maxBodyBytes: number };
        }
    >();
  });
});
