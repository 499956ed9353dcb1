// readLog (src/poller/read-log.ts) without HTTP: a fake in-memory log in every paging kind, a
// recording recorder, and the real checkpoint. Each case is a few polls of a changing log and what
// each poll must count; the end-to-end tests (test/e2e/counting*.test.ts) check the same rules
// through the simulator and the exposition.
import { describe, expect, it } from 'vitest';
import { Checkpoint } from '../../src/poller/checkpoint.js';
import { readLog } from '../../src/poller/read-log.js';
import { entry, fakeAdapter, fakeFetch, recordingRecorder, type FakeEntry, type PagingStyle } from './helpers/fake-log.js';

const LOOKBACK_MS = 100;

interface Poll {
  /** The log, newest first, when the read starts. */
  log: FakeEntry[];
  /** Entries that arrive at the head after the read's first request. */
  arriving?: FakeEntry[];
  failAt?: number;
  counted: string[];
  gap?: boolean;
  failed?: boolean;
}

interface Case {
  name: string;
  styles: PagingStyle[];
  pageSize: number;
  maxPages?: number;
  startFrom: 'now' | 'backfill';
  polls: Poll[];
}

const PAGED: PagingStyle[] = ['page-number', 'body-cursor', 'link-header'];
const ALL: PagingStyle[] = [...PAGED, 'newest-n'];
/** `n` entries e<from+n-1> … e<from>, newest first, one ms apart from `at`. */
const run = (from: number, n: number, at = 1_000): FakeEntry[] => Array.from({ length: n }, (_, i) => entry(`e${from + n - 1 - i}`, at + from + n - 1 - i));

const CASES: Case[] = [
  {
    name: 'startFrom now marks what is there, then counts only what is new',
    styles: ALL,
    pageSize: 3,
    startFrom: 'now',
    polls: [
      { log: run(0, 2), counted: [] },
      { log: run(0, 4), counted: ['e3', 'e2'] },
      { log: run(0, 4), counted: [] },
    ],
  },
  {
    name: 'startFrom backfill counts the whole log, across pages',
    styles: PAGED,
    pageSize: 2,
    startFrom: 'backfill',
    polls: [{ log: run(0, 5), counted: ['e4', 'e3', 'e2', 'e1', 'e0'] }],
  },
  {
    name: 'entries that arrive at the head while paging are counted once, now or next poll',
    styles: PAGED,
    pageSize: 2,
    startFrom: 'backfill',
    polls: [
      { log: run(0, 4), arriving: run(4, 2), counted: ['e3', 'e2', 'e1', 'e0'] },
      { log: run(0, 6), counted: ['e5', 'e4'] },
    ],
  },
  {
    name: 'a pending entry is counted once, when a later read shows it finished',
    styles: ALL,
    pageSize: 5,
    startFrom: 'backfill',
    polls: [
      { log: [entry('p', 1_003, 'pending'), ...run(0, 2)], counted: ['e1', 'e0'] },
      { log: [entry('p', 1_003, 'processing'), ...run(0, 2)], counted: [] },
      { log: [entry('p', 1_003, 'failed'), ...run(0, 2)], counted: ['p'] },
      { log: [entry('p', 1_003, 'failed'), ...run(0, 2)], counted: [] },
    ],
  },
  {
    name: 'a pending entry the provider withdraws (canceled) is let go: not counted, no gap',
    styles: ALL,
    pageSize: 5,
    startFrom: 'backfill',
    polls: [
      { log: [entry('p', 1_003, 'pending'), ...run(0, 2)], counted: ['e1', 'e0'] },
      { log: [{ ...entry('p', 1_003, 'pending'), withdrawn: true }, ...run(0, 2)], counted: [] },
      { log: run(0, 2), counted: [] },
    ],
  },
  {
    name: 'a late entry inside lookback is counted; one below the floor is not',
    styles: ALL,
    pageSize: 10,
    startFrom: 'backfill',
    polls: [
      { log: [entry('new', 1_500)], counted: ['new'] },
      { log: [entry('new', 1_500), entry('late', 1_450), entry('too-late', 1_350)], counted: ['late'] },
    ],
  },
  {
    name: 'ties on createdAt are each counted once',
    styles: ALL,
    pageSize: 10,
    startFrom: 'backfill',
    polls: [
      { log: [entry('a', 2_000), entry('b', 2_000)], counted: ['a', 'b'] },
      { log: [entry('c', 2_000), entry('a', 2_000), entry('b', 2_000)], counted: ['c'] },
    ],
  },
  {
    name: 'a failed request keeps what earlier pages counted, and the next read counts the rest once',
    styles: PAGED,
    pageSize: 2,
    startFrom: 'backfill',
    polls: [
      { log: run(0, 5), failAt: 2, counted: ['e4', 'e3'], failed: true },
      { log: run(0, 5), counted: ['e2', 'e1', 'e0'] },
    ],
  },
  {
    name: 'paged: the page limit before reaching known entries is a gap',
    styles: PAGED,
    pageSize: 2,
    maxPages: 2,
    startFrom: 'backfill',
    polls: [
      { log: run(0, 2), counted: ['e1', 'e0'] },
      { log: run(0, 8), counted: ['e7', 'e6', 'e5', 'e4'], gap: true },
    ],
  },
  {
    name: 'newest-N: a read in which no entry was known is a gap',
    styles: ['newest-n'],
    pageSize: 3,
    startFrom: 'backfill',
    polls: [
      { log: run(0, 2), counted: ['e1', 'e0'] },
      { log: run(0, 7), counted: ['e6', 'e5', 'e4'], gap: true },
    ],
  },
];

