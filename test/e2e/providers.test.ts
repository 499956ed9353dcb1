// GitHub, GitLab and Svix through the whole exporter against the simulator over loopback: exactly
// once while the log grows at its head during paging (Link cursor, page numbers, iterator), across
// a restart with a state file, unfinished attempts, page-limit gaps naming the setting, rate
// limits and conditional reads, a deleted hook, the GitHub App's JWT, and config errors.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import type { ProviderName } from '../../src/providers/index.js';
import {
  ProviderSimulator,
  SIM_GITHUB_APP_ID,
  githubDelivery,
  gitlabEntry,
  simGithubAppKeys,
  simulatedSource,
  svixAttempt,
} from '../../src/simulator/index.js';
import { sampleValue } from '../helpers/exposition.js';
import { startHarness, type Harness, type SourceSpec } from '../helpers/harness.js';

type NewProvider = Extract<ProviderName, 'github' | 'gitlab' | 'svix'>;

/** One webhook per provider, an item builder, and the most entries one page may hold. */
const PROVIDERS: Record<NewProvider, { webhookId: string; item: (nowMs: number, n: number) => unknown; maxPageSize: number }> = {
  github: { webhookId: 'acme/payments-api/12345678', item: (nowMs) => githubDelivery({}, { nowMs }), maxPageSize: 100 },
  gitlab: { webhookId: 'project/4242/17', item: (nowMs) => gitlabEntry({}, { nowMs }), maxPageSize: 20 },
  svix: { webhookId: 'app_2Wn0ozpCBWWhyJKDDgYcTuXOSwZ/ep_2Wn1Hl9zK4Xe5WGEyLNnBvTCQ2C', item: (nowMs) => svixAttempt({}, { nowMs }), maxPageSize: 250 },
};
const NEW_PROVIDERS = Object.keys(PROVIDERS) as NewProvider[];

let sim: ProviderSimulator;
let dir: string;
const harnesses: Harness[] = [];
let clock = Date.now() - 60_000;
/** Entries a few milliseconds apart, newer each call, so their order in the log is known. */
const next = (provider: NewProvider, n = 1) => Array.from({ length: n }, (_, i) => PROVIDERS[provider].item((clock += 7), i));

beforeAll(async () => {
  sim = await ProviderSimulator.start();
  dir = await mkdtemp(join(tmpdir(), 'wle-providers-'));
});

afterEach(async () => {
  sim.onRequest(null);
  for (const harness of harnesses.splice(0)) await harness.stop();
});

async function harnessFor(provider: NewProvider, webhookId: string, spec: Partial<SourceSpec> = {}, options: { stateFile?: string } = {}): Promise<Harness> {
  const harness = await startHarness(sim, { sources: [{ name: provider, provider, webhooks: [webhookId], ...spec }], ...options });
  harnesses.push(harness);
  return harness;
}

const lines = (harness: Harness, level: string) => harness.logs.filter((line) => line.level === level).map((line) => String(line.msg));

describe.each(NEW_PROVIDERS)('%s', (provider) => {
  it('counts each delivery once while new ones arrive at the head between the pages of a read', async () => {
    const { webhookId } = PROVIDERS[provider];
    sim.addWebhook(provider, webhookId);
    sim.append(provider, webhookId, next(provider, 7));
    let arriving = 0;
    sim.onRequest((request) => {
      if (request.provider !== provider || arriving >= 4) return;
      arriving += 1;
      sim.append(provider, webhookId, next(provider));
    });
    const stateFile = join(dir, `${provider}-state.json`);
    const harness = await harnessFor(provider, webhookId, { pageSize: 3 }, { stateFile });
    await harness.poll();
    const first = await harness.deliveries();
    await harness.poll(); // whatever arrived during the first read is read now
    expect(first).toBeGreaterThanOrEqual(7);
    expect(await harness.deliveries()).toBe(7 + 4);
    await harness.poll();
    expect(await harness.deliveries()).toBe(11);
    expect(lines(harness, 'warn')).toEqual([]);

    // A restart with the state file counts nothing again, and only what is new.
    sim.onRequest(null);
    await harness.stop();
    harnesses.splice(harnesses.indexOf(harness), 1);
    sim.append(provider, webhookId, next(provider, 2));
    const restarted = await harnessFor(provider, webhookId, { pageSize: 3 }, { stateFile });
    await restarted.poll();
    expect(await restarted.deliveries()).toBe(2);
  });

  it("records a gap naming the page-limit setting when a read stops at maxPages", async () => {
    const webhookId = PROVIDERS[provider].webhookId.replace(/(\d+)$/, '999').replace(/ep_[A-Za-z0-9]+$/, 'ep_gap');
    sim.addWebhook(provider, webhookId);
    sim.append(provider, webhookId, next(provider, 2));
    const harness = await harnessFor(provider, webhookId, { pageSize: 2, maxPages: 1 });
    await harness.poll();
    sim.append(provider, webhookId, next(provider, 5));
    await harness.poll();
    const gaps = harness.logs.filter((line) => String(line.msg).startsWith('possible gap:'));
    expect(gaps).toHaveLength(1);
    expect(String(gaps[0]?.msg)).toContain('maxPages=1');
    expect(sampleValue(await harness.metrics(), 'webhook_exporter_gaps_total', { webhook_id: webhookId })).toBe(1);
  });
});

