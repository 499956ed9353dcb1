// Model-based test of the counting rules: random histories of providers' logs (bursts larger than
// a page, ties in createdAt, late entries inside and outside lookback, pending → finished, retries,
// retention) interleaved with polls (entries arriving while paging, a page answering 500), restarts
// with and without the state file, and time passing. After every step each delivery counter series,
// the duration histogram's count and the gap counter of a real exporter (read from its exposition)
// must equal the reference model's (helpers/counting-model.ts, written from docs/counting.md and
// docs/providers.md).
//
// Two properties, each with its own histories and MODEL_RUNS runs:
// - Salesfinity (page numbers over a log that grows at its head) beside Baanx (newest-N, attempts
//   pending → processing → finished, retries up to attempt 6, 7-day retention);
// - GitHub (keyset cursor in the `Link` header; 2xx success, 3xx/4xx/5xx and "no response" failures,
//   redeliveries, 3-day retention, conditional first pages answered 304) beside GitLab (page numbers
//   via `x-next-page`, whole-second `created_at` with an offset so ties are common, `internal error`,
//   the 7-day listing) and Svix (an `iterator` in the body over attempts ordered by id; pending and
//   sending attempts finished later in place, some canceled, manual re-sends, the 90-day search window).
//   For these three the model reads the answers the exporter actually received (a recording undici
//   dispatcher) and checks each request asked for the page the previous answer named.
//
// MODEL_RUNS=2000 npx vitest run test/e2e/counting-model.test.ts   for a long run (default 200).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderSimulator, baanxEntry, githubDelivery, gitlabEntry, gitlabInternalErrorEntry, salesfinityEntry, svixAttempt } from '../../src/simulator/index.js';
import { githubTimestamp } from '../../src/simulator/github-entries.js';
import { mulberry32, type Random } from '../../src/simulator/random.js';
import { svixStatusText } from '../../src/simulator/svix-entries.js';
import { CountingModel, observedSeries, runModelledHistory, type ModelCoverage, type ModelledHistory, type PageRequest } from './helpers/counting-model.js';
import { recordingDispatcher, type RecordingDispatcher } from './helpers/recording-dispatcher.js';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness.js';

const RUNS = Number(process.env.MODEL_RUNS ?? 200);
const LOOKBACK_MS = 5 * 60_000;
const BAANX_RETENTION_MS = 7 * 24 * 3_600_000;
const SF_EVENTS = ['CALL_LOGGED', 'MEETING_BOOKED'];
const BX_EVENTS = ['kyc.status.changed', 'card.transaction'];

type FailCode = 500 | 503 | null;

type Op =
  | { kind: 'sf-arrive'; count: number; advanceS: number; lateS: number; failed: boolean; code: FailCode; event: number }
  | { kind: 'bx-arrive'; count: number; advanceS: number; lateS: number; retry: boolean; pending: boolean; failed: boolean; code: FailCode; giveUp: boolean; event: number }
  | { kind: 'finish'; pick: number; failed: boolean; code: FailCode; giveUp: boolean }
  /** `fault`: whose read gets a 500 on `failPage` (Baanx: its one request). */
  | { kind: 'poll'; arrivalsWhilePaging: number; lateWhilePagingS: number; fault: 'none' | 'salesfinity' | 'baanx'; failPage: number }
  | { kind: 'advance'; seconds: number }
  /** Baanx retention reaches the pick-th oldest entry: the clock moves to 7 days after it. */
  | { kind: 'expire'; pick: number }
  | { kind: 'restart'; keepState: boolean };

interface Settings {
  startFrom: 'now' | 'backfill';
  pageSize: number;
  maxPages: number;
  limit: number;
}

const failCode = fc.constantFrom<FailCode>(500, 503, null);
// 0 s makes ties in createdAt; 240 s is late inside lookback, 420 s and 1800 s outside it.
const lateS = fc.constantFrom(0, 0, 0, 60, 240, 420, 1800);
const advanceS = fc.constantFrom(0, 0, 1, 20);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('sf-arrive' as const),
      count: fc.integer({ min: 1, max: 9 }),
      advanceS,
      lateS,
      failed: fc.boolean(),
      code: failCode,
      event: fc.integer({ min: 0, max: 1 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('bx-arrive' as const),
      count: fc.integer({ min: 1, max: 7 }),
      advanceS,
      lateS,
      retry: fc.boolean(),
      pending: fc.boolean(),
      failed: fc.boolean(),
      code: failCode,
      giveUp: fc.boolean(),
      event: fc.integer({ min: 0, max: 1 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('finish' as const), pick: fc.nat(), failed: fc.boolean(), code: failCode, giveUp: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('poll' as const),
      arrivalsWhilePaging: fc.constantFrom(0, 0, 1, 3),
      lateWhilePagingS: fc.constantFrom(0, 90),
      fault: fc.constantFrom('none' as const, 'none' as const, 'salesfinity' as const, 'baanx' as const),
      failPage: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), seconds: fc.constantFrom(30, 400, 7200) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), keepState: fc.boolean() }) },
);

const settingsArb: fc.Arbitrary<Settings> = fc.record({
  startFrom: fc.constantFrom('now' as const, 'backfill' as const),
  pageSize: fc.integer({ min: 1, max: 4 }),
  maxPages: fc.constantFrom(2, 3, 50),
  limit: fc.constantFrom(3, 5),
});

