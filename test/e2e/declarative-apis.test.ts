// The worked examples of `provider: http` (config/examples/hook0.yaml and hookdeck.yaml), loaded
// with the real config loader and run by a real exporter against small fakes of Hook0's and
// Hookdeck's APIs: each attempt counted once across pages, polls and restarts, pending rows counted
// when they finish, statuses, codes and retries as the descriptions map them.

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Exporter } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { findSamples, sampleValue, type Exposition } from '../helpers/exposition.js';
import { runCli } from '../helpers/cli.js';
import { harnessFor, type Harness } from '../helpers/harness.js';
import { Hook0Api, HookdeckApi, HOOK0_PAGE_SIZE, type Hook0Row, type HookdeckAttempt } from './helpers/declarative-apis.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'config', 'examples');
const TOKEN = 'declarative-test-token';

/** What each example names that a test must point elsewhere: the real service, the Secret, the volume. */
const EXAMPLE = {
  hook0: { file: 'hook0.yaml', baseUrl: 'https://app.hook0.com/api/v1', tokenFile: '/etc/webhook-log-exporter/secrets/hook0-token' },
  hookdeck: { file: 'hookdeck.yaml', baseUrl: 'https://api.hookdeck.com/2025-07-01', tokenFile: '/etc/webhook-log-exporter/secrets/hookdeck-api-key' },
} as const;
type ExampleName = keyof typeof EXAMPLE;
const STATE_FILE = '/var/lib/webhook-log-exporter/state.json';

// The webhook ids the examples configure.
const HOOK0_APP = '5f2d0d6e-8a5b-4a3c-9a57-1b6f3c0e9d21';
const HOOK0_SUB = '0b7c4e1a-3f6d-4b8e-a2c9-7e5d1f0a6b43';
const HOOK0_WEBHOOK = `${HOOK0_APP}/${HOOK0_SUB}`;
const HOOKDECK_WEBHOOK = 'tm_prod';

/**
 * The example as a file in a fresh folder, pointed at `baseUrl`, with its token in a file beside
 * it (a relative path, which the loader resolves against the config's folder) and its state there.
 */
async function exampleCopy(name: ExampleName, baseUrl: string, edit: (text: string) => string = (text) => text): Promise<string> {
  const { file, baseUrl: realUrl, tokenFile } = EXAMPLE[name];
  const dir = await mkdtemp(join(tmpdir(), `wle-${name}-`));
  const text = (await readFile(join(EXAMPLES, file), 'utf8'))
    .replace(`baseUrl: ${realUrl}`, `baseUrl: ${baseUrl}`)
    .replace(`tokenFile: ${tokenFile}`, 'tokenFile: api-token')
    .replace(`file: ${STATE_FILE}`, 'file: state.json');
  expect(text).toContain(`baseUrl: ${baseUrl}`);
  expect(text).toContain('tokenFile: api-token');
  expect(text).toContain('file: state.json');
  await writeFile(join(dir, 'api-token'), `${TOKEN}\n`);
  const copy = join(dir, file);
  await writeFile(copy, edit(text));
  return copy;
}

type Running = Harness;

const running: Exporter[] = [];
const fakes: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  for (const exporter of running.splice(0)) await exporter.stop();
  for (const fake of fakes.splice(0)) await fake.close();
});

async function startExporter(configFile: string): Promise<Running> {
  const run = await harnessFor(await loadConfig(configFile, {}));
  running.push(run.exporter);
  return run;
}

async function stopExporter(run: Running): Promise<void> {
  await run.exporter.stop();
  running.splice(running.indexOf(run.exporter), 1);
}

const gaps = (run: Running) => run.logs.filter((line) => String(line.msg).startsWith('possible gap'));
const metricTotal = (exposition: Exposition, name: string, match: Record<string, string> = {}) =>
  findSamples(exposition, name, match).reduce((sum, sample) => sum + sample.value, 0);

// ---- Hook0 rows ----

let serial = 0;
/** A UUID that sorts by creation order, as the ids in these tests need no more. */
const uuid = () => `00000000-0000-4000-8000-${(++serial).toString(16).padStart(12, '0')}`;
const iso = (ms: number) => new Date(ms).toISOString();
/** A few milliseconds, so that the next entry is created strictly later. */
const moment = () => new Promise((resolve) => setTimeout(resolve, 5));

