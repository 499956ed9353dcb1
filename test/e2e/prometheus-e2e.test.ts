// End to end: a real Prometheus scrapes `webhook-log-exporter demo` every second with the alert
// rules loaded. Every dashboard panel's query must return data, and the demo's failing webhook
// must make an alert fire.

import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRulesFile } from '../../mixin/alerts.js';
import { mixinConfig, type MixinConfig } from '../../mixin/config.js';
import { buildDashboards } from '../../mixin/dashboards/index.js';
import { DEMO_WEBHOOKS } from '../../src/simulator/index.js';
import { freePort, spawnCli, waitFor } from '../helpers/cli.js';
import { startPrometheus, type Prometheus } from '../helpers/prometheus.js';
import { dashboardQueries } from '../deploy/helpers/dashboard-queries.js';

const SCRAPE_WARMUP_MS = 20_000; // enough 1 s scrapes and 5 s demo polls for rates over 20 s windows
const failingWebhook = DEMO_WEBHOOKS.find((webhook) => webhook.failing)!.webhookId;

// The committed expressions, with every `for` at 0s so the test need not wait minutes.
const fastRules: MixinConfig = structuredClone(mixinConfig);
for (const value of Object.values(fastRules)) {
  if (typeof value === 'object' && value !== null && 'for' in value) (value as { for: string }).for = '0s';
}

const children: ChildProcess[] = [];
let prometheus: Prometheus | undefined;
let prometheusUrl = '';

function track(child: ChildProcess): { child: ChildProcess; output: () => string } {
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

const query = (expr: string) => prometheus!.query(expr);

beforeAll(async () => {
  const demoPort = await freePort();
  const demo = track(spawnCli(['demo', '--port', String(demoPort)], { LOG_LEVEL: 'warn' }));
  await waitFor(async () => ((await fetch(`http://127.0.0.1:${demoPort}/readyz`)).ok ? true : undefined), `the demo (${demo.output()})`);

  prometheus = await startPrometheus({ targets: [`127.0.0.1:${demoPort}`], interval: '1s', rules: renderRulesFile(fastRules) });
  prometheusUrl = prometheus.url;
  await new Promise((resolve) => setTimeout(resolve, SCRAPE_WARMUP_MS));
}, SCRAPE_WARMUP_MS + 60_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await prometheus?.stop();
});

describe('a real Prometheus scraping the demo', () => {
  it('scrapes the exporter successfully', async () => {
    const up = await query('up{job="webhook-log-exporter"}');
    expect(up.data.result).toMatchObject([{ value: [expect.any(Number), '1'] }]);
  });

  it('has data for every panel query of both dashboards', async () => {
    const queries = buildDashboards(mixinConfig).flatMap((dashboard) =>
      dashboardQueries(dashboard, { job: 'webhook-log-exporter', rateInterval: '20s' }),
    );
    expect(queries.length).toBeGreaterThan(15);
    const empty: string[] = [];
    for (const { dashboard, panel, expr } of queries) {
      const result = await query(expr);
      expect(result.status, `${dashboard} / ${panel}: ${result.error ?? ''}\n${expr}`).toBe('success');
      if (result.data.result.length === 0) empty.push(`${dashboard} / ${panel}: ${expr}`);
    }
    expect(empty, 'panels without data').toEqual([]);
  });

  it('fires an alert for the demo webhook whose receiver is down', async () => {
    const alerts = await waitFor(async () => {
      const response = (await (await fetch(`${prometheusUrl}/api/v1/alerts`)).json()) as {
        data: { alerts: Array<{ state: string; labels: Record<string, string> }> };
      };
      const firing = response.data.alerts.filter((alert) => alert.state === 'firing' && alert.labels.webhook_id === failingWebhook);
      return firing.length > 0 ? firing : undefined;
    }, 'a firing alert', 30_000);
    expect(alerts.map((alert) => alert.labels.alertname)).toContain('WebhookDeliveryErrorRatioCritical');
    // The healthy webhooks stay quiet.
    const healthy = DEMO_WEBHOOKS.filter((webhook) => !webhook.failing).map((webhook) => webhook.webhookId);
    const rules = (await (await fetch(`${prometheusUrl}/api/v1/alerts`)).json()) as { data: { alerts: Array<{ labels: Record<string, string> }> } };
    const noisy = rules.data.alerts.filter(
      (alert) => healthy.includes(alert.labels.webhook_id ?? '') && alert.labels.alertname === 'WebhookDeliveryErrorRatioCritical',
    );
    expect(noisy).toEqual([]);
  });
});
