// A week of delivery traffic on simulated time: the simulator's own traffic generator (failures,
// Baanx retries, pending → processing → finished in place) ticking every `tickMs`, plus entries
// logged late under many more event types, plus one-shot API faults. Every change goes to the real
// ProviderSimulator and to the ground truth.

import type { BuiltInProvider } from '../src/providers/registry.js';
import {
  baanxEntry,
  createTrafficGenerator,
  ProviderSimulator,
  salesfinityEntry,
  type Fault,
  type TrafficChange,
  type TrafficGenerator,
  type TrafficWebhook,
} from '../src/simulator/index.js';
import { mulberry32, pick, type Random } from '../src/simulator/random.js';
import type { GroundTruth } from './soak-truth.js';

export interface WeekTrafficOptions {
  webhooks: readonly TrafficWebhook[];
  seed: number;
  /** Simulated time between two generator ticks; each tick brings about one event per webhook. */
  tickMs: number;
  /** Chance per webhook and tick of an extra entry logged up to `maxLatenessMs` in the past. */
  lateShare: number;
  maxLatenessMs: number;
  /** Distinct extra event types per provider, drawn by the late entries. */
  eventTail: number;
  /** Chance per poll cycle that one webhook's next API request misbehaves. */
  faultShare: number;
  /** Entries newer than this much before now are carried over when the simulator is rotated. */
  keepWindowMs: number;
}

/** Baanx answers with the newest 100 (its maximum `limit`): a rotation keeps at least those. */
const KEEP_NEWEST = 100;
const FAULTS: readonly Fault[] = [
  { kind: 'status', status: 500, times: 1 },
  { kind: 'status', status: 503, times: 1 },
  { kind: 'rate-limit', retryAfter: '30', times: 1 },
  { kind: 'garbage', times: 1 },
  { kind: 'reset', times: 1 },
];

export class WeekTraffic {
  /** Log entries appended so far (each attempt once, however often it is updated). */
  entries = 0;
  faults = 0;
  private simulator: ProviderSimulator;
  private readonly generator: TrafficGenerator;
  private readonly random: Random;
  private nextTickMs: number;
  /** Baanx entries logged unfinished, as stored, so an update can be seen whole by the truth. */
  private readonly unfinished = new Map<string, Record<string, unknown>>();

  private constructor(
    simulator: ProviderSimulator,
    private readonly options: WeekTrafficOptions,
    private readonly truth: GroundTruth,
    private readonly clock: { nowMs: number },
  ) {
    this.simulator = simulator;
    this.generator = createTrafficGenerator({ webhooks: options.webhooks, seed: options.seed });
    this.random = mulberry32(options.seed);
    this.nextTickMs = clock.nowMs;
  }

  /** `clock.nowMs` is simulated time: the driver moves it, the simulator and entries follow it. */
  static async start(options: WeekTrafficOptions, truth: GroundTruth, clock: { nowMs: number }): Promise<WeekTraffic> {
    const simulator = await ProviderSimulator.start({ now: () => clock.nowMs });
    for (const { provider, webhookId } of options.webhooks) simulator.addWebhook(provider, webhookId);
    return new WeekTraffic(simulator, options, truth, clock);
  }

  get sim(): ProviderSimulator {
    return this.simulator;
  }

  /** Generates everything that happens up to `clock.nowMs`. */
  catchUp(): void {
    for (; this.nextTickMs <= this.clock.nowMs; this.nextTickMs += this.options.tickMs) {
      for (const change of this.generator.tick(this.nextTickMs)) this.apply(change);
      for (const webhook of this.options.webhooks) {
        if (this.random() < this.options.lateShare) this.appendLate(webhook.provider, webhook.webhookId, this.nextTickMs);
      }
    }
  }

  /** Maybe makes one webhook's next request fail, as real APIs now and then do. */
  maybeFault(): void {
    if (this.random() >= this.options.faultShare) return;
    const { provider, webhookId } = pick(this.random, this.options.webhooks);
    this.simulator.setFault(provider, webhookId, pick(this.random, FAULTS));
    this.faults += 1;
  }

  /**
   * A fresh simulator on the same port holding only the recent end of each log (and every entry
   * still unfinished), because the simulator copies a webhook's whole log on every request: at
   * ~10 µs per stored entry, a week's log would cost more than the exporter being measured.
   * The exporter never reads below `now − lookback`, so it cannot tell.
   */
  async rotate(): Promise<void> {
    const old = this.simulator;
    const floorMs = this.clock.nowMs - this.options.keepWindowMs;
    const kept = this.options.webhooks.map(({ provider, webhookId }) => ({
      provider,
      webhookId,
      entries: old.entries(provider, webhookId).filter((raw, index) => index < KEEP_NEWEST || keepEntry(raw as Record<string, unknown>, floorMs)),
    }));
    const port = Number(new URL(old.url).port);
    await old.close();
    this.simulator = await ProviderSimulator.start({ port, now: () => this.clock.nowMs });
    for (const { provider, webhookId, entries } of kept) {
      this.simulator.addWebhook(provider, webhookId);
      this.simulator.append(provider, webhookId, entries.reverse()); // oldest first keeps the order of equal times
    }
  }

  close(): Promise<void> {
    return this.simulator.close();
  }

  private apply(change: TrafficChange): void {
    const { provider, webhookId } = change;
    if (change.kind === 'append') {
      this.append(provider, webhookId, change.entry as unknown as Record<string, unknown>);
      return;
    }
    this.simulator.update(provider, webhookId, change.logId, change.patch);
    const key = `${webhookId}/${change.logId}`;
    const merged = { ...this.unfinished.get(key), ...change.patch };
    if (isUnfinished(merged)) this.unfinished.set(key, merged);
    else this.unfinished.delete(key);
    this.truth.record(provider, webhookId, merged);
  }

  private append(provider: BuiltInProvider, webhookId: string, entry: Record<string, unknown>): void {
    this.simulator.append(provider, webhookId, [entry]);
    if (isUnfinished(entry)) this.unfinished.set(`${webhookId}/${String(entry.id)}`, entry);
    this.truth.record(provider, webhookId, entry);
    this.entries += 1;
  }

  /**
   * A successful attempt logged after newer ones, under one of `eventTail` extra event types drawn
   * uniformly: past maxEventTypes, so `other` fills, yet every type shows up within the first part
   * of the run, so the series stop multiplying and a later rise in heap is not new series.
   */
  private appendLate(provider: BuiltInProvider, webhookId: string, nowMs: number): void {
    const createdAtMs = nowMs - Math.floor(this.random() * this.options.maxLatenessMs);
    const rank = 1 + Math.floor(this.random() * this.options.eventTail);
    const context = { nowMs: createdAtMs, random: this.random };
    const entry =
      provider === 'salesfinity'
        ? salesfinityEntry({ event: `CUSTOM_EVENT_${rank}` }, context)
        : baanxEntry({ eventType: `custom.event.${rank}` }, context);
    this.append(provider, webhookId, entry as unknown as Record<string, unknown>);
  }
}

function isUnfinished(raw: Record<string, unknown>): boolean {
  return raw.deliveryStatus === 'pending' || raw.deliveryStatus === 'processing';
}

function keepEntry(raw: Record<string, unknown>, floorMs: number): boolean {
  return isUnfinished(raw) || Date.parse(String(raw.createdAt)) >= floorMs;
}