/** A Hook0 attempt of the examples' subscription, created `msAgo` before now; open unless finished. */
function hook0Row(msAgo: number, change: Partial<Hook0Row> = {}): Hook0Row {
  const created = Date.now() - msAgo;
  return {
    request_attempt_id: uuid(),
    application_id: HOOK0_APP,
    subscription_id: HOOK0_SUB,
    event_id: uuid(),
    event_type_name: 'billing.invoice.paid',
    created_at: iso(created),
    retry_count: 0,
    ...change,
  };
}

/** Finished successfully, 200, a little after creation. */
const delivered = (msAgo: number, change: Partial<Hook0Row> = {}) =>
  hook0Row(msAgo, { picked_at: iso(Date.now() - msAgo + 5), succeeded_at: iso(Date.now() - msAgo + 40), http_response_status: 200, response_id: uuid(), ...change });

async function startHook0(): Promise<Hook0Api> {
  const api = await Hook0Api.start(TOKEN);
  fakes.push(api);
  return api;
}

// ---- Hookdeck attempts ----

/** A Hookdeck attempt created `msAgo` before now, SUCCESSFUL 200 unless changed. */
function hookdeckAttempt(msAgo: number, change: Partial<HookdeckAttempt> = {}): HookdeckAttempt {
  const created = iso(Date.now() - msAgo);
  const done = iso(Date.now() - msAgo + 120);
  return {
    id: `atm_${(++serial).toString(36).padStart(12, '0')}`,
    team_id: HOOKDECK_WEBHOOK,
    event_id: `evt_${serial.toString(36).padStart(12, '0')}`,
    destination_id: 'des_billing',
    response_status: 200,
    attempt_number: 1,
    trigger: 'INITIAL',
    error_code: null,
    requested_url: 'https://billing.example.com/hooks',
    http_method: 'POST',
    bulk_retry_id: null,
    status: 'SUCCESSFUL',
    successful_at: done,
    delivered_at: created,
    responded_at: done,
    delivery_latency: 120,
    response_latency: 120,
    updated_at: done,
    created_at: created,
    ...change,
  };
}

async function startHookdeck(): Promise<HookdeckApi> {
  const api = await HookdeckApi.start(TOKEN);
  fakes.push(api);
  return api;
}

