// The oldest Node.js the exporter runs on: undici 8, its HTTP client, needs 22.19. Kept in step with
// package.json's engines.node by test/runtime.test.ts.
export const MINIMUM_NODE = '22.19.0';

/** Why this Node cannot run the exporter, or undefined when it can. */
export function unsupportedNode(running: string): string | undefined {
  const [major = 0, minor = 0] = running.split('.').map(Number);
  const [needMajor = 0, needMinor = 0] = MINIMUM_NODE.split('.').map(Number);
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return `needs Node.js ${MINIMUM_NODE} or newer; this is Node.js ${running}`;
}
