// The generated API served over loopback: each webhook's log newest first, paged as its shape says
// (page numbers, a cursor in the body, a `Link` header, the last id, or the newest N), behind a
// bearer token. Every answer is also turned into the page the reference model reads (what was
// served, row by row, and where the API said the next page is), so the model sees exactly what the
// exporter was sent, including entries logged or changed while a read was paging. An API may send
// an ETag with its newest page and answer a matching If-None-Match with 304. What the API refuses
// (a wrong token, a missing query parameter or header, a cursor it never gave) and requests a client
// should not make (a page nobody named, a conditional request other than docs/counting.md allows)
// are kept in `violations`.

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { PageRequest, PageView } from './counting-model.js';
import { attemptOf, renderRow, setPath, type ApiShape, type Row } from './declarative-model-api.js';
import { closeNow, listenOnLoopback } from '../../helpers/loopback.js';

/** What `beforeAnswer` can make of a request: a 500, a 429, a 2xx body without its records, or one that is not JSON. */
export type Fault = 'status' | 'rate-limit' | 'shape' | 'garbage';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Sent as is instead of `body` as JSON. */
  text?: string;
}

/** One generated API with its webhooks' logs, mounted under its own base path. */
export class DescribedApi {
  private readonly logs = new Map<string, Row[]>();
  private readonly seq = new Map<string, number>();
  private reads = new Map<string, PageRequest[]>();
  /** Pages of each webhook's last complete read by the running exporter: a conditional request may follow only a read of one. */
  private lastCompleteRead = new Map<string, number>();
  readonly violations: string[] = [];
  /** Runs before each authorised request is answered, with its number in the current poll: logs entries, picks a fault. */
  beforeAnswer: ((webhookId: string, request: number) => Fault | undefined) | undefined;

  constructor(
    readonly shape: ApiShape,
    readonly token: string,
    readonly webhooks: readonly string[],
    /** `/t7`: where the server routes this API. */
    readonly basePath: string,
  ) {
    for (const webhookId of webhooks) {
      this.logs.set(webhookId, []);
      this.seq.set(webhookId, 0);
      this.reads.set(webhookId, []);
    }
  }

  /** Logs a row; it gets the next place in the order of logging. */
  append(webhookId: string, row: Omit<Row, 'seq'>): Row {
    const seq = this.seq.get(webhookId) as number;
    this.seq.set(webhookId, seq + 1);
    const logged = { ...row, seq };
    this.log(webhookId).push(logged);
    return logged;
  }

  /** The rows still in the log, in the order they were logged (change them in place). */
  rows(webhookId: string): Row[] {
    return this.log(webhookId);
  }

  /** Retention: the API forgets its `count` oldest rows. */
  expire(webhookId: string, count: number): void {
    const gone = new Set(this.ordered(webhookId).slice(-count));
    this.logs.set(webhookId, this.log(webhookId).filter((row) => !gone.has(row)));
  }

  /** The requests of each webhook since the last call, as the model reads them. */
  takeReads(): Map<string, PageRequest[]> {
    const taken = this.reads;
    this.reads = new Map(this.webhooks.map((webhookId) => [webhookId, []]));
    for (const [webhookId, read] of taken) {
      // A failed read, or one answered 304, leaves the exporter's ETag as it was.
      if (read.length > 0 && !read.some((request) => request.faulted) && read[0]?.view?.notModified !== true) this.lastCompleteRead.set(webhookId, read.length);
    }
    return taken;
  }

  /** The exporter restarted: it keeps no ETag. */
  restarted(): void {
    this.lastCompleteRead.clear();
  }

  /** Newest first; ties in createdAt as the API orders them. */
  ordered(webhookId: string): Row[] {
    const tie = this.shape.ties === 'newer-first' ? -1 : 1;
    return [...this.log(webhookId)].sort((a, b) => b.createdAtMs - a.createdAtMs || tie * (a.seq - b.seq));
  }

