// A randomly generated delivery-log API for the model test of `provider: http`: its shape (paging
// kind, page size, field names and nesting, timestamp and id formats, status values and what they
// mean), the description a user would write for it (the config's `api` block), its rows rendered as
// JSON, and each row as the reference model sees it. The model's view comes from the row itself
// (what the test made it mean), never from the description, so a mistake in compiling or reading
// the description shows up as a difference.

import fc from 'fast-check';
import type { DescriptionInput } from '../../../src/providers/http/description.js';
import type { Attempt } from './counting-model.js';

export type PagingKind = 'page' | 'cursor-body' | 'link-header' | 'after-id' | 'newest-n';
export const PAGING_KINDS: readonly PagingKind[] = ['page', 'cursor-body', 'link-header', 'after-id', 'newest-n'];

export type StatusValue = string | number | boolean;
export type Meaning = 'success' | 'failed' | 'pending' | 'ignore';
type TimestampFormat = 'iso8601' | 'epoch-s' | 'epoch-ms';

/** How a cursor names the next page: a position (shifts as entries arrive) or the last entry read (does not). */
type CursorStyle = 'offset' | 'keyset';

export type PagingShape =
  | { kind: 'page'; pageParam: string; firstPage: 0 | 1 }
  | {
      kind: 'cursor-body';
      cursorParam: string;
      cursor: CursorStyle;
      /** A cursor in the body is a string or a number. */
      numeric: boolean;
      next: string;
      /** Where `done` is, if the API has it. */
      done: string | undefined;
      /** The last page's cursor: null, left out, "", or (with `done`) still a cursor: `done` alone ends the log. */
      end: 'null' | 'absent' | 'empty' | 'stale';
    }
  | {
      kind: 'link-header';
      cursorParam: string;
      cursor: CursorStyle;
      relative: boolean;
      /** `rel="first"` beside `rel="next"`. */
      withFirst: boolean;
      /** Hook0 names a next page whenever a page is not empty: the last page is followed by an empty one. */
      nextAfterLast: boolean;
    }
  | { kind: 'after-id'; param: string }
  | { kind: 'newest-n' };

/** A path that may be written alone or with options, and how it is written in the description. */
interface FieldShape {
  path: string;
  /** Written as a bare path where the language allows it (the option's default). */
  bare: boolean;
}

export interface ApiShape {
  /** `request.path`, with `{0}` (and `{1}`) for the parts of a webhook id. */
  pathTemplate: string;
  /** How many parts a webhook id has. */
  parts: 1 | 2;
  query: Record<string, string>;
  headers: Record<string, string>;
  records: string;
  paging: PagingShape;
  /** `size.value`; `sizeParam` when the API takes one. */
  size: number;
  sizeParam: string | undefined;
  maxPages: number;
  /** Whole seconds or milliseconds: whole seconds make ties in createdAt common. */
  precision: 'ms' | 's';
  /** Ties in createdAt are listed newest-logged first, or oldest first. */
  ties: 'newer-first' | 'older-first';
  /** The newest page carries an ETag and answers a matching If-None-Match with 304 (not part of the description). */
  etag: boolean;
  fields: {
    id: { path: string; numeric: boolean };
    createdAt: FieldShape & { format: TimestampFormat; zone: string; fractionDigits: number };
    status: string;
    eventType: string | undefined;
    eventId: string | undefined;
    attempt: (FieldShape & { base: 0 | 1; asText: boolean }) | undefined;
    httpCode: (FieldShape & { from: 'number' | 'leading-number'; asText: boolean; none: 'null' | 'absent' | 'zero' }) | undefined;
    duration: { path: string; unit: 'ms' | 's' } | undefined;
    nextRetryAt: (FieldShape & { format: TimestampFormat; zone: string; fractionDigits: number }) | undefined;
  };
  status: Record<Meaning, StatusValue[]>;
  reports: { attemptNumbers: boolean; retrySchedules: boolean; eventIds: boolean };
  eventTypes: [string, string];
}

/** One row of a webhook's log, as the test made it. */
export interface Row {
  /** Order of logging within the webhook: the keyset cursors name it. */
  seq: number;
  id: string | number;
  createdAtMs: number;
  meaning: Meaning;
  status: StatusValue;
  /** The receiver's status; undefined when it gave none. */
  code: number | undefined;
  durationMs: number | undefined;
  /** 1 for an event's first attempt. */
  attempt: number;
  /** When the API retries; null when it will not. */
  retryAtMs: number | null;
  eventId: string;
  eventType: string;
}

