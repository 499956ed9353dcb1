// Screenshots of the status page for the docs, from the real demo once traffic has built up:
// `npx tsx scripts/screenshot-status-page.ts` writes docs/status-page-light.png and -dark.png.
// Needs Chromium at /usr/bin/chromium (Debian's chromium package) or CHROMIUM_PATH.

import { join } from 'node:path';
import type { StatusDocument } from '../src/server/index.js';
import { pageView } from '../src/server/status-page-view.js';
import { DEMO_WEBHOOKS } from '../src/simulator/index.js';
import { launchChromium, startDemoExporter } from '../test/browser/helpers/demo-page.js';

const MIN_TRAFFIC_MS = 20_000; // every demo webhook has deliveries, failures and a chart by then
// In the first minute a few early failures among a handful of deliveries can show a healthy
// receiver as DEGRADED; wait (this long at most) for the picture the demo settles into.
const MAX_TRAFFIC_MS = 90_000;
const DOCS = join(import.meta.dirname, '..', 'docs');
const DOWN = new Set(DEMO_WEBHOOKS.filter((webhook) => webhook.failing).map((webhook) => webhook.webhookId));

const demo = await startDemoExporter();
const browser = await launchChromium();
try {
  console.log(`demo at ${demo.url}; waiting for traffic`);
  const startedAt = Date.now();
  await sleep(MIN_TRAFFIC_MS);
  while (!(await settled()) && Date.now() - startedAt < MAX_TRAFFIC_MS) await sleep(1_000);
  for (const colorScheme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme });
    await page.goto(demo.url);
    const file = join(DOCS, `status-page-${colorScheme}.png`);
    await page.screenshot({ path: file });
    await page.close();
    console.log(`wrote ${file} after ${Math.round((Date.now() - startedAt) / 1000)} s of traffic`);
  }
} finally {
  await browser.close();
  await demo.stop();
}

/** The receivers that are down show FAILING, all others OK. */
async function settled(): Promise<boolean> {
  const doc = (await (await fetch(new URL('api/v1/status', demo.url))).json()) as StatusDocument;
  return pageView(doc).webhooks.every((webhook) => webhook.health === (DOWN.has(webhook.id) ? 'failing' : 'ok'));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
