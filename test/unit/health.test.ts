// One warning per change of state (src/poller/health.ts): what it says names the source's settings
// from the adapter's hints, and what the provider said is cleaned before it reaches a log.
import { describe, expect, it } from 'vitest';
import { describeFailure, requestValues, type FailureContext } from '../../src/poller/health.js';
import type { ReadFailure } from '../../src/poller/paging.js';

const CONTEXT: FailureContext = {
  hints: { credential: 'token (or tokenFile)', pageSize: { setting: 'pageSize', max: 100 }, pageLimit: 'maxPages' },
  timeoutMs: 10_000,
  rateLimited: false,
};
const httpError = (status: number): ReadFailure => ({ kind: 'http_error', code: String(status), status, retryAfterMs: undefined, headers: {}, body: {} });

describe('describeFailure', () => {
  it("names the adapter's settings, never a provider", () => {
    expect(describeFailure(httpError(401), CONTEXT).message).toContain("check that the source's token (or tokenFile) is current");
    expect(describeFailure({ kind: 'too_large', code: '200', maxBytes: 10 }, CONTEXT).message).toContain("lower the source's pageSize");
  });

  it('says a 403 that is a rate limit is one, in a state of its own', () => {
    const limited = describeFailure(httpError(403), { ...CONTEXT, rateLimited: true });
    expect(limited.state).toBe('http_403_rate_limited');
    expect(limited.message).toMatch(/^rate limited by the provider \(HTTP 403\): no request with this source's credentials until the time in notBefore/);
    expect(describeFailure(httpError(403), CONTEXT).state).toBe('http_403');
  });

  it('adds what the provider said: one line, no header value of the request, no JWT, no URL query, bounded', () => {
    const token = 'ghp_0123456789abcdefghij';
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2lnbmF0dXJl';
    const said = `Bad credentials for Bearer ${token}\n(jwt ${jwt}) see https://hooks.example/x?token=s3cret`;
    const { message } = describeFailure(httpError(401), { ...CONTEXT, providerSays: said, requestValues: [`Bearer ${token}`, 'application/json'] });
    expect(message).toMatch(/ \(the provider says: "Bad credentials for \[redacted\] \(jwt \[redacted\]\) see https:\/\/hooks\.example\/x"\)$/);
    expect(message).not.toContain(token);
    expect(message).not.toContain('s3cret');
    const long = describeFailure(httpError(500), { ...CONTEXT, providerSays: 'é'.repeat(500) }).message;
    expect(long).toMatch(/"é{200}…"\)$/);
  });

  it('redacts a key the request sent in its URL query when the provider echoes it bare', () => {
    // A described API keyed by a query parameter (auth: {query: …}); its error text repeats the key.
    const key = 'qk_live_0123456789';
    const values = requestValues({ url: new URL(`https://api.example/v1/attempts?page=2&api_key=${key}`), headers: { accept: 'application/json' } });
    expect(values).toEqual(['application/json', '2', key]);
    const { message } = describeFailure(httpError(401), { ...CONTEXT, providerSays: `invalid api_key ${key}`, requestValues: values });
    expect(message).toMatch(/\(the provider says: "invalid api_key \[redacted\]"\)$/);
    expect(message).not.toContain(key);
  });

  it('leaves the message as it was when the provider said nothing', () => {
    expect(describeFailure(httpError(404), CONTEXT).message).toBe("webhook not found (HTTP 404): check the webhook id and the source's baseUrl");
  });
});
