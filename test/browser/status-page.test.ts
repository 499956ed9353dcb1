// The status page in a real Chromium, against the real demo (simulated providers with live traffic,
// a real exporter polling them every 5 s): what a reader sees, that it keeps itself current in
// place, that a hostile event name stays text, that nothing is fetched from elsewhere, and that it
// fits a 320 px screen. Without Chromium (/usr/bin/chromium or CHROMIUM_PATH) every test fails.

import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { baanxEntry, DEMO_WEBHOOKS } from '../../src/simulator/index.js';
import { launchChromium, startDemoExporter, type RunningDemo } from './helpers/demo-page.js';

const FAILING = DEMO_WEBHOOKS.filter((webhook) => webhook.failing === true);
const HEALTHY = DEMO_WEBHOOKS.filter((webhook) => webhook.failing !== true);
const FAILING_BAANX = FAILING.find((webhook) => webhook.provider === 'baanx')!.webhookId;
const XSS_EVENT = '<img src=x onerror=alert(1)>';
const XSS_ERROR = '<svg onload=alert(2)></svg>';

let demo: RunningDemo | undefined;
let browser: Browser | undefined;
let page: Page;
let origin: string;
const leftOrigin: string[] = [];
let statusRequests = 0;
const dialogs: string[] = [];
const pageErrors: string[] = [];
const consoleErrors: string[] = [];
/** Why the demo or the browser did not start: each test then fails with it rather than being skipped. */
let setupError: unknown;

beforeAll(async () => {
  try {
    await setUp();
  } catch (error) {
    setupError = error;
  }
}, 60_000);

beforeEach(() => {
  if (setupError !== undefined) throw setupError;
});

async function setUp(): Promise<void> {
  demo = await startDemoExporter();
  browser = await launchChromium();
  origin = new URL(demo.url).origin;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Every request the page makes passes here; anything not for the exporter is refused and noted.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).pathname.endsWith('/api/v1/status')) statusRequests++;
    if (url.startsWith('data:') || new URL(url).origin === origin) return route.continue();
    leftOrigin.push(url);
    return route.abort();
  });
  page = await context.newPage();
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  // CSP violations and failed loads are reported as console errors.
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.goto(demo.url);
}

afterAll(async () => {
  demo?.simulator.onRequest(null);
  await browser?.close();
  await demo?.stop();
});

function card(id: string): Locator {
  return page.locator('li.card').filter({ has: page.getByRole('heading', { level: 3, name: id, exact: true }) });
}

async function slot(of: Locator, name: string): Promise<string> {
  return ((await of.locator(`[data-slot="${name}"]`).first().textContent()) ?? '').trim();
}

/** Polls `read` until `done` holds; fails with the last value seen. */
async function eventually<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}

const percentOf = (text: string): number => (/^(\d+) %$/.exec(text) ? Number(/^(\d+)/.exec(text)![1]) : Number.NaN);

