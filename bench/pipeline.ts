// The exporter's real ingest path, driven without a network: readLog with the real adapter,
// checkpoint and ExporterTelemetry, then the read's report to telemetry.recordRead as the poller
// sends it, fed page texts that are JSON.parse'd inside the measured call.

import { Checkpoint } from '../src/poller/checkpoint.js';
import { readLog, type ReadResult } from '../src/poller/read-log.js';
import type { BuiltInProvider } from '../src/providers/index.js';
import { ExporterTelemetry } from '../src/telemetry/index.js';
import { VERSION } from '../src/version.js';
import type { PageStream } from './pages.js';

export const DEFAULT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]; // seconds: the config default
export const SOURCE_BY_PROVIDER: Readonly<Record<BuiltInProvider, string>> = { salesfinity: 'sales', baanx: 'cards', github: 'repos', gitlab: 'code', svix: 'messages' };

/** A telemetry configured for these webhooks, as buildExporter would configure it. */
export function benchTelemetry(webhooks: ReadonlyArray<{ provider: BuiltInProvider; webhookId: string }>): ExporterTelemetry {
  // Salesfinity and Baanx always (as before the other providers), the others when they have webhooks here.
  const providers = (['salesfinity', 'baanx', 'github', 'gitlab', 'svix'] as const).filter(
    (provider) => provider === 'salesfinity' || provider === 'baanx' || webhooks.some((webhook) => webhook.provider === provider),
  );
  return new ExporterTelemetry({
    histogramBuckets: DEFAULT_BUCKETS,
    maxEventTypes: 100,
    serviceVersion: VERSION,
    // Watching since before every entry the benchmarks read, as a running exporter is for every
    // entry newer than its start: with the default (now), the pages' older entries could not be an
    // event's first attempt, and the event tracker recordRead feeds would skip every one of them.
    watchStartMs: 0,
    sources: providers.map((provider) => ({
      name: SOURCE_BY_PROVIDER[provider],
      provider,
      webhooks: webhooks.filter((webhook) => webhook.provider === provider).map((webhook) => webhook.webhookId),
    })),
  });
}

export interface PageReader {
  readonly checkpoint: Checkpoint;
  /** One readLog of one page text (JSON.parse happens inside, as fetchJson does it), then recordRead, as the poller does. */
  read(pageText: string): Promise<ReadResult>;
}

export function pageReader(stream: PageStream, telemetry: ExporterTelemetry, lookbackMs: number): PageReader {
  const checkpoint = new Checkpoint();
  const settings = {
    source: SOURCE_BY_PROVIDER[stream.provider],
    webhookId: stream.webhookId,
    startFrom: 'backfill' as const,
    lookbackMs,
  };
  return {
    checkpoint,
    async read(pageText) {
      const fetch = async () => ({ kind: 'ok' as const, code: '200', status: 200, headers: stream.headers, body: JSON.parse(pageText) as unknown });
      const startedAtMs = Date.now();
      const result = await readLog(settings, { adapter: stream.adapter, checkpoint, recorder: telemetry, fetch });
      // After the read, as the poller reports it (src/poller/poller.ts): webhook_event_delivery_seconds
      // and its per-webhook EventDeliveryTracker are fed here. These reads never fail.
      telemetry.recordRead({
        source: settings.source,
        provider: stream.provider,
        webhookId: stream.webhookId,
        startedAtMs,
        finishedAtMs: Date.now(),
        error: undefined,
        pages: result.pages,
        entriesRead: result.entriesRead,
        invalid: result.invalid,
        counted: result.counted,
        eventIds: stream.adapter.capabilities.eventIds,
      });
      return result;
    },
  };
}