describe('Svix unfinished attempts', () => {
  it('holds a pending attempt, then counts it once when it finishes; a canceled one never', async () => {
    const webhookId = 'app_pending/ep_pending';
    sim.addWebhook('svix', webhookId);
    const pending = svixAttempt({ status: 1, statusText: 'pending', responseStatusCode: 0 }, { nowMs: (clock += 7) });
    const canceled = svixAttempt({ status: 1, statusText: 'pending', responseStatusCode: 0 }, { nowMs: (clock += 7) });
    sim.append('svix', webhookId, [pending, canceled, ...next('svix', 1)]);
    const harness = await harnessFor('svix', webhookId);
    await harness.poll();
    expect(await harness.deliveries()).toBe(1);
    expect(sampleValue(await harness.metrics(), 'webhook_deliveries_pending', { webhook_id: webhookId })).toBe(2);
    sim.update('svix', webhookId, pending.id, { status: 3, statusText: 'sending' });
    sim.update('svix', webhookId, canceled.id, { status: 4, statusText: 'canceled' });
    await harness.poll();
    expect(await harness.deliveries()).toBe(1);
    expect(sampleValue(await harness.metrics(), 'webhook_deliveries_pending', { webhook_id: webhookId })).toBe(1);
    sim.update('svix', webhookId, pending.id, { status: 2, statusText: 'fail', responseStatusCode: 502 });
    await harness.poll();
    await harness.poll();
    expect(await harness.deliveries({ status: 'failed', http_status_code: '502' })).toBe(1);
    expect(await harness.deliveries()).toBe(2);
    expect(sampleValue(await harness.metrics(), 'webhook_deliveries_pending', { webhook_id: webhookId })).toBe(0);
    expect(lines(harness, 'warn')).toEqual([]); // a canceled pending attempt is no lost delivery
  });
});

