// Fuzzing the config loader (parseConfig, loadConfig) with random text, random documents and
// near-valid configs of every provider, mutated. Only ConfigError may escape, each problem is one
// "path: message" line, and no secret written in the config, in its environment or in a secret file
// is ever repeated in a problem.
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadConfig, parseConfig, type ExporterConfig } from '../../src/config/index.js';
import { RUNS, bareYaml, damage, damaged, expectNoSecrets, expectWellFormed, problemsOf, secretCore, settle, type Rendering, type Settled } from './helpers.js';

// Secret files, written once: their contents are secrets whether the file is usable or not.
const FILE_SECRET = 'SxFileSecretQv8rT2mZ';
const TWO_LINE_SECRETS = ['SxFirstLineK3pW9dLe', 'SxSecondLineH6yN1cRu'];
const CONTROL_SECRET = 'SxControlCharB4tJ7vXa';
const NOT_PEM_SECRET = 'SxNotAPemKeyF9sL2qWe';
const PEM_GARBAGE_SECRET = 'SxPemGarbageM5gD8kZo';

const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const ecPem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** A line from the middle of a PEM: key material, never a header that a message might name. */
const keyLine = (pem: string): string => pem.trim().split('\n')[2] ?? '';

const FILE_SECRETS = [FILE_SECRET, ...TWO_LINE_SECRETS, CONTROL_SECRET, NOT_PEM_SECRET, PEM_GARBAGE_SECRET, keyLine(rsaPem), keyLine(ecPem)];

