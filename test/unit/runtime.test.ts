// The project brings its own Node (the exact `node` devDependency), so the suite must be running on
// a supported one; and an unsupported Node gets one line and exit 2 from the CLI, not a stack trace.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MINIMUM_NODE, NODE_FLAGS, unsupportedNode } from '../../src/runtime.js';
import { CLI_ENTRY, finished } from '../helpers/cli.js';
import { spawn } from 'node:child_process';

const run = promisify(execFile);
const read = (path: string) => readFileSync(join(import.meta.dirname, '..', '..', path), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  engines: { node: string };
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
};
const major = (version: string) => Number(version.split('.')[0]);

/** A Node older than the minimum: the one on PATH outside node_modules (CI machines keep Node 20), else Node 20 from the registry. */
async function olderNode(): Promise<string[]> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'node');
    if (dir.includes('node_modules') || !existsSync(candidate)) continue;
    const { stdout } = await run(candidate, ['-p', 'process.versions.node']);
    if (unsupportedNode(stdout.trim())) return [candidate];
  }
  return ['npm', 'exec', '--yes', '--package=node@20', '--', 'node'];
}

describe('the Node runtime', () => {
  it('the suite runs on the supported Node, and the pinned runtime is Node 24', () => {
    expect(unsupportedNode(process.versions.node)).toBeUndefined();
    expect(major(process.versions.node)).toBeGreaterThanOrEqual(22);
    expect(pkg.engines.node).toBe(`>=${MINIMUM_NODE}`);
    expect(pkg.devDependencies.node).toMatch(/^24\.\d+\.\d+$/);
  });

  it('every way the exporter is started passes the V8 flags of src/runtime.ts', () => {
    const flags = NODE_FLAGS.join(' ');
    expect(read('src/cli.ts').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
    expect(pkg.scripts.start).toBe(`node ${flags} dist/cli.js demo`);
    expect(read('Dockerfile')).toContain(`ENTRYPOINT ["node", ${NODE_FLAGS.map((flag) => `"${flag}"`).join(', ')}, "/app/dist/cli.js"]`);
    expect(read('bench/memory.ts')).toContain("spawn(process.execPath, [...NODE_FLAGS, '--expose-gc', CHILD");
  });

  it('names what is needed for an older Node', () => {
    expect(unsupportedNode('20.20.2')).toBe(`needs Node.js ${MINIMUM_NODE} or newer; this is Node.js 20.20.2`);
    expect(unsupportedNode('22.18.1')).toBeDefined();
    expect(unsupportedNode('22.19.0')).toBeUndefined();
    expect(unsupportedNode('24.0.0')).toBeUndefined();
    expect(unsupportedNode('26.1.0')).toBeUndefined();
  });

  it('started on an older Node, the CLI prints one line and exits 2', async () => {
    const [command, ...prefix] = await olderNode();
    for (const args of [['--version'], ['run', '--config', 'missing.yaml']]) {
      const child = spawn(command!, [...prefix, '--import', 'tsx', CLI_ENTRY, ...args], { env: { ...process.env, npm_config_yes: 'true' } });
      child.stdin.end();
      const { code, stdout, stderr } = await finished(child);
      expect(code, stderr).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(new RegExp(`^webhook-log-exporter: needs Node\\.js ${MINIMUM_NODE.replaceAll('.', '\\.')} or newer; this is Node\\.js 2[01]\\.\\d+\\.\\d+\\n$`));
    }
  }, 120_000);
});
