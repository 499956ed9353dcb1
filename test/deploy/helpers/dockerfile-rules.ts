// What the project asks of its container image (issue 5), checked on the Dockerfile's syntax tree,
// plus dockerfile-utils' own validation with every check raised to an error.
import { Arg, Env, JSONInstruction, Label, type Instruction } from 'dockerfile-ast';
import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import type { IgnoreCheck } from './dockerfile-ignore.js';
import { parseStages, startsFromStage, type BuildStage } from './dockerfile-stages.js';

const EVERY_CHECK_AN_ERROR: Required<ValidatorSettings> = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

/** dockerfile-utils' findings, as "line N: message". */
export function lintProblems(dockerfile: string): string[] {
  return validate(dockerfile, EVERY_CHECK_AN_ERROR).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
}

export const METRICS_PORT = '9464';

/** Labels the runtime image carries; `null` means "from a build ARG", since only the build knows it. */
const OCI_LABELS: Record<string, RegExp | null> = {
  'org.opencontainers.image.title': /^webhook-log-exporter$/,
  'org.opencontainers.image.description': /\S/,
  'org.opencontainers.image.source': /^https:\/\/\S+$/,
  'org.opencontainers.image.licenses': /^Apache-2\.0$/,
  'org.opencontainers.image.version': null,
  'org.opencontainers.image.revision': null,
  'org.opencontainers.image.created': null,
};

/** Node 22 or 24, slim or distroless: an LTS release with a small attack surface. */
const ALLOWED_BASE = /^(?:(?:docker\.io\/)?(?:library\/)?node:(?:22|24)(?:\.\d+)*-\S*slim\S*|gcr\.io\/distroless\/nodejs(?:22|24)-\S+)$/;
const SECRET_NAME = /TOKEN|SECRET|PASSW|API_?KEY|PRIVATE_?KEY|CREDENTIAL/i;
const REMOTE_SOURCE = /^(?:https?|git|ssh):\/\/|^git@/i;

/** Every way the Dockerfile falls short of the project's image rules; empty when it meets them all. */
export function imageRuleProblems(dockerfile: string): string[] {
  const stages = parseStages(dockerfile);
  const runtime = stages.at(-1);
  if (!runtime) return ['the Dockerfile has no FROM'];
  const problems: string[] = [];
  if (stages.length < 2) problems.push('needs at least two stages (build, then runtime), found 1');
  stages.forEach((stage, index) => problems.push(...baseImageProblems(stage, stages.slice(0, index))));
  for (const stage of stages) problems.push(...addUrlProblems(stage), ...secretNameProblems(stage));
  problems.push(
    ...userProblems(runtime),
    ...nodeEnvProblems(runtime),
    ...exposeProblems(runtime),
    ...commandProblems(runtime),
    ...labelProblems(runtime),
  );
  return problems;
}

/** Paths the build context must never carry: bulky, host-specific, or secret. */
const MUST_BE_IGNORED = ['node_modules/vitest/package.json', 'dist/cli.js', '.git/config', 'test/e2e/cli.test.ts', '.env', '.npmrc'];

export function dockerignoreProblems(ignored: IgnoreCheck): string[] {
  return MUST_BE_IGNORED.filter((path) => !ignored(path)).map((path) => `.dockerignore lets ${path} into the build context`);
}

function baseImageProblems(stage: BuildStage, earlier: BuildStage[]): string[] {
  if (startsFromStage(stage, earlier)) return [];
  const image = stage.from.getImage() ?? '';
  const tag = stage.from.getImageTag();
  if (tag === null && stage.from.getImageDigest() === null) return [`stage ${stage.name}: ${image} has no tag, which means latest`];
  if (tag === 'latest') return [`stage ${stage.name}: ${image} uses the latest tag`];
  const withoutDigest = image.replace(/@.*$/, '');
  return ALLOWED_BASE.test(withoutDigest) ? [] : [`stage ${stage.name}: ${image} is not a Node 22 or 24 slim or distroless image`];
}

function addUrlProblems(stage: BuildStage): string[] {
  return ofKeyword(stage, 'ADD')
    .filter((add) => add.getArguments().some((argument) => REMOTE_SOURCE.test(argument.getValue())))
    .map((add) => `stage ${stage.name}: ADD fetches a URL (${add.getArgumentsContent()}); download in a RUN with a checksum instead`);
}

