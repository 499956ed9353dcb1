import type { Attributes } from '@opentelemetry/api';
import { METRICS, type LabelValues, type MetricKey } from './catalogue.js';

/**
 * One attributes object per series of a metric, built in catalogue label order: the SDK is handed
 * the same object for every entry of a series, and a Tally can key on identity.
 */
export class SeriesAttributes<K extends MetricKey> {
  private readonly byValues = new SeriesMap<Attributes>();

  constructor(private readonly metric: K) {}

  get(values: LabelValues<K>): Attributes {
    return this.byValues.getOrCreate(values, () => seriesAttributes(this.metric, values));
  }
}

/** A Map keyed by label values, looked up with a cheap `+=` key and stored under a flat copy of it. */
export class SeriesMap<V> {
  private readonly byKey = new Map<string, V>();

  getOrCreate(values: readonly string[], create: () => V): V {
    const found = this.byKey.get(seriesKey(values));
    if (found !== undefined) return found;
    const created = create();
    this.byKey.set(retainedKey(values), created);
    return created;
  }
}

/** A new attributes object for one series, labels in catalogue order. */
export function seriesAttributes<K extends MetricKey>(metric: K, values: LabelValues<K>): Attributes {
  const labels: readonly string[] = METRICS[metric].labels;
  return Object.fromEntries(labels.map((label, i) => [label, values[i]]));
}

/**
 * Each value prefixed by its length, so keys cannot collide whatever characters the values hold.
 * Cheaper per entry than JSON.stringify (a third of recordDeliveries' time), and one flat Map keeps
 * 10k series 8 MB smaller than a Map per label level would. Built with `+=` for the lookup, which
 * makes a rope of cons strings; a key that is kept is built by `retainedKey` instead.
 */
function seriesKey(values: readonly string[]): string {
  let key = '';
  for (const value of values) key += `${value.length}:${value}`;
  return key;
}

/**
 * `seriesKey` as one flat string. A Map keeps a `+=` key's whole rope alive (a cons cell per
 * piece: 10 MB at 10k series); join() copies the pieces into one sequential string.
 */
export function retainedKey(values: readonly string[]): string {
  return values.map((value) => `${value.length}:${value}`).join('');
}
