// The simulated GitLab API driven directly (it is not registered with the HTTP server yet), the real
// adapter reading it page after page, and every shape it answers checked against the schema written
// from GitLab's documented field list (test/testdata/gitlab/*.schema.json).

import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { createGitlabAdapter } from '../../src/providers/gitlab/adapter.js';
import type { DeliveryAttempt, ProviderAdapter, ProviderRequest } from '../../src/providers/types.js';
import { parseIsoTimestamp } from '../../src/providers/timestamp.js';
import {
  GITLAB_NOT_FOUND_BODY,
  GITLAB_RETRY_LATER_BODY,
  SIM_GITLAB_RECEIVER_SECRET,
  SIM_GITLAB_SECRETS,
  SIM_GITLAB_TOKEN,
  createGitlabApi,
  gitlabApi,
} from '../../src/simulator/gitlab-api.js';
import { SIM_GITLAB_RECEIVER_URL, gitlabEntry, gitlabInternalErrorEntry, gitlabTimestamp } from '../../src/simulator/gitlab-entries.js';
import type { ApiAnswer, ProviderApi } from '../../src/simulator/provider-api.js';
import { mulberry32 } from '../../src/simulator/random.js';
import { SIM_RECEIVER_TOKEN } from '../../src/simulator/secrets.js';

const testdata = (name: string): unknown => JSON.parse(readFileSync(new URL(`../testdata/gitlab/${name}`, import.meta.url), 'utf8'));

const NOW = Date.UTC(2026, 4, 28, 12, 30, 0);
const DAY_MS = 86_400_000;
const WEBHOOK = 'project/acme/payments/56';
const BASE = 'http://127.0.0.1:9/gitlab';
const eventsUrl = (query = '') => new URL(`${BASE}/projects/acme%2Fpayments/hooks/56/events${query}`);

/** `count` successful entries one minute apart ending at `endMs`, newest first, ids 1..count (oldest = 1). */
function series(count: number, endMs = NOW, seed = 1): ReturnType<typeof gitlabEntry>[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const atMs = endMs - i * 60_000;
    return gitlabEntry({ id: count - i }, { nowMs: atMs, random });
  });
}

function ask(api: ProviderApi, entries: readonly unknown[], query: Record<string, string> = {}, nowMs = NOW): ApiAnswer {
  const url = eventsUrl();
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return api.answer(entries, query, { url, nowMs });
}

const ids = (body: unknown) => (body as Array<{ id: number }>).map((entry) => entry.id);

describe('GitLab simulator: paths and auth', () => {
  it.each([
    ['/projects/1234/hooks/56/events', 'project/1234/56'],
    ['/groups/77/hooks/88/events', 'group/77/88'],
    ['/projects/acme%2Fpayments/hooks/56/events', 'project/acme/payments/56'],
    ['/groups/acme%2Fplatform/hooks/88/events/', 'group/acme/platform/88'],
  ])('%s names %s', (path, webhookId) => {
    expect(gitlabApi.webhookIdFromPath(path)).toBe(webhookId);
  });

  it.each([
    '/projects/acme/payments/hooks/56/events', // an unencoded path is another route: GitLab answers 404
    '/projects/1234/hooks/56',
    '/projects/1234/hooks/56/events/1',
    '/v1/webhooks/56/logs',
    '/users/1/hooks/2/events',
  ])('%s is not the events path', (path) => {
    expect(gitlabApi.webhookIdFromPath(path)).toBeUndefined();
  });

  it('throws on a malformed escape (the server answers 400)', () => {
    expect(() => gitlabApi.webhookIdFromPath('/projects/acme%2/hooks/56/events')).toThrow();
  });

  it('accepts PRIVATE-TOKEN or a bearer token, and answers the documented 401 body otherwise', () => {
    expect(gitlabApi.defaultSecret).toBe(SIM_GITLAB_TOKEN);
    expect(gitlabApi.isAuthorized({ 'private-token': SIM_GITLAB_TOKEN }, SIM_GITLAB_TOKEN)).toBe(true);
    expect(gitlabApi.isAuthorized({ authorization: `Bearer ${SIM_GITLAB_TOKEN}` }, SIM_GITLAB_TOKEN)).toBe(true);
    for (const headers of [{}, { 'private-token': 'wrong' }, { authorization: SIM_GITLAB_TOKEN }, { 'x-api-key': SIM_GITLAB_TOKEN }]) {
      expect(gitlabApi.isAuthorized(headers, SIM_GITLAB_TOKEN)).toBe(false);
    }
    expect(gitlabApi.unauthorizedBody).toEqual({ message: '401 Unauthorized' });
  });

  it('uses obviously fake secrets the security scan can look for', () => {
    expect(SIM_GITLAB_SECRETS).toEqual([SIM_GITLAB_TOKEN, SIM_GITLAB_RECEIVER_SECRET]);
    for (const secret of SIM_GITLAB_SECRETS) expect(secret).toMatch(/^sim-gitlab-/);
    expect(SIM_GITLAB_RECEIVER_SECRET).toMatch(/^sim-gitlab-receiver-secret-/);
    const entry = gitlabEntry({}, { nowMs: NOW, random: mulberry32(3) });
    expect(entry.request_headers['X-Gitlab-Token']).toBe(SIM_GITLAB_RECEIVER_SECRET);
    expect(entry.url).toBe(SIM_GITLAB_RECEIVER_URL);
    expect(entry.url).toContain(`?token=${SIM_RECEIVER_TOKEN}`);
  });
});

