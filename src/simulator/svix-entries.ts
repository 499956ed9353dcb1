// Builders for realistic Svix message attempts, shaped as Svix's API reference and SDK describe
// `MessageAttemptOut`. Tests override the fields they care about; generators pass a seeded PRNG.

import type { SvixMessage, SvixMessageAttempt, SvixStatus, SvixStatusText } from '../providers/svix/types.js';
import { parseIsoTimestamp } from '../providers/timestamp.js';
import type { EntryContext } from './entries.js';
import type { Random } from './random.js';
import { SIM_RECEIVER_TOKEN } from './secrets.js';

/** A receiver URL of the kind customers register: it carries a token in its query string. */
export const SIM_SVIX_RECEIVER_URL = `https://hooks.partner.example/svix/events?token=${SIM_RECEIVER_TOKEN}`;

const STATUS_TEXT: Record<SvixStatus, SvixStatusText> = { 0: 'success', 1: 'pending', 2: 'fail', 3: 'sending', 4: 'canceled' };

/** `statusText` as Svix writes it for a `status`. */
export function svixStatusText(status: SvixStatus): SvixStatusText {
  return STATUS_TEXT[status];
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KSUID_EPOCH_SECONDS = 1_400_000_000;
const KSUID_LENGTH = 27;

/**
 * A Svix id: `prefix_` + a millisecond KSUID in base62 (4 bytes of seconds since the KSUID epoch,
 * 1 byte of the millisecond, 15 random bytes), so ids of one kind sort by creation time as strings.
 */
export function svixId(prefix: string, atMs: number, random: Random): string {
  const seconds = BigInt(Math.max(0, Math.floor(atMs / 1000) - KSUID_EPOCH_SECONDS));
  const millisecondByte = BigInt(Math.floor(((((atMs % 1000) + 1000) % 1000) * 256) / 1000));
  let value = (seconds << 128n) | (millisecondByte << 120n);
  for (let i = 0; i < 15; i++) value |= BigInt(Math.floor(random() * 256)) << BigInt(8 * (14 - i));
  let text = '';
  for (; value > 0n; value /= 62n) text = BASE62.charAt(Number(value % 62n)) + text;
  return `${prefix}_${text.padStart(KSUID_LENGTH, '0')}`;
}

/** ISO-8601 with nanoseconds, as Svix writes `timestamp`: the sub-millisecond digits drawn from `random`. */
export function svixTimestamp(atMs: number, random: Random): string {
  const subMillisecond = String(Math.floor(random() * 1_000_000)).padStart(6, '0');
  return new Date(atMs).toISOString().replace('Z', `${subMillisecond}Z`);
}

export interface SvixAttemptOverrides extends Partial<SvixMessageAttempt> {
  /** Shortcut for `msg.eventType` when no `msg` is given. */
  eventType?: string;
}

/**
 * A Svix attempt: a successful scheduled delivery of `invoice.paid` unless overridden. `statusText`
 * follows `status` unless given; the receiver URL carries SIM_RECEIVER_TOKEN. For an attempt
 * without a response, override `responseStatusCode: 0` and `response` with svixConnectError().
 */
export function svixAttempt(overrides: SvixAttemptOverrides = {}, context: EntryContext = {}): SvixMessageAttempt {
  const { nowMs = Date.now(), random = Math.random } = context;
  const { eventType = 'invoice.paid', ...fields } = overrides;
  const timestamp = fields.timestamp ?? svixTimestamp(nowMs, random);
  const atMs = parseIsoTimestamp(timestamp) ?? nowMs;
  const msgId = fields.msgId ?? svixId('msg', atMs, random);
  const status = fields.status ?? 0;
  const msg: SvixMessage = {
    id: msgId,
    eventType,
    payload: { type: eventType, invoiceId: `inv_${Math.floor(random() * 1e6)}`, amount: 4200 },
    timestamp,
    eventId: null,
    channels: null,
    tags: null,
  };
  return {
    id: svixId('atmpt', atMs, random),
    msgId,
    endpointId: svixId('ep', atMs, random),
    url: SIM_SVIX_RECEIVER_URL,
    response: '{"received":true}',
    responseStatusCode: 200,
    responseDurationMs: 120 + Math.floor(random() * 200),
    status,
    statusText: svixStatusText(status),
    triggerType: 0,
    timestamp,
    msg,
    ...fields,
  };
}

/** What Svix's dispatcher writes as `response` when it could not reach the receiver (it names the URL). */
export function svixConnectError(url = SIM_SVIX_RECEIVER_URL): string {
  return `error sending request for url (${url}): error trying to connect: tcp connect error: Connection refused (os error 111)`;
}
