import { badRequest, integerParam, webhookLogsId, type ProviderApi } from './provider-api.js';
import { SIM_SALESFINITY_API_KEY } from './secrets.js';

const SORTS = ['-createdAt', 'createdAt'];

/** Salesfinity: `x-api-key`, offset pages over the current log (`page`, `limit`, `sort`). */
export const salesfinityApi: ProviderApi = {
  webhookIdFromPath: webhookLogsId,
  defaultSecret: SIM_SALESFINITY_API_KEY,
  idField: '_id',
  retentionMs: undefined,
  isAuthorized: (headers, apiKey) => headers['x-api-key'] === apiKey,
  unauthorizedBody: { message: 'Unauthorized' },
  wrongShapeBody: { data: { items: [] }, pagination: 'page 1' },
  answer(entriesNewestFirst, query) {
    const page = integerParam(query.page, 1, 1, Number.MAX_SAFE_INTEGER);
    if (page === undefined) return badRequest('page must be an integer >= 1');
    const limit = integerParam(query.limit, 10, 1, 100);
    if (limit === undefined) return badRequest('limit must be an integer between 1 and 100');
    const sort = query.sort ?? '-createdAt';
    if (!SORTS.includes(sort)) return badRequest(`sort must be one of ${SORTS.join(', ')}`);

    const ordered = sort === 'createdAt' ? [...entriesNewestFirst].reverse() : entriesNewestFirst;
    const total = ordered.length;
    // Offsets are computed against the log as it is now: entries added at the head since the
    // previous page push older entries onto later pages, as the real API does.
    return {
      status: 200,
      body: {
        data: ordered.slice((page - 1) * limit, page * limit),
        pagination: { total, page, limit, pages: Math.ceil(total / limit) },
      },
    };
  },
};
