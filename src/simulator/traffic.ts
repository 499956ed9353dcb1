// A seeded generator of realistic delivery traffic. It only computes changes to apply to the
// logs (append an entry, update one in place), so it can be unit-tested without a server;
// ProviderSimulator.startTraffic applies them on a timer.

import type { BaanxLogEntry } from '../providers/baanx/types.js';
import { BAANX_MAX_ATTEMPTS } from '../providers/baanx/types.js';
import type { GithubHookDeliveryItem } from '../providers/github/types.js';
import type { GitlabHookEvent } from '../providers/gitlab/types.js';
import type { SalesfinityLogEntry } from '../providers/salesfinity/types.js';
import type { SvixMessageAttempt } from '../providers/svix/types.js';
import type { BuiltInProvider } from '../providers/registry.js';
import { baanxEntry, salesfinityEntry } from './entries.js';
import { GITHUB_FAILURES, githubDelivery } from './github-entries.js';
import { gitlabEntry, gitlabInternalErrorEntry } from './gitlab-entries.js';
import { svixAttempt, svixConnectError, svixId, svixStatusText } from './svix-entries.js';
import { uuidV4 } from './ids.js';
import { chance, deriveSeed, mulberry32, pickWeighted, type Random } from './random.js';
import { SIM_RECEIVER_PASSWORD, SIM_RECEIVER_TOKEN } from './secrets.js';
import {
  BAANX_EVENTS,
  SALESFINITY_EVENTS,
  drawEvent,
  drawEventCount,
  drawOutcome,
  receiverBody,
  type Outcome,
} from './traffic-mix.js';

export interface TrafficWebhook {
  provider: BuiltInProvider;
  webhookId: string;
  /** Receiver down: every attempt ends in a 503 or a timeout (for the demo's alerts). */
  failing?: boolean;
}

export interface TrafficOptions {
  /** Default: every webhook the simulator knows, or DEMO_WEBHOOKS when it knows none. */
  webhooks?: TrafficWebhook[];
  /** Default 1000 (1 second). */
  intervalMs?: number;
  /** Default 1. */
  seed?: number;
}

export type TrafficChange =
  | { kind: 'append'; provider: 'salesfinity'; webhookId: string; entry: SalesfinityLogEntry }
  | { kind: 'append'; provider: 'baanx'; webhookId: string; entry: BaanxLogEntry }
  | { kind: 'append'; provider: 'github'; webhookId: string; entry: GithubHookDeliveryItem }
  | { kind: 'append'; provider: 'gitlab'; webhookId: string; entry: GitlabHookEvent }
  | { kind: 'append'; provider: 'svix'; webhookId: string; entry: SvixMessageAttempt }
  | { kind: 'update'; provider: 'svix'; webhookId: string; logId: string; patch: Partial<SvixMessageAttempt> }
  | { kind: 'update'; provider: 'baanx'; webhookId: string; logId: string; patch: Partial<BaanxLogEntry> };

export interface TrafficGenerator {
  /** The changes that happen by `nowMs`; call with a non-decreasing clock. */
  tick(nowMs: number): TrafficChange[];
}

/** The demo's webhooks: a healthy one per provider, and a Baanx and a GitHub webhook whose receivers are down. */
export const DEMO_WEBHOOKS: readonly TrafficWebhook[] = [
  { provider: 'salesfinity', webhookId: '507f1f77bcf86cd799439011' },
  { provider: 'baanx', webhookId: '770e8400-e29b-41d4-a716-446655440002' },
  { provider: 'baanx', webhookId: '770e8400-e29b-41d4-a716-4466554400ff', failing: true },
  { provider: 'github', webhookId: 'acme/payments-api/12345678' },
  { provider: 'github', webhookId: 'acme/98765432', failing: true },
  { provider: 'gitlab', webhookId: 'project/4242/17' },
  { provider: 'svix', webhookId: 'app_2Wn0ozpCBWWhyJKDDgYcTuXOSwZ/ep_2Wn1Hl9zK4Xe5WGEyLNnBvTCQ2C' },
];

/** Share of Baanx attempts that are first logged as pending, then processing, then finished. */
const PENDING_SHARE = 0.15;
/**
 * Delay before retry n+1 after attempt n fails. Compressed (real providers wait minutes to hours)
 * so the demo shows retries and exhausted deliveries within two minutes.
 */
const RETRY_DELAYS_MS = [1_000, 5_000, 15_000, 30_000, 60_000];
/** Salesfinity logs no timeout details; a timed-out attempt has no response and this response time. */
const SALESFINITY_TIMEOUT_MS = 10_000;

