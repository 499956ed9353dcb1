// Traces: one CLIENT span per finished delivery attempt (counted exactly once, by the same path as
// the counters), all attempts of one event in one trace, and one span per poll of a webhook.
// Off unless OTEL_TRACES_EXPORTER asks for it; then exported as the OTel env variables configure.

import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Attributes, type Tracer } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { RandomIdGenerator, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { createHash } from 'node:crypto';
import type { PollRecorder, ReadReport } from '../poller/recorder.js';
import { sanitizeUrl } from '../providers/sanitize-url.js';
import { isFinished, type DeliveryAttempt } from '../providers/types.js';
import { METER_NAME } from './catalogue.js';

/** The SDK's default; set explicitly so the poll span can say how many entry events it dropped. */
const SPAN_EVENT_LIMIT = 128;
const ERROR_MESSAGE_LIMIT = 256; // characters

/** The trace of every attempt of one event: the first 16 bytes of SHA-256 over (source, event id). */
export function deliveryTraceId(source: string, attempt: Pick<DeliveryAttempt, 'eventId' | 'logId'>): string {
  // Without an event id (some providers log none) each attempt is its own trace, keyed by its log id.
  const key = attempt.eventId ?? attempt.logId;
  return createHash('sha256').update(`${source}\u0000${key}`).digest('hex').slice(0, 32);
}

/**
 * Why an id generator and not a synthetic remote parent: a made-up parent span id would point at
 * a span that never exists, which Jaeger and Tempo flag as a broken trace. Choosing the trace id
 * for the one synchronous startSpan call keeps every attempt a proper root span of the shared
 * trace, read in whatever poll or process.
 */
class EventTraceIds {
  private readonly random = new RandomIdGenerator();
  private chosen: string | undefined;

  withTraceId<T>(traceId: string, start: () => T): T {
    this.chosen = traceId;
    try {
      return start();
    } finally {
      this.chosen = undefined;
    }
  }

  generateTraceId = (): string => this.chosen ?? this.random.generateTraceId();
  generateSpanId = (): string => this.random.generateSpanId();
}

export class DeliveryTracer {
  private readonly ids = new EventTraceIds();
  private readonly provider: TracerProvider;
  private readonly tracer: Tracer;

  /** Exported as OTEL_TRACES_EXPORTER and the other OTEL_* variables say (otel-env.ts). */
  static async fromEnv(resource: Resource, serviceVersion: string): Promise<DeliveryTracer> {
    const { spanProcessorsFromEnv } = await import('./otel-env.js');
    return new DeliveryTracer(resource, serviceVersion, await spanProcessorsFromEnv());
  }

  constructor(resource: Resource, serviceVersion: string, spanProcessors: SpanProcessor[]) {
    this.provider = new TracerProvider({
      resource,
      idGenerator: this.ids,
      spanLimits: { eventCountLimit: SPAN_EVENT_LIMIT },
      spanProcessors,
    });
    this.tracer = this.provider.getTracer(METER_NAME, serviceVersion);
  }

  /** One span per finished attempt; the caller passes each exactly once. */
  recordDeliveries(source: string, provider: string, attempts: readonly DeliveryAttempt[]): void {
    for (const attempt of attempts) if (isFinished(attempt.status)) this.attemptSpan(source, provider, attempt);
  }

  recordRead(report: ReadReport): void {
    const span = this.tracer.startSpan(
      'webhook.poll',
      {
        kind: SpanKind.INTERNAL,
        startTime: new Date(report.startedAtMs),
        attributes: {
          'webhook.source': report.source,
          'webhook.provider': report.provider,
          'webhook.id': report.webhookId,
          'webhook.poll.pages': report.pages,
          'webhook.poll.entries.read': report.entriesRead,
          'webhook.poll.entries.new': report.counted.length,
          'webhook.poll.entries.invalid': report.invalid,
          'webhook.poll.events.dropped': Math.max(0, report.counted.length - SPAN_EVENT_LIMIT),
        },
      },
      ROOT_CONTEXT,
    );
    for (const attempt of report.counted.slice(0, SPAN_EVENT_LIMIT)) {
      span.addEvent('webhook.entry', {
        'webhook.log.id': attempt.logId,
        'webhook.event.type': attempt.eventType,
        'webhook.delivery.status': attempt.status,
      });
    }
    if (report.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: report.error });
    span.end(new Date(report.finishedAtMs));
  }

  /** Exports what is still buffered; called at shutdown. */
  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }

  private attemptSpan(source: string, provider: string, attempt: DeliveryAttempt): void {
    const startMs = attempt.createdAtMs;
    const endMs = startMs + (attempt.durationSeconds ?? 0) * 1000;
    const failed = attempt.status === 'failed';
    const span = this.ids.withTraceId(deliveryTraceId(source, attempt), () =>
      this.tracer.startSpan(
        'POST',
        { kind: SpanKind.CLIENT, startTime: new Date(startMs), attributes: attemptAttributes(source, provider, attempt) },
        ROOT_CONTEXT,
      ),
    );
    // Bodies are on the attempt only when the source opted in (traces.includeBodies).
    if (attempt.requestBody !== undefined) span.addEvent('webhook.request', { 'http.request.body': attempt.requestBody }, new Date(startMs));
    if (attempt.httpStatusCode !== undefined || attempt.responseBody !== undefined) {
      const response: Attributes = {};
      if (attempt.httpStatusCode !== undefined) response['http.response.status_code'] = attempt.httpStatusCode;
      if (attempt.responseBody !== undefined) response['http.response.body'] = attempt.responseBody;
      span.addEvent('webhook.response', response, new Date(endMs));
    }
    const message = attempt.errorMessage === undefined ? undefined : safeErrorMessage(attempt.errorMessage);
    if (message !== undefined) span.addEvent('webhook.error', { 'error.message': message }, new Date(endMs));
    if (typeof attempt.nextRetryAtMs === 'number') {
      const at = new Date(attempt.nextRetryAtMs);
      span.addEvent('webhook.retry.scheduled', { 'webhook.retry.at': at.toISOString() }, at);
    }
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: message ?? `HTTP ${attempt.httpStatusCode ?? 'no response'}` });
    span.end(new Date(endMs));
  }
}

