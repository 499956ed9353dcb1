export { createServer, type ServerDeps } from './server.js';
export type { SourceStatus, StatusSnapshot, WebhookStatus } from './status.js';
