import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answer } from './helpers/adapter.js';
import { createGitlabAdapter, nextPageNumber, parseGitlabWebhook } from '../../src/providers/gitlab/adapter.js';
import { gitlab } from '../../src/providers/gitlab/definition.js';
import { normalize } from '../../src/providers/gitlab/normalize.js';
import type { InvalidReason, ParsedPage, ProviderRequest } from '../../src/providers/types.js';

const testdata = (name: string): unknown => JSON.parse(readFileSync(new URL(`../testdata/gitlab/${name}`, import.meta.url), 'utf8'));
const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const WEBHOOK = 'project/7/1';
const BASE = 'https://gitlab.example.com/api/v4';
const adapter = createGitlabAdapter({ baseUrl: BASE, token: 'glpat-test-token', pageSize: 20, maxPages: 10 });

/** The documented samples list oldest first and leave `created_at` out; the API sends it, newest first. */
const CREATED_AT = ['2026-05-28T04:42:42-07:00', '2026-05-28T04:42:44-07:00'];
function documentedItems(): Array<Record<string, unknown>> {
  const items = testdata('project-hook-events.json') as Array<Record<string, unknown>>;
  return items.map((item, index) => ({ ...item, created_at: CREATED_AT[index] })).reverse();
}

function okPage(page: ParsedPage): Extract<ParsedPage, { ok: true }> {
  if (!page.ok) throw new Error(`expected a parsed page, got problem: ${page.problem}`);
  return page;
}

function withHeaders(headers: Record<string, string>, body: unknown, request: ProviderRequest = adapter.firstRequest(WEBHOOK)): ParsedPage {
  return adapter.parsePage({ request, status: 200, headers, body }, WEBHOOK);
}

