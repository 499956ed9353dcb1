// Builders for GitHub webhook deliveries shaped as `hook-delivery-item` (the list endpoints) and
// `hook-delivery` (one delivery, with what was sent), for tests and generated traffic.

import { createHmac } from 'node:crypto';
import type { GithubHookDelivery, GithubHookDeliveryItem } from '../providers/github/types.js';
import type { EntryContext } from './entries.js';
import { uuidV4 } from './ids.js';
import { chance, logNormalMs, pick, type Random } from './random.js';
import { SIM_RECEIVER_TOKEN, SIM_SIGNATURE_PREFIX, SIM_SIGNING_SECRET } from './secrets.js';

/** A receiver URL with a token in its query string; only the single-delivery shape carries it. */
export const SIM_GITHUB_RECEIVER_URL = `https://hooks.partner.example/github/events?token=${SIM_RECEIVER_TOKEN}`;

/** How deliveries fail, in GitHub's words: `status_code` 0 means no response was received. */
export const GITHUB_FAILURES = {
  http503: { status: 'Invalid HTTP Response: 503', status_code: 503 },
  http500: { status: 'Invalid HTTP Response: 500', status_code: 500 },
  http404: { status: 'Invalid HTTP Response: 404', status_code: 404 },
  timeout: { status: 'timed out', status_code: 0 },
  connectFailure: { status: 'failed to connect to host', status_code: 0 },
} as const satisfies Record<string, Pick<GithubHookDeliveryItem, 'status' | 'status_code'>>;

/** Events a repository hook delivers, with their action. */
export const GITHUB_EVENTS: ReadonlyArray<readonly [event: string, action: string | null]> = [
  ['push', null],
  ['issues', 'opened'],
  ['pull_request', 'opened'],
  ['pull_request', 'synchronize'],
  ['workflow_run', 'completed'],
  ['check_suite', 'completed'],
];

/**
 * A delivery id that grows with time, as GitHub's do (its cursors rely on that): milliseconds
 * times 1000 plus a random part, within the safe integer range until the year 2255.
 */
export function githubDeliveryId(nowMs: number, random: Random): number {
  return nowMs * 1000 + Math.floor(random() * 1000);
}

/** GitHub writes whole seconds: `2019-06-03T00:57:16Z`. */
export function githubTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A successful first delivery of `issues` / `opened` to a repository hook unless overridden. */
export function githubDelivery(overrides: Partial<GithubHookDeliveryItem> = {}, context: EntryContext = {}): GithubHookDeliveryItem {
  const { nowMs = Date.now(), random = Math.random } = context;
  return {
    id: githubDeliveryId(nowMs, random),
    guid: uuidV4(random),
    delivered_at: githubTimestamp(nowMs),
    redelivery: false,
    duration: logNormalMs(random, 270, 0.6, 20, 9_000) / 1000,
    status: 'OK',
    status_code: 200,
    event: 'issues',
    action: 'opened',
    installation_id: null,
    repository_id: 456,
    ...overrides,
  };
}

export interface GithubLogOptions extends EntryContext {
  count: number;
  /** Time between deliveries; default one minute. */
  spacingMs?: number;
  /** Share of failed deliveries; default 0.2. */
  failureRate?: number;
  /** Share of deliveries that are manual redeliveries of an earlier failure; default 0.1. */
  redeliveryRate?: number;
}

/**
 * `count` deliveries ending at `nowMs`, newest first as the API lists them: mixed events, some
 * failures (with and without a response), some redeliveries sharing an earlier failure's guid.
 */
export function githubDeliveryLog(options: GithubLogOptions): GithubHookDeliveryItem[] {
  const { count, nowMs = Date.now(), random = Math.random, spacingMs = 60_000, failureRate = 0.2, redeliveryRate = 0.1 } = options;
  const oldestFirst: GithubHookDeliveryItem[] = [];
  const failedGuids: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = nowMs - (count - 1 - i) * spacingMs;
    const [event, action] = pick(random, GITHUB_EVENTS);
    const redelivery = failedGuids.length > 0 && chance(random, redeliveryRate);
    const outcome = chance(random, failureRate) ? pick(random, Object.values(GITHUB_FAILURES)) : { status: 'OK', status_code: 200 };
    const delivery = githubDelivery(
      {
        event,
        action,
        ...outcome,
        ...(outcome === GITHUB_FAILURES.timeout ? { duration: 10 } : outcome === GITHUB_FAILURES.connectFailure ? { duration: 0.05 } : {}),
        ...(redelivery ? { redelivery: true, guid: failedGuids.shift()! } : {}),
      },
      { nowMs: at, random },
    );
    if (delivery.status_code < 200 || delivery.status_code > 299) failedGuids.push(delivery.guid);
    oldestFirst.push(delivery);
  }
  return oldestFirst.reverse();
}

/**
 * The same delivery as `GET …/deliveries/{id}` shows it: the receiver's URL (with
 * SIM_RECEIVER_TOKEN in its query) and the signed request, so scans can look for both.
 */
export function githubDeliveryDetail(item: GithubHookDeliveryItem, hookId = 42): GithubHookDelivery {
  const payload = { action: item.action, repository: { id: item.repository_id } };
  const signature = createHmac('sha256', SIM_SIGNING_SECRET).update(JSON.stringify(payload)).digest('hex');
  return {
    ...item,
    url: SIM_GITHUB_RECEIVER_URL,
    request: {
      headers: {
        Accept: '*/*',
        'content-type': 'application/json',
        'User-Agent': 'GitHub-Hookshot/sim',
        'X-GitHub-Delivery': item.guid,
        'X-GitHub-Event': item.event,
        'X-GitHub-Hook-ID': String(hookId),
        'X-Hub-Signature-256': `sha256=${SIM_SIGNATURE_PREFIX}${signature}`,
      },
      payload,
    },
    response:
      item.status_code === 0
        ? { headers: null, payload: null }
        : { headers: { 'Content-Type': 'text/plain;charset=utf-8' }, payload: item.status_code < 300 ? 'ok' : 'unavailable' },
  };
}
