// Writes docs/metrics.md from the metric catalogue: `npm run docs:metrics`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderMetricsDoc } from '../src/telemetry/metrics-doc.js';

const target = fileURLToPath(new URL('../docs/metrics.md', import.meta.url));
writeFileSync(target, renderMetricsDoc());
console.log(`wrote ${target}`);