describe('GitLab normaliser', () => {
  it('maps the documented sample field by field (newest first, as the API lists it)', () => {
    const page = okPage(answer(adapter, documentedItems(), WEBHOOK));
    expect(page.entryCount).toBe(2);
    expect(page.invalid).toEqual([]);
    expect(page.attempts).toEqual([
      {
        logId: '2',
        webhookId: WEBHOOK,
        eventType: 'push_hooks',
        eventId: '842d7c3e-3114-4396-8a95-66c084d53cb1',
        status: 'success',
        httpStatusCode: 200,
        durationSeconds: 1.0716120000000728,
        createdAtMs: Date.UTC(2026, 4, 28, 11, 42, 44),
        attemptNumber: undefined,
        nextRetryAtMs: null,
        requestUrl: 'https://example.net/',
        errorMessage: undefined,
      },
      {
        logId: '1',
        webhookId: WEBHOOK,
        eventType: 'push_hooks',
        eventId: '9cebe914-4827-408f-b014-cfa23a47a35f',
        status: 'success',
        httpStatusCode: 200,
        durationSeconds: 1.0906479999999874,
        createdAtMs: Date.UTC(2026, 4, 28, 11, 42, 42),
        attemptNumber: undefined,
        nextRetryAtMs: null,
        requestUrl: 'https://example.net/',
        errorMessage: undefined,
      },
    ]);
  });

  it('reads "internal error" as a failure without an HTTP status, and no retry follows (exhausted)', () => {
    const [item] = testdata('hook-event-internal-error.COMPOSED.json') as Array<Record<string, unknown>>;
    expect(normalize({ ...item, created_at: '2026-05-28T04:50:00+02:00' }, WEBHOOK)).toEqual({
      ok: true,
      attempt: {
        logId: '3',
        webhookId: WEBHOOK,
        eventType: 'push_hooks',
        eventId: '9cebe914-4827-408f-b014-cfa23a47a35f',
        status: 'failed',
        httpStatusCode: undefined,
        durationSeconds: 10.0012,
        createdAtMs: Date.UTC(2026, 4, 28, 2, 50),
        attemptNumber: undefined,
        nextRetryAtMs: null,
        requestUrl: 'https://example.net/',
        errorMessage: undefined,
      },
    });
  });

  it('rejects the documented example as it is: it has no created_at', () => {
    const page = okPage(answer(adapter, testdata('project-hook-events.json'), WEBHOOK));
    expect(page.attempts).toEqual([]);
    expect(page.invalid.map((entry) => entry.reason)).toEqual(['invalid_date', 'invalid_date']);
  });

  const valid = { id: 10, trigger: 'merge_request_hooks', response_status: '200', execution_duration: 0.3, created_at: '2026-05-28T04:42:42-07:00' };
  const status = (response_status: unknown) => normalize({ ...valid, response_status }, WEBHOOK);

  it.each([
    ['200', 'success', 200],
    ['204', 'success', 204],
    ['299', 'success', 299],
    ['199', 'failed', 199],
    ['301', 'failed', 301],
    ['404', 'failed', 404],
    ['500', 'failed', 500],
    ['internal error', 'failed', undefined],
    ['', 'failed', undefined],
    ['20', 'failed', undefined],
    ['2000', 'failed', undefined],
    [' 200', 'failed', undefined],
  ])('response_status %j → %s, http status %s', (value, expected, code) => {
    expect(status(value)).toMatchObject({ ok: true, attempt: { status: expected, httpStatusCode: code } });
  });

  it('reads X-Gitlab-Event-UUID in any case, and leaves the event id undefined without it', () => {
    const withHeader = (request_headers: unknown) => normalize({ ...valid, request_headers }, WEBHOOK);
    expect(withHeader({ 'x-gitlab-event-uuid': 'u-1' })).toMatchObject({ ok: true, attempt: { eventId: 'u-1' } });
    expect(withHeader({ 'X-GITLAB-EVENT-UUID': 'u-2' })).toMatchObject({ ok: true, attempt: { eventId: 'u-2' } });
    for (const headers of [undefined, null, {}, { 'X-Gitlab-Event-UUID': '' }, { 'X-Gitlab-Webhook-UUID': 'not-the-event' }]) {
      expect(withHeader(headers)).toMatchObject({ ok: true, attempt: { eventId: undefined } });
    }
  });

  it('falls back to the event type "unknown" and leaves a missing url and duration undefined', () => {
    for (const trigger of [undefined, null, '', 5]) {
      const result = normalize({ id: 11, response_status: '500', created_at: '2026-05-28T04:42:42Z', trigger }, WEBHOOK);
      expect(result).toMatchObject({ ok: true, attempt: { eventType: 'unknown', requestUrl: undefined, durationSeconds: undefined, status: 'failed' } });
    }
  });

  it('never copies the receiver secret, headers, query strings or bodies into the record', () => {
    const entry = {
      ...valid,
      url: 'https://hook:hunter2@partner.example/gitlab?token=s3cr3t#frag',
      request_headers: { 'X-Gitlab-Token': 'receiver-secret-xyz', 'X-Gitlab-Event-UUID': 'evt' },
      request_data: { password: 'payload-secret' },
      response_headers: { 'Set-Cookie': 'cookie-secret' },
      response_body: 'response-secret',
    };
    const result = normalize(entry, WEBHOOK);
    expect(result.ok && result.attempt.requestUrl).toBe('https://partner.example/gitlab');
    const serialised = JSON.stringify(result);
    for (const secret of ['hunter2', 's3cr3t', 'frag', 'receiver-secret-xyz', 'payload-secret', 'cookie-secret', 'response-secret']) {
      expect(serialised).not.toContain(secret);
    }
  });

  it('keeps the entry when the url cannot be parsed', () => {
    expect(normalize({ ...valid, url: 'not a url' }, WEBHOOK)).toMatchObject({ ok: true, attempt: { requestUrl: undefined } });
  });

  const badEntries: Array<[string, unknown, InvalidReason]> = [
    ['null', null, 'not_an_object'],
    ['an array', [valid], 'not_an_object'],
    ['a string', 'event', 'not_an_object'],
    ['no id', { ...valid, id: undefined }, 'missing_id'],
    ['a string id', { ...valid, id: '10' }, 'missing_id'],
    ['a fractional id', { ...valid, id: 1.5 }, 'missing_id'],
    ['a negative id', { ...valid, id: -1 }, 'missing_id'],
    ['no created_at', { ...valid, created_at: undefined }, 'invalid_date'],
    ['an unparseable created_at', { ...valid, created_at: 'yesterday' }, 'invalid_date'],
    ['an impossible created_at', { ...valid, created_at: '2026-02-30T10:00:00-07:00' }, 'invalid_date'],
    ['a numeric created_at', { ...valid, created_at: 1780000000000 }, 'invalid_date'],
    ['no response_status', { ...valid, response_status: undefined }, 'unknown_status'],
    ['a null response_status', { ...valid, response_status: null }, 'unknown_status'],
    ['a numeric response_status', { ...valid, response_status: 200 }, 'wrong_type'],
    ['a response_status of "000"', { ...valid, response_status: '000' }, 'wrong_type'],
    ['a response_status of "999"', { ...valid, response_status: '999' }, 'wrong_type'],
    ['execution_duration a string', { ...valid, execution_duration: '1.09' }, 'wrong_type'],
    ['a negative execution_duration', { ...valid, execution_duration: -0.1 }, 'wrong_type'],
    ['url an object', { ...valid, url: { href: 'https://x' } }, 'wrong_type'],
    ['request_headers a string', { ...valid, request_headers: 'X-Gitlab-Event-UUID: x' }, 'wrong_type'],
    ['an event UUID that is a number', { ...valid, request_headers: { 'X-Gitlab-Event-UUID': 42 } }, 'wrong_type'],
  ];
  it.each(badEntries)('rejects an entry with %s', (_name, entry, reason) => {
    expect(normalize(entry, WEBHOOK)).toEqual({ ok: false, reason });
  });
});

