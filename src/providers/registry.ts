// Every built-in provider, by the name a source's `provider` key gives. Adding a provider is one
// line here, beside its folder, its config schema (src/config/sources.ts) and its simulator.
import { baanx } from './baanx/definition.js';
import { github } from './github/definition.js';
import { gitlab } from './gitlab/definition.js';
import { salesfinity } from './salesfinity/definition.js';
import { svix } from './svix/definition.js';

export const PROVIDER_DEFINITIONS = { salesfinity, baanx, github, gitlab, svix } as const;

export type ProviderName = keyof typeof PROVIDER_DEFINITIONS;
export const PROVIDERS = Object.keys(PROVIDER_DEFINITIONS) as readonly ProviderName[];
