import type { Attributes } from '@opentelemetry/api';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import { isFinished, type DeliveryAttempt, type FinishedStatus } from '../providers/types.js';
import { cardinalityLimit, NO_HTTP_STATUS } from './catalogue.js';
import type { DeliveryHistogram, HistogramSeries } from './delivery-histogram.js';
import { EventTypeCap } from './event-cap.js';
import { createInstruments, type Instruments } from './instruments.js';
import { createMetricsPipeline, type MetricReaderFactory } from './meter-provider.js';
import { PrometheusTextSerializer } from './prometheus-text.js';
import { retainedKey, SeriesAttributes, seriesAttributes, SeriesMap, Tally } from './series.js';

export interface TelemetryOptions {
  /** Seconds. */
  histogramBuckets: number[];
  maxEventTypes: number;
  serviceVersion: string;
  sources: { name: string; provider: string; webhooks: string[] }[];
  /** Readers besides /metrics, e.g. `await otlpMetricReadersFromEnv()`. */
  extraMetricReaders?: MetricReaderFactory[];
}

/** Made on first use: a series without durations has no histogram, and most see no retry or exhaustion. */
interface DeliverySeries {
  readonly labels: readonly [source: string, provider: string, webhookId: string, event: string, status: FinishedStatus];
  readonly deliveries: Attributes;
  duration?: HistogramSeries;
  retries?: Attributes;
  exhausted?: Attributes;
}

/** Owns the instruments: the poller reports what it read, this turns it into series. */
export class ExporterTelemetry {
  private readonly meterProvider: MeterProvider;
  private readonly exporter: PrometheusExporter;
  // The exporter only collects: its own serializer is ~25x slower at 10k series (prometheus-text.ts).
  private readonly serializer = new PrometheusTextSerializer();
  private readonly instruments: Instruments;
  private readonly deliveryDuration: DeliveryHistogram;
  private readonly eventCap: EventTypeCap;
  private readonly series = {
    deliveriesPending: new SeriesAttributes('deliveriesPending'),
    lastDeliveryTimestamp: new SeriesAttributes('lastDeliveryTimestamp'),
    polls: new SeriesAttributes('polls'),
    apiRequests: new SeriesAttributes('apiRequests'),
    rateLimitRemaining: new SeriesAttributes('rateLimitRemaining'),
    entriesInvalid: new SeriesAttributes('entriesInvalid'),
    /** source, webhook_id: the labels of every other per-webhook health metric. */
    webhook: new SeriesAttributes('up'),
  };
  /** Keyed by source, provider, webhook, event label, status and HTTP code: see deliverySeries. */
  private readonly deliverySeriesByKey = new SeriesMap<DeliverySeries>();
  /** Newest createdAt recorded per last-delivery series, Unix ms; that gauge never moves back. */
  private readonly newestDeliveryMs = new Map<Attributes, number>();

  constructor(opts: TelemetryOptions) {
    const webhookCount = opts.sources.reduce((sum, source) => sum + source.webhooks.length, 0);
    const pipeline = createMetricsPipeline({
      serviceVersion: opts.serviceVersion,
      histogramBuckets: opts.histogramBuckets,
      cardinalityLimit: cardinalityLimit(webhookCount),
      extraReaders: opts.extraMetricReaders ?? [],
    });
    this.meterProvider = pipeline.meterProvider;
    this.exporter = pipeline.exporter;
    this.instruments = createInstruments(pipeline.meter);
    this.deliveryDuration = pipeline.deliveryDuration;
    this.eventCap = new EventTypeCap(opts.maxEventTypes);
    for (const source of opts.sources) {
      for (const webhookId of source.webhooks) this.initialiseHealthSeries(source.name, webhookId);
    }
  }

  /** Counts finished attempts; the caller guarantees each is passed exactly once. */
  recordDeliveries(
    source: string,
    provider: string,
    attempts: readonly DeliveryAttempt[],
    reportsRetries: boolean,
  ): void {
    const deliveries = new Tally();
    const retries = new Tally();
    const exhausted = new Tally();
    for (const attempt of attempts) {
      if (!isFinished(attempt.status)) continue;
      const status = attempt.status;
      const event = this.eventCap.label(source, attempt.eventType);
      const series = this.deliverySeries(source, provider, attempt.webhookId, event, status, attempt.httpStatusCode);
      deliveries.increment(series.deliveries);
      if (attempt.durationSeconds !== undefined) (series.duration ??= this.durationSeries(series)).record(attempt.durationSeconds);
      if (attempt.attemptNumber !== undefined && attempt.attemptNumber > 1) {
        retries.increment((series.retries ??= seriesAttributes('deliveryRetries', series.labels)));
      }
      // Only a provider that reports retry schedules can say that none follows.
      if (reportsRetries && status === 'failed' && attempt.nextRetryAtMs === null) {
        const [, , webhookId, event] = series.labels;
        exhausted.increment((series.exhausted ??= seriesAttributes('deliveriesExhausted', [source, provider, webhookId, event])));
      }
    }
    deliveries.addTo(this.instruments.deliveries);
    retries.addTo(this.instruments.deliveryRetries);
    exhausted.addTo(this.instruments.deliveriesExhausted);
  }

