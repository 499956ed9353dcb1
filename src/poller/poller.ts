// Schedules reads of every webhook: one at start-up, then on the cron schedule. Each webhook is
// independent (its own checkpoint, back-off and health); at most `concurrency` reads run at once,
// and a webhook's read never overlaps its previous one.

import cron, { type ScheduledTask } from 'node-cron';
import type { Dispatcher } from 'undici';
import type { Logger } from '../logger.js';
import { urlForLog } from '../logger.js';
import type { ProviderAdapter } from '../providers/types.js';
import { Backoff } from './backoff.js';
import { Checkpoint } from './checkpoint.js';
import { fetchJson } from './fetch-json.js';
import { describeFailure, requestValues } from './health.js';
import { budgetFrom, pacedIntervalMs, rateLimitWaitMs, type Budget } from './rate-limits.js';
import { readLog, type ReadResult } from './read-log.js';
import type { PollRecorder } from './recorder.js';
import { Semaphore } from './semaphore.js';
import { loadState, saveState, stateKey, type StoredState } from './state-file.js';

export interface WebhookTarget {
  source: string;
  provider: string;
  webhookId: string;
  adapter: ProviderAdapter;
}

export interface PollerOptions {
  targets: WebhookTarget[];
  schedule: string;
  startFrom: 'now' | 'backfill';
  lookbackMs: number;
  concurrency: number;
  timeoutMs: number;
  maxResponseBytes: number;
  stateFile: string | undefined;
  recorder: PollRecorder;
  logger: Logger;
  now?: () => number;
  random?: () => number;
  dispatcher?: Dispatcher;
}

export interface WebhookStatus {
  source: string;
  provider: string;
  webhookId: string;
  lastPollAtMs: number | undefined;
  lastResult: 'success' | 'error' | undefined;
  lastError: string | undefined;
  entriesCounted: number;
  pending: number;
  /** Set while backing off after failures. */
  nextPollNotBeforeMs: number | undefined;
}

interface WebhookRuntime {
  target: WebhookTarget;
  checkpoint: Checkpoint;
  backoff: Backoff;
  /** The ETag of the last complete read's first page (memory only: a restart reads in full once). */
  etag: string | undefined;
  /** The adapter's last warning about paging, logged once until it changes. */
  lastWarning: string | undefined;
  /** When the latest read started, and how many requests it made: the pacing's inputs. */
  lastReadStartedAtMs: number | undefined;
  requestsPerRead: number;
  inFlight: Promise<void> | undefined;
  /** Health state key of the last read ('ok' or a failure key); a change is logged once. */
  healthState: string | undefined;
  status: WebhookStatus;
}

/** What one source's credentials may still do: the provider's budget and any wait it imposed. */
interface SourceLimits {
  budget: Budget | undefined;
  /** No request with these credentials before this time (a rate-limit answer). */
  notBeforeMs: number;
  webhooks: number;
  /** Whether the log last said reads are paced, so a change is logged once. */
  pacedLogged: boolean;
}

export class Poller {
  private readonly runtimes: WebhookRuntime[];
  private readonly semaphore: Semaphore;
  private readonly shutdown = new AbortController();
  private readonly now: () => number;
  private readonly log: Logger;
  private task: ScheduledTask | undefined;
  private readonly limits = new Map<string, SourceLimits>();
  /** Time between the last two scheduled ticks: pacing matters only when it asks for more. */
  private scheduleIntervalMs: number | undefined;
  private lastTickAtMs: number | undefined;
  private stateWrite: Promise<void> = Promise.resolve();
  private stateDirty = false;

  constructor(private readonly options: PollerOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.logger;
    this.semaphore = new Semaphore(options.concurrency);
    this.runtimes = options.targets.map((target) => ({
      target,
      checkpoint: new Checkpoint(),
      backoff: new Backoff(options.random),
      etag: undefined,
      lastWarning: undefined,
      lastReadStartedAtMs: undefined,
      requestsPerRead: 1,
      inFlight: undefined,
      healthState: undefined,
      status: {
        source: target.source,
        provider: target.provider,
        webhookId: target.webhookId,
        lastPollAtMs: undefined,
        lastResult: undefined,
        lastError: undefined,
        entriesCounted: 0,
        pending: 0,
        nextPollNotBeforeMs: undefined,
      },
    }));
    for (const { target } of this.runtimes) {
      const limits = this.limits.get(target.source) ?? { budget: undefined, notBeforeMs: 0, webhooks: 0, pacedLogged: false };
      limits.webhooks += 1;
      this.limits.set(target.source, limits);
    }
  }

