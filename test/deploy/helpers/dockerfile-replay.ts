// Replays a Dockerfile's build steps without a Docker engine: each stage gets a directory that stands
// for its filesystem root, WORKDIR/COPY/ENV/RUN act on it in order, and the rest (USER, ENTRYPOINT,
// CMD, owners from COPY --chown) is recorded. RUN commands execute on this machine (Debian + Node),
// with its node first on PATH, so a step that needs anything else fails here as it would in the image.
// Anything the replay cannot reproduce faithfully (variables, wildcards, RUN flags, ADD, ...) throws
// rather than being skipped, so the Dockerfile cannot drift beyond what the replay proves.
import { execFile } from 'node:child_process';
import { cp, copyFile, mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join, posix, relative } from 'node:path';
import { promisify } from 'node:util';
import { Copy, Env, type Instruction } from 'dockerfile-ast';
import type { IgnoreCheck } from './dockerfile-ignore.js';
import { execForm } from './dockerfile-rules.js';
import { parseStages, startsFromStage } from './dockerfile-stages.js';

const run = promisify(execFile);

export interface ReplayedStage {
  name: string;
  /** The directory standing for the stage's `/`. */
  root: string;
  /** The working directory as the image sees it (absolute, `/`-separated). */
  workdir: string;
  env: Record<string, string>;
  user: string | null;
  entrypoint: string[];
  cmd: string[];
  /** Image paths created by COPY --chown, with the owner they would get. */
  owners: Map<string, string>;
}

export interface ReplayOptions {
  dockerfile: string;
  /** The build context folder, and which of its paths .dockerignore leaves out. */
  context: string;
  ignored: IgnoreCheck;
  /** An empty folder to build the stages in. */
  workspace: string;
}

const HOST_NETWORK_VARIABLES = /^(HOME|NODE_EXTRA_CA_CERTS|(https?|no)_proxy)$/i;

/** Instructions that only describe the image; nothing to do on the filesystem. */
const METADATA = new Set(['ARG', 'LABEL', 'EXPOSE', 'VOLUME', 'STOPSIGNAL', 'HEALTHCHECK']);

export async function replayBuild(options: ReplayOptions): Promise<ReplayedStage[]> {
  const stages = parseStages(options.dockerfile);
  const done: ReplayedStage[] = [];
  for (const [index, stage] of stages.entries()) {
    if (startsFromStage(stage, stages.slice(0, index))) throw new Error(`replay: stage ${stage.name} starts FROM another stage; not supported`);
    const root = join(options.workspace, `${index}-${stage.name}`);
    await mkdir(root, { recursive: true });
    const replayed: ReplayedStage = { name: stage.name, root, workdir: '/', env: {}, user: null, entrypoint: [], cmd: [], owners: new Map() };
    for (const instruction of stage.instructions) await replayInstruction(instruction, replayed, done, options);
    done.push(replayed);
  }
  return done;
}

/** The environment RUN steps and the image's command see: this machine's node and npm, then the stage's ENV. */
export function stageEnvironment(stage: ReplayedStage): NodeJS.ProcessEnv {
  // HOME keeps npm's cache and user settings; proxies and extra CA certificates stand in for the build
  // host's network (npm's global config, which may name a CA file, follows node's prefix and is lost
  // when the tests run on another node, e.g. `npm run test:node22`).
  const host = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => HOST_NETWORK_VARIABLES.test(name)),
  );
  return { ...host, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, ...stage.env };
}

/** A path inside the stage's filesystem, as the container would resolve it. */
export function inStage(stage: ReplayedStage, imagePath: string): string {
  return join(stage.root, posix.resolve(stage.workdir, imagePath));
}

