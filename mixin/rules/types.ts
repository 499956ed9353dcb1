// The shapes of a Prometheus rules file, as plain objects: the rules file renders them as YAML and
// the Kubernetes manifests wrap the same groups in a PrometheusRule.

export type Severity = 'critical' | 'warning';

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: Severity };
  annotations: { summary: string; description: string; runbook_url: string };
}

/** An alert before buildRuleGroups() adds its runbook_url. */
export type AlertDefinition = Omit<AlertRule, 'annotations'> & {
  annotations: Omit<AlertRule['annotations'], 'runbook_url'>;
};

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}
