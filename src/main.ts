// The command line: run (default), demo, check-config, once, --help, --version.
// Exit 2 for every usage or configuration problem, with each problem listed, never a stack trace.
//
// Each command loads only what it uses: --version and --help nothing but this file, check-config
// the config loader, run and once the exporter, demo the simulator too. A sidecar's CLI is run by
// probes and scripts, and each module costs start-up time and memory (docs/performance.md).

import { parseArgs } from 'node:util';
import type { Exporter } from './app.js';
import type { ExporterConfig } from './config/index.js';
import type { Logger } from './logger.js';
import { StartupError } from './startup-error.js';
import { VERSION } from './version.js';

const USAGE = `webhook-log-exporter ${VERSION}
Polls webhook delivery-log APIs and serves the deliveries as Prometheus metrics.

Usage:
  webhook-log-exporter [run] --config FILE    poll on the schedule and serve HTTP until SIGTERM/SIGINT
  webhook-log-exporter demo [--port N]        run against built-in simulated providers (default port 9464)
  webhook-log-exporter check-config --config FILE
                                              validate the config and secrets without contacting providers
  webhook-log-exporter once --config FILE     poll every webhook once and print the metrics to stdout

Options:
  -c, --config FILE   config file (YAML or JSON); default $WEBHOOK_LOG_EXPORTER_CONFIG
  -p, --port N        demo only: port to serve on
  -h, --help          show this help
  -v, --version       print the version

Environment: LOG_LEVEL (trace|debug|info|warn|error, default info).
Exit codes: 0 ok, 1 runtime failure (once: every source failed), 2 usage or configuration error.
`;

const COMMANDS = ['run', 'demo', 'check-config', 'once'] as const;
type Command = (typeof COMMANDS)[number];

class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    process.stderr.write(`webhook-log-exporter: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  try {
    switch (args.command) {
      case 'demo':
        return await runDemo(args.port);
      case 'check-config':
        return await checkConfig(await configFrom(args.config));
      case 'once':
        return await once(await configFrom(args.config));
      case 'run':
        return await run(await configFrom(args.config));
    }
  } catch (error) {
    // By the time a ConfigError can be thrown, the config module is loaded: importing it here is free.
    const { ConfigError } = await import('./config/index.js');
    if (error instanceof ConfigError) {
      process.stderr.write(`webhook-log-exporter: invalid configuration:\n${error.problems.map((p) => `  - ${p}\n`).join('')}`);
      return 2;
    }
    if (error instanceof StartupError) {
      process.stderr.write(`webhook-log-exporter: ${error.message}\n`);
      return 2;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`webhook-log-exporter: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      port: { type: 'string', short: 'p' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (positionals.length > 1) throw new Error(`unexpected argument: ${positionals[1]}`);
  const name = positionals[0] ?? 'run';
  if (!(COMMANDS as readonly string[]).includes(name)) throw new Error(`unknown command: ${name}`);
  const command = name as Command;
  let port: number | undefined;
  if (values.port !== undefined) {
    if (command !== 'demo') throw new Error('--port applies to demo only; set listen.port in the config');
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) throw new Error(`--port must be a number 0..65535, got ${values.port}`);
  }
  return { command, config: values.config, port, help: values.help ?? false, version: values.version ?? false };
}

async function configFrom(path: string | undefined): Promise<ExporterConfig> {
  const file = path ?? process.env.WEBHOOK_LOG_EXPORTER_CONFIG;
  if (!file) throw new UsageError('no config file: pass --config FILE or set WEBHOOK_LOG_EXPORTER_CONFIG');
  const { loadConfig } = await import('./config/index.js');
  return loadConfig(file);
}

async function checkConfig(config: ExporterConfig): Promise<number> {
  const { describeSource } = await import('./config/index.js');
  for (const source of config.sources) process.stdout.write(`${describeSource(source)}\n`);
  process.stdout.write(`config OK: ${config.sources.length} source(s), serving on ${config.listen.host}:${config.listen.port}\n`);
  return 0;
}

async function once(config: ExporterConfig): Promise<number> {
  const [{ buildExporter }, { createLogger }] = await Promise.all([import('./app.js'), import('./logger.js')]);
  // Logs go to stderr so stdout is exactly the exposition.
  const logger = createLogger({ destination: process.stderr });
  const exporter = await buildExporter(config, { logger });
  await exporter.poller.restoreState();
  await exporter.poller.pollAll();
  process.stdout.write(await exporter.telemetry.collectExposition());
  const statuses = exporter.poller.statuses();
  await exporter.stop();
  const failedSources = config.sources.filter((source) =>
    statuses.filter((s) => s.source === source.name).every((s) => s.lastResult === 'error'),
  );
  return failedSources.length === config.sources.length ? 1 : 0;
}

async function run(config: ExporterConfig): Promise<number> {
  const signalled = firstSignal();
  const [{ buildExporter }, { createLogger }] = await Promise.all([import('./app.js'), import('./logger.js')]);
  const logger = createLogger();
  const exporter = await buildExporter(config, { logger });
  return serve(exporter, logger, signalled);
}

async function runDemo(port: number | undefined): Promise<number> {
  const signalled = firstSignal();
  const [{ startDemo }, { createLogger }] = await Promise.all([import('./demo.js'), import('./logger.js')]);
  const logger = createLogger();
  const demo = await startDemo({ logger, port });
  logger.info({ simulator: demo.simulator.url }, 'demo: simulated provider APIs with live traffic');
  return serve(demo.exporter, logger, signalled, () => demo.simulator.close());
}

/**
 * Listens before anything slow starts: a signal during start-up (listening, restoring a large state
 * file) must lead to the same orderly stop and exit 0, not to the default action of the signal.
 */
function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}

/** Listens, polls, and waits for SIGTERM/SIGINT; resolves with the exit code. */
async function serve(exporter: Exporter, logger: Logger, signalled: Promise<NodeJS.Signals>, cleanup?: () => Promise<void>): Promise<number> {
  const { SHUTDOWN_BOUND_MS } = await import('./app.js');
  const address = await exporter.listen();
  logger.info({ version: VERSION, address: `${address.address}:${address.port}`, sources: exporter.config.sources.length }, 'webhook-log-exporter listening');
  await exporter.start();
  const signal = await signalled;
  logger.info({ signal, boundMs: SHUTDOWN_BOUND_MS }, 'shutting down');
  // A second signal means "now": cut the grace periods, but still write the state file. Exiting
  // without it would count again, after the restart, every delivery recorded since the last write.
  const hurry = (second: NodeJS.Signals) => {
    logger.warn({ signal: second }, 'second signal: aborting reads and closing connections now');
    exporter.hurry();
  };
  process.on('SIGTERM', hurry);
  process.on('SIGINT', hurry);
  const deadline = setTimeout(() => {
    logger.error({ boundMs: SHUTDOWN_BOUND_MS }, 'shutdown took too long: exiting');
    logger.flush();
    process.exit(1);
  }, SHUTDOWN_BOUND_MS);
  deadline.unref();
  await exporter.stop();
  await cleanup?.();
  clearTimeout(deadline);
  logger.info('stopped');
  logger.flush();
  return 0;
}

process.on('unhandledRejection', (reason) => {
  // Reaching here is a bug; log it and keep serving rather than take the metrics down.
  process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'unhandled rejection', reason: String(reason) })}\n`);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Idle keep-alive sockets or a stray timer must not hold a finished process open.
    setTimeout(() => process.exit(code), 1_000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`webhook-log-exporter: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
