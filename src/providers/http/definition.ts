import { secretOrigin, type ProviderDefinition, type SourceBase } from '../definition.js';
import { createHttpAdapter, type HttpAuth } from './adapter.js';
// Types only from description.ts: its schemas load zod, which the telemetry and server (they list
// the provider names) do without.
import type { Description } from './description.js';

export interface HttpSource extends SourceBase {
  provider: 'http';
  auth: HttpAuth & { fromFile: boolean };
  /** The API, described: see description.ts and docs/providers.md, "Your own API". */
  api: Description;
}

export const http: ProviderDefinition<HttpSource> = {
  // A described API has no address of its own: the config requires baseUrl.
  defaultBaseUrl: '',
  // The parts a webhook id must have depend on the description: the config checks them per source.
  webhookIdProblem: () => undefined,
  createAdapter: (source, bodyLimitBytes) => createHttpAdapter({ baseUrl: source.baseUrl, auth: source.auth, description: source.api, bodyLimitBytes }),
  describe: (source) => {
    const { paging } = source.api;
    const pages = paging.kind === 'newest-n' ? `newest ${paging.size.value}` : `${paging.kind} paging, size ${paging.size.value}, maxPages ${paging.maxPages}`;
    return `${source.auth.kind} credential ${secretOrigin(source)}, ${pages}, records at ${source.api.records}, status values ${statusSummary(source.api)}`;
  },
};

/** How many parts (`{0}`, `{1}`…) a webhook id of this description has. */
export function webhookParts(description: Pick<Description, 'request'>): number {
  const parts = [...description.request.path.matchAll(/\{(\d+)\}/g)].map((match) => Number(match[1]));
  return parts.length === 0 ? 0 : Math.max(...parts) + 1;
}

/** How the description reads a webhook id, for messages: `{0}/{1}` style. */
export function webhookIdForm(description: Pick<Description, 'request'>): string {
  const parts = webhookParts(description);
  return parts <= 1 ? 'one part' : `${parts} parts joined by "/" ({0}/{1}…)`;
}

function statusSummary(description: Description): string {
  const { success, failed, pending, processing, ignore, fromHttpCode, otherwise } = description.status;
  const list = (values: readonly unknown[]) => values.map((value) => JSON.stringify(value)).join('|');
  return [
    success.length > 0 && `success ${list(success)}`,
    failed.length > 0 && `failed ${list(failed)}`,
    pending.length > 0 && `pending ${list(pending)}`,
    processing.length > 0 && `processing ${list(processing)}`,
    ignore.length > 0 && `ignored ${list(ignore)}`,
    fromHttpCode && 'else by HTTP code (2xx success)',
    otherwise !== undefined && `otherwise ${otherwise === 'ignore' ? 'ignored' : otherwise}`,
  ]
    .filter(Boolean)
    .join('; ');
}
