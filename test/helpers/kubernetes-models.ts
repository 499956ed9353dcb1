// Offline checks of Kubernetes objects: the kubernetes-models classes validate each object against
// the Kubernetes / prometheus-operator OpenAPI schemas, and a walk along the models' TypeScript
// interfaces rejects keys those schemas do not list, which validate() lets through (a typo such as
// `readinesProbe`).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import ts from 'typescript';

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

// The virtual file sits in test/ so that its imports resolve from the project's node_modules.
const VIRTUAL_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '__kubernetes_model_types__.ts');

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  types: [],
};

/** The models' interfaces as compiler types, by MODELS key; the program is built once (about a second). */
let modelTypes: { checker: ts.TypeChecker; types: Map<string, ts.Type> } | undefined;

function loadModelTypes(): NonNullable<typeof modelTypes> {
  if (modelTypes) return modelTypes;
  const keys = Object.keys(MODELS);
  const source = keys
    .map((key, index) => `export type Model${index} = import('${MODELS[key]!.typeModule}').${MODELS[key]!.typeName};`)
    .join('\n');
  const host = ts.createCompilerHost(COMPILER_OPTIONS);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (file) => file === VIRTUAL_FILE || ts.sys.fileExists(file);
  host.getSourceFile = (file, language, ...rest) =>
    file === VIRTUAL_FILE ? ts.createSourceFile(file, source, language) : getSourceFile(file, language, ...rest);
  const program = ts.createProgram([VIRTUAL_FILE], COMPILER_OPTIONS, host);
  const problems = ts.getPreEmitDiagnostics(program, program.getSourceFile(VIRTUAL_FILE));
  if (problems.length > 0) throw new Error(ts.flattenDiagnosticMessageText(problems[0]!.messageText, '\n'));
  const checker = program.getTypeChecker();
  const aliases = program.getSourceFile(VIRTUAL_FILE)!.statements.filter(ts.isTypeAliasDeclaration);
  const types = new Map(keys.map((key, index) => [key, checker.getTypeAtLocation(aliases[index]!.name)]));
  modelTypes = { checker, types };
  return modelTypes;
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
  const { checker, types } = loadModelTypes();
  const problems: string[] = [];
  const walk = (value: unknown, type: ts.Type, path: string): void => {
    const objectTypes = (type.isUnion() ? type.types : [type]).filter((member) => member.flags & ts.TypeFlags.Object);
    if (objectTypes.length === 0 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      const elementType = objectTypes.find((member) => checker.isArrayType(member));
      if (elementType) value.forEach((item, index) => walk(item, checker.getTypeArguments(elementType as ts.TypeReference)[0]!, `${path}[${index}]`));
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      const property = objectTypes.map((member) => member.getProperty(key)).find((symbol) => symbol !== undefined);
      const indexType = objectTypes.map((member) => checker.getIndexTypeOfType(member, ts.IndexKind.String)).find((t) => t !== undefined);
      if (property) walk(child, checker.getTypeOfSymbol(property), `${path}.${key}`);
      else if (indexType) walk(child, indexType, `${path}.${key}`);
      else problems.push(`${object.kind} ${object.metadata.name}: ${path}.${key} is not a field of ${describeType(checker, objectTypes)}`);
    }
  };
  walk(object, types.get(modelKey(object))!, '');
  return problems;
}

function describeType(checker: ts.TypeChecker, objectTypes: ts.Type[]): string {
  const fields = objectTypes.flatMap((member) => member.getProperties().map((symbol) => symbol.name));
  const name = objectTypes.map((member) => checker.typeToString(member)).join(' | ');
  return `${name.startsWith('{') ? 'the object there' : name} (fields: ${fields.join(', ')})`;
}
