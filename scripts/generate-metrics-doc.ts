// Writes docs/metrics.md and the README's metric table from the metric catalogue: `npm run docs:metrics`.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderMetricsDoc, renderReadmeMetrics } from '../src/telemetry/metrics-doc.js';

const doc = fileURLToPath(new URL('../docs/metrics.md', import.meta.url));
writeFileSync(doc, renderMetricsDoc());
console.log(`wrote ${doc}`);

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
writeFileSync(readme, renderReadmeMetrics(readFileSync(readme, 'utf8')));
console.log(`updated the metric table in ${readme}`);
