// Turns a failed read into one log line per change of state: an operator sees "credentials
// rejected" once, not every 30 seconds, and sees "recovered" when it clears.

import { scrubUrls } from '../providers/sanitize-url.js';
import type { OperatorHints, ProviderRequest } from '../providers/types.js';
import type { ReadFailure } from './paging.js';

export interface FailureReport {
  /** Stable key: a change of key is a change of state worth a log line. */
  state: string;
  /** What happened and what to check. Contains no URL query, header or secret. */
  message: string;
}

const PROVIDER_TEXT_LIMIT = 200; // characters of the provider's own error text in a log line

export interface FailureContext {
  hints: OperatorHints;
  timeoutMs: number;
  /** The answer was a rate limit (src/poller/rate-limits.ts): every read with these credentials waits. */
  rateLimited: boolean;
  /** What the provider's error body said (its adapter's reading of it), if anything. */
  providerSays?: string | undefined;
  /**
   * What the request carried that may be a credential: its header values and the values of its URL
   * query (an API keyed by a query parameter). A provider that echoes them back must not get them logged.
   */
  requestValues?: readonly string[];
}

/** The settings named in the advice come from the adapter's hints: the poller names no provider. */
/** The values of a request that may be credentials (FailureContext.requestValues). */
export function requestValues(request: ProviderRequest): string[] {
  return [...Object.values(request.headers), ...request.url.searchParams.values()];
}

export function describeFailure(failure: ReadFailure, context: FailureContext): FailureReport {
  const report = describe(failure, context);
  const said = context.providerSays === undefined ? '' : cleanProviderText(context.providerSays, context.requestValues ?? []);
  return said === '' ? report : { ...report, message: `${report.message} (the provider says: "${said}")` };
}

const JWT = /\beyJ[\w-]*\.[\w-]+\.[\w-]*/g;
/** Values shorter than this (`application/json`, an API version, a page number) hold no secret worth a pass. */
const SECRET_MIN_LENGTH = 8;

/**
 * One line, URLs without query strings or credentials, no header or query value of the request
 * (tokens, keys) and no JWT, bounded: the text comes from a third party, which may echo what it was sent.
 */
function cleanProviderText(text: string, requestValues: readonly string[]): string {
  let oneLine = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  for (const value of requestValues) {
    for (const secret of [value, value.replace(/^(Bearer|token|Basic)\s+/i, '')]) {
      if (secret.length >= SECRET_MIN_LENGTH) oneLine = oneLine.replaceAll(secret, '[redacted]');
    }
  }
  oneLine = oneLine.replace(JWT, '[redacted]');
  const withoutSecrets = scrubUrls(oneLine);
  const points = [...withoutSecrets];
  return points.length > PROVIDER_TEXT_LIMIT ? `${points.slice(0, PROVIDER_TEXT_LIMIT).join('')}…` : withoutSecrets;
}

function describe(failure: ReadFailure, context: FailureContext): FailureReport {
  const credential = context.hints.credential;
  switch (failure.kind) {
    case 'http_error': {
      const status = failure.status;
      if (context.rateLimited && status === 403) {
        return { state: 'http_403_rate_limited', message: "rate limited by the provider (HTTP 403): no request with this source's credentials until the time in notBefore; poll less often (schedule) if this persists" };
      }
      if (status === 401 || status === 403) {
        return { state: `http_${status}`, message: `provider rejected the credentials (HTTP ${status}): check that the source's ${credential} is current and allowed to read webhook logs` };
      }
      if (status === 404) {
        return { state: 'http_404', message: "webhook not found (HTTP 404): check the webhook id and the source's baseUrl" };
      }
      if (status === 429) {
        return { state: 'http_429', message: 'rate limited by the provider (HTTP 429): waiting as Retry-After asks; poll less often (schedule) if this persists' };
      }
      if (status >= 500) {
        return { state: 'http_5xx', message: `provider error (HTTP ${status}): check the provider's status page; retrying with exponential backoff` };
      }
      return { state: `http_${status}`, message: `unexpected HTTP ${status} from the provider: check baseUrl and the exporter version` };
    }
    case 'timeout':
      return {
        state: 'timeout',
        message: `no complete answer within http.timeout (${context.timeoutMs} ms): check the provider's status and the network path, or raise http.timeout if the provider is merely slow; retrying with exponential backoff`,
      };
    case 'network_error':
      return { state: 'network_error', message: `cannot reach the provider (${failure.detail}): check DNS, network policy and baseUrl` };
    case 'bad_body':
      return { state: 'bad_body', message: `unusable response (${failure.detail}): check that baseUrl points at the provider's API and not at a proxy or maintenance page` };
    case 'too_large': {
      const pageSetting = context.hints.pageSize.setting;
      return {
        state: 'too_large',
        message: `response larger than http.maxResponseBytes (${failure.maxBytes} bytes): raise http.maxResponseBytes or lower the source's ${pageSetting}`,
      };
    }
    case 'wrong_shape':
      return { state: 'wrong_shape', message: `response has an unexpected shape (${failure.detail}): check baseUrl and that this exporter version supports the provider's current API` };
  }
}
