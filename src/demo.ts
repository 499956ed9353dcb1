// `webhook-log-exporter demo`: the simulated providers with live traffic, and a real exporter
// polling them, so a newcomer sees populated metrics on :9464 with no account anywhere.

import { buildExporter, type Exporter } from './app.js';
import { parseConfig } from './config/index.js';
import type { Logger } from './logger.js';
import { DEMO_WEBHOOKS, ProviderSimulator } from './simulator/index.js';

export interface Demo {
  simulator: ProviderSimulator;
  exporter: Exporter;
}

export async function startDemo(options: { logger: Logger; port?: number; host?: string }): Promise<Demo> {
  const simulator = await ProviderSimulator.start();
  const webhooks = (provider: 'salesfinity' | 'baanx') => DEMO_WEBHOOKS.filter((w) => w.provider === provider).map((w) => w.webhookId);
  const config = await parseConfig(
    JSON.stringify({
      listen: { host: options.host ?? '0.0.0.0', port: options.port ?? 9464 },
      schedule: '*/5 * * * * *', // every 5 s, so the demo moves quickly
      startFrom: 'backfill',
      sources: [
        { name: 'salesfinity-demo', provider: 'salesfinity', baseUrl: simulator.baseUrl('salesfinity'), auth: { apiKey: simulator.salesfinityApiKey }, webhooks: webhooks('salesfinity') },
        { name: 'baanx-demo', provider: 'baanx', baseUrl: simulator.baseUrl('baanx'), auth: { bearerToken: simulator.baanxToken }, webhooks: webhooks('baanx') },
      ],
    }),
    { format: 'json', fileName: 'demo config' },
  );
  simulator.startTraffic({ webhooks: [...DEMO_WEBHOOKS] });
  return { simulator, exporter: await buildExporter(config, { logger: options.logger }) };
}
