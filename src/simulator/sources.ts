// The config of a source that reads one of this simulator's APIs: its base URL and the credential
// the simulated API accepts, in each provider's own auth keys. The demo and the tests build their
// sources with it, so adding a provider to the simulator is one line here too.

import type { BuiltInProvider } from '../providers/registry.js';
import type { ProviderSimulator } from './server.js';

/** The source settings a test may set; each provider takes the ones its config knows. */
export interface SimulatedSourceSpec {
  name: string;
  webhooks: string[];
  pageSize?: number;
  maxPages?: number;
  limit?: number;
}

const AUTH: Record<BuiltInProvider, (secret: string) => Record<string, string>> = {
  salesfinity: (secret) => ({ apiKey: secret }),
  baanx: (secret) => ({ bearerToken: secret }),
  github: (secret) => ({ token: secret }),
  gitlab: (secret) => ({ token: secret }),
  svix: (secret) => ({ token: secret }),
};

/** Which of the spec's settings a provider's config takes. */
const SETTINGS: Record<BuiltInProvider, ReadonlyArray<'pageSize' | 'maxPages' | 'limit'>> = {
  salesfinity: ['pageSize', 'maxPages'],
  baanx: ['limit'],
  github: ['pageSize', 'maxPages'],
  gitlab: ['pageSize', 'maxPages'],
  svix: ['pageSize', 'maxPages'],
};

export function simulatedSource(simulator: ProviderSimulator, provider: BuiltInProvider, spec: SimulatedSourceSpec): Record<string, unknown> {
  const settings = Object.fromEntries(SETTINGS[provider].flatMap((key) => (spec[key] === undefined ? [] : [[key, spec[key]]])));
  return {
    name: spec.name,
    provider,
    baseUrl: simulator.baseUrl(provider),
    auth: AUTH[provider](simulator.secrets[provider]),
    webhooks: spec.webhooks,
    ...settings,
  };
}
