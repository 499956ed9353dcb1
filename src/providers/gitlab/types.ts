// Raw shapes of GitLab's webhook events (`GET /projects/:id/hooks/:hook_id/events` and
// `GET /groups/:id/hooks/:hook_id/events`, GitLab 17.3+), as its documentation describes them.
// Real bodies may omit fields, add fields or send other types: the normaliser reads them as `unknown`.

/** One delivery of one webhook: the body is a bare JSON array of these, newest first. */
export interface GitlabHookEvent {
  /** The log entry. */
  id: number;
  /** The receiver's URL; GitLab masks basic-auth credentials, but a query string may hold a token. */
  url: string;
  /** Event type, e.g. `push_hooks`, `merge_request_hooks`. */
  trigger: string;
  /**
   * Headers sent. `X-Gitlab-Event-UUID` names the event; `X-Gitlab-Token` is the receiver's
   * secret (GitLab shows `[REDACTED]`, never rely on it). Names may come in any case.
   */
  request_headers: Record<string, string>;
  /** The payload. */
  request_data: Record<string, unknown>;
  /** `{}` when there was no response. */
  response_headers: Record<string, string>;
  /** `""` when there was no response. */
  response_body: string;
  /** Seconds, e.g. 1.0906. */
  execution_duration: number;
  /** The receiver's HTTP status as a string (`"200"`), or e.g. `"internal error"` when none came back. */
  response_status: string;
  /**
   * Date-time with an offset, e.g. `2026-05-28T04:42:42-07:00`. Sent by the API although the
   * documentation's example leaves it out.
   */
  created_at?: string;
}

/** The two kinds of hook whose events can be listed, as the first part of a webhook string. */
export const GITLAB_HOOK_KINDS = ['project', 'group'] as const;
export type GitlabHookKind = (typeof GITLAB_HOOK_KINDS)[number];

/** The API's largest `per_page` for this endpoint (21 gets a 400). */
export const GITLAB_MAX_PER_PAGE = 20;

/** 400: `{"error": "per_page does not have a valid value"}`; 401/404: `{"message": "401 Unauthorized"}`. */
export interface GitlabErrorBody {
  error?: string;
  message?: string;
}
