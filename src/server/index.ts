export type { MetricsExposition } from './metrics-endpoint.js';
export { createServer, type ServerDeps } from './server.js';
export type { StatusPageSource, StatusPageWebhook, StatusSnapshot } from './status.js';
