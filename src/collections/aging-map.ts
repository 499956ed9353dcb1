// Key → time (Unix ms), for bookkeeping that must forget its oldest entries on every read: the ids a
// webhook has counted, the events it follows until delivered.
//
// Why not `for (const [key, at] of map)` each time: V8 leaves a deleted entry as a hole until the
// table is rebuilt, and every new walk starts at the first slot, so forgetting a few entries per
// read walked again over every hole left by the reads before (up to a whole window). One iterator
// kept across calls passes each entry once; iterators of a Map see entries added after they were
// made and skip deleted ones, by the language's definition.

/**
 * Entries should arrive roughly oldest first. Forgetting walks them in insertion order and stops at
 * the first one still young enough: an old entry inserted behind a younger one waits until that
 * one goes too. That costs memory only, never a wrong answer: nothing at or above the floor is
 * ever forgotten by `forgetOlderThan`.
 */
export class AgingMap<K> implements Iterable<[K, number]> {
  private readonly map = new Map<K, number>();
  /** Walks the map once, across calls; undefined after it ran off the end. */
  private cursor: MapIterator<[K, number]> | undefined = undefined;
  /** Whether the walk stopped at an entry it read but did not forget: the oldest, `heldKey`. */
  private holding = false;
  private heldKey: K | undefined = undefined;
  private heldAtMs = 0;

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  get(key: K): number | undefined {
    return this.map.get(key);
  }

  set(key: K, atMs: number): this {
    if (this.holding && this.heldKey === key) this.heldAtMs = atMs; // a Map keeps a key's place when its value changes
    this.map.set(key, atMs);
    return this;
  }

  delete(key: K): boolean {
    // Set again later, it sits at the end, where the walk meets it.
    if (this.holding && this.heldKey === key) this.release();
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.cursor = undefined;
    this.release();
  }

  [Symbol.iterator](): MapIterator<[K, number]> {
    return this.map.entries();
  }

  /** Forgets entries older than `floorMs`, oldest inserted first, up to the first that is not. Returns how many. */
  forgetOlderThan(floorMs: number): number {
    let forgotten = 0;
    while (this.walkToOldest() && this.heldAtMs < floorMs) {
      this.delete(this.heldKey as K);
      forgotten += 1;
    }
    return forgotten;
  }

  /** Forgets the entry inserted first; returns its key. */
  forgetOldest(): K | undefined {
    if (!this.walkToOldest()) return undefined;
    const key = this.heldKey as K;
    this.delete(key);
    return key;
  }

  private release(): void {
    this.holding = false;
    this.heldKey = undefined;
  }

  /** Holds the live entry inserted first; false when there is none. */
  private walkToOldest(): boolean {
    if (this.holding) return true;
    if (this.map.size === 0) {
      this.cursor = undefined; // a new walk starts cheaply once the map has entries again
      return false;
    }
    for (;;) {
      this.cursor ??= this.map.entries();
      const step = this.cursor.next();
      if (step.done !== true) {
        this.holding = true;
        [this.heldKey, this.heldAtMs] = step.value;
        return true;
      }
      this.cursor = undefined; // done for good, by the iterator protocol: start again from the first entry
    }
  }
}