  /** Reads the state file, if configured. A missing file is normal; an unusable one is logged and ignored. */
  async restoreState(): Promise<void> {
    const file = this.options.stateFile;
    if (!file) return;
    const loaded = await loadState(file);
    if (loaded.kind === 'missing') {
      this.log.info({ stateFile: file }, 'no state file yet: starting as configured by startFrom');
      return;
    }
    if (loaded.kind === 'unusable') {
      this.log.warn({ stateFile: file, problem: loaded.problem }, 'state file ignored: starting as configured by startFrom; it will be rewritten after the next poll');
      return;
    }
    let restored = 0;
    for (const runtime of this.runtimes) {
      const stored = loaded.state.get(stateKey(runtime.target.source, runtime.target.webhookId));
      if (!stored || stored.provider !== runtime.target.provider) continue;
      runtime.checkpoint = Checkpoint.from(stored);
      runtime.status.pending = runtime.checkpoint.pending.size;
      restored += 1;
    }
    this.log.info({ stateFile: file, restored, webhooks: this.runtimes.length }, 'checkpoints restored from state file');
  }

  /** Polls every webhook now, then on the schedule. */
  start(): void {
    void this.tick();
    this.task = cron.schedule(this.options.schedule, () => this.tick(), { name: 'webhook-log-exporter-poll' });
  }

  /** One read of every webhook, ignoring back-off; resolves when all are done (`once`, tests). */
  async pollAll(): Promise<void> {
    await Promise.all(this.runtimes.map((runtime) => this.trigger(runtime, { ignoreBackoff: true })));
  }

  /** True once every webhook has finished its first read, successful or not. */
  isReady(): boolean {
    return this.runtimes.every((runtime) => runtime.status.lastPollAtMs !== undefined);
  }

  statuses(): WebhookStatus[] {
    return this.runtimes.map((runtime) => ({ ...runtime.status }));
  }

  /**
   * Stops scheduling, lets reads in flight finish for up to `graceMs`, aborts the rest, and writes
   * the state file one last time. An aborted read leaves its checkpoint where it was.
   */
  async stop(graceMs: number): Promise<void> {
    await this.task?.stop();
    await this.task?.destroy();
    this.task = undefined;
    const inFlight = this.runtimes.flatMap((runtime) => (runtime.inFlight ? [runtime.inFlight] : []));
    if (inFlight.length > 0) {
      const finished = await Promise.race([Promise.all(inFlight).then(() => true), delay(graceMs).then(() => false)]);
      if (!finished) {
        this.log.warn({ graceMs }, 'reads still running at shutdown: aborting them; they will be read again after restart');
        this.shutdown.abort();
        await Promise.all(inFlight);
      }
    }
    await this.flushState();
  }

  private async tick(): Promise<void> {
    const now = this.now();
    if (this.lastTickAtMs !== undefined) this.scheduleIntervalMs = now - this.lastTickAtMs;
    this.lastTickAtMs = now;
    await Promise.all(this.runtimes.map((runtime) => this.trigger(runtime, { ignoreBackoff: false })));
  }

  private trigger(runtime: WebhookRuntime, { ignoreBackoff }: { ignoreBackoff: boolean }): Promise<void> {
    const { source, webhookId } = runtime.target;
    if (runtime.inFlight) {
      this.log.debug({ source, webhookId }, 'previous read still running: this tick is skipped');
      return runtime.inFlight;
    }
    if (!ignoreBackoff && !runtime.backoff.ready(this.now())) {
      this.log.debug({ source, webhookId, notBefore: new Date(runtime.backoff.nextAllowedAtMs).toISOString() }, 'backing off: this tick is skipped');
      return Promise.resolve();
    }
    const limits = this.limits.get(source)!;
    const now = this.now();
    if (!ignoreBackoff && now < limits.notBeforeMs) {
      this.log.debug({ source, webhookId, notBefore: new Date(limits.notBeforeMs).toISOString() }, 'rate limited: no request with these credentials before then; this tick is skipped');
      return Promise.resolve();
    }
    // Decided now from the budget last reported: past its reset it no longer holds anything back.
    const pacedMs = pacedIntervalMs(limits.budget, limits.webhooks, runtime.requestsPerRead, now);
    if (!ignoreBackoff && runtime.lastReadStartedAtMs !== undefined && now < runtime.lastReadStartedAtMs + pacedMs) {
      this.log.debug({ source, webhookId, pacedIntervalMs: pacedMs }, 'pacing reads to the rate-limit budget: this tick is skipped');
      return Promise.resolve();
    }
    runtime.inFlight = this.semaphore
      .run(() => this.poll(runtime))
      .catch((error: unknown) => {
        // readLog never throws by design; this is the last fence so the process never dies of a bug.
        this.log.error({ source, webhookId, err: error }, 'unexpected error while polling; the next tick will retry');
      })
      .finally(() => {
        runtime.inFlight = undefined;
      });
    return runtime.inFlight;
  }

