export { Poller, type PollerOptions, type WebhookStatus, type WebhookTarget } from './poller.js';
export type { PollRecorder } from './recorder.js';
