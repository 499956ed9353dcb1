// What a provider brings besides its adapter: its default address, its rule for webhook ids and
// how check-config describes a source of it. src/providers/registry.ts lists every provider's
// definition; the rest of the exporter asks the registry, never a provider by name.

import type { ProviderAdapter } from './types.js';

/** The fields every configured source has that a definition may read. */
export interface SourceBase {
  provider: string;
  baseUrl: string;
  auth: { fromFile: boolean };
  /** `traces.includeBodies`: capture bodies (truncated to maxBodyBytes) for trace span events. */
  traces?: { includeBodies: boolean; maxBodyBytes: number };
}

export interface ProviderDefinition<Source extends SourceBase> {
  /** The API's own address, when a source gives no `baseUrl`. */
  readonly defaultBaseUrl: string;
  /** What is wrong with a webhook id for this provider's API, beyond the config's general rule, or undefined. */
  webhookIdProblem(id: string): string | undefined;
  /** The adapter for one configured source; `bodyLimitBytes` set when traces carry bodies. */
  createAdapter(source: Source, bodyLimitBytes: number | undefined): ProviderAdapter;
  /** The provider's part of check-config's line for a source: where the secret comes from (never what), its settings. */
  describe(source: Source): string;
}

/** Where a secret comes from, for check-config. */
export const secretOrigin = (source: SourceBase): string => (source.auth.fromFile ? 'from file' : 'from config');