describe('GitLab adapter', () => {
  it('declares paging, capabilities and the settings operators change', () => {
    expect(adapter).toMatchObject({
      provider: 'gitlab',
      paging: { kind: 'paged', pageSize: 20, maxPages: 10 },
      // retries: every failure is final (GitLab does not retry), so exhausted counts each one.
      // eventIds: the event UUID links spans, but nothing says a resend keeps it: no time to delivery.
      capabilities: { retries: true, eventIds: false, unfinishedStates: false },
      hints: { credential: 'token (or tokenFile)', pageSize: { setting: 'pageSize', max: 20 }, pageLimit: 'maxPages' },
    });
  });

  it('builds the documented requests: page, per_page, PRIVATE-TOKEN, user agent', () => {
    const request = adapter.firstRequest(WEBHOOK);
    expect(request.url.href).toBe(`${BASE}/projects/7/hooks/1/events?page=1&per_page=20`);
    expect(request.headers).toEqual({
      accept: 'application/json',
      'user-agent': `webhook-log-exporter/${packageVersion}`,
      'private-token': 'glpat-test-token',
    });
    expect(adapter.firstRequest('group/77/88').url.href).toBe(`${BASE}/groups/77/hooks/88/events?page=1&per_page=20`);
  });

  it('URL-encodes a namespaced path as one segment, keeping the base URL path', () => {
    const small = createGitlabAdapter({ baseUrl: 'http://127.0.0.1:9/gitlab/', token: 't', pageSize: 5, maxPages: 2 });
    expect(small.firstRequest('project/acme/payments/56').url.href).toBe('http://127.0.0.1:9/gitlab/projects/acme%2Fpayments/hooks/56/events?page=1&per_page=5');
    expect(small.firstRequest('group/acme/platform.team/88').url.href).toBe('http://127.0.0.1:9/gitlab/groups/acme%2Fplatform.team/hooks/88/events?page=1&per_page=5');
  });

  it('follows x-next-page, with the same headers', () => {
    const third = adapter.firstRequest(WEBHOOK);
    third.url.searchParams.set('page', '3');
    const next = okPage(withHeaders({ 'x-next-page': '4', 'x-page': '3' }, [], third)).next;
    expect(next?.url.href).toBe(`${BASE}/projects/7/hooks/1/events?page=4&per_page=20`);
    expect(next?.headers).toEqual(third.headers);
  });

  it('stops at an empty x-next-page, even on a full page and with a Link rel="next"', () => {
    const full = Array.from({ length: 20 }, (_, i) => ({ id: i, response_status: '200', created_at: '2026-05-28T04:42:42Z' }));
    const link = `<${BASE}/projects/7/hooks/1/events?page=2&per_page=20>; rel="next"`;
    expect(okPage(withHeaders({ 'x-next-page': '', link }, full)).next).toBeUndefined();
  });

  it('falls back to the Link header, taking only its page number (the documented sample)', () => {
    const [linkLine] = readFileSync(new URL('../testdata/gitlab/pagination-headers.txt', import.meta.url), 'utf8').split('\n');
    const link = linkLine!.replace(/^link: /, '');
    expect(okPage(withHeaders({ link }, [])).next?.url.href).toBe(`${BASE}/projects/7/hooks/1/events?page=2&per_page=20`);
    const elsewhere = `<https://attacker.example/steal?page=5>; rel="next"`;
    expect(okPage(withHeaders({ link: elsewhere }, [])).next?.url.origin).toBe('https://gitlab.example.com');
    const lastOnly = `<${BASE}/projects/7/hooks/1/events?page=1&per_page=20>; rel="first", <${BASE}/projects/7/hooks/1/events?page=1&per_page=20>; rel="last"`;
    expect(okPage(withHeaders({ link: lastOnly }, Array.from({ length: 20 }, () => ({})))).next).toBeUndefined();
  });

  it('without paging headers, a full page suggests another', () => {
    expect(nextPageNumber({}, 2, true)).toBe(3);
    expect(nextPageNumber({}, 2, false)).toBeUndefined();
    expect(nextPageNumber({ 'x-next-page': 'soon' }, 2, true)).toBe(3); // unreadable: as if absent
    expect(nextPageNumber({ 'x-next-page': '2' }, 2, true)).toBeUndefined(); // never back or in place
    expect(nextPageNumber({ link: '<https://g.example/x?page=1>; rel="next"' }, 1, true)).toBeUndefined();
    expect(nextPageNumber({ link: '<https://g.example/x?page=4>; rel=next' }, 3, false)).toBe(4);
  });

  it.each([
    ['an object', { data: [] }],
    ['null', null],
    ['a string', 'Retry later'],
    ['a number', 3],
  ])('reports a body that is %s as a problem', (_name, body) => {
    expect(answer(adapter, body, WEBHOOK)).toEqual({ ok: false, problem: 'body is not a JSON array' });
  });

  it.each([
    [{ message: '401 Unauthorized' }, '401 Unauthorized'],
    [{ message: '404 Project Not Found' }, '404 Project Not Found'],
    [{ error: 'per_page does not have a valid value' }, 'per_page does not have a valid value'],
    ['Retry later', 'Retry later'],
    ['Retry later\n', 'Retry later'],
    [{ message: { url: ['is blocked'] } }, undefined],
    ['<html><body>502 Bad Gateway</body></html>', undefined],
    ['', undefined],
    [null, undefined],
    [[], undefined],
  ])('reads what the error body %j says', (body, said) => {
    expect(adapter.errorMessage?.(body)).toBe(said);
  });

  it('bounds an error text', () => {
    expect(adapter.errorMessage?.({ message: 'x'.repeat(5_000) })?.length).toBeLessThanOrEqual(501);
  });

  it('keeps the order of the page and one reason per bad entry', () => {
    const body = [valid(1), 'junk', { ...valid(2), id: undefined }, valid(3)];
    const page = okPage(answer(adapter, body, WEBHOOK));
    expect(page.attempts.map((attempt) => attempt.logId)).toEqual(['1', '3']);
    expect(page.invalid.map((entry) => entry.reason)).toEqual(['not_an_object', 'missing_id']);
    expect(page.entryCount).toBe(4);
  });

  it('captures bodies only when the source opts in, truncated', () => {
    const item = { ...valid(1), request_data: { object_kind: 'push', ref: 'refs/heads/main' }, response_body: '{"success":true}' };
    const plain = okPage(answer(adapter, [item], WEBHOOK)).attempts[0]!;
    expect(plain.requestBody).toBeUndefined();
    expect(plain.responseBody).toBeUndefined();
    const withBodies = createGitlabAdapter({ baseUrl: BASE, token: 't', pageSize: 20, maxPages: 1, bodyLimitBytes: 12 });
    const captured = okPage(answer(withBodies, [item, { ...valid(2), response_body: '' }], WEBHOOK)).attempts;
    expect(captured[0]).toMatchObject({ requestBody: '{"object_kin…', responseBody: '{"success":t…' });
    expect(captured[1]!.responseBody).toBeUndefined(); // "" means no response
  });
});

