import type { Counter, Gauge, Histogram, Meter } from '@opentelemetry/api';
import { METRICS, type InstrumentKind, type MetricDefinition, type MetricKey } from './catalogue.js';

type InstrumentOf<Kind extends InstrumentKind> = Kind extends 'counter'
  ? Counter
  : Kind extends 'histogram'
    ? Histogram
    : Gauge;

/** Aggregated by the exporter itself, not by SDK instruments: see delivery-aggregation.ts. */
export const OWN_AGGREGATION = ['deliveries', 'deliveryDuration', 'deliveryRetries', 'deliveriesExhausted', 'eventDelivery'] as const satisfies readonly MetricKey[];
type SdkMetricKey = Exclude<MetricKey, (typeof OWN_AGGREGATION)[number]>;

export type Instruments = { [K in SdkMetricKey]: InstrumentOf<(typeof METRICS)[K]['kind']> };

/** The catalogue metrics the SDK aggregates. */
export function sdkMetrics(): MetricDefinition[] {
  const own: readonly string[] = OWN_AGGREGATION;
  return Object.entries(METRICS).filter(([key]) => !own.includes(key)).map(([, metric]) => metric);
}

/** Every catalogue metric but OWN_AGGREGATION, and nothing else, becomes an instrument. */
export function createInstruments(meter: Meter): Instruments {
  const own: readonly string[] = OWN_AGGREGATION;
  const entries = Object.entries(METRICS)
    .filter(([key]) => !own.includes(key))
    .map(([key, metric]) => [key, createInstrument(meter, metric)]);
  return Object.fromEntries(entries) as Instruments;
}

function createInstrument(meter: Meter, metric: MetricDefinition): Counter | Histogram | Gauge {
  const options = { description: metric.help, unit: metric.unit };
  switch (metric.kind) {
    case 'counter':
      return meter.createCounter(metric.instrumentName, options);
    case 'histogram':
      return meter.createHistogram(metric.instrumentName, options);
    case 'gauge':
      // Synchronous gauges: every value is known at the moment a poll learns it, so an observable
      // gauge would only add a second copy of the same state for its callback to read.
      return meter.createGauge(metric.instrumentName, options);
  }
}
