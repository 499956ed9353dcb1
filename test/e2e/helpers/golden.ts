// Golden files per provider, in the style of json_exporter's test/response/good.txt and the OTel
// collector's testdata/apiresponses → expected_metrics: a scenario's recorded API responses go
// through the real exporter, and its exposition is compared with the scenario's expected.prom.
// Shared by test/e2e/golden.test.ts and scripts/update-golden.ts (`npm run golden:update`), so the
// files the script writes are exactly what the test compares. test/testdata/README.md has the layout.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExporter } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { createAdapter } from '../../../src/providers/index.js';
import { createLogger } from '../../../src/logger.js';
import { parseExposition, type Sample } from '../../helpers/exposition.js';

export const TESTDATA_DIR = fileURLToPath(new URL('../../testdata/', import.meta.url));

export interface Scenario {
  /** `<provider>/<scenario>`, e.g. `salesfinity/paging`. */
  id: string;
  dir: string;
  expectedFile: string;
}

/** Every `test/testdata/<provider>/<scenario>/` folder. */
export function discoverScenarios(root = TESTDATA_DIR): Scenario[] {
  const folders = (dir: string) => readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  return folders(root).flatMap((provider) =>
    folders(join(root, provider)).map((name) => {
      const dir = join(root, provider, name);
      return { id: `${provider}/${name}`, dir, expectedFile: join(dir, 'expected.prom') };
    }),
  );
}

/**
 * Runs a scenario: serves its response files on loopback, builds the exporter from its config.yaml,
 * polls as many times as the files say, and returns the raw exposition. Throws when the exporter
 * asked for something the scenario has no file for, or left a file unread: either way the files no
 * longer describe what the exporter does, and the exposition would not mean what the scenario says.
 */
