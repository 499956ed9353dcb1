// The long soak, opt-in (not part of npm test): a simulated week, at least 1,000,000 log entries from
// both providers, through a real exporter in its own process. Prints a table per checkpoint and the
// verdicts; exits 1 when a count is not exact, a bound is broken or the heap is not flat.
// Usage: node --import tsx scripts/soak.ts [--entries N] [--checkpoints N]   (docs/soak.md)

import { parseArgs } from 'node:util';
import { fmt, markdownTable, MB } from '../bench/harness.js';
import { FLAT_MARGIN_BYTES, heapVerdict, runSoak, WEEK_SOAK, type SoakCheckpoint } from './soak-run.js';

const HOUR_MS = 3_600_000;
const { values } = parseArgs({ options: { entries: { type: 'string', default: '1000000' }, checkpoints: { type: 'string', default: '10' } } });
const entries = Number(values.entries);
const checkpoints = Number(values.checkpoints);
if (!(entries > 0 && checkpoints >= 3)) throw new Error('--entries must be positive and --checkpoints at least 3');

const { salesfinityWebhooks, baanxWebhooks, pollEveryMs, lookbackMs, maxEventTypes } = WEEK_SOAK;
console.log(
  `soak: ${fmt(entries)} entries over a simulated week, ${salesfinityWebhooks} Salesfinity + ${baanxWebhooks} Baanx webhooks, ` +
    `a poll every ${pollEveryMs / 60_000} simulated minutes, lookback ${lookbackMs / 60_000}m, maxEventTypes ${maxEventTypes}; Node ${process.version}`,
);
const row = (c: SoakCheckpoint) => [
  fmt(c.entries),
  `${fmt(c.simulatedMs / HOUR_MS / 24, 2)} d`,
  fmt(c.wallMs / 1000),
  fmt(c.entries / (c.wallMs / 1000), 0),
  fmt(c.heapUsedBytes / MB),
  fmt(c.rssBytes / MB),
  String(c.series),
  String(c.deliverySeries),
];
const titles = ['entries', 'simulated', 'wall s', 'entries/s', 'heap after GC MB', 'RSS MB', 'series', 'webhook_deliveries_total series'];
const report = await runSoak({ ...WEEK_SOAK, entries, checkpoints, onCheckpoint: (c) => console.log(`checkpoint: ${row(c).join(', ')}`) });

const heap = heapVerdict(report.checkpoints, entries);
console.log(`\n${markdownTable(titles, report.checkpoints.map(row))}\n`);
console.log(
  `${fmt(report.entries)} entries (${fmt(report.finished)} finished attempts) in ${fmt(report.wallMs / 1000)} s of wall time ` +
    `(${fmt(report.entries / (report.wallMs / 1000), 0)} entries/s), ${report.cycles} poll cycles, ${report.faults} API faults injected, ` +
    `${fmt(report.simulatedMs / HOUR_MS / 24, 2)} simulated days`,
);
const largest = [...report.seriesPerMetric].sort((a, b) => b[1] - a[1]).slice(0, 3);
console.log(`series per metric, largest: ${largest.map(([name, count]) => `${name} ${count}`).join(', ')} (SDK limit ${report.cardinalityLimit} per metric)`);
console.log(
  `heap after GC: ${fmt(heap.warmUp.heapUsedBytes / MB)} MB at warm-up (${fmt(heap.warmUp.entries)} entries), ` +
    `highest later ${fmt(heap.growthBytes / MB, 2)} MB above it: ${heap.flat ? 'FLAT' : 'NOT FLAT'} (margin ${FLAT_MARGIN_BYTES / MB} MB)`,
);
console.log(report.problems.length === 0 ? 'counts: EXACT against the ground truth, no overflow, no gaps' : `counts: NOT EXACT\n  ${report.problems.join('\n  ')}`);
if (report.problems.length > 0 || !heap.flat) process.exitCode = 1;