describe('Hook0 (config/examples/hook0.yaml)', () => {
  it('counts every attempt once across pages and polls while new attempts arrive during paging', async () => {
    const api = await startHook0();
    api.append(delivered(290_000), delivered(289_000), delivered(288_000));
    const run = await startExporter(await exampleCopy('hook0', api.baseUrl));

    await run.poll(); // startFrom: now: what is already in the log is remembered, not counted
    expect(await run.deliveries()).toBe(0);

    // 120 attempts: with the 3 already read, pages of 50, 50 and 23, then the empty page Hook0 links after the last.
    for (let index = 0; index < 120; index++) api.append(delivered(250_000 - index * 2_000));
    let arrivals = 0;
    api.onList = (url) => {
      if (url.searchParams.has('pagination_cursor') && arrivals === 0) {
        arrivals = 3;
        api.append(delivered(300), delivered(200), delivered(100)); // at the head, while page 2 is asked for
      }
    };
    const before = api.requests.length;
    await run.poll();
    expect(arrivals).toBe(3);
    expect(await run.deliveries()).toBe(120);
    const pagesRead = api.requests.slice(before);
    expect(pagesRead).toHaveLength(Math.ceil(123 / HOOK0_PAGE_SIZE) + 1);
    expect(pagesRead[0]!.url.searchParams.get('application_id')).toBe(HOOK0_APP);
    // Every next page is the one Hook0's Link header named: same filters, a cursor.
    for (const page of pagesRead.slice(1)) {
      expect(page.url.searchParams.get('subscription_id')).toBe(HOOK0_SUB);
      expect(page.url.searchParams.get('pagination_cursor')).toBeTruthy();
    }

    api.onList = undefined;
    await run.poll();
    expect(await run.deliveries()).toBe(123);
    await run.poll();
    expect(await run.deliveries()).toBe(123);
    expect(await run.deliveries({ source: 'hook0', provider: 'http', webhook_id: HOOK0_WEBHOOK, event: 'billing.invoice.paid', status: 'success', http_status_code: '200' })).toBe(123);
    expect(gaps(run)).toEqual([]);
    expect(api.requests.every((request) => request.authorized)).toBe(true);
  });

  it('holds a row while it is waiting, pending or in progress, and counts it once when it turns final; retries from the 0-based retry_count', async () => {
    const api = await startHook0();
    const run = await startExporter(await exampleCopy('hook0', api.baseUrl));
    await run.poll(); // the first read, of an empty log

    // Created after the exporter started, so that the event's first attempt is known to be its first.
    await moment();
    const event = uuid();
    const first = hook0Row(1, { event_id: event }); // pending: created, not yet picked (Hook0 lists rows created before now)
    api.append(first);
    await run.poll();
    expect(await run.deliveries()).toBe(0);
    expect(sampleValue(await run.metrics(), 'webhook_deliveries_pending', { source: 'hook0' })).toBe(1);

    api.update(first.request_attempt_id, { picked_at: iso(Date.now()) }); // in_progress
    await run.poll();
    expect(await run.deliveries()).toBe(0);

    // It fails with 503; Hook0 adds the retry as a new row, waiting until it is due.
    api.update(first.request_attempt_id, { failed_at: iso(Date.now()), http_response_status: 503, response_id: uuid() });
    await moment();
    const retry = hook0Row(1, { event_id: event, retry_count: 1, delay_until: iso(Date.now() + 60_000) });
    api.append(retry);
    await run.poll();
    let metrics = await run.metrics();
    expect(await run.deliveries()).toBe(1);
    expect(sampleValue(metrics, 'webhook_deliveries_total', { status: 'failed', http_status_code: '503' })).toBe(1);
    expect(sampleValue(metrics, 'webhook_deliveries_pending', { source: 'hook0' })).toBe(1); // the waiting retry
    expect(metricTotal(metrics, 'webhook_delivery_retries_total')).toBe(0); // retry_count 0 is the first attempt

    // The retry comes due and succeeds.
    api.update(retry.request_attempt_id, { delay_until: iso(Date.now()), picked_at: iso(Date.now()), succeeded_at: iso(Date.now()), http_response_status: 200 });
    await run.poll();
    await run.poll();
    metrics = await run.metrics();
    expect(await run.deliveries()).toBe(2);
    expect(sampleValue(metrics, 'webhook_deliveries_total', { status: 'success', http_status_code: '200' })).toBe(1);
    expect(sampleValue(metrics, 'webhook_deliveries_pending', { source: 'hook0' })).toBe(0);
    expect(metricTotal(metrics, 'webhook_delivery_retries_total', { status: 'success' })).toBe(1); // retry_count 1: attempt 2
    // eventIds: the event took both attempts to deliver.
    expect(metricTotal(metrics, 'webhook_event_delivery_seconds_count', { source: 'hook0' })).toBe(1);
    expect(gaps(run)).toEqual([]);
  });

  it('reads a failure without an answer as http_status_code="none", and leaves exhausted out: a failed row does not say whether Hook0 retries', async () => {
    const api = await startHook0();
    const run = await startExporter(await exampleCopy('hook0', api.baseUrl));
    await run.poll();
    api.append(hook0Row(1_000, { picked_at: iso(Date.now() - 900), failed_at: iso(Date.now() - 800), http_response_status: null, response_id: uuid(), retry_count: 24 }));
    await run.poll();
    const metrics = await run.metrics();
    expect(sampleValue(metrics, 'webhook_deliveries_total', { status: 'failed', http_status_code: 'none' })).toBe(1);
    expect(metricTotal(metrics, 'webhook_delivery_retries_total')).toBe(1);
    expect(findSamples(metrics, 'webhook_deliveries_exhausted_total', { source: 'hook0' })).toEqual([]);
    expect(findSamples(metrics, 'webhook_delivery_duration_seconds_count', { source: 'hook0' })).toEqual([]); // no duration in the list
  });

  it('a restart with the state file counts only what arrived meanwhile', async () => {
    const api = await startHook0();
    const config = await exampleCopy('hook0', api.baseUrl);
    const first = await startExporter(config);
    await first.poll();
    for (let index = 0; index < 60; index++) api.append(delivered(120_000 - index * 1_000));
    await first.poll();
    expect(await first.deliveries()).toBe(60);
    await stopExporter(first); // writes state.json beside the config

    api.append(delivered(30_000), delivered(20_000));
    const second = await startExporter(config);
    await second.poll();
    expect(await second.deliveries()).toBe(2);
    await second.poll();
    expect(await second.deliveries()).toBe(2);
  });
});

