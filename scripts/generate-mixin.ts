// Writes the dashboards and the alert rules from mixin/: `npm run generate:mixin`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderRulesFile, RULES_FILE } from '../mixin/alerts.js';
import { mixinConfig } from '../mixin/config.js';
import { renderDashboardFiles } from '../mixin/dashboards/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const outputs: Record<string, string> = { ...renderDashboardFiles(mixinConfig), [RULES_FILE]: renderRulesFile(mixinConfig) };
for (const [path, text] of Object.entries(outputs)) {
  mkdirSync(dirname(`${root}${path}`), { recursive: true });
  writeFileSync(`${root}${path}`, text);
  console.log(`wrote ${path}`);
}
