// The gap rules (src/poller/gaps.ts), per paging kind; the messages name the adapter's settings.
import { describe, expect, it } from 'vitest';
import { detectGap, type ReadFacts } from '../../src/poller/gaps.js';
import type { OperatorHints, Paging } from '../../src/providers/types.js';

const PAGED: Paging = { kind: 'paged', pageSize: 100, maxPages: 3 };
const NEWEST: Paging = { kind: 'newest-n', windowSize: 100 };
const HINTS: OperatorHints = { credential: 'token', pageSize: { setting: 'limit', max: 100 }, pageLimit: 'maxPages' };
const READ: ReadFacts = {
  firstRead: false,
  startFrom: 'now',
  pages: 1,
  entriesRead: 10,
  reachedEnd: false,
  anyKnown: true,
  oldestReadMs: 5_000,
  floorMs: 1_000,
  lostPending: 0,
};

describe('detectGap', () => {
  it.each<[string, Partial<ReadFacts>, Paging, string | undefined]>([
    ['paged: stopped at the floor before the page limit', { pages: 2, oldestReadMs: 900 }, PAGED, undefined],
    ['paged: the log ended at the page limit', { pages: 3, reachedEnd: true }, PAGED, undefined],
    ['paged: page limit, known entries reached', { pages: 3 }, PAGED, 'read stopped at maxPages=3 before re-reading the whole lookback window; deliveries logged late in the part not re-read were not counted. Raise maxPages, or lower lookback.'],
    ['paged: page limit, nothing known', { pages: 3, anyKnown: false }, PAGED, 'read stopped at maxPages=3 before reaching entries already seen; deliveries older than the last page read were not counted. Raise maxPages or poll more often (schedule).'],
    ['paged: page limit past the floor', { pages: 3, oldestReadMs: 999 }, PAGED, undefined],
    ['paged: page limit on a first read with startFrom now (nothing is counted)', { pages: 3, firstRead: true }, PAGED, undefined],
    ['paged: page limit on a first backfill read', { pages: 3, firstRead: true, startFrom: 'backfill', anyKnown: false }, PAGED, 'read stopped at maxPages=3 before reaching entries already seen; deliveries older than the last page read were not counted. Raise maxPages or poll more often (schedule).'],
    ['newest-N: a full read with a known entry', { entriesRead: 100 }, NEWEST, undefined],
    // Below the floor, entries seen before may have been forgotten, and anything behind is too late to count.
    ['newest-N: a full read with nothing known that reached below the floor', { entriesRead: 100, anyKnown: false, oldestReadMs: 999 }, NEWEST, undefined],
    ['newest-N: a full read with nothing known', { entriesRead: 100, anyKnown: false }, NEWEST, 'none of the 100 newest entries had been seen before: more deliveries arrived between two polls than one read returns, so some were not counted. Poll more often (schedule) or raise limit (max 100).'],
    ['newest-N: a short read with nothing known', { entriesRead: 99, anyKnown: false }, NEWEST, undefined],
    ['newest-N: a first backfill read that came back full', { firstRead: true, startFrom: 'backfill', entriesRead: 100, anyKnown: false }, NEWEST, 'the first read (startFrom: backfill) returned a full 100 entries, as many as one read can: older deliveries in the log were not counted. Raise limit (max 100) to backfill more.'],
    ['newest-N: a first read with startFrom now that came back full', { firstRead: true, entriesRead: 100, anyKnown: false }, NEWEST, undefined],
    ['newest-N: one pending entry lost', { lostPending: 1 }, NEWEST, "1 pending delivery left the provider's log before finishing (retention, or pushed out of the newest 100 entries), so the outcome was not counted. Poll more often (schedule) or raise limit (max 100)."],
    ['paged: two pending entries lost', { lostPending: 2 }, PAGED, "2 pending deliveries left the provider's log before finishing (retention, or pushed out of the newest 100 entries), so the outcome was not counted. Poll more often (schedule)."],
  ])('%s', (_name, facts, paging, expected) => {
    expect(detectGap({ ...READ, ...facts }, paging, HINTS)).toBe(expected);
  });

  it('a missed-entries gap wins over a lost pending entry in the message', () => {
    expect(detectGap({ ...READ, entriesRead: 100, anyKnown: false, lostPending: 1 }, NEWEST, HINTS)).toMatch(/^none of the 100 newest/);
  });
});
