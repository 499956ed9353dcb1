// Text to a plain document. Error messages give line and column but never quote the text: it may hold secrets.
import YAML from 'yaml';
import { ConfigError } from './problems.js';

export type ConfigFormat = 'yaml' | 'json';

/** The parsed document; throws ConfigError for a syntax error or an empty document. */
export function parseConfigText(text: string, format: ConfigFormat, fileName: string): unknown {
  const document = format === 'json' ? parseJson(text, fileName) : parseYaml(text, fileName);
  if (document === null || document === undefined) throw new ConfigError(['(root): config is empty']);
  return document;
}

function parseYaml(text: string, fileName: string): unknown {
  const document = YAML.parseDocument(text, { prettyErrors: false });
  const error = document.errors[0];
  if (error !== undefined) throw syntaxError(fileName, 'YAML', text, error.pos[0], error.message);
  try {
    return document.toJS();
  } catch (cause) {
    // e.g. too many aliases (a "billion laughs" document)
    throw new ConfigError([`${fileName}: YAML error: ${(cause as Error).message}`]);
  }
}

function parseJson(text: string, fileName: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    const { reason, offset } = describeJsonError((cause as Error).message, text);
    throw syntaxError(fileName, 'JSON', text, offset, reason);
  }
}

/**
 * V8 names the offending token and quotes the text around it, and gives an offset only for some errors.
 * Keep the reason, drop the quote; when V8 gives no offset, the YAML parser (JSON is YAML) usually finds it.
 */
function describeJsonError(message: string, text: string): { reason: string; offset: number | undefined } {
  const reason = (message.split('"')[0] ?? '')
    .replace(/[,. ]+$/, '')
    .replace(/ (in|after) JSON at position \d+.*$/s, (_, where: string) => (where === 'after' ? ' after JSON' : ''));
  const position = /at position (\d+)/.exec(message)?.[1];
  const offset = position !== undefined ? Number(position) : YAML.parseDocument(text, { schema: 'json', prettyErrors: false }).errors[0]?.pos[0];
  return { reason, offset };
}

function syntaxError(fileName: string, language: string, text: string, offset: number | undefined, reason: string): ConfigError {
  if (offset === undefined) return new ConfigError([`${fileName}: ${language} syntax error: ${reason}`]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return new ConfigError([`${fileName}: ${language} syntax error at line ${line}, column ${column}: ${reason}`]);
}
