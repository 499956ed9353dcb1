// The container image without a Docker engine: the Dockerfile is linted (dockerfile-utils and the
// project's own rules, each shown to catch its mistake), then its build steps are replayed in a
// temporary folder and the runtime stage is run the way the image's ENTRYPOINT and CMD would run it.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDockerignore } from './helpers/dockerfile-ignore.js';
import { inStage, replayBuild, stageEnvironment, type ReplayedStage } from './helpers/dockerfile-replay.js';
import { dockerignoreProblems, imageRuleProblems, lintProblems } from './helpers/dockerfile-rules.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const DOCKERIGNORE = readFileSync(join(ROOT, '.dockerignore'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
const ENTRYPOINT = 'ENTRYPOINT ["node", "--max-semi-space-size=8", "/app/dist/cli.js"]';
const LOCKFILE = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
/** Two `npm ci` runs against the registry and a TypeScript build. */
const REPLAY_TIMEOUT_MS = 240_000;

/** Replaces the first `from`, failing loudly if the Dockerfile no longer contains it. */
function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`the Dockerfile no longer contains ${JSON.stringify(from)}; update this mutation`);
  return text.replace(from, to);
}

describe('Dockerfile lint', () => {
  it('passes dockerfile-utils with every check raised to an error', () => {
    expect(lintProblems(DOCKERFILE)).toEqual([]);
  });

  it.each([
    ['a relative WORKDIR', edit(DOCKERFILE, 'WORKDIR /app', 'WORKDIR app'), /WORKDIR paths should be absolute/],
    ['a second CMD', `${DOCKERFILE}CMD ["demo"]\n`, /only be one CMD instruction/],
    ['a lower-case instruction', edit(DOCKERFILE, 'EXPOSE 9464', 'expose 9464'), /uppercase/i],
    ['a COPY flag typo', edit(DOCKERFILE, 'COPY --from=build --chown', 'COPY --from=build --chwon'), /Unknown flag: chwon/],
  ])('dockerfile-utils reports %s', (_, mutant, problem) => {
    expect(lintProblems(mutant)).toContainEqual(expect.stringMatching(problem));
  });

  it('meets the image rules', () => {
    expect(imageRuleProblems(DOCKERFILE)).toEqual([]);
  });

  const runtimeFrom = 'FROM node:24-bookworm-slim AS runtime';
  const buildFrom = 'FROM node:24-bookworm-slim AS build';
  it.each([
    ['a single stage', DOCKERFILE.slice(DOCKERFILE.indexOf(runtimeFrom)), /at least two stages/],
    ['a root USER', edit(DOCKERFILE, 'USER 10001:10001', 'USER 0:0'), /USER 0:0 is root/],
    ['a USER name', edit(DOCKERFILE, 'USER 10001:10001', 'USER node'), /USER node is not numeric/],
    ['no USER', edit(DOCKERFILE, 'USER 10001:10001\n', ''), /sets no USER/],
    ['another NODE_ENV', edit(DOCKERFILE, 'ENV NODE_ENV=production', 'ENV NODE_ENV=development'), /NODE_ENV=production/],
    ['another port', edit(DOCKERFILE, 'EXPOSE 9464', 'EXPOSE 8080'), /does not EXPOSE 9464/],
    ['npm as the process', edit(DOCKERFILE, ENTRYPOINT, 'ENTRYPOINT ["npm", "start"]'), /runs npm, not node/],
    ['a shell-form ENTRYPOINT', edit(DOCKERFILE, ENTRYPOINT, 'ENTRYPOINT node /app/dist/cli.js'), /ENTRYPOINT is in shell form/],
    ['another licence', edit(DOCKERFILE, 'licenses="Apache-2.0"', 'licenses="MIT"'), /image\.licenses="MIT"/],
    ['a missing label', edit(DOCKERFILE, '      org.opencontainers.image.version="${VERSION}" \\\n', ''), /image\.version is missing/],
    ['a hard-coded version', edit(DOCKERFILE, '"${VERSION}"', '"0.1.0"'), /image\.version="0\.1\.0" is not a build ARG/],
    ['Node 20', edit(DOCKERFILE, runtimeFrom, 'FROM node:20-bookworm-slim AS runtime'), /not a Node 22 or 24 slim or distroless/],
    ['a full (not slim) image', edit(DOCKERFILE, buildFrom, 'FROM node:24-bookworm AS build'), /node:24-bookworm is not a Node 22 or 24/],
    ['the latest tag', edit(DOCKERFILE, buildFrom, 'FROM node:latest AS build'), /uses the latest tag/],
    ['no tag', edit(DOCKERFILE, buildFrom, 'FROM node AS build'), /has no tag, which means latest/],
    ['ADD from a URL', edit(DOCKERFILE, 'WORKDIR /app\n', 'WORKDIR /app\nADD https://example.com/tool.tgz /tmp/\n'), /ADD fetches a URL/],
    ['a secret build arg', edit(DOCKERFILE, 'ARG VERSION\n', 'ARG VERSION\nARG BAANX_TOKEN\n'), /BAANX_TOKEN looks like a secret/],
  ])('reports %s', (_, mutant, problem) => {
    expect(imageRuleProblems(mutant)).toContainEqual(expect.stringMatching(problem));
  });

  it('accepts Node 22 and a digest pin', () => {
    const digest = `sha256:${'0'.repeat(64)}`;
    const mutant = edit(DOCKERFILE, runtimeFrom, `FROM node:22-bookworm-slim@${digest} AS runtime`);
    expect(imageRuleProblems(mutant)).toEqual([]);
    expect(lintProblems(mutant)).toEqual([]);
  });

  it('keeps node_modules, dist, .git, tests and secrets out of the build context', () => {
    expect(dockerignoreProblems(parseDockerignore(DOCKERIGNORE))).toEqual([]);
    const withoutAllowList = edit(DOCKERIGNORE, '\n*\n', '\n');
    expect(dockerignoreProblems(parseDockerignore(withoutAllowList))).toEqual([
      '.dockerignore lets node_modules/vitest/package.json into the build context',
      '.dockerignore lets dist/cli.js into the build context',
      '.dockerignore lets .git/config into the build context',
      '.dockerignore lets test/e2e/cli.test.ts into the build context',
      '.dockerignore lets .env into the build context',
      '.dockerignore lets .npmrc into the build context',
    ]);
  });

  it('reads .dockerignore as Docker does: last match wins, a folder covers its contents, ** spans folders', () => {
    const ignored = parseDockerignore('# comment\n*\n!src/\nsrc/**/*.map\n/docs\n');
    expect(['src/cli.ts', 'src/config/load.ts'].filter(ignored)).toEqual([]);
    expect(['README.md', 'src/config/load.js.map', 'src/a.map', 'docs/runbook.md', 'dist/cli.js'].every(ignored)).toBe(true);
  });
});

