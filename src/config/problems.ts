// Every configuration problem becomes one line "path: message", so an operator can fix them all in one go.
import type { z } from 'zod';
import { messagesPerKey } from './strict-object.js';

export interface Problem {
  path: readonly PropertyKey[];
  message: string;
}

/** Thrown by loadConfig/parseConfig; `problems` holds every problem found, one "path: message" line each. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/** `sources[1].auth.apiKey`; `(root)` for the document itself. */
export function renderPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const key = String(segment);
      if (!/^[A-Za-z_$][\w$-]*$/.test(key)) return `[${JSON.stringify(key)}]`;
      return index === 0 ? key : `.${key}`;
    })
    .join('');
}

export function renderProblem(problem: Problem): string {
  return `${renderPath(problem.path)}: ${problem.message}`;
}

export function isWithin(path: readonly PropertyKey[], ancestor: readonly PropertyKey[]): boolean {
  return ancestor.length <= path.length && ancestor.every((segment, index) => path[index] === segment);
}

/** One problem per issue, except unknown keys: one per key, with the key in the path. */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issues.flatMap((issue): Problem[] => {
    if (issue.code !== 'unrecognized_keys') return [{ path: issue.path, message: issue.message }];
    const messages = messagesPerKey(issue.message);
    return issue.keys.map((key, index) => ({
      path: [...issue.path, key],
      message: messages[index] ?? 'unknown key',
    }));
  });
}
