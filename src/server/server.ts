import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { WebConfig } from '../config/index.js';
import { AccessPolicy, type Verdict } from './access.js';
import { serveMetrics, type MetricsExposition } from './metrics-endpoint.js';
import type { StatusDocument } from './status.js';
import { renderStatusPage } from './status-page.js';
import { STATUS_SCRIPT, STATUS_STYLESHEET, type StatusPageAsset } from './status-page-assets.js';
import { clientCertificateProblem, tlsServerOptions, WebConfigWatcher } from './secure-serving.js';

export interface ServerDeps {
  /** What /metrics serves: ExporterTelemetry. */
  telemetry: MetricsExposition;
  /** True once every webhook has finished its first poll, successful or not. */
  isReady(): boolean;
  /** What /api/v1/status answers and the page shows, as of now. */
  status(): StatusDocument;
  logger?: Logger;
  /** TLS, client certificates, basic auth, headers and rate limit; plain and open when absent. */
  web?: WebConfig;
  /** Counts a web config reload that failed (the previous configuration keeps serving). */
  onWebConfigReloadError?: () => void;
  /** How often the web config's files are checked for changes; default 1 s. */
  webConfigCheckIntervalMs?: number;
}

/**
 * `import … from 'node:http'` builds the module's ESM namespace, which reads every export, and the
 * getter of `http.WebSocket` loads Node's bundled undici: about 13 MB of RSS a sidecar never uses.
 * getBuiltinModule hands over the same module without a namespace.
 */
const http = process.getBuiltinModule('node:http');

export type ExporterServer = import('node:http').Server | https.Server;

type Route = (deps: ServerDeps, req: IncomingMessage, res: ServerResponse) => void;

const ROUTES = new Map<string, Route>([
  ['/metrics', (deps, req, res) => serveMetrics(deps.telemetry, req, res)],
  ['/healthz', (_deps, _req, res) => sendText(res, 200, 'ok')],
  ['/readyz', (deps, _req, res) => (deps.isReady() ? sendText(res, 200, 'ready') : sendText(res, 503, 'not ready'))],
  ['/', (deps, _req, res) => sendStatusPage(res, renderStatusPage(deps.status()))],
  ['/status.js', (_deps, _req, res) => sendAsset(res, STATUS_SCRIPT)],
  ['/status.css', (_deps, _req, res) => sendAsset(res, STATUS_STYLESHEET)],
  ['/api/v1/status', (deps, _req, res) => sendJson(res, deps.status())],
]);

const ALLOWED_METHODS = 'GET, HEAD';

const DEFAULT_WEB_CONFIG_CHECK_MS = 1_000;

/**
 * The HTTP(S) server for /metrics, probes and the status page; not listening yet. With a web
 * config, its files are watched while the server listens, and a change applies to new requests
 * (and, for certificates, new connections) without a restart.
 */
export function createServer(deps: ServerDeps): ExporterServer {
  const { web } = deps;
  let policy = new AccessPolicy(web);
  let tls = web?.tls;
  const handler = (req: IncomingMessage, res: ServerResponse) => handleRequest(deps, policy, req, res);
  // Node enforces the timeouts below only when it checks, every 30 s by default: a client dripping
  // its headers would hold a socket for up to 40 s instead of 10. Check every second.
  const options = { connectionsCheckingInterval: 1_000 };
  const server: ExporterServer = tls === undefined ? http.createServer(options, handler) : https.createServer({ ...options, ...tlsServerOptions(tls) }, handler);
  if (tls !== undefined) {
    server.on('secureConnection', (socket: TLSSocket) => {
      const problem = tls === undefined ? undefined : clientCertificateProblem(socket, tls);
      if (problem === undefined) return;
      deps.logger?.debug({ remote: socket.remoteAddress, problem }, 'TLS connection refused');
      socket.destroy();
    });
  }
  if (web !== undefined) {
    const watcher = new WebConfigWatcher(
      web,
      {
        server,
        logger: deps.logger,
        onError: () => deps.onWebConfigReloadError?.(),
        apply(next) {
          policy = new AccessPolicy(next);
          if (next.tls !== undefined && server instanceof https.Server) {
            tls = next.tls;
            const options = tlsServerOptions(next.tls);
            server.setSecureContext(options);
            // Read by each new connection; setSecureContext leaves them as they were.
            Object.assign(server, { requestCert: options.requestCert, rejectUnauthorized: options.rejectUnauthorized });
          }
        },
      },
      deps.webConfigCheckIntervalMs ?? DEFAULT_WEB_CONFIG_CHECK_MS,
    );
    server.on('listening', () => void watcher.start());
    server.on('close', () => watcher.stop());
  }
  server.headersTimeout = 10_000; // 10 seconds: probes and scrapers send their headers at once
  server.requestTimeout = 30_000; // 30 seconds: we read no bodies, and 10k series stream in about 0.2 s
  // 65 seconds: longer than usual scrape intervals, so Prometheus reuses one connection.
  server.keepAliveTimeout = 65_000;
  return server;
}

