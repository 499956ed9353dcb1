// Extracts the published schemas of GitHub's "list deliveries" endpoints from GitHub's own OpenAPI
// description (npm @octokit/openapi, ~385 MB unpacked: fetched here with `npm pack`, never a
// dependency) into test/testdata/github/openapi-schemas.json, which the simulator tests validate
// every answer shape against. Run: npx tsx scripts/extract-github-schemas.ts

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Pinned, so the JSON changes only when this line does. */
const PACKAGE = '@octokit/openapi';
const VERSION = '23.0.2';
/** The api.github.com description with `$ref`s kept (the `.deref.json` beside it is 70 MB). */
const SOURCE_PATH = 'generated/api.github.com.json';
const OUTPUT = new URL('../test/testdata/github/openapi-schemas.json', import.meta.url);

const OPERATIONS = {
  'repos/list-webhook-deliveries': '/repos/{owner}/{repo}/hooks/{hook_id}/deliveries',
  'orgs/list-webhook-deliveries': '/orgs/{org}/hooks/{hook_id}/deliveries',
  'apps/list-webhook-deliveries': '/app/hook/deliveries',
} as const;
/** Error bodies GitHub answers on any endpoint (401, 403, 404) besides the operations' own. */
const EXTRA_SCHEMAS = ['hook-delivery-item', 'hook-delivery', 'basic-error', 'validation-error'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const workDir = mkdtempSync(join(tmpdir(), 'github-openapi-'));
try {
  const tarball = execFileSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--pack-destination', workDir, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop()!;
  execFileSync('tar', ['-xzf', join(workDir, tarball), '-C', workDir, `package/${SOURCE_PATH}`]);
  const spec = JSON.parse(readFileSync(join(workDir, 'package', SOURCE_PATH), 'utf8')) as JsonObject;
  const info = spec.info as JsonObject;
  const components = spec.components as JsonObject;
  const paths = spec.paths as Record<string, JsonObject>;

  const operations = Object.fromEntries(
    Object.entries(OPERATIONS).map(([operationId, path]) => {
      const operation = paths[path]?.get as JsonObject | undefined;
      if (operation?.operationId !== operationId) throw new Error(`${path}: expected GET ${operationId}`);
      const responses = operation.responses as JsonObject;
      return [
        operationId,
        {
          path,
          parameters: resolve(operation.parameters ?? [], spec),
          responses: Object.fromEntries(Object.entries(responses).map(([status, response]) => [status, responseSchema(resolve(response, spec) as JsonObject)])),
        },
      ];
    }),
  );
  const schemas = Object.fromEntries(EXTRA_SCHEMAS.map((name) => [name, resolve({ $ref: `#/components/schemas/${name}` }, spec)]));
  const examples = { 'hook-delivery-items': resolve((components.examples as JsonObject)['hook-delivery-items']!, spec) };

  const output = {
    source: { package: PACKAGE, version: VERSION, path: SOURCE_PATH, openapi: spec.openapi, apiVersion: info.version },
    note: 'OpenAPI 3.0 schemas with every $ref resolved. The examples list deliveries oldest first; the live API lists them newest first.',
    operations,
    schemas,
    examples,
  };
  writeFileSync(OUTPUT, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`wrote ${OUTPUT.pathname} from ${PACKAGE}@${VERSION} ${SOURCE_PATH}`);
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

/** The `application/json` schema of a response object (or undefined when it has no body). */
function responseSchema(response: JsonObject): Json {
  const content = response.content as JsonObject | undefined;
  const json = content?.['application/json'] as JsonObject | undefined;
  return { description: response.description ?? null, schema: json?.schema ?? null };
}

/** Inlines every local `$ref`; a cycle would never end, so one is an error. */
function resolve(value: Json, root: JsonObject, seen: readonly string[] = []): Json {
  if (Array.isArray(value)) return value.map((item) => resolve(item, root, seen));
  if (value === null || typeof value !== 'object') return value;
  const ref = value.$ref;
  if (typeof ref === 'string') {
    if (seen.includes(ref)) throw new Error(`cyclic $ref ${ref}`);
    return resolve(pointer(root, ref), root, [...seen, ref]);
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item, root, seen)]));
}

function pointer(root: JsonObject, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are expected, got ${ref}`);
  let node: Json = root;
  for (const part of ref.slice(2).split('/').map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !(part in node)) throw new Error(`unresolvable $ref ${ref}`);
    node = node[part]!;
  }
  return node;
}
