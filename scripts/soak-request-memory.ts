// Heap kept per provider request, in a process of its own (a test worker's heap is too busy to show
// tens of bytes). fetchJson against an undici MockAgent, optionally with a shutdown signal that lives
// as long as the process, as the poller passes it. Prints {"bytesPerRequest": n}.
// Usage: node --expose-gc --import tsx scripts/soak-request-memory.ts <with-signal|without-signal> <requests>

import { MockAgent } from 'undici';
import { collectGarbage } from '../bench/harness.js';
import { fetchJson } from '../src/poller/fetch-json.js';

const TIMEOUT_MS = 100;
const WARM_UP_REQUESTS = 5_000; // JIT and undici's pool

const [mode = '', count = ''] = process.argv.slice(2);
if (mode !== 'with-signal' && mode !== 'without-signal') throw new Error(`unknown mode ${mode}`);
const agent = new MockAgent();
agent.disableNetConnect();
agent.get('http://provider.test').intercept({ path: '/logs' }).reply(200, { logs: [] }).persist();
const shutdown = new AbortController();
const request = { url: new URL('http://provider.test/logs'), headers: {} };
const options = { timeoutMs: TIMEOUT_MS, maxResponseBytes: 1024, signal: mode === 'with-signal' ? shutdown.signal : undefined, dispatcher: agent };

/** Heap after GC once `requests` have finished and their timeouts have passed, so live timers do not count. */
async function heapAfter(requests: number): Promise<number> {
  for (let i = 0; i < requests; i++) {
    const outcome = await fetchJson(request, options);
    if (outcome.kind !== 'ok') throw new Error(`request ${i}: ${outcome.kind}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 3 * TIMEOUT_MS));
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

const before = await heapAfter(WARM_UP_REQUESTS);
const after = await heapAfter(Number(count));
await agent.close();
process.stdout.write(`${JSON.stringify({ bytesPerRequest: (after - before) / Number(count) })}\n`);
