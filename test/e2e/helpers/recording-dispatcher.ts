// An undici dispatcher that records every answer the exporter receives (status, headers, body) in
// the order they arrive, so a test can see exactly what each page request of a read returned,
// including a 304 to a conditional request. It forwards everything unchanged.

import { Agent, type Dispatcher } from 'undici';

export interface RecordedAnswer {
  /** Path and query as the exporter asked for them (e.g. `/svix/api/v1/app/a/attempt/endpoint/e?limit=2&iterator=…`). */
  path: string;
  status: number;
  /** Lower-case names; a repeated header joined with `, `. */
  headers: Record<string, string>;
  /** Decoded JSON, or the text when it is not JSON; undefined when there was no body (304). */
  body: unknown;
}

export interface RecordingDispatcher {
  dispatcher: Dispatcher;
  /** Takes what was recorded since the last call. */
  take(): RecordedAnswer[];
  close(): Promise<void>;
}

export function recordingDispatcher(): RecordingDispatcher {
  let recorded: RecordedAnswer[] = [];
  const agent = new Agent();
  const dispatcher = agent.compose((dispatch) => (options, handler) => {
    const chunks: Buffer[] = [];
    let status = 0;
    let headers: Record<string, string> = {};
    const recording: Dispatcher.DispatchHandler = {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, statusCode, upgradeHeaders, socket) => handler.onRequestUpgrade?.(controller, statusCode, upgradeHeaders, socket),
      onResponseStart: (controller, statusCode, responseHeaders, statusMessage) => {
        status = statusCode;
        headers = flat(responseHeaders);
        return handler.onResponseStart?.(controller, statusCode, responseHeaders, statusMessage);
      },
      onResponseData: (controller, chunk) => {
        chunks.push(Buffer.from(chunk));
        return handler.onResponseData?.(controller, chunk);
      },
      onResponseEnd: (controller, trailers) => {
        recorded.push({ path: String(options.path), status, headers, body: decode(Buffer.concat(chunks).toString('utf8')) });
        return handler.onResponseEnd?.(controller, trailers);
      },
      onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
    };
    return dispatch(options, recording);
  });
  return {
    dispatcher,
    take() {
      const taken = recorded;
      recorded = [];
      return taken;
    },
    close: () => agent.close(),
  };
}

function flat(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function decode(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
