// Objects that reject unknown keys (usually typos), naming the key each was probably meant to be.
import { z } from 'zod';

export interface StrictObjectOptions {
  /** Message for a missing object, instead of "required". */
  whenMissing?: string;
  /** Explanations for unknown keys that a typo check cannot guess, e.g. another provider's setting. */
  unknownKeyHints?: Record<string, string>;
}

export function strictObject<Shape extends z.ZodRawShape>(shape: Shape, options: StrictObjectOptions = {}) {
  const knownKeys = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return unknownKeyMessages(issue.keys, knownKeys, options.unknownKeyHints);
      if (issue.code === 'invalid_type' && issue.input === undefined) return options.whenMissing;
      return undefined;
    },
  });
}

// zod reports all unknown keys of an object as one issue with one message, so the message carries one
// line per key and the problem list splits it again.
export function unknownKeyMessages(keys: readonly string[], knownKeys: readonly string[], hints: Record<string, string> = {}): string {
  return keys.map((key) => unknownKeyMessage(key, knownKeys, hints)).join('\n');
}

export function messagesPerKey(message: string): string[] {
  return message.split('\n');
}

function unknownKeyMessage(key: string, knownKeys: readonly string[], hints: Record<string, string>): string {
  const hint = hints[key];
  if (hint !== undefined) return `unknown key (${hint})`;
  const suggestion = closestKey(key, knownKeys);
  return suggestion === undefined ? 'unknown key' : `unknown key (did you mean ${JSON.stringify(suggestion)}?)`;
}

/** Catches typos (`webhook`, `timout`) and other spellings (`api_key`, `BaseURL`). */
function closestKey(key: string, knownKeys: readonly string[]): string | undefined {
  const normalise = (text: string) => text.toLowerCase().replace(/[_-]/g, '');
  const wanted = normalise(key);
  const tolerance = wanted.length >= 6 ? 2 : 1;
  let best: { key: string; distance: number } | undefined;
  for (const known of knownKeys) {
    const distance = editDistance(wanted, normalise(known));
    if (distance <= tolerance && (best === undefined || distance < best.distance)) best = { key: known, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
