// What the exporter should report after a soak, worked out from the raw entries the driver gave the
// simulator (not from the exporter's own parsing), and the comparison with a scrape of /metrics.

import type { BuiltInProvider } from '../src/providers/registry.js';
import { findSamples, type Exposition } from '../test/helpers/exposition.js';

const OTHER_EVENT = 'other';

/** Expected figures of one source. */
interface SourceTruth {
  /** `${status}/${http_status_code}` → finished attempts. */
  byOutcome: Map<string, number>;
  /** Event type as the provider names it → finished attempts. */
  byEvent: Map<string, number>;
  byWebhook: Map<string, number>;
  /** `status` → finished attempts whose attempt number is above 1. */
  retries: Map<string, number>;
  exhausted: number;
  /** Finished attempts that report a response time. */
  withDuration: number;
}

interface Finished {
  event: string;
  status: string;
  code: string;
  hasDuration: boolean;
  retry: boolean;
  exhausted: boolean;
}

export class GroundTruth {
  private readonly sources = new Map<string, SourceTruth>();
  /** `${webhookId}/${logId}` of entries last logged as pending or processing. */
  private readonly unfinished = new Map<string, string>();
  private readonly sourceOf = new Map<string, string>();
  private finishedTotal = 0;

  constructor(sources: ReadonlyArray<{ name: string; webhooks: readonly string[] }>) {
    for (const { name, webhooks } of sources) {
      this.sources.set(name, { byOutcome: new Map(), byEvent: new Map(), byWebhook: new Map(), retries: new Map(), exhausted: 0, withDuration: 0 });
      for (const webhookId of webhooks) this.sourceOf.set(webhookId, name);
    }
  }

  get finished(): number {
    return this.finishedTotal;
  }

  /** An entry as it now stands in the log: new, or changed in place (Baanx pending → processing → finished). */
  record(provider: BuiltInProvider, webhookId: string, raw: Record<string, unknown>): void {
    const key = `${webhookId}/${String(provider === 'salesfinity' ? raw._id : raw.id)}`;
    const finished = provider === 'salesfinity' ? salesfinityOutcome(raw) : baanxOutcome(raw);
    if (finished === undefined) {
      this.unfinished.set(key, webhookId);
      return;
    }
    this.unfinished.delete(key);
    const source = this.sourceOf.get(webhookId);
    const truth = source === undefined ? undefined : this.sources.get(source);
    if (truth === undefined) throw new Error(`webhook ${webhookId} is in no source`);
    add(truth.byOutcome, `${finished.status}/${finished.code}`);
    add(truth.byEvent, finished.event);
    add(truth.byWebhook, webhookId);
    if (finished.retry) add(truth.retries, finished.status);
    if (finished.exhausted) truth.exhausted += 1;
    if (finished.hasDuration) truth.withDuration += 1;
    this.finishedTotal += 1;
  }

  /** Entries still pending or processing, per webhook: what `webhook_deliveries_pending` should show. */
  private pendingByWebhook(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const webhookId of this.unfinished.values()) counts.set(webhookId, (counts.get(webhookId) ?? 0) + 1);
    return counts;
  }

  /** Every difference between the scrape and the truth, as readable lines; empty when exact. */
  compare(exposition: Exposition, maxEventTypes: number): string[] {
    const problems: string[] = [];
    const expectEqual = (what: string, actual: number, expected: number) => {
      if (actual !== expected) problems.push(`${what}: exported ${actual}, expected ${expected}`);
    };
    const sum = (name: string, match: Record<string, string>) => findSamples(exposition, name, match).reduce((total, sample) => total + sample.value, 0);
    for (const [source, truth] of this.sources) {
      for (const [outcome, count] of truth.byOutcome) {
        const [status = '', code = ''] = outcome.split('/');
        expectEqual(`${source} deliveries ${outcome}`, sum('webhook_deliveries_total', { source, status, http_status_code: code }), count);
      }
      expectEqual(`${source} deliveries`, sum('webhook_deliveries_total', { source }), total(truth.byOutcome));
      for (const [webhookId, count] of truth.byWebhook) {
        expectEqual(`${source}/${webhookId} deliveries`, sum('webhook_deliveries_total', { source, webhook_id: webhookId }), count);
      }
      for (const [status, count] of truth.retries) expectEqual(`${source} retries ${status}`, sum('webhook_delivery_retries_total', { source, status }), count);
      expectEqual(`${source} exhausted`, sum('webhook_deliveries_exhausted_total', { source }), truth.exhausted);
      expectEqual(`${source} duration count`, sum('webhook_delivery_duration_seconds_count', { source }), truth.withDuration);
      problems.push(...compareEvents(exposition, source, truth.byEvent, maxEventTypes));
    }
    const pending = this.pendingByWebhook();
    for (const [webhookId, source] of this.sourceOf) {
      expectEqual(`${source}/${webhookId} pending`, sum('webhook_deliveries_pending', { source, webhook_id: webhookId }), pending.get(webhookId) ?? 0);
    }
    return problems;
  }
}

/**
 * First come, first served means the exporter decides which types get a series of their own; the
 * truth can still check each of those exactly, and that `other` holds all the rest.
 */
function compareEvents(exposition: Exposition, source: string, byEvent: Map<string, number>, maxEventTypes: number): string[] {
  const exported = new Map<string, number>();
  for (const sample of findSamples(exposition, 'webhook_deliveries_total', { source })) add(exported, sample.labels.event ?? '', sample.value);
  const problems: string[] = [];
  const ownSeries = [...exported.keys()].filter((event) => event !== OTHER_EVENT);
  if (ownSeries.length > maxEventTypes) problems.push(`${source}: ${ownSeries.length} event types have their own series, cap is ${maxEventTypes}`);
  let admitted = 0;
  for (const event of ownSeries) {
    const expected = byEvent.get(event) ?? 0;
    if (exported.get(event) !== expected) problems.push(`${source} event ${event}: exported ${exported.get(event)}, expected ${expected}`);
    admitted += expected;
  }
  const expectedOther = total(byEvent) - admitted;
  if ((exported.get(OTHER_EVENT) ?? 0) !== expectedOther) problems.push(`${source} event other: exported ${exported.get(OTHER_EVENT) ?? 0}, expected ${expectedOther}`);
  return problems;
}

function salesfinityOutcome(raw: Record<string, unknown>): Finished | undefined {
  if (raw.status !== 'success' && raw.status !== 'failed') return undefined;
  const response = raw.response as { code?: number } | undefined;
  return {
    event: String(raw.event),
    status: raw.status,
    code: response?.code === undefined ? 'none' : String(response.code),
    hasDuration: typeof raw.responseTime === 'number',
    retry: false,
    exhausted: false,
  };
}

function baanxOutcome(raw: Record<string, unknown>): Finished | undefined {
  if (raw.deliveryStatus !== 'success' && raw.deliveryStatus !== 'failed') return undefined;
  const body = raw.requestBody as { eventType?: string };
  return {
    event: String(body.eventType),
    status: raw.deliveryStatus,
    code: raw.responseStatus === null ? 'none' : String(raw.responseStatus),
    hasDuration: typeof raw.durationMs === 'number',
    retry: typeof raw.attemptNumber === 'number' && raw.attemptNumber > 1,
    exhausted: raw.deliveryStatus === 'failed' && raw.nextRetryAt === null,
  };
}

function add(counts: Map<string, number>, key: string, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

function total(counts: Map<string, number>): number {
  let sum = 0;
  for (const count of counts.values()) sum += count;
  return sum;
}
