// The real demo (simulated providers with live traffic, a real exporter polling them every 5 s) and
// the Chromium that reads its status page: shared by the browser tests and
// scripts/screenshot-status-page.ts.

import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { startDemo, type Demo } from '../../../src/demo.js';
import { createLogger } from '../../../src/logger.js';

/** Debian's chromium package; CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Fails, never skips, without a browser: a page test that does not run must not pass. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
}

export interface RunningDemo extends Demo {
  /** The status page, e.g. http://127.0.0.1:PORT/. */
  url: string;
  stop(): Promise<void>;
}

/** The demo on a free loopback port, polling from now on. */
export async function startDemoExporter(): Promise<RunningDemo> {
  const demo = await startDemo({ logger: createLogger({ level: 'silent' }), host: '127.0.0.1', port: 0 });
  const address = await demo.exporter.listen(0);
  await demo.exporter.start();
  return {
    ...demo,
    url: `http://127.0.0.1:${address.port}/`,
    async stop() {
      await demo.exporter.stop();
      await demo.simulator.close();
    },
  };
}
