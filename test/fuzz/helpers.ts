// Shared by the fuzz tests: run counts, distinctive secrets, and the checks every ConfigError must pass.
import fc from 'fast-check';
import { expect } from 'vitest';
import { ConfigError } from '../../src/config/problems.js';

/**
 * Enough runs to find the shallow bugs while the whole folder stays well under a minute on two
 * cores; FUZZ_RUNS=5000 searches deeper.
 */
export const RUNS = Number(process.env.FUZZ_RUNS) || 300;

const ALPHANUMERIC = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'];

/**
 * A value no message could contain by chance: a fixed prefix and 16 random letters or digits. The
 * leak checks look for it whole, so a message that names one offending character does not count.
 */
export const secretCore: fc.Arbitrary<string> = fc
  .string({ unit: fc.constantFrom(...ALPHANUMERIC), minLength: 16, maxLength: 16 })
  .map((random) => `Sx${random}`);

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** The problems of a ConfigError; anything else that was thrown fails the property with its own stack. */
export function problemsOf(error: unknown): string[] {
  if (!(error instanceof ConfigError)) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    throw new Error(`expected only ConfigError to escape, got: ${detail}`);
  }
  return error.problems;
}

const LINE_BREAK = /[\n\r\u2028\u2029]/;
/** Something, then ": ", then a message with at least one visible character. */
const PATH_THEN_MESSAGE = /^\S.*?: .*\S/s;

/** At least one problem, each one line of the form "path: message". */
export function expectWellFormed(problems: readonly string[]): void {
  expect(problems.length).toBeGreaterThan(0);
  for (const problem of problems) {
    expect(LINE_BREAK.test(problem), `problem spans lines: ${JSON.stringify(problem)}`).toBe(false);
    expect(problem, 'problem is not "path: message"').toMatch(PATH_THEN_MESSAGE);
  }
}

/** Fails naming the first secret that a text repeats. */
export function expectNoSecrets(texts: readonly string[], secrets: readonly string[]): void {
  for (const secret of secrets) {
    const leak = texts.find((text) => text.includes(secret));
    expect(leak, `secret ${JSON.stringify(secret)} is echoed`).toBeUndefined();
  }
}

// Rendering a document as text: properly quoted YAML or JSON, or YAML with every value written
// bare (as a hurried operator would), optionally damaged at one place.

export type Rendering = 'yaml' | 'json' | 'bare-yaml';

const isContainer = (value: unknown): value is object => typeof value === 'object' && value !== null && Object.keys(value).length > 0;

function bare(value: unknown): string {
  if (Array.isArray(value)) return '[]';
  if (typeof value === 'object' && value !== null) return '{}';
  return String(value);
}

/** Block YAML with every scalar written bare, so that special characters change what it means. */
export function bareYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    return value.map((item) => (isContainer(item) ? `${indent}-\n${bareYaml(item, `${indent}  `)}` : `${indent}- ${bare(item)}\n`)).join('');
  }
  return Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => (isContainer(item) ? `${indent}${key}:\n${bareYaml(item, `${indent}  `)}` : `${indent}${key}: ${bare(item)}\n`))
    .join('');
}

export interface Damage {
  /** Where, as a fraction of the text's length. */
  at: number;
  insert: string;
  /** Cut the text there instead of inserting. */
  cut: boolean;
}

const DAMAGE = ['', ':', '"', "'", '{', '[', ']', '}', '\t', '- ', '#', '\n  ', '&', '*', '!', ',', '\\', '\u0000', '\ufeff'];

export const damage: fc.Arbitrary<Damage | undefined> = fc.option(
  fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), insert: fc.constantFrom(...DAMAGE), cut: fc.boolean() }),
  { nil: undefined },
);

export function damaged(text: string, how: Damage | undefined): string {
  if (how === undefined) return text;
  const at = Math.floor(how.at * text.length);
  return how.cut ? text.slice(0, at) : `${text.slice(0, at)}${how.insert}${text.slice(at)}`;
}