describe('Dockerfile build-step replay', () => {
  let workspace: string | undefined;
  let runtime: ReplayedStage;

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'dockerfile-replay-'));
    const stages = await replayBuild({ dockerfile: DOCKERFILE, context: ROOT, ignored: parseDockerignore(DOCKERIGNORE), workspace });
    runtime = stages.at(-1)!;
  }, REPLAY_TIMEOUT_MS);

  afterAll(async () => {
    if (workspace) await rm(workspace, { recursive: true, force: true });
  });

  it('ships package.json, the production dependencies and dist, nothing else', async () => {
    expect((await readdir(inStage(runtime, '.'))).sort()).toEqual(['dist', 'node_modules', 'package.json']);
    const missing = Object.keys(PACKAGE.dependencies).filter((name) => !existsSync(inStage(runtime, `node_modules/${name}/package.json`)));
    expect(missing).toEqual([]);
    const devPackages = Object.entries(LOCKFILE.packages).filter(([path, entry]) => path !== '' && entry.dev);
    expect(devPackages.map(([path]) => path)).toEqual(expect.arrayContaining(['node_modules/vitest', 'node_modules/typescript', 'node_modules/nock']));
    const shipped = devPackages.map(([path]) => path).filter((path) => existsSync(inStage(runtime, path)));
    expect(shipped).toEqual([]);
  });

  it('has the entry point the ENTRYPOINT names, readable by the non-root USER', async () => {
    expect(runtime.user).toMatch(/^[1-9]\d*:\d+$/);
    expect((await stat(inStage(runtime, runtime.entrypoint.at(-1)!))).isFile()).toBe(true);
    // COPY keeps the files root-owned, so the exporter's user reads them through the "other" bits.
    const unreadable: string[] = [];
    for (const path of await readdir(inStage(runtime, '.'), { recursive: true })) {
      const info = await stat(inStage(runtime, String(path)));
      const needed = info.isDirectory() ? 0o005 : 0o004;
      if ((info.mode & needed) !== needed) unreadable.push(String(path));
    }
    expect(unreadable).toEqual([]);
  });

  it('creates the state directory, owned by the USER', async () => {
    const stateDirectory = '/var/lib/webhook-log-exporter';
    expect((await stat(inStage(runtime, stateDirectory))).isDirectory()).toBe(true);
    expect(runtime.owners.get(stateDirectory)).toBe(runtime.user);
  });

  it("prints package.json's version", async () => {
    const result = await runInImage(runtime, [...runtime.entrypoint, '--version']);
    expect(result).toEqual({ code: 0, stdout: `${PACKAGE.version}\n`, stderr: '' });
  });

  it('accepts a config mounted where the CMD reads it (check-config)', async () => {
    expect(runtime.cmd[0]).toBe('run');
    const configPath = runtime.cmd[runtime.cmd.indexOf('--config') + 1]!;
    const configFile = inStage(runtime, configPath);
    // What the Kubernetes ConfigMap and Secret mounts would provide.
    await mkdir(join(dirname(configFile), 'secrets'), { recursive: true });
    await writeFile(join(dirname(configFile), 'secrets', 'baanx-token'), 'replay-token\n');
    await writeFile(
      configFile,
      [
        'sources:',
        '  - name: baanx-replay',
        '    provider: baanx',
        '    auth: { bearerTokenFile: secrets/baanx-token }',
        '    webhooks: ["770e8400-e29b-41d4-a716-446655440002"]',
        '',
      ].join('\n'),
    );
    const result = await runInImage(runtime, [...runtime.entrypoint, 'check-config', ...runtime.cmd.slice(1)]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('config OK: 1 source(s), serving on 0.0.0.0:9464');
    expect(result.code).toBe(0);
  });
});

describe('Dockerfile build-step replay of COPY sources', () => {
  it.each([
    ['one that .dockerignore leaves out', 'COPY test ./test', /COPY source test is excluded by \.dockerignore/],
    ['one missing from the context', 'COPY no-such-file ./', /COPY source no-such-file is not in the build context/],
  ])('refuses %s', async (_, copy, problem) => {
    const workspace = await mkdtemp(join(tmpdir(), 'dockerfile-replay-'));
    try {
      const dockerfile = `FROM node:24-bookworm-slim\nWORKDIR /app\n${copy}\n`;
      await expect(replayBuild({ dockerfile, context: ROOT, ignored: parseDockerignore(DOCKERIGNORE), workspace })).rejects.toThrow(problem);
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  });
});

/** Runs argv as the container would: the stage's working directory and ENV, its paths inside the stage. */
async function runInImage(stage: ReplayedStage, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [file, ...args] = argv.map((argument) => (argument.startsWith('/') ? inStage(stage, argument) : argument));
  return new Promise((resolve) => {
    execFile(file!, args, { cwd: inStage(stage, '.'), env: stageEnvironment(stage) }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
