import { errors as undiciErrors, request, type Dispatcher } from 'undici';
import type { ProviderRequest } from '../providers/types.js';

/** How one request to a provider ended. `code` is the `code` label of webhook_exporter_api_requests_total. */
export type FetchOutcome =
  | { kind: 'ok'; code: string; status: number; headers: Record<string, string>; body: unknown }
  /** 304 to a conditional request: the resource has not changed since the ETag sent. */
  | { kind: 'not_modified'; code: string; headers: Record<string, string> }
  /**
   * Non-2xx answer; `retryAfterMs` set when it carried a usable Retry-After. `headers` (rate-limit
   * budgets) and `body` (the provider's error, at most ERROR_BODY_BYTES, decoded JSON or text) are
   * for the adapter and the poller to read; neither is logged as such.
   */
  | { kind: 'http_error'; code: string; status: number; retryAfterMs: number | undefined; headers: Record<string, string>; body: unknown }
  | { kind: 'timeout'; code: 'timeout' }
  | { kind: 'network_error'; code: 'network_error'; detail: string }
  /** A 2xx whose body is not JSON. */
  | { kind: 'bad_body'; code: string; detail: string }
  /** A 2xx whose body is larger than the cap: abandoned, since the fix is a setting, not the provider. */
  | { kind: 'too_large'; code: string; maxBytes: number };

/** Every way a request can fail. */
export type FetchFailure = Exclude<FetchOutcome, { kind: 'ok' } | { kind: 'not_modified' }>;

const ERROR_BODY_BYTES = 16 * 1024; // enough for any provider's error message, never a log page

export interface FetchOptions {
  timeoutMs: number;
  maxResponseBytes: number;
  /** Aborts the request early, e.g. at shutdown. */
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

/** GET a provider URL and decode its JSON body. Never throws: every failure is an outcome. */
export async function fetchJson(req: ProviderRequest, options: FetchOptions): Promise<FetchOutcome> {
  // One controller per request, fired by a timer and by the caller's signal. Not
  // AbortSignal.any([AbortSignal.timeout(), shutdown]): on Node 20 each call leaves tens of bytes
  // attached to the long-lived shutdown signal for good (test/perf/soak.test.ts measures it).
  const controller = new AbortController();
  const signal = controller.signal;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('http.timeout elapsed', 'TimeoutError'));
  }, options.timeoutMs);
  const onCallerAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onCallerAbort();
  else options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  let readingBody = false;
  try {
    const response = await settleOnAbort(request(req.url, {
      method: 'GET',
      headers: req.headers,
      signal,
      dispatcher: options.dispatcher,
      // The overall timeout above covers connect, headers and body; these stop a stalled socket sooner.
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    }), signal);
    const code = String(response.statusCode);
    if (response.statusCode === 304) {
      await response.body.dump().catch(() => undefined);
      return { kind: 'not_modified', code, headers: flatHeaders(response.headers) };
    }
    if (response.statusCode < 200 || response.statusCode > 299) {
      // The start of the error body says why (a provider's {message}); the rest is drained so the
      // connection can be reused. A body that stalls is cut off by the timeout like any other.
      const text = await readCapped(response.body, ERROR_BODY_BYTES, { truncate: true }).catch(() => '');
      return {
        kind: 'http_error',
        code,
        status: response.statusCode,
        retryAfterMs: parseRetryAfter(header(response.headers['retry-after']), Date.now()),
        headers: flatHeaders(response.headers),
        body: parseOrText(text ?? ''),
      };
    }
    readingBody = true;
    const text = await readCapped(response.body, options.maxResponseBytes);
    if (text === undefined) return { kind: 'too_large', code, maxBytes: options.maxResponseBytes };
    try {
      const body = JSON.parse(text) as unknown;
      return { kind: 'ok', code, status: response.statusCode, headers: flatHeaders(response.headers), body };
    } catch {
      return { kind: 'bad_body', code, detail: describeNonJson(text, header(response.headers['content-type'])) };
    }
  } catch (error) {
    if (timedOut || isTimeoutError(error)) return { kind: 'timeout', code: 'timeout' };
    const detail = describeNetworkError(error);
    return { kind: 'network_error', code: 'network_error', detail: readingBody ? `${detail}: connection lost before the whole answer arrived` : detail };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

/**
 * undici acts on an abort only once the request has a connected socket: while a TCP connect hangs,
 * it waits for its own 10 s connect timeout, whatever http.timeout says. Settle when the signal
 * fires instead; undici still aborts the abandoned request as soon as its connect ends.
 */
function settleOnAbort<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  pending.catch(() => undefined);
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The body as text; over `maxBytes`: undefined, or with `truncate` the first `maxBytes`. */
async function readCapped(
  body: AsyncIterable<Uint8Array> & { destroy(): unknown },
  maxBytes: number,
  { truncate = false } = {},
): Promise<string | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      body.destroy();
      if (!truncate) return undefined;
      chunks.push(chunk.subarray(0, chunk.byteLength - (size - maxBytes)));
      break;
    }
    chunks.push(chunk);
  }
  // Invalid UTF-8 becomes U+FFFD rather than an exception; JSON.parse then judges the text.
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Lower-case names (as undici gives them), repeated headers joined as RFC 9110 allows. */
function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

// Every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with a day name. Date.parse alone
// would read "1.5" or "-1" as dates in 2001, i.e. "retry now", the opposite of what was meant.
const HTTP_DATE_START = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)/i;

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unusable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!HTTP_DATE_START.test(trimmed)) return undefined;
  // asctime dates carry no zone but mean GMT; Date.parse would read them as local time.
  const date = Date.parse(/GMT$/i.test(trimmed) ? trimmed : `${trimmed} GMT`);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

function isTimeoutError(error: unknown): boolean {
  return (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError ||
    (error instanceof Error && error.name === 'TimeoutError')
  );
}

function describeNonJson(text: string, contentType: string | undefined): string {
  const kind = contentType?.split(';')[0]?.trim();
  if (text.trim() === '') return 'empty body instead of JSON';
  return `body is not valid JSON${kind ? ` (content-type ${kind})` : ''}`;
}

// Error messages from undici/Node can embed the URL; report only the code and a generic cause.
function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  if (error instanceof Error && error.name === 'AbortError') return 'aborted';
  return error instanceof Error ? error.name : 'unknown error';
}