let sim: ProviderSimulator;
let dir: string;
// One clock for the simulator (createdAt defaults, Baanx retention); it only moves forward.
let clockMs = Date.now();
let run = 0;
/** What the models saw, by provider, over all histories of this file: how often, and in how many histories. */
const coverage: ModelCoverage = {};
const historiesReaching: ModelCoverage = {};

beforeAll(async () => {
  sim = await ProviderSimulator.start({ now: () => clockMs });
  dir = await mkdtemp(join(tmpdir(), 'wle-model-'));
});
afterAll(async () => {
  if (process.env.MODEL_COVERAGE) console.log(JSON.stringify({ events: coverage, histories: historiesReaching }, null, 1));
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

/** A Baanx event as the provider's retry scheduler sees it. */
interface BaanxEvent {
  eventId: string;
  eventType: string;
  attempts: number;
  /** Its latest attempt failed and a retry is scheduled. */
  retryable: boolean;
}

/** A real exporter on one history's webhooks with the model beside it: start, restart, compare. */
abstract class ModelledExporter {
  protected options!: HarnessOptions;
  protected model!: CountingModel;
  protected harness!: Harness;

  async start(): Promise<void> {
    this.harness = await startHarness(sim, this.options);
  }

  /** The exporter stops and starts again, with its state file kept or deleted. */
  protected async restart(keepState: boolean): Promise<void> {
    await this.harness.stop();
    if (!keepState) await rm(this.options.stateFile as string, { force: true });
    this.model.restart({ keepState });
    this.harness = await startHarness(sim, this.options);
  }

  /** The exporter's modelled series against the model's, as sorted objects for a readable diff. */
  async compare(step: string): Promise<void> {
    const observed = observedSeries((await this.harness.metrics()).samples);
    expect(sorted(observed), `after ${step}`).toEqual(sorted(this.model.expected()));
  }
}

/** One history: a fresh pair of webhooks, a real exporter on them, and the model beside it. */
class History extends ModelledExporter {
  readonly sf: string;
  readonly bx: string;
  private seq = 0;
  private readonly events: BaanxEvent[] = [];
  private readonly pending: Array<{ id: string; event: BaanxEvent }> = [];

  constructor(settings: Settings) {
    super();
    run += 1;
    this.sf = `sf${String(run).padStart(22, '0')}`;
    this.bx = `bx-model-${run}`;
    sim.addWebhook('salesfinity', this.sf);
    sim.addWebhook('baanx', this.bx);
    this.options = {
      startFrom: settings.startFrom,
      lookback: '5m',
      stateFile: join(dir, `state-${run}.json`),
      sources: [
        { name: 'sf', provider: 'salesfinity', webhooks: [this.sf], pageSize: settings.pageSize, maxPages: settings.maxPages },
        { name: 'bx', provider: 'baanx', webhooks: [this.bx], limit: settings.limit },
      ],
    };
    this.model = new CountingModel({ startFrom: settings.startFrom, lookbackMs: LOOKBACK_MS }, [
      { source: 'sf', provider: 'salesfinity', webhookId: this.sf, pageSize: settings.pageSize, maxPages: settings.maxPages },
      { source: 'bx', provider: 'baanx', webhookId: this.bx, pageSize: settings.limit, maxPages: 1 },
    ], coverage);
  }

  async stop(): Promise<void> {
    sim.onRequest(null);
    await this.harness.stop();
  }

  async apply(op: Op): Promise<void> {
    switch (op.kind) {
      case 'sf-arrive':
        clockMs += op.advanceS * 1000;
        for (let i = 0; i < op.count; i++) this.arriveSalesfinity(op.lateS, op.failed, op.code, SF_EVENTS[op.event] as string);
        return;
      case 'bx-arrive':
        clockMs += op.advanceS * 1000;
        for (let i = 0; i < op.count; i++) this.arriveBaanx(op);
        return;
      case 'finish':
        return this.finish(op);
      case 'poll':
        return this.poll(op);
      case 'advance':
        clockMs += op.seconds * 1000;
        return;
      case 'expire':
        return this.expire(op.pick);
      case 'restart':
        return this.restart(op.keepState);
    }
  }

  private nextId(prefix: string): string {
    return `${prefix}-${run}-${this.seq++}`;
  }

  private arriveSalesfinity(lateS: number, failed: boolean, code: FailCode, event: string): void {
    const answered = !failed || code !== null;
    sim.append('salesfinity', this.sf, [
      salesfinityEntry({
        _id: this.nextId('sf'),
        event,
        createdAt: new Date(clockMs - lateS * 1000).toISOString(),
        status: failed ? 'failed' : 'success',
        response: answered ? { code: failed ? (code as number) : 200 } : {},
        responseTime: answered ? 120 : undefined,
      }),
    ]);
  }

  private arriveBaanx(op: Extract<Op, { kind: 'bx-arrive' }>): void {
    const retryOf = op.retry ? this.events.find((e) => e.retryable) : undefined;
    const event = retryOf ?? { eventId: this.nextId('event'), eventType: BX_EVENTS[op.event] as string, attempts: 0, retryable: false };
    if (!retryOf) this.events.push(event);
    event.attempts += 1;
    event.retryable = false;
    const id = this.nextId('bx');
    const common = { id, eventId: event.eventId, eventType: event.eventType, attemptNumber: event.attempts, createdAt: new Date(clockMs - op.lateS * 1000).toISOString() };
    if (op.pending) {
      sim.append('baanx', this.bx, [baanxEntry({ ...common, deliveryStatus: 'pending', responseStatus: null, durationMs: null, responseBody: null, nextRetryAt: null })]);
      this.pending.push({ id, event });
      return;
    }
    sim.append('baanx', this.bx, [baanxEntry({ ...common, ...this.outcome(event, op) })]);
  }

  /** The fields of a finished attempt; a failed one schedules a retry unless it was the 6th or the provider gave up. */
  private outcome(event: BaanxEvent, op: { failed: boolean; code: FailCode; giveUp: boolean }): Record<string, unknown> {
    if (!op.failed) return { deliveryStatus: 'success', responseStatus: 200, durationMs: 80, nextRetryAt: null };
    event.retryable = event.attempts < 6 && !op.giveUp;
    return {
      deliveryStatus: 'failed',
      responseStatus: op.code,
      durationMs: op.code === null ? null : 95,
      responseBody: op.code === null ? null : '{"error":"unavailable"}',
      errorMessage: op.code === null ? 'connection timeout' : null,
      nextRetryAt: event.retryable ? new Date(clockMs + 60_000).toISOString() : null,
    };
  }

  private finish(op: Extract<Op, { kind: 'finish' }>): void {
    if (this.pending.length === 0) return;
    const [held] = this.pending.splice(op.pick % this.pending.length, 1);
    if (!held) return;
    const stillThere = (sim.entries('baanx', this.bx) as Array<{ id: string }>).some((entry) => entry.id === held.id);
    if (stillThere) sim.update('baanx', this.bx, held.id, this.outcome(held.event, op));
  }

  private expire(pick: number): void {
    const log = sim.entries('baanx', this.bx) as Array<{ createdAt: string }>;
    if (log.length === 0) return;
    const keepFrom = log[log.length - 1 - (pick % log.length)] as { createdAt: string };
    clockMs = Math.max(clockMs, Date.parse(keepFrom.createdAt) + BAANX_RETENTION_MS);
  }

  private async poll(op: Extract<Op, { kind: 'poll' }>): Promise<void> {
    const requests = new Map<string, PageRequest[]>([
      [this.sf, []],
      [this.bx, []],
    ]);
    let toArrive = op.arrivalsWhilePaging;
    let faultUsed = false;
    sim.onRequest((request) => {
      const seen = requests.get(request.webhookId);
      if (!seen) return;
      const page = request.provider === 'baanx' ? 1 : Number(request.query.page);
      if (request.provider === 'salesfinity' && page > 1 && toArrive > 0) {
        toArrive -= 1;
        clockMs += 1000;
        this.arriveSalesfinity(op.lateWhilePagingS, false, null, SF_EVENTS[0] as string);
      }
      const faulted = !faultUsed && op.fault === request.provider && page === (request.provider === 'baanx' ? 1 : op.failPage);
      if (faulted) {
        faultUsed = true;
        sim.setFault(request.provider, request.webhookId, { kind: 'status', status: 500, times: 1 });
      }
      seen.push({ page, faulted, log: sim.entries(request.provider, request.webhookId) });
    });
    await this.harness.poll();
    sim.onRequest(null);
    for (const [webhookId, seen] of requests) this.model.read(webhookId, seen);
  }
}

// ---- GitHub, GitLab and Svix ----

const GITHUB_RETENTION_MS = 3 * 24 * 3_600_000;
/** GitLab lists from the start of the day 7 days ago: 7 days after an entry, its day is still listed. */
const GITLAB_LISTED_MS = 7 * 24 * 3_600_000;
/** Svix's first page searches the last 90 days. */
const SVIX_SEARCH_MS = 90 * 24 * 3_600_000;
const GH_EVENTS = ['push', 'pull_request'];
const GL_TRIGGERS = ['push_hooks', 'merge_request_hooks'];
const SVIX_EVENTS = ['invoice.paid', 'user.created'];

/** The receiver's answer: 0 is no response (GitHub `status_code` 0, Svix `responseStatusCode` 0). */
type GithubCode = 200 | 204 | 301 | 404 | 500 | 503 | 0;
type GitlabStatus = '200' | '201' | '302' | '404' | '500' | 'internal error';
type SvixState = 'success' | 'fail' | 'pending' | 'sending' | 'canceled';
type SvixFailCode = 500 | 503 | 0;
type PagedProvider = 'github' | 'gitlab' | 'svix';

type PagedOp =
  | { kind: 'gh-arrive'; count: number; advanceS: number; lateS: number; code: GithubCode; redelivery: boolean; event: number }
  | { kind: 'gl-arrive'; count: number; advanceS: number; lateS: number; status: GitlabStatus; event: number }
  | { kind: 'svix-arrive'; count: number; advanceS: number; lateS: number; state: SvixState; code: SvixFailCode; resend: boolean; event: number }
  /** `count` Svix attempts left pending or sending move on: finished, canceled, or (from pending) sending. */
  | { kind: 'svix-finish'; count: number; pick: number; to: 'success' | 'fail' | 'canceled' | 'sending'; code: SvixFailCode }
  /** `fault`: whose read gets a 500 on its `failPage`-th request. Each webhook gets `arrivalsWhilePaging` before its later pages. */
  | { kind: 'poll'; arrivalsWhilePaging: number; lateWhilePagingS: number; fault: 'none' | PagedProvider; failPage: number }
  | { kind: 'advance'; seconds: number }
  /** `provider`'s retention (GitHub), listing (GitLab) or first-page search window (Svix) passes its pick-th oldest entry. */
  | { kind: 'expire'; provider: PagedProvider; pick: number }
  | { kind: 'restart'; keepState: boolean };

interface PagedSourceSettings {
  pageSize: number;
  maxPages: number;
}

interface PagedSettings {
  startFrom: 'now' | 'backfill';
  github: PagedSourceSettings;
  gitlab: PagedSourceSettings;
  svix: PagedSourceSettings;
}

const svixFailCode = fc.constantFrom<SvixFailCode>(500, 503, 0);
const pagedOpArb: fc.Arbitrary<PagedOp> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('gh-arrive' as const),
      count: fc.integer({ min: 1, max: 9 }),
      advanceS,
      lateS,
      code: fc.constantFrom<GithubCode>(200, 200, 204, 301, 404, 500, 503, 0),
      redelivery: fc.boolean(),
      event: fc.integer({ min: 0, max: 1 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('gl-arrive' as const),
      count: fc.integer({ min: 1, max: 9 }),
      advanceS,
      lateS,
      status: fc.constantFrom<GitlabStatus>('200', '200', '201', '302', '404', '500', 'internal error'),
      event: fc.integer({ min: 0, max: 1 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('svix-arrive' as const),
      count: fc.integer({ min: 1, max: 7 }),
      advanceS,
      lateS,
      state: fc.constantFrom<SvixState>('success', 'success', 'fail', 'pending', 'pending', 'sending', 'canceled'),
      code: svixFailCode,
      resend: fc.boolean(),
      event: fc.integer({ min: 0, max: 1 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('svix-finish' as const),
      count: fc.integer({ min: 1, max: 3 }),
      pick: fc.nat(),
      to: fc.constantFrom('success' as const, 'fail' as const, 'canceled' as const, 'canceled' as const, 'sending' as const),
      code: svixFailCode,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('poll' as const),
      arrivalsWhilePaging: fc.constantFrom(0, 0, 1, 3),
      lateWhilePagingS: fc.constantFrom(0, 90),
      fault: fc.constantFrom('none' as const, 'none' as const, 'github' as const, 'gitlab' as const, 'svix' as const),
      failPage: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), seconds: fc.constantFrom(30, 400, 7200) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('expire' as const), provider: fc.constantFrom<PagedProvider>('github', 'gitlab', 'svix', 'svix'), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), keepState: fc.boolean() }) },
);

const pagedSourceArb: fc.Arbitrary<PagedSourceSettings> = fc.record({ pageSize: fc.integer({ min: 1, max: 4 }), maxPages: fc.constantFrom(2, 3, 50) });
const pagedSettingsArb: fc.Arbitrary<PagedSettings> = fc.record({
  startFrom: fc.constantFrom('now' as const, 'backfill' as const),
  github: pagedSourceArb,
  gitlab: pagedSourceArb,
  svix: pagedSourceArb,
});

const CREATED_AT_FIELD: Record<PagedProvider, string> = { github: 'delivered_at', gitlab: 'created_at', svix: 'timestamp' };
const EXPIRY_MS: Record<PagedProvider, number> = { github: GITHUB_RETENTION_MS, gitlab: GITLAB_LISTED_MS, svix: SVIX_SEARCH_MS };

/**
 * One history of a GitHub, a GitLab and a Svix webhook read by a real exporter whose provider
 * answers are recorded, with the model beside it.
 */
class PagedHistory extends ModelledExporter {
  readonly webhooks: Record<PagedProvider, string>;
  private readonly recorder: RecordingDispatcher;
  private readonly random: Random;
  private seq = 0;
  /** Request path → webhook, learnt from the simulator's side of each request. */
  private readonly paths = new Map<string, string>();
  /** Svix attempts left pending or sending, to finish later. */
  private readonly svixUnfinished: string[] = [];
  private readonly failedGuids: string[] = [];
  private readonly svixMessages: string[] = [];
  private svixSecond = -1;
  private svixInSecond = 0;

  constructor(settings: PagedSettings) {
    super();
    run += 1;
    // Fresh rate-limit windows (GitHub's hour, GitLab's minute, Svix's second) for every history.
    clockMs += 3_600_000;
    this.random = mulberry32(run);
    this.webhooks = { github: `acme/model-${run}/${run}`, gitlab: `project/${1000 + run}/7`, svix: `app_model${run}/ep_model${run}` };
    for (const provider of ['github', 'gitlab', 'svix'] as const) sim.addWebhook(provider, this.webhooks[provider]);
    this.recorder = recordingDispatcher();
    const source = (provider: PagedProvider) => ({ name: provider, provider, webhooks: [this.webhooks[provider]], ...settings[provider] });
    this.options = {
      startFrom: settings.startFrom,
      lookback: '5m',
      stateFile: join(dir, `state-${run}.json`),
      dispatcher: this.recorder.dispatcher,
      sources: [source('github'), source('gitlab'), source('svix')],
    };
    this.model = new CountingModel(
      { startFrom: settings.startFrom, lookbackMs: LOOKBACK_MS },
      (['github', 'gitlab', 'svix'] as const).map((provider) => ({ source: provider, provider, webhookId: this.webhooks[provider], ...settings[provider] })),
      coverage,
    );
  }

  async stop(): Promise<void> {
    sim.onRequest(null);
    try {
      await this.harness.stop();
    } finally {
      await this.recorder.close();
    }
  }

  async apply(op: PagedOp): Promise<void> {
    switch (op.kind) {
      case 'gh-arrive':
        clockMs += op.advanceS * 1000;
        for (let i = 0; i < op.count; i++) this.arriveGithub(op.lateS, op.code, op.redelivery, GH_EVENTS[op.event] as string);
        return;
      case 'gl-arrive':
        clockMs += op.advanceS * 1000;
        for (let i = 0; i < op.count; i++) this.arriveGitlab(op.lateS, op.status, GL_TRIGGERS[op.event] as string);
        return;
      case 'svix-arrive':
        clockMs += op.advanceS * 1000;
        for (let i = 0; i < op.count; i++) this.arriveSvix(op.lateS, op.state, op.code, op.resend, SVIX_EVENTS[op.event] as string);
        return;
      case 'svix-finish':
        return this.finishSvix(op);
      case 'poll':
        return this.poll(op);
      case 'advance':
        clockMs += op.seconds * 1000;
        return;
      case 'expire':
        return this.expire(op.provider, op.pick);
      case 'restart':
        return this.restart(op.keepState);
    }
  }

  /** GitHub and GitLab ids are numbers that grow with time, unique within the history. */
  private numericId(atMs: number): number {
    return atMs * 1000 + (this.seq++ % 1000);
  }

  private arriveGithub(lateS: number, code: GithubCode, redelivery: boolean, event: string): void {
    const atMs = clockMs - lateS * 1000;
    const guid = redelivery ? this.failedGuids.shift() : undefined;
    const delivery = githubDelivery(
      {
        id: this.numericId(atMs),
        delivered_at: githubTimestamp(atMs),
        event,
        action: null,
        status_code: code,
        status: code === 0 ? 'timed out' : code >= 200 && code <= 299 ? 'OK' : `Invalid HTTP Response: ${code}`,
        duration: code === 0 ? 10 : 0.27,
        redelivery,
        ...(guid === undefined ? {} : { guid }),
      },
      { nowMs: atMs, random: this.random },
    );
    if (code < 200 || code > 299) this.failedGuids.push(delivery.guid);
    sim.append('github', this.webhooks.github, [delivery]);
  }

  private arriveGitlab(lateS: number, status: GitlabStatus, trigger: string): void {
    const atMs = clockMs - lateS * 1000;
    const fields = { id: this.numericId(atMs), trigger };
    const entry =
      status === 'internal error'
        ? gitlabInternalErrorEntry(fields, { nowMs: atMs, random: this.random })
        : gitlabEntry({ ...fields, response_status: status }, { nowMs: atMs, random: this.random });
    sim.append('gitlab', this.webhooks.gitlab, [entry]);
  }

  private arriveSvix(lateS: number, state: SvixState, failCode: SvixFailCode, resend: boolean, eventType: string): void {
    const atMs = clockMs - lateS * 1000;
    const msgId = resend ? this.svixMessages[this.svixMessages.length - 1] : undefined;
    const attempt = svixAttempt(
      { eventType, triggerType: resend && msgId !== undefined ? 1 : 0, ...(msgId === undefined ? {} : { msgId }), ...svixOutcome(state, failCode) },
      { nowMs: atMs, random: this.random },
    );
    if (msgId === undefined) this.svixMessages.push(attempt.msgId);
    if (state === 'pending' || state === 'sending') this.svixUnfinished.push(attempt.id);
    sim.append('svix', this.webhooks.svix, [attempt]);
  }

  private finishSvix(op: Extract<PagedOp, { kind: 'svix-finish' }>): void {
    for (let i = 0; i < op.count && this.svixUnfinished.length > 0; i++) {
      const index = (op.pick + i) % this.svixUnfinished.length;
      const id = this.svixUnfinished[index] as string;
      if (op.to !== 'sending') this.svixUnfinished.splice(index, 1);
      sim.update('svix', this.webhooks.svix, id, svixOutcome(op.to, op.code));
    }
  }

  /** The clock moves until the provider no longer lists entries older than its pick-th oldest. */
  private expire(provider: PagedProvider, pick: number): void {
    const times = (sim.entries(provider, this.webhooks[provider]) as Array<Record<string, unknown>>)
      .map((entry) => Date.parse(String(entry[CREATED_AT_FIELD[provider]])))
      .sort((a, b) => a - b);
    if (times.length === 0) return;
    clockMs = Math.max(clockMs, (times[pick % times.length] as number) + EXPIRY_MS[provider]);
  }

  private async poll(op: Extract<PagedOp, { kind: 'poll' }>): Promise<void> {
    const providers = new Map<string, PagedProvider>((['github', 'gitlab', 'svix'] as const).map((provider) => [this.webhooks[provider], provider]));
    const requestsSoFar = new Map<string, number>();
    const githubLogs: unknown[][] = [];
    const toArrive = new Map<string, number>([...providers.keys()].map((webhookId) => [webhookId, op.arrivalsWhilePaging]));
    let faultUsed = false;
    this.recorder.take();
    sim.onRequest((request) => {
      const provider = providers.get(request.webhookId);
      if (provider === undefined || provider !== request.provider) return;
      this.paths.set(request.url.pathname, request.webhookId);
      const page = (requestsSoFar.get(request.webhookId) ?? 0) + 1;
      requestsSoFar.set(request.webhookId, page);
      if (provider === 'svix') this.keepWithinSvixBudget();
      const left = toArrive.get(request.webhookId) ?? 0;
      if (page > 1 && left > 0) {
        toArrive.set(request.webhookId, left - 1);
        clockMs += 1000;
        if (provider === 'github') this.arriveGithub(op.lateWhilePagingS, 200, false, GH_EVENTS[0] as string);
        if (provider === 'gitlab') this.arriveGitlab(op.lateWhilePagingS, '200', GL_TRIGGERS[0] as string);
        if (provider === 'svix') this.arriveSvix(op.lateWhilePagingS, 'success', 500, false, SVIX_EVENTS[0] as string);
      }
      if (!faultUsed && op.fault === provider && page === op.failPage) {
        faultUsed = true;
        sim.setFault(provider, request.webhookId, { kind: 'status', status: 500, times: 1 });
      }
      if (provider === 'github') githubLogs.push(sim.entries('github', request.webhookId));
    });
    await this.harness.poll();
    sim.onRequest(null);
    const reads = new Map<string, PageRequest[]>([...providers.keys()].map((webhookId) => [webhookId, []]));
    for (const answer of this.recorder.take()) {
      const webhookId = this.paths.get(new URL(answer.path, sim.url).pathname);
      const read = webhookId === undefined ? undefined : reads.get(webhookId);
      if (read === undefined) throw new Error(`an answer to a request the simulator did not see: ${answer.path}`);
      const ok = (answer.status >= 200 && answer.status <= 299) || answer.status === 304;
      read.push({ page: read.length + 1, faulted: !ok, answer, ...(webhookId === this.webhooks.github ? { log: githubLogs[read.length] } : {}) });
    }
    for (const [webhookId, read] of reads) this.model.read(webhookId, read);
  }

  /** Svix answers 429 past 1,000 requests in a clock second; a long history's polls could reach that. */
  private keepWithinSvixBudget(): void {
    const second = Math.floor(clockMs / 1000);
    if (second !== this.svixSecond) [this.svixSecond, this.svixInSecond] = [second, 0];
    if (++this.svixInSecond >= 900) clockMs += 1000;
  }
}

/** The fields of a Svix attempt in this state (`code` for a failure: 0 is no response). */
function svixOutcome(state: SvixState, failCode: SvixFailCode): Record<string, unknown> {
  const status = { success: 0, pending: 1, fail: 2, sending: 3, canceled: 4 }[state] as 0 | 1 | 2 | 3 | 4;
  const fields = { status, statusText: svixStatusText(status) };
  switch (state) {
    case 'success':
      return { ...fields, responseStatusCode: 200, responseDurationMs: 140 };
    case 'fail':
      return { ...fields, responseStatusCode: failCode, responseDurationMs: failCode === 0 ? 15_000 : 95 };
    default:
      return { ...fields, responseStatusCode: 0, responseDurationMs: 0 };
  }
}

function sorted(series: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...series].sort(([a], [b]) => a.localeCompare(b)));
}

