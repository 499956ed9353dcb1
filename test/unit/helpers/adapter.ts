// An adapter's answer to one body, as the paging driver would hand it over (a 200 with no headers).
import type { ParsedPage, ProviderAdapter, ProviderRequest } from '../../../src/providers/types.js';

export function answer(adapter: ProviderAdapter, body: unknown, webhookId: string, request: ProviderRequest = adapter.firstRequest(webhookId)): ParsedPage {
  return adapter.parsePage({ request, status: 200, headers: {}, body }, webhookId);
}
