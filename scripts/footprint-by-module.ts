// Where a running exporter's memory goes, by what it loads: a fresh process on the same Node (with
// the image's V8 flags) imports the compiled modules in the order `run` loads them and reports the
// RSS and V8 heap after each step. Run `npm run build` first; then
// `node --import tsx scripts/footprint-by-module.ts`. Prints a Markdown table (docs/performance.md).

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../src/runtime.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What `run` loads, cumulatively, third-party packages first, then the exporter's own layers. */
const STEPS: ReadonlyArray<[label: string, specifier: string]> = [
  ['what `--version` loads (its own files)', './dist/version.js'],
  ['pino (logs)', 'pino'],
  ['zod (config schema)', 'zod'],
  ['yaml', 'yaml'],
  ['node-cron', 'node-cron'],
  ['undici (provider HTTP client)', 'undici'],
  ['@opentelemetry/api, core, resources', '@opentelemetry/resources'],
  ['@opentelemetry/sdk-metrics', '@opentelemetry/sdk-metrics'],
  ['the config module (schemas, providers)', './dist/config/index.js'],
  ['the exporter (poller, telemetry, server)', './dist/app.js'],
];

const CHILD = `
const steps = JSON.parse(process.env.STEPS);
const mb = (bytes) => bytes / 1048576;
const rows = [['bare Node, ESM', mb(process.memoryUsage().rss), mb(process.memoryUsage().heapUsed)]];
for (const [label, specifier] of steps) {
  await import(specifier.startsWith('./') ? new URL(specifier, 'file://' + process.env.ROOT + '/').href : specifier);
  const usage = process.memoryUsage();
  rows.push([label, mb(usage.rss), mb(usage.heapUsed)]);
}
process.stdout.write(JSON.stringify(rows));
`;

const output = execFileSync(process.execPath, [...NODE_FLAGS, '--input-type=module', '-e', CHILD], {
  cwd: ROOT,
  env: { ...process.env, STEPS: JSON.stringify(STEPS), ROOT },
  encoding: 'utf8',
});
const rows = JSON.parse(output.slice(output.indexOf('['))) as Array<[string, number, number]>;
console.log('| after loading | RSS MB | + RSS | V8 heap used MB |');
console.log('| --- | ---: | ---: | ---: |');
let previous = rows[0]?.[1] ?? 0;
for (const [label, rss, heap] of rows) {
  console.log(`| ${label} | ${rss.toFixed(1)} | ${rss === previous ? '' : `+${(rss - previous).toFixed(1)}`} | ${heap.toFixed(1)} |`);
  previous = rss;
}
