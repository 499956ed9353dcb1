// A real Prometheus (the `prometheus` binary) on loopback, scraping the given targets with a
// temporary config and storage, for tests that evaluate the dashboards' and alerts' PromQL.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './cli.js';

export interface PrometheusOptions {
  /** `host:port` of each scrape target, all in one job. */
  targets: readonly string[];
  /** The job's name; default `webhook-log-exporter`, the one the alert rules select. */
  job?: string;
  /** Scrape and rule evaluation interval, a Prometheus duration; default 1s. */
  interval?: string;
  /** A rules file's text, loaded as rules.yml. */
  rules?: string;
}

/** One series of an instant query's answer. */
export interface QuerySample {
  metric: Record<string, string>;
  /** Unix seconds, and the value as Prometheus writes it ("NaN", "+Inf", "0.5"). */
  value: [number, string];
}

export interface QueryAnswer {
  status: 'success' | 'error';
  error?: string;
  data: { resultType: string; result: QuerySample[] };
}

export interface Prometheus {
  url: string;
  /** Evaluates `expr` at `atSeconds` (Unix seconds, default now). */
  query(expr: string, atSeconds?: number): Promise<QueryAnswer>;
  /** Its stdout and stderr so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

const INSTALL_HINT = 'prometheus not found: install the `prometheus` package (apt-get install -y prometheus), which provides /usr/bin/prometheus';

export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'wle-prometheus-'));
  const interval = options.interval ?? '1s';
  const config = [
    // A scrape may take the whole interval: an exporter busy polling answers late, not never.
    `global: { scrape_interval: ${interval}, scrape_timeout: ${interval}, evaluation_interval: ${interval} }`,
    ...(options.rules === undefined ? [] : ['rule_files: [rules.yml]']),
    'scrape_configs:',
    `  - job_name: ${options.job ?? 'webhook-log-exporter'}`,
    `    static_configs: [{ targets: ${JSON.stringify(options.targets)} }]`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), config);
  if (options.rules !== undefined) await writeFile(join(dir, 'rules.yml'), options.rules);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new Error(INSTALL_HINT) : error));
    child.once('exit', (code) => reject(new Error(`prometheus exited with code ${code}: ${output.slice(-2000)}`)));
  });
  failed.catch(() => undefined); // only awaited while starting
  const stop = async () => {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([failed, waitFor(async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), `Prometheus on ${url}`)]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    async query(expr, atSeconds) {
      const params = new URLSearchParams({ query: expr, ...(atSeconds === undefined ? {} : { time: String(atSeconds) }) });
      return (await (await fetch(`${url}/api/v1/query?${params}`)).json()) as QueryAnswer;
    },
    output: () => output,
    stop,
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
