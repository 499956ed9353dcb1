/**
 * A problem found while starting that is not in the config file (an `OTEL_*` variable asks for a
 * module the image does not have): one line on stderr and exit 2, before anything is served.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
