import type { Counter, Gauge, Histogram, Meter } from '@opentelemetry/api';
import { METRICS, type InstrumentKind, type MetricDefinition, type MetricKey } from './catalogue.js';

type InstrumentOf<Kind extends InstrumentKind> = Kind extends 'counter'
  ? Counter
  : Kind extends 'histogram'
    ? Histogram
    : Gauge;

export type Instruments = { [K in MetricKey]: InstrumentOf<(typeof METRICS)[K]['kind']> };

/** Every catalogue metric, and nothing else, becomes an instrument. */
export function createInstruments(meter: Meter): Instruments {
  const entries = Object.entries(METRICS).map(([key, metric]) => [key, createInstrument(meter, metric)]);
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
