// Series counts as Prometheus would store them, from a parsed exposition: a histogram is one series
// per label set (its `_bucket`, `_sum` and `_count` lines together), `le` aside.

import { findSamples, type Exposition, type Sample } from '../test/helpers/exposition.js';

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];
/** Label the OTel SDK puts on the one series it folds every series past its cardinality limit into. */
export const OVERFLOW_LABEL = 'otel_metric_overflow';

/** Metric family → number of distinct label sets. */
export function seriesPerMetric(exposition: Exposition): Map<string, number> {
  const labelSets = new Map<string, Set<string>>();
  for (const sample of exposition.samples) {
    const family = familyOf(exposition, sample.name);
    const { le: _bucketBound, ...labels } = sample.labels;
    let sets = labelSets.get(family);
    if (sets === undefined) labelSets.set(family, (sets = new Set()));
    sets.add(JSON.stringify(labels));
  }
  return new Map([...labelSets].map(([family, sets]) => [family, sets.size]));
}

export function totalSeries(counts: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const count of counts.values()) sum += count;
  return sum;
}

/** Samples the SDK folded past its cardinality limit: their labels are lost. */
export function overflowSamples(exposition: Exposition): Sample[] {
  return exposition.samples.filter((sample) => sample.labels[OVERFLOW_LABEL] !== undefined);
}

/** Distinct values of `label` among the samples of `metric` that match `match`. */
export function labelValues(exposition: Exposition, metric: string, label: string, match: Record<string, string> = {}): Set<string> {
  return new Set(findSamples(exposition, metric, match).flatMap((sample) => sample.labels[label] ?? []));
}

function familyOf(exposition: Exposition, sampleName: string): string {
  if (exposition.types.has(sampleName)) return sampleName;
  const suffix = HISTOGRAM_SUFFIXES.find((ending) => sampleName.endsWith(ending));
  return suffix ? sampleName.slice(0, -suffix.length) : sampleName;
}
