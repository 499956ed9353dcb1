// What the exporter needs of Node, in one place. test/unit/runtime.test.ts keeps package.json's engines,
// the bin's shebang, `npm start`, the image's ENTRYPOINT and the memory benchmark in step with it.

/** The oldest Node.js the exporter runs on: undici 8, its HTTP client, needs 22.19. */
export const MINIMUM_NODE = '22.19.0';

/**
 * V8 flags the exporter runs with. Node 24's V8 sizes the young generation from the machine's
 * memory (up to 64 MB per semi-space on a large host, four times Node 20's), and keeps it committed:
 * +16 MB of idle RSS and +48 MB at the peak of a 10k-series scrape. 8 MB semi-spaces bring both back
 * to their Node 20 figures at no measurable cost to ingest or scrape (docs/performance.md).
 */
export const NODE_FLAGS = ['--max-semi-space-size=8'] as const;

/** Why this Node cannot run the exporter, or undefined when it can. */
export function unsupportedNode(running: string): string | undefined {
  const [major = 0, minor = 0] = running.split('.').map(Number);
  const [needMajor = 0, needMinor = 0] = MINIMUM_NODE.split('.').map(Number);
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return `needs Node.js ${MINIMUM_NODE} or newer; this is Node.js ${running}`;
}
