export { Poller, type PollerOptions, type WebhookStatus, type WebhookTarget } from './poller.js';
export type { PollRecorder, ReadReport } from './recorder.js';
