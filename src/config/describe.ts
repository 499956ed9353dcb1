import { definitionOf } from '../providers/index.js';
import type { SourceConfig } from './schema.js';

/** One line per source for `check-config`, saying where the secret comes from but never what it is. */
export function describeSource(source: SourceConfig): string {
  const count = source.webhooks.length;
  return `${source.name}: ${source.provider} at ${source.baseUrl}, ${count} webhook${count === 1 ? '' : 's'}, ${definitionOf(source.provider).describe(source)}`;
}
