// The language of `provider: http`: a delivery-log API described in the config instead of in code.
// A description says where a webhook's log is (request), where its entries are in a body (records),
// how to reach older entries (paging), how each entry maps onto a delivery attempt (fields, status)
// and what the API can tell (reports). It is checked once, at load (every problem by its path), and
// compiled once into accessors (compile.ts): nothing is interpreted per entry.

import { z } from 'zod';

/**
 * A path to a value: `$` for the whole body (records only), or keys joined by dots (`data.content`,
 * `response.http_code`); a segment of digits indexes an array (`items.0.id`).
 */
export const PATH_PATTERN = /^(?:\$|[A-Za-z_$][\w$-]*(?:\.(?:[A-Za-z_$][\w$-]*|\d+))*)$/;

const path = z
  .string()
  .regex(PATH_PATTERN, { error: 'not a path: use `$` for the whole body, or keys joined by dots, such as `data.items` or `response.status`' })
  .refine((value) => !value.split('.').includes('__proto__'), { error: '`__proto__` is no key of a JSON value' });
/** A field's path, written alone or as `{ path, … }` with the field's options. */
const fieldPath = path.refine((value) => value !== '$', { error: 'a field is a key inside the entry, not `$`' });

const timestamp = z.strictObject({
  path: fieldPath,
  /** iso8601: `2026-12-02T04:18:36Z` (offsets and fractions allowed); epoch-s / epoch-ms: a number. */
  format: z.enum(['iso8601', 'epoch-s', 'epoch-ms']).default('iso8601'),
});

/** A status value as the API writes it: a string, a number or a boolean. */
const statusValue = z.union([z.string(), z.number(), z.boolean()]);

const sizeParam = z.strictObject({
  /** The query parameter that sizes a page, when the API has one. */
  param: z.string().min(1).optional(),
  /** Entries per request: the API's largest page is usually best. */
  value: z.number().int().min(1).max(10_000),
});

const maxPages = z.number().int().min(1).default(10);

/** A value the paging reads from the body: a key of it, not the body itself. */
const bodyKey = path.refine((value) => value !== '$', { error: 'a key of the body, not `$`' });
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const pagingSchema = z.discriminatedUnion(
  'kind',
  [
    // `?page=N`: the next page is N + 1, asked for while pages come back full.
    z.strictObject({
      kind: z.literal('page'),
      pageParam: z.string().min(1),
      firstPage: z.number().int().min(0).default(1),
      size: sizeParam,
      maxPages,
      /**
       * Where the body says which page this is and how many there are (`{"page": 2, "pages": 3}`):
       * the next page is asked for while page < pages. When either is not a whole number, the
       * full-page rule decides.
       */
      pageCount: z.strictObject({ page: bodyKey, pages: bodyKey }).optional(),
      /**
       * A response header that names the next page (GitLab's `x-next-page`): empty on the last
       * page; a page after this one is asked for next, one that is not ends the read with a
       * warning. Absent or not a number: `pageCount`, then the full-page rule decide.
       */
      nextPageHeader: z.string().regex(HEADER_NAME, { error: 'must be an HTTP header name (letters, digits, "-", …)' }).optional(),
    }),
    // A cursor in the body (`{"iterator": "…", "done": false}`), sent back as `cursorParam`.
    z.strictObject({
      kind: z.literal('cursor-body'),
      cursorParam: z.string().min(1),
      /** Where the next cursor is in the body; absent, null or empty: no next page. */
      next: path.refine((value) => value !== '$', { error: 'the cursor is a key of the body, not `$`' }),
      /** Where a `true` says the log ends here, if the API says so apart from the cursor. */
      done: path.optional(),
      size: sizeParam,
      maxPages,
    }),
    // `Link: <…>; rel="next"`: followed only on the configured base URL's origin.
    z.strictObject({ kind: z.literal('link-header'), size: sizeParam, maxPages }),
    // `?before_id=<the last id of this page>`, asked for while pages come back full.
    z.strictObject({ kind: z.literal('after-id'), param: z.string().min(1), size: sizeParam, maxPages }),
    // One request for the newest `size.value` entries; nothing older can be read.
    z.strictObject({ kind: z.literal('newest-n'), size: sizeParam }),
  ],
  { error: 'needs `kind`: one of page, cursor-body, link-header, after-id, newest-n' },
);

/** What fields.attempt reads: a number (shifted by `base`, at most `max`), or a re-send flag. */
export type AttemptField = { path: string; base: 0 | 1; max?: number } | { path: string; resend: string | number | boolean; others: 'first' | 'unnumbered' };