describe('GitLab simulator: query rules', () => {
  const log = series(45);

  it('answers 20 newest entries by default', () => {
    const { status, body } = ask(gitlabApi, log);
    expect(status).toBe(200);
    expect(ids(body)).toEqual(Array.from({ length: 20 }, (_, i) => 45 - i));
  });

  it.each([
    [{ per_page: '21' }, 'per_page does not have a valid value'],
    [{ per_page: '0' }, 'per_page does not have a valid value'],
    [{ per_page: 'ten' }, 'per_page is invalid'],
    [{ per_page: '-1' }, 'per_page is invalid'],
    [{ page: '0' }, 'page is invalid'],
    [{ page: 'next' }, 'page is invalid'],
    [{ status: 'failed' }, 'status does not have a valid value'],
    [{ status: '700' }, 'status does not have a valid value'],
  ])('%j → 400 {"error": %j}', (query, error) => {
    expect(ask(gitlabApi, log, query)).toMatchObject({ status: 400, body: { error } });
  });

  it('filters by status code or category', () => {
    const mixed = [
      gitlabEntry({ id: 4, response_status: '503' }, { nowMs: NOW }),
      gitlabInternalErrorEntry({ id: 3 }, { nowMs: NOW - 1_000 }),
      gitlabEntry({ id: 2, response_status: '404' }, { nowMs: NOW - 2_000 }),
      gitlabEntry({ id: 1 }, { nowMs: NOW - 3_000 }),
    ];
    expect(ids(ask(gitlabApi, mixed, { status: 'successful' }).body)).toEqual([1]);
    expect(ids(ask(gitlabApi, mixed, { status: 'client_failure' }).body)).toEqual([2]);
    expect(ids(ask(gitlabApi, mixed, { status: 'server_failure' }).body)).toEqual([4]);
    expect(ids(ask(gitlabApi, mixed, { status: '404' }).body)).toEqual([2]);
  });

  it('writes the documented paging headers', () => {
    const documented = readFileSync(new URL('../testdata/gitlab/pagination-headers.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(0, line.indexOf(':')));
    const five = series(5);
    const first = ask(gitlabApi, five, { page: '1', per_page: '2' });
    for (const name of documented) expect(first.headers).toHaveProperty(name);
    expect(first.headers).toMatchObject({ 'x-page': '1', 'x-per-page': '2', 'x-next-page': '2', 'x-prev-page': '', 'x-total': '5', 'x-total-pages': '3' });
    expect(first.headers?.link).toBe(
      `<${eventsUrl('?page=2&per_page=2').href}>; rel="next", <${eventsUrl('?page=1&per_page=2').href}>; rel="first", <${eventsUrl('?page=3&per_page=2').href}>; rel="last"`,
    );
    const last = ask(gitlabApi, five, { page: '3', per_page: '2' });
    expect(ids(last.body)).toEqual([1]);
    expect(last.headers).toMatchObject({ 'x-next-page': '', 'x-prev-page': '2' });
    expect(last.headers?.link).not.toContain('rel="next"');
    expect(ask(gitlabApi, five, { page: '9', per_page: '2' })).toMatchObject({ status: 200, body: [], headers: { 'x-next-page': '' } });
    expect(ask(gitlabApi, [], {})).toMatchObject({ status: 200, body: [], headers: { 'x-total': '0', 'x-total-pages': '1', 'x-next-page': '' } });
  });

  it('leaves out the totals and the last link above 10,000 entries', () => {
    const many = Array.from({ length: 10_001 }, (_, i) => ({ id: 10_001 - i, response_status: '200', created_at: new Date(NOW - i * 1_000).toISOString() }));
    const { headers } = ask(gitlabApi, many, { page: '1', per_page: '20' });
    expect(headers).not.toHaveProperty('x-total');
    expect(headers).not.toHaveProperty('x-total-pages');
    expect(headers).toMatchObject({ 'x-next-page': '2' });
    expect(headers?.link).not.toContain('rel="last"');
  });

  it('lists newest first by created_at, whatever order the log holds, with offsets', () => {
    const shuffled = [
      gitlabEntry({ id: 1, created_at: '2026-05-28T03:00:00-07:00' }), // 10:00Z
      gitlabEntry({ id: 3, created_at: '2026-05-28T13:00:00+02:00' }), // 11:00Z, newest
      gitlabEntry({ id: 2, created_at: '2026-05-28T10:30:00Z' }),
    ];
    expect(ids(ask(gitlabApi, shuffled).body)).toEqual([3, 2, 1]);
  });

  it('lists only the last 7 days, from the start of the day 7 days ago', () => {
    const startOfToday = Math.floor(NOW / DAY_MS) * DAY_MS;
    const cutoff = startOfToday - 7 * DAY_MS;
    const log = [
      gitlabEntry({ id: 3 }, { nowMs: NOW }),
      gitlabEntry({ id: 2, created_at: new Date(cutoff).toISOString() }),
      gitlabEntry({ id: 1, created_at: new Date(cutoff - 1_000).toISOString() }),
    ];
    expect(ids(ask(gitlabApi, log).body)).toEqual([3, 2]);
    expect(gitlabApi.retentionMs).toBeGreaterThanOrEqual(NOW - cutoff); // the store never drops what is still listed
  });
});

describe('GitLab simulator: rate limits', () => {
  it('reports the budget on every answer and answers 429 "Retry later" when it is spent', () => {
    const api = createGitlabApi({ requestsPerMinute: 2 });
    const log = series(3);
    const minuteStart = Math.floor(NOW / 60_000) * 60_000;
    const reset = String(minuteStart / 1000 + 60);
    expect(ask(api, log, {}, NOW).headers).toMatchObject({ 'ratelimit-remaining': '1', 'ratelimit-reset': reset, 'ratelimit-limit': '2' });
    expect(ask(api, log, { per_page: '99' }, NOW)).toMatchObject({ status: 400, headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': reset } });
    const limited = ask(api, log, {}, NOW + 15_000);
    expect(limited).toEqual({
      status: 429,
      body: GITLAB_RETRY_LATER_BODY,
      headers: expect.objectContaining({ 'retry-after': String(60 - ((NOW + 15_000 - minuteStart) / 1000)), 'ratelimit-remaining': '0', 'ratelimit-reset': reset }),
    });
    expect(limited.headers?.['content-type']).toMatch(/^text\/plain/);
    expect(ask(api, log, {}, minuteStart + 60_000).status).toBe(200); // a new minute, a new budget
  });
});

describe('GitLab simulator read by the real adapter', () => {
  const adapter = createGitlabAdapter({ baseUrl: BASE, token: SIM_GITLAB_TOKEN, pageSize: 5, maxPages: 50 });

  /** Reads every page as the poller's paging driver would; `between` runs after each page. */
  function readAll(log: unknown[], headersSeen: (headers: Record<string, string>) => Record<string, string> = (h) => h, between: (pageNumber: number) => void = () => {}) {
    const read: DeliveryAttempt[] = [];
    let request: ProviderRequest | undefined = adapter.firstRequest(WEBHOOK);
    let pages = 0;
    while (request !== undefined && pages < 50) {
      expect(request.headers['private-token']).toBe(SIM_GITLAB_TOKEN);
      expect(gitlabApi.webhookIdFromPath(request.url.pathname.replace(/^\/gitlab/, ''))).toBe(WEBHOOK);
      const reply = gitlabApi.answer(log, Object.fromEntries(request.url.searchParams), { url: request.url, nowMs: NOW });
      expect(reply.status).toBe(200);
      const page = parse(adapter, request, reply, headersSeen);
      read.push(...page.attempts);
      pages += 1;
      between(pages);
      request = page.next;
    }
    return { read, pages };
  }

  it('reads every entry, page after page, until x-next-page is empty', () => {
    const log = series(23);
    const { read, pages } = readAll(log);
    expect(pages).toBe(5);
    expect(read.map((attempt) => Number(attempt.logId))).toEqual(Array.from({ length: 23 }, (_, i) => 23 - i));
  });

  it('reads the same through the Link header alone', () => {
    const log = series(12);
    const withoutNextPage = ({ 'x-next-page': _dropped, ...rest }: Record<string, string>) => rest;
    const { read, pages } = readAll(log, withoutNextPage);
    expect(pages).toBe(3);
    expect(read.map((attempt) => attempt.logId)).toEqual(log.map((entry) => String(entry.id)));
  });

  it('counts each entry once while new deliveries arrive at the head between pages', () => {
    const log: unknown[] = series(17);
    const initial = new Set(log.map((entry) => String((entry as { id: number }).id)));
    let nextId = 100;
    const random = mulberry32(9);
    const { read } = readAll(log, undefined, () => {
      // Two deliveries land after each page: older entries shift two places down the list.
      for (let i = 0; i < 2; i++) log.unshift(gitlabEntry({ id: nextId++ }, { nowMs: NOW + nextId * 1_000, random }));
    });
    const counted = new Set(read.map((attempt) => attempt.logId));
    expect(read.length).toBeGreaterThan(counted.size); // shifted entries were read twice...
    expect(counted).toEqual(initial); // ...but each existing entry is counted once and none is skipped
    // The next read from page 1 finds what arrived meanwhile.
    const { read: again } = readAll(log);
    const fresh = again.filter((attempt) => !counted.has(attempt.logId)).map((attempt) => Number(attempt.logId));
    expect(new Set(fresh).size).toBe(nextId - 100);
  });

  it('turns generated traffic into attempts without any secret', () => {
    const random = mulberry32(5);
    const log = [
      gitlabEntry({ response_status: '503', response_body: 'Service Unavailable' }, { nowMs: NOW, random }),
      gitlabInternalErrorEntry({ trigger: 'merge_request_hooks', utcOffset: '+02:00' }, { nowMs: NOW - 1_000, random }),
      gitlabEntry({ trigger: 'pipeline_hooks', eventUuid: 'evt-1' }, { nowMs: NOW - 2_000, random }),
    ];
    const { read } = readAll(log);
    expect(read).toMatchObject([
      { status: 'failed', httpStatusCode: 503, eventType: 'push_hooks', nextRetryAtMs: null, createdAtMs: NOW },
      { status: 'failed', httpStatusCode: undefined, eventType: 'merge_request_hooks', durationSeconds: 10.0012, createdAtMs: NOW - 1_000 },
      { status: 'success', httpStatusCode: 200, eventType: 'pipeline_hooks', eventId: 'evt-1', requestUrl: 'https://hooks.partner.example/gitlab/events' },
    ]);
    const serialised = JSON.stringify(read);
    for (const secret of [...SIM_GITLAB_SECRETS, SIM_RECEIVER_TOKEN]) expect(serialised).not.toContain(secret);
  });

  it('writes created_at with an offset that reads back to the same instant', () => {
    expect(gitlabTimestamp(Date.UTC(2026, 4, 28, 11, 42, 42, 900), '-07:00')).toBe('2026-05-28T04:42:42-07:00');
    expect(gitlabTimestamp(Date.UTC(2026, 4, 28, 23, 30), '+02:00')).toBe('2026-05-29T01:30:00+02:00');
    for (const offset of ['-07:00', '+00:00', '+05:30']) {
      expect(parseIsoTimestamp(gitlabTimestamp(NOW, offset))).toBe(NOW);
    }
  });
});

function parse(adapter: ProviderAdapter, request: ProviderRequest, reply: ApiAnswer, headersSeen: (headers: Record<string, string>) => Record<string, string>) {
  const page = adapter.parsePage({ request, status: reply.status, headers: headersSeen(reply.headers ?? {}), body: reply.body }, WEBHOOK);
  if (!page.ok) throw new Error(page.problem);
  expect(page.invalid).toEqual([]);
  return page;
}

describe('GitLab simulator against the documented schema', () => {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats.default(ajv);
  ajv.addSchema(testdata('hook-event.schema.json') as object);
  const validateItems = ajv.compile({ type: 'array', items: { $ref: 'hook-event.schema.json' } });
  const validateError = ajv.compile(testdata('errors.schema.json') as object);
  const itemsProblems = (body: unknown) => (validateItems(body) ? [] : validateItems.errors);

  it('accepts the documented samples', () => {
    expect(itemsProblems(testdata('project-hook-events.json'))).toEqual([]);
    expect(itemsProblems(testdata('hook-event-internal-error.COMPOSED.json'))).toEqual([]);
  });

  it('is strict enough to catch a wrong shape', () => {
    const [item] = testdata('project-hook-events.json') as Array<Record<string, unknown>>;
    for (const bad of [
      { ...item, response_status: 200 },
      { ...item, id: '1' },
      { ...item, created_at: '2026-05-28 04:42:42' },
      { ...item, created_at: '2026-05-28T04:42:42' }, // date-time needs an offset
      { ...item, execution_duration: '1.09' },
      { ...item, request_headers: { 'X-Gitlab-Token': 1 } },
      { ...item, invented: true },
      Object.fromEntries(Object.entries(item!).filter(([name]) => name !== 'trigger')),
    ]) {
      expect(validateItems([bad])).toBe(false);
    }
  });

  it('validates every 200 the simulator produces: full, partial and empty pages of every entry kind', () => {
    const random = mulberry32(11);
    const log = [
      gitlabEntry({}, { nowMs: NOW, random }),
      gitlabEntry({ trigger: 'merge_request_hooks', response_status: '500', response_body: 'oops' }, { nowMs: NOW - 1_000, random }),
      gitlabInternalErrorEntry({ trigger: 'tag_push_hooks', utcOffset: '+05:30' }, { nowMs: NOW - 2_000, random }),
      gitlabEntry({ trigger: 'note_hooks', response_status: '404' }, { nowMs: NOW - 3_000, random }),
      ...series(30, NOW - 10_000, 12),
    ];
    const answers = [
      ask(gitlabApi, log),
      ask(gitlabApi, log, { page: '2', per_page: '20' }),
      ask(gitlabApi, log, { page: '3', per_page: '20' }),
      ask(gitlabApi, log, { status: 'server_failure' }),
      ask(gitlabApi, []),
    ];
    for (const reply of answers) {
      expect(reply.status).toBe(200);
      expect(itemsProblems(reply.body)).toEqual([]);
      // Stricter than the documentation's example: the live API sends created_at, and so does the simulator.
      for (const item of reply.body as Array<Record<string, unknown>>) expect(item).toHaveProperty('created_at');
    }
    expect(answers.map((reply) => (reply.body as unknown[]).length)).toEqual([20, 14, 0, 1, 0]);
  });

  it('validates every error body it produces, and its wrong-shape body is not a valid page', () => {
    const errors = [
      gitlabApi.unauthorizedBody,
      GITLAB_NOT_FOUND_BODY,
      ask(gitlabApi, [], { per_page: '21' }).body,
      ask(gitlabApi, [], { per_page: 'x' }).body,
      ask(gitlabApi, [], { page: '0' }).body,
      ask(gitlabApi, [], { status: 'nope' }).body,
    ];
    for (const body of errors) expect(validateError(body) ? [] : validateError.errors).toEqual([]);
    expect(ask(gitlabApi, [], { per_page: '21' }).body).toEqual({ error: 'per_page does not have a valid value' });
    // The 429 is plain text, as documented, not JSON.
    expect(GITLAB_RETRY_LATER_BODY).toBe('Retry later');
    expect(validateItems(gitlabApi.wrongShapeBody)).toBe(false);
    expect(validateError(gitlabApi.wrongShapeBody)).toBe(false);
  });
});