  private async poll(runtime: WebhookRuntime): Promise<void> {
    const { target } = runtime;
    if (this.shutdown.signal.aborted) return;
    const startedAt = this.now();
    runtime.lastReadStartedAtMs = startedAt;
    let requests = 0;
    const result = await readLog(
      { source: target.source, webhookId: target.webhookId, startFrom: this.options.startFrom, lookbackMs: this.options.lookbackMs },
      {
        adapter: target.adapter,
        checkpoint: runtime.checkpoint,
        recorder: this.options.recorder,
        fetch: async (request) => {
          requests += 1;
          const outcome = await fetchJson(request, {
            timeoutMs: this.options.timeoutMs,
            maxResponseBytes: this.options.maxResponseBytes,
            signal: this.shutdown.signal,
            dispatcher: this.options.dispatcher,
          });
          if ('headers' in outcome) this.noteBudget(target.source, outcome.headers);
          return outcome;
        },
        etag: runtime.etag,
      },
    );
    runtime.requestsPerRead = Math.max(1, requests);
    if (!result.failure) runtime.etag = result.etag;
    const finishedAt = this.now();
    const ok = result.failure === undefined;
    this.options.recorder.recordPoll(target.source, target.webhookId, ok ? 'success' : 'error', (finishedAt - startedAt) / 1000, finishedAt);
    this.updateStatus(runtime, result, finishedAt);
    this.reportHealth(runtime, result, finishedAt);
    this.options.recorder.recordRead?.({
      source: target.source,
      provider: target.provider,
      webhookId: target.webhookId,
      startedAtMs: startedAt,
      finishedAtMs: finishedAt,
      error: ok ? undefined : runtime.status.lastError,
      pages: result.pages,
      entriesRead: result.entriesRead,
      invalid: result.invalid,
      counted: result.counted,
      eventIds: target.adapter.capabilities.eventIds,
    });
    this.reportRead(runtime, result);
    this.pace(target.source, runtime.requestsPerRead);
    if (this.options.stateFile) this.scheduleStateWrite();
  }

  private noteBudget(source: string, headers: Readonly<Record<string, string>>): void {
    const budget = budgetFrom(headers, this.now());
    if (budget === undefined) return;
    this.limits.get(source)!.budget = budget;
    this.options.recorder.setRateLimitRemaining(source, budget.remaining);
  }

  /** Spaces this source's reads to its budget; says so once when that starts and once when it ends. */
  private pace(source: string, requestsPerRead: number): void {
    const limits = this.limits.get(source)!;
    const pacedMs = pacedIntervalMs(limits.budget, limits.webhooks, requestsPerRead, this.now());
    const paced = this.scheduleIntervalMs !== undefined && pacedMs > this.scheduleIntervalMs;
    if (paced === limits.pacedLogged) return;
    limits.pacedLogged = paced;
    const fields = { source, remaining: limits.budget?.remaining, reset: limits.budget?.resetAtMs === undefined ? undefined : new Date(limits.budget.resetAtMs).toISOString() };
    if (paced) {
      this.log.warn({ ...fields, everySeconds: Math.round(pacedMs / 1000) }, `rate-limit budget: reading each webhook at most every ${Math.round(pacedMs / 1000)} s (not on every tick of the schedule) so the budget lasts until its reset`);
    } else {
      this.log.info(fields, 'rate-limit budget: reading on the schedule again');
    }
  }

  private updateStatus(runtime: WebhookRuntime, result: ReadResult, finishedAt: number): void {
    const status = runtime.status;
    status.lastPollAtMs = finishedAt;
    status.lastResult = result.failure ? 'error' : 'success';
    status.entriesCounted += result.counted.length;
    status.pending = runtime.checkpoint.pending.size;
  }

