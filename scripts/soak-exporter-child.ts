// The exporter under soak, alone in its process so that heap figures are its own (the simulator
// and the driver live in the parent). Started with --expose-gc by soak-run.ts; driven over IPC:
//   start {config}  → ready {metricsUrl}    buildExporter with a clock the parent sets, listening on port 0
//   poll {nowMs}    → polled                one real poll cycle of every webhook (Poller.pollAll)
//   measure         → measured {memory}     heapUsed and RSS after two full GCs
//   stop            → stopped               Exporter.stop(), then the process exits

import { buildExporter, type Exporter } from '../src/app.js';
import { parseConfig } from '../src/config/index.js';
import { createLogger } from '../src/logger.js';
import { collectGarbage } from '../bench/harness.js';

export type ChildRequest = { kind: 'start'; config: object } | { kind: 'poll'; nowMs: number } | { kind: 'measure' } | { kind: 'stop' };
export type ChildReply =
  | { kind: 'ready'; metricsUrl: string }
  | { kind: 'polled' }
  | { kind: 'measured'; heapUsedBytes: number; rssBytes: number }
  | { kind: 'stopped' }
  | { kind: 'failed'; error: string };

/** Simulated time as the parent last set it, running on at wall-clock speed until the next set. */
const clock = { simulatedMs: Date.now(), setAt: performance.now() };
const now = () => clock.simulatedMs + Math.round(performance.now() - clock.setAt);
let exporter: Exporter | undefined;

async function handle(request: ChildRequest): Promise<ChildReply> {
  switch (request.kind) {
    case 'start': {
      const config = await parseConfig(JSON.stringify(request.config), { format: 'json' });
      // Errors only, on stderr: a soak should be quiet unless something is wrong.
      exporter = await buildExporter(config, { logger: createLogger({ level: 'error', destination: process.stderr }), now });
      const { port } = await exporter.listen(0);
      return { kind: 'ready', metricsUrl: `http://127.0.0.1:${port}/metrics` };
    }
    case 'poll':
      clock.simulatedMs = request.nowMs;
      clock.setAt = performance.now();
      await started().poller.pollAll();
      return { kind: 'polled' };
    case 'measure': {
      collectGarbage();
      const { heapUsed, rss } = process.memoryUsage();
      return { kind: 'measured', heapUsedBytes: heapUsed, rssBytes: rss };
    }
    case 'stop':
      await started().stop();
      return { kind: 'stopped' };
  }
}

function started(): Exporter {
  if (!exporter) throw new Error('not started');
  return exporter;
}

// A parent that dies without saying stop must not leave an exporter polling behind.
process.once('disconnect', () => process.exit(1));
process.on('message', (request: ChildRequest) => {
  handle(request).then(
    // Exits once stopped rather than waiting for keep-alive sockets to the simulator to time out.
    (reply) => process.send?.(reply, () => reply.kind === 'stopped' && process.exit(0)),
    (error: unknown) => process.send?.({ kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