  handle(request: IncomingMessage, url: URL): Answer {
    const webhookId = this.webhooks.find((candidate) => this.matches(candidate, url));
    if (webhookId === undefined) return this.refuse(404, `no webhook's log at ${url.pathname}${url.search}`);
    if (request.headers.authorization !== `Bearer ${this.token}`) return this.refuse(401, `${webhookId}: no bearer token`);
    for (const [name, value] of Object.entries(this.shape.query)) {
      if (url.searchParams.get(name) !== value) return this.refuse(400, `${webhookId}: ?${name}=${value} missing from ${url.search}`);
    }
    for (const [name, value] of Object.entries(this.shape.headers)) {
      if (request.headers[name.toLowerCase()] !== value) return this.refuse(400, `${webhookId}: header ${name} missing`);
    }
    const { sizeParam, size } = this.shape;
    if (sizeParam !== undefined && url.searchParams.get(sizeParam) !== String(size)) return this.refuse(400, `${webhookId}: ?${sizeParam}=${size} missing`);

    const reads = this.reads.get(webhookId) as PageRequest[];
    const page = reads.length + 1;
    const fault = this.beforeAnswer?.(webhookId, page);
    if (fault !== undefined) {
      reads.push({ page, faulted: true });
      return this.faulty(fault);
    }
    const answer = this.page(webhookId, url);
    if (answer === undefined) return this.refuse(400, `${webhookId}: a page the API never named: ${url.search}`);
    // Within a read, each request asks for the page the previous answer named, and none after the last.
    const previous = reads[page - 2]?.view;
    const named = page === 1 ? undefined : previous?.more ? previous.next : 'no further page';
    if (answer.view.asked !== named) this.violations.push(`${webhookId}: request ${page} of a read asked for ${answer.view.asked ?? 'the newest page'}, the API named ${named ?? 'the newest page'}`);
    const ifNoneMatch = request.headers['if-none-match'];
    if (ifNoneMatch !== undefined && (page !== 1 || this.lastCompleteRead.get(webhookId) !== 1)) {
      this.violations.push(`${webhookId}: request ${page} is conditional, after a complete read of ${this.lastCompleteRead.get(webhookId) ?? 'no'} pages`);
    }
    if (this.shape.etag && answer.view.asked === undefined) {
      // The ETag of the newest page: its body and its Link header, so any change to them changes it.
      const etag = `"${createHash('sha256').update(JSON.stringify(answer.body) + (answer.headers.link ?? '')).digest('base64url').slice(0, 16)}"`;
      if (ifNoneMatch === etag) {
        const view: PageView = { attempts: [], withdrawn: [], more: false, notModified: true, next: undefined, asked: undefined };
        reads.push({ page, faulted: false, view, answer: { path: url.pathname + url.search, status: 304, headers: { etag }, body: undefined } });
        return { status: 304, headers: { etag }, body: undefined, text: '' };
      }
      answer.headers.etag = etag;
      reads.push({ page, faulted: false, view: answer.view, answer: { path: url.pathname + url.search, status: 200, headers: { etag }, body: answer.body } });
      return answer;
    }
    reads.push({ page, faulted: false, view: answer.view });
    return answer;
  }

  /** The page a request asks for, its body and headers, and the model's view of it. */
  private page(webhookId: string, url: URL): (Answer & { view: PageView }) | undefined {
    const { shape } = this;
    const { paging, size } = shape;
    const log = this.ordered(webhookId);
    const query = (name: string) => url.searchParams.get(name) ?? undefined;
    let start = 0;
    let asked: string | undefined;
    switch (paging.kind) {
      case 'page': {
        const number = Number(query(paging.pageParam) ?? paging.firstPage);
        if (!Number.isSafeInteger(number) || number < paging.firstPage) return undefined;
        start = (number - paging.firstPage) * size;
        asked = number === paging.firstPage ? undefined : String(number);
        break;
      }
      case 'after-id': {
        asked = query(paging.param);
        if (asked !== undefined) {
          const at = log.findIndex((row) => String(row.id) === asked);
          if (at < 0) return undefined;
          start = at + 1;
        }
        break;
      }
      case 'cursor-body':
      case 'link-header': {
        const cursor = query(paging.cursorParam);
        if (cursor !== undefined) {
          const position = this.position(log, paging.cursor, cursor);
          if (position === undefined) return undefined;
          start = position;
          asked = paging.kind === 'cursor-body' ? cursor : url.pathname + url.search;
        }
        break;
      }
      case 'newest-n':
        break;
    }
    const rows = log.slice(start, start + size);
    const more = start + rows.length < log.length;
    const records = rows.map((row) => renderRow(shape, row));
    const view: PageView = {
      attempts: rows.filter((row) => row.meaning !== 'ignore').map((row) => attemptOf(shape, row)),
      withdrawn: rows.filter((row) => row.meaning === 'ignore').map((row) => String(row.id)),
      more: false,
      notModified: false,
      next: undefined,
      asked,
    };
    const headers: Record<string, string> = {};
    let body: unknown = records;
    switch (paging.kind) {
      case 'page':
        // "A short page is the last one": a full page always names the next, even at the end of the log.
        view.more = rows.length === size;
        view.next = String(Number(query(paging.pageParam) ?? paging.firstPage) + 1);
        break;
      case 'after-id':
        view.more = rows.length === size;
        view.next = rows.length === 0 ? undefined : String((rows[rows.length - 1] as Row).id);
        break;
      case 'cursor-body': {
        const cursor = this.cursor(paging.cursor, start + rows.length, rows);
        const value = paging.numeric ? Number(cursor.slice(1)) : cursor;
        body = Object.create(null);
        setPath(body as Record<string, unknown>, shape.records, records);
        if (more || paging.end === 'stale') setPath(body as Record<string, unknown>, paging.next, value);
        else if (paging.end !== 'absent') setPath(body as Record<string, unknown>, paging.next, paging.end === 'null' ? null : '');
        if (paging.done !== undefined) setPath(body as Record<string, unknown>, paging.done, !more);
        view.more = more;
        view.next = more ? String(value) : undefined;
        break;
      }
      case 'link-header': {
        if (more || (paging.nextAfterLast && rows.length > 0)) {
          const next = new URL(url);
          next.searchParams.set(paging.cursorParam, this.cursor(paging.cursor, start + rows.length, rows));
          const target = paging.relative ? next.pathname + next.search : next.href;
          const first = new URL(url);
          first.searchParams.delete(paging.cursorParam);
          headers.link = `${paging.withFirst ? `<${first.href}>; rel="first", ` : ''}<${target}>; rel="next"`;
          view.more = true;
          view.next = next.pathname + next.search;
        }
        break;
      }
      case 'newest-n':
        break;
    }
    if (shape.records !== '$' && paging.kind !== 'cursor-body') {
      body = Object.create(null);
      setPath(body as Record<string, unknown>, shape.records, records);
    }
    return { status: 200, headers, body, view };
  }

