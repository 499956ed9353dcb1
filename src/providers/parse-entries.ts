import type { DeliveryAttempt, InvalidReason, NormalizeResult } from './types.js';

export interface ParsedEntries {
  attempts: DeliveryAttempt[];
  invalid: InvalidReason[];
  entryCount: number;
}

/** Normalises every entry of a page, keeping the API's order and one reason per skipped entry. */
export function parseEntries(
  entries: readonly unknown[],
  webhookId: string,
  normalize: (entry: unknown, webhookId: string) => NormalizeResult,
): ParsedEntries {
  const attempts: DeliveryAttempt[] = [];
  const invalid: InvalidReason[] = [];
  for (const entry of entries) {
    const result = normalize(entry, webhookId);
    if (result.ok) attempts.push(result.attempt);
    else invalid.push(result.reason);
  }
  return { attempts, invalid, entryCount: entries.length };
}
