// The Prometheus alert rules, built from mixinConfig. `npm run generate:mixin` writes RULES_FILE;
// the Kubernetes manifests wrap buildRuleGroups() in a PrometheusRule.
import { stringify } from 'yaml';
import type { MixinConfig } from './config.js';
import { deliveryAlerts } from './rules/delivery.js';
import { exporterAlerts } from './rules/exporter.js';
import type { AlertDefinition, AlertRule, RuleGroup } from './rules/types.js';

export type { AlertRule, RuleGroup, Severity } from './rules/types.js';

export const RULES_FILE = 'alerts/webhook-log-exporter.rules.yml';

const HEADER = [
  '# Generated from mixin/config.ts by `npm run generate:mixin`. Do not edit by hand:',
  '# change mixin/config.ts (thresholds, windows, selectors) and regenerate.',
].join('\n');

export function buildRuleGroups(config: MixinConfig): RuleGroup[] {
  const withRunbook = (alert: AlertDefinition): AlertRule => ({
    ...alert,
    annotations: { ...alert.annotations, runbook_url: `${config.runbookBaseUrl}#${alert.alert.toLowerCase()}` },
  });
  return [
    { name: 'webhook-deliveries', rules: deliveryAlerts(config).map(withRunbook) },
    { name: 'webhook-log-exporter', rules: exporterAlerts(config).map(withRunbook) },
  ];
}

export function renderRulesFile(config: MixinConfig): string {
  // lineWidth 0: long descriptions stay on one line instead of being folded.
  return `${HEADER}\n${stringify({ groups: buildRuleGroups(config) }, { lineWidth: 0 })}`;
}
