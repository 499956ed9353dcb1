// The story every fault test tells (test/faults*.test.ts): a real exporter reads a Salesfinity and a
// Baanx webhook from the simulator, one misbehaves, and we check what an operator sees.

import { expect } from 'vitest';
import type { WebhookStatus } from '../../../src/poller/index.js';
import type { BuiltInProvider } from '../../../src/providers/registry.js';
import { ProviderSimulator, SIM_SECRETS, baanxEntry, salesfinityEntry } from '../../../src/simulator/index.js';
import { sampleValue, type Exposition } from '../../helpers/exposition.js';
import { minutesBefore, startHarness, type Harness, type HarnessOptions } from '../../helpers/harness.js';

export const SF = '507f1f77bcf86cd799439011';
export const BX = '770e8400-e29b-41d4-a716-446655440002';
/** The two providers the fault scenarios pit against each other: one faulty, the other must stay exact. */
export type FaultProvider = Extract<BuiltInProvider, 'salesfinity' | 'baanx'>;
export const WEBHOOK: Record<FaultProvider, string> = { salesfinity: SF, baanx: BX };
export const SOURCE: Record<FaultProvider, string> = { salesfinity: 'sf', baanx: 'bx' };
const OTHER: Record<FaultProvider, FaultProvider> = { salesfinity: 'baanx', baanx: 'salesfinity' };
export const POLLS_UNDER_FAULT = 3;
const base = Date.now();

/** An ISO time `minutes` before the test file started, so entries have a predictable order. */
export const minutesAgo = (minutes: number): string => minutesBefore(base, minutes);

/** A realistic entry of either provider, `minutes` before the test file started. */
export function entry(provider: BuiltInProvider, id: string, minutes: number): unknown {
  const createdAt = minutesAgo(minutes);
  return provider === 'salesfinity' ? salesfinityEntry({ _id: id, createdAt }) : baanxEntry({ id, createdAt });
}

/** A simulator where each webhook already logged three entries. */
export async function startFaultSimulator(): Promise<ProviderSimulator> {
  const sim = await ProviderSimulator.start();
  for (const provider of ['salesfinity', 'baanx'] as const) {
    sim.addWebhook(provider, WEBHOOK[provider]);
    sim.append(provider, WEBHOOK[provider], [10, 9, 8].map((minutesAgo, i) => entry(provider, `${provider}-e${i}`, minutesAgo)));
  }
  return sim;
}

// Small Salesfinity pages, so the catch-up after a fault has to page back to what it knew.
export const bothSources = (): HarnessOptions['sources'] => [
  { name: SOURCE.salesfinity, provider: 'salesfinity', webhooks: [SF], pageSize: 2 },
  { name: SOURCE.baanx, provider: 'baanx', webhooks: [BX] },
];

/** An exporter reading both fault webhooks, with a lookback wider than every entry's age. */
export function startFaultHarness(simulator: ProviderSimulator, options: Partial<HarnessOptions> = {}): Promise<Harness> {
  return startHarness(simulator, { sources: bothSources(), lookback: '1h', ...options });
}

export function webhookLines(harness: Harness, level: string, webhookId: string) {
  return harness.logs.filter((line) => line.level === level && line.webhookId === webhookId);
}

export function statusOf(harness: Harness, webhookId: string): WebhookStatus {
  const status = harness.exporter.poller.statuses().find((s) => s.webhookId === webhookId);
  if (!status) throw new Error(`no status for ${webhookId}`);
  return status;
}

export const apiRequests = (metrics: Exposition, source: string, code: string) =>
  sampleValue(metrics, 'webhook_exporter_api_requests_total', { source, code }) ?? 0;

/** Nothing the exporter wrote (logs, exposition) holds a secret or a request's query string. */
export async function expectNoSecrets(harness: Harness): Promise<void> {
  const written = JSON.stringify(harness.logs) + (await harness.exporter.telemetry.collectExposition());
  for (const secret of SIM_SECRETS) expect(written).not.toContain(secret);
  expect(written).not.toMatch(/[?&](page|limit|sort)=/);
}

/** /healthz and /readyz as Kubernetes sees them: alive, and ready since every webhook had a first poll. */
async function expectAliveAndReady(port: number): Promise<void> {
  for (const path of ['/healthz', '/readyz']) {
    expect((await fetch(`http://127.0.0.1:${port}${path}`)).status, path).toBe(200);
  }
}

export interface Scenario {
  /** The webhook that misbehaves; the other provider's source must not notice. */
  target: FaultProvider;
  /** Where each provider's log lives (the simulator behind its source). */
  simFor: (provider: BuiltInProvider) => ProviderSimulator;
  harness: Harness;
  inject(): void | Promise<void>;
  clear(): void | Promise<void>;
  expected: { code: string; problem: string; advice: RegExp };
  /** Extra checks on the status while the fault lasts. */
  checkStatus?: (status: WebhookStatus) => void;
}

/**
 * The whole story of one fault: 3 + 3 entries counted, the fault starts, 2 more entries arrive at
 * each webhook while the faulty one is polled three times, the fault clears, everything is caught up.
 */
