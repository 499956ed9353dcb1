// Plain-language messages for zod's generic issues; schemas override them where they know better.
// Values are never echoed: they may be secrets.
import type { z } from 'zod';
import { unknownKeyMessages } from './strict-object.js';

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  object: 'an object',
  array: 'a list',
  boolean: 'true or false',
};

export function friendlyMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'required';
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      // YAML reads an unquoted all-digit id as a number, losing digits beyond 2^53.
      const quoteHint = issue.expected === 'string' && typeof issue.input === 'number' ? ' (put it in quotes)' : '';
      return `must be ${expected}, got ${describeType(issue.input)}${quoteHint}`;
    }
    case 'too_small':
      if (issue.origin === 'number') return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}`;
      if (Number(issue.minimum) === 1) return 'must not be empty';
      return `must have at least ${issue.minimum} ${issue.origin === 'string' ? 'characters' : 'items'}`;
    case 'too_big':
      if (issue.origin === 'number') return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
      return `must have at most ${issue.maximum} ${issue.origin === 'string' ? 'characters' : 'items'}`;
    case 'invalid_value':
      return `must be ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}`;
    case 'unrecognized_keys':
      return unknownKeyMessages(issue.keys, []);
    default:
      return undefined;
  }
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  // YAML's .inf and .nan
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const type = typeof value;
  return type === 'object' ? 'an object' : (TYPE_NAMES[type] ?? type);
}