describe('GitHub rate limits, conditional reads and errors', () => {
  it('answers an unchanged first page with 304 (a successful poll) and reports the budget left', async () => {
    const webhookId = 'acme/etag/1';
    sim.addWebhook('github', webhookId);
    sim.append('github', webhookId, next('github', 3));
    const harness = await harnessFor('github', webhookId);
    await harness.poll();
    await harness.poll();
    const metrics = await harness.metrics();
    expect(sampleValue(metrics, 'webhook_exporter_api_requests_total', { code: '304' })).toBe(1);
    expect(sampleValue(metrics, 'webhook_exporter_polls_total', { webhook_id: webhookId, result: 'success' })).toBe(2);
    expect(sampleValue(metrics, 'webhook_exporter_api_rate_limit_remaining', { source: 'github' })).toBeGreaterThan(0);
    expect(await harness.deliveries()).toBe(3);
  });

  it('waits out a spent budget (403) for every webhook of the source, saying until when and what GitHub said', async () => {
    const [spent, peer] = ['acme/spent/1', 'acme/spent/2'];
    for (const webhookId of [spent, peer]) sim.addWebhook('github', webhookId);
    const resetAt = Math.ceil(Date.now() / 1000) + 600;
    sim.setFault('github', spent, {
      kind: 'status',
      status: 403,
      body: JSON.stringify({ message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' }),
      headers: { 'content-type': 'application/json', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetAt) },
      times: 1,
    });
    const harness = await startHarness(sim, { sources: [{ name: 'gh', provider: 'github', webhooks: [spent, peer] }], schedule: '* * * * * *' });
    harnesses.push(harness);
    await harness.exporter.start();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const warning = harness.logs.find((line) => line.level === 'warn' && line.webhookId === spent);
    expect(String(warning?.msg)).toMatch(/^webhook log unreadable: rate limited by the provider \(HTTP 403\)/);
    expect(String(warning?.msg)).toContain('(the provider says: "API rate limit exceeded for user ID 1.")');
    expect(Date.parse(String(warning?.notBefore))).toBe(resetAt * 1000);
    // After the 403, no request with these credentials: the peer's ticks are skipped too.
    const limitedAt = sim.requests.find((request) => request.webhookId === spent)!.at;
    expect(sim.requests.filter((request) => request.provider === 'github' && request.webhookId.startsWith('acme/spent/') && request.at > limitedAt + 100)).toEqual([]);
    expect(harness.logs.some((line) => line.webhookId === peer && String(line.msg).startsWith('rate limited: no request with these credentials'))).toBe(true);
  });

  it('a deleted hook (404) takes only its own webhook down, with GitHub\'s message', async () => {
    const [alive, deleted] = ['acme/alive/7', 'acme/deleted/8'];
    sim.addWebhook('github', alive);
    sim.append('github', alive, next('github', 2));
    const harness = await startHarness(sim, { sources: [{ name: 'gh', provider: 'github', webhooks: [alive, deleted] }] });
    harnesses.push(harness);
    await harness.poll();
    const metrics = await harness.metrics();
    expect(sampleValue(metrics, 'webhook_exporter_up', { webhook_id: deleted })).toBe(0);
    expect(sampleValue(metrics, 'webhook_exporter_up', { webhook_id: alive })).toBe(1);
    expect(await harness.deliveries({ webhook_id: alive })).toBe(2);
    expect(lines(harness, 'warn')).toEqual([expect.stringMatching(/^webhook log unreadable: webhook not found \(HTTP 404\).*\(the provider says: "Not Found"\)$/)]);
  });
});

describe('the GitHub App hook', () => {
  it('reads `app` with a JWT signed from privateKeyFile, and never logs the key or the JWT', async () => {
    const keyFile = join(dir, 'app.pem');
    await writeFile(keyFile, simGithubAppKeys().privateKeyPem, { mode: 0o600 });
    sim.addWebhook('github', 'app');
    sim.append('github', 'app', next('github', 4));
    const config = await parseConfig(
      JSON.stringify({
        listen: { host: '127.0.0.1', port: 0 },
        startFrom: 'backfill',
        sources: [{ ...simulatedSource(sim, 'github', { name: 'gh-app', webhooks: ['app'] }), auth: { appId: SIM_GITHUB_APP_ID, privateKeyFile: keyFile } }],
      }),
      { format: 'json' },
    );
    const { buildExporter } = await import('../../src/app.js');
    const logs: string[] = [];
    const { createLogger } = await import('../../src/logger.js');
    const exporter = await buildExporter(config, { logger: createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(line) } }) });
    try {
      await exporter.poller.pollAll();
      const exposition = await exporter.telemetry.collectExposition();
      expect(exposition).toMatch(/webhook_deliveries_total\{[^}]*webhook_id="app"[^}]*\} 4\n/);
      const everything = logs.join('\n') + exposition;
      expect(everything).not.toContain('PRIVATE KEY');
      expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./); // no JWT
    } finally {
      await exporter.stop();
    }
  });
});

