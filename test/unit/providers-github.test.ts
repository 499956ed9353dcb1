// The GitHub adapter on GitHub's documented samples: the normaliser field by field against the
// mapping table, every invalid reason, the requests it builds for the three kinds of webhook,
// Link-header paging, wrong-shaped bodies and the definition's webhook and credential rules.

import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answer } from './helpers/adapter.js';
import { createGithubAdapter, deliveriesUrl, nextPageUrl, parseLinkHeader, type GithubParsedPage } from '../../src/providers/github/adapter.js';
import { github, githubCredentialProblem, githubWebhookIdProblem, type GithubSource } from '../../src/providers/github/definition.js';
import { MAX_ERROR_TEXT_BYTES, normalize } from '../../src/providers/github/normalize.js';
import type { InvalidReason, ParsedPage, ProviderAdapter, ProviderRequest } from '../../src/providers/types.js';

const testdata = (name: string): string => readFileSync(new URL(`../testdata/github/${name}`, import.meta.url), 'utf8');
const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const REPO_HOOK = 'octocat/Hello-World/12345678';
const ORG_HOOK = 'acme/98765432';
const BASE = 'https://api.github.com';
const T0 = Date.UTC(2026, 4, 28, 12, 0, 0);

const appKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const tokenAdapter = createGithubAdapter({ baseUrl: BASE, token: 'ghp-test-token', pageSize: 2, maxPages: 5 });

function okPage(page: ParsedPage): Extract<ParsedPage, { ok: true }> & { warning?: string } {
  if (!page.ok) throw new Error(`expected a parsed page, got problem: ${page.problem}`);
  return page;
}

/** The adapter's answer to a 200 with these headers. */
function withHeaders(adapter: ProviderAdapter, body: unknown, headers: Record<string, string>, webhookId = REPO_HOOK, request: ProviderRequest = adapter.firstRequest(webhookId)): GithubParsedPage {
  return adapter.parsePage({ request, status: 200, headers, body }, webhookId);
}

