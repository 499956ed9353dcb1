// OTEL_METRICS_EXPORTER=otlp pushes the same metrics to an OTLP/HTTP endpoint next to /metrics
// (how a fleet feeds an OpenTelemetry Collector); unset, nothing is sent anywhere.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_WEBHOOKS, ProviderSimulator, SIM_SECRETS } from '../../src/simulator/index.js';
import { runCli } from '../helpers/cli.js';
import { configFor } from '../helpers/harness.js';
import { OtlpReceiver } from './helpers/otlp-receiver.js';

let sim: ProviderSimulator;
let receiver: OtlpReceiver;
let configFile: string;

beforeAll(async () => {
  sim = await ProviderSimulator.start();
  sim.startTraffic({ webhooks: [...DEMO_WEBHOOKS], intervalMs: 100, seed: 3 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  receiver = await OtlpReceiver.start();
  const dir = await mkdtemp(join(tmpdir(), 'wle-otlp-'));
  configFile = join(dir, 'config.json');
  const ids = (provider: string) => DEMO_WEBHOOKS.filter((w) => w.provider === provider).map((w) => w.webhookId);
  await writeFile(
    configFile,
    JSON.stringify(
      configFor(sim, {
        sources: [
          { name: 'sf', provider: 'salesfinity', webhooks: ids('salesfinity') },
          { name: 'bx', provider: 'baanx', webhooks: ids('baanx') },
        ],
      }),
    ),
  );
});

afterAll(async () => {
  sim.stopTraffic();
  await sim.close();
  await receiver.close();
});

const once = (env: NodeJS.ProcessEnv) => runCli(['once', '--config', configFile], env);

interface JsonMetrics {
  resourceMetrics: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeMetrics: Array<{
      metrics: Array<{
        name: string;
        sum?: { dataPoints: unknown[]; aggregationTemporality?: number };
        histogram?: { dataPoints: Array<{ count?: string | number }>; aggregationTemporality?: number };
        gauge?: unknown;
      }>;
    }>;
  }>;
}

describe('OTLP metrics', () => {
  it('with OTEL_METRICS_EXPORTER unset, connects to nothing', async () => {
    const result = await once({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('webhook_deliveries_total');
    expect(receiver.connections).toBe(0);
  });

  it('with OTEL_METRICS_EXPORTER=otlp and http/json, the metrics of the catalogue arrive at the endpoint, flushed at exit', async () => {
    const result = await once({
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    });
    expect(result.code, result.stderr).toBe(0);
    const exports = receiver.requests.filter((request) => request.path === '/v1/metrics');
    expect(exports.length).toBeGreaterThan(0);
    expect(exports[0]!.contentType).toContain('application/json');
    const body = JSON.parse(exports.at(-1)!.body.toString('utf8')) as JsonMetrics;
    const resource = Object.fromEntries(body.resourceMetrics[0]!.resource.attributes.map((a) => [a.key, a.value.stringValue]));
    expect(resource['service.name']).toBe('webhook-log-exporter');
    const names = body.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics.map((m) => m.name)));
    for (const name of ['webhook_deliveries', 'webhook_delivery_duration_seconds', 'webhook_exporter_polls', 'webhook_exporter_up']) {
      expect(names).toContain(name);
    }
    const bytes = exports.map((request) => request.body.toString('utf8')).join('\n');
    for (const secret of SIM_SECRETS) expect(bytes).not.toContain(secret);
  });

  it('with delta preferred, counters and histograms arrive delta, those the exporter aggregates itself too (docs/scaling.md)', async () => {
    const before = receiver.requests.length;
    const result = await once({
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    });
    expect(result.code, result.stderr).toBe(0);
    const exports = receiver.requests.slice(before).filter((request) => request.path === '/v1/metrics');
    const body = JSON.parse(exports.at(-1)!.body.toString('utf8')) as JsonMetrics;
    const metrics = body.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics));
    const DELTA = 1;
    expect(metrics.find((m) => m.name === 'webhook_deliveries')?.sum?.aggregationTemporality).toBe(DELTA);
    expect(metrics.find((m) => m.name === 'webhook_exporter_polls')?.sum?.aggregationTemporality).toBe(DELTA);
    const duration = metrics.find((m) => m.name === 'webhook_delivery_duration_seconds')?.histogram;
    expect(duration?.aggregationTemporality).toBe(DELTA);
    expect(duration?.dataPoints.some((point) => Number(point.count) > 0)).toBe(true);
  });

  it('with http/protobuf (the SDK default), a protobuf export arrives', async () => {
    const before = receiver.requests.length;
    const result = await once({ OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    expect(result.code, result.stderr).toBe(0);
    const exports = receiver.requests.slice(before).filter((request) => request.path === '/v1/metrics');
    expect(exports.length).toBeGreaterThan(0);
    expect(exports[0]!.contentType).toBe('application/x-protobuf');
    // Protobuf strings are stored verbatim: the metric names are in the bytes.
    expect(exports[0]!.body.includes(Buffer.from('webhook_deliveries'))).toBe(true);
  });
});