// ---- Generation ----

const KEYS = [
  'id', 'uuid', '_id', 'status', 'state', 'created_at', 'createdAt', 'ts', 'event', 'type', 'attempt', 'retry_count',
  'code', 'http_status', 'duration', 'elapsed_ms', 'next_retry_at', 'meta', 'response', 'data', 'items', 'content',
  'result', 'cursor', 'next', 'done', 'has_more', 'page', 'limit', '$ref', 'x-id', 'constructor', 'toString',
];
// `$` alone is the whole body, not a key; `$` inside a key is an ordinary character.
const keyArb = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...KEYS) }, { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z_$][\w$-]{0,7}$/).filter((key) => key !== '$') });

/** Status values of every type, with values whose text is alike ("1", 1, true) to catch a type-blind match. */
const statusValueArb: fc.Arbitrary<StatusValue> = fc.oneof(
  fc.constantFrom<StatusValue>('success', 'failed', 'pending', 'ok', 'error', 'queued', 'DELIVERED', 'in progress', '', '1', '0', 'true', 'false', 'null'),
  fc.string({ maxLength: 6 }).filter((text) => !text.includes('$')),
  fc.constantFrom<StatusValue>(0, 1, 2, 3, 200, 500, -1, 2.5, true, false),
  fc.integer({ min: -5, max: 999 }),
);
const statusKey = (value: StatusValue) => `${typeof value}:${String(value)}`;

/**
 * Distinct values: the first means success, the second failed, the third pending and the fourth
 * ignore unless the API has no such state; the rest are spread over the four lists.
 */
const statusMapArb: fc.Arbitrary<Record<Meaning, StatusValue[]>> = fc
  .record({
    pairs: fc.uniqueArray(fc.tuple(statusValueArb, fc.constantFrom<Meaning>('success', 'failed', 'pending', 'ignore')), {
      minLength: 4,
      maxLength: 8,
      selector: ([value]) => statusKey(value),
    }),
    pending: fc.constantFrom(true, true, true, false),
    ignore: fc.constantFrom(true, true, false),
  })
  .map(({ pairs, pending, ignore }) => {
    const map: Record<Meaning, StatusValue[]> = { success: [], failed: [], pending: [], ignore: [] };
    const first: Array<Meaning | undefined> = ['success', 'failed', pending ? 'pending' : undefined, ignore ? 'ignore' : undefined];
    pairs.forEach(([value, meaning], index) => {
      const given = index < first.length ? first[index] : meaning;
      if (given !== undefined && (given !== 'pending' || pending) && (given !== 'ignore' || ignore)) map[given].push(value);
    });
    return map;
  });

const zoneArb = fc.constantFrom('Z', '', '+00:00', '+05:30', '-0800', '+01', '-03:00');
const timestampArb = fc.record({
  format: fc.constantFrom<TimestampFormat>('iso8601', 'iso8601', 'epoch-s', 'epoch-ms'),
  zone: zoneArb,
  extraDigits: fc.constantFrom(0, 3, 6),
  bare: fc.boolean(),
});
const webhookPartArb = fc.stringMatching(/^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,11}$/).filter((part) => part !== '.' && part !== '..');

/** An optional field or report, present more often than not. */
const often = fc.constantFrom(true, true, false);

/** Where a field sits: at the top of the entry, or inside one of two groups (an object, or an array's first item). */
const placementArb = fc.constantFrom(0, 0, 0, 1, 2);

