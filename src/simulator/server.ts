// One loopback HTTP server speaking every simulated provider's delivery-log API under a path prefix
// of its name, e.g. {url}/salesfinity/v1/webhooks/{id}/logs. APIS below registers them.
// A logs request is handled in this order: recorded, onRequest hook, fault (if one is set),
// auth (401), unknown webhook (404), query rules (400), answer.

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BuiltInProvider } from '../providers/registry.js';
import { baanxApi } from './baanx-api.js';
import { FaultBook, type Fault } from './faults.js';
import { githubApi } from './github-api.js';
import { gitlabApi } from './gitlab-api.js';
import type { ProviderApi } from './provider-api.js';
import { bodyFaultWriter, send, sendFaultReply, sendJson, type AnswerWriter } from './replies.js';
import { salesfinityApi } from './salesfinity-api.js';
import { svixApi } from './svix-api.js';
import { LogStore } from './store.js';
import { DEMO_WEBHOOKS, createTrafficGenerator, type TrafficChange, type TrafficOptions, type TrafficWebhook } from './traffic.js';

export interface SimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Credentials to accept instead of each API's default (secrets.ts). */
  secrets?: Partial<Record<BuiltInProvider, string>>;
  /** Shorthands for `secrets.salesfinity` and `secrets.baanx`. */
  salesfinityApiKey?: string;
  baanxToken?: string;
  /** Clock for generated entries, Baanx retention and `SimRequest.at`; default Date.now. */
  now?: () => number;
}

/** One logs request as the simulator saw it. Holds no secret: only whether auth matched. */
export interface SimRequest {
  provider: BuiltInProvider;
  webhookId: string;
  query: Record<string, string>;
  authorized: boolean;
  /** Clock time when it arrived, Unix milliseconds. */
  at: number;
  userAgent: string | undefined;
  accept: string | undefined;
  /** The URL as asked for (path and query; the query may hold cursors, never secrets here). */
  url: URL;
}

export type RequestHook = (request: SimRequest) => void | Promise<void>;

/** Every simulated API by provider name: adding one is one line here, beside its own file. */
const APIS: Record<BuiltInProvider, ProviderApi> = { salesfinity: salesfinityApi, baanx: baanxApi, github: githubApi, gitlab: gitlabApi, svix: svixApi };
const SIMULATED = Object.keys(APIS) as BuiltInProvider[];
const PROVIDER_PREFIX = /^\/([a-z0-9-]+)(\/.*)$/;
const DEFAULT_TRAFFIC_INTERVAL_MS = 1_000;

export class ProviderSimulator {
  readonly requests: SimRequest[] = [];
  /** The credential each API accepts. */
  readonly secrets: Readonly<Record<BuiltInProvider, string>>;

