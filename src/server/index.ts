export type { MetricsExposition } from './metrics-endpoint.js';
export { createServer, type ExporterServer, type ServerDeps } from './server.js';
export type { StatusDocument, StatusFailure, StatusMinute, StatusSource, StatusWebhook } from './status.js';