// One object for both forms, checked before it is transformed, so that a mistake in combining
// them is named by its key rather than lost in a failed union.
const attemptObject = z
  .strictObject({
    path: fieldPath,
    base: z.union([z.literal(0), z.literal(1)]).optional(),
    max: z.number().int().min(1).optional(),
    resend: statusValue.optional(),
    others: z.enum(['first', 'unnumbered']).optional(),
  })
  .superRefine((field, ctx) => {
    if (field.resend === undefined) {
      if (field.others !== undefined) ctx.addIssue({ code: 'custom', path: ['others'], message: 'goes with `resend`, the value that marks a re-send' });
      return;
    }
    if (field.others === undefined) {
      ctx.addIssue({ code: 'custom', path: ['others'], message: 'required with `resend`: first (the API never retries by itself) or unnumbered (other values may be automatic retries)' });
    }
    for (const key of ['base', 'max'] as const) {
      if (field[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'does not go with `resend`: a re-send flag carries no number' });
    }
  });

function attemptField(given: string | z.output<typeof attemptObject>): AttemptField {
  if (typeof given === 'string') return { path: given, base: 1 };
  const { path: at, base = 1, max, resend, others = 'first' } = given;
  return resend === undefined ? { path: at, base, ...(max !== undefined && { max }) } : { path: at, resend, others };
}

export const fieldsSchema = z.strictObject({
  /** Unique per attempt within a webhook: a string or a whole number. */
  id: fieldPath,
  createdAt: z.union([fieldPath.transform((p) => ({ path: p, format: 'iso8601' as const })), timestamp]),
  status: fieldPath,
  eventId: fieldPath.optional(),
  eventType: fieldPath.optional(),
  /**
   * The attempt number; `base: 0` when the API counts retries from 0 (a first attempt is 0); `max`,
   * the highest number the API gives (a higher one makes the entry unreadable). Or, for an API that
   * only flags re-sends, `{ path, resend, others }`: the value `resend` (`true`, `1`) is a re-send,
   * numbered 2 whichever it was; any other value of its type is attempt 1 (`others: first`, when
   * the API never retries by itself) or not numbered (`others: unnumbered`, when it may be an
   * automatic retry).
   */
  attempt: z.union([fieldPath, attemptObject]).transform(attemptField).optional(),
  /**
   * The receiver's status. `from`: `number` (`503` or the text `"503"`), `number-only` (a JSON
   * number: text is the wrong type), `leading-number` (text such as `"200 OK"`), or
   * `code-or-reason` (text: three digits are the code, any other text says why no response came,
   * as GitLab's `"internal error"`; a number is the wrong type). 0, null or absent: no response.
   */
  httpCode: z
    .union([
      fieldPath.transform((p) => ({ path: p, from: 'number' as const })),
      z.strictObject({ path: fieldPath, from: z.enum(['number', 'number-only', 'leading-number', 'code-or-reason']).default('number') }),
    ])
    .optional(),
  duration: z.strictObject({ path: fieldPath, unit: z.enum(['ms', 's']) }).optional(),
  nextRetryAt: z.union([fieldPath.transform((p) => ({ path: p, format: 'iso8601' as const })), timestamp]).optional(),
  /**
   * An error text: any URL in it is cut to scheme, host and path. `except`: values that say nothing
   * went wrong or that the text was withheld (GitHub's `OK`, Svix's `{}`); `when: no-response`: the
   * field holds the receiver's answer when there was one (Svix's `response`), so it is an error
   * text only for an attempt without an HTTP code.
   */
  error: z
    .union([
      fieldPath.transform((p) => ({ path: p, except: [] as string[], when: 'always' as const })),
      z.strictObject({ path: fieldPath, except: z.array(z.string()).default([]), when: z.enum(['always', 'no-response']).default('always') }),
    ])
    .optional(),
  /** The receiver's URL, a string: shown (in traces) cut to scheme, host and path. */
  requestUrl: fieldPath.optional(),
  /**
   * The payload sent and the receiver's answer: any JSON value (text as it is, anything else as
   * JSON; an empty text is no body). Read only when the source sets `traces.includeBodies`.
   */
  requestBody: fieldPath.optional(),
  responseBody: fieldPath.optional(),
});

export const statusMapSchema = z
  .strictObject({
    /** Final: the receiver accepted the delivery. */
    success: z.array(statusValue).default([]),
    /** Final: the attempt failed. */
    failed: z.array(statusValue).default([]),
    /** Not final yet: read again until it becomes success or failed, counted then. */
    pending: z.array(statusValue).default([]),
    /** Not final yet, and being sent right now (Svix's `sending`): held as pending is. */
    processing: z.array(statusValue).default([]),
    /** Never a delivery (canceled, skipped): left out, and let go if it was pending. */
    ignore: z.array(statusValue).default([]),
    /**
     * The receiver's HTTP code decides what no list names: a 2xx code (read by fields.httpCode) is
     * success, any other code failed (GitHub, GitLab). A value that gives no code meets `otherwise`.
     */
    fromHttpCode: z.boolean().default(false),
    /** What any other value means (absent or null still is no status): failed, or not a delivery. */
    otherwise: z.enum(['failed', 'ignore']).optional(),
  })
  .superRefine((map, ctx) => {
    if (map.success.length + map.failed.length === 0 && !map.fromHttpCode && map.otherwise !== 'failed') {
      ctx.addIssue({ code: 'custom', message: 'no final value: list the values that mean success and failed, or no attempt could ever be counted' });
    }
    const seen = new Map<string, string>();
    for (const list of ['success', 'failed', 'pending', 'processing', 'ignore'] as const) {
      map[list].forEach((value, index) => {
        const key = `${typeof value}:${String(value)}`;
        const earlier = seen.get(key);
        if (earlier !== undefined) ctx.addIssue({ code: 'custom', path: [list, index], message: `${JSON.stringify(value)} is already listed under ${earlier}` });
        else seen.set(key, list);
      });
    }
  });