async function replayInstruction(instruction: Instruction, stage: ReplayedStage, earlier: ReplayedStage[], options: ReplayOptions): Promise<void> {
  const keyword = instruction.getKeyword();
  if (METADATA.has(keyword)) return;
  const content = instruction.getArgumentsContent() ?? '';
  if (keyword !== 'RUN' && content.includes('$')) throw new Error(`replay: variables are not supported: ${keyword} ${content}`);
  switch (keyword) {
    case 'WORKDIR':
      stage.workdir = posix.resolve(stage.workdir, content);
      await mkdir(inStage(stage, '.'), { recursive: true });
      return;
    case 'ENV':
      for (const property of (instruction as Env).getProperties()) stage.env[property.getName()] = property.getValue() ?? '';
      return;
    case 'USER':
      stage.user = content;
      return;
    case 'ENTRYPOINT':
    case 'CMD': {
      const argv = execForm(instruction) ?? ['/bin/sh', '-c', content];
      if (keyword === 'ENTRYPOINT') stage.entrypoint = argv;
      else stage.cmd = argv;
      return;
    }
    case 'COPY':
      return replayCopy(instruction as Copy, stage, earlier, options);
    case 'RUN':
      return replayRun(instruction, stage);
    default:
      throw new Error(`replay: ${keyword} is not supported`);
  }
}

async function replayRun(instruction: Instruction, stage: ReplayedStage): Promise<void> {
  const content = instruction.getArgumentsContent() ?? '';
  if (content.trimStart().startsWith('--')) throw new Error(`replay: RUN flags are not supported: ${content}`);
  const [file, ...args] = execForm(instruction) ?? ['sh', '-c', content];
  try {
    await run(file!, args, { cwd: inStage(stage, '.'), env: stageEnvironment(stage), maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`replay: RUN ${content} failed in stage ${stage.name}:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

async function replayCopy(copy: Copy, stage: ReplayedStage, earlier: ReplayedStage[], options: ReplayOptions): Promise<void> {
  const flags = new Map(copy.getFlags().map((flag) => [flag.getName(), flag.getValue() ?? '']));
  const unsupported = [...flags.keys()].filter((name) => name !== 'from' && name !== 'chown');
  if (unsupported.length > 0) throw new Error(`replay: COPY --${unsupported.join(', --')} is not supported`);
  const paths = copy.getArguments().map((argument) => argument.getValue());
  const destination = paths.pop();
  if (!destination || paths.length === 0 || paths.some((path) => /[*?[]/.test(path))) {
    throw new Error(`replay: COPY ${copy.getArgumentsContent()} needs plain sources and a destination`);
  }
  const fromName = flags.get('from');
  const fromStage = fromName === undefined ? undefined : earlier.find((s) => s.name === fromName.toLowerCase());
  if (fromName !== undefined && !fromStage) throw new Error(`replay: COPY --from=${fromName} names no earlier stage`);

  const target = inStage(stage, destination);
  const intoFolder = destination.endsWith('/') || paths.length > 1 || (await isDirectory(target));
  const targetExisted = await exists(target);
  for (const path of paths) {
    const source = fromStage ? join(fromStage.root, posix.resolve('/', path)) : await contextSource(path, options);
    const filter = fromStage ? undefined : (file: string) => !options.ignored(relative(options.context, file));
    if (await isDirectory(source)) {
      // Like Docker: a folder's contents, not the folder itself, land at the destination.
      await cp(source, target, { recursive: true, verbatimSymlinks: true, filter });
    } else {
      const file = intoFolder ? join(target, basename(source)) : target;
      await mkdir(dirname(file), { recursive: true });
      await copyFile(source, file);
    }
  }
  const owner = flags.get('chown');
  if (owner !== undefined && !targetExisted) stage.owners.set(posix.resolve(stage.workdir, destination), owner);
}

/** A COPY source from the build context: it must exist and .dockerignore must not leave it out. */
async function contextSource(path: string, options: ReplayOptions): Promise<string> {
  const relativePath = posix.normalize(path).replace(/^\/+/, '');
  if (relativePath.startsWith('..')) throw new Error(`replay: COPY source ${path} is outside the build context`);
  const source = join(options.context, relativePath);
  if (!(await exists(source))) throw new Error(`replay: COPY source ${path} is not in the build context`);
  if (options.ignored(relativePath)) throw new Error(`replay: COPY source ${path} is excluded by .dockerignore`);
  return source;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}