function handleRequest(deps: ServerDeps, policy: AccessPolicy, req: IncomingMessage, res: ServerResponse): void {
  // Routing ignores the query string, which is never logged either (it could hold a token).
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  for (const [name, value] of Object.entries(policy.headers)) res.setHeader(name, value);
  // Before routing: without credentials, an unknown path answers 401 too, and reveals nothing.
  const verdict = policy.check(path, req.headers.authorization);
  if (verdict === 'allowed') return serveRoute(deps, path, req, res);
  if (typeof verdict === 'string') return refuse(res, verdict);
  verdict.then(
    (settled) => (settled === 'allowed' ? serveRoute(deps, path, req, res) : refuse(res, settled)),
    () => refuse(res, 'unauthorized'),
  );
}

function refuse(res: ServerResponse, verdict: Exclude<Verdict, 'allowed'>): void {
  if (verdict === 'unauthorized') {
    res.setHeader('WWW-Authenticate', 'Basic realm="webhook-log-exporter", charset="UTF-8"');
    return sendText(res, 401, 'unauthorized');
  }
  res.setHeader('Retry-After', '1');
  sendText(res, verdict === 'rate-limited' ? 429 : 503, verdict === 'rate-limited' ? 'too many requests' : 'too many authentication checks in progress');
}

function serveRoute(deps: ServerDeps, path: string, req: IncomingMessage, res: ServerResponse): void {
  if (res.destroyed) return;
  const route = ROUTES.get(path);
  if (route === undefined) return sendText(res, 404, 'not found');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', ALLOWED_METHODS);
    return sendText(res, 405, 'method not allowed');
  }
  if (declaresBody(req)) {
    // Closing, rather than letting Node drain a body nobody reads, bounds what a client can make us receive.
    res.setHeader('Connection', 'close');
    return sendText(res, 413, 'request bodies are not accepted');
  }
  try {
    route(deps, req, res);
  } catch (error) {
    deps.logger?.error({ err: error, path }, 'HTTP handler failed');
    if (res.headersSent) res.destroy();
    else sendText(res, 500, 'internal error');
  }
}

function declaresBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Probe answers, errors and the status page: never cached, never content-sniffed. */
const NO_STORE_NO_SNIFF = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } as const;

function sendText(res: ServerResponse, statusCode: number, body: string): void {
  res.writeHead(statusCode, { 'Content-Type': 'text/plain; charset=utf-8', ...NO_STORE_NO_SNIFF });
  res.end(body);
}

function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', ...NO_STORE_NO_SNIFF });
  res.end(JSON.stringify(body));
}

function sendStatusPage(res: ServerResponse, html: string): void {
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    ...NO_STORE_NO_SNIFF,
    // Defence in depth next to escaping: only the exporter's own script, stylesheet and API; no
    // inline script or style; `data:` for the empty favicon, which spares a /favicon.ico request.
    'Content-Security-Policy': STATUS_PAGE_CSP,
  });
  res.end(html);
}

const STATUS_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The page's script and stylesheet: never cached, so a page and its script always match. */
function sendAsset(res: ServerResponse, asset: StatusPageAsset): void {
  res.writeHead(200, { 'Content-Type': asset.contentType, ...NO_STORE_NO_SNIFF });
  res.end(asset.body());
}
