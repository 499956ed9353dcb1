// Each benchmark of `npm run bench` once, at toy sizes, so the suite cannot rot unnoticed. The
// figures are not checked against the targets here: they depend on the machine.

import { describe, expect, it } from 'vitest';
import { declarativeRows, runDeclarative } from '../../bench/declarative.js';
import { footprintRows, runFootprint } from '../../bench/footprint.js';
import { runIdle } from '../../bench/idle.js';
import { pacingRows, runPacing } from '../../bench/pacing.js';
import { ingestRows, runIngest, SEPARATE_INGEST_PROVIDERS } from '../../bench/ingest.js';
import { runMemory } from '../../bench/memory.js';
import { PAGE_SIZES } from '../../bench/pages.js';
import { runScale } from '../../bench/scale.js';
import { runScrape } from '../../bench/scrape.js';
import { runSecureScrape, secureScrapeRows } from '../../bench/secure-scrape.js';
import { runStatus, runTrackerMemory, runWindowMemory, statusRows, trackerMemoryRows, windowMemoryRows } from '../../bench/status.js';
import { MAX_TRACKED_EVENTS } from '../../src/telemetry/event-delivery.js';

function expectPositive(values: Record<string, number>): void {
  for (const [name, value] of Object.entries(values)) {
    expect(Number.isFinite(value) && value > 0, `${name} = ${value}`).toBe(true);
  }
}

