// Raw shapes of GitHub's "list deliveries for a webhook" endpoints (repository, organization and
// GitHub App hooks share them), as `hook-delivery-item` in GitHub's OpenAPI description has them.
// Real bodies may omit fields, add fields or send other types: the normaliser reads them as `unknown`.

/** The webhook string that names the GitHub App's own webhook (`GET /app/hook/deliveries`). */
export const APP_WEBHOOK_ID = 'app';

/** `status` of a delivery the receiver accepted; anything else describes what went wrong. */
export const GITHUB_STATUS_OK = 'OK';

/** One delivery. Each redelivery is a new item with a new `id` and the same `guid`. */
export interface GithubHookDeliveryItem {
  /** Unique per delivery (int64). */
  id: number;
  /** The event; shared by all deliveries and redeliveries of it. */
  guid: string;
  /** ISO-8601. */
  delivered_at: string;
  /** True for a manual redelivery: GitHub never retries by itself. */
  redelivery: boolean;
  /** Seconds spent delivering, e.g. 0.27. */
  duration: number;
  /** `OK`, or what went wrong: `Invalid HTTP Response: 503`, `failed to connect to host`, `timed out`. */
  status: string;
  /** The receiver's HTTP status; 0 when there was no response. */
  status_code: number;
  /** Event type, e.g. `push`, `issues`. */
  event: string;
  /** The event's action, e.g. `opened`; null for events without one. */
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
  /** Optional: when GitHub throttled the delivery. */
  throttled_at?: string | null;
}

/**
 * One delivery as `GET …/deliveries/{delivery_id}` returns it: the item plus the receiver's URL and
 * what was sent and received. The list endpoints never carry these extra fields.
 */
export interface GithubHookDelivery extends GithubHookDeliveryItem {
  /** The receiver's URL; may carry credentials or a token. */
  url?: string;
  /** Headers include `X-Hub-Signature-256` (secret-derived). */
  request: { headers: Record<string, string> | null; payload: Record<string, unknown> | null };
  response: { headers: Record<string, string> | null; payload: string | null };
}

/** The 200 body: a bare array, newest first; the next page is in the `Link` header. */
export type GithubDeliveriesResponse = GithubHookDeliveryItem[];

/** Every error answer (401, 403, 404, 400): `{"message", "documentation_url"}`. */
export interface GithubErrorBody {
  message: string;
  documentation_url: string;
  /** Present on some answers, e.g. "401". */
  status?: string;
}

/** 422: a basic error with the fields that failed validation. */
export interface GithubValidationErrorBody extends GithubErrorBody {
  errors?: Array<{ resource?: string; field?: string; code: string; message?: string }>;
}
