import type { ServerResponse } from 'node:http';

/**
 * Writes the exposition chunk by chunk, waiting for the socket to drain when it asks us to, so a
 * slow scraper holds at most a chunk or two in memory instead of the whole body (chunked encoding).
 * A scraper that hangs up ends the loop; a failure half-way destroys the response, so Prometheus
 * records a failed scrape rather than a truncated one.
 */
export async function streamChunks(res: ServerResponse, chunks: Iterable<string>): Promise<void> {
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
