// The exporter's real ingest path, driven without a network: readLog with the real adapter,
// checkpoint and ExporterTelemetry, fed page texts that are JSON.parse'd inside the measured call.

import { Checkpoint } from '../src/poller/checkpoint.js';
import { readLog, type ReadResult } from '../src/poller/read-log.js';
import type { ProviderName } from '../src/providers/index.js';
import { ExporterTelemetry } from '../src/telemetry/index.js';
import { VERSION } from '../src/version.js';
import type { PageStream } from './pages.js';

export const DEFAULT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]; // seconds: the config default
export const SOURCE_BY_PROVIDER: Readonly<Record<ProviderName, string>> = { salesfinity: 'sales', baanx: 'cards', github: 'repos', gitlab: 'code', svix: 'messages' };

/** A telemetry configured for these webhooks, as buildExporter would configure it. */
export function benchTelemetry(webhooks: ReadonlyArray<{ provider: ProviderName; webhookId: string }>): ExporterTelemetry {
  // Salesfinity and Baanx always (as before the other providers), the others when they have webhooks here.
  const providers = (['salesfinity', 'baanx', 'github', 'gitlab', 'svix'] as const).filter(
    (provider) => provider === 'salesfinity' || provider === 'baanx' || webhooks.some((webhook) => webhook.provider === provider),
  );
  return new ExporterTelemetry({
    histogramBuckets: DEFAULT_BUCKETS,
    maxEventTypes: 100,
    serviceVersion: VERSION,
    sources: providers.map((provider) => ({
      name: SOURCE_BY_PROVIDER[provider],
      provider,
      webhooks: webhooks.filter((webhook) => webhook.provider === provider).map((webhook) => webhook.webhookId),
    })),
  });
}

export interface PageReader {
  readonly checkpoint: Checkpoint;
  /** One readLog of one page text; JSON.parse happens inside, as fetchJson does it. */
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
    read(pageText) {
      const fetch = async () => ({ kind: 'ok' as const, code: '200', status: 200, headers: stream.headers, body: JSON.parse(pageText) as unknown });
      return readLog(settings, { adapter: stream.adapter, checkpoint, recorder: telemetry, fetch });
    },
  };
}
