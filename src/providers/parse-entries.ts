import { createHash } from 'node:crypto';
import type { DeliveryAttempt, InvalidEntry, NormalizeResult } from './types.js';

export interface ParsedEntries {
  attempts: DeliveryAttempt[];
  invalid: InvalidEntry[];
  entryCount: number;
}

/** Normalises every entry of a page, keeping the API's order and one reason per skipped entry. */
export function parseEntries(
  entries: readonly unknown[],
  webhookId: string,
  normalize: (entry: unknown, webhookId: string) => NormalizeResult,
  /** Adds what the source opted in to (bodies) from the raw entry. */
  decorate?: (attempt: DeliveryAttempt, entry: Record<string, unknown>) => void,
): ParsedEntries {
  const attempts: DeliveryAttempt[] = [];
  const invalid: InvalidEntry[] = [];
  for (const entry of entries) {
    const result = normalize(entry, webhookId);
    if (result.ok) {
      decorate?.(result.attempt, entry as Record<string, unknown>);
      attempts.push(result.attempt);
    }
    else invalid.push({ reason: result.reason, key: contentKey(entry) });
  }
  return { attempts, invalid, entryCount: entries.length };
}

/** A bad entry may have no usable id, so it is recognised by its content. */
function contentKey(entry: unknown): string {
  return createHash('sha256').update(serialised(entry)).digest('base64url').slice(0, 22);
}

/**
 * JSON.parse accepts nesting that JSON.stringify then overflows the stack on: such an entry is
 * keyed by its shape's first characters instead, and is still counted once per read.
 */
function serialised(entry: unknown): string {
  try {
    return JSON.stringify(entry) ?? String(entry);
  } catch {
    return `unserialisable:${typeof entry}:${Array.isArray(entry) ? entry.length : Object.keys(entry ?? {}).length}`;
  }
}
