// The configuration module's public API.
export { describeSource } from './describe.js';
export { parseDuration } from './duration.js';
export { loadConfig, parseConfig, type ParseConfigOptions } from './load.js';
export { ConfigError } from './problems.js';
export type { ExporterConfig, SourceConfig } from './schema.js';
export { loadWebConfig, parseWebConfig, secureContextOptions, type TlsSettings, type WebConfig } from './web-config.js';
