// PromQL checks for the dashboards' and alert rules' tests: parsing by the real promtool, and a
// small tokenizer that finds each series selector and the function applied to its range.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runPromtool } from '../../helpers/promtool.js';

/**
 * Parses every expression with `promtool check rules` (one recording rule each, in one run).
 * Resolves to promtool's complaints, each followed by the expression it is about; '' when all parse.
 */
export async function checkPromQL(exprs: readonly string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'promql-check-'));
  const file = join(dir, 'expressions.rules.yml');
  try {
    const rules = exprs.map((expr, index) => ({ record: recordName(index), expr }));
    await writeFile(file, stringify({ groups: [{ name: 'expressions', rules }] }));
    const { code, output } = await runPromtool(['check', 'rules', file]);
    if (code === 0) return '';
    const named = exprs.map((expr, index) => [recordName(index), expr] as const).filter(([name]) => output.includes(`"${name}"`));
    return [output.trim(), ...named.map(([name, expr]) => `${name}: ${expr}`)].join('\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function recordName(index: number): string {
  return `expression_${index}`;
}


export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface Selector {
  /** '' for a selector without a metric name, such as `{__name__=~"..."}`. */
  metric: string;
  matchers: Matcher[];
  /** The text between `[` and `]`, e.g. `$__rate_interval`, when the selector has a range. */
  range?: string;
  /** The function whose direct argument the range vector is (`rate` in `rate(x[5m])`). */
  rangeFunction?: string;
  /** The aggregations around the selector, innermost first. */
  within: Aggregation[];
}

/** `max by (a, b) (…)` is { operator: 'max', by: ['a', 'b'] }; `sum(…)` is { operator: 'sum', by: [] }. */
export interface Aggregation {
  operator: string;
  /** Undefined for `without (…)`. */
  by: string[] | undefined;
}

type Token =
  | { kind: 'name'; text: string }
  | { kind: 'braces' | 'brackets' | 'string' | 'number' | 'other'; text: string };

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless', 'atan2', 'inf', 'nan']);
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
/** Keywords followed by a parenthesised list of label names, not of expressions. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/**
 * Every series selector in `expr`, in order. A tokenizer, not a parser: it expects an expression
 * that parses (check that with checkPromQL) and Grafana variables only inside strings or ranges.
 */
export function selectorsIn(expr: string): Selector[] {
  const tokens = tokenize(expr);
  const selectors: Selector[] = [];
  /** Per open parenthesis: the function it calls, or the aggregation it is the argument of, if any. */
  const calls: Array<{ call?: string; aggregation?: Aggregation }> = [];
  /** `max by (a)` read, its `(` not yet. */
  let aggregation: Aggregation | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    if (token.kind === 'name' && LABEL_LIST_KEYWORDS.has(token.text.toLowerCase()) && next?.text === '(') {
      const close = tokens.findIndex((t, index) => index > i && t.text === ')');
      if (close < 0) break;
      const operator = tokens[i - 1]?.text.toLowerCase() ?? '';
      if (AGGREGATIONS.has(operator)) {
        const labels = tokens.slice(i + 2, close).filter((t) => t.kind === 'name').map((t) => t.text);
        aggregation = { operator, by: token.text.toLowerCase() === 'by' ? labels : undefined };
      }
      i = close;
      continue;
    }
    if (token.text === '(') {
      const previous = tokens[i - 1];
      const call = previous?.kind === 'name' && !KEYWORDS.has(previous.text.toLowerCase()) ? previous.text : undefined;
      if (aggregation !== undefined) calls.push({ aggregation });
      else if (call !== undefined && AGGREGATIONS.has(call.toLowerCase())) calls.push({ call, aggregation: { operator: call.toLowerCase(), by: [] } });
      else calls.push({ call });
      aggregation = undefined;
      continue;
    }
    if (token.text === ')') {
      calls.pop();
      continue;
    }
    const isAggregation = AGGREGATIONS.has(token.text.toLowerCase()) && ['by', 'without'].includes(next?.text.toLowerCase() ?? '');
    const isMetricName = token.kind === 'name' && next?.text !== '(' && !KEYWORDS.has(token.text.toLowerCase()) && !isAggregation;
    const isBareMatchers = token.kind === 'braces' && tokens[i - 1]?.kind !== 'name';
    if (!isMetricName && !isBareMatchers) continue;
    const within = calls.flatMap((open) => (open.aggregation ? [open.aggregation] : [])).reverse();
    const selector: Selector = { metric: isMetricName ? token.text : '', matchers: [], within };
    const startsAt = i;
    if (isBareMatchers) selector.matchers = parseMatchers(token.text);
    else if (next?.kind === 'braces') selector.matchers = parseMatchers(tokens[++i]!.text);
    if (tokens[i + 1]?.kind === 'brackets') {
      selector.range = tokens[++i]!.text.slice(1, -1).trim();
      const direct = tokens[startsAt - 1]?.text === '(' && tokens[i + 1]?.text === ')';
      const call = calls.at(-1)?.call;
      if (direct && call !== undefined) selector.rangeFunction = call;
    }
    selectors.push(selector);
  }
  return selectors;
}

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const rest = expr.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const char = expr[i]!;
    let match: RegExpExecArray | null;
    if (char === '{' || char === '[') {
      const end = closingIndex(expr, i, char === '{' ? '}' : ']');
      tokens.push({ kind: char === '{' ? 'braces' : 'brackets', text: expr.slice(i, end + 1) });
      i = end + 1;
    } else if (char === '"' || char === "'" || char === '`') {
      const end = stringEnd(expr, i);
      tokens.push({ kind: 'string', text: expr.slice(i, end + 1) });
      i = end + 1;
    } else if ((match = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest))) {
      tokens.push({ kind: 'name', text: match[0] });
      i += match[0].length;
    } else if ((match = /^(?:0x[0-9a-fA-F]+|\d[\w.]*(?:[eE][+-]?\d+)?|\.\d+)/.exec(rest))) {
      tokens.push({ kind: 'number', text: match[0] });
      i += match[0].length;
    } else {
      tokens.push({ kind: 'other', text: char });
      i += 1;
    }
  }
  return tokens;
}

/** Index of the `close` that ends the group opened at `start`, skipping quoted strings. */
function closingIndex(expr: string, start: number, close: string): number {
  for (let i = start + 1; i < expr.length; i++) {
    const char = expr[i]!;
    if (char === '"' || char === "'" || char === '`') i = stringEnd(expr, i);
    else if (char === close) return i;
  }
  throw new Error(`unclosed ${expr[start]} at ${start} in: ${expr}`);
}

function stringEnd(expr: string, start: number): number {
  const quote = expr[start];
  for (let i = start + 1; i < expr.length; i++) {
    if (expr[i] === '\\' && quote !== '`') i++;
    else if (expr[i] === quote) return i;
  }
  throw new Error(`unclosed string at ${start} in: ${expr}`);
}

function parseMatchers(braces: string): Matcher[] {
  const matcher = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/g;
  return [...braces.matchAll(matcher)].map((m) => ({ label: m[1]!, op: m[2] as Matcher['op'], value: m[3]!.slice(1, -1) }));
}
