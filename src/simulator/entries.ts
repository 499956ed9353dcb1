// Builders for realistic raw log entries, shaped exactly as each provider documents them.
// Tests override the fields they care about; the traffic generator passes its seeded PRNG.

import { createHmac } from 'node:crypto';
import type { BaanxLogEntry } from '../providers/baanx/types.js';
import type { SalesfinityLogEntry } from '../providers/salesfinity/types.js';
import { objectId, uuidV4 } from './ids.js';
import type { Random } from './random.js';
import { SIM_RECEIVER_TOKEN, SIM_SIGNATURE_PREFIX, SIM_SIGNING_SECRET } from './secrets.js';

export interface EntryContext {
  /** Clock for the default `createdAt` and ids; default Date.now(). */
  nowMs?: number;
  /** Source of ids; default Math.random. */
  random?: Random;
}

/** A receiver URL of the kind partners register: it carries a token in its query string. */
export const SIM_DEFAULT_RECEIVER_URL = `https://hooks.partner.example/baanx/events?token=${SIM_RECEIVER_TOKEN}`;

/** A Salesfinity entry: a successful CALL_LOGGED delivery unless overridden. */
export function salesfinityEntry(overrides: Partial<SalesfinityLogEntry> = {}, context: EntryContext = {}): SalesfinityLogEntry {
  const { nowMs = Date.now(), random = Math.random } = context;
  const event = overrides.event ?? 'CALL_LOGGED';
  return {
    _id: objectId(nowMs, random),
    event,
    status: 'success',
    request: { body: { event, payload: { call_id: `call_${objectId(nowMs, random).slice(-8)}`, outcome: 'answered', duration: 180 } } },
    response: { code: 200, body: { received: true } },
    responseTime: 245,
    createdAt: new Date(nowMs).toISOString(),
    ...overrides,
  };
}

export interface BaanxEntryOverrides extends Partial<BaanxLogEntry> {
  /** Shortcut for `requestBody.eventType` when no `requestBody` is given. */
  eventType?: string;
}

/**
 * A Baanx entry: a successful first attempt of `kyc.status.changed` unless overridden. Its
 * receiver URL carries SIM_RECEIVER_TOKEN and its X-Signature starts with SIM_SIGNATURE_PREFIX.
 */
export function baanxEntry(overrides: BaanxEntryOverrides = {}, context: EntryContext = {}): BaanxLogEntry {
  const { nowMs = Date.now(), random = Math.random } = context;
  const { eventType = 'kyc.status.changed', ...fields } = overrides;
  const createdAt = fields.createdAt ?? new Date(nowMs).toISOString();
  const requestBody = fields.requestBody ?? { eventType, userId: `user-${Math.floor(random() * 1000)}`, status: 'approved' };
  const timestamp = String(Math.floor(Date.parse(createdAt) / 1000) || Math.floor(nowMs / 1000));
  return {
    id: uuidV4(random),
    eventId: uuidV4(random),
    webhookId: uuidV4(random),
    attemptNumber: 1,
    requestUrl: SIM_DEFAULT_RECEIVER_URL,
    requestHeaders: {
      'Content-Type': 'application/json',
      'X-Timestamp': timestamp,
      'X-Signature': signature(timestamp, requestBody),
    },
    requestBody,
    responseStatus: 200,
    responseBody: '{"received": true}',
    errorMessage: null,
    deliveryStatus: 'success',
    durationMs: 145,
    createdAt,
    nextRetryAt: null,
    ...fields,
  };
}

/** HMAC of timestamp and body, like a real webhook signature, marked so scanners can find it. */
function signature(timestamp: string, body: unknown): string {
  const mac = createHmac('sha256', SIM_SIGNING_SECRET).update(`${timestamp}.${JSON.stringify(body)}`).digest('hex');
  return SIM_SIGNATURE_PREFIX + mac;
}