describe('benchmark suite at toy sizes', () => {
  it('ingest counts every fresh entry and reports both rates', async () => {
    const result = await runIngest({ rounds: 1, pagesPerRound: 4, webhooksPerProvider: 1, warmupRounds: 1 });
    expectPositive({ pipeline: result.pipelineEntriesPerSecond, parse: result.jsonParseEntriesPerSecond, ratio: result.ratio });
    // The kept round: 2 Salesfinity pages of 100 new entries, and 2 Baanx pages that each repeat
    // the newest entry of the page before (read in the warm-up round), which is not counted again.
    expect(result.countedPerRound).toBe(398);
    expect(ingestRows(result)[0]?.benchmark).toBe('ingest');
  });

  it.each(SEPARATE_INGEST_PROVIDERS)('ingest %s counts every fresh entry of its pages and reports both rates', async (provider) => {
    const result = await runIngest({ rounds: 1, pagesPerRound: 2, webhooksPerProvider: 1, providers: [provider], warmupRounds: 1 });
    expectPositive({ pipeline: result.pipelineEntriesPerSecond, parse: result.jsonParseEntriesPerSecond, ratio: result.ratio });
    // The kept round: 2 pages of the provider's page size, every entry new (fresh ids, later times),
    // so nothing is de-duplicated or dropped as too old.
    expect(result.entriesPerRound).toBe(2 * PAGE_SIZES[provider]);
    expect(result.countedPerRound).toBe(2 * PAGE_SIZES[provider]);
    expect(ingestRows(result)).toMatchObject([{ benchmark: `ingest ${provider}`, target: '≥ 0.4×' }]);
  });

  it('ingest http counts every entry of Salesfinity pages through the described and the built-in adapter', async () => {
    const result = await runDeclarative({ rounds: 1, pagesPerRound: 4, webhooks: 1 });
    expect(result.countedPerRound).toEqual({ described: 400, builtIn: 400 });
    expectPositive({ described: result.describedEntriesPerSecond, builtIn: result.builtInEntriesPerSecond, parse: result.jsonParseEntriesPerSecond });
    expect(declarativeRows(result).map((row) => row.target)).toEqual(['≤ 1.25×', '≥ 0.4×']);
  });

  it('scrape serves the expected samples over HTTP and times both sides', async () => {
    const result = await runScrape(100, 1);
    expect(result.samplesMatch).toBe(true);
    expect(result.sampleLines.expected).toBe(100 * 13 + 50 * 3 + 1);
    expectPositive({ ours: result.oursMs, promClient: result.promClientMs, ratio: result.ratio, body: result.bodyBytes });
  });

  it('secure scrape serves /metrics over TLS, with and without basic auth, and times the auth check', async () => {
    const result = await runSecureScrape(100, 1);
    expectPositive({ plain: result.plainMs, tls: result.tlsMs, tlsAuth: result.tlsAuthMs, bcrypt: result.bcryptCheckMs, cached: result.cachedCheckMs });
    // bcrypt at cost 10 takes tens of milliseconds; a cached verdict is a hash and a map lookup.
    expect(result.cachedCheckMs).toBeLessThan(result.bcryptCheckMs / 10);
    expect(secureScrapeRows(result).map((row) => row.benchmark)).toEqual(['scrape 0.1k TLS', 'scrape 0.1k TLS + auth', 'basic-auth check']);
  });

  it('status serves a document with every webhook and its window, and times it against /metrics', async () => {
    const result = await runStatus({ webhooks: 20, rounds: 1 });
    expect(result.webhooksInDocument).toBe(20);
    expect(result.webhooksWithTraffic).toBe(20);
    expectPositive({ status: result.statusMs, metrics: result.metricsMs, ratio: result.ratio, statusBytes: result.statusBytes, metricsBytes: result.metricsBytes });
    const [row] = statusRows(result);
    expect(row).toMatchObject({ benchmark: 'status 20', target: '≤ 50 ms' });
    expect(row?.measure).toContain('20 webhooks ok');
  });

  it('status memory measures a window per webhook, filled and empty, and the event tracker at its cap', () => {
    const windows = runWindowMemory(10_000); // an empty window is tens of bytes: fewer would drown in heap noise
    expect(windows.minutesWithTraffic).toBe(15);
    expectPositive({ empty: windows.emptyBytesPerWebhook, filled: windows.filledBytesPerWebhook });
    expect(windows.filledBytesPerWebhook).toBeGreaterThan(windows.emptyBytesPerWebhook);
    expect(windowMemoryRows(windows).map((row) => row.verdict)).toEqual(['info']);

    const tracker = runTrackerMemory({ trackers: 1 });
    for (const memory of [tracker.filled, tracker.evicting]) {
      expect(memory.trackedPerWebhook).toBe(MAX_TRACKED_EVENTS);
      // At least the 36 characters of each id, and less than a kilobyte.
      expect(memory.bytesPerEvent).toBeGreaterThan(36);
      expect(memory.bytesPerEvent).toBeLessThan(1024);
    }
    expect(tracker.evicting.fedPerWebhook).toBe(2 * MAX_TRACKED_EVENTS);
    expect(trackerMemoryRows(tracker).map((row) => row.verdict)).toEqual(['info', 'info']);
  });

  it('memory is measured in fresh child processes', async () => {
    const result = await runMemory(100, 1);
    for (const report of [result.ours, result.promClient]) {
      expectPositive({ ...report });
      expect(report.peakRssBytes).toBeGreaterThanOrEqual(report.rssBytes);
    }
  });

  it('scale reports a cost per milestone and bounded de-duplication', async () => {
    const result = await runScale({ milestones: [200, 400], lookbacksMs: [60_000], dedupEntries: 300 });
    expect(result.costs.map((cost) => cost.entries)).toEqual([200, 400]);
    expectPositive(Object.fromEntries(result.costs.map((cost) => [`µs at ${cost.entries}`, cost.microsPerEntry])));
    const [dedup] = result.dedup;
    // 3 Baanx pages, the later two repeating one entry each: 298 ids, fewer than the 1m window
    // (1,200 at 20/s), so all are kept.
    expect(dedup?.seen).toBe(298);
    expect(dedup?.windowEntries).toBe(1_200);
  });

  it('idle measures CPU per poll cycle against bare fetches', async () => {
    const result = await runIdle({ webhooks: 4, cyclesPerRound: 1, rounds: 1 });
    expect(result.webhooks).toBe(4);
    expectPositive({ ours: result.cpuMicrosPerCycle, bare: result.bareFetchCpuMicrosPerCycle, ratio: result.ratio });
  });

  // Builds the CLI and starts a dozen processes: ~5 s on an idle machine.
  it('footprint measures the built CLI and bare Node in fresh processes', { timeout: 60_000 }, async () => {
    const result = await runFootprint({ webhooks: [2], settleMs: 1_000, rounds: 1 });
    expect(result.idle.map((run) => run.webhooks)).toEqual([2]);
    const [idle] = result.idle;
    expectPositive({ ...idle, bareRss: result.bareServer.rssBytes, barePeak: result.bareServer.peakBytes });
    expectPositive({ ready: result.readyMs, bareListening: result.bareListeningMs, version: result.versionMs, checkConfig: result.checkConfigMs, bareStart: result.bareStartMs });
    expect(idle?.peakBytes).toBeGreaterThanOrEqual(idle?.rssBytes ?? Infinity);
    expect(footprintRows(result).map((row) => [row.benchmark, row.target])).toEqual([
      ['footprint 2 webhooks', '≤ 1.5×'],
      ['footprint 2 webhooks', '≤ 1.25× idle'],
      ['footprint 2 webhooks', '≤ 1 s'],
      ['footprint CLI', '≤ 3×'],
      ['footprint CLI', '—'],
    ]);
  });

  it('pacing keeps a budget from running dry and spaces the reads', () => {
    // 100 hooks, 120 requests an hour, a tick every minute: unpaced that is 6,000 reads an hour.
    const result = runPacing({ webhooks: 100, budgetPerHour: 120, scheduleMs: 60_000, hours: 3 });
    expect(result.minRemaining).toBeGreaterThan(0);
    expect(result.reads).toBeLessThanOrEqual(3 * 120);
    expect(result.effectiveIntervalMs).toBeGreaterThan(60_000);
    expect(pacingRows(result).map((row) => row.verdict)).toEqual(['PASS', 'info']);
  });
});
