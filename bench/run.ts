// `npm run bench [-- --quick]`: every benchmark, side by side with its baseline, in one table.
// Not part of `npm test` (minutes, and machine-dependent); test/perf/bench-smoke.test.ts keeps it working.

import os from 'node:os';
import { collectGarbage, MB, renderTable, type Row } from './harness.js';
import { declarativeRows, runDeclarative } from './declarative.js';
import { footprintRows, runFootprint } from './footprint.js';
import { idleRows, runIdle } from './idle.js';
import { pacingRows, runPacing } from './pacing.js';
import { ingestRows, runIngest, SEPARATE_INGEST_PROVIDERS } from './ingest.js';
import { memoryRows, runMemory } from './memory.js';
import { PAGE_SIZE, PAGE_SIZES } from './pages.js';
import { runScale, scaleRows } from './scale.js';
import { runScrape, scrapeRows } from './scrape.js';
import { runSecureScrape, secureScrapeRows } from './secure-scrape.js';
import { runStatus, runTrackerMemory, runWindowMemory, statusRows, trackerMemoryRows, windowMemoryRows } from './status.js';

const quick = process.argv.includes('--quick');
const rounds = quick ? 3 : 5;

function machine(): string {
  const cpus = os.cpus();
  return [
    `cpu: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} (load average ${os.loadavg().map((load) => load.toFixed(2)).join(' ')})`,
    `node: ${process.version} (${process.platform} ${process.arch}); memory: ${(os.totalmem() / 1024 / MB).toFixed(1)} GB`,
    `mode: ${quick ? 'quick' : 'full'}, ${rounds} rounds per figure (medians)`,
  ].join('\n');
}

async function main(): Promise<void> {
  collectGarbage(); // fails early without --expose-gc
  console.log(machine());
  const rows: Row[] = [];
  const step = async (name: string, run: () => Promise<Row[]>) => {
    const start = Date.now();
    rows.push(...(await run()));
    console.error(`  ${name}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
  };
  const ingestPages = quick ? 60 : 120; // of 100 entries: 6,000 or 12,000 entries per round
  await step('ingest', async () => ingestRows(await runIngest({ rounds, pagesPerRound: ingestPages, webhooksPerProvider: 4 })));
  // The newer providers one at a time, as many entries per round as above, in their own page sizes.
  for (const provider of SEPARATE_INGEST_PROVIDERS) {
    const pagesPerRound = Math.round((ingestPages * PAGE_SIZE) / PAGE_SIZES[provider]);
    await step(`ingest ${provider}`, async () => ingestRows(await runIngest({ rounds, pagesPerRound, webhooksPerProvider: 4, providers: [provider] })));
  }
  await step('ingest http (described)', async () => declarativeRows(await runDeclarative({ rounds, pagesPerRound: ingestPages, webhooks: 4 })));
  await step('scrape', async () => {
    const results = [];
    for (const series of [1_000, 10_000, 50_000]) results.push(await runScrape(series, series > 10_000 ? 2 : rounds));
    return scrapeRows(results);
  });
  await step('scrape TLS', async () => secureScrapeRows(await runSecureScrape(10_000, rounds)));
  // Single requests of a few ms: more rounds than the other figures, so the median settles.
  await step('status', async () => statusRows(await runStatus({ webhooks: 1_000, rounds: quick ? 5 : 11 })));
  await step('memory', async () => memoryRows(await runMemory(10_000, quick ? 1 : 3)));
  await step('status memory', async () => [
    ...windowMemoryRows(runWindowMemory(10_000)),
    ...trackerMemoryRows(runTrackerMemory({ trackers: quick ? 2 : 10 })),
  ]);
  await step('scale', async () =>
    scaleRows(
      await runScale({
        milestones: quick ? [10_000, 100_000, 300_000] : [10_000, 100_000, 1_000_000],
        lookbacksMs: [60_000, 300_000, 1_800_000],
        dedupEntries: 50_000,
      }),
    ),
  );
  await step('pacing', async () => pacingRows(runPacing({ webhooks: 2_000, budgetPerHour: 5_000, scheduleMs: 30_000, hours: quick ? 6 : 24 })));
  await step('idle', async () => idleRows(await runIdle({ webhooks: 100, cyclesPerRound: quick ? 3 : 5, rounds })));
  // The built CLI in fresh processes; most of its time is each server idling before its RSS is read.
  await step('footprint', async () =>
    footprintRows(await runFootprint({ webhooks: [2, 100, 1_000], settleMs: quick ? 5_000 : 20_000, rounds: quick ? 5 : 11 })),
  );
  console.log(`\n${renderTable(rows)}`);
  const failed = rows.filter((row) => row.verdict === 'FAIL').length;
  console.log(`\n${failed === 0 ? 'every target met' : `${failed} target(s) not met`}`);
}

await main();