describe('config errors for the new providers', () => {
  const problems = async (source: Record<string, unknown>): Promise<string[]> => {
    try {
      await parseConfig(JSON.stringify({ sources: [source] }), { format: 'json', baseDir: dir });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  it('says which webhook form was expected', async () => {
    expect(await problems({ name: 'gh', provider: 'github', auth: { token: 't' }, webhooks: ['acme/payments-api'] })).toEqual([
      expect.stringMatching(/^sources\[0\]\.webhooks\[0\]: .*OWNER\/REPO\/HOOK_ID .*ORG\/HOOK_ID .*"app"/),
    ]);
    expect((await problems({ name: 'gl', provider: 'gitlab', auth: { token: 't' }, webhooks: ['56'] }))[0]).toMatch(/^sources\[0\]\.webhooks\[0\]: .*project\/.*group\//);
    expect((await problems({ name: 'sv', provider: 'svix', auth: { token: 't' }, webhooks: ['app_1'] }))[0]).toMatch(/^sources\[0\]\.webhooks\[0\]: .*APP_ID\/ENDPOINT_ID/);
  });

  it('names the path of a private key file that is missing or not an RSA private key', async () => {
    const notAKey = join(dir, 'not-a-key.pem');
    await writeFile(notAKey, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    for (const file of [join(dir, 'missing.pem'), notAKey]) {
      const found = await problems({ name: 'gh', provider: 'github', auth: { appId: 1, privateKeyFile: file }, webhooks: ['app'] });
      expect(found).toEqual([expect.stringMatching(new RegExp(`^sources\\[0\\]\\.auth\\.privateKeyFile: .*${file.replaceAll('.', '\\.')}`))]);
    }
  });

  it('keeps GitLab to its 20 entries a page', async () => {
    expect(await problems({ name: 'gl', provider: 'gitlab', auth: { token: 't' }, webhooks: ['project/1/2'], pageSize: 21 })).toEqual([
      expect.stringMatching(/^sources\[0\]\.pageSize: .*20/),
    ]);
  });
});

describe.each(NEW_PROVIDERS)('%s under provider faults', (provider) => {
  // Each fault: the problem state it is logged under, and what the line must advise.
  const faults = [
    { name: '401', fault: { kind: 'status', status: 401 } as const, problem: 'http_401', advice: /rejected the credentials \(HTTP 401\): check that the source's token/ },
    { name: '500', fault: { kind: 'status', status: 500 } as const, problem: 'http_5xx', advice: /provider error \(HTTP 500\)/ },
    { name: '429', fault: { kind: 'rate-limit', retryAfter: '1' } as const, problem: 'http_429', advice: /rate limited by the provider \(HTTP 429\)/ },
    { name: 'garbage', fault: { kind: 'garbage' } as const, problem: 'bad_body', advice: /unusable response/ },
    { name: 'wrong shape', fault: { kind: 'wrong-shape' } as const, problem: 'wrong_shape', advice: /unexpected shape/ },
    { name: 'reset', fault: { kind: 'reset' } as const, problem: 'network_error', advice: /cannot reach the provider/ },
  ];

  it.each(faults)('$name: the webhook goes down with one warning, another carries on, and it catches up exactly', async ({ fault, problem, advice }) => {
    const [target, other] = [`${provider}-fault-${problem}`, `${provider}-ok-${problem}`].map((name) => idFor(provider, name));
    for (const webhookId of [target!, other!]) {
      sim.addWebhook(provider, webhookId);
      sim.append(provider, webhookId, next(provider, 2));
    }
    const harness = await startHarness(sim, { sources: [{ name: provider, provider, webhooks: [target!, other!] }] });
    harnesses.push(harness);
    await harness.poll();
    sim.setFault(provider, target!, fault);
    sim.append(provider, target!, next(provider, 3));
    sim.append(provider, other!, next(provider, 1));
    await harness.poll();
    await harness.poll();
    const metrics = await harness.metrics();
    expect(sampleValue(metrics, 'webhook_exporter_up', { webhook_id: target! })).toBe(0);
    expect(sampleValue(metrics, 'webhook_exporter_up', { webhook_id: other! })).toBe(1);
    expect(await harness.deliveries({ webhook_id: other! })).toBe(3);
    const warnings = harness.logs.filter((line) => line.level === 'warn' && line.webhookId === target);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ problem });
    expect(String(warnings[0]?.msg)).toMatch(advice);
    expect(String(warnings[0]?.url)).not.toContain('?');
    sim.setFault(provider, target!, null);
    await harness.poll();
    expect(await harness.deliveries({ webhook_id: target! })).toBe(5);
    expect(harness.logs.filter((line) => line.webhookId === target && line.msg === 'webhook log readable again')).toHaveLength(1);
  });
});

/** A webhook id of the provider's form, distinct per name. */
function idFor(provider: NewProvider, name: string): string {
  const n = [...name].reduce((hash, character) => (hash * 31 + character.charCodeAt(0)) % 1_000_000, 7);
  if (provider === 'github') return `acme/${name}/${n}`;
  if (provider === 'gitlab') return `project/${n}/${n + 1}`;
  return `app_${name.replace(/[^A-Za-z0-9]/g, '')}/ep_${n}`;
}