describe('Hookdeck (config/examples/hookdeck.yaml)', () => {
  it('counts every attempt once across pages and polls while new attempts arrive during paging', async () => {
    const api = await startHookdeck();
    api.append(hookdeckAttempt(299_000));
    const run = await startExporter(await exampleCopy('hookdeck', api.baseUrl));
    await run.poll(); // startFrom: now
    expect(await run.deliveries()).toBe(0);

    // 600 attempts: pages of 255, 255 and 90 (the example's limit).
    for (let index = 0; index < 600; index++) api.append(hookdeckAttempt(280_000 - index * 400));
    let arrivals = 0;
    api.onList = (url) => {
      if (url.searchParams.has('next') && arrivals === 0) {
        arrivals = 2;
        api.append(hookdeckAttempt(200), hookdeckAttempt(100));
      }
    };
    const before = api.requests.length;
    await run.poll();
    expect(arrivals).toBe(2);
    expect(await run.deliveries()).toBe(600);
    const pagesRead = api.requests.slice(before);
    expect(pagesRead).toHaveLength(3); // the last page has no pagination.next
    for (const page of pagesRead) {
      expect(page.url.searchParams.get('limit')).toBe('255');
      expect(page.url.searchParams.get('order_by')).toBe('created_at');
      expect(page.url.searchParams.get('dir')).toBe('desc');
    }
    expect(pagesRead[0]!.url.searchParams.has('next')).toBe(false);
    expect(pagesRead[1]!.url.searchParams.get('next')).toBeTruthy();

    api.onList = undefined;
    await run.poll();
    expect(await run.deliveries()).toBe(602);
    await run.poll();
    expect(await run.deliveries()).toBe(602);
    expect(await run.deliveries({ source: 'hookdeck', provider: 'http', webhook_id: HOOKDECK_WEBHOOK, event: 'unknown', status: 'success', http_status_code: '200' })).toBe(602);
    expect(gaps(run)).toEqual([]);
    expect(api.requests.every((request) => request.authorized)).toBe(true);
  });

  it('holds a queued attempt and counts it once when it finishes; failures, codes, durations and retries from attempt_number', async () => {
    const api = await startHookdeck();
    const run = await startExporter(await exampleCopy('hookdeck', api.baseUrl));
    await run.poll();

    // Created after the exporter started, so that the event's first attempt is known to be its first.
    await moment();
    const event = 'evt_retried';
    const failed = hookdeckAttempt(0, { event_id: event, status: 'FAILED', response_status: 502, error_code: 'BAD_RESPONSE', successful_at: null, response_latency: 250 });
    await moment();
    const timedOut = hookdeckAttempt(0, { status: 'FAILED', response_status: null, error_code: 'TIMEOUT', successful_at: null, responded_at: null, response_latency: null });
    await moment();
    const queued = hookdeckAttempt(0, { event_id: event, attempt_number: 2, trigger: 'AUTOMATIC', status: 'QUEUED', response_status: null, successful_at: null, responded_at: null, response_latency: null });
    api.append(failed, timedOut, queued);
    await run.poll();
    let metrics = await run.metrics();
    expect(await run.deliveries()).toBe(2);
    expect(sampleValue(metrics, 'webhook_deliveries_total', { status: 'failed', http_status_code: '502' })).toBe(1);
    expect(sampleValue(metrics, 'webhook_deliveries_total', { status: 'failed', http_status_code: 'none' })).toBe(1);
    expect(sampleValue(metrics, 'webhook_deliveries_pending', { source: 'hookdeck' })).toBe(1);
    expect(metricTotal(metrics, 'webhook_delivery_retries_total')).toBe(0);

    await run.poll();
    expect(await run.deliveries()).toBe(2); // still queued: not counted

    api.update(queued.id, { status: 'SUCCESSFUL', response_status: 200, successful_at: iso(Date.now()), responded_at: iso(Date.now()), response_latency: 1_500 });
    await run.poll();
    await run.poll();
    metrics = await run.metrics();
    expect(await run.deliveries()).toBe(3);
    expect(sampleValue(metrics, 'webhook_deliveries_total', { status: 'success', http_status_code: '200' })).toBe(1);
    expect(sampleValue(metrics, 'webhook_deliveries_pending', { source: 'hookdeck' })).toBe(0);
    expect(metricTotal(metrics, 'webhook_delivery_retries_total', { status: 'success' })).toBe(1); // attempt_number 2
    // response_latency in ms: 0.25 s for the 502, 1.5 s for the success; none for the timeout.
    expect(metricTotal(metrics, 'webhook_delivery_duration_seconds_count')).toBe(2);
    expect(metricTotal(metrics, 'webhook_delivery_duration_seconds_sum')).toBeCloseTo(1.75, 6);
    expect(metricTotal(metrics, 'webhook_event_delivery_seconds_count', { source: 'hookdeck' })).toBe(1);
    expect(findSamples(metrics, 'webhook_deliveries_exhausted_total', { source: 'hookdeck' })).toEqual([]);
    expect(gaps(run)).toEqual([]);
  });

  it('a restart with the state file counts only what arrived meanwhile', async () => {
    const api = await startHookdeck();
    const config = await exampleCopy('hookdeck', api.baseUrl);
    const first = await startExporter(config);
    await first.poll();
    for (let index = 0; index < 300; index++) api.append(hookdeckAttempt(200_000 - index * 500));
    await first.poll();
    expect(await first.deliveries()).toBe(300);
    await stopExporter(first);

    api.append(hookdeckAttempt(20_000), hookdeckAttempt(10_000), hookdeckAttempt(5_000));
    const second = await startExporter(config);
    await second.poll();
    expect(await second.deliveries()).toBe(3);
    await second.poll();
    expect(await second.deliveries()).toBe(3);
  });
});