/** runModelledHistory, and which coverage rules the history reached. */
async function runHistory<O>(history: ModelledHistory<O>, ops: readonly O[]): Promise<void> {
  const before = structuredClone(coverage);
  try {
    await runModelledHistory(history, ops);
  } finally {
    for (const [provider, rules] of Object.entries(coverage)) {
      for (const [rule, times] of Object.entries(rules)) {
        if (times > (before[provider]?.[rule] ?? 0)) (historiesReaching[provider] ??= {})[rule] = (historiesReaching[provider]?.[rule] ?? 0) + 1;
      }
    }
  }
}

const check = (settings: Settings, ops: readonly Op[]): Promise<void> => runHistory(new History(settings), ops);
const checkPaged = (settings: PagedSettings, ops: readonly PagedOp[]): Promise<void> => runHistory(new PagedHistory(settings), ops);

/**
 * The histories reached every rule named here, for each provider (with enough runs to make a miss
 * practically impossible: each is seen tens of times in 200 runs). A generator change that stops
 * reaching one would otherwise leave that rule untested without a sound.
 */
function expectExercised(rules: Partial<Record<string, string[]>>): void {
  if (RUNS < 100) return;
  for (const [provider, names] of Object.entries(rules)) {
    const missed = (names ?? []).filter((name) => !((historiesReaching[provider]?.[name] ?? 0) > 0));
    expect(missed, `${provider}: rules no history reached (histories reaching each: ${JSON.stringify(historiesReaching[provider])})`).toEqual([]);
  }
}