export function apiShapeArb(kind: PagingKind): fc.Arbitrary<ApiShape> {
  return fc
    .record({
      names: fc.uniqueArray(keyArb, { minLength: 24, maxLength: 24 }),
      groupsAreArrays: fc.tuple(fc.boolean(), fc.boolean()),
      placements: fc.array(placementArb, { minLength: 9, maxLength: 9 }),
      records: fc.constantFrom(0, 1, 2),
      pathStyle: fc.constantFrom(0, 1, 2, 3),
      size: kind === 'newest-n' ? fc.integer({ min: 2, max: 6 }) : fc.integer({ min: 1, max: 4 }),
      withSizeParam: fc.boolean(),
      maxPages: fc.constantFrom(1, 2, 3, 3, 50, 50),
      precision: fc.constantFrom<'ms' | 's'>('ms', 's'),
      ties: fc.constantFrom<'newer-first' | 'older-first'>('newer-first', 'older-first'),
      etag: fc.boolean(),
      firstPage: fc.constantFrom<0 | 1>(0, 1),
      cursor: fc.constantFrom<CursorStyle>('offset', 'keyset'),
      numericCursor: fc.boolean(),
      withDone: fc.boolean(),
      nestedCursor: fc.boolean(),
      end: fc.constantFrom<'null' | 'absent' | 'empty' | 'stale'>('null', 'absent', 'empty', 'stale'),
      relative: fc.boolean(),
      withFirst: fc.boolean(),
      nextAfterLast: fc.boolean(),
      numericId: fc.boolean(),
      createdAt: timestampArb,
      optional: fc.record({ eventType: often, eventId: often, attempt: often, httpCode: often, duration: often, nextRetryAt: often }),
      attempt: fc.record({ base: fc.constantFrom<0 | 1>(0, 1), asText: fc.boolean(), bare: fc.boolean() }),
      httpCode: fc.record({
        from: fc.constantFrom<'number' | 'leading-number'>('number', 'leading-number'),
        asText: fc.boolean(),
        none: fc.constantFrom<'null' | 'absent' | 'zero'>('null', 'absent', 'zero'),
        bare: fc.boolean(),
      }),
      durationUnit: fc.constantFrom<'ms' | 's'>('ms', 's'),
      nextRetryAt: timestampArb,
      status: statusMapArb,
      reports: fc.record({ attemptNumbers: often, retrySchedules: often, eventIds: often }),
      eventTypes: fc.tuple(fc.constantFrom('invoice.paid', 'user/created', 'Order Shipped', 'ping'), fc.constantFrom('', 'refund.issued', 'push')),
      pathSegment: fc.constantFrom('attempts', 'deliveries', 'logs', 'v2/requests'),
    })
    .map((g): ApiShape => {
      const name = (() => {
        const names = [...g.names];
        return () => names.shift() as string;
      })();
      const groups = [name(), name()];
      const groupPrefix = (placement: number) => (placement === 0 ? '' : `${groups[placement - 1]}.${g.groupsAreArrays[placement - 1] ? '0.' : ''}`);
      const placed = (index: number) => `${groupPrefix(g.placements[index] as number)}${name()}`;
      const fields = {
        id: { path: placed(0), numeric: g.numericId },
        createdAt: { path: placed(1), ...timestamp(g.createdAt, g.precision) },
        status: placed(2),
        eventType: g.optional.eventType ? placed(3) : undefined,
        eventId: g.optional.eventId ? placed(4) : undefined,
        attempt: g.optional.attempt ? { path: placed(5), ...g.attempt, bare: g.attempt.bare && g.attempt.base === 1 } : undefined,
        httpCode: g.optional.httpCode ? { path: placed(6), ...g.httpCode, bare: g.httpCode.bare && g.httpCode.from === 'number' } : undefined,
        duration: g.optional.duration ? { path: placed(7), unit: g.durationUnit } : undefined,
        nextRetryAt: g.optional.nextRetryAt ? { path: placed(8), ...timestamp(g.nextRetryAt, 'ms') } : undefined,
      };
      const bodyName = [name(), name(), name()];
      // A cursor-body API needs a body object around its records.
      const recordsStyle = kind === 'cursor-body' && g.records === 0 ? 1 : g.records;
      const records = ['$', bodyName[0], `${bodyName[0]}.${name()}`][recordsStyle] as string;
      const [pathParam, queryParam, staticParam, pagingParam, sizeParam] = [name(), name(), name(), name(), name()];
      const paging = ((): PagingShape => {
        switch (kind) {
          case 'page':
            return { kind, pageParam: pagingParam, firstPage: g.firstPage };
          case 'cursor-body':
            return {
              kind,
              cursorParam: pagingParam,
              cursor: g.cursor,
              numeric: g.numericCursor,
              next: g.nestedCursor ? `${bodyName[1]}.${name()}` : (bodyName[1] as string),
              done: g.withDone ? (bodyName[2] as string) : undefined,
              end: g.end === 'stale' && !g.withDone ? 'null' : g.end,
            };
          case 'link-header':
            return { kind, cursorParam: pagingParam, cursor: g.cursor, relative: g.relative, withFirst: g.withFirst, nextAfterLast: g.nextAfterLast };
          case 'after-id':
            return { kind, param: pagingParam };
          case 'newest-n':
            return { kind };
        }
      })();
      const pathTemplate = [
        `/${g.pathSegment}/{0}`,
        `/hooks/{0}/${g.pathSegment}?${queryParam}={1}`,
        `/${g.pathSegment}?${pathParam}={0}`,
        `/apps/{0}/endpoints/{1}/${g.pathSegment}`,
      ][g.pathStyle] as string;
      return {
        pathTemplate,
        parts: g.pathStyle % 2 === 1 ? 2 : 1,
        query: { [staticParam]: 'desc' },
        headers: { 'X-Api-Version': '3' },
        records,
        paging,
        size: g.size,
        sizeParam: g.withSizeParam ? sizeParam : undefined,
        maxPages: g.maxPages,
        precision: g.precision,
        ties: g.ties,
        etag: g.etag,
        fields,
        status: g.status,
        reports: {
          attemptNumbers: g.reports.attemptNumbers && fields.attempt !== undefined,
          retrySchedules: g.reports.retrySchedules && fields.nextRetryAt !== undefined,
          eventIds: g.reports.eventIds && fields.eventId !== undefined,
        },
        eventTypes: g.eventTypes,
      };
    });
}

