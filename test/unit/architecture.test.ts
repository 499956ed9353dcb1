// The boundaries a reader relies on: only src/providers/ knows a provider, and the repository
// stands alone (no comment or doc points at a file outside it).
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_PROVIDERS } from '../../src/providers/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** The repository's files under `paths`: committed or new, not ignored, still on disk. */
const tracked = (...paths: string[]): string[] =>
  execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '--', ...paths], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((file) => file !== '' && (statSync(join(ROOT, file), { throwIfNoEntry: false })?.isFile() ?? false));

/** `file:line: text` for every line of `files` that matches. */
function linesMatching(files: readonly string[], pattern: RegExp): string[] {
  return files.flatMap((file) =>
    readFileSync(join(ROOT, file), 'utf8')
      .split('\n')
      .flatMap((line, index) => (pattern.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
  );
}

describe('architecture', () => {
  it('the poller, telemetry and server never name a provider', () => {
    // The described provider is called `http`, a word every HTTP server says: the check is for the built-ins.
    const names = new RegExp(BUILT_IN_PROVIDERS.join('|'), 'i');
    expect(linesMatching(tracked('src/poller', 'src/telemetry', 'src/server'), names)).toEqual([]);
  });

  it('the check above would see a provider name', () => {
    expect(linesMatching(tracked('src/providers/index.ts'), new RegExp(BUILT_IN_PROVIDERS.join('|'), 'i')).length).toBeGreaterThan(0);
  });

  it('no tracked file cites a file outside the repository', () => {
    const outside = /contract\.md|counting-examples\.md|shared\/(spec|fixtures)|\.\.\/shared\b|(?<!docs\/)\bproviders\.md/i;
    const files = tracked('.').filter((file) => !/\.(png|jpg|ico|lock)$|package-lock\.json$/.test(file) && file !== 'test/unit/architecture.test.ts');
    expect(linesMatching(files, outside)).toEqual([]);
  });
});
