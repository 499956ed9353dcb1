// Whether an OTEL_* variable asks for an export, read from the environment alone: deciding this
// must not load the SDK parts that the answer may leave unused (tracing.ts, otel-env.ts).

/** True when OTEL_TRACES_EXPORTER names an exporter. Unset or `none`: no provider, nothing sent. */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  const names = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  return names.length > 0 && !names.includes('none');
}
