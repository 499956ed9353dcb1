// Every built-in provider, by the name a source's `provider` key gives. Adding a provider is one
// line here, beside its folder, its config schema (src/config/sources.ts) and its simulator.
import { baanx } from './baanx/definition.js';
import { github } from './github/definition.js';
import { gitlab } from './gitlab/definition.js';
import { http } from './http/definition.js';
import { salesfinity } from './salesfinity/definition.js';
import { svix } from './svix/definition.js';

/** The providers written in code, each with its simulator. */
export const BUILT_IN_DEFINITIONS = { salesfinity, baanx, github, gitlab, svix } as const;
export type BuiltInProvider = keyof typeof BUILT_IN_DEFINITIONS;
export const BUILT_IN_PROVIDERS = Object.keys(BUILT_IN_DEFINITIONS) as readonly BuiltInProvider[];

// `http` is last: an API described in the config (src/providers/http/description.ts).
export const PROVIDER_DEFINITIONS = { ...BUILT_IN_DEFINITIONS, http } as const;

export type ProviderName = keyof typeof PROVIDER_DEFINITIONS;
export const PROVIDERS = Object.keys(PROVIDER_DEFINITIONS) as readonly ProviderName[];