describe('a wrong credential', () => {
  it.each(Object.keys(EXAMPLE) as ExampleName[])('%s: the API answers 401, the poll is an error and nothing is counted', async (name) => {
    const api = name === 'hook0' ? await startHook0() : await startHookdeck();
    const config = await exampleCopy(name, api.baseUrl);
    await writeFile(join(dirname(config), 'api-token'), 'not-the-token\n');
    const run = await startExporter(config);
    await run.poll();
    const metrics = await run.metrics();
    expect(sampleValue(metrics, 'webhook_exporter_polls_total', { source: name, result: 'error' })).toBe(1);
    expect(sampleValue(metrics, 'webhook_exporter_api_requests_total', { source: name, code: '401' })).toBe(1);
    expect(api.requests.map((request) => request.authorized)).toEqual([false]);
  });
});

describe('check-config on the examples', () => {
  it.each(Object.keys(EXAMPLE) as ExampleName[])('%s: one line for the source, exit 0', async (name) => {
    const config = await exampleCopy(name, EXAMPLE[name].baseUrl);
    const result = await runCli(['check-config', '--config', config]);
    expect(result.code).toBe(0);
    const line = result.stdout.split('\n').find((text) => text.startsWith(`${name}: http at ${EXAMPLE[name].baseUrl}`));
    expect(line).toBeDefined();
    expect(line).toContain('1 webhook');
    expect(result.stdout).not.toContain(TOKEN);
  });

  it('a mistake in the description exits 2 naming its path', async () => {
    const config = await exampleCopy('hookdeck', EXAMPLE.hookdeck.baseUrl, (text) => text.replace('records: models', 'records: data..items'));
    const result = await runCli(['check-config', '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('sources[0].api.records');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
