// The paging driver (src/poller/paging.ts) over every paging kind, through a fake in-memory log.
import { describe, expect, it } from 'vitest';
import { readPages, type PageRead } from '../../src/poller/paging.js';
import { entry, fakeAdapter, fakeFetch, type PagingStyle } from './helpers/fake-log.js';

const LOG = Array.from({ length: 7 }, (_, i) => entry(`e${6 - i}`, 1_000 - i)); // e6 (newest) … e0

async function collect(reads: AsyncGenerator<PageRead>, stopAfter = Infinity): Promise<PageRead[]> {
  const pages: PageRead[] = [];
  for await (const read of reads) {
    pages.push(read);
    if (pages.length >= stopAfter) break;
  }
  return pages;
}

const ids = (read: PageRead) => (read.kind === 'page' ? read.page.attempts.map((a) => a.logId) : read.kind === 'failed' ? read.failure.kind : read.kind);

describe('readPages', () => {
  it.each<PagingStyle>(['page-number', 'body-cursor', 'link-header'])('%s: follows the adapter to the end of the log, newest first', async (style) => {
    const answers: string[] = [];
    const reads = await collect(readPages(fakeAdapter(style, 3), 'w', fakeFetch(style, () => LOG), (code) => answers.push(code)));
    expect(reads.map(ids)).toEqual([['e6', 'e5', 'e4'], ['e3', 'e2', 'e1'], ['e0']]);
    expect(reads.map((read) => read.kind === 'page' && read.last)).toEqual([false, false, true]);
    expect(reads.map((read) => read.kind === 'page' && read.number)).toEqual([1, 2, 3]);
    expect(answers).toEqual(['200', '200', '200']);
  });

  it('newest-n: one request, whatever the log holds beyond it', async () => {
    const fetch = fakeFetch('newest-n', () => LOG);
    const reads = await collect(readPages(fakeAdapter('newest-n', 3), 'w', fetch, () => undefined));
    expect(reads.map(ids)).toEqual([['e6', 'e5', 'e4']]);
    expect(fetch.requests).toBe(1);
  });

  it('stops at the page limit, the last page read not marked last', async () => {
    const reads = await collect(readPages(fakeAdapter('link-header', 2, 2), 'w', fakeFetch('link-header', () => LOG), () => undefined));
    expect(reads.map(ids)).toEqual([['e6', 'e5'], ['e4', 'e3']]);
    expect(reads.every((read) => read.kind === 'page' && !read.last)).toBe(true);
  });

  it('asks for nothing more once the consumer stops', async () => {
    const fetch = fakeFetch('body-cursor', () => LOG);
    await collect(readPages(fakeAdapter('body-cursor', 2), 'w', fetch, () => undefined), 1);
    expect(fetch.requests).toBe(1);
  });

  it('ends with the failure of a request, after the pages before it', async () => {
    const answers: string[] = [];
    const reads = await collect(readPages(fakeAdapter('page-number', 2), 'w', fakeFetch('page-number', () => LOG, { failAt: 2 }), (code) => answers.push(code)));
    expect(reads.map(ids)).toEqual([['e6', 'e5'], 'http_error']);
    expect(answers).toEqual(['200', '503']);
  });

  it('turns a body the adapter cannot read into a wrong_shape failure with the answer code', async () => {
    const adapter = fakeAdapter('page-number', 2);
    const reads = await collect(readPages(adapter, 'w', async () => ({ kind: 'ok', code: '200', status: 200, headers: {}, body: { entries: 'no' } }), () => undefined));
    expect(reads).toEqual([{ kind: 'failed', failure: { kind: 'wrong_shape', code: '200', detail: '`entries` is not an array' } }]);
  });

  it('sends If-None-Match on the first request only; a 304 there ends the read as unchanged', async () => {
    const seen: Array<string | undefined> = [];
    const fetch = fakeFetch('link-header', () => LOG);
    const spy: typeof fetch = Object.assign(async (request: Parameters<typeof fetch>[0]) => {
      seen.push(request.headers['if-none-match']);
      return fetch(request);
    }, { requests: 0 });
    const reads = await collect(readPages(fakeAdapter('link-header', 3), 'w', spy, () => undefined, '"v1"'));
    expect(seen).toEqual(['"v1"', undefined, undefined]);
    expect(reads[0]).toMatchObject({ kind: 'page', etag: expect.any(String) });

    const notModified = async () => ({ kind: 'not_modified' as const, code: '304', headers: {} });
    const answers: string[] = [];
    expect(await collect(readPages(fakeAdapter('link-header', 3), 'w', notModified, (code) => answers.push(code), '"v1"'))).toEqual([{ kind: 'unchanged' }]);
    expect(answers).toEqual(['304']);
  });

  it('keeps later requests unconditional even when the adapter builds them from the one before', async () => {
    const base = fakeAdapter('body-cursor', 3);
    const copying: typeof base = {
      ...base,
      parsePage(response, webhookId) {
        const parsed = base.parsePage(response, webhookId);
        return parsed.ok && parsed.next ? { ...parsed, next: { ...parsed.next, headers: { ...response.request.headers } } } : parsed;
      },
    };
    const seen: Array<string | undefined> = [];
    const fetch = fakeFetch('body-cursor', () => LOG);
    const spy: typeof fetch = Object.assign(async (request: Parameters<typeof fetch>[0]) => {
      seen.push(request.headers['if-none-match']);
      return fetch(request);
    }, { requests: 0 });
    await collect(readPages(copying, 'w', spy, () => undefined, '"v1"'));
    expect(seen).toEqual(['"v1"', undefined, undefined]);
  });

  it('treats an empty page as the end of the log even if a cursor points further', async () => {
    const adapter = fakeAdapter('body-cursor', 2);
    const fetch = async () => ({ kind: 'ok' as const, code: '200', status: 200, headers: {}, body: { entries: [], cursor: 99 } });
    const reads = await collect(readPages(adapter, 'w', fetch, () => undefined));
    expect(reads).toMatchObject([{ kind: 'page', last: true, page: { entryCount: 0 } }]);
  });
});