  /** The attributes of every delivery metric an entry can touch, found with one lookup per entry. */
  private deliverySeries(
    source: string,
    provider: string,
    webhookId: string,
    event: string,
    status: FinishedStatus,
    httpStatusCode: number | undefined,
  ): DeliverySeries {
    const code = httpStatusCode === undefined ? NO_HTTP_STATUS : String(httpStatusCode);
    // Attributes made here, not through a SeriesAttributes map: this map already keeps them,
    // and a second index per metric would cost ~4 MB at 10k series.
    return this.deliverySeriesByKey.getOrCreate([source, provider, webhookId, event, status, code], () => {
      const labels = [source, provider, webhookId, event, status] as const;
      return { labels, deliveries: seriesAttributes('deliveries', [...labels, code]) };
    });
  }

  /** Shared by the delivery series that differ only in HTTP code. */
  private durationSeries({ labels }: DeliverySeries): HistogramSeries {
    return this.deliveryDuration.series(retainedKey(labels), seriesAttributes('deliveryDuration', labels));
  }

  /** Called for every finished entry seen, counted or only marked seen; keeps the newest. */
  noteLastDelivery(
    source: string,
    provider: string,
    webhookId: string,
    status: FinishedStatus,
    createdAtMs: number,
  ): void {
    const attributes = this.series.lastDeliveryTimestamp.get([source, provider, webhookId, status]);
    const newest = this.newestDeliveryMs.get(attributes);
    if (newest !== undefined && newest >= createdAtMs) return;
    this.newestDeliveryMs.set(attributes, createdAtMs);
    this.instruments.lastDeliveryTimestamp.record(createdAtMs / 1000, attributes);
  }

  setPending(source: string, provider: string, webhookId: string, count: number): void {
    this.instruments.deliveriesPending.record(count, this.series.deliveriesPending.get([source, provider, webhookId]));
  }

  recordPoll(
    source: string,
    webhookId: string,
    result: 'success' | 'error',
    durationSeconds: number,
    finishedAtMs: number,
  ): void {
    const webhook = this.series.webhook.get([source, webhookId]);
    this.instruments.polls.add(1, this.series.polls.get([source, webhookId, result]));
    this.instruments.pollDuration.record(durationSeconds, webhook);
    this.instruments.up.record(result === 'success' ? 1 : 0, webhook);
    if (result === 'success') this.instruments.lastSuccessTimestamp.record(finishedAtMs / 1000, webhook);
  }

  /** `code`: the HTTP status ("200", "429"), `timeout` or `network_error`. */
  recordApiRequest(source: string, code: string): void {
    this.instruments.apiRequests.add(1, this.series.apiRequests.get([source, code]));
  }

  setRateLimitRemaining(source: string, remaining: number): void {
    this.instruments.rateLimitRemaining.record(remaining, this.series.rateLimitRemaining.get([source]));
  }

  recordInvalid(source: string, reason: string, count: number): void {
    this.instruments.entriesInvalid.add(count, this.series.entriesInvalid.get([source, reason]));
  }

  recordGap(source: string, webhookId: string): void {
    this.instruments.gaps.add(1, this.series.webhook.get([source, webhookId]));
  }

  /**
   * Collects now, then serializes the Prometheus text format (PROMETHEUS_TEXT_CONTENT_TYPE) chunk
   * by chunk as the caller iterates, so /metrics can stream it. Rejects when collection fails.
   */
  async collectExpositionChunks(): Promise<Iterable<string>> {
    const { resourceMetrics } = await this.exporter.collect();
    return this.serializer.chunks(resourceMetrics);
  }

  /** The same exposition as one string, for `once` and tests. */
  async collectExposition(): Promise<string> {
    let text = '';
    for (const chunk of await this.collectExpositionChunks()) text += chunk;
    return text;
  }

  shutdown(): Promise<void> {
    return this.meterProvider.shutdown();
  }

  /** rate() and increase() need a series to exist before its first increment. */
  private initialiseHealthSeries(source: string, webhookId: string): void {
    this.instruments.polls.add(0, this.series.polls.get([source, webhookId, 'success']));
    this.instruments.polls.add(0, this.series.polls.get([source, webhookId, 'error']));
    this.instruments.gaps.add(0, this.series.webhook.get([source, webhookId]));
  }
}