describe('GitHub normaliser', () => {
  it('maps the documented list sample field by field (the spec lists it oldest first)', () => {
    const page = okPage(answer(tokenAdapter, JSON.parse(testdata('repo-hook-deliveries.json')), REPO_HOOK));
    expect(page.entryCount).toBe(2);
    expect(page.invalid).toEqual([]);
    expect(page.next).toBeUndefined(); // no Link header
    expect(page.attempts).toEqual([
      {
        logId: '12345678',
        webhookId: REPO_HOOK,
        eventType: 'issues',
        eventId: '0b989ba4-242f-11e5-81e1-c7b6966d2516',
        status: 'success',
        httpStatusCode: 200,
        durationSeconds: 0.27,
        createdAtMs: Date.UTC(2019, 5, 3, 0, 57, 16),
        attemptNumber: 1,
        nextRetryAtMs: null,
        requestUrl: undefined,
        errorMessage: undefined,
      },
      {
        logId: '123456789',
        webhookId: REPO_HOOK,
        eventType: 'issues',
        eventId: '0b989ba4-242f-11e5-81e1-c7b6966d2516', // the redelivery shares the event's guid
        status: 'success',
        httpStatusCode: 200,
        durationSeconds: 0.28,
        createdAtMs: Date.UTC(2019, 5, 4, 0, 57, 16),
        attemptNumber: 2, // a redelivery: counted in webhook_delivery_retries_total
        nextRetryAtMs: null,
        requestUrl: undefined,
        errorMessage: undefined,
      },
    ]);
  });

  it('reads the single-delivery sample too, keeping only the sanitised receiver URL', () => {
    const result = normalize(JSON.parse(testdata('hook-delivery.json')), REPO_HOOK);
    expect(result).toEqual({ ok: true, attempt: expect.objectContaining({ logId: '12345678', status: 'success', requestUrl: 'https://www.example.com/' }) });
    const serialised = JSON.stringify(result);
    for (const secret of ['X-Hub-Signature', '6dcb09b5b57875f334f61aebed695e2e4193db5e', 'foo']) expect(serialised).not.toContain(secret);
  });

  const delivery = {
    id: 7001,
    guid: 'c0ffee00-0000-11f0-8000-000000000001',
    delivered_at: '2026-05-28T12:00:00Z',
    redelivery: false,
    duration: 1.5,
    status: 'OK',
    status_code: 200,
    event: 'push',
    action: null,
    installation_id: null,
    repository_id: 456,
  };

  it.each([
    ['2xx is success', { status_code: 204 }, { status: 'success', httpStatusCode: 204, errorMessage: undefined }],
    ['a 503 fails with its status text', { status: 'Invalid HTTP Response: 503', status_code: 503 }, { status: 'failed', httpStatusCode: 503, errorMessage: 'Invalid HTTP Response: 503' }],
    ['a redirect is not a success', { status: 'Invalid HTTP Response: 302', status_code: 302 }, { status: 'failed', httpStatusCode: 302 }],
    ['status_code 0 is no response: http code none', { status: 'timed out', status_code: 0, duration: 10 }, { status: 'failed', httpStatusCode: undefined, errorMessage: 'timed out', durationSeconds: 10 }],
    ['a connect failure', { status: 'failed to connect to host', status_code: 0 }, { status: 'failed', httpStatusCode: undefined, errorMessage: 'failed to connect to host' }],
    ['success is the status code, whatever the text', { status: 'accepted', status_code: 202 }, { status: 'success', errorMessage: 'accepted' }],
    ['a redelivery is attempt 2', { redelivery: true }, { attemptNumber: 2 }],
    ['no redelivery flag: attempt unknown', { redelivery: undefined }, { attemptNumber: undefined }],
    ['no duration', { duration: null }, { durationSeconds: undefined }],
    ['no event: "unknown"', { event: undefined }, { eventType: 'unknown' }],
    ['an empty guid is no event id', { guid: '' }, { eventId: undefined }],
    ['an empty status text is no error', { status: '', status_code: 500 }, { status: 'failed', errorMessage: undefined }],
    ['a zone offset', { delivered_at: '2026-05-28T14:00:00+02:00' }, { createdAtMs: T0 }],
  ])('%s', (_name, fields, expected) => {
    const result = normalize({ ...delivery, ...fields }, REPO_HOOK);
    expect(result).toEqual({ ok: true, attempt: expect.objectContaining({ ...expected, nextRetryAtMs: null }) });
  });

  it('never schedules a retry: every failure is exhausted', () => {
    for (const status_code of [0, 404, 500, 503]) {
      const result = normalize({ ...delivery, status_code, status: 'x' }, REPO_HOOK);
      expect(result.ok && [result.attempt.status, result.attempt.nextRetryAtMs]).toEqual(['failed', null]);
    }
  });

  it('truncates the error text and cuts query strings and credentials out of URLs in it', () => {
    const long = normalize({ ...delivery, status_code: 500, status: 'é'.repeat(1000) }, REPO_HOOK);
    const message = long.ok ? long.attempt.errorMessage! : '';
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(MAX_ERROR_TEXT_BYTES + 3);
    expect(message.endsWith('…')).toBe(true);
    const withUrl = normalize({ ...delivery, status_code: 0, status: 'failed to connect to https://u:pw@hooks.example/x?token=s3cr3t#f now' }, REPO_HOOK);
    expect(withUrl.ok && withUrl.attempt.errorMessage).toBe('failed to connect to https://hooks.example/x now');
  });

  const badEntries: Array<[string, unknown, InvalidReason]> = [
    ['null', null, 'not_an_object'],
    ['an array', [delivery], 'not_an_object'],
    ['a string', 'delivery', 'not_an_object'],
    ['no id', { ...delivery, id: undefined }, 'missing_id'],
    ['a string id', { ...delivery, id: '7001' }, 'missing_id'],
    ['a fractional id', { ...delivery, id: 70.5 }, 'missing_id'],
    ['a negative id', { ...delivery, id: -1 }, 'missing_id'],
    ['an id past 2^53 (digits lost)', { ...delivery, id: 2 ** 53 + 2 }, 'missing_id'],
    ['no delivered_at', { ...delivery, delivered_at: undefined }, 'invalid_date'],
    ['an unparseable delivered_at', { ...delivery, delivered_at: 'yesterday' }, 'invalid_date'],
    ['a numeric delivered_at', { ...delivery, delivered_at: 1_780_000_000 }, 'invalid_date'],
    ['no status_code', { ...delivery, status_code: undefined }, 'unknown_status'],
    ['a null status_code', { ...delivery, status_code: null }, 'unknown_status'],
    ['status_code a string', { ...delivery, status_code: '200' }, 'wrong_type'],
    ['status_code 42', { ...delivery, status_code: 42 }, 'wrong_type'],
    ['status_code 600', { ...delivery, status_code: 600 }, 'wrong_type'],
    ['status_code -1', { ...delivery, status_code: -1 }, 'wrong_type'],
    ['duration a string', { ...delivery, duration: '0.27' }, 'wrong_type'],
    ['a negative duration', { ...delivery, duration: -0.1 }, 'wrong_type'],
    ['redelivery "true"', { ...delivery, redelivery: 'true' }, 'wrong_type'],
    ['guid a number', { ...delivery, guid: 42 }, 'wrong_type'],
    ['status an object', { ...delivery, status: { text: 'OK' } }, 'wrong_type'],
  ];
  it.each(badEntries)('rejects an entry with %s', (_name, entry, reason) => {
    expect(normalize(entry, REPO_HOOK)).toEqual({ ok: false, reason });
  });

  it('keeps the page order and one reason per bad entry', () => {
    const page = okPage(answer(tokenAdapter, [delivery, { ...delivery, id: null }, { ...delivery, id: 7000 }, 3], REPO_HOOK));
    expect(page.attempts.map((attempt) => attempt.logId)).toEqual(['7001', '7000']);
    expect(page.invalid.map((entry) => entry.reason)).toEqual(['missing_id', 'not_an_object']);
    expect(page.entryCount).toBe(4);
  });
});

