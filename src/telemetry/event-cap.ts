import { OTHER_EVENT } from './catalogue.js';

/**
 * Caps the distinct `event` label values of each source, so a provider that puts ids into event
 * names cannot grow the series count without bound. First come, first served: an event type keeps
 * the value it was given for the life of the process, because moving a series to `other` later
 * (as ranking by volume would) looks like a counter reset to Prometheus. The set is rebuilt after a
 * restart, so which types get their own series may change then; per-source totals stay exact.
 */
export class EventTypeCap {
  private readonly admittedBySource = new Map<string, Set<string>>();

  constructor(private readonly maxPerSource: number) {}

  label(source: string, eventType: string): string {
    let admitted = this.admittedBySource.get(source);
    if (admitted === undefined) {
      admitted = new Set();
      this.admittedBySource.set(source, admitted);
    }
    if (admitted.has(eventType)) return eventType;
    if (admitted.size >= this.maxPerSource) return OTHER_EVENT;
    admitted.add(eventType);
    return eventType;
  }
}