export async function runScenario(scenario: Scenario): Promise<string> {
  const files = readdirSync(scenario.dir).filter((file) => file.endsWith('.json') && !file.endsWith('.headers.json'));
  const byPoll = files.some((file) => file.startsWith('poll-'));
  const paged = files.some((file) => /(^|\.)page-\d+\.json$/.test(file));
  const polls = Math.max(1, ...files.map((file) => Number(/^poll-(\d+)/.exec(file)?.[1] ?? 1)));
  const requested = new Set<string>();
  const unexpected: string[] = [];
  let poll = 1;
  let requestInPoll = 0;
  let expectedPath = '';
  let baseUrl = '';

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://loopback');
    // The file named after the request: `poll-<n>` when the scenario's files are per poll, and
    // `page-<k>` for the k-th request of a poll when paged, whatever the API calls its pages.
    requestInPoll += 1;
    const base = [byPoll ? `poll-${poll}` : undefined, paged ? `page-${requestInPoll}` : undefined].filter(Boolean).join('.');
    const file = `${base}.json`;
    if (url.pathname !== expectedPath || !files.includes(file)) {
      unexpected.push(`poll ${poll}: ${request.method} ${url.pathname}${url.search} (no ${file})`);
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
      return;
    }
    requested.add(file);
    // Paging headers (Link, x-next-page) beside the body, with ${GOLDEN_BASE_URL} for this server.
    const headersFile = join(scenario.dir, `${base}.headers.json`);
    const headers = existsSync(headersFile)
      ? Object.fromEntries(Object.entries(JSON.parse(readFileSync(headersFile, 'utf8')) as Record<string, string>).map(([name, value]) => [name, value.replaceAll('${GOLDEN_BASE_URL}', baseUrl)]))
      : {};
    response.writeHead(200, { 'content-type': 'application/json', ...headers }).end(readFileSync(join(scenario.dir, file)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  try {
    baseUrl = `http://127.0.0.1:${port}`;
    const config = await loadConfig(join(scenario.dir, 'config.yaml'), { GOLDEN_BASE_URL: baseUrl });
    const [source, ...others] = config.sources;
    if (!source || others.length > 0 || source.webhooks.length !== 1) {
      throw new Error(`${scenario.id}: config.yaml must have one source with one webhook (response files are per webhook)`);
    }
    expectedPath = createAdapter(source).firstRequest(source.webhooks[0] as string).url.pathname;
    const exporter = await buildExporter(config, { logger: createLogger({ level: 'silent' }) });
    try {
      for (; poll <= polls; poll++) {
        requestInPoll = 0;
        await exporter.poller.pollAll();
      }
      const unread = files.filter((file) => !requested.has(file));
      if (unexpected.length > 0 || unread.length > 0) {
        throw new Error(
          `${scenario.id}: the exporter's requests do not match the response files\n` +
            unexpected.map((line) => `  unexpected request (answered 404): ${line}\n`).join('') +
            unread.map((file) => `  never requested: ${file}\n`).join(''),
        );
      }
      return await exporter.telemetry.collectExposition();
    } finally {
      await exporter.stop();
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Written where a value or label value varies from run to run; the comparison sees only the placeholder. */
export const PLACEHOLDER = '<ignored>';
/** Series whose values depend on the wall clock or the machine's speed, not on the scenario. */
const RUN_DEPENDENT_VALUES = new Set([
  'webhook_exporter_poll_duration_seconds_bucket', // the _count (number of polls) is compared
  'webhook_exporter_poll_duration_seconds_sum',
  'webhook_exporter_last_success_timestamp_seconds',
]);
/** Labels whose values come from the release (package.json's version), not from the scenario. */
const RUN_DEPENDENT_LABELS = new Set(['service_version', 'otel_scope_version']);

/**
 * The one normalisation: a raw exposition in the form expected.prom holds.
 * - Families by name, each as HELP/UNIT/TYPE then its samples; samples by series (buckets by `le`);
 *   labels by name: neither sample nor label order matters.
 * - RUN_DEPENDENT_VALUES and RUN_DEPENDENT_LABELS show PLACEHOLDER instead of their values.
 * - Values are rounded to 12 significant digits: a histogram's sum depends in its last bits on the
 *   order of additions (0.245 + 0.31 = 0.5549999999999999), which is not behaviour.
 * Everything else is kept, so any other difference fails the comparison.
 */
export function normaliseExposition(text: string): string {
  const exposition = parseExposition(text);
  const families = new Map<string, Sample[]>([...exposition.types.keys()].map((name) => [name, []]));
  for (const sample of exposition.samples) {
    const family = exposition.types.has(sample.name) ? sample.name : sample.name.replace(/_(bucket|sum|count)$/, '');
    families.set(family, [...(families.get(family) ?? []), sample]); // a few hundred samples at most
  }
  const lines: string[] = [];
  for (const name of [...families.keys()].sort()) {
    const meta = [['HELP', exposition.help], ['UNIT', exposition.units], ['TYPE', exposition.types]] as const;
    for (const [kind, values] of meta) if (values.has(name)) lines.push(`# ${kind} ${name} ${values.get(name)}`);
    const samples = [...(families.get(name) ?? [])].sort(bySeries);
    lines.push(...samples.map(renderSample));
  }
  return `${lines.join('\n')}\n`;
}

function renderSample({ name, labels, value }: Sample): string {
  const rendered = Object.keys(labels)
    .sort()
    .map((label) => `${label}="${RUN_DEPENDENT_LABELS.has(label) ? PLACEHOLDER : escapeLabel(labels[label] as string)}"`);
  const shown = RUN_DEPENDENT_VALUES.has(name) ? PLACEHOLDER : Number.isFinite(value) ? String(Number(value.toPrecision(12))) : value > 0 ? '+Inf' : '-Inf';
  return `${name}${rendered.length > 0 ? `{${rendered.join(',')}}` : ''} ${shown}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** One series' lines together (bucket, count, sum), buckets in numeric `le` order. */
function bySeries(a: Sample, b: Sample): number {
  const key = (sample: Sample) => JSON.stringify(Object.entries(sample.labels).filter(([label]) => label !== 'le').sort());
  const le = (sample: Sample) => Number((sample.labels.le ?? '').replace('+Inf', 'Infinity'));
  return key(a).localeCompare(key(b)) || a.name.localeCompare(b.name) || le(a) - le(b);
}

/** What `npm run golden:update` writes to expected.prom. */
export function goldenText(exposition: string): string {
  return (
    '# Generated by `npm run golden:update` from this folder\'s responses; review changes like code.\n' +
    `# ${PLACEHOLDER} marks values that vary from run to run (normaliseExposition, test/e2e/helpers/golden.ts).\n` +
    normaliseExposition(exposition)
  );
}

/**
 * Compares expected.prom's text with a raw exposition: undefined when they match, else a diff
 * (`-` only in expected.prom, `+` only in the exposition) sorted by series, so a changed value's
 * two lines sit together, expected first. Lines compare as a multiset, so their order does not
 * matter; comments other than HELP/TYPE/UNIT (the file's header) are skipped.
 */
export function compareExposition(expected: string, exposition: string): string | undefined {
  const significant = (text: string) => text.split('\n').filter((line) => line.trim() !== '' && (!line.startsWith('#') || /^# (HELP|TYPE|UNIT) /.test(line)));
  const remaining = significant(normaliseExposition(exposition));
  const missing: string[] = [];
  for (const line of significant(expected)) {
    const at = remaining.indexOf(line);
    if (at === -1) missing.push(line);
    else remaining.splice(at, 1);
  }
  if (missing.length === 0 && remaining.length === 0) return undefined;
  const diff = [...missing.map((line) => ({ sign: '-', line })), ...remaining.map((line) => ({ sign: '+', line }))];
  const series = (line: string) => (line.startsWith('#') ? line : line.slice(0, line.lastIndexOf(' ')));
  diff.sort((a, b) => series(a.line).localeCompare(series(b.line)) || (a.sign === '-' ? -1 : 1) - (b.sign === '-' ? -1 : 1));
  return diff.map(({ sign, line }) => `${sign} ${line}`).join('\n');
}
