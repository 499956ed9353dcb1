// Writes the dashboards, the alert rules and the Kubernetes PrometheusRule from mixin/:
// `npm run generate:mixin`. Tests import the render functions; only running the script writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { buildRuleGroups, renderRulesFile, RULES_FILE } from '../mixin/alerts.js';
import { mixinConfig, type MixinConfig } from '../mixin/config.js';
import { renderDashboardFiles } from '../mixin/dashboards/index.js';

export const PROMETHEUS_RULE_FILE = 'deploy/kubernetes/base/prometheus-rule.yaml';

const PROMETHEUS_RULE_HEADER = [
  '# Generated from mixin/config.ts by `npm run generate:mixin`. Do not edit by hand:',
  `# change mixin/config.ts and regenerate. The same rule groups as ${RULES_FILE}.`,
  '# If your Prometheus selects rules by label (kube-prometheus-stack: `release: <its release name>`),',
  '# add that label with a kustomize overlay rather than here.',
].join('\n');

/** The alert rules wrapped in a prometheus-operator PrometheusRule. */
export function renderPrometheusRule(config: MixinConfig): string {
  const rule = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'webhook-log-exporter',
      labels: { 'app.kubernetes.io/name': 'webhook-log-exporter', 'app.kubernetes.io/component': 'alerting' },
    },
    spec: { groups: buildRuleGroups(config) },
  };
  // lineWidth 0: long descriptions stay on one line instead of being folded.
  return `${PROMETHEUS_RULE_HEADER}\n${stringify(rule, { lineWidth: 0 })}`;
}

/** Every generated file, by path relative to the repository root. */
export function renderGeneratedFiles(config: MixinConfig): Record<string, string> {
  return {
    ...renderDashboardFiles(config),
    [RULES_FILE]: renderRulesFile(config),
    [PROMETHEUS_RULE_FILE]: renderPrometheusRule(config),
  };
}

function writeGeneratedFiles(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  for (const [path, text] of Object.entries(renderGeneratedFiles(mixinConfig))) {
    mkdirSync(dirname(`${root}${path}`), { recursive: true });
    writeFileSync(`${root}${path}`, text);
    console.log(`wrote ${path}`);
  }
}

const runAsScript = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runAsScript) writeGeneratedFiles();