  /** The cursor after `rows`: the position it ends at, or the last row it holds (`o12`, `k7`; digits alone when numeric). */
  private cursor(style: 'offset' | 'keyset', end: number, rows: readonly Row[]): string {
    const last = rows[rows.length - 1];
    return style === 'keyset' && last !== undefined ? `k${last.seq}` : `o${end}`;
  }

  /** Where a cursor the API gave points, in today's order; undefined for one it never gave. */
  private position(log: readonly Row[], style: 'offset' | 'keyset', cursor: string): number | undefined {
    const digits = /^[ok]?(\d+)$/.exec(cursor)?.[1];
    if (digits === undefined) return undefined;
    if (style === 'offset' || cursor.startsWith('o')) return Number(digits);
    const at = log.findIndex((row) => row.seq === Number(digits));
    return at < 0 ? undefined : at + 1;
  }

  private faulty(fault: Fault): Answer {
    switch (fault) {
      case 'status':
        return { status: 500, headers: {}, body: { message: 'temporarily unavailable' } };
      case 'rate-limit':
        return { status: 429, headers: { 'retry-after': '1' }, body: { message: 'slow down' } };
      case 'garbage':
        return { status: 200, headers: {}, body: undefined, text: '<html>maintenance</html>' };
      case 'shape': {
        // A 2xx body whose records are not an array where the description says they are.
        if (this.shape.records === '$') return { status: 200, headers: {}, body: { message: 'maintenance' } };
        const body = Object.create(null) as Record<string, unknown>;
        setPath(body, this.shape.records, 'maintenance');
        return { status: 200, headers: {}, body };
      }
    }
  }

  private matches(webhookId: string, url: URL): boolean {
    const parts = webhookId.split('/');
    const expected = new URL(`${this.basePath}${this.shape.pathTemplate.replace(/\{(\d+)\}/g, (_, index: string) => encodeURIComponent(parts[Number(index)] as string))}`, url);
    if (expected.pathname !== url.pathname) return false;
    return [...expected.searchParams].every(([name, value]) => url.searchParams.get(name) === value);
  }

  private refuse(status: number, violation: string): Answer {
    this.violations.push(violation);
    return { status, headers: {}, body: { message: violation } };
  }

  private log(webhookId: string): Row[] {
    const log = this.logs.get(webhookId);
    if (log === undefined) throw new Error(`no webhook ${webhookId}`);
    return log;
  }
}

/** One loopback server for every generated API of a test file, each under its own base path. */
export class DescribedApiServer {
  private readonly apis = new Map<string, DescribedApi>();
  private count = 0;

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<DescribedApiServer> {
    let routed: DescribedApiServer | undefined;
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', routed?.origin);
      const api = routed?.apis.get(`/${url.pathname.split('/')[1]}`);
      const answer = api?.handle(request, url) ?? { status: 404, headers: {}, body: { message: 'no such API' } };
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.text ?? JSON.stringify(answer.body));
    });
    routed = new DescribedApiServer(server, await listenOnLoopback(server));
    return routed;
  }

  /** Serves a new API; returns it and the `baseUrl` a source names it by. */
  mount(shape: ApiShape, token: string, webhooks: readonly string[]): { api: DescribedApi; baseUrl: string } {
    const basePath = `/t${++this.count}`;
    const api = new DescribedApi(shape, token, webhooks, basePath);
    this.apis.set(basePath, api);
    return { api, baseUrl: `${this.origin}${basePath}` };
  }

  unmount(api: DescribedApi): void {
    this.apis.delete(api.basePath);
  }

  close(): Promise<void> {
    return closeNow(this.server);
  }
}