describe('GitHub adapter requests', () => {
  it('declares paging, capabilities and the settings its messages name', () => {
    expect(tokenAdapter).toMatchObject({
      provider: 'github',
      paging: { kind: 'paged', pageSize: 2, maxPages: 5 },
      capabilities: { retries: true, eventIds: true, unfinishedStates: false },
      hints: { credential: 'token (or tokenFile), or for "app" an appId and privateKeyFile', pageSize: { setting: 'pageSize', max: 100 }, pageLimit: 'maxPages' },
    });
  });

  it.each([
    [REPO_HOOK, 'https://api.github.com/repos/octocat/Hello-World/hooks/12345678/deliveries?per_page=2'],
    [ORG_HOOK, 'https://api.github.com/orgs/acme/hooks/98765432/deliveries?per_page=2'],
    ['app', 'https://api.github.com/app/hook/deliveries?per_page=2'],
  ])('asks for %s at its endpoint, newest first, per_page only', (webhookId, href) => {
    expect(tokenAdapter.firstRequest(webhookId).url.href).toBe(href);
  });

  it('keeps an Enterprise Server path prefix and escapes each segment', () => {
    expect(deliveriesUrl('https://ghe.example/api/v3/', 'my.org/repo_1/5', 100).href).toBe('https://ghe.example/api/v3/repos/my.org/repo_1/hooks/5/deliveries?per_page=100');
    expect(deliveriesUrl('http://127.0.0.1:9/github', 'a b/7', 1).href).toBe('http://127.0.0.1:9/github/orgs/a%20b/hooks/7/deliveries?per_page=1');
  });

  it('sends the token, the media type, the API version and the user agent', () => {
    expect(tokenAdapter.firstRequest(REPO_HOOK).headers).toEqual({
      authorization: 'Bearer ghp-test-token',
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': `webhook-log-exporter/${packageVersion}`,
    });
  });

  it('sends the App JWT for "app" only, and never the token there', () => {
    const adapter = createGithubAdapter({ baseUrl: BASE, token: 'ghp-test-token', app: { appId: 99, privateKeyPem: appKey }, pageSize: 100, maxPages: 1, now: () => T0 });
    const appAuth = adapter.firstRequest('app').headers.authorization!;
    expect(appAuth).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = JSON.parse(Buffer.from(appAuth.split('.')[1]!, 'base64url').toString()) as Record<string, number>;
    expect(claims).toEqual({ iss: 99, iat: T0 / 1000 - 60, exp: T0 / 1000 + 540 });
    expect(adapter.firstRequest(ORG_HOOK).headers.authorization).toBe('Bearer ghp-test-token');
    expect(adapter.hints.credential).toBe('token (or tokenFile) for repository and organization hooks, appId and privateKeyFile for "app"');
  });

  it('sends no credential where the source has none for that webhook (GitHub answers 401; the hint names the fix)', () => {
    expect(tokenAdapter.firstRequest('app').headers.authorization).toBeUndefined();
    const appOnly = createGithubAdapter({ baseUrl: BASE, app: { appId: 99, privateKeyPem: appKey }, pageSize: 100, maxPages: 1 });
    expect(appOnly.firstRequest(REPO_HOOK).headers.authorization).toBeUndefined();
    expect(appOnly.hints.credential).toBe('appId and privateKeyFile, or for repository and organization hooks a token (or tokenFile)');
    const badKey = createGithubAdapter({ baseUrl: BASE, app: { appId: 99, privateKeyPem: 'not a key' }, pageSize: 100, maxPages: 1 });
    expect(badKey.firstRequest('app').headers.authorization).toBeUndefined();
  });

  it('renews the JWT on the next page once it nears expiry', () => {
    let now = T0;
    const adapter = createGithubAdapter({ baseUrl: BASE, app: { appId: 99, privateKeyPem: appKey }, pageSize: 1, maxPages: 9, now: () => now });
    const first = adapter.firstRequest('app');
    now += 8 * 60_000; // 60 s left of the 540 s the token had from its start
    const link = `<${BASE}/app/hook/deliveries?per_page=1&cursor=v1_1>; rel="next"`;
    expect(okPage(withHeaders(adapter, [], { link }, 'app', first)).next?.headers.authorization).toBe(first.headers.authorization);
    now += 1_000;
    const renewed = okPage(withHeaders(adapter, [], { link }, 'app', first)).next!;
    expect(renewed.headers.authorization).not.toBe(first.headers.authorization);
  });
});

