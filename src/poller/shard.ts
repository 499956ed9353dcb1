import { createHash } from 'node:crypto';

export interface Shard {
  index: number;
  count: number;
}

/**
 * Whether this replica polls the webhook. A hash of (source, webhook id), so the split is stable
 * across restarts and versions and needs no coordination: every replica with the same config and
 * `count` computes the same owner for each webhook.
 */
export function ownsWebhook(shard: Shard | undefined, source: string, webhookId: string): boolean {
  if (shard === undefined || shard.count === 1) return true;
  const digest = createHash('sha256').update(`${source}\u0000${webhookId}`).digest();
  return digest.readUInt32BE(0) % shard.count === shard.index;
}