  private reportHealth(runtime: WebhookRuntime, result: ReadResult, finishedAt: number): void {
    const { source, provider, webhookId } = runtime.target;
    const context = { source, provider, webhookId, url: urlForLog(runtime.target.adapter.firstRequest(webhookId).url) };
    if (!result.failure) {
      if (runtime.healthState !== undefined && runtime.healthState !== 'ok') {
        this.log.info({ ...context, failedPolls: runtime.backoff.consecutiveFailures }, 'webhook log readable again');
      }
      runtime.healthState = 'ok';
      runtime.backoff.succeeded();
      runtime.status.lastError = undefined;
      runtime.status.nextPollNotBeforeMs = undefined;
      return;
    }
    if (this.shutdown.signal.aborted) return; // aborted by shutdown, not a provider problem
    const failure = result.failure;
    const saidRateLimit = failure.kind === 'http_error' && runtime.target.adapter.isRateLimit?.(failure.status, failure.body) === true;
    const rateLimitMs = rateLimitWaitMs(failure, finishedAt, saidRateLimit);
    const report = describeFailure(failure, {
      hints: runtime.target.adapter.hints,
      timeoutMs: this.options.timeoutMs,
      rateLimited: rateLimitMs !== undefined,
      providerSays: failure.kind === 'http_error' ? runtime.target.adapter.errorMessage?.(failure.body) : undefined,
      requestValues: requestValues(runtime.target.adapter.firstRequest(webhookId)),
    });
    const delayMs =
      rateLimitMs !== undefined
        ? runtime.backoff.rateLimited(finishedAt, rateLimitMs)
        : runtime.backoff.failed(finishedAt, failure.kind === 'http_error' ? failure.retryAfterMs : undefined);
    // A rate limit binds the credentials, not the webhook: every webhook of the source waits.
    if (rateLimitMs !== undefined) this.limits.get(source)!.notBeforeMs = runtime.backoff.nextAllowedAtMs;
    runtime.status.lastError = report.message;
    runtime.status.nextPollNotBeforeMs = runtime.backoff.nextAllowedAtMs;
    const fields = {
      ...context,
      problem: report.state,
      retryInSeconds: Math.round(delayMs / 1000),
      ...(rateLimitMs !== undefined && { notBefore: new Date(runtime.backoff.nextAllowedAtMs).toISOString() }),
    };
    if (report.state !== runtime.healthState) {
      this.log.warn(fields, `webhook log unreadable: ${report.message}`);
    } else {
      this.log.debug({ ...fields, failedPolls: runtime.backoff.consecutiveFailures }, 'webhook log still unreadable');
    }
    runtime.healthState = report.state;
  }

  private reportRead(runtime: WebhookRuntime, result: ReadResult): void {
    const { source, webhookId } = runtime.target;
    if (result.gap) this.log.warn({ source, webhookId }, `possible gap: ${result.gap}`);
    if (result.warning !== undefined && result.warning !== runtime.lastWarning) {
      this.log.warn({ source, webhookId }, `read stopped early: ${result.warning}; what was read is counted`);
    }
    if (!result.failure) runtime.lastWarning = result.warning;
    if (result.tooOld > 0) {
      this.log.debug({ source, webhookId, entries: result.tooOld }, 'entries older than the lookback floor were never seen: not counted (raise lookback to catch later-logged deliveries)');
    }
    this.log.debug(
      { source, webhookId, pages: result.pages, read: result.entriesRead, counted: result.counted.length, marked: result.marked, invalid: result.invalid, pending: runtime.checkpoint.pending.size },
      'read finished',
    );
  }

  /** Coalesces writes: at most one in progress, and one more if something changed meanwhile. */
  private scheduleStateWrite(): void {
    if (this.stateDirty) return;
    this.stateDirty = true;
    this.stateWrite = this.stateWrite.then(() => this.writeState());
  }

  private async flushState(): Promise<void> {
    if (!this.options.stateFile) return;
    await this.stateWrite;
    await this.writeState();
  }

  private async writeState(): Promise<void> {
    const file = this.options.stateFile;
    if (!file) return;
    this.stateDirty = false;
    const state: StoredState = new Map();
    for (const runtime of this.runtimes) {
      state.set(stateKey(runtime.target.source, runtime.target.webhookId), { provider: runtime.target.provider, ...runtime.checkpoint.toData() });
    }
    try {
      await saveState(file, state);
    } catch (error) {
      this.log.error({ stateFile: file, code: (error as NodeJS.ErrnoException).code }, 'cannot write the state file: a restart may count recent deliveries again');
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
