// Offline checks of Kubernetes objects: the kubernetes-models classes validate each object against
// the Kubernetes / prometheus-operator OpenAPI schemas, and a walk along the models' TypeScript
// interfaces rejects keys those schemas do not list, which validate() lets through (a typo such as
// `readinesProbe`).
import { fileURLToPath } from 'node:url';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { isTypeAliasDeclaration } from 'typescript/unstable/ast/is';
import { API, TypeFlags, type Checker, type Type, type TypeReference } from 'typescript/unstable/sync';

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

interface ModelEntry {
  /** The generated model class; its validate() throws on a schema violation. */
  model: new (data: never) => { validate(): void };
  /** Where the model's TypeScript interface is declared, and its name. */
  typeModule: string;
  typeName: string;
}

/** The kinds the manifests may use, by `apiVersion/kind`. Another kind is an error, not a pass. */
export const MODELS: Readonly<Record<string, ModelEntry>> = {
  'v1/ConfigMap': { model: ConfigMap, typeModule: 'kubernetes-models/v1/ConfigMap', typeName: 'IConfigMap' },
  'v1/Secret': { model: Secret, typeModule: 'kubernetes-models/v1/Secret', typeName: 'ISecret' },
  'v1/Service': { model: Service, typeModule: 'kubernetes-models/v1/Service', typeName: 'IService' },
  'apps/v1/Deployment': { model: Deployment, typeModule: 'kubernetes-models/apps/v1/Deployment', typeName: 'IDeployment' },
  'monitoring.coreos.com/v1/PodMonitor': {
    model: PodMonitor,
    typeModule: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor',
    typeName: 'IPodMonitor',
  },
  'monitoring.coreos.com/v1/ServiceMonitor': {
    model: ServiceMonitor,
    typeModule: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
    typeName: 'IServiceMonitor',
  },
  'monitoring.coreos.com/v1/PrometheusRule': {
    model: PrometheusRule,
    typeModule: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule',
    typeName: 'IPrometheusRule',
  },
};

function modelKey(object: KubernetesObject): string {
  const key = `${object.apiVersion}/${object.kind}`;
  if (!MODELS[key]) throw new Error(`no model for ${object.apiVersion} ${object.kind}: add it to MODELS`);
  return key;
}

/** Throws, naming the failing path, when the object violates its OpenAPI schema. */
export function validateWithModel(object: KubernetesObject): void {
  const { model } = MODELS[modelKey(object)]!;
  new model(object as never).validate();
}

// TypeScript 7 has no in-process compiler API; its unstable IPC API runs the bundled tsgo binary.
// The project is virtual (served by the fs callbacks, nothing written) and sits in test/ so that
// its imports resolve from the project's node_modules. tsgo passes paths with forward slashes.
const VIRTUAL_DIR = fileURLToPath(new URL('../__kubernetes_model_types__', import.meta.url)).replaceAll('\\', '/');
const TSCONFIG = `${VIRTUAL_DIR}/tsconfig.json`;
const TYPES_FILE = `${VIRTUAL_DIR}/types.ts`;

/** A model type reduced to what the walk needs: its declared fields, string index, array element. */
interface Shape {
  name: string;
  fields: Map<string, Shape | undefined>;
  /** Present when the type has a string index signature (a map): any key, values of this shape. */
  index?: { value: Shape | undefined };
  element?: Shape | undefined;
}

/** The models' interfaces as shapes, by MODELS key; built once (a few hundred ms), then tsgo is closed. */
let modelShapes: Map<string, Shape> | undefined;