function valid(id: number) {
  return { id, trigger: 'push_hooks', response_status: '200', created_at: '2026-05-28T04:42:42-07:00' };
}

describe('GitLab webhook strings', () => {
  it.each([
    ['project/1234/56', { kind: 'project', id: '1234', hookId: '56' }],
    ['group/77/88', { kind: 'group', id: '77', hookId: '88' }],
    ['project/acme/payments/56', { kind: 'project', id: 'acme/payments', hookId: '56' }],
    ['project/acme/platform/payments-api/56', { kind: 'project', id: 'acme/platform/payments-api', hookId: '56' }],
    ['group/acme/88', { kind: 'group', id: 'acme', hookId: '88' }],
    ['group/acme/platform_team.x/88', { kind: 'group', id: 'acme/platform_team.x', hookId: '88' }],
  ])('%s is usable', (id, webhook) => {
    expect(gitlab.webhookIdProblem(id)).toBeUndefined();
    expect(parseGitlabWebhook(id)).toEqual({ ok: true, webhook });
  });

  it.each([
    ['1234/56', 'must start with "project/" or "group/"'],
    ['projects/1234/56', 'must start with "project/" or "group/"'],
    ['Project/1234/56', 'must start with "project/" or "group/"'],
    ['project/56', 'needs a project and a hook id'],
    ['group/77', 'needs a group and a hook id'],
    ['project/1234/hook', 'the hook id (the last part, "hook") must be a number'],
    ['project/acme/payments', 'the hook id (the last part, "payments") must be a number'],
    ['project/payments/56', 'a project path needs its namespace (project/NAMESPACE/payments/56)'],
    ['project/acme%2Fpayments/56', 'write a path with plain slashes, not URL-encoded'],
    ['project/acme~x/56', '"acme~x" is not a project id or path'],
  ])('%s: %s', (id, why) => {
    const problem = gitlab.webhookIdProblem(id);
    expect(problem).toContain(why);
    expect(problem).toContain('expected project/PROJECT_ID/HOOK_ID or group/GROUP_ID/HOOK_ID');
  });

  it('a stray bad id asks for a hook that cannot exist instead of throwing', () => {
    expect(adapter.firstRequest('nonsense').url.href).toBe(`${BASE}/projects/nonsense/hooks/0/events?page=1&per_page=20`);
  });
});

