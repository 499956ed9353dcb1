// A real exporter (config → adapters → poller → telemetry) pointed at a real simulator over
// loopback, with its log lines captured, for tests that check what a user would see.

import type { Dispatcher } from 'undici';
import { buildExporter, type Exporter } from '../../src/app.js';
import { parseConfig, type ExporterConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logger.js';
import type { BuiltInProvider } from '../../src/providers/registry.js';
import { simulatedSource, type ProviderSimulator } from '../../src/simulator/index.js';
import { findSamples, parseExposition, type Exposition } from './exposition.js';

export interface SourceSpec {
  name: string;
  provider: BuiltInProvider;
  webhooks: string[];
  pageSize?: number;
  maxPages?: number;
  limit?: number;
}

export interface HarnessOptions {
  sources: SourceSpec[];
  startFrom?: 'now' | 'backfill';
  lookback?: string;
  stateFile?: string;
  timeout?: string;
  maxEventTypes?: number;
  maxResponseBytes?: number;
  /** Only matters when the test calls exporter.start(); poll() ignores the schedule. */
  schedule?: string;
  /** Jitter source for back-off; fixed in tests that time it. */
  random?: () => number;
  /** HTTP client for provider requests, e.g. one with its own DNS lookup; default undici's global one. */
  dispatcher?: Dispatcher;
  shard?: { index: number; count: number };
}

export interface Harness {
  exporter: Exporter;
  /** Every log line, parsed. */
  logs: Array<Record<string, unknown>>;
  /** One read of every webhook, ignoring back-off. */
  poll(): Promise<void>;
  metrics(): Promise<Exposition>;
  /** Sum of webhook_deliveries_total over the series matching `match`. */
  deliveries(match?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export function configFor(sim: ProviderSimulator, options: HarnessOptions): Record<string, unknown> {
  return {
    listen: { host: '127.0.0.1', port: 0 },
    ...(options.schedule ? { schedule: options.schedule } : {}),
    ...(options.shard ? { shard: options.shard } : {}),
    startFrom: options.startFrom ?? 'backfill',
    lookback: options.lookback ?? '5m',
    ...(options.stateFile ? { state: { file: options.stateFile } } : {}),
    ...(options.maxEventTypes ? { maxEventTypes: options.maxEventTypes } : {}),
    http: {
      timeout: options.timeout ?? '2s',
      concurrency: 4,
      ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}),
    },
    sources: options.sources.map(({ provider, ...spec }) => simulatedSource(sim, provider, spec)),
  };
}

export async function startHarness(sim: ProviderSimulator, options: HarnessOptions): Promise<Harness> {
  const config = await parseConfig(JSON.stringify(configFor(sim, options)), { format: 'json' });
  return harnessFor(config, { random: options.random, dispatcher: options.dispatcher });
}

/** A real exporter for a resolved config (any provider), its state restored, its logs captured; not polling until asked. */
export async function harnessFor(config: ExporterConfig, deps: { random?: () => number; dispatcher?: Dispatcher } = {}): Promise<Harness> {
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const exporter = await buildExporter(config, { logger, random: deps.random, dispatcher: deps.dispatcher });
  await exporter.poller.restoreState();
  const metrics = async () => parseExposition(await exporter.telemetry.collectExposition());
  return {
    exporter,
    logs,
    poll: () => exporter.poller.pollAll(),
    metrics,
    async deliveries(match = {}) {
      return findSamples(await metrics(), 'webhook_deliveries_total', match).reduce((sum, sample) => sum + sample.value, 0);
    },
    stop: () => exporter.stop(),
  };
}

/** ISO time `minutesAgo` before a fixed base, so entries have predictable order. */
export function minutesBefore(baseMs: number, minutes: number): string {
  return new Date(baseMs - minutes * 60_000).toISOString();
}
