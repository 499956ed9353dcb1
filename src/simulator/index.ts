// The provider simulator: fake delivery-log APIs of every provider, for tests and `demo`.

export { ProviderSimulator, type RequestHook, type SimRequest, type SimulatorOptions } from './server.js';
export { ALL_WEBHOOKS, type Fault } from './faults.js';
export { SIM_DEFAULT_RECEIVER_URL, baanxEntry, salesfinityEntry, type BaanxEntryOverrides, type EntryContext } from './entries.js';
export {
  DEMO_WEBHOOKS,
  createTrafficGenerator,
  type TrafficChange,
  type TrafficGenerator,
  type TrafficOptions,
  type TrafficWebhook,
} from './traffic.js';
export * from './secrets.js';
export { gitlabEntry, gitlabInternalErrorEntry } from './gitlab-entries.js';
export { simulatedSource, type SimulatedSourceSpec } from './sources.js';
export { SIM_SVIX_RECEIVER_URL, svixAttempt, svixConnectError, svixId, svixTimestamp } from './svix-entries.js';
export { GITHUB_FAILURES, githubDelivery, githubDeliveryDetail, githubDeliveryLog } from './github-entries.js';
export { SIM_GITHUB_APP_ID, simGithubAppKeys } from './github-api.js';
