// Writing answers: plain JSON, the canned misbehaviour of the faults that answer at once, and the
// body faults that misdeliver a real answer (cut short, stalled, wrongly encoded).

import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Fault } from './faults.js';
import type { ProviderApi } from './provider-api.js';

/** What a proxy that drops the connection mid-body delivers: JSON cut off, still labelled JSON. */
const TRUNCATED_JSON = '{"data": [{"_id": "507f1f77bcf86cd799439055", "event": "CALL_LOG';
/** What a load balancer answers during maintenance: a 200 that is not the API. */
const MAINTENANCE_PAGE =
  '<!doctype html><html><head><title>Maintenance</title></head><body><h1>We will be back soon</h1></body></html>';

/** Faults that misdeliver the real answer rather than replacing it. */
export type BodyFault = Extract<Fault, { kind: 'stall-body' } | { kind: 'cut-body' } | { kind: 'latin1' }>;
export type ImmediateFault = Exclude<Fault, { kind: 'slow' } | { kind: 'reset' } | BodyFault>;
/** Writes an answer's status and JSON body: plainly, or misdelivered by a body fault. */
export type AnswerWriter = (res: ServerResponse, status: number, body: unknown) => void;

export function sendFaultReply(res: ServerResponse, fault: ImmediateFault, api: ProviderApi): void {
  switch (fault.kind) {
    case 'status':
      for (const [name, value] of Object.entries(fault.headers ?? {})) res.setHeader(name, value);
      if (fault.body !== undefined) return send(res, fault.status, contentTypeOf(fault.body), fault.body);
      return sendJson(res, fault.status, fault.status === 401 ? api.unauthorizedBody : { message: STATUS_CODES[fault.status] ?? 'Error' });
    case 'rate-limit':
      res.setHeader('retry-after', fault.retryAfter);
      return sendJson(res, 429, { message: 'Too Many Requests' });
    case 'garbage':
      return send(res, 200, 'application/json', TRUNCATED_JSON);
    case 'html':
      return send(res, 200, 'text/html; charset=utf-8', MAINTENANCE_PAGE);
    case 'wrong-shape':
      return sendJson(res, 200, api.wrongShapeBody);
  }
}

export function bodyFaultWriter(fault: BodyFault): AnswerWriter {
  return (res, status, body) => {
    const text = JSON.stringify(body);
    if (fault.kind === 'latin1') return send(res, status, 'application/json; charset=utf-8', Buffer.from(text, 'latin1'));
    // Content-Length promises the whole answer; only half of it is ever written.
    const bytes = Buffer.from(text);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.byteLength });
    res.write(bytes.subarray(0, Math.floor(bytes.byteLength / 2)));
    if (fault.kind === 'cut-body') res.socket?.end();
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

export function send(res: ServerResponse, status: number, contentType: string, text: string | Buffer): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A custom fault body is labelled JSON when it parses as JSON, plain text otherwise. */
function contentTypeOf(body: string): string {
  try {
    JSON.parse(body);
    return 'application/json; charset=utf-8';
  } catch {
    return 'text/plain; charset=utf-8';
  }
}
