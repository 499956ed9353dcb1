// A plain node:http request with no connection reuse, for tests that need what fetch clients hide:
// any method, a body on a GET, chunked encoding, the raw status and headers.
import http, { type IncomingHttpHeaders } from 'node:http';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export function httpRequest(url: string, method: string, options: { body?: string; chunked?: boolean } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (options.body !== undefined) {
      if (options.chunked) headers['Transfer-Encoding'] = 'chunked';
      else headers['Content-Length'] = Buffer.byteLength(options.body);
    }
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    if (options.chunked) req.write(options.body);
    req.end(options.chunked ? undefined : options.body);
  });
}
