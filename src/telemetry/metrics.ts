import type { Attributes } from '@opentelemetry/api';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import { isFinished, type DeliveryAttempt, type FinishedStatus } from '../providers/types.js';
import { cardinalityLimit, NO_HTTP_STATUS } from './catalogue.js';
import type { ReadReport } from '../poller/recorder.js';
import type { CounterSeries, DeliveryMetrics, HistogramSeries } from './delivery-aggregation.js';
import { EventDeliveryTracker } from './event-delivery.js';
import { DeliveryWindow, type LastFailure, type WindowSummary } from './status-window.js';
import { EventTypeCap } from './event-cap.js';
import { createInstruments, type Instruments } from './instruments.js';
import { createMetricsPipeline, type MetricReaderFactory, type ScrapeReader } from './meter-provider.js';
import { PrometheusTextSerializer } from './prometheus-text.js';
import { retainedKey, SeriesAttributes, seriesAttributes, SeriesMap } from './series.js';

export interface TelemetryOptions {
  /** Seconds. */
  histogramBuckets: number[];
  maxEventTypes: number;
  serviceVersion: string;
  sources: { name: string; provider: string; webhooks: string[] }[];
  /** Readers besides /metrics, e.g. `await otlpMetricReadersFromEnv()`. */
  extraMetricReaders?: MetricReaderFactory[];
  /** When the exporter began watching, Unix ms (default now): events that began earlier are not timed. */
  watchStartMs?: number;
}

/** Every delivery series of one webhook, by the entry's raw event type, and what the status page shows of it. */
interface WebhookDeliveries {
  readonly source: string;
  readonly provider: string;
  readonly webhookId: string;
  readonly byEventType: Map<string, DeliverySeries[]>;
  /** webhook_event_delivery_seconds series by raw event type; made on the first observation. */
  eventDeliveryByEventType?: Map<string, HistogramSeries>;
  readonly window: DeliveryWindow;
  readonly events: EventDeliveryTracker;
}

/** What the status page shows of one webhook's deliveries. */
export interface WebhookDeliveryStatus extends WindowSummary {
  exhausted: number;
  lastFailure: LastFailure | undefined;
}

/** One (event, status, HTTP code) of a webhook. Its metric series are made on first use: most see no retry or exhaustion. */
interface DeliverySeries {
  readonly status: FinishedStatus;
  /** undefined: no HTTP response. */
  readonly httpStatusCode: number | undefined;
  /** The http_status_code label: "503", or "none". */
  readonly code: string;
  /** source, provider, webhook_id, event label (after the cap), status. */
  readonly labels: readonly [string, string, string, string, FinishedStatus];
  readonly deliveries: CounterSeries;
  duration?: HistogramSeries;
  retries?: CounterSeries;
  exhausted?: CounterSeries;
}

