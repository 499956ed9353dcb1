import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { AgingMap } from '../../src/collections/aging-map.js';

describe('AgingMap', () => {
  it('forgets the oldest inserted entries below the floor and stops at the first that is not', () => {
    const map = new AgingMap<string>();
    map.set('a', 10).set('b', 20).set('d', 30).set('c', 5);
    expect(map.forgetOlderThan(21)).toBe(2); // a, b; d stops it, c (5) waits behind it
    expect([...map]).toEqual([
      ['d', 30],
      ['c', 5],
    ]);
    expect(map.forgetOlderThan(31)).toBe(2);
    expect(map.size).toBe(0);
  });

  it('skips entries deleted or set again since the walk passed them', () => {
    const map = new AgingMap<string>();
    map.set('a', 1).set('b', 2).set('c', 3);
    expect(map.forgetOlderThan(2)).toBe(1); // a; the walk now holds b
    map.delete('b');
    map.set('c', 50); // same key, new time: kept in place, as a Map does
    map.set('e', 4);
    expect(map.forgetOldest()).toBe('c');
    expect(map.forgetOlderThan(10)).toBe(1); // e
    expect(map.size).toBe(0);
    map.set('x', 1); // a walk that ran out starts again from the first entry
    expect(map.forgetOldest()).toBe('x');
    expect(map.forgetOldest()).toBeUndefined();
  });

  it('never forgets an entry at or above the floor, and agrees with a plain Map on everything else', () => {
    type Op = { kind: 'set'; key: number; at: number } | { kind: 'delete'; key: number } | { kind: 'forget'; floor: number } | { kind: 'oldest' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 30 }), at: fc.integer({ min: 0, max: 100 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant('forget' as const), floor: fc.integer({ min: 0, max: 100 }) }),
      fc.record({ kind: fc.constant('oldest' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const map = new AgingMap<number>();
        const model = new Map<number, number>();
        for (const step of ops) {
          if (step.kind === 'set') {
            map.set(step.key, step.at);
            model.set(step.key, step.at);
          } else if (step.kind === 'delete') {
            expect(map.delete(step.key)).toBe(model.delete(step.key));
          } else if (step.kind === 'oldest') {
            const first = model.keys().next();
            expect(map.forgetOldest()).toBe(first.done === true ? undefined : first.value);
            if (first.done !== true) model.delete(first.value);
          } else {
            const before = new Map(model);
            const forgotten = map.forgetOlderThan(step.floor);
            // What went was below the floor, taken in insertion order up to the first that was not.
            let expected = 0;
            for (const [key, at] of before) {
              if (at >= step.floor) break;
              model.delete(key);
              expected += 1;
            }
            expect(forgotten).toBe(expected);
          }
          expect([...map]).toEqual([...model]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('walks the entries once across calls, not from the first slot on every call', () => {
    // A walk begun anew on each call passes every hole the calls before left (V8 keeps deleted
    // entries as holes until it rebuilds the table): quadratic over a long run.
    const map = new AgingMap<number>();
    const entries = vi.spyOn(Map.prototype, 'entries');
    try {
      for (let at = 0; at < 20_000; at++) {
        map.set(at, at);
        if (at % 10 === 9) map.forgetOlderThan(at - 2_000);
      }
      expect(map.size).toBeLessThanOrEqual(2_010);
      expect(entries).toHaveBeenCalledTimes(1);
    } finally {
      entries.mockRestore();
    }
  });
});
