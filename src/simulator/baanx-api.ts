import { badRequest, integerParam, webhookLogsId, type ProviderApi } from './provider-api.js';
import { SIM_BAANX_TOKEN } from './secrets.js';

const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;

/** Baanx: bearer token, only the newest `limit` entries (no paging), logs kept 7 days. */
export const baanxApi: ProviderApi = {
  webhookIdFromPath: webhookLogsId,
  defaultSecret: SIM_BAANX_TOKEN,
  idField: 'id',
  retentionMs: SEVEN_DAYS_MS,
  isAuthorized: (headers, token) => {
    const match = /^Bearer (.+)$/i.exec(headers.authorization ?? '');
    return match?.[1] === token;
  },
  unauthorizedBody: { message: 'Not authenticated' },
  wrongShapeBody: { count: 1, logs: null, items: [] },
  answer(entriesNewestFirst, query) {
    const limit = integerParam(query.limit, 50, 1, 100);
    if (limit === undefined) return badRequest('limit must be an integer between 1 and 100');
    const logs = entriesNewestFirst.slice(0, limit);
    return { status: 200, body: { count: logs.length, logs } };
  },
};
