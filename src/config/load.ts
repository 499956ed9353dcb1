// Text or file to a resolved ExporterConfig: parse, substitute ${VAR}, validate, read secret files.
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { substituteEnv } from './env.js';
import { friendlyMessage } from './messages.js';
import { ConfigError, isWithin, issuesToProblems, renderProblem } from './problems.js';
import { createConfigSchema, type ExporterConfig } from './schema.js';
import { parseConfigText, type ConfigFormat } from './syntax.js';

export interface ParseConfigOptions {
  format: ConfigFormat;
  /** Where `${VAR}` values come from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Relative secret and state file paths are resolved against this; defaults to the working directory. */
  baseDir?: string;
  /** Names the text in syntax errors; defaults to "config". */
  fileName?: string;
}

/** Reads and resolves a YAML (or, for `.json`, JSON) config file; throws ConfigError listing every problem. */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ExporterConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ConfigError([`cannot read config file ${file}: ${(cause as NodeJS.ErrnoException).code ?? 'unknown error'}`]);
  }
  const format = extname(file).toLowerCase() === '.json' ? 'json' : 'yaml';
  return parseConfig(text, { format, env, baseDir: dirname(resolve(file)), fileName: file });
}

/** As loadConfig, from text. */
export async function parseConfig(text: string, options: ParseConfigOptions): Promise<ExporterConfig> {
  const { format, env = process.env, baseDir = process.cwd(), fileName = 'config' } = options;
  const substituted = substituteEnv(parseConfigText(text, format, fileName), env);
  const schema = createConfigSchema({ baseDir });
  const result = await schema.safeParseAsync(substituted.value, { error: friendlyMessage });
  // A value whose variable is unset was replaced by "", which the schema then rejects: report only the variable.
  const schemaProblems = result.success
    ? []
    : issuesToProblems(result.error.issues).filter(
        (problem) => !substituted.problems.some((envProblem) => isWithin(problem.path, envProblem.path)),
      );
  const problems = [...substituted.problems, ...schemaProblems];
  if (problems.length > 0 || !result.success) throw new ConfigError(problems.map(renderProblem));
  return result.data;
}
