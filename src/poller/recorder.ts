import type { DeliveryAttempt } from '../providers/types.js';

/** What the poller tells telemetry. `ExporterTelemetry` implements it; tests can too. */
export interface PollRecorder {
  /** Finished attempts, each exactly once. */
  recordDeliveries(source: string, provider: string, attempts: readonly DeliveryAttempt[], reportsRetries: boolean): void;
  noteLastDelivery(source: string, provider: string, webhookId: string, status: 'success' | 'failed', createdAtMs: number): void;
  setPending(source: string, provider: string, webhookId: string, count: number): void;
  recordPoll(source: string, webhookId: string, result: 'success' | 'error', durationSeconds: number, finishedAtMs: number): void;
  recordApiRequest(source: string, code: string): void;
  /** The requests left in the provider's budget for this source's credentials, as last reported. */
  setRateLimitRemaining(source: string, remaining: number): void;
  recordInvalid(source: string, reason: string, count: number): void;
  recordGap(source: string, webhookId: string): void;
  /** After each read of a webhook, what it did (for the poll span when tracing is on). */
  recordRead?(report: ReadReport): void;
}

export interface ReadReport {
  source: string;
  provider: string;
  webhookId: string;
  startedAtMs: number;
  finishedAtMs: number;
  /** What went wrong, as logged; undefined when the read succeeded. */
  error: string | undefined;
  pages: number;
  entriesRead: number;
  invalid: number;
  /** The finished attempts this read counted, in the order read. */
  counted: readonly DeliveryAttempt[];
  /** The adapter's `capabilities.eventIds`: the attempts' event ids join the attempts of one event. */
  eventIds: boolean;
}
