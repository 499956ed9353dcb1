import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROMETHEUS_TEXT_CONTENT_TYPE } from '../telemetry/index.js';

/** What /metrics needs from telemetry: the exposition, collected now and serialized as it is read. */
export interface MetricsExposition {
  /**
   * Rejects when collection fails; otherwise resolves with the Prometheus text format
   * (PROMETHEUS_TEXT_CONTENT_TYPE) in chunks, serialized only as they are iterated.
   */
  collectExpositionChunks(): Promise<Iterable<string>>;
}

/**
 * Serves the exposition, for GET and HEAD /metrics. Not the OTel exporter's own handler: that one
 * answers 200 with a comment when collection fails and sends a bare `text/plain`; Prometheus
 * should see a failed scrape (and `up` 0) instead, and the text format's versioned content type.
 * The body is streamed: collected first (the only step that can fail before the 200), then
 * serialized chunk by chunk as the socket takes it.
 */
export function serveMetrics(metrics: MetricsExposition, req: IncomingMessage, res: ServerResponse): void {
  metrics.collectExpositionChunks().then(
    (chunks) => {
      res.writeHead(200, { 'content-type': PROMETHEUS_TEXT_CONTENT_TYPE });
      if (req.method === 'HEAD') res.end();
      else void streamChunks(res, chunks);
    },
    () => {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('metrics collection failed\n');
    },
  );
}

/**
 * Writes the exposition chunk by chunk, waiting for the socket to drain when it asks us to, so a
 * slow scraper holds at most a chunk or two in memory instead of the whole body (chunked encoding).
 * A scraper that hangs up ends the loop; a failure half-way destroys the response, so Prometheus
 * records a failed scrape rather than a truncated one.
 */
async function streamChunks(res: ServerResponse, chunks: Iterable<string>): Promise<void> {
  try {
    for (const chunk of chunks) {
      if (res.destroyed) return;
      if (!res.write(chunk)) await drainedOrClosed(res);
    }
    res.end();
  } catch (error) {
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