describe('the status page of the demo', () => {
  it('shows each receiver that is down as FAILING with "0 %", before the others', async () => {
    for (const { webhookId } of FAILING) {
      await eventually(`badge of ${webhookId}`, () => slot(card(webhookId), 'badge'), (text) => text === 'FAILING', 20_000);
      expect(await slot(card(webhookId), 'ratio')).toBe('0 %');
      expect(await card(webhookId).locator('[data-slot="ratio"]').isVisible()).toBe(true);
    }
    const healths = await page.locator('li.card').evaluateAll((cards) => cards.map((element) => element.getAttribute('data-health')));
    expect(healths).toHaveLength(DEMO_WEBHOOKS.length);
    expect(healths.slice(0, FAILING.length)).toEqual(FAILING.map(() => 'failing'));
  });

  it('draws a chart of 15 minutes for every webhook, with a text alternative', async () => {
    const cards = page.locator('li.card');
    expect(await cards.count()).toBe(DEMO_WEBHOOKS.length);
    for (const each of await cards.all()) {
      expect(await each.locator('svg g[data-minute]').count()).toBe(15);
      expect(await each.locator('svg').getAttribute('aria-label')).toMatch(/^(Deliveries per minute, last 15 min: \d+ succeeded, \d+ failed|No deliveries)/);
    }
  });

  it('shows new traffic without a reload, in place: same elements, focus and scroll kept', async () => {
    await page.evaluate('window.__notReloaded = true; document.querySelector("li.card").__sameElement = true');
    await page.getByRole('link', { name: '/metrics' }).focus();
    await page.evaluate('window.scrollTo(0, 150)');
    const scrollY = await page.evaluate('window.scrollY');
    const generatedAt = await page.locator('[data-slot="generatedAt"]').getAttribute('datetime');
    const delivered = (): Promise<number> =>
      page.locator('[data-slot="success"], [data-slot="failed"]').evaluateAll((counts) => counts.reduce((sum, count) => sum + Number(count.textContent), 0));
    const before = await delivered();

    await eventually('deliveries on the page', delivered, (now) => now > before, 25_000);
    expect(await page.locator('[data-slot="generatedAt"]').getAttribute('datetime')).not.toBe(generatedAt);
    expect(await page.evaluate('window.__notReloaded === true')).toBe(true);
    expect(await page.evaluate('document.querySelector("li.card").__sameElement === true')).toBe(true);
    expect(await page.evaluate('document.activeElement.getAttribute("href")')).toBe('metrics');
    expect(await page.evaluate('window.scrollY')).toBe(scrollY);
    expect(await page.locator('[data-live]').textContent()).toBe('Updates every 5 s.');
  });

  it('shows an event name and error text full of markup as text, and runs none of it', async () => {
    // Each read of the failing receiver's log first gets a failure of that event, so it is the newest.
    demo!.simulator.onRequest((request) => {
      if (request.provider !== 'baanx' || request.webhookId !== FAILING_BAANX) return;
      const entry = baanxEntry({ eventType: XSS_EVENT, deliveryStatus: 'failed', responseStatus: 503, responseBody: 'Service Unavailable', errorMessage: XSS_ERROR });
      demo!.simulator.append('baanx', FAILING_BAANX, [entry]);
    });
    const failing = card(FAILING_BAANX);
    // Live, through the script …
    await eventually('last failure event', () => slot(failing, 'failureEvent'), (text) => text === XSS_EVENT, 20_000);
    expect(await slot(failing, 'failureError')).toBe(XSS_ERROR);
    expect(await failing.locator('[data-slot="failureEvent"]').innerHTML()).toBe('&lt;img src=x onerror=alert(1)&gt;');
    // … and rendered by the server.
    await page.reload();
    expect(await slot(failing, 'failureEvent')).toBe(XSS_EVENT);
    expect(await slot(failing, 'failureError')).toBe(XSS_ERROR);
    await page.waitForTimeout(1_000); // an onerror or onload would have fired by now
    expect(await page.locator('main img, main svg svg').count()).toBe(0);
    expect(dialogs).toEqual([]);
    demo!.simulator.onRequest(null);
  });

  it('fits 320 px: no horizontal scrolling, and the key facts in view', async () => {
    await page.setViewportSize({ width: 320, height: 800 });
    await page.evaluate('window.scrollTo(0, 0)');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(320);
    const failing = card(FAILING_BAANX);
    for (const fact of [failing.locator('[data-slot="badge"]'), failing.locator('[data-slot="ratio"]'), failing.getByRole('heading', { level: 3 }), page.locator('[data-slot="countFailing"]')]) {
      expect(await fact.isVisible()).toBe(true);
      const box = (await fact.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(320);
    }
    expect(await slot(failing, 'ratio')).toBe('0 %');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('shows the healthy receivers at 90 % or more once traffic has built up', async () => {
    // A few early failures among a handful of deliveries dip below 90 %; about 5 % fail in the long run.
    // Read in one go, so figure and badge come from the same update.
    const healthy = async (): Promise<Array<{ id: string; percent: number; badge: string }>> => {
      const cards: string[][] = await page.locator('li.card').evaluateAll((elements) =>
        elements.map((element) => ['h3', '[data-slot="ratio"]', '[data-slot="badge"]'].map((selector) => element.querySelector(selector).textContent)),
      );
      return cards
        .filter(([id]) => HEALTHY.some((webhook) => webhook.webhookId === id))
        .map(([id, ratio, badge]) => ({ id: id!, percent: percentOf(ratio!), badge: badge! }));
    };
    const shown = await eventually('healthy receivers', healthy, (all) => all.length === HEALTHY.length && all.every((each) => each.percent >= 90), 100_000);
    expect(shown.map((each) => each.badge)).toEqual(HEALTHY.map(() => 'OK'));
  }, 110_000);

  it('made no request beyond the exporter, and met no error, CSP violation or dialog', () => {
    expect(statusRequests).toBeGreaterThan(0); // the check above saw the script's requests
    expect(leftOrigin).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