describe('GitLab definition', () => {
  const source = { provider: 'gitlab' as const, baseUrl: BASE, auth: { token: 'glpat-x', fromFile: true }, pageSize: 15, maxPages: 3 };

  it('builds the adapter from a configured source', () => {
    const built = gitlab.createAdapter(source, undefined);
    expect(built.paging).toEqual({ kind: 'paged', pageSize: 15, maxPages: 3 });
    expect(built.firstRequest('group/77/88').headers['private-token']).toBe('glpat-x');
    expect(gitlab.defaultBaseUrl).toBe('https://gitlab.com/api/v4');
  });

  it('describes the source for check-config without the secret', () => {
    expect(gitlab.describe(source)).toBe('token from file, pageSize 15, maxPages 3');
  });
});

describe('a next page that does not move on', () => {
  it('ends the read with a warning, the page still counted', async () => {
    const { createGitlabAdapter } = await import('../../src/providers/gitlab/adapter.js');
    const adapter = createGitlabAdapter({ baseUrl: 'https://gitlab.test/api/v4', token: 't', pageSize: 20, maxPages: 5 });
    const second = adapter.firstRequest('project/1/2');
    second.url.searchParams.set('page', '2');
    const parsed = adapter.parsePage({ request: second, status: 200, headers: { 'x-next-page': '2' }, body: [] }, 'project/1/2');
    expect(parsed).toMatchObject({ ok: true, next: undefined, warning: 'x-next-page (2) does not come after page 2' });
  });
});
