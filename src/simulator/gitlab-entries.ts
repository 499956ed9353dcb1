// Builders for realistic GitLab hook events, shaped as GitLab documents them. Tests override the
// fields they care about; a seeded Random makes ids and payloads repeatable.

import type { GitlabHookEvent } from '../providers/gitlab/types.js';
import type { EntryContext } from './entries.js';
import { uuidV4 } from './ids.js';
import { randomHex, type Random } from './random.js';
import { SIM_GITLAB_RECEIVER_SECRET, SIM_RECEIVER_TOKEN } from './secrets.js';

/** A receiver URL of the kind projects register: it carries a token in its query string. */
export const SIM_GITLAB_RECEIVER_URL = `https://hooks.partner.example/gitlab/events?token=${SIM_RECEIVER_TOKEN}`;

/** `trigger` → the `X-Gitlab-Event` header and payload kind GitLab sends with it. */
export const GITLAB_TRIGGERS: Readonly<Record<string, { header: string; objectKind: string }>> = {
  push_hooks: { header: 'Push Hook', objectKind: 'push' },
  tag_push_hooks: { header: 'Tag Push Hook', objectKind: 'tag_push' },
  merge_request_hooks: { header: 'Merge Request Hook', objectKind: 'merge_request' },
  issue_hooks: { header: 'Issue Hook', objectKind: 'issue' },
  note_hooks: { header: 'Note Hook', objectKind: 'note' },
  pipeline_hooks: { header: 'Pipeline Hook', objectKind: 'pipeline' },
  job_hooks: { header: 'Job Hook', objectKind: 'build' },
};

export interface GitlabEntryOverrides extends Partial<GitlabHookEvent> {
  /** `X-Gitlab-Event-UUID` when no `request_headers` are given. */
  eventUuid?: string;
  /** Offset `created_at` is written with when none is given, e.g. `-07:00` (default) or `+02:00`. */
  utcOffset?: string;
}

/**
 * A GitLab hook event: a successful `push_hooks` delivery unless overridden, newest-first ids
 * (milliseconds × 1000 + a random part), `created_at` with an offset, the receiver URL carrying
 * SIM_RECEIVER_TOKEN and `X-Gitlab-Token` holding SIM_GITLAB_RECEIVER_SECRET.
 */
export function gitlabEntry(overrides: GitlabEntryOverrides = {}, context: EntryContext = {}): GitlabHookEvent {
  const { nowMs = Date.now(), random = Math.random } = context;
  const { eventUuid = uuidV4(random), utcOffset = '-07:00', ...fields } = overrides;
  const trigger = fields.trigger ?? 'push_hooks';
  const kind = GITLAB_TRIGGERS[trigger] ?? { header: 'System Hook', objectKind: trigger.replace(/_hooks$/, '') };
  return {
    id: nowMs * 1000 + Math.floor(random() * 1000),
    url: SIM_GITLAB_RECEIVER_URL,
    trigger,
    request_headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'GitLab/17.3.0',
      'Idempotency-Key': uuidV4(random),
      'X-Gitlab-Event': kind.header,
      'X-Gitlab-Webhook-UUID': uuidV4(random),
      'X-Gitlab-Instance': 'https://gitlab.example.com',
      'X-Gitlab-Event-UUID': eventUuid,
      'X-Gitlab-Token': SIM_GITLAB_RECEIVER_SECRET,
    },
    request_data: payload(kind.objectKind, random),
    response_headers: {
      Date: new Date(nowMs).toUTCString(),
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': '16',
      Connection: 'close',
    },
    response_body: '{"success":true}',
    execution_duration: 0.05 + random() * 0.9,
    response_status: '200',
    created_at: gitlabTimestamp(nowMs, utcOffset),
    ...fields,
  };
}

/** A delivery that got no response (timeout, refused connection): GitLab's `internal error`. */
export function gitlabInternalErrorEntry(overrides: GitlabEntryOverrides = {}, context: EntryContext = {}): GitlabHookEvent {
  return gitlabEntry({ response_status: 'internal error', response_headers: {}, response_body: '', execution_duration: 10.0012, ...overrides }, context);
}

/** `2026-05-28T04:42:42-07:00`: whole seconds, in the zone of `utcOffset` (`±HH:MM`). */
export function gitlabTimestamp(ms: number, utcOffset = '-07:00'): string {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(utcOffset);
  if (!match) throw new RangeError(`utcOffset must look like -07:00, got ${utcOffset}`);
  const offsetMs = (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) * 60_000;
  return new Date(Math.floor(ms / 1000) * 1000 + offsetMs).toISOString().slice(0, 19) + utcOffset;
}

function payload(objectKind: string, random: Random): Record<string, unknown> {
  const sha = randomHex(random, 40);
  return {
    object_kind: objectKind,
    event_name: objectKind,
    ref: 'refs/heads/main',
    checkout_sha: sha,
    user_id: 1 + Math.floor(random() * 500),
    user_username: 'sim-user',
    project_id: 7,
    total_commits_count: 1,
  };
}
