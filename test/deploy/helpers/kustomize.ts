// Renders a kustomization the way `kustomize build` does for the one field our kustomizations
// use, `resources:` (files and folders, in order, recursively), so the tests need no kustomize
// binary. Any other field is refused rather than silently ignored.
import { readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import type { KubernetesObject } from './kubernetes-models.js';

export interface RenderedObject {
  /** The file it came from, relative to the rendered kustomization's folder. */
  file: string;
  object: KubernetesObject;
}

const KUSTOMIZATION_FILE = 'kustomization.yaml';
const ALLOWED_FIELDS = new Set(['apiVersion', 'kind', 'resources']);

/** Every YAML document of `file` as plain data; a syntax error or warning throws. */
export function readYamlDocuments(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((document) => {
    const problem = document.errors[0] ?? document.warnings[0];
    if (problem) throw new Error(`${file}: ${problem.message}`);
    return document.toJS() as unknown;
  });
}

/** The kustomization's `resources`, as absolute paths; throws on a field this renderer does not implement. */
export function kustomizationResources(dir: string): string[] {
  const kustomization = parse(readFileSync(join(dir, KUSTOMIZATION_FILE), 'utf8')) as Record<string, unknown>;
  const unsupported = Object.keys(kustomization).filter((field) => !ALLOWED_FIELDS.has(field));
  if (unsupported.length > 0) throw new Error(`${dir}/${KUSTOMIZATION_FILE}: unsupported fields ${unsupported.join(', ')}`);
  const resources = kustomization.resources;
  if (!Array.isArray(resources) || !resources.every((entry) => typeof entry === 'string')) {
    throw new Error(`${dir}/${KUSTOMIZATION_FILE}: resources must be a list of paths`);
  }
  return resources.map((entry) => resolve(dir, entry));
}

/** The objects `kustomize build dir` would output (in resource order); throws on a duplicate object, as kustomize does. */
export function renderKustomization(dir: string): RenderedObject[] {
  const root = resolve(dir);
  const rendered = collect(root).map(({ file, object }) => ({ file: relative(root, file), object }));
  const seen = new Set<string>();
  for (const { object } of rendered) {
    const id = `${object.apiVersion} ${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    if (seen.has(id)) throw new Error(`${root}: ${id} is declared twice`);
    seen.add(id);
  }
  return rendered;
}

function collect(dir: string): Array<{ file: string; object: KubernetesObject }> {
  return kustomizationResources(dir).flatMap((path) =>
    statSync(path).isDirectory()
      ? collect(path)
      : readYamlDocuments(path)
          .filter((document) => document !== null)
          .map((document) => ({ file: path, object: asKubernetesObject(document, path) })),
  );
}

function asKubernetesObject(document: unknown, file: string): KubernetesObject {
  const object = document as Partial<KubernetesObject>;
  if (typeof object?.apiVersion !== 'string' || typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') {
    throw new Error(`${file}: a document without apiVersion, kind and metadata.name`);
  }
  return object as KubernetesObject;
}
