// The provider simulator: fake Salesfinity and Baanx delivery-log APIs for tests and `demo`.

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