function attemptAttributes(source: string, provider: string, attempt: DeliveryAttempt): Attributes {
  const attributes: Attributes = {
    'http.request.method': 'POST',
    'webhook.source': source,
    'webhook.provider': provider,
    'webhook.id': attempt.webhookId,
    'webhook.event.type': attempt.eventType,
    'webhook.log.id': attempt.logId,
    'webhook.delivery.status': attempt.status,
  };
  if (attempt.requestUrl !== undefined) {
    attributes['url.full'] = attempt.requestUrl; // already without query string or credentials
    attributes['server.address'] = new URL(attempt.requestUrl).hostname;
  }
  if (attempt.httpStatusCode !== undefined) attributes['http.response.status_code'] = attempt.httpStatusCode;
  if (attempt.status === 'failed') attributes['error.type'] = errorType(attempt);
  if (attempt.eventId !== undefined) attributes['webhook.event.id'] = attempt.eventId;
  if (attempt.attemptNumber !== undefined) {
    attributes['webhook.attempt'] = attempt.attemptNumber;
    if (attempt.attemptNumber > 1) attributes['http.request.resend_count'] = attempt.attemptNumber - 1;
  }
  return attributes;
}

/** HTTP semantic conventions: the status code when there is one, else what kind of failure. */
function errorType(attempt: DeliveryAttempt): string {
  if (attempt.httpStatusCode !== undefined) return String(attempt.httpStatusCode);
  return /time(d)?\s?out/i.test(attempt.errorMessage ?? '') ? 'timeout' : '_OTHER';
}

/** Provider error text may quote the receiver's URL, token and all: strip query strings, cut it short. */
function safeErrorMessage(message: string): string {
  const withoutQueries = message.replace(/https?:\/\/[^\s"'<>]+/g, (url) => sanitizeUrl(url) ?? '[url]');
  const characters = [...withoutQueries]; // code points, so a cut never splits a surrogate pair
  return characters.length <= ERROR_MESSAGE_LIMIT ? withoutQueries : characters.slice(0, ERROR_MESSAGE_LIMIT).join('');
}

/** The poll recorder with spans added: metrics first, then the trace of what was counted. */
export function withTracing(metrics: PollRecorder, tracer: DeliveryTracer): PollRecorder {
  return {
    recordDeliveries(source, provider, attempts, reportsRetries) {
      metrics.recordDeliveries(source, provider, attempts, reportsRetries);
      tracer.recordDeliveries(source, provider, attempts);
    },
    noteLastDelivery: (...args) => metrics.noteLastDelivery(...args),
    setPending: (...args) => metrics.setPending(...args),
    recordPoll: (...args) => metrics.recordPoll(...args),
    recordApiRequest: (...args) => metrics.recordApiRequest(...args),
    setRateLimitRemaining: (...args) => metrics.setRateLimitRemaining(...args),
    recordInvalid: (...args) => metrics.recordInvalid(...args),
    recordGap: (...args) => metrics.recordGap(...args),
    recordRead(report) {
      metrics.recordRead?.(report);
      tracer.recordRead(report);
    },
  };
}
