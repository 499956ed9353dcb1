// Classification of one entry against the checkpoint (src/poller/classify.ts): the table of docs/counting.md.
import { describe, expect, it } from 'vitest';
import { classify, type Classification } from '../../src/poller/classify.js';
import type { DeliveryStatus } from '../../src/providers/types.js';

const FLOOR = 1_000;
const checkpoint = { seen: new Set(['seen']), pending: new Set(['held']) };

describe('classify', () => {
  it.each<[string, string, DeliveryStatus, number, Classification]>([
    ['a finished entry seen before', 'seen', 'success', 2_000, 'known'],
    ['a finished entry seen before, now below the floor', 'seen', 'failed', 10, 'known'],
    ['a new finished entry', 'new', 'success', 2_000, 'new-finished'],
    ['a new failed entry at the floor exactly', 'new', 'failed', FLOOR, 'new-finished'],
    ['a new entry below the floor', 'new', 'success', FLOOR - 1, 'too-old'],
    ['a new pending entry', 'new', 'pending', 2_000, 'now-pending'],
    ['a new processing entry', 'new', 'processing', 2_000, 'now-pending'],
    ['a held pending entry still pending', 'held', 'processing', 2_000, 'still-pending'],
    ['a held pending entry now finished', 'held', 'failed', 2_000, 'finished-pending'],
    ['a held pending entry finished below the floor', 'held', 'success', 10, 'finished-pending'],
    ['a new pending entry below the floor', 'new', 'pending', 10, 'too-old'],
  ])('%s', (_name, logId, status, createdAtMs, expected) => {
    expect(classify({ logId, status, createdAtMs }, checkpoint, FLOOR)).toBe(expected);
  });
});