/** Runs a hand-picked history and requires the model to have noted each named rule in it. */
async function scenario(settings: PagedSettings, ops: readonly PagedOp[], rules: Partial<Record<PagedProvider, string[]>>): Promise<void> {
  const before = structuredClone(coverage);
  await checkPaged(settings, ops);
  for (const [provider, names] of Object.entries(rules)) {
    const missed = (names ?? []).filter((name) => !((coverage[provider]?.[name] ?? 0) > (before[provider]?.[name] ?? 0)));
    expect(missed, `${provider}: rules this scenario did not reach`).toEqual([]);
  }
}

type OpOf<K extends PagedOp['kind']> = Extract<PagedOp, { kind: K }>;
const pagedPoll = (overrides: Partial<OpOf<'poll'>> = {}): PagedOp => ({
  kind: 'poll',
  arrivalsWhilePaging: 0,
  lateWhilePagingS: 0,
  fault: 'none',
  failPage: 1,
  ...overrides,
});
const ghArrive = (count: number, overrides: Partial<OpOf<'gh-arrive'>> = {}): PagedOp => ({
  kind: 'gh-arrive',
  count,
  advanceS: 0,
  lateS: 0,
  code: 200,
  redelivery: false,
  event: 0,
  ...overrides,
});
const glArrive = (count: number, overrides: Partial<OpOf<'gl-arrive'>> = {}): PagedOp => ({ kind: 'gl-arrive', count, advanceS: 0, lateS: 0, status: '200', event: 0, ...overrides });
const svixArrive = (state: SvixState, count: number): PagedOp => ({ kind: 'svix-arrive', count, advanceS: 0, lateS: 0, state, code: 503, resend: false, event: 0 });
const svixFinish = (to: OpOf<'svix-finish'>['to'], count: number): PagedOp => ({ kind: 'svix-finish', count, pick: 0, to, code: 503 });