/** Build args and env values end up in the image's metadata, readable by anyone who pulls it. */
function secretNameProblems(stage: BuildStage): string[] {
  const names = stage.instructions.flatMap((instruction) =>
    instruction instanceof Arg || instruction instanceof Env ? instruction.getProperties().map((p) => p.getName()) : [],
  );
  return names.filter((name) => SECRET_NAME.test(name)).map((name) => `stage ${stage.name}: ${name} looks like a secret baked into the image`);
}

function userProblems(runtime: BuildStage): string[] {
  const user = ofKeyword(runtime, 'USER').at(-1)?.getArgumentsContent();
  if (!user) return ['the runtime stage sets no USER, so it runs as root'];
  const match = /^(\d+)(?::\d+)?$/.exec(user);
  if (!match) return [`USER ${user} is not numeric (uid or uid:gid), so runAsNonRoot cannot verify it`];
  return Number(match[1]) === 0 ? [`USER ${user} is root`] : [];
}

function nodeEnvProblems(runtime: BuildStage): string[] {
  const values = runtime.instructions.flatMap((instruction) =>
    instruction instanceof Env ? instruction.getProperties().filter((p) => p.getName() === 'NODE_ENV').map((p) => p.getValue()) : [],
  );
  return values.at(-1) === 'production' ? [] : [`the runtime stage does not set NODE_ENV=production (found ${values.at(-1) ?? 'none'})`];
}

function exposeProblems(runtime: BuildStage): string[] {
  const ports = ofKeyword(runtime, 'EXPOSE').flatMap((expose) => expose.getArguments().map((a) => a.getValue()));
  return ports.some((port) => port === METRICS_PORT || port === `${METRICS_PORT}/tcp`) ? [] : [`the runtime stage does not EXPOSE ${METRICS_PORT}`];
}

/** The process is node itself, so that SIGTERM reaches the exporter (npm and sh do not pass it on). */
function commandProblems(runtime: BuildStage): string[] {
  const entrypoint = ofKeyword(runtime, 'ENTRYPOINT').at(-1);
  const cmd = ofKeyword(runtime, 'CMD').at(-1);
  const problems = [entrypoint, cmd]
    .filter((instruction) => instruction !== undefined && execForm(instruction) === null)
    .map((instruction) => `${instruction!.getKeyword()} is in shell form, so sh, not node, receives SIGTERM`);
  if (problems.length > 0) return problems;
  const argv = [...(entrypoint ? execForm(entrypoint)! : []), ...(cmd ? execForm(cmd)! : [])];
  if (argv.length === 0) return ['the runtime stage has neither ENTRYPOINT nor CMD'];
  return argv[0] === 'node' ? [] : [`the container runs ${argv[0]}, not node`];
}

function labelProblems(runtime: BuildStage): string[] {
  const labels = new Map<string, string>();
  for (const instruction of runtime.instructions) {
    if (instruction instanceof Label) for (const p of instruction.getProperties()) labels.set(p.getName(), p.getValue() ?? '');
  }
  const args = new Set(runtime.instructions.flatMap((i) => (i instanceof Arg ? i.getProperties().map((p) => p.getName()) : [])));
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(OCI_LABELS)) {
    const value = labels.get(name);
    if (value === undefined) problems.push(`label ${name} is missing`);
    else if (expected && !expected.test(value)) problems.push(`label ${name}="${value}" does not match ${expected}`);
    else if (!expected && !args.has(/^\$\{?(\w+)\}?$/.exec(value)?.[1] ?? '')) problems.push(`label ${name}="${value}" is not a build ARG of the runtime stage`);
  }
  return problems;
}

function ofKeyword(stage: BuildStage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.getKeyword() === keyword);
}

/** The argv of an exec-form (JSON) instruction, or null for shell form. */
export function execForm(instruction: Instruction): string[] | null {
  if (!(instruction instanceof JSONInstruction)) return null;
  const strings = instruction.getJSONStrings();
  return strings.length > 0 ? strings.map((s) => s.getJSONValue()) : null;
}