export async function runScenario(scenario: Scenario): Promise<void> {
  const { target, harness, simFor, expected } = scenario;
  const other = OTHER[target];
  const [targetId, otherId] = [WEBHOOK[target], WEBHOOK[other]];
  const targetSource = SOURCE[target];
  const deliveries = (provider: FaultProvider) => harness.deliveries({ source: SOURCE[provider] });
  const { port } = await harness.exporter.listen(0);

  await harness.poll();
  expect(await deliveries(target)).toBe(3);
  expect(await deliveries(other)).toBe(3);
  const before = await harness.metrics();

  await scenario.inject();
  for (const provider of [target, other]) {
    simFor(provider).append(provider, WEBHOOK[provider], [entry(provider, `${provider}-n1`, 2), entry(provider, `${provider}-n2`, 1)]);
  }
  for (let i = 0; i < POLLS_UNDER_FAULT; i++) await expect(harness.poll()).resolves.toBeUndefined();

  const during = await harness.metrics();
  expect(await deliveries(other)).toBe(5);
  expect(await deliveries(target)).toBe(3);
  expect(sampleValue(during, 'webhook_exporter_polls_total', { webhook_id: targetId, result: 'error' })).toBe(POLLS_UNDER_FAULT);
  expect(sampleValue(during, 'webhook_exporter_polls_total', { webhook_id: otherId, result: 'error' })).toBe(0);
  expect(sampleValue(during, 'webhook_exporter_up', { webhook_id: targetId })).toBe(0);
  expect(sampleValue(during, 'webhook_exporter_up', { webhook_id: otherId })).toBe(1);
  // Last success stays at the poll before the fault, so "how long has it been down" is answerable.
  const lastSuccess = { webhook_id: targetId };
  expect(sampleValue(during, 'webhook_exporter_last_success_timestamp_seconds', lastSuccess)).toBe(
    sampleValue(before, 'webhook_exporter_last_success_timestamp_seconds', lastSuccess),
  );
  expect(apiRequests(during, targetSource, expected.code) - apiRequests(before, targetSource, expected.code)).toBe(POLLS_UNDER_FAULT);
  await expectAliveAndReady(port);

  const warnings = webhookLines(harness, 'warn', targetId);
  expect(warnings).toHaveLength(1);
  const [warning] = warnings;
  expect(warning).toMatchObject({ source: targetSource, provider: target, webhookId: targetId, problem: expected.problem });
  expect(String(warning?.msg)).toMatch(expected.advice);
  expect(String(warning?.url)).not.toContain('?');
  expect(webhookLines(harness, 'warn', otherId)).toHaveLength(0);

  const status = statusOf(harness, targetId);
  expect(status.lastResult).toBe('error');
  expect(warning?.msg).toBe(`webhook log unreadable: ${status.lastError}`);
  expect(status.nextPollNotBeforeMs).toBeGreaterThan(status.lastPollAtMs ?? Infinity);
  scenario.checkStatus?.(status);

  await scenario.clear();
  await harness.poll();
  await harness.poll();
  const after = await harness.metrics();
  expect(await deliveries(target)).toBe(5); // what arrived during the fault, once
  expect(await deliveries(other)).toBe(5);
  expect(sampleValue(after, 'webhook_exporter_up', { webhook_id: targetId })).toBe(1);
  expect(sampleValue(after, 'webhook_exporter_last_success_timestamp_seconds', lastSuccess)).toBeGreaterThan(
    sampleValue(before, 'webhook_exporter_last_success_timestamp_seconds', lastSuccess) ?? Infinity,
  );
  expect(sampleValue(after, 'webhook_exporter_polls_total', { webhook_id: targetId, result: 'error' })).toBe(POLLS_UNDER_FAULT);
  expect(webhookLines(harness, 'warn', targetId)).toHaveLength(1);
  const recovered = webhookLines(harness, 'info', targetId);
  expect(recovered).toHaveLength(1);
  expect(recovered[0]).toMatchObject({ msg: 'webhook log readable again', source: targetSource, failedPolls: POLLS_UNDER_FAULT });
  expect(statusOf(harness, targetId)).toMatchObject({ lastResult: 'success', lastError: undefined, nextPollNotBeforeMs: undefined });
  await expectAliveAndReady(port);
  await expectNoSecrets(harness);
}

/**
 * Salesfinity on a simulator of its own, Baanx staying on `sim`, so a test can take the Salesfinity
 * port down (refused, a black hole) and bring the API back on the same port with the log it had.
 */
export class SeparateSalesfinity {
  /** What configFor should see: Baanx on `sim`, Salesfinity on this port. */
  readonly view: ProviderSimulator;
  readonly port: number;

  private constructor(
    private readonly sim: ProviderSimulator,
    private current: ProviderSimulator,
  ) {
    this.port = Number(new URL(current.url).port);
    this.view = Object.assign(Object.create(sim) as ProviderSimulator, {
      baseUrl: (provider: BuiltInProvider) => (provider === 'salesfinity' ? this.current.baseUrl(provider) : sim.baseUrl(provider)),
    });
  }

  static async start(sim: ProviderSimulator): Promise<SeparateSalesfinity> {
    const own = await ProviderSimulator.start();
    own.addWebhook('salesfinity', SF);
    own.append('salesfinity', SF, sim.entries('salesfinity', SF));
    return new SeparateSalesfinity(sim, own);
  }

  readonly simFor = (provider: BuiltInProvider): ProviderSimulator => (provider === 'salesfinity' ? this.current : this.sim);

  async takeDown(): Promise<void> {
    await this.current.close();
    // Let the exporter's pooled keep-alive connection see the close, as it would long before a
    // real next tick; reusing it at once fails as "other side closed" instead of what the test means.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** The API back on its port, with the log as it grew meanwhile. */
  async bringBack(): Promise<void> {
    const back = await ProviderSimulator.start({ port: this.port });
    back.addWebhook('salesfinity', SF);
    back.append('salesfinity', SF, this.current.entries('salesfinity', SF));
    this.current = back;
  }

  close(): Promise<void> {
    return this.current.close();
  }
}
