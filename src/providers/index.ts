// The providers' public face: one factory from a configured source, and the shared types.
// Nothing outside src/providers/ needs to import a provider's own folder.

import type { ProviderDefinition, SourceBase } from './definition.js';
import { PROVIDER_DEFINITIONS, type ProviderName } from './registry.js';
import type { ProviderAdapter } from './types.js';

export type {
  Capabilities,
  DeliveryAttempt,
  DeliveryStatus,
  FinishedStatus,
  InvalidReason,
  NormalizeResult,
  OperatorHints,
  Paging,
  ParsedPage,
  ProviderAdapter,
  ProviderRequest,
  ProviderResponse,
} from './types.js';
export { INVALID_REASONS, isFinished } from './types.js';
export { BUILT_IN_PROVIDERS, PROVIDER_DEFINITIONS, PROVIDERS, type BuiltInProvider, type ProviderName } from './registry.js';
export { sanitizeUrl, scrubUrls } from './sanitize-url.js';
export { createBaanxAdapter } from './baanx/adapter.js';
export { createSalesfinityAdapter } from './salesfinity/adapter.js';
export { createGithubAdapter } from './github/adapter.js';
export { createGitlabAdapter } from './gitlab/adapter.js';
export { createSvixAdapter } from './svix/adapter.js';

/** A configured source of any provider, as far as the providers read it: each definition's own source type. */
export type AdapterSource = { [Name in ProviderName]: Parameters<(typeof PROVIDER_DEFINITIONS)[Name]['createAdapter']>[0] }[ProviderName];

/** The definition of a provider by name (the registry's entries differ only in their source type). */
export function definitionOf(provider: ProviderName): ProviderDefinition<SourceBase> {
  return PROVIDER_DEFINITIONS[provider] as unknown as ProviderDefinition<SourceBase>;
}

export function createAdapter(source: AdapterSource): ProviderAdapter {
  const bodyLimitBytes = source.traces?.includeBodies ? source.traces.maxBodyBytes : undefined;
  return definitionOf(source.provider).createAdapter(source, bodyLimitBytes);
}
