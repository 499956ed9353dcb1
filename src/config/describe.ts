import type { SourceConfig } from './schema.js';

/** One line per source for `check-config`, saying where the secret comes from but never what it is. */
export function describeSource(source: SourceConfig): string {
  const count = source.webhooks.length;
  const where = `${source.name}: ${source.provider} at ${source.baseUrl}, ${count} webhook${count === 1 ? '' : 's'}`;
  const secretOrigin = source.auth.fromFile ? 'from file' : 'from config';
  switch (source.provider) {
    case 'salesfinity':
      return `${where}, api key ${secretOrigin}, pageSize ${source.pageSize}, maxPages ${source.maxPages}`;
    case 'baanx':
      return `${where}, bearer token ${secretOrigin}, limit ${source.limit}`;
  }
}
