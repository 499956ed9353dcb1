// Rounds, medians and the one results table every benchmark reports into.

import v8 from 'node:v8';
import vm from 'node:vm';

export interface Row {
  benchmark: string;
  measure: string;
  ours: string;
  baseline: string;
  ratio: string;
  target: string;
  verdict: 'PASS' | 'FAIL' | 'info';
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Milliseconds one call of `fn` takes, by the monotonic clock. */
export async function timeMs(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Runs `ours` and `baseline` once per round, alternating which goes first so that neither always
 * meets a warmer JIT or a fresher heap; returns the median of each. Round 0 is warm-up, not kept.
 */
export async function sideBySide(
  rounds: number,
  ours: (round: number) => Promise<number>,
  baseline: (round: number) => Promise<number>,
): Promise<{ ours: number; baseline: number }> {
  const oursRuns: number[] = [];
  const baselineRuns: number[] = [];
  for (let round = 0; round <= rounds; round++) {
    const [first, second] = round % 2 === 0 ? [ours, baseline] : [baseline, ours];
    const a = await first(round);
    const b = await second(round);
    if (round === 0) continue;
    oursRuns.push(round % 2 === 0 ? a : b);
    baselineRuns.push(round % 2 === 0 ? b : a);
  }
  return { ours: median(oursRuns), baseline: median(baselineRuns) };
}

export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc ?? exposeGc();
  gc();
  gc(); // a second pass collects what the first one's finalizers released
}

/** Without --expose-gc (a vitest worker), V8 can still be asked for gc() from a fresh context. */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

export const MB = 1024 * 1024;

export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return String(value);
  return value >= 1000 ? Math.round(value).toLocaleString('en-US') : value.toFixed(digits);
}

export function ratio(value: number): string {
  return `${value.toFixed(2)}×`;
}

export function verdict(pass: boolean): 'PASS' | 'FAIL' {
  return pass ? 'PASS' : 'FAIL';
}

const COLUMNS: Array<[keyof Row, string]> = [
  ['benchmark', 'benchmark'],
  ['measure', 'measure'],
  ['ours', 'ours'],
  ['baseline', 'baseline'],
  ['ratio', 'ratio'],
  ['target', 'target'],
  ['verdict', 'result'],
];

/** A Markdown table, readable in a terminal and pasteable into docs/performance.md. */
export function renderTable(rows: readonly Row[]): string {
  return markdownTable(
    COLUMNS.map(([, title]) => title),
    rows.map((row) => COLUMNS.map(([key]) => row[key])),
  );
}

/** Any Markdown table, columns padded to their widest cell. */
export function markdownTable(titles: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = titles.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${widths.map((width, i) => (cells[i] ?? '').padEnd(width)).join(' | ')} |`;
  return [line(titles), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
