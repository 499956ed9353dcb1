// The one place for the selectors and thresholds of the dashboards and alert rules (the "mixin",
// after kubernetes-mixin). `npm run generate:mixin` renders dashboards/*.json and
// alerts/webhook-log-exporter.rules.yml from it; a test fails when the committed output is stale.

export const mixinConfig = {
  /**
   * Selects the exporter's scrape target(s) in alerts. Change it if your scrape job has another
   * name (the dashboards let you pick the job instead).
   */
  exporterSelector: 'job="webhook-log-exporter"',

  /**
   * Where alerts link for "what now". Change it to your own copy of docs/runbook.md if you fork
   * or mirror the project; each alert appends `#<alert name in lower case>`.
   */
  runbookBaseUrl: 'https://github.com/webhook-log-exporter/webhook-log-exporter/blob/main/docs/runbook.md',

  /** Share of failed deliveries per webhook. Lower it for receivers that must never fail. */
  deliveryErrorRatio: {
    warning: 0.1, // 10 %
    critical: 0.5, // 50 %: the receiver is mostly down
    window: '10m', // rate window; longer smooths bursts of a quiet webhook
    for: '10m',
  },

  /**
   * No successful delivery for this long while deliveries are being attempted: the receiver is
   * down. Raise it for webhooks that fire rarely.
   */
  noSuccessfulDelivery: {
    window: '30m',
    for: '5m',
  },

  /** p95 receiver response time; raise it for receivers known to be slow. */
  deliveryLatencyP95: {
    seconds: 5,
    window: '15m',
    for: '15m',
  },

  /** Any delivery the provider gave up on (retries exhausted) within this window pages. */
  deliveriesExhausted: {
    window: '15m',
    for: '0m',
  },

  /** The exporter cannot read a webhook's delivery log (credentials, webhook id, provider down). */
  exporterPollsFailing: {
    for: '15m',
  },

  /** The exporter's own scrape target is down or missing. */
  exporterDown: {
    for: '5m',
  },

  /** Deliveries may have been missed (polling too slowly for the traffic). */
  gapsDetected: {
    window: '1h',
    for: '0m',
  },

  /** A changed web config (certificates, users) could not be loaded; the previous one serves on. */
  webConfigReloadFailed: {
    window: '15m',
  },

  /** The dashboards' default time range and refresh. */
  dashboards: {
    timeFrom: 'now-6h',
    refresh: '30s',
  },
};

export type MixinConfig = typeof mixinConfig;