const SECRET_FILES = ['secret.txt', 'two-lines.txt', 'control.txt', 'empty.txt', 'folder', 'missing.txt'];
const KEY_FILES = ['app.pem', 'ec.pem', 'garbage.pem', 'not-pem.pem', 'missing.pem', 'folder'];

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fuzz-config-'));
  await writeFile(join(dir, 'secret.txt'), `${FILE_SECRET}\n`);
  await writeFile(join(dir, 'two-lines.txt'), `${TWO_LINE_SECRETS.join('\n')}\n`);
  await writeFile(join(dir, 'control.txt'), `${CONTROL_SECRET}\u0007bell`);
  await writeFile(join(dir, 'empty.txt'), '\n');
  await mkdir(join(dir, 'folder'));
  await writeFile(join(dir, 'app.pem'), rsaPem);
  await writeFile(join(dir, 'ec.pem'), ecPem);
  await writeFile(join(dir, 'garbage.pem'), `-----BEGIN RSA PRIVATE KEY-----\n${PEM_GARBAGE_SECRET}\n-----END RSA PRIVATE KEY-----\n`);
  await writeFile(join(dir, 'not-pem.pem'), `${NOT_PEM_SECRET}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Doc = Record<string, unknown>;
type Format = 'yaml' | 'json';

function parse(text: string, format: Format, env: NodeJS.ProcessEnv = {}): Promise<Settled<ExporterConfig>> {
  return settle(parseConfig(text, { format, env, baseDir: dir }));
}

/** Only ConfigError with well-formed problems, or a resolved config. */
function expectConfigOutcome(result: Settled<ExporterConfig>): string[] {
  if (result.ok) return [];
  const problems = problemsOf(result.error);
  expectWellFormed(problems);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Near-valid configs: every provider's settings, with secrets planted in every secret-bearing one.

/** A piece of config and what it brings along: environment variables and the secrets it holds. */
interface Planted {
  value: Doc;
  env: Record<string, string>;
  secrets: string[];
}

// Characters that make YAML read an unquoted value as something else (an alias, a tag, a block
// scalar, a flow collection) or that end it early, around a secret.
const SECRET_PREFIXES = ['', '', '', '*', '&', '!', '!x!', '|', '>', '%', '@', '`', '"', "'", '{', '[', '- ', '? ', '$', '${ ', '$${', ' '];
const SECRET_SUFFIXES = ['', '', '', '\n', '\t', ' #comment', ': x', '}', ']', '"', '\u0000', 'é', '😀', '\u2028', '${UNSET}', '${'];

/** A secret as an operator might write it, mistakes included; `core` is what must never be echoed. */
const writtenSecret = fc
  .record({ core: secretCore, prefix: fc.constantFrom(...SECRET_PREFIXES), suffix: fc.constantFrom(...SECRET_SUFFIXES) })
  .map(({ core, prefix, suffix }) => ({ core, text: `${prefix}${core}${suffix}` }));

const envName = fc.nat({ max: 999 }).map((n) => `FUZZ_SECRET_${n}`);

/** Every way to give an inline-or-file credential, valid or not. */
function credential(inline: string, file: string): fc.Arbitrary<Planted> {
  const none = (value: Doc, secrets: string[] = []): Planted => ({ value, env: {}, secrets });
  return fc.oneof(
    writtenSecret.map(({ core, text }) => none({ [inline]: text }, [core])),
    fc.tuple(writtenSecret, envName).map(([{ core, text }, name]) => ({ value: { [inline]: `\${${name}}` }, env: { [name]: text }, secrets: [core] })),
    fc.tuple(writtenSecret, envName).map(([{ core, text }, name]) => none({ [inline]: `\${UNSET_${name}:-${text}}` }, [core])),
    fc.constantFrom(...SECRET_FILES).map((name) => none({ [file]: name })),
    writtenSecret.map(({ core, text }) => none({ [inline]: text, [file]: 'secret.txt' }, [core])),
    fc.constant(none({})),
    // A typo or another provider's name for the setting: the value of an unknown key is not echoed either.
    fc.tuple(writtenSecret, fc.constantFrom(`${inline}s`, inline.toLowerCase(), 'api_key', 'password', 'secret', 'bearer')).map(([{ core, text }, key]) =>
      none({ [key]: text }, [core]),
    ),
    fc.integer({ min: 1e12, max: 9e15 }).map((number) => none({ [inline]: number }, [String(number)])),
    writtenSecret.map(({ core, text }) => none({ [inline]: [text] }, [core])),
    writtenSecret.map(({ core, text }) => none({ [inline]: { value: text } }, [core])),
  );
}

/** A GitHub App id and key file, whole, partial or wrong. */
const githubApp: fc.Arbitrary<Doc> = fc.record(
  { appId: fc.constantFrom<unknown>(123456, '123456', 'Iv1.abc123', 'Iv23liXyZ', 'not an id', -1, 0.5), privateKeyFile: fc.constantFrom(...KEY_FILES) },
  { requiredKeys: [] },
);

/** A base URL; some carry a secret where a URL must not (user info, query string, fragment). */
const baseUrl: fc.Arbitrary<Planted> = fc.oneof(
  fc.constant<Planted>({ value: {}, env: {}, secrets: [] }),
  fc.constant<Planted>({ value: { baseUrl: 'https://api.example.com/prefix/' }, env: {}, secrets: [] }),
  fc
    .tuple(
      secretCore,
      fc.constantFrom(
        'https://user:SECRET@api.example.com/',
        'https://SECRET@api.example.com',
        'https://api.example.com/v1?token=SECRET',
        'https://api.example.com/v1?a=1&access_token=SECRET#frag',
        'https://api.example.com/#SECRET',
        'ftp://user:SECRET@api.example.com/',
        'https://user:SECRET@',
        'api.example.com?key=SECRET',
      ),
    )
    .map(([core, url]) => ({ value: { baseUrl: url.replace('SECRET', core) }, env: {}, secrets: [core] })),
  fc.tuple(secretCore, envName).map(([core, name]) => ({ value: { baseUrl: `https://api.example.com/?token=\${${name}}` }, env: { [name]: core }, secrets: [core] })),
);

interface ProviderShape {
  provider: string;
  inline: string;
  file: string;
  webhooks: string[];
  /** Each size setting with its largest valid value. */
  sizes: Record<string, number>;
}

/** A provider's shape as the n-th source of a config (its name must be unique). */
type ShapeWithIndex = ProviderShape & { index: number };

const SHAPES: ProviderShape[] = [
  { provider: 'salesfinity', inline: 'apiKey', file: 'apiKeyFile', webhooks: ['507f1f77bcf86cd799439011'], sizes: { pageSize: 100, maxPages: 50 } },
  { provider: 'baanx', inline: 'bearerToken', file: 'bearerTokenFile', webhooks: ['770e8400-e29b-41d4-a716-446655440002'], sizes: { limit: 100 } },
  { provider: 'github', inline: 'token', file: 'tokenFile', webhooks: ['acme/payments-api/12345678', 'acme/98765432'], sizes: { pageSize: 100, maxPages: 50 } },
  { provider: 'gitlab', inline: 'token', file: 'tokenFile', webhooks: ['project/1234/56', 'group/acme/platform/88'], sizes: { pageSize: 20, maxPages: 50 } },
  { provider: 'svix', inline: 'token', file: 'tokenFile', webhooks: ['app_2Wn0ozpCBWWhyJKDDgYcTuXOSwZ/ep_2Wn1Hl9zK4Xe5WGEyLNnBvTCQ2C'], sizes: { pageSize: 250, maxPages: 50 } },
];

const sizesOf = (shape: ProviderShape): fc.Arbitrary<Doc> =>
  fc.record(Object.fromEntries(Object.entries(shape.sizes).map(([key, max]) => [key, fc.integer({ min: 1, max })])), { requiredKeys: [] });

/** A source of `shape` with secrets in every secret-bearing setting, its credential possibly wrong. */
function plantedSource(shape: ShapeWithIndex): fc.Arbitrary<Planted> {
  const app = shape.provider === 'github' ? fc.option(githubApp, { nil: undefined }) : fc.constant(undefined);
  return fc.tuple(credential(shape.inline, shape.file), app, baseUrl, sizesOf(shape)).map(([auth, appAuth, url, sizes]) => ({
    value: {
      name: `${shape.provider}-${shape.index}`,
      provider: shape.provider,
      ...url.value,
      auth: { ...auth.value, ...appAuth },
      webhooks: appAuth === undefined ? shape.webhooks : [...shape.webhooks, 'app'],
      ...sizes,
    },
    env: { ...url.env, ...auth.env },
    secrets: [...url.secrets, ...auth.secrets],
  }));
}

/** One to three sources of any providers, under unique names, with the rest of the config left to defaults. */
function config(source: (shape: ShapeWithIndex) => fc.Arbitrary<Planted>): fc.Arbitrary<Planted> {
  return fc
    .array(fc.constantFrom(...SHAPES), { minLength: 1, maxLength: 3 })
    .chain((shapes) => fc.tuple(...shapes.map((shape, index) => source({ ...shape, index }))))
    .map((sources) => ({
      value: { sources: sources.map((planted) => planted.value) },
      env: Object.assign({}, ...sources.map((planted) => planted.env)) as Record<string, string>,
      secrets: sources.flatMap((planted) => planted.secrets),
    }));
}

// ---------------------------------------------------------------------------------------------
// Mutations, each one a definite mistake that the loader must report.

/** The first source, or a detached stand-in once an earlier mutation replaced the list. */
function sourceAt(doc: Doc): Doc {
  const first: unknown = Array.isArray(doc.sources) ? doc.sources[0] : undefined;
  return typeof first === 'object' && first !== null ? (first as Doc) : {};
}
const shapeOf = (doc: Doc): ProviderShape => SHAPES.find((shape) => shape.provider === sourceAt(doc).provider) ?? (SHAPES[0] as ProviderShape);
const firstSize = (doc: Doc): string => Object.keys(shapeOf(doc).sizes)[0] as string;

/** Defines `key` as an own property even when it is `__proto__`. */
function setKey(target: Doc, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

const MUTATIONS: ReadonlyArray<readonly [string, (doc: Doc) => void]> = [
  ['port is a word', (doc) => (doc.listen = { port: 'nine' })],
  ['port out of range', (doc) => (doc.listen = { port: 70_000 })],
  ['port is infinite', (doc) => (doc.listen = { port: Infinity })],
  ['port is a fraction', (doc) => (doc.listen = { port: 94.64 })],
  ['empty host', (doc) => (doc.listen = { host: '' })],
  ['schedule is not cron', (doc) => (doc.schedule = 'every minute')],
  ['schedule is a number', (doc) => (doc.schedule = 30)],
  ['lookback without unit', (doc) => (doc.lookback = 300)],
  ['lookback of zero', (doc) => (doc.lookback = '0s')],
  ['lookback beyond safe integers', (doc) => (doc.lookback = '99999999999999999999d')],
  ['lookback units out of order', (doc) => (doc.lookback = '5s1m')],
  ['unknown startFrom', (doc) => (doc.startFrom = 'later')],
  ['buckets decrease', (doc) => (doc.histogramBuckets = [1, 0.5])],
  ['no buckets', (doc) => (doc.histogramBuckets = [])],
  ['bucket is a word', (doc) => (doc.histogramBuckets = ['fast'])],
  ['maxEventTypes zero', (doc) => (doc.maxEventTypes = 0)],
  ['concurrency too high', (doc) => (doc.http = { concurrency: 65 })],
  ['timeout without unit', (doc) => (doc.http = { timeout: 10 })],
  ['maxResponseBytes negative', (doc) => (doc.http = { maxResponseBytes: -1 })],
  ['shard index not below count', (doc) => (doc.shard = { index: 2, count: 2 })],
  ['shard count too high', (doc) => (doc.shard = { index: 0, count: 5000 })],
  ['empty state file', (doc) => (doc.state = { file: '' })],
  ['listen is a list', (doc) => (doc.listen = [1, 2])],
  ['unknown root key (typo)', (doc) => (doc.sourcse = [])],
  ['unknown root key (unicode)', (doc) => setKey(doc, 'ключ 😀', { nested: true })],
  ['unknown root key (__proto__)', (doc) => setKey(doc, '__proto__', { polluted: true })],
  ['unknown root key (empty)', (doc) => setKey(doc, '', 1)],
  ['sources is a word', (doc) => (doc.sources = 'all')],
  ['no sources', (doc) => (doc.sources = [])],
  ['null source', (doc) => (doc.sources = [...(Array.isArray(doc.sources) ? doc.sources : []), null])],
  ['bad name', (doc) => (sourceAt(doc).name = 'Bad Name!')],
  ['huge name', (doc) => (sourceAt(doc).name = 'N'.repeat(100_000))],
  ['unicode name', (doc) => (sourceAt(doc).name = 'プロバイダ')],
  ['no name', (doc) => delete sourceAt(doc).name],
  ['unknown provider', (doc) => (sourceAt(doc).provider = 'githbu')],
  ['no provider', (doc) => delete sourceAt(doc).provider],
  ['no webhooks', (doc) => delete sourceAt(doc).webhooks],
  ['empty webhooks', (doc) => (sourceAt(doc).webhooks = [])],
  ['webhook with a space', (doc) => (sourceAt(doc).webhooks = ['a b'])],
  ['webhook with dot-dot', (doc) => (sourceAt(doc).webhooks = ['../1'])],
  ['webhook repeated', (doc) => (sourceAt(doc).webhooks = [shapeOf(doc).webhooks[0], shapeOf(doc).webhooks[0]])],
  ['webhook is a number', (doc) => (sourceAt(doc).webhooks = [12_345_678_901_234_567_890])],
  ['size of zero', (doc) => (sourceAt(doc)[firstSize(doc)] = 0)],
  ['size too big', (doc) => (sourceAt(doc)[firstSize(doc)] = 1e21)],
  ['size is a fraction', (doc) => (sourceAt(doc)[firstSize(doc)] = 2.5)],
  ['size is a word', (doc) => (sourceAt(doc)[firstSize(doc)] = 'many')],
  ['unknown source key', (doc) => (sourceAt(doc).pagesize = 10)],
  ['includeBodies not a boolean', (doc) => (sourceAt(doc).traces = { includeBodies: 'yes' })],
  ['maxBodyBytes too big', (doc) => (sourceAt(doc).traces = { maxBodyBytes: 100_000 })],
  ['auth is a string', (doc) => (sourceAt(doc).auth = 'token')],
  ['repeated source name', (doc) => (doc.sources = Array.isArray(doc.sources) ? [...doc.sources, structuredClone(doc.sources[0])] : [])],
];

const mutations = fc.array(fc.nat({ max: MUTATIONS.length - 1 }), { minLength: 1, maxLength: 3 });

function mutate(doc: Doc, picks: readonly number[]): Doc {
  const copy = structuredClone(doc);
  for (const pick of picks) MUTATIONS[pick]?.[1](copy);
  return copy;
}

function render(doc: Doc, rendering: Rendering): { text: string; format: Format } {
  if (rendering === 'json') return { text: JSON.stringify(doc, null, 2), format: 'json' };
  return { text: rendering === 'yaml' ? YAML.stringify(doc) : bareYaml(doc), format: 'yaml' };
}

// ---------------------------------------------------------------------------------------------

describe('config loader: arbitrary input', () => {
  it('random text, read as YAML or JSON, yields a config or a ConfigError of "path: message" lines', async () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      // YAML's and JSON's punctuation, so that the parsers go past the first character.
      fc.array(fc.constantFrom('sources:', '\n', '  ', '- ', '{', '}', '[', ']', ':', ',', '"', "'", '&a', '*a', '!!str', '|', '>', '#', '---', '...', '${X}', 'name', '1', 'null', '~'), { maxLength: 40 }).map((parts) => parts.join('')),
    );
    await fc.assert(
      fc.asyncProperty(text, fc.constantFrom<Format>('yaml', 'json'), async (input, format) => {
        expectConfigOutcome(await parse(input, format));
      }),
      { numRuns: RUNS },
    );
  });

  it('random YAML and JSON documents yield a config or a ConfigError of "path: message" lines', async () => {
    const value = fc.jsonValue({ maxDepth: 4 });
    const doc = fc.oneof(
      value,
      fc.dictionary(fc.constantFrom('listen', 'schedule', 'startFrom', 'lookback', 'state', 'histogramBuckets', 'maxEventTypes', 'http', 'shard', 'sources'), value),
      fc.array(fc.dictionary(fc.constantFrom('name', 'provider', 'baseUrl', 'auth', 'webhooks', 'pageSize', 'limit', 'maxPages', 'traces'), value), { maxLength: 3 }).map((sources) => ({ sources })),
    );
    await fc.assert(
      fc.asyncProperty(doc, fc.constantFrom<Format>('yaml', 'json'), async (document, format) => {
        const text = format === 'json' ? JSON.stringify(document) : YAML.stringify(document);
        expectConfigOutcome(await parse(text, format));
      }),
      { numRuns: RUNS },
    );
  });

  it('`${...}` references in any string, set or not, yield a config or a ConfigError of "path: message" lines', async () => {
    const piece = fc.constantFrom('${A}', '${B:-x}', '${UNSET}', '${UNSET:-}', '$${', '${', '}', '${1X}', '${A:-${B}}', '$', 'x', ':-', '${ A }');
    const template = fc.array(piece, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));
    const env = fc.record({ A: fc.string({ maxLength: 8 }), B: fc.constantFrom('', '9464', 'x\ny') }, { requiredKeys: [] });
    const keys = ['name', 'provider', 'baseUrl', 'webhooks', 'auth', 'pageSize', 'schedule', 'lookback', 'port'];
    await fc.assert(
      fc.asyncProperty(template, fc.constantFrom(...keys), env, async (value, key, variables) => {
        const source: Doc = { name: 'sf', provider: 'salesfinity', auth: { apiKey: 'k' }, webhooks: ['w1'] };
        const doc: Doc = { sources: [source] };
        if (key === 'port') doc.listen = { port: value };
        else if (key === 'schedule' || key === 'lookback') doc[key] = value;
        else if (key === 'webhooks') source.webhooks = [value];
        else if (key === 'auth') source.auth = { apiKey: value };
        else source[key] = value;
        expectConfigOutcome(await parse(YAML.stringify(doc), 'yaml', variables));
      }),
      { numRuns: RUNS },
    );
  });

  // Found by this fuzzer: substituteEnv (src/config/env.ts) recurses once per level, so a deep
  // enough document overflows the stack and a RangeError escapes instead of a ConfigError.
  it('deeply nested documents yield a ConfigError, not a stack overflow', async () => {
    const nested = fc.record({ depth: fc.integer({ min: 1, max: 20_000 }), asObject: fc.boolean(), under: fc.constantFrom('(root)', 'sources') });
    await fc.assert(
      fc.asyncProperty(nested, async ({ depth, asObject, under }) => {
        const inner = asObject ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`;
        const text = under === 'sources' ? `{"sources":${inner}}` : inner;
        const problems = expectConfigOutcome(await parse(text, 'json'));
        expect(problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 40, examples: [[{ depth: 20_000, asObject: false, under: '(root)' }]] },
    );
  });
});

describe('config loader: near-valid configs of every provider', () => {
  /** A valid source: the credential inline, from the environment or from a file. */
  function validSource(shape: ShapeWithIndex): fc.Arbitrary<Planted & { expected: string }> {
    // One variable per source: two sources drawing the same name would overwrite each other's value.
    const envName = fc.nat({ max: 999 }).map((n) => `FUZZ_SECRET_${shape.index}_${n}`);
    const credentialForm = fc.oneof(
      secretCore.map((core) => ({ value: { [shape.inline]: core }, env: {}, expected: core })),
      fc.tuple(secretCore, envName).map(([core, name]) => ({ value: { [shape.inline]: `\${${name}}` }, env: { [name]: core }, expected: core })),
      fc.tuple(secretCore, envName).map(([core, name]) => ({ value: { [shape.inline]: `\${UNSET_${name}:-${core}}` }, env: {}, expected: core })),
      fc.constant({ value: { [shape.file]: 'secret.txt' }, env: {}, expected: FILE_SECRET }),
    );
    return fc.tuple(credentialForm, sizesOf(shape), fc.boolean()).map(([auth, sizes, withBaseUrl]) => ({
      value: {
        name: `${shape.provider}-${shape.index}`,
        provider: shape.provider,
        ...(withBaseUrl && { baseUrl: 'https://api.example.com/prefix/' }),
        auth: auth.value,
        webhooks: shape.webhooks,
        ...sizes,
      },
      env: auth.env,
      secrets: [],
      expected: auth.expected,
    }));
  }

  const validConfig = fc
    .array(fc.constantFrom(...SHAPES), { minLength: 1, maxLength: 3 })
    .chain((shapes) => fc.tuple(...shapes.map((shape, index) => validSource({ ...shape, index }))));

  it('valid configs load, each source with the secret it was given (the generator is near-valid)', async () => {
    await fc.assert(
      fc.asyncProperty(validConfig, fc.constantFrom<Rendering>('yaml', 'json'), async (sources, rendering) => {
        const env = Object.assign({}, ...sources.map((source) => source.env)) as Record<string, string>;
        const { text, format } = render({ sources: sources.map((source) => source.value) }, rendering);
        const result = await parse(text, format, env);
        if (!result.ok) throw new Error(`a valid config was refused: ${problemsOf(result.error).join('; ')}`);
        const secrets = result.value.sources.map((source) => ('apiKey' in source.auth ? source.auth.apiKey : 'bearerToken' in source.auth ? source.auth.bearerToken : 'token' in source.auth ? source.auth.token : undefined));
        expect(secrets).toEqual(sources.map((source) => source.expected));
      }),
      { numRuns: RUNS },
    );
  });

  it('a GitHub App with a valid RSA key loads, with the key read from its file', async () => {
    const text = YAML.stringify({ sources: [{ name: 'gh', provider: 'github', auth: { appId: 123456, privateKeyFile: 'app.pem' }, webhooks: ['app'] }] });
    const result = await parse(text, 'yaml');
    if (!result.ok) throw new Error(`refused: ${problemsOf(result.error).join('; ')}`);
    const source = result.value.sources[0];
    expect(source?.provider === 'github' && source.auth.privateKey).toBe(rsaPem.trim());
  });

  it('every mutation of a valid config is refused with ConfigError problems of "path: message" lines', async () => {
    await fc.assert(
      fc.asyncProperty(validConfig, mutations, fc.constantFrom<Rendering>('yaml', 'json'), async (sources, picks, rendering) => {
        const env = Object.assign({}, ...sources.map((source) => source.env)) as Record<string, string>;
        const { text, format } = render(mutate({ sources: sources.map((source) => source.value) }, picks), rendering);
        const result = await parse(text, format, env);
        expect(result.ok, `accepted after ${picks.map((pick) => MUTATIONS[pick]?.[0]).join(', ')}`).toBe(false);
        expectConfigOutcome(result);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('config loader: secrets are never echoed', () => {
  const planted = config(plantedSource);
  const mutationsOrNone = fc.array(fc.nat({ max: MUTATIONS.length - 1 }), { maxLength: 2 });

  it('no secret from the config, its environment or its secret files appears in any problem', async () => {
    await fc.assert(
      fc.asyncProperty(planted, mutationsOrNone, fc.constantFrom<Rendering>('yaml', 'json'), async (plant, picks, rendering) => {
        const { text, format } = render(mutate(plant.value, picks), rendering);
        const result = await parse(text, format, plant.env);
        if (result.ok) return;
        const problems = problemsOf(result.error);
        expectWellFormed(problems);
        expectNoSecrets([...problems, (result.error as Error).message], [...plant.secrets, ...FILE_SECRETS]);
      }),
      { numRuns: RUNS },
    );
  });

  // Found by this fuzzer: syntax errors carry the YAML parser's message, which quotes an alias
  // name, a tag or a block scalar header, so `token: *abc…` or `token: |abc…` repeats the token.
  it('no secret appears in the syntax errors of bare or damaged YAML and JSON', async () => {
    await fc.assert(
      fc.asyncProperty(planted, mutationsOrNone, fc.constantFrom<Rendering>('yaml', 'json', 'bare-yaml'), damage, async (plant, picks, rendering, how) => {
        const { text, format } = render(mutate(plant.value, picks), rendering);
        const result = await parse(damaged(text, how), format, plant.env);
        if (result.ok) return;
        const problems = problemsOf(result.error);
        expectWellFormed(problems);
        expectNoSecrets([...problems, (result.error as Error).message], [...plant.secrets, ...FILE_SECRETS]);
      }),
      { numRuns: RUNS },
    );
  });

  it('loadConfig reads the file and resolves secret files beside it, echoing no secret', async () => {
    await fc.assert(
      fc.asyncProperty(planted, mutationsOrNone, fc.constantFrom<Rendering>('yaml', 'json'), async (plant, picks, rendering) => {
        const { text, format } = render(mutate(plant.value, picks), rendering);
        const file = join(dir, `config.${format}`);
        await writeFile(file, text);
        const result = await settle(loadConfig(file, plant.env));
        if (result.ok) return;
        const problems = problemsOf(result.error);
        expectWellFormed(problems);
        expectNoSecrets(problems, [...plant.secrets, ...FILE_SECRETS]);
      }),
      { numRuns: 150 },
    );
  });

  // Found by this fuzzer: a key pasted where its file name belongs is read as a path, and
  // "cannot read <path>: ENOENT" repeats the whole PEM text, over several lines.
  it('PEM text written in privateKeyFile is not repeated', async () => {
    const misplaced = fc.record({ key: fc.constantFrom('rsa', 'ec'), trimmed: fc.boolean(), rendering: fc.constantFrom<Rendering>('yaml', 'json') });
    await fc.assert(
      fc.asyncProperty(misplaced, async ({ key, trimmed, rendering }) => {
        const pem = key === 'rsa' ? rsaPem : ecPem;
        const doc = { sources: [{ name: 'gh', provider: 'github', auth: { appId: 123456, privateKeyFile: trimmed ? pem.trim() : pem }, webhooks: ['app'] }] };
        const { text, format } = render(doc, rendering);
        const problems = expectConfigOutcome(await parse(text, format));
        expect(problems.length).toBeGreaterThan(0);
        expectNoSecrets(problems, FILE_SECRETS);
      }),
      { numRuns: 20 },
    );
  });

  it('a missing config file is a ConfigError naming the file', async () => {
    const result = await settle(loadConfig(join(dir, 'no-such-config.yaml'), {}));
    const problems = result.ok ? [] : problemsOf(result.error);
    expectWellFormed(problems);
    expect(problems[0]).toContain('no-such-config.yaml');
  });
});
