// Wires config → adapters → poller → telemetry → server. `main` (cli.ts) only parses arguments,
// builds this and listens, so tests build the whole exporter without a process.

import type { AddressInfo } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import type { ExporterConfig } from './config/index.js';
import type { Logger } from './logger.js';
import { Poller, type WebhookTarget } from './poller/index.js';
import { ownsWebhook } from './poller/shard.js';
import { createAdapter } from './providers/index.js';
import { createServer, type ExporterServer, type StatusDocument } from './server/index.js';
import { ExporterTelemetry, otlpMetricReadersFromEnv, WINDOW_MINUTES } from './telemetry/index.js';

import { exporterResource } from './telemetry/resource.js';
import { tracingRequested } from './telemetry/otel-requested.js';
import { VERSION } from './version.js';

/** Upper bound for a clean shutdown; Kubernetes' terminationGracePeriodSeconds should exceed it. */
export const SHUTDOWN_BOUND_MS = 10_000;
const READ_GRACE_MS = 5_000; // reads in flight get this long to finish before they are aborted
const CONNECTION_GRACE_MS = 2_000; // open scrapes get this long before sockets are closed

export interface Exporter {
  readonly config: ExporterConfig;
  readonly poller: Poller;
  readonly telemetry: ExporterTelemetry;
  readonly server: ExporterServer;
  /** Restores state and starts polling (first read now, then on the schedule). */
  start(): Promise<void>;
  /** Listens on config.listen (or the given port); resolves with the bound address. */
  listen(port?: number): Promise<AddressInfo>;
  /** Stops polling, writes state, closes the server and telemetry; bounded by SHUTDOWN_BOUND_MS. */
  stop(): Promise<void>;
  /** Cuts the grace periods of a stop in progress: reads in flight are aborted and scrapes closed now; state is still written. */
  hurry(): void;
}

export interface ExporterDeps {
  logger: Logger;
  now?: () => number;
  random?: () => number;
  dispatcher?: Dispatcher;
}

/** Every webhook this replica polls: all of them, or its shard's share. */
export function webhookTargets(config: ExporterConfig): WebhookTarget[] {
  return config.sources.flatMap((source) => {
    const adapter = createAdapter(source);
    return source.webhooks
      .filter((webhookId) => ownsWebhook(config.shard, source.name, webhookId))
      .map((webhookId) => ({ source: source.name, provider: source.provider, webhookId, adapter }));
  });
}