describe('GitHub paging', () => {
  const [linkLine] = testdata('link-header.txt').split('\n');
  const documentedLink = linkLine!.replace(/^link:\s*/i, '');

  it('follows the documented Link header as given, cursor untouched, with fresh headers', () => {
    const first = tokenAdapter.firstRequest(REPO_HOOK);
    const page = withHeaders(tokenAdapter, [], { link: documentedLink }, REPO_HOOK, first);
    expect(okPage(page).next?.url.href).toBe('https://api.github.com/repos/octocat/Hello-World/hooks/12345678/deliveries?per_page=2&cursor=v1_12345678');
    expect(okPage(page).next?.headers).toEqual(first.headers);
    expect(okPage(page).warning).toBeUndefined();
  });

  it('ends the read when there is no Link header or no rel="next"', () => {
    expect(okPage(withHeaders(tokenAdapter, [], {})).next).toBeUndefined();
    const onlyPrev = `<${BASE}/repos/octocat/Hello-World/hooks/12345678/deliveries?cursor=v1_9>; rel="prev"`;
    const page = okPage(withHeaders(tokenAdapter, [], { link: onlyPrev }));
    expect([page.next, page.warning]).toEqual([undefined, undefined]);
  });

  it.each([
    ['several links, relation lists and odd spacing', `<${BASE}/x?cursor=v1_1>;rel="prev first" ,  <${BASE}/x?cursor=v1_2> ; REL = "last NEXT"`, `${BASE}/x?cursor=v1_2`],
    ['a comma inside a quoted parameter', `<${BASE}/x?a=1>; title="a, b"; rel=next`, `${BASE}/x?a=1`],
    ['a relative reference', '</repos/o/r/hooks/1/deliveries?cursor=v1_3>; rel="next"', `${BASE}/repos/o/r/hooks/1/deliveries?cursor=v1_3`],
    ['the first rel of a link winning', `<${BASE}/y?c=1>; rel="next"; rel="prev"`, `${BASE}/y?c=1`],
    ['an escaped quote', `<${BASE}/z?c=2>; title="say \\"hi\\""; rel="next"`, `${BASE}/z?c=2`],
  ])('reads %s', (_name, link, href) => {
    const page = okPage(withHeaders(tokenAdapter, [], { link }));
    expect([page.next?.url.href, page.warning]).toEqual([href, undefined]);
  });

  it.each([
    ['no angle brackets', `${BASE}/x?cursor=v1_2; rel="next"`, 'malformed Link header'],
    ['an unclosed "<"', `<${BASE}/x?cursor=v1_2; rel="next"`, 'malformed Link header'],
    ['an unterminated quote', `<${BASE}/x>; rel="next`, 'malformed Link header'],
    ['junk between links', `<${BASE}/x>; rel="next" junk`, 'malformed Link header'],
    ['a parameter without a value', `<${BASE}/x>; rel=`, 'malformed Link header'],
    ['two different next links', `<${BASE}/x?c=1>; rel="next", <${BASE}/x?c=2>; rel="next"`, 'several different rel="next"'],
    ['a next link to another host', '<https://evil.example/repos/o/r/hooks/1/deliveries?cursor=v1_2>; rel="next"', 'another origin'],
    ['a next link to another scheme', `<${BASE.replace('https', 'http')}/x?c=1>; rel="next"`, 'another origin'],
    ['a next link to another port', '<https://api.github.com:8443/x?c=1>; rel="next"', 'another origin'],
    ['a next link to the page just read', `<${BASE}/repos/octocat/Hello-World/hooks/12345678/deliveries?per_page=2>; rel="next"`, 'the page just read'],
    ['a next link that is no URL', '<http://[::1>; rel="next"', 'not a URL'],
  ])('does not follow %s, and says why', (_name, link, problem) => {
    const page = okPage(withHeaders(tokenAdapter, [{ ...{ id: 1, delivered_at: '2026-05-28T12:00:00Z', status_code: 200 } }], { link }));
    expect(page.next).toBeUndefined();
    expect(page.attempts).toHaveLength(1); // the page itself still counts
    expect(page.warning).toContain(problem);
    expect(page.warning).not.toContain('token');
  });

  it('parses RFC 8288 parameters into lower-cased names, first occurrence kept', () => {
    expect(parseLinkHeader('<a>; Rel=next; rel=prev; type="text/html", , <b>')).toEqual({
      links: [
        { target: 'a', params: new Map([['rel', 'next'], ['type', 'text/html']]) },
        { target: 'b', params: new Map() },
      ],
    });
    expect(nextPageUrl('   ', new URL(`${BASE}/x`), BASE)).toEqual({});
  });

  it.each([
    ['a JSON object', { total_count: 1, deliveries: [] }],
    ['null', null],
    ['a string', '<html>'],
    ['an error body', { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }],
  ])('reports a body that is %s as a problem', (_name, body) => {
    expect(answer(tokenAdapter, body, REPO_HOOK)).toEqual({ ok: false, problem: 'body is not a JSON array' });
  });
});