export function createTrafficGenerator(options: { webhooks: readonly TrafficWebhook[]; seed?: number }): TrafficGenerator {
  const seed = options.seed ?? 1;
  const streams = options.webhooks.map((webhook, index) => {
    const random = mulberry32(deriveSeed(seed, `${webhook.provider}/${webhook.webhookId}`));
    return STREAMS[webhook.provider](webhook, random, index);
  });
  return { tick: (nowMs) => streams.flatMap((stream) => stream(nowMs)) };
}

type Stream = (nowMs: number) => TrafficChange[];

/** Each simulated provider's traffic: one line per provider. */
const STREAMS: Record<BuiltInProvider, (webhook: TrafficWebhook, random: Random, index: number) => Stream> = {
  salesfinity: (webhook, random) => salesfinityStream(webhook, random),
  baanx: (webhook, random, index) => baanxStream(webhook, random, receiverUrl(index)),
  github: (webhook, random) => githubStream(webhook, random),
  gitlab: (webhook, random) => gitlabStream(webhook, random),
  svix: (webhook, random) => svixStream(webhook, random),
};

const SVIX_EVENTS: ReadonlyArray<readonly [string, number]> = [
  ['invoice.paid', 0.4],
  ['invoice.created', 0.25],
  ['customer.updated', 0.2],
  ['subscription.canceled', 0.1],
  ['payout.failed', 0.05],
];
/** Svix's schedule is immediately, 5 s, 5 min, 30 min, 2 h, …; compressed as for Baanx. */
const SVIX_MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** A rare manual re-send of a message that finally failed (triggerType 1). */
const SVIX_MANUAL_RESEND_SHARE = 0.2;

interface SvixInFlight {
  logId: string;
  msgId: string;
  eventType: string;
  attempt: number;
  stage: 'pending' | 'sending';
}

/**
 * Svix logs an attempt as pending, then sending, then finished, in place under one id; a failure
 * schedules the next attempt of the same message, each a new item.
 */
function svixStream(webhook: TrafficWebhook, random: Random): Stream {
  const { webhookId } = webhook;
  const receiverDown = webhook.failing === true;
  let inFlight: SvixInFlight[] = [];
  let retries: Array<{ dueMs: number; msgId: string; eventType: string; attempt: number; manual: boolean }> = [];

  function finish(msgId: string, eventType: string, attempt: number, atMs: number): Partial<SvixMessageAttempt> {
    const outcome = drawOutcome(random, receiverDown);
    if (outcome.status === 'failed') {
      if (attempt < SVIX_MAX_ATTEMPTS) retries.push({ dueMs: atMs + (RETRY_DELAYS_MS[attempt - 1] ?? 0), msgId, eventType, attempt: attempt + 1, manual: false });
      else if (chance(random, SVIX_MANUAL_RESEND_SHARE)) retries.push({ dueMs: atMs + 60_000, msgId, eventType, attempt: 1, manual: true });
    }
    const status = outcome.status === 'success' ? 0 : 2;
    return {
      status,
      statusText: svixStatusText(status),
      responseStatusCode: outcome.httpStatus ?? 0,
      responseDurationMs: outcome.durationMs ?? 0,
      response: outcome.httpStatus === null ? svixConnectError() : (receiverBody(outcome.httpStatus) ?? ''),
    };
  }

  function start(msgId: string, eventType: string, attempt: number, atMs: number, manual: boolean): TrafficChange {
    const unfinished = chance(random, PENDING_SHARE);
    const fields: Partial<SvixMessageAttempt> = unfinished
      ? { status: 1, statusText: 'pending', responseStatusCode: 0, responseDurationMs: 0, response: '' }
      : finish(msgId, eventType, attempt, atMs);
    const entry = svixAttempt({ ...fields, msgId, eventType, triggerType: manual ? 1 : 0 }, { nowMs: atMs, random });
    if (unfinished) inFlight.push({ logId: entry.id, msgId, eventType, attempt, stage: 'pending' });
    return { kind: 'append', provider: 'svix', webhookId, entry };
  }

  return (nowMs) => {
    const changes: TrafficChange[] = [];
    const advancing = inFlight;
    inFlight = [];
    for (const attempt of advancing) {
      if (attempt.stage === 'pending') {
        inFlight.push({ ...attempt, stage: 'sending' });
        changes.push({ kind: 'update', provider: 'svix', webhookId, logId: attempt.logId, patch: { status: 3, statusText: 'sending' } });
      } else {
        changes.push({ kind: 'update', provider: 'svix', webhookId, logId: attempt.logId, patch: finish(attempt.msgId, attempt.eventType, attempt.attempt, nowMs) });
      }
    }
    const due = retries.filter((retry) => retry.dueMs <= nowMs);
    retries = retries.filter((retry) => retry.dueMs > nowMs);
    for (const retry of due) changes.push(start(retry.msgId, retry.eventType, retry.attempt, retry.dueMs, retry.manual));
    for (let i = drawEventCount(random); i > 0; i--) {
      changes.push(start(svixId('msg', nowMs, random), pickWeighted(random, SVIX_EVENTS), 1, nowMs, false));
    }
    return changes;
  };
}