function loadModelShapes(): Map<string, Shape> {
  if (modelShapes) return modelShapes;
  const keys = Object.keys(MODELS);
  const files: Record<string, string> = {
    [TSCONFIG]: JSON.stringify({ compilerOptions: { module: 'nodenext', strict: true, noEmit: true, types: [] }, files: ['types.ts'] }),
    [TYPES_FILE]: keys.map((key, index) => `export type Model${index} = import('${MODELS[key]!.typeModule}').${MODELS[key]!.typeName};`).join('\n'),
  };
  // The two virtual files; undefined falls back to the real file system.
  const api = new API({
    fs: {
      readFile: (file) => files[file],
      fileExists: (file) => (file in files ? true : undefined),
      directoryExists: (dir) => (dir === VIRTUAL_DIR ? true : undefined),
    },
  });
  try {
    const project = api.updateSnapshot({ openProjects: [TSCONFIG] }).getProject(TSCONFIG);
    if (!project) throw new Error(`tsgo did not load ${TSCONFIG}`);
    const { program, checker } = project;
    const problems = [...program.getConfigFileParsingDiagnostics(), ...program.getSemanticDiagnostics(TYPES_FILE)];
    if (problems.length > 0) throw new Error(problems.map((problem) => problem.text).join('\n'));
    const aliases = program.getSourceFile(TYPES_FILE)!.statements.filter(isTypeAliasDeclaration);
    const types = checker.getTypeAtLocation(aliases.map((alias) => alias.name));
    const seen = new Map<string, Shape>();
    modelShapes = new Map(keys.map((key, index) => [key, shapeOf(checker, types[index]!, seen)!]));
    return modelShapes;
  } finally {
    api.close();
  }
}

/** The shape of `type`'s object members (`T | undefined` is T), or undefined for a scalar. */
function shapeOf(checker: Checker, type: Type, seen: Map<string, Shape>): Shape | undefined {
  const members = (type.isUnionType() ? type.getTypes() : [type]).filter((member) => member.flags & (TypeFlags.Object | TypeFlags.Intersection));
  if (members.length === 0) return undefined;
  const id = members.map((member) => member.id).join('|');
  const known = seen.get(id);
  if (known) return known;
  const name = members.map((member) => checker.typeToString(member)).join(' | ');
  const shape: Shape = { name, fields: new Map() };
  seen.set(id, shape); // before recursing: model types may refer to themselves
  for (const member of members) {
    if (checker.isArrayType(member)) {
      shape.element = shapeOf(checker, checker.getTypeArguments(member as TypeReference)[0]!, seen);
      continue;
    }
    const properties = checker.getPropertiesOfType(member);
    const propertyTypes = properties.length > 0 ? checker.getTypeOfSymbol(properties) : [];
    properties.forEach((property, index) => shape.fields.set(property.name, shapeOf(checker, propertyTypes[index]!, seen)));
    const stringIndex = checker.getIndexInfosOfType(member).find((info) => info.keyType.flags & TypeFlags.String);
    if (stringIndex) shape.index = { value: shapeOf(checker, stringIndex.valueType, seen) };
  }
  return shape;
}

/**
 * Every key of `object` that its model does not declare, as "<kind> <name>: <path> is not a field
 * of <type> (fields: ...)". The models' validate() accepts unknown keys (their schemas do not
 * forbid additional properties), so a typo such as `readinesProbe` passes it, and only a cluster
 * would reject it (or silently drop it, with lax field validation). This walks the object along
 * the model's TypeScript interface, which lists exactly the schema's properties: where it lists
 * properties, no other key is allowed; maps (labels, data) are index signatures and accept any
 * key, as in Kubernetes. Value types are left to validateWithModel().
 */
export function unknownKeyProblems(object: KubernetesObject): string[] {
  const problems: string[] = [];
  const walk = (value: unknown, shape: Shape | undefined, path: string): void => {
    if (!shape || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, shape.element, `${path}[${index}]`));
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      if (shape.fields.has(key)) walk(child, shape.fields.get(key), `${path}.${key}`);
      else if (shape.index) walk(child, shape.index.value, `${path}.${key}`);
      else problems.push(`${object.kind} ${object.metadata.name}: ${path}.${key} is not a field of ${describe(shape)}`);
    }
  };
  walk(object, loadModelShapes().get(modelKey(object)), '');
  return problems;
}

function describe(shape: Shape): string {
  return `${shape.name.startsWith('{') ? 'the object there' : shape.name} (fields: ${[...shape.fields.keys()].join(', ')})`;
}
