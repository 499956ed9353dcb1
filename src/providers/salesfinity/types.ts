// Raw shapes of Salesfinity's `GET /v1/webhooks/{id}/logs`, as its documentation describes them.
// Real bodies may omit fields, add fields or send other types: the normaliser reads them as `unknown`.

export const SALESFINITY_STATUSES = ['success', 'failed'] as const;
export type SalesfinityStatus = (typeof SALESFINITY_STATUSES)[number];

export interface SalesfinityLogEntry {
  /** Log entry id (a Mongo ObjectId). */
  _id: string;
  /** Event type, e.g. `CALL_LOGGED`. */
  event?: string;
  status: SalesfinityStatus;
  /** What was sent; `body` is the webhook payload. */
  request?: { body?: { event?: string; payload?: unknown } };
  /** What came back from the receiver. */
  response?: { code?: number; body?: unknown };
  /** Milliseconds. */
  responseTime?: number;
  /** ISO-8601. */
  createdAt: string;
}

export interface SalesfinityPagination {
  total?: number;
  page?: number;
  limit?: number;
  pages?: number;
}

export interface SalesfinityLogsResponse {
  data: SalesfinityLogEntry[];
  pagination?: SalesfinityPagination;
}

export type SalesfinitySort = '-createdAt' | 'createdAt';