/** A timestamp's format: fraction digits enough for the precision (whole seconds may have none). */
function timestamp(g: { format: TimestampFormat; zone: string; extraDigits: number; bare: boolean }, precision: 'ms' | 's') {
  const fractionDigits = precision === 's' && g.extraDigits === 0 ? 0 : 3 + g.extraDigits;
  return { format: g.format, zone: g.zone, fractionDigits, bare: g.bare && g.format === 'iso8601' };
}

export const webhookIdArb = (parts: 1 | 2): fc.Arbitrary<string> => fc.array(webhookPartArb, { minLength: parts, maxLength: parts }).map((list) => list.join('/'));

// ---- The description a user would write for it ----

export function describeApi(shape: ApiShape): DescriptionInput {
  const { fields, paging } = shape;
  const size = { ...(shape.sizeParam !== undefined && { param: shape.sizeParam }), value: shape.size };
  const timestampField = (field: FieldShape & { format: TimestampFormat }) => (field.bare ? field.path : { path: field.path, format: field.format });
  return {
    request: { path: shape.pathTemplate, query: shape.query, headers: shape.headers },
    records: shape.records,
    paging: ((): DescriptionInput['paging'] => {
      switch (paging.kind) {
        case 'page':
          return { kind: 'page', pageParam: paging.pageParam, firstPage: paging.firstPage, size, maxPages: shape.maxPages };
        case 'cursor-body':
          return { kind: 'cursor-body', cursorParam: paging.cursorParam, next: paging.next, ...(paging.done !== undefined && { done: paging.done }), size, maxPages: shape.maxPages };
        case 'link-header':
          return { kind: 'link-header', size, maxPages: shape.maxPages };
        case 'after-id':
          return { kind: 'after-id', param: paging.param, size, maxPages: shape.maxPages };
        case 'newest-n':
          return { kind: 'newest-n', size };
      }
    })(),
    fields: {
      id: fields.id.path,
      createdAt: timestampField(fields.createdAt),
      status: fields.status,
      ...(fields.eventType !== undefined && { eventType: fields.eventType }),
      ...(fields.eventId !== undefined && { eventId: fields.eventId }),
      ...(fields.attempt !== undefined && { attempt: fields.attempt.bare ? fields.attempt.path : { path: fields.attempt.path, base: fields.attempt.base } }),
      ...(fields.httpCode !== undefined && { httpCode: fields.httpCode.bare ? fields.httpCode.path : { path: fields.httpCode.path, from: fields.httpCode.from } }),
      ...(fields.duration !== undefined && { duration: fields.duration }),
      ...(fields.nextRetryAt !== undefined && { nextRetryAt: timestampField(fields.nextRetryAt) }),
    },
    status: Object.fromEntries(Object.entries(shape.status).filter(([, values]) => values.length > 0)),
    reports: shape.reports,
  };
}