export async function buildExporter(config: ExporterConfig, deps: ExporterDeps): Promise<Exporter> {
  const now = deps.now ?? Date.now;
  const startedAtMs = now();
  const targets = webhookTargets(config);
  if (config.shard && config.shard.count > 1) {
    const total = config.sources.reduce((sum, source) => sum + source.webhooks.length, 0);
    deps.logger.info({ shard: config.shard, webhooks: targets.length, of: total }, 'sharded: polling this replica\'s share of the webhooks');
  }
  const telemetry = new ExporterTelemetry({
    histogramBuckets: config.histogramBuckets,
    maxEventTypes: config.maxEventTypes,
    serviceVersion: VERSION,
    sources: config.sources.map((source) => ({
      name: source.name,
      provider: source.provider,
      webhooks: targets.filter((target) => target.source === source.name).map((target) => target.webhookId),
    })),
    extraMetricReaders: await otlpMetricReadersFromEnv(),
    watchStartMs: startedAtMs,
  });
  // Traces only when OTEL_TRACES_EXPORTER asks: otherwise no provider exists and nothing is sent.
  // The tracing SDK is loaded only then.
  const tracing = tracingRequested() ? await import('./telemetry/tracing.js') : undefined;
  const tracer = tracing ? await tracing.DeliveryTracer.fromEnv(exporterResource(VERSION), VERSION) : undefined;
  // Our own client, not undici's global one: its connect timeout (10 s) would keep an abandoned
  // connect attempt alive past http.timeout, a second request in flight to a webhook's provider.
  const ownDispatcher = deps.dispatcher ? undefined : new Agent({ connect: { timeout: config.http.timeout } });
  const poller = new Poller({
    targets,
    schedule: config.schedule,
    startFrom: config.startFrom,
    lookbackMs: config.lookback,
    concurrency: config.http.concurrency,
    timeoutMs: config.http.timeout,
    maxResponseBytes: config.http.maxResponseBytes,
    stateFile: config.state?.file,
    recorder: tracing && tracer ? tracing.withTracing(telemetry, tracer) : telemetry,
    logger: deps.logger,
    now: deps.now,
    random: deps.random,
    dispatcher: deps.dispatcher ?? ownDispatcher,
  });
  const server = createServer({
    telemetry,
    isReady: () => poller.isReady(),
    status: () => statusDocument(config, poller, telemetry, startedAtMs, now()),
    logger: deps.logger,
    web: config.listen.webConfig,
    onWebConfigReloadError: () => telemetry.recordWebConfigReloadError(),
  });

  let stopping: Promise<void> | undefined;
  let hurried = false;
  return {
    config,
    poller,
    telemetry,
    server,
    async start() {
      await poller.restoreState();
      poller.start();
    },
    listen(port = config.listen.port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, config.listen.host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    stop() {
      stopping ??= (async () => {
        await poller.stop(READ_GRACE_MS);
        await closeServer(server, hurried ? 0 : CONNECTION_GRACE_MS);
        await Promise.all([telemetry.shutdown(), tracer?.shutdown(), ownDispatcher?.destroy()]); // flushes spans and OTLP metrics
      })();
      return stopping;
    },
    hurry() {
      if (stopping === undefined || hurried) return;
      hurried = true;
      server.closeAllConnections();
      // A second stop with no grace aborts the reads the first one is waiting for; both then write the state.
      poller.stop(0).catch((error: unknown) => deps.logger.error({ err: error }, 'stopping the poller failed'));
    },
  };
}

/** GET /api/v1/status and the page: the poller's view of each webhook and telemetry's of its deliveries. */
export function statusDocument(config: ExporterConfig, poller: Poller, telemetry: ExporterTelemetry, startedAtMs: number, nowMs: number): StatusDocument {
  const statuses = poller.statuses();
  const iso = (ms: number) => new Date(ms).toISOString();
  // Every webhook's window has the same fifteen minutes: format each once, not once per webhook.
  const minutes = new Map<number, string>();
  const minuteIso = (ms: number) => {
    let text = minutes.get(ms);
    if (text === undefined) minutes.set(ms, (text = iso(ms)));
    return text;
  };
  return {
    version: VERSION,
    startedAt: iso(startedAtMs),
    ready: poller.isReady(),
    generatedAt: iso(nowMs),
    sources: config.sources.map((source) => ({
      name: source.name,
      provider: source.provider,
      webhooks: statuses
        .filter((status) => status.source === source.name)
        .map((status) => {
          const deliveries = telemetry.deliveryStatus(source.name, source.provider, status.webhookId, nowMs);
          const failure = deliveries.lastFailure;
          return {
            id: status.webhookId,
            up: status.lastResult === undefined ? null : status.lastResult === 'success',
            lastPollAt: status.lastPollAtMs === undefined ? null : iso(status.lastPollAtMs),
            lastError: status.lastError ?? null,
            window: `${WINDOW_MINUTES}m`,
            deliveries: { success: deliveries.success, failed: deliveries.failed },
            successRatio: deliveries.successRatio,
            durationSeconds: deliveries.durationSeconds,
            pending: status.pending,
            exhausted: deliveries.exhausted,
            lastFailure: failure === undefined ? null : { at: iso(failure.atMs), event: failure.event, httpStatusCode: failure.httpStatusCode, error: failure.error ?? null },
            perMinute: deliveries.perMinute.map((minute) => ({ at: minuteIso(minute.atMs), success: minute.success, failed: minute.failed })),
          };
        }),
    })),
  };
}

async function closeServer(server: ExporterServer, graceMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  timer.unref();
  await closed;
  clearTimeout(timer);
}
