// The status page's script, served as status.js (assembled in status-page-assets.ts). Every
// REFRESH_MS it fetches api/v1/status, computes pageView() and writes its values onto the markup the
// server rendered: text, attributes and bar geometry, never markup and never innerHTML. Nothing is
// rebuilt, so keyboard focus, scroll position and a text selection stay where they are.
// It runs from this module's source: type imports only, every function and constant exported.

import type { PageView, Shown, WebhookView } from './status-page-view.js';
import type { StatusDocument } from './status.js';

/** The demo polls every 5 s; a refresh costs one small JSON document. */
export const REFRESH_MS = 5_000;

/** The few DOM members the script uses (the project type-checks without the DOM library). */
export interface DomElement {
  textContent: string | null;
  readonly children: ArrayLike<DomElement>;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  querySelector(selectors: string): DomElement | null;
  querySelectorAll(selectors: string): ArrayLike<DomElement>;
  insertBefore(node: DomElement, child: DomElement | null): unknown;
  /** Moves a node keeping its focus and state (Chromium 133+); insertBefore elsewhere. */
  moveBefore?(node: DomElement, child: DomElement | null): unknown;
}

export interface DomDocument {
  title: string;
  readonly hidden: boolean;
  querySelector(selectors: string): DomElement | null;
  addEventListener(type: string, listener: () => void): void;
}

/** Starts the refresh loop; `view` is pageView, passed in because this module imports no values. */
export function startStatusRefresh(view: (doc: StatusDocument) => PageView): void {
  const browser = globalThis as unknown as { document: DomDocument; location: { reload(): void } };
  const { document } = browser;
  const every = `Updates every ${REFRESH_MS / 1000} s.`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight = false;

  const refresh = async (): Promise<void> => {
    // A hidden tab stops asking; becoming visible asks at once.
    if (inFlight || document.hidden) return;
    inFlight = true;
    try {
      const response = await fetch('api/v1/status', { headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const doc = (await response.json()) as StatusDocument;
      // A webhook added or removed (a restart with another config): only the server has its markup.
      if (!patchPage(document, view(doc))) return browser.location.reload();
      showLive(document, every);
    } catch (error) {
      showLive(document, `Update failed (${error instanceof Error ? error.message : String(error)}); the figures are from the last update. Retrying.`);
    } finally {
      inFlight = false;
    }
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), REFRESH_MS);
  };

  document.addEventListener('visibilitychange', () => void refresh());
  showLive(document, every);
  timer = setTimeout(() => void refresh(), REFRESH_MS);
}

/** Writes the view onto the page; false when the page's cards are not the view's webhooks. */
export function patchPage(document: DomDocument, page: PageView): boolean {
  const overview = document.querySelector('[data-status-overview]');
  const list = document.querySelector('[data-status-webhooks]');
  if (overview === null || list === null) return false;
  const cards = new Map(Array.from(list.children).map((card) => [card.getAttribute('data-key'), card] as const));
  if (cards.size !== page.webhooks.length) return false;
  const ordered: DomElement[] = [];
  for (const webhook of page.webhooks) {
    const card = cards.get(webhook.key);
    if (card === undefined || !patchCard(card, webhook)) return false;
    ordered.push(card);
  }
  applySlots(overview, page.slots);
  if (document.title !== page.title) document.title = page.title;
  reorder(list, ordered);
  return true;
}

export function patchCard(card: DomElement, webhook: WebhookView): boolean {
  const groups = Array.from(card.querySelectorAll('g[data-minute]'));
  if (groups.length !== webhook.bars.length) return false;
  applySlots(card, webhook.slots);
  webhook.bars.forEach((bar, index) => {
    const group = groups[index]!;
    setAttributes(group, bar.attrs);
    const title = group.querySelector('title');
    const success = group.querySelector('.success');
    const failed = group.querySelector('.failed');
    if (title !== null) applyShown(title, { text: bar.title, attrs: {} });
    if (success !== null) setAttributes(success, bar.success);
    if (failed !== null) setAttributes(failed, bar.failed);
  });
  return true;
}

/** Every element marked data-slot="name" in `container` (itself included) shows slots[name]. */
export function applySlots(container: DomElement, slots: Record<string, Shown>): void {
  const elements = Array.from(container.querySelectorAll('[data-slot]'));
  if (container.getAttribute('data-slot') !== null) elements.unshift(container);
  for (const element of elements) {
    const shown = slots[element.getAttribute('data-slot') ?? ''];
    if (shown !== undefined) applyShown(element, shown);
  }
}

/** Touches only what changed: no needless mutation, no needless screen-reader announcement. */
export function applyShown(element: DomElement, shown: Shown): void {
  if (shown.text !== undefined && element.textContent !== shown.text) element.textContent = shown.text;
  setAttributes(element, shown.attrs);
}

export function setAttributes(element: DomElement, attrs: Record<string, string | null>): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null) {
      if (element.getAttribute(name) !== null) element.removeAttribute(name);
    } else if (element.getAttribute(name) !== value) {
      element.setAttribute(name, value);
    }
  }
}

/** Moves only the cards out of place, so an unchanged order touches nothing. */
export function reorder(list: DomElement, wanted: DomElement[]): void {
  wanted.forEach((card, index) => {
    const current = list.children[index] ?? null;
    if (current === card) return;
    if (list.moveBefore !== undefined) list.moveBefore(card, current);
    else list.insertBefore(card, current);
  });
}

export function showLive(document: DomDocument, text: string): void {
  const live = document.querySelector('[data-live]');
  if (live !== null) applyShown(live, { text, attrs: { hidden: null } });
}
