import { pino, type Logger } from 'pino';

export type { Logger };

// Secrets never reach a log line by construction (no header or config object is ever logged);
// redaction is the second fence, should someone log one later.
const REDACTED_PATHS = [
  'apiKey',
  'bearerToken',
  'token',
  'privateKey',
  '*.apiKey',
  '*.bearerToken',
  '*.token',
  '*.privateKey',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["X-Signature"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.headers["X-Signature"]',
];

/** JSON lines on stdout; level from LOG_LEVEL (default info). */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  return pino(
    {
      name: 'webhook-log-exporter',
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

/** A URL fit for logs: origin and path only, since query strings may carry tokens. */
export function urlForLog(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