describe('readLog', () => {
  for (const testCase of CASES) {
    for (const style of testCase.styles) {
      it(`${testCase.name} (${style})`, async () => {
        const adapter = fakeAdapter(style, testCase.pageSize, testCase.maxPages);
        const checkpoint = new Checkpoint();
        for (const [index, poll] of testCase.polls.entries()) {
          const recorder = recordingRecorder();
          let log = poll.log;
          const fetch = fakeFetch(style, () => log, { failAt: poll.failAt });
          const fetchThenGrow: typeof fetch = Object.assign(async (request: Parameters<typeof fetch>[0]) => {
            const answer = await fetch(request);
            if (poll.arriving) log = [...poll.arriving, ...poll.log];
            return answer;
          }, { requests: 0 });
          const settings = { source: 's', webhookId: 'w', startFrom: testCase.startFrom, lookbackMs: LOOKBACK_MS };
          const result = await readLog(settings, { adapter, checkpoint, recorder, fetch: fetchThenGrow });
          const at = `poll ${index + 1}`;
          expect(recorder.counted, at).toEqual(poll.counted);
          expect(result.counted.map((attempt) => attempt.logId), at).toEqual(poll.counted);
          expect(result.gap !== undefined, `${at}: ${result.gap}`).toBe(poll.gap ?? false);
          expect(recorder.gaps, at).toBe(poll.gap ? 1 : 0);
          expect(result.failure !== undefined, at).toBe(poll.failed ?? false);
        }
      });
    }
  }

  it('a conditional first request: 304 is an unchanged, successful read; the ETag is kept only from complete one-page reads', async () => {
    const checkpoint = new Checkpoint();
    const adapter = fakeAdapter('link-header', 4);
    const settings = { source: 's', webhookId: 'w', startFrom: 'backfill' as const, lookbackMs: LOOKBACK_MS };
    let log = run(0, 3);
    const read = (etag: string | undefined, failAt?: number) => {
      const recorder = recordingRecorder();
      return readLog(settings, { adapter, checkpoint, recorder, fetch: fakeFetch('link-header', () => log, { failAt }), etag }).then((result) => ({ result, recorder }));
    };
    const first = await read(undefined);
    expect(first.recorder.counted).toEqual(['e2', 'e1', 'e0']);
    expect(first.result.etag).toBeDefined();

    const unchanged = await read(first.result.etag);
    expect(unchanged.result).toMatchObject({ unchanged: true, failure: undefined, etag: first.result.etag, pages: 0 });
    expect(unchanged.recorder.answers).toEqual(['304']);

    log = run(0, 9); // e8 … e3 are new; page 2 (e4 … e1) fails
    const failed = await read(first.result.etag, 2);
    expect(failed.recorder.counted).toEqual(['e8', 'e7', 'e6', 'e5']);
    expect(failed.result.etag).toBeUndefined(); // else the next read would stop at a 304 on page 1
    const after = await read(failed.result.etag);
    expect(after.recorder.counted).toEqual(['e4', 'e3']);
    expect(after.result.etag).toBeUndefined(); // it needed three pages: see the next test
  });

  it('no conditional request after a read that needed a second page: a late entry there is still counted', async () => {
    const checkpoint = new Checkpoint();
    const adapter = fakeAdapter('link-header', 2);
    const settings = { source: 's', webhookId: 'w', startFrom: 'backfill' as const, lookbackMs: LOOKBACK_MS };
    let log = run(0, 4);
    const read = (etag: string | undefined) => {
      const recorder = recordingRecorder();
      return readLog(settings, { adapter, checkpoint, recorder, fetch: fakeFetch('link-header', () => log), etag }).then((result) => ({ result, recorder }));
    };
    const first = await read(undefined);
    expect(first.result.pages).toBe(2);
    expect(first.result.etag).toBeUndefined();
    // Logged late, inside lookback, below the first page (which stays as it was).
    log = [...run(0, 4).slice(0, 3), entry('late', 1_000 + 0.5), ...run(0, 4).slice(3)];
    const second = await read(first.result.etag);
    expect(second.recorder.answers[0]).toBe('200');
    expect(second.recorder.counted).toEqual(['late']);
  });

  it('no conditional request after a read cut short by its page limit: the next read goes on to the pages it left', async () => {
    const checkpoint = new Checkpoint();
    const adapter = fakeAdapter('link-header', 2, 1); // maxPages: 1
    const settings = { source: 's', webhookId: 'w', startFrom: 'backfill' as const, lookbackMs: LOOKBACK_MS };
    const log = run(0, 4);
    const recorder = recordingRecorder();
    const first = await readLog(settings, { adapter, checkpoint, recorder, fetch: fakeFetch('link-header', () => log) });
    expect(first.pages).toBe(1);
    expect(first.gap).toBeDefined(); // the page limit stopped it with more to read
    expect(first.etag).toBeUndefined(); // else the next read would stop at a 304 and tell no gap
  });

  it('leaves the checkpoint untouched by a read whose first request fails', async () => {
    const checkpoint = new Checkpoint();
    const adapter = fakeAdapter('link-header', 2);
    const settings = { source: 's', webhookId: 'w', startFrom: 'backfill' as const, lookbackMs: LOOKBACK_MS };
    const result = await readLog(settings, { adapter, checkpoint, recorder: recordingRecorder(), fetch: fakeFetch('link-header', () => run(0, 3), { failAt: 1 }) });
    expect(result.failure).toMatchObject({ kind: 'http_error', status: 503 });
    expect(checkpoint.initialized).toBe(false);
    expect(checkpoint.seen.size).toBe(0);
  });
});