const quietPoll: Op = { kind: 'poll', arrivalsWhilePaging: 0, lateWhilePagingS: 0, fault: 'none', failPage: 1 };
const baanxSuccesses = (count: number): Op => ({
  kind: 'bx-arrive',
  count,
  advanceS: 0,
  lateS: 0,
  retry: false,
  pending: false,
  failed: false,
  code: null,
  giveUp: false,
  event: 0,
});

describe('counting rules against a reference model', () => {
  // Shrunk counterexamples, kept as they were found. Both were read-log.ts's Baanx gap rule asking
  // for more than "no known entry": a newest-seen time to compare with, and entries newer than it.
  describe('regressions', () => {
    it('Baanx: a full read after a read of the empty log records a gap', async () => {
      await check({ startFrom: 'now', pageSize: 1, maxPages: 2, limit: 3 }, [quietPoll, baanxSuccesses(3), quietPoll]);
    });

    it('Baanx: a full read of ties at the newest known createdAt, none of them known, records a gap', async () => {
      await check({ startFrom: 'backfill', pageSize: 1, maxPages: 2, limit: 3 }, [baanxSuccesses(1), quietPoll, baanxSuccesses(4), quietPoll]);
    });
  });

  // Hand-picked histories of the three newer providers, each reaching the rules named (the model
  // notes them) with the exporter matching the model after every step.
  describe('GitHub, GitLab and Svix scenarios', () => {
    const paged = (pageSize: number, maxPages = 50): PagedSourceSettings => ({ pageSize, maxPages });
    const backfill: PagedSettings = { startFrom: 'backfill', github: paged(2), gitlab: paged(2), svix: paged(2) };

    it('Svix: pending and sending attempts are held and counted once finished; a canceled one is let go without a gap', async () => {
      await scenario(
        backfill,
        [
          ...[svixArrive('pending', 3), svixArrive('sending', 1), svixArrive('canceled', 1), pagedPoll()],
          ...[svixFinish('success', 2), svixFinish('sending', 1), pagedPoll()],
          ...[svixFinish('fail', 1), svixFinish('canceled', 1), pagedPoll(), pagedPoll()],
        ],
        { svix: ['held', 'held, then counted', 'canceled attempt read', 'held attempt canceled', 'later page read'] },
      );
    });

    it('Svix: a held attempt that leaves the 90-day window of the first page is a gap', async () => {
      await scenario(backfill, [svixArrive('pending', 1), pagedPoll(), { kind: 'expire', provider: 'svix', pick: 0 }, svixArrive('success', 1), pagedPoll()], {
        svix: ['held', 'unfinished gone gap'],
      });
    });

    it('Svix: a read goes on below the lookback floor to an older attempt held as pending, and counts it once finished', async () => {
      await scenario(
        { ...backfill, svix: paged(1) },
        [
          ...[svixArrive('pending', 1), { kind: 'advance', seconds: 50 } as const, svixArrive('success', 1), pagedPoll()],
          ...[{ kind: 'advance', seconds: 350 } as const, svixArrive('success', 2), pagedPoll()],
          // The floor is now 100 s after the pending attempt: the page of the success at +50 s is
          // already below it, the pending attempt one page further down.
          ...[svixFinish('success', 1), pagedPoll()],
        ],
        { svix: ['held', 'held, then counted', 'later page read'] },
      );
    });

    it('Svix: a first read with startFrom now holds pending attempts and counts them when they finish', async () => {
      await scenario({ ...backfill, startFrom: 'now' }, [svixArrive('success', 2), svixArrive('pending', 2), pagedPoll(), svixFinish('fail', 2), pagedPoll()], {
        svix: ['marked, not counted', 'held', 'held, then counted'],
      });
    });

    it('GitHub: an unchanged first page answered 304 ends the read as a successful poll', async () => {
      await scenario(backfill, [ghArrive(1), pagedPoll(), pagedPoll(), ghArrive(1, { code: 503 }), pagedPoll(), pagedPoll()], {
        github: ['first page not modified', 'counted exhausted'],
      });
    });

    // With the ETag of a read that went past its first page, the 304 leaves this late delivery for
    // the first read whose first page has changed (the model notes it); a read in full would count
    // it at once. The model accepts either, so this pins only that it is counted once, when read.
    it('GitHub: a late delivery inside lookback below the first page is counted once, when a read reaches it', async () => {
      await scenario(backfill, [ghArrive(4), pagedPoll(), ghArrive(1, { lateS: 240 }), pagedPoll(), pagedPoll(), ghArrive(1), pagedPoll()], {
        github: ['later page read'],
      });
    });

    it('GitHub: after a read that failed on its second page the next read is not conditional on the failed read', async () => {
      await scenario(backfill, [ghArrive(3), pagedPoll(), ghArrive(3), pagedPoll({ fault: 'github', failPage: 2 }), pagedPoll(), pagedPoll()], {
        github: ['failed read', 'later page read'],
      });
    });

    it('GitHub and Svix: deliveries logged at the head while paging do not move the cursor; late ones below it are read', async () => {
      await scenario(
        backfill,
        [
          ...[ghArrive(5), svixArrive('success', 5), pagedPoll(), ghArrive(3), svixArrive('fail', 3)],
          ...[pagedPoll({ arrivalsWhilePaging: 3 }), pagedPoll({ arrivalsWhilePaging: 3, lateWhilePagingS: 90 }), pagedPoll()],
        ],
        { github: ['later page read'], svix: ['later page read'] },
      );
    });

    it('GitLab: ties on whole-second created_at shifting between pages, a late entry inside and one outside lookback', async () => {
      await scenario(
        backfill,
        [glArrive(2), pagedPoll(), glArrive(3), glArrive(1, { lateS: 240 }), glArrive(1, { lateS: 1800 }), pagedPoll({ arrivalsWhilePaging: 3 }), pagedPoll(), pagedPoll()],
        { gitlab: ['later page read', 'too late'] },
      );
    });

    it('GitHub, GitLab and Svix: a burst larger than maxPages pages is a gap; a restart with the state file counts nothing twice', async () => {
      const narrow: PagedSettings = { startFrom: 'backfill', github: paged(1, 2), gitlab: paged(1, 2), svix: paged(1, 2) };
      await scenario(
        narrow,
        [
          ...[ghArrive(1), glArrive(1), svixArrive('success', 1), pagedPoll()],
          ...[ghArrive(4), glArrive(4), svixArrive('success', 4), pagedPoll()],
          ...[{ kind: 'restart', keepState: true } as const, pagedPoll(), { kind: 'restart', keepState: false } as const, pagedPoll()],
        ],
        { github: ['page-limit gap'], gitlab: ['page-limit gap'], svix: ['page-limit gap'] },
      );
    });
  });

  it(
    'Salesfinity and Baanx: every delivery counter series and the gap counter match the model after every step',
    async () => {
      await fc.assert(
        fc.asyncProperty(settingsArb, fc.array(opArb, { minLength: 1, maxLength: 30, size: 'max' }), (settings, ops) => check(settings, ops)),
        { numRuns: RUNS },
      );
      // Rules the histories reach in at least ~12 of 200 runs (so a miss is a generator change, not
      // chance); rarer ones (e.g. Baanx "held, then counted") are pinned by the regressions above or in
      // counting.test.ts.
      expectExercised({
        salesfinity: ['later page read', 'page-limit gap', 'failed read', 'too late', 'marked, not counted', 'counted without a response'],
        baanx: ['held', 'full-read gap', 'unfinished gone gap', 'counted retry', 'counted exhausted', 'failed read', 'marked, not counted'],
      });
    },
    RUNS * 2_000,
  );

  it(
    'GitHub, GitLab and Svix: every delivery counter series and the gap counter match the model after every step',
    async () => {
      await fc.assert(
        fc.asyncProperty(pagedSettingsArb, fc.array(pagedOpArb, { minLength: 1, maxLength: 30, size: 'max' }), (settings, ops) => checkPaged(settings, ops)),
        { numRuns: RUNS },
      );
      // As above; the rarer Svix and GitHub rules are pinned by the scenarios.
      expectExercised({
        github: [
          'later page read',
          'page-limit gap',
          'failed read',
          'first page not modified',
          'marked, not counted',
          'counted retry',
          'counted exhausted',
          'counted without a response',
        ],
        gitlab: ['later page read', 'page-limit gap', 'failed read', 'too late', 'marked, not counted', 'counted exhausted', 'counted without a response'],
        svix: ['later page read', 'page-limit gap', 'failed read', 'marked, not counted', 'held', 'canceled attempt read', 'counted retry'],
      });
    },
    RUNS * 2_000,
  );
});
