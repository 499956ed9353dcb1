// What simulated deliveries look like: which events happen and how receivers answer.
// Weights are chosen so dashboards show a realistic picture: ~95% success, a few 4xx and
// 5xx, some timeouts, response times log-normal between 50 ms and several seconds.

import { logNormalMs, pickWeighted, randomHex, type Random } from './random.js';

export type Answer = 200 | 201 | 202 | 204 | 400 | 410 | 500 | 502 | 503 | 'timeout';

export interface Outcome {
  status: 'success' | 'failed';
  /** Null when the receiver never answered. */
  httpStatus: number | null;
  /** Null when the receiver never answered. */
  durationMs: number | null;
  errorMessage: string | null;
}

/** A receiver in good health: about 5 % failures, below the default error-ratio alert (10 %). */
const HEALTHY_RECEIVER: ReadonlyArray<readonly [Answer, number]> = [
  [200, 0.85],
  [201, 0.04],
  [202, 0.03],
  [204, 0.03],
  [400, 0.01],
  [410, 0.01],
  [500, 0.01],
  [502, 0.005],
  [503, 0.005],
  ['timeout', 0.01],
];

/** A receiver that is down: nothing but 503s and timeouts (drives the demo's alerts). */
const FAILING_RECEIVER: ReadonlyArray<readonly [Answer, number]> = [
  [503, 0.6],
  ['timeout', 0.4],
];

export const TIMEOUT_MESSAGE = 'connection timeout';

export function drawOutcome(random: Random, receiverDown: boolean): Outcome {
  const answer = pickWeighted(random, receiverDown ? FAILING_RECEIVER : HEALTHY_RECEIVER);
  if (answer === 'timeout') return { status: 'failed', httpStatus: null, durationMs: null, errorMessage: TIMEOUT_MESSAGE };
  const durationMs = answer >= 500 ? logNormalMs(random, 600, 1, 50, 9_000) : logNormalMs(random, 180, 0.9, 50, 8_000);
  return { status: answer < 300 ? 'success' : 'failed', httpStatus: answer, durationMs, errorMessage: null };
}

/** The body a receiver answers with, as Baanx records it (a string, or null for none). */
export function receiverBody(httpStatus: number | null): string | null {
  switch (httpStatus) {
    case null:
    case 204:
      return null;
    case 400:
      return '{"error": "invalid payload"}';
    case 410:
      return 'Gone';
    case 500:
      return 'Internal Server Error';
    case 502:
      return '<html><body><h1>502 Bad Gateway</h1></body></html>';
    case 503:
      return 'Service Unavailable';
    default:
      return '{"received": true}';
  }
}

/** How many new events a webhook sees in one tick (about one on average). */
export function drawEventCount(random: Random): number {
  return pickWeighted(random, [
    [0, 0.3],
    [1, 0.45],
    [2, 0.2],
    [3, 0.05],
  ]);
}

const CALL_OUTCOMES = [['answered', 0.4], ['voicemail', 0.3], ['no_answer', 0.2], ['busy', 0.1]] as const;
const UPDATED_FIELDS: ReadonlyArray<readonly [readonly string[], number]> = [[['phone'], 0.4], [['email', 'title'], 0.3], [['company'], 0.3]];
const KYC_STATUSES = [['approved', 0.7], ['rejected', 0.1], ['pending_review', 0.2]] as const;

type PayloadMaker = (random: Random, nowMs: number) => Record<string, unknown>;

export const SALESFINITY_EVENTS: ReadonlyArray<readonly [string, number, PayloadMaker]> = [
  ['CALL_LOGGED', 0.5, (r) => ({ call_id: `call_${randomHex(r, 6)}`, outcome: pickWeighted(r, CALL_OUTCOMES), duration: logNormalMs(r, 90, 0.8, 5, 1_800) })],
  ['CONTACT_UPDATED', 0.2, (r) => ({ contact_id: `ct_${randomHex(r, 8)}`, fields: pickWeighted(r, UPDATED_FIELDS) })],
  ['MEETING_BOOKED', 0.1, (r, now) => ({ meeting_id: `mtg_${randomHex(r, 8)}`, contact_id: `ct_${randomHex(r, 8)}`, scheduled_for: new Date(now + 2 * 86_400_000).toISOString() })],
  ['SEQUENCE_COMPLETED', 0.1, (r) => ({ sequence_id: `seq_${randomHex(r, 6)}`, contact_id: `ct_${randomHex(r, 8)}` })],
  ['VOICEMAIL_DROPPED', 0.1, (r) => ({ call_id: `call_${randomHex(r, 6)}`, voicemail_id: `vm_${randomHex(r, 6)}` })],
];

export const BAANX_EVENTS: ReadonlyArray<readonly [string, number, PayloadMaker]> = [
  ['transaction.created', 0.4, (r) => ({ userId: `user-${randomHex(r, 6)}`, transactionId: `tx-${randomHex(r, 10)}`, amount: (r() * 200).toFixed(2), currency: 'EUR' })],
  ['transaction.settled', 0.25, (r) => ({ userId: `user-${randomHex(r, 6)}`, transactionId: `tx-${randomHex(r, 10)}` })],
  ['kyc.status.changed', 0.15, (r) => ({ userId: `user-${randomHex(r, 6)}`, status: pickWeighted(r, KYC_STATUSES) })],
  ['card.activated', 0.1, (r) => ({ userId: `user-${randomHex(r, 6)}`, cardId: `card-${randomHex(r, 8)}` })],
  ['card.frozen', 0.1, (r) => ({ userId: `user-${randomHex(r, 6)}`, cardId: `card-${randomHex(r, 8)}`, reason: 'user_request' })],
];

/** An event type and its payload, drawn from one of the catalogues above. */
export function drawEvent(
  random: Random,
  catalogue: ReadonlyArray<readonly [string, number, PayloadMaker]>,
  nowMs: number,
): { eventType: string; payload: Record<string, unknown> } {
  const [eventType, , makePayload] = pickWeighted(random, catalogue.map((event) => [event, event[1]] as const));
  return { eventType, payload: makePayload(random, nowMs) };
}