describe('GitHub definition', () => {
  it.each([REPO_HOOK, ORG_HOOK, 'app', 'a/b/0', 'my-org/repo.name/1'])('accepts %s', (id) => {
    expect(github.webhookIdProblem(id)).toBeUndefined();
  });

  it.each([
    ['acme/payments-api', 'ends in "payments-api", which is not a hook id'],
    ['acme/payments-api/hooks', 'ends in "hooks", which is not a hook id'],
    ['acme/payments-api/12a', 'ends in "12a"'],
    ['12345678', 'must be OWNER/REPO/HOOK_ID'],
    ['App', 'must be OWNER/REPO/HOOK_ID'],
    ['acme/payments-api/hooks/12345678', 'must be OWNER/REPO/HOOK_ID'],
  ])('rejects %s, naming the expected forms', (id, problem) => {
    const message = githubWebhookIdProblem(id);
    expect(message).toContain(problem);
    expect(message).toContain('OWNER/REPO/HOOK_ID (a repository hook), ORG/HOOK_ID (an organization hook) or "app"');
  });

  it('tells which credential each webhook needs', () => {
    expect(githubCredentialProblem('app', { token: 't' })).toContain('auth.appId and auth.privateKeyFile');
    expect(githubCredentialProblem('app', { appId: 1, privateKey: appKey })).toBeUndefined();
    expect(githubCredentialProblem(REPO_HOOK, { appId: 1, privateKey: appKey })).toContain('auth.token or auth.tokenFile');
    expect(githubCredentialProblem(ORG_HOOK, { token: 't' })).toBeUndefined();
  });

  it('creates the adapter from a configured source and describes it without secrets', () => {
    const source: GithubSource = {
      provider: 'github',
      baseUrl: 'https://ghe.example/api/v3',
      auth: { token: 'ghp-secret-1', appId: 7, privateKey: appKey, fromFile: true },
      pageSize: 50,
      maxPages: 3,
    };
    const adapter = github.createAdapter(source, undefined);
    expect(adapter.paging).toEqual({ kind: 'paged', pageSize: 50, maxPages: 3 });
    expect(adapter.firstRequest(ORG_HOOK).headers.authorization).toBe('Bearer ghp-secret-1');
    expect(adapter.firstRequest('app').headers.authorization).toMatch(/^Bearer ey/);
    expect(github.describe(source)).toBe('token from file, app 7 with its private key from file, pageSize 50, maxPages 3');
    expect(github.describe({ ...source, auth: { token: 'x', fromFile: false } })).toBe('token from config, pageSize 50, maxPages 3');
    expect(github.defaultBaseUrl).toBe('https://api.github.com');
  });
});

describe('secondary rate limits', () => {
  it('are recognised by their message, on a 403 or a 429 only', () => {
    const adapter = createGithubAdapter({ baseUrl: 'https://api.github.com', token: 't', pageSize: 100, maxPages: 10 });
    const message = { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com' };
    expect(adapter.isRateLimit?.(403, message)).toBe(true);
    expect(adapter.isRateLimit?.(429, message)).toBe(true);
    expect(adapter.isRateLimit?.(500, message)).toBe(false);
    expect(adapter.isRateLimit?.(403, { message: 'Resource not accessible by integration' })).toBe(false);
  });
});