/** Owns the instruments: the poller reports what it read, this turns it into series. */
export class ExporterTelemetry {
  private readonly meterProvider: MeterProvider;
  private readonly exporter: ScrapeReader;
  // The exporter only collects: its own serializer is ~25x slower at 10k series (prometheus-text.ts).
  private readonly serializer = new PrometheusTextSerializer();
  private readonly instruments: Instruments;
  private readonly deliveryMetrics: DeliveryMetrics;
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
  /** Keyed by source, provider and webhook: see deliverySeries. */
  private readonly webhookDeliveriesByKey = new SeriesMap<WebhookDeliveries>();
  private readonly watchStartMs: number;
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
    this.deliveryMetrics = pipeline.deliveryMetrics;
    this.eventCap = new EventTypeCap(opts.maxEventTypes);
    this.watchStartMs = opts.watchStartMs ?? Date.now();
    // Present from the start, so that an alert on its increase sees the first failed reload.
    this.instruments.webConfigReloadErrors.add(0);
    for (const source of opts.sources) {
      for (const webhookId of source.webhooks) {
        this.initialiseHealthSeries(source.name, webhookId);
        this.webhookDeliveries(source.name, source.provider, webhookId);
      }
    }
  }

  /** Counts finished attempts; the caller guarantees each is passed exactly once. */
  recordDeliveries(
    source: string,
    provider: string,
    attempts: readonly DeliveryAttempt[],
    reportsRetries: boolean,
  ): void {
    const metrics = this.deliveryMetrics;
    let webhook: WebhookDeliveries | undefined;
    for (const attempt of attempts) {
      if (!isFinished(attempt.status)) continue;
      // A page is one webhook's: the lookup by webhook happens once per page, not per entry.
      if (webhook?.webhookId !== attempt.webhookId) webhook = this.webhookDeliveries(source, provider, attempt.webhookId);
      const series = this.deliverySeries(webhook, attempt.eventType, attempt.status, attempt.httpStatusCode);
      series.deliveries.value += 1;
      webhook.window.record(attempt.createdAtMs, attempt.status, attempt.durationSeconds);
      if (attempt.status === 'failed') webhook.window.noteFailure(attempt.createdAtMs, series.labels[3], series.code, attempt.errorMessage);
      if (attempt.durationSeconds !== undefined) {
        (series.duration ??= metrics.duration.series(retainedKey(series.labels), seriesAttributes('deliveryDuration', series.labels))).record(attempt.durationSeconds);
      }
      if (attempt.attemptNumber !== undefined && attempt.attemptNumber > 1) {
        (series.retries ??= metrics.retries.series(retainedKey(series.labels), seriesAttributes('deliveryRetries', series.labels))).value += 1;
      }
      // Only a provider that reports retry schedules can say that none follows.
      if (reportsRetries && attempt.status === 'failed' && attempt.nextRetryAtMs === null) {
        const labels = series.labels.slice(0, 4) as [string, string, string, string];
        (series.exhausted ??= metrics.exhausted.series(retainedKey(labels), seriesAttributes('deliveriesExhausted', labels))).value += 1;
        webhook.window.exhausted += 1;
      }
    }
  }

  /**
   * After each read: the events its counted attempts delivered, into webhook_event_delivery_seconds.
   * Per read rather than per page, because a read lists newest first: an event's success can come
   * a page before its first attempt.
   */
  recordRead(report: ReadReport): void {
    if (!report.eventIds || report.counted.length === 0) return;
    const webhook = this.webhookDeliveries(report.source, report.provider, report.webhookId);
    for (const { attempt, seconds } of webhook.events.observe(report.counted, report.finishedAtMs)) {
      const byEventType = (webhook.eventDeliveryByEventType ??= new Map());
      let series = byEventType.get(attempt.eventType);
      if (series === undefined) {
        const labels = [webhook.source, webhook.provider, webhook.webhookId, this.eventCap.label(webhook.source, attempt.eventType)] as const;
        series = this.deliveryMetrics.eventDelivery.series(retainedKey(labels), seriesAttributes('eventDelivery', labels));
        byEventType.set(attempt.eventType, series);
      }
      series.record(seconds);
    }
  }

  /** The status page's view of one webhook's deliveries, in the window ending at `nowMs`. */
  deliveryStatus(source: string, provider: string, webhookId: string, nowMs: number): WebhookDeliveryStatus {
    const { window } = this.webhookDeliveries(source, provider, webhookId);
    return { ...window.summary(nowMs), exhausted: window.exhausted, lastFailure: window.lastFailure };
  }

  private webhookDeliveries(source: string, provider: string, webhookId: string): WebhookDeliveries {
    return this.webhookDeliveriesByKey.getOrCreate([source, provider, webhookId], () => ({
      source,
      provider,
      webhookId,
      byEventType: new Map(),
      window: new DeliveryWindow(),
      events: new EventDeliveryTracker(this.watchStartMs),
    }));
  }

  /**
   * The series an entry counts in: a Map lookup by event type and a short scan by status and code,
   * with no key built per entry. The event cap is asked only when an event type is new to the webhook.
   */
  private deliverySeries(webhook: WebhookDeliveries, eventType: string, status: FinishedStatus, httpStatusCode: number | undefined): DeliverySeries {
    let list = webhook.byEventType.get(eventType);
    if (list === undefined) {
      list = [];
      webhook.byEventType.set(eventType, list);
    }
    for (const series of list) if (series.status === status && series.httpStatusCode === httpStatusCode) return series;
    const { source, provider, webhookId } = webhook;
    const labels = [source, provider, webhookId, this.eventCap.label(source, eventType), status] as const;
    const code = httpStatusCode === undefined ? NO_HTTP_STATUS : String(httpStatusCode);
    const values = [...labels, code] as const;
    const series: DeliverySeries = {
      status,
      httpStatusCode,
      code,
      labels,
      deliveries: this.deliveryMetrics.deliveries.series(retainedKey(values), seriesAttributes('deliveries', values)),
    };
    list.push(series);
    return series;
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

  recordWebConfigReloadError(): void {
    this.instruments.webConfigReloadErrors.add(1);
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
