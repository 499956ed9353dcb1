// A provider API that answers with a redirect to another host: following it would carry the
// source's credentials there. The exporter must not follow; the poll fails visibly instead.

import http from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildExporter, type Exporter } from '../../src/app.js';
import { parseConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logger.js';
import { findSamples, parseExposition } from '../helpers/exposition.js';
import { closeNow, listenOnLoopback } from '../helpers/loopback.js';

const TOKEN = 'tok-REDIRECT-SECRET';
const WEBHOOK = '550e8400-e29b-41d4-a716-446655440000';
const reachedElsewhere: http.IncomingHttpHeaders[] = [];
const elsewhere = http.createServer((req, res) => {
  reachedElsewhere.push(req.headers);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end('[]');
});
let elsewhereUrl: string;
const redirector = http.createServer((req, res) => {
  res.writeHead(302, { Location: `${elsewhereUrl}${req.url ?? '/'}` });
  res.end();
});
let exporter: Exporter;

beforeAll(async () => {
  elsewhereUrl = await listenOnLoopback(elsewhere);
  const providerUrl = await listenOnLoopback(redirector);
  const config = await parseConfig(
    JSON.stringify({
      listen: { host: '127.0.0.1', port: 0 },
      startFrom: 'backfill',
      sources: [{ name: 'cards', provider: 'baanx', baseUrl: providerUrl, auth: { bearerToken: TOKEN }, webhooks: [WEBHOOK] }],
    }),
    { format: 'json' },
  );
  exporter = await buildExporter(config, { logger: createLogger({ level: 'silent' }) });
});

afterAll(async () => {
  await exporter.stop();
  await Promise.all([closeNow(elsewhere), closeNow(redirector)]);
});

it('does not follow a redirect to another host, so the credentials stay with the configured API', async () => {
  await exporter.poller.pollAll();
  expect(reachedElsewhere).toEqual([]);
  const exposition = parseExposition(await exporter.telemetry.collectExposition());
  expect(findSamples(exposition, 'webhook_exporter_api_requests_total', { source: 'cards', code: '302' })[0]?.value).toBe(1);
  expect(findSamples(exposition, 'webhook_exporter_up', { source: 'cards', webhook_id: WEBHOOK })[0]?.value).toBe(0);
});