const GITHUB_EVENTS: ReadonlyArray<readonly [readonly [string, string | null], number]> = [
  [['push', null], 0.4],
  [['pull_request', 'opened'], 0.15],
  [['pull_request', 'synchronize'], 0.15],
  [['workflow_run', 'completed'], 0.15],
  [['issues', 'opened'], 0.1],
  [['check_suite', 'completed'], 0.05],
];
/** Someone redelivers a failed delivery by hand now and then; GitHub never does it by itself. */
const GITHUB_REDELIVERY_SHARE = 0.3;

/** GitHub logs each delivery once, finished; a redelivery is a new item with the same guid. */
function githubStream(webhook: TrafficWebhook, random: Random): Stream {
  const { webhookId } = webhook;
  let redeliveries: Array<{ dueMs: number; guid: string; event: string; action: string | null }> = [];
  const deliver = (nowMs: number, event: string, action: string | null, guid?: string): TrafficChange => {
    const outcome = drawOutcome(random, webhook.failing === true);
    const failure =
      outcome.httpStatus === null
        ? GITHUB_FAILURES.timeout
        : outcome.status === 'failed'
          ? { status: `Invalid HTTP Response: ${outcome.httpStatus}`, status_code: outcome.httpStatus }
          : { status: 'OK', status_code: outcome.httpStatus };
    const entry = githubDelivery(
      { ...failure, event, action, redelivery: guid !== undefined, ...(guid !== undefined && { guid }), duration: (outcome.durationMs ?? 10_000) / 1000 },
      { nowMs, random },
    );
    if (outcome.status === 'failed' && guid === undefined && chance(random, GITHUB_REDELIVERY_SHARE)) {
      redeliveries.push({ dueMs: nowMs + 30_000, guid: entry.guid, event, action });
    }
    return { kind: 'append', provider: 'github', webhookId, entry };
  };
  return (nowMs) => {
    const due = redeliveries.filter((redelivery) => redelivery.dueMs <= nowMs);
    redeliveries = redeliveries.filter((redelivery) => redelivery.dueMs > nowMs);
    const changes = due.map((redelivery) => deliver(redelivery.dueMs, redelivery.event, redelivery.action, redelivery.guid));
    for (let i = drawEventCount(random); i > 0; i--) {
      const [event, action] = pickWeighted(random, GITHUB_EVENTS);
      changes.push(deliver(nowMs, event, action));
    }
    return changes;
  };
}

/** GitLab's triggers, weighted as a busy project sends them. */
const GITLAB_EVENTS: ReadonlyArray<readonly [string, number]> = [
  ['push_hooks', 0.45],
  ['merge_request_hooks', 0.2],
  ['pipeline_hooks', 0.2],
  ['note_hooks', 0.1],
  ['issue_hooks', 0.05],
];

/** GitLab logs each attempt once, finished; it never retries by itself. */
function gitlabStream(webhook: TrafficWebhook, random: Random): Stream {
  const { webhookId } = webhook;
  return (nowMs) =>
    Array.from({ length: drawEventCount(random) }, (): TrafficChange => {
      const trigger = pickWeighted(random, GITLAB_EVENTS);
      const outcome = drawOutcome(random, webhook.failing === true);
      const entry =
        outcome.httpStatus === null
          ? gitlabInternalErrorEntry({ trigger }, { nowMs, random })
          : gitlabEntry(
              { trigger, response_status: String(outcome.httpStatus), execution_duration: (outcome.durationMs ?? 0) / 1000, response_body: receiverBody(outcome.httpStatus) ?? '' },
              { nowMs, random },
            );
      return { kind: 'append', provider: 'gitlab', webhookId, entry };
    });
}

function salesfinityStream(webhook: TrafficWebhook, random: Random): Stream {
  const { webhookId } = webhook;
  return (nowMs) =>
    Array.from({ length: drawEventCount(random) }, (): TrafficChange => {
      const { eventType, payload } = drawEvent(random, SALESFINITY_EVENTS, nowMs);
      const outcome = drawOutcome(random, webhook.failing === true);
      const entry = salesfinityEntry(
        {
          event: eventType,
          status: outcome.status,
          request: { body: { event: eventType, payload } },
          responseTime: outcome.durationMs ?? SALESFINITY_TIMEOUT_MS,
        },
        { nowMs, random },
      );
      if (outcome.httpStatus === null) delete entry.response; // timed out: nothing came back
      else entry.response = { code: outcome.httpStatus, body: salesfinityResponseBody(outcome) };
      return { kind: 'append', provider: 'salesfinity', webhookId, entry };
    });
}