export const reportsSchema = z
  .strictObject({
    /** Entries carry attempt numbers (fields.attempt). */
    attemptNumbers: z.boolean().default(false),
    /**
     * A failed entry says when (or whether) the API retries (fields.nextRetryAt; null means no
     * retry): exhausted can be told. `never`: the API never retries by itself (a re-send is a new
     * entry), so every failed attempt is final and counts as exhausted.
     */
    retrySchedules: z.union([z.boolean(), z.literal('never')]).default(false),
    /** Every attempt of one event carries the same event id (fields.eventId): time to delivery is measured. */
    eventIds: z.boolean().default(false),
  })
  .prefault({});

export const descriptionSchema = z
  .strictObject({
    request: z.strictObject({
      /**
       * Appended to the source's baseUrl. `{0}`, `{1}`… are the parts of the webhook id split at
       * "/" (`app_123/ep_456` → {0} = app_123, {1} = ep_456), each URL-encoded.
       */
      path: z.string().regex(/^\//, { error: 'must start with "/"' }),
      query: z.record(z.string(), z.string()).default({}),
      /**
       * Query parameters sent on top of `query` when the source sets `traces.includeBodies`: an API
       * that leaves bodies out unless asked (Svix's `with_content=true`).
       */
      queryWithBodies: z.record(z.string(), z.string()).default({}),
      headers: z.record(z.string(), z.string()).default({}),
    }),
    /** Where the array of entries is in a 2xx body: `$` (the body is the array), `data`, `data.content`. */
    records: path,
    paging: pagingSchema,
    fields: fieldsSchema,
    status: statusMapSchema,
    reports: reportsSchema,
    /** The setting names gap messages tell the operator to raise; default: where they are in this description. */
    hints: z
      .strictObject({
        pageSize: z.string().min(1).optional(),
        /** The API's largest page, for the message that says to raise the page size. */
        pageSizeMax: z.number().int().min(1).optional(),
        pageLimit: z.string().min(1).optional(),
      })
      .prefault({}),
  })
  .superRefine((description, ctx) => {
    const needs = (report: keyof typeof description.reports, field: keyof typeof description.fields) => {
      if (description.reports[report] === true && description.fields[field] === undefined) {
        ctx.addIssue({ code: 'custom', path: ['reports', report], message: `needs fields.${field}: without it the entries cannot tell` });
      }
    };
    needs('attemptNumbers', 'attempt');
    needs('retrySchedules', 'nextRetryAt');
    needs('eventIds', 'eventId');
    const { fields, status, reports } = description;
    if (status.fromHttpCode && fields.httpCode === undefined) {
      ctx.addIssue({ code: 'custom', path: ['status', 'fromHttpCode'], message: 'needs fields.httpCode: the code it reads' });
    }
    if (fields.error?.when === 'no-response' && fields.httpCode === undefined) {
      ctx.addIssue({ code: 'custom', path: ['fields', 'error', 'when'], message: 'needs fields.httpCode: without it nothing tells an attempt without a response' });
    }
    if (reports.retrySchedules === 'never' && fields.nextRetryAt !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['reports', 'retrySchedules'], message: 'never: the API schedules no retry, so fields.nextRetryAt has nothing to say; leave it out' });
    }
    const used = new Set([...description.request.path.matchAll(/\{(\d+)\}/g)].map((match) => Number(match[1])));
    for (let part = 0; part < Math.max(0, ...used); part++) {
      if (!used.has(part)) ctx.addIssue({ code: 'custom', path: ['request', 'path'], message: `{${part}} is missing: use {0}, {1}, … in order` });
    }
    if (/\{(?!\d+\})/.test(description.request.path)) {
      ctx.addIssue({ code: 'custom', path: ['request', 'path'], message: 'only {0}, {1}, … may stand in braces: the parts of the webhook id' });
    }
  });

export type Description = z.output<typeof descriptionSchema>;
export type DescriptionInput = z.input<typeof descriptionSchema>;
export type PagingDescription = Description['paging'];
