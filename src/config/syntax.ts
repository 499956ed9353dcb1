// Text to a plain document. Error messages give line and column but never quote the text: it may hold secrets.
import YAML from 'yaml';
import { ConfigError } from './problems.js';

export type ConfigFormat = 'yaml' | 'json';

/** Far deeper than any config (about 6 levels), far shallower than what would overflow the stack. */
export const MAX_DEPTH = 64;

/** The parsed document; throws ConfigError for a syntax error, an empty document or absurd nesting. */
export function parseConfigText(text: string, format: ConfigFormat, fileName: string): unknown {
  const document = format === 'json' ? parseJson(text, fileName) : parseYaml(text, fileName);
  if (document === null || document === undefined) throw new ConfigError(['(root): config is empty']);
  // Every later step walks the document recursively: refuse depth here, with a loop.
  if (deeperThan(document, MAX_DEPTH)) throw new ConfigError([`${fileName}: nested more than ${MAX_DEPTH} levels deep`]);
  return document;
}

function deeperThan(document: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[document, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== 'object') continue;
    if (depth >= limit) return true;
    for (const item of Object.values(value)) stack.push([item, depth + 1]);
  }
  return false;
}

/**
 * The YAML parser's own words, up to where it would quote the text (an unresolved alias, a tag, a
 * block scalar header follow a ": " or sit in quotes): that text may be a secret. Line and column
 * say where.
 */
function yamlReason(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const prose = (message.split(/: |["'`]/, 1)[0] ?? '').trim();
  if (prose !== '') return prose;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code.toLowerCase().replaceAll('_', ' ') : 'the document cannot be read as YAML';
}

function parseYaml(text: string, fileName: string): unknown {
  const document = YAML.parseDocument(text, { prettyErrors: false });
  const error = document.errors[0];
  if (error !== undefined) throw syntaxError(fileName, 'YAML', text, error.pos[0], yamlReason(error));
  try {
    return document.toJS();
  } catch (cause) {
    // e.g. too many aliases (a "billion laughs" document), or an alias to an undefined anchor
    const reason = /alias count/i.test((cause as Error).message) ? 'too many aliases (*name): the document would expand without bound' : yamlReason(cause);
    throw new ConfigError([`${fileName}: YAML error: ${reason}`]);
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
    // The token is one character of the text: an invisible one (a line separator, say) is named by its code point.
    .replace(/'(.)'/su, (quoted, token: string) => (/^[!-~]$/.test(token) ? quoted : `U+${token.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`))
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