function salesfinityResponseBody(outcome: Outcome): unknown {
  if (outcome.status === 'success') return { received: true };
  return { error: outcome.httpStatus !== null && outcome.httpStatus < 500 ? 'rejected' : 'unavailable' };
}

interface BaanxEvent {
  eventId: string;
  requestBody: Record<string, unknown>;
}

interface InFlightAttempt {
  logId: string;
  event: BaanxEvent;
  attemptNumber: number;
  stage: 'pending' | 'processing';
}

interface ScheduledRetry {
  dueMs: number;
  event: BaanxEvent;
  attemptNumber: number;
}

function baanxStream(webhook: TrafficWebhook, random: Random, requestUrl: string): Stream {
  const { webhookId } = webhook;
  const receiverDown = webhook.failing === true;
  let inFlight: InFlightAttempt[] = [];
  let retries: ScheduledRetry[] = [];

  /** A finished attempt's fields; a failed one before the last schedules the next. */
  function finish(event: BaanxEvent, attemptNumber: number, finishedAtMs: number): Partial<BaanxLogEntry> {
    const outcome = drawOutcome(random, receiverDown);
    let nextRetryAt: string | null = null;
    if (outcome.status === 'failed' && attemptNumber < BAANX_MAX_ATTEMPTS) {
      const dueMs = finishedAtMs + (RETRY_DELAYS_MS[attemptNumber - 1] ?? 0);
      retries.push({ dueMs, event, attemptNumber: attemptNumber + 1 });
      nextRetryAt = new Date(dueMs).toISOString();
    }
    return {
      deliveryStatus: outcome.status,
      responseStatus: outcome.httpStatus,
      responseBody: receiverBody(outcome.httpStatus),
      errorMessage: outcome.errorMessage,
      durationMs: outcome.durationMs,
      nextRetryAt,
    };
  }

  function start(event: BaanxEvent, attemptNumber: number, createdAtMs: number): TrafficChange {
    const logId = uuidV4(random);
    const base = { id: logId, eventId: event.eventId, webhookId, attemptNumber, requestUrl, requestBody: event.requestBody };
    const unfinished = chance(random, PENDING_SHARE);
    const fields: Partial<BaanxLogEntry> = unfinished
      ? { deliveryStatus: 'pending', responseStatus: null, responseBody: null, errorMessage: null, durationMs: null, nextRetryAt: null }
      : finish(event, attemptNumber, createdAtMs);
    if (unfinished) inFlight.push({ logId, event, attemptNumber, stage: 'pending' });
    return { kind: 'append', provider: 'baanx', webhookId, entry: baanxEntry({ ...base, ...fields }, { nowMs: createdAtMs, random }) };
  }

  return (nowMs) => {
    const changes: TrafficChange[] = [];
    // Entries logged unfinished move on one stage per tick, updated in place under the same id.
    const advancing = inFlight;
    inFlight = [];
    for (const attempt of advancing) {
      if (attempt.stage === 'pending') {
        inFlight.push({ ...attempt, stage: 'processing' });
        changes.push({ kind: 'update', provider: 'baanx', webhookId, logId: attempt.logId, patch: { deliveryStatus: 'processing' } });
      } else {
        const patch = finish(attempt.event, attempt.attemptNumber, nowMs);
        changes.push({ kind: 'update', provider: 'baanx', webhookId, logId: attempt.logId, patch });
      }
    }
    const due = retries.filter((retry) => retry.dueMs <= nowMs);
    retries = retries.filter((retry) => retry.dueMs > nowMs);
    for (const retry of due) changes.push(start(retry.event, retry.attemptNumber, retry.dueMs));
    for (let i = drawEventCount(random); i > 0; i--) {
      const { eventType, payload } = drawEvent(random, BAANX_EVENTS, nowMs);
      changes.push(start({ eventId: uuidV4(random), requestBody: { eventType, ...payload } }, 1, nowMs));
    }
    return changes;
  };
}

/** Receivers as partners register them: a token in the query, some with credentials in the URL. */
function receiverUrl(index: number): string {
  const host = `receiver-${index + 1}.partner.example`;
  return index % 2 === 0
    ? `https://${host}/webhooks/baanx?token=${SIM_RECEIVER_TOKEN}`
    : `https://hooks:${SIM_RECEIVER_PASSWORD}@${host}/baanx/events?token=${SIM_RECEIVER_TOKEN}`;
}
