// The command line as a user runs it: a real process, real config files, the real simulator,
// a real scrape checked by promtool, and SIGTERM.

import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_WEBHOOKS, ProviderSimulator, SIM_SECRETS } from '../../src/simulator/index.js';
import { VERSION } from '../../src/version.js';
import { parseExposition, sampleValue } from '../helpers/exposition.js';
import { runCli, spawnCli, waitFor } from '../helpers/cli.js';
import { configFor } from '../helpers/harness.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';


const cli = runCli;

let sim: ProviderSimulator;
let dir: string;

beforeAll(async () => {
  sim = await ProviderSimulator.start();
  sim.startTraffic({ webhooks: [...DEMO_WEBHOOKS], intervalMs: 200, seed: 7 });
  dir = await mkdtemp(join(tmpdir(), 'wle-cli-'));
});

afterAll(async () => {
  sim.stopTraffic();
  await sim.close();
});

const webhooksOf = (provider: string) => DEMO_WEBHOOKS.filter((w) => w.provider === provider).map((w) => w.webhookId);

async function writeConfig(name: string, overrides: Record<string, unknown> = {}, spec = {}): Promise<string> {
  const config = {
    ...configFor(sim, {
      sources: [
        { name: 'sf', provider: 'salesfinity', webhooks: webhooksOf('salesfinity') },
        { name: 'bx', provider: 'baanx', webhooks: webhooksOf('baanx') },
      ],
      ...spec,
    }),
    ...overrides,
  };
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

describe('help, version and usage errors', () => {
  it('--version prints the version and exits 0', async () => {
    const result = await cli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it('--help lists every command and exits 0', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['run', 'demo', 'check-config', 'once']) expect(result.stdout).toContain(command);
  });

  it.each([
    [['frobnicate'], 'unknown command: frobnicate'],
    [['run'], 'no config file: pass --config FILE or set WEBHOOK_LOG_EXPORTER_CONFIG'],
    [['run', '--nope'], "Unknown option '--nope'"],
    [['demo', '--port', 'eighty'], '--port must be a number'],
  ])('%j exits 2 with "%s"', async (args, message) => {
    const result = await cli(args, { WEBHOOK_LOG_EXPORTER_CONFIG: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('check-config', () => {
  it('prints one line per source without the secrets and exits 0; the file may come from the environment', async () => {
    const file = await writeConfig('ok.json');
    const result = await cli(['check-config'], { WEBHOOK_LOG_EXPORTER_CONFIG: file });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter((line) => /^(sf|bx): /.test(line))).toHaveLength(2);
    for (const secret of SIM_SECRETS) expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it('does not contact any provider', async () => {
    const before = sim.requests.length;
    const file = await writeConfig('quiet.json');
    expect((await cli(['check-config', '--config', file])).code).toBe(0);
    expect(sim.requests.length).toBe(before);
  });

  it('lists every problem by its path and exits 2, without a stack trace', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      [
        'listen: { port: 99999 }',
        'lookbak: 5m',
        'sources:',
        '  - name: Bad Name',
        '    provider: salesfinity',
        '    auth: {}',
        '    webhooks: ["a"]',
        '  - name: bx',
        '    provider: baanx',
        '    auth: { bearerToken: "${BX_TOKEN_NOT_SET}" }',
        '    webhooks: ["b"]',
      ].join('\n'),
    );
    const result = await cli(['check-config', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('listen.port');
    expect(result.stderr).toContain('lookbak');
    expect(result.stderr).toContain('sources[0].name');
    expect(result.stderr).toContain('sources[0].auth');
    expect(result.stderr).toContain('BX_TOKEN_NOT_SET');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing config file is a configuration error (exit 2)', async () => {
    const result = await cli(['check-config', '--config', join(dir, 'missing.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read config file');
  });
});

describe('once', () => {
  it('polls every source once and prints an exposition that promtool accepts', async () => {
    const file = await writeConfig('once.json');
    const result = await cli(['once', '--config', file]);
    expect(result.code).toBe(0);
    const exposition = parseExposition(result.stdout);
    expect(sampleValue(exposition, 'webhook_exporter_polls_total', { source: 'sf', result: 'success' })).toBe(1);
    expect(exposition.samples.some((s) => s.name === 'webhook_deliveries_total' && s.value > 0)).toBe(true);
    expect(await promtoolCheckMetrics(result.stdout)).toBe('');
  });

  it('exits 1 when every source failed', async () => {
    const file = await writeConfig('wrong-keys.json');
    const config = JSON.parse(await readFile(file, 'utf8')) as { sources: Array<{ auth: Record<string, string> }> };
    config.sources[0]!.auth = { apiKey: 'wrong' };
    config.sources[1]!.auth = { bearerToken: 'wrong' };
    await writeFile(file, JSON.stringify(config));
    const result = await cli(['once', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('provider rejected the credentials (HTTP 401)');
    expect(sampleValue(parseExposition(result.stdout), 'webhook_exporter_api_requests_total', { source: 'bx', code: '401' })).toBe(2);
  });
});

describe('run', () => {
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGKILL'));

  it('serves /metrics, /readyz and /, never emits a secret, and exits 0 on SIGTERM after writing state', async () => {
    const stateFile = join(dir, 'run-state', 'state.json');
    const file = await writeConfig('run.json', { schedule: '* * * * * *' }, { stateFile });
    child = spawnCli(['run', '--config', file], { LOG_LEVEL: 'debug' });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));

    const address = await waitFor(() => /"address":"[^"]*:(\d+)"/.exec(output)?.[1], 'the listening line');
    const url = `http://127.0.0.1:${address}`;
    await waitFor(async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), '/readyz');
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // a few scheduled polls

    const metrics = await (await fetch(`${url}/metrics`)).text();
    const statusPage = await (await fetch(`${url}/`)).text();
    expect(await promtoolCheckMetrics(metrics)).toBe('');
    const exposition = parseExposition(metrics);
    expect(sampleValue(exposition, 'webhook_exporter_polls_total', { source: 'bx', webhook_id: webhooksOf('baanx')[0]!, result: 'success' })).toBeGreaterThanOrEqual(2);
    expect(statusPage).toContain(webhooksOf('salesfinity')[0]);

    const stoppingAt = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - stoppingAt).toBeLessThan(10_000);
    expect(output).toContain('"msg":"stopped"');
    expect((await stat(stateFile)).isFile()).toBe(true);
    for (const secret of SIM_SECRETS) {
      expect(output, `log leaks ${secret}`).not.toContain(secret);
      expect(metrics).not.toContain(secret);
      expect(statusPage).not.toContain(secret);
      expect(await readFile(stateFile, 'utf8')).not.toContain(secret);
    }
    expect(output).not.toMatch(/[?&](page|limit|token)=/); // no URL query string in any log line
  });
});


const MODULE_HOOKS = join(import.meta.dirname, '..', 'helpers', 'module-hooks.mjs');

/** What a CLI run loaded, as module URLs, recorded by test/helpers/module-hooks.mjs. */
async function modulesLoadedBy(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ result: Awaited<ReturnType<typeof cli>>; modules: string[] }> {
  const record = join(await mkdtemp(join(dir, 'modules-')), 'loaded.txt');
  await writeFile(record, '');
  const result = await cli(args, { NODE_OPTIONS: `--import=${MODULE_HOOKS}`, WLE_RECORD_MODULES: record, ...env });
  return { result, modules: (await readFile(record, 'utf8')).split('\n').filter(Boolean) };
}

/** Modules a command that serves nothing and polls nothing must not load. */
const RUNTIME_ONLY = [/node_modules\/undici\//, /node_modules\/@opentelemetry\//, /node_modules\/pino\//, /\/src\/(app|server|poller|telemetry|simulator)\//, /\/src\/app\.ts$/];

describe('each command loads only what it uses', () => {
  it('--version and --help load no config, telemetry, HTTP client or server code', async () => {
    for (const args of [['--version'], ['--help']]) {
      const { result, modules } = await modulesLoadedBy(args);
      expect(result.code).toBe(0);
      expect(modules.filter((url) => url.includes('/src/') || url.includes('/node_modules/') && !url.includes('/node_modules/tsx/'))).toEqual(
        expect.not.arrayContaining([expect.stringMatching(/zod|yaml|undici|@opentelemetry|pino|\/src\/config\//)]),
      );
      expect(modules.some((url) => url.endsWith('/src/main.ts'))).toBe(true); // the record works
    }
  });

  it('check-config loads the config checks, and no telemetry, HTTP client or server code', async () => {
    const { result, modules } = await modulesLoadedBy(['check-config', '--config', await writeConfig('modules.json')]);
    expect(result.code).toBe(0);
    expect(modules.some((url) => url.includes('/src/config/'))).toBe(true);
    expect(modules.filter((url) => RUNTIME_ONLY.some((pattern) => pattern.test(url)))).toEqual([]);
  });

  it('the telemetry and the server load no config schema (zod, yaml): they only name the providers', async () => {
    // The run command loads the config anyway; the memory benchmark's children do not, and should
    // not pay for it (it once did, through the metric catalogue's list of provider names).
    const record = join(await mkdtemp(join(dir, 'modules-')), 'loaded.txt');
    await writeFile(record, '');
    const root = join(import.meta.dirname, '..', '..');
    const script = ['src/telemetry/index.ts', 'src/server/index.ts'].map((path) => `await import(${JSON.stringify(join(root, path))});`).join(' ');
    await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', MODULE_HOOKS, '--input-type=module', '-e', script], { cwd: root, env: { ...process.env, WLE_RECORD_MODULES: record } });
    const modules = (await readFile(record, 'utf8')).split('\n').filter(Boolean);
    expect(modules.some((url) => url.endsWith('/src/telemetry/catalogue.ts'))).toBe(true); // the record works
    expect(modules.filter((url) => /node_modules\/(zod|yaml)\//.test(url))).toEqual([]);
  });

  it('an OTLP exporter package missing from the installation: exit 2 at start, one line naming the variable that asked for it', async () => {
    const config = await writeConfig('otlp-missing.json');
    const { result } = await modulesLoadedBy(['once', '--config', config], {
      WLE_HIDE_PACKAGES: '@opentelemetry/exporter-trace-otlp-grpc',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(''); // nothing polled, nothing printed
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      'webhook-log-exporter: OTEL_TRACES_EXPORTER=otlp (protocol grpc from OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) needs the package @opentelemetry/exporter-trace-otlp-grpc, which this installation does not have: install it, choose another protocol, or unset OTEL_TRACES_EXPORTER',
    );
  });
});