  private readonly now: () => number;
  private readonly stores = Object.fromEntries(SIMULATED.map((provider) => [provider, new LogStore(APIS[provider].idField, APIS[provider].createdAtField)])) as Record<BuiltInProvider, LogStore>;
  private readonly faults = new FaultBook();
  private readonly inFlight = new Map<string, number>();
  private readonly delayedAnswers = new Set<NodeJS.Timeout>();
  private highestInFlight = 0;
  private hook: RequestHook | null = null;
  private trafficTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    options: SimulatorOptions,
  ) {
    const given: Partial<Record<BuiltInProvider, string>> = { salesfinity: options.salesfinityApiKey, baanx: options.baanxToken, ...options.secrets };
    this.secrets = Object.fromEntries(SIMULATED.map((provider) => [provider, given[provider] ?? APIS[provider].defaultSecret])) as Record<BuiltInProvider, string>;
    this.now = options.now ?? Date.now;
  }

  static async start(options: SimulatorOptions = {}): Promise<ProviderSimulator> {
    const server = createServer();
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const simulator = new ProviderSimulator(server, `http://${host.includes(':') ? `[${host}]` : host}:${port}`, options);
    server.on('request', (req, res) => {
      simulator.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { message: `simulator error: ${String(error)}` });
      });
    });
    return simulator;
  }

  get salesfinityApiKey(): string {
    return this.secrets.salesfinity;
  }

  get baanxToken(): string {
    return this.secrets.baanx;
  }

  /** The base URL an exporter source should use for this provider. */
  baseUrl(provider: BuiltInProvider): string {
    return `${this.url}/${provider}`;
  }

  /** The highest number of concurrently open requests seen for any one webhook. */
  get maxInFlight(): number {
    return this.highestInFlight;
  }

  addWebhook(provider: BuiltInProvider, webhookId: string): void {
    this.stores[provider].addWebhook(webhookId);
  }

  /** Raw entries, provider-shaped or deliberately not; kept newest first by createdAt. */
  append(provider: BuiltInProvider, webhookId: string, entries: readonly unknown[]): void {
    this.stores[provider].append(webhookId, entries, this.now());
  }

  update(provider: BuiltInProvider, webhookId: string, logId: string, patch: object): void {
    this.stores[provider].update(webhookId, logId, patch);
  }

  /** Copies of the current log, newest first (Baanx without entries past retention). */
  entries(provider: BuiltInProvider, webhookId: string): unknown[] {
    this.applyRetention(provider, webhookId);
    return this.stores[provider].entries(webhookId);
  }

  setFault(provider: BuiltInProvider, webhookId: string, fault: Fault | null): void {
    this.faults.set(provider, webhookId, fault);
  }

  /** Runs before each logs request is answered (and before any fault), e.g. to add entries between pages. */
  onRequest(hook: RequestHook | null): void {
    this.hook = hook;
  }

  /** Generates traffic now and then every `intervalMs`; unknown webhooks are added. */
  startTraffic(options: TrafficOptions = {}): void {
    this.stopTraffic();
    const webhooks = options.webhooks ?? this.knownWebhooks();
    for (const { provider, webhookId } of webhooks) this.addWebhook(provider, webhookId);
    const generator = createTrafficGenerator({ webhooks, seed: options.seed });
    const step = (): void => this.applyTraffic(generator.tick(this.now()));
    step();
    this.trafficTimer = setInterval(step, options.intervalMs ?? DEFAULT_TRAFFIC_INTERVAL_MS);
  }

  stopTraffic(): void {
    clearInterval(this.trafficTimer);
    this.trafficTimer = undefined;
  }

  async close(): Promise<void> {
    this.stopTraffic();
    for (const timer of this.delayedAnswers) clearTimeout(timer);
    this.delayedAnswers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private knownWebhooks(): TrafficWebhook[] {
    const known = SIMULATED.flatMap((provider) =>
      this.stores[provider].webhookIds().map((webhookId) => ({ provider, webhookId })),
    );
    return known.length > 0 ? known : [...DEMO_WEBHOOKS];
  }

  private applyTraffic(changes: readonly TrafficChange[]): void {
    for (const change of changes) {
      if (change.kind === 'append') this.append(change.provider, change.webhookId, [change.entry]);
      else this.update(change.provider, change.webhookId, change.logId, change.patch);
    }
  }

  private applyRetention(provider: BuiltInProvider, webhookId: string): void {
    const { retentionMs } = APIS[provider];
    const store = this.stores[provider];
    if (retentionMs !== undefined && store.hasWebhook(webhookId)) store.dropOlderThan(webhookId, this.now() - retentionMs);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const prefixed = PROVIDER_PREFIX.exec(url.pathname);
    const provider = SIMULATED.find((name) => name === prefixed?.[1]);
    let webhookId: string | undefined;
    try {
      webhookId = provider === undefined ? undefined : APIS[provider].webhookIdFromPath(prefixed![2]!);
    } catch {
      return sendJson(res, 400, { message: 'Malformed webhook id' });
    }
    if (provider === undefined || webhookId === undefined) return sendJson(res, 404, { message: 'Not Found' });
    if (req.method !== 'GET') return sendJson(res, 405, { message: 'Method Not Allowed' });

    const api = APIS[provider];
    const request: SimRequest = {
      provider,
      webhookId,
      url: new URL(req.url ?? '/', this.url),
      query: Object.fromEntries(url.searchParams),
      authorized: api.isAuthorized(req.headers, this.secrets[provider]),
      at: this.now(),
      userAgent: req.headers['user-agent'],
      accept: req.headers.accept,
    };
    this.requests.push(request);
    this.trackInFlight(`${provider}/${webhookId}`, res);

    try {
      await this.hook?.(request);
    } catch (error) {
      return sendJson(res, 500, { message: `onRequest hook failed: ${String(error)}` });
    }
    const fault = this.faults.take(provider, webhookId);
    if (fault) return this.misbehave(fault, request, res, req.headers);
    this.answer(request, res, req.headers);
  }

  /** `requestHeaders` reach the API (conditional requests, which credential) but are never recorded. */
  private answer(request: SimRequest, res: ServerResponse, requestHeaders: IncomingHttpHeaders, write: AnswerWriter = sendJson): void {
    const { provider, webhookId, query } = request;
    const api = APIS[provider];
    if (!request.authorized) return sendJson(res, 401, api.unauthorizedBody);
    if (!this.stores[provider].hasWebhook(webhookId)) return sendJson(res, 404, api.notFoundBody ?? { message: 'Webhook not found' });
    this.applyRetention(provider, webhookId);
    const { status, body, headers } = api.answer(this.stores[provider].entries(webhookId), query, { url: request.url, nowMs: this.now(), requestHeaders });
    for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value);
    if (status === 304) return void res.writeHead(304).end(); // no body, by definition
    // A plain-text answer (GitLab's 429 "Retry later") goes out as text, not as a JSON string.
    if (typeof body === 'string' && /^text\//.test(headers?.['content-type'] ?? '')) return send(res, status, headers!['content-type']!, body);
    write(res, status, body);
  }

  private misbehave(fault: Fault, request: SimRequest, res: ServerResponse, requestHeaders: IncomingHttpHeaders): void {
    switch (fault.kind) {
      case 'slow': {
        const timer = setTimeout(() => {
          this.delayedAnswers.delete(timer);
          if (!res.destroyed) this.answer(request, res, requestHeaders);
        }, fault.delayMs);
        this.delayedAnswers.add(timer);
        return;
      }
      case 'reset':
        res.socket?.destroy();
        return;
      case 'stall-body':
      case 'cut-body':
      case 'latin1':
        return this.answer(request, res, requestHeaders, bodyFaultWriter(fault));
      default:
        sendFaultReply(res, fault, APIS[request.provider]);
    }
  }

  private trackInFlight(key: string, res: ServerResponse): void {
    const open = (this.inFlight.get(key) ?? 0) + 1;
    this.inFlight.set(key, open);
    this.highestInFlight = Math.max(this.highestInFlight, open);
    res.once('close', () => this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1));
  }
}
