// `webhook-log-exporter demo`: the simulated providers with live traffic, and a real exporter
// polling them, so a newcomer sees populated metrics on :9464 with no account anywhere.

import { buildExporter, type Exporter } from './app.js';
import { parseConfig } from './config/index.js';
import type { Logger } from './logger.js';
import { BUILT_IN_PROVIDERS } from './providers/index.js';
import { DEMO_WEBHOOKS, ProviderSimulator, simulatedSource } from './simulator/index.js';

export interface Demo {
  simulator: ProviderSimulator;
  exporter: Exporter;
}

export async function startDemo(options: { logger: Logger; port?: number; host?: string }): Promise<Demo> {
  const simulator = await ProviderSimulator.start();
  // One source per provider with demo webhooks, named after it.
  const sources = BUILT_IN_PROVIDERS.flatMap((provider) => {
    const webhooks = DEMO_WEBHOOKS.filter((webhook) => webhook.provider === provider).map((webhook) => webhook.webhookId);
    return webhooks.length === 0 ? [] : [simulatedSource(simulator, provider, { name: `${provider}-demo`, webhooks })];
  });
  const config = await parseConfig(
    JSON.stringify({
      listen: { host: options.host ?? '0.0.0.0', port: options.port ?? 9464 },
      schedule: '*/5 * * * * *', // every 5 s, so the demo moves quickly
      startFrom: 'backfill',
      sources,
    }),
    { format: 'json', fileName: 'demo config' },
  );
  simulator.startTraffic({ webhooks: [...DEMO_WEBHOOKS] });
  return { simulator, exporter: await buildExporter(config, { logger: options.logger }) };
}