// ---- Rows as the API writes them, and as the model reads them ----

const REASONS: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 404: 'Not Found', 410: 'Gone', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** A row as JSON, every key an own property (a null prototype, so no key name is special). */
export function renderRow(shape: ApiShape, row: Row): Record<string, unknown> {
  const { fields } = shape;
  const entry = Object.create(null) as Record<string, unknown>;
  setPath(entry, fields.id.path, fields.id.numeric ? row.id : String(row.id));
  setPath(entry, fields.createdAt.path, renderTime(row.createdAtMs, fields.createdAt));
  setPath(entry, fields.status, row.status);
  if (fields.eventType !== undefined) setPath(entry, fields.eventType, row.eventType);
  if (fields.eventId !== undefined) setPath(entry, fields.eventId, row.eventId);
  if (fields.attempt !== undefined) {
    const number = row.attempt - 1 + fields.attempt.base;
    setPath(entry, fields.attempt.path, fields.attempt.asText ? String(number) : number);
  }
  const { httpCode, duration, nextRetryAt } = fields;
  if (httpCode !== undefined) {
    if (row.code !== undefined) {
      const text = httpCode.from === 'leading-number' ? `${row.code} ${REASONS[row.code] ?? ''}`.trim() : String(row.code);
      setPath(entry, httpCode.path, httpCode.asText ? text : row.code);
    } else if (httpCode.none !== 'absent') {
      setPath(entry, httpCode.path, httpCode.none === 'zero' ? 0 : null);
    }
  }
  if (duration !== undefined) setPath(entry, duration.path, row.durationMs === undefined ? null : duration.unit === 'ms' ? row.durationMs : row.durationMs / 1000);
  if (nextRetryAt !== undefined && (row.meaning === 'success' || row.meaning === 'failed')) {
    setPath(entry, nextRetryAt.path, row.retryAtMs === null ? null : renderTime(row.retryAtMs, nextRetryAt));
  }
  return entry;
}

/** What the model knows of a row: the meaning the test gave it, in the terms of the description's reports. */
export function attemptOf(shape: ApiShape, row: Row): Attempt {
  const { fields, reports } = shape;
  return {
    id: String(row.id),
    createdAtMs: row.createdAtMs,
    finished: row.meaning === 'success' || row.meaning === 'failed',
    status: row.meaning,
    event: fields.eventType !== undefined && row.eventType !== '' ? row.eventType : 'unknown',
    code: fields.httpCode !== undefined && row.code !== undefined ? String(row.code) : 'none',
    hasDuration: fields.duration !== undefined && row.durationMs !== undefined,
    retry: reports.attemptNumbers && row.attempt > 1,
    exhausted: reports.retrySchedules && row.meaning === 'failed' && row.retryAtMs === null,
  };
}

/** Sets `a.b` / `a.0.b` in `target`, making objects and arrays on the way; every object has a null prototype. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let current: Record<string, unknown> | unknown[] = target;
  keys.forEach((key, index) => {
    const last = index === keys.length - 1;
    const slot = Array.isArray(current) ? Number(key) : key;
    const holder = current as Record<string | number, unknown>;
    if (last) {
      holder[slot] = value;
      return;
    }
    holder[slot] ??= /^\d+$/.test(keys[index + 1] as string) ? [] : Object.create(null);
    current = holder[slot] as Record<string, unknown> | unknown[];
  });
}

/** A time in the field's format; the row's time is already whole seconds when the API's precision is. */
function renderTime(ms: number, field: { format: TimestampFormat; zone: string; fractionDigits: number }): string | number {
  switch (field.format) {
    case 'epoch-ms':
      return ms;
    case 'epoch-s':
      return ms / 1000;
    case 'iso8601': {
      const offsetMin = zoneOffsetMinutes(field.zone);
      const local = new Date(ms + offsetMin * 60_000).toISOString();
      const fraction = field.fractionDigits === 0 ? '' : `.${local.slice(20, 23)}${'0'.repeat(field.fractionDigits - 3)}`;
      return `${local.slice(0, 19)}${fraction}${field.zone}`;
    }
  }
}

function zoneOffsetMinutes(zone: string): number {
  const match = /^([+-])(\d\d):?(\d\d)?$/.exec(zone);
  if (match === null) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0));
}
