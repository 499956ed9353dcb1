// The Kubernetes manifests in deploy/kubernetes, checked offline (no cluster, no kustomize, no
// kubectl): every kustomization rendered and every object validated against the Kubernetes and
// prometheus-operator schemas with unknown keys refused; the PrometheusRule is the generated alert
// rules and passes promtool; the embedded config passes check-config with the Secret mounted as
// the pod mounts it; the probes, port and scrape path are what the real server serves; and the
// exporter container keeps its hardening, its files-not-env secrets and its sidecar shape.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { buildRuleGroups } from '../../mixin/alerts.js';
import { mixinConfig } from '../../mixin/config.js';
import { PROMETHEUS_RULE_FILE, renderPrometheusRule } from '../../scripts/generate-mixin.js';
import { buildExporter, SHUTDOWN_BOUND_MS } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logger.js';
import type { BuiltInProvider } from '../../src/providers/registry.js';
import { ProviderSimulator } from '../../src/simulator/index.js';
import { EXPORTER_UID, exporterContainer, hardeningProblems, mirrorMounts, podSpecOf, volumeAt } from './helpers/exporter-pod.js';
import { makeCa, makeLeaf, type Pem } from '../helpers/certificates.js';
import { runCli } from '../helpers/cli.js';
import { findSamples, parseExposition } from '../helpers/exposition.js';
import { httpsGet } from '../helpers/https-request.js';
import { unknownKeyProblems, validateWithModel, type KubernetesObject } from './helpers/kubernetes-models.js';
import { kustomizationResources, readYamlDocuments, renderKustomization } from './helpers/kustomize.js';
import { runPromtool } from '../helpers/promtool.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const K8S_DIR = join(root, 'deploy/kubernetes');
const SECURE_EXAMPLE = 'examples/secure';
const KUSTOMIZATIONS = ['base', 'examples/native-sidecar', 'examples/classic-sidecar', 'examples/service-monitor', SECURE_EXAMPLE, `${SECURE_EXAMPLE}/service-monitor`];
const SIDECAR_EXAMPLES = { native: 'examples/native-sidecar', classic: 'examples/classic-sidecar' } as const;
/** The provider credentials, the same in every example that runs the exporter. */
const PROVIDER_SECRET_TEMPLATES = [...Object.values(SIDECAR_EXAMPLES), SECURE_EXAMPLE].map((dir) => `${dir}/secret.yaml`);
/** The secure example's web config, its TLS certificate, and what Prometheus presents to it. */
const SECURE_SECRET_TEMPLATES = {
  webConfig: `${SECURE_EXAMPLE}/web-config-secret.yaml`,
  tls: `${SECURE_EXAMPLE}/tls-secret.yaml`,
  scrapeClient: `${SECURE_EXAMPLE}/scrape-client-secret.yaml`,
} as const;
const SECRET_TEMPLATES = [...PROVIDER_SECRET_TEMPLATES, ...Object.values(SECURE_SECRET_TEMPLATES)];
const IMAGE = 'ghcr.io/webhook-log-exporter/webhook-log-exporter';
const CONFIG_KEY = 'config.yaml';
const packageVersion = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

const temporaryDirs: string[] = [];
afterAll(() => temporaryDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function temporaryDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wle-k8s-'));
  temporaryDirs.push(dir);
  return dir;
}

function rendered(kustomization: string): KubernetesObject[] {
  return renderKustomization(join(K8S_DIR, kustomization)).map(({ object }) => object);
}

function only<T>(objects: KubernetesObject[], kind: string): T {
  const matching = objects.filter((object) => object.kind === kind);
  if (matching.length !== 1) throw new Error(`want one ${kind}, found ${matching.length}`);
  return matching[0] as unknown as T;
}

function secretTemplate(path: string): ISecret {
  const [secret] = readYamlDocuments(join(K8S_DIR, path));
  return secret as ISecret;
}

const deployments = {
  native: only<IDeployment>(rendered(SIDECAR_EXAMPLES.native), 'Deployment'),
  classic: only<IDeployment>(rendered(SIDECAR_EXAMPLES.classic), 'Deployment'),
};
const configMap = only<IConfigMap>(rendered('base'), 'ConfigMap');
const configText = configMap.data?.[CONFIG_KEY] ?? '';
const podMonitor = only<IPodMonitor>(rendered('base'), 'PodMonitor');
const service = only<IService>(rendered('examples/service-monitor'), 'Service');
const serviceMonitor = only<IServiceMonitor>(rendered('examples/service-monitor'), 'ServiceMonitor');
const secret = secretTemplate(SECRET_TEMPLATES[0]!);

/** The embedded config as written (before the exporter resolves it). */
interface RawConfig {
  listen: { host: string; port: number };
  state: { file: string };
  sources: Array<{ name: string; provider: BuiltInProvider; baseUrl?: string; webhooks: string[]; auth: Record<string, string> }>;
}
const rawConfig = (): RawConfig => parse(configText) as RawConfig;

/** Each source's secret file (apiKeyFile or bearerTokenFile), with its provider. */
function secretFiles(config: RawConfig): Array<{ path: string; provider: BuiltInProvider }> {
  return config.sources.map((source) => {
    const path = source.auth.apiKeyFile ?? source.auth.bearerTokenFile;
    if (path === undefined) throw new Error(`source ${source.name}: give the secret as a file from the Secret`);
    return { path, provider: source.provider };
  });
}

/** The Secret's files as the config reads them, each holding `valueFor(provider)`. */
function secretFilesFor(valueFor: (provider: BuiltInProvider) => string): Record<string, string> {
  return Object.fromEntries(secretFiles(rawConfig()).map(({ path, provider }) => [basename(path), valueFor(provider)]));
}

function configFlag(args: readonly string[]): string {
  const index = args.indexOf('--config');
  const path = args[index + 1];
  if (index < 0 || path === undefined) throw new Error(`no --config in ${args.join(' ')}`);
  return path;
}

function metricsPort(container: IContainer) {
  const port = container.ports?.find((p) => p.name === 'metrics');
  if (!port) throw new Error(`${container.name}: no port named metrics`);
  return port;
}

async function cli(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const { code, stdout, stderr } = await runCli(args);
  return { code, output: `${stdout}${stderr}` };
}

describe('kustomizations', () => {
  it('account for every YAML file under deploy/kubernetes (or it is a Secret template)', () => {
    const yamlFiles = (readdirSync(K8S_DIR, { recursive: true }) as string[]).filter((file) => /\.ya?ml$/.test(file));
    const kustomizations = KUSTOMIZATIONS.map((dir) => `${dir}/kustomization.yaml`);
    const resources = KUSTOMIZATIONS.flatMap((dir) => kustomizationResources(join(K8S_DIR, dir)).map((path) => relative(K8S_DIR, path)));
    const accounted = new Set([...kustomizations, ...resources, ...SECRET_TEMPLATES]);
    expect(yamlFiles.filter((file) => !accounted.has(file))).toEqual([]);
    expect([...accounted].filter((file) => file.endsWith('.yaml') && !yamlFiles.includes(file))).toEqual([]);
  });

  it('render the expected objects', () => {
    const kinds = (dir: string) => rendered(dir).map((object) => `${object.kind}/${object.metadata.name}`).sort();
    const base = ['ConfigMap/webhook-log-exporter-config', 'PodMonitor/webhook-log-exporter', 'PrometheusRule/webhook-log-exporter'];
    expect(kinds('base')).toEqual(base);
    expect(kinds(SIDECAR_EXAMPLES.native)).toEqual(['Deployment/example-app', ...base].sort());
    expect(kinds(SIDECAR_EXAMPLES.classic)).toEqual(['Deployment/example-app', ...base].sort());
    expect(kinds('examples/service-monitor')).toEqual(['Service/webhook-log-exporter', 'ServiceMonitor/webhook-log-exporter']);
    expect(kinds(SECURE_EXAMPLE)).toEqual(['ConfigMap/webhook-log-exporter-config', 'Deployment/example-app', 'PodMonitor/webhook-log-exporter']);
    expect(kinds(`${SECURE_EXAMPLE}/service-monitor`)).toEqual(['Service/webhook-log-exporter', 'ServiceMonitor/webhook-log-exporter']);
  });

  describe.each([...KUSTOMIZATIONS, ...SECRET_TEMPLATES])('%s', (path) => {
    const objects = path.endsWith('.yaml') ? (readYamlDocuments(join(K8S_DIR, path)) as KubernetesObject[]) : rendered(path);

    it.each(objects.map((object) => [`${object.kind} ${object.metadata.name}`, object] as const))('%s passes its schema', (_name, object) => {
      expect(() => validateWithModel(object)).not.toThrow();
    });

    it.each(objects.map((object) => [`${object.kind} ${object.metadata.name}`, object] as const))('%s has no unknown keys', (_name, object) => {
      expect(unknownKeyProblems(object)).toEqual([]);
    });
  });

  it('the unknown-key check catches a typo that the schema validation lets through', () => {
    const typo = structuredClone(deployments.native) as unknown as KubernetesObject & IDeployment;
    const container = exporterContainer(typo) as IContainer & Record<string, unknown>;
    container.readinesProbe = container.readinessProbe;
    delete container.readinessProbe;
    expect(() => validateWithModel(typo)).not.toThrow();
    expect(unknownKeyProblems(typo)).toEqual([
      expect.stringMatching(/^Deployment example-app: \.spec\.template\.spec\.initContainers\[0\]\.readinesProbe is not a field of IContainer /),
    ]);
  });

  it('the unknown-key check walks each array element and the prometheus-operator kinds too, and lets any key into a map', () => {
    const typo = structuredClone(podMonitor) as unknown as KubernetesObject & IPodMonitor;
    typo.metadata.labels = { ...typo.metadata.labels, 'example.com/any-key': 'maps accept it' };
    expect(typo.spec.podMetricsEndpoints).toHaveLength(1);
    typo.spec.podMetricsEndpoints?.push({ port: 'metrics', intervall: '30s' } as never);
    Object.assign(typo.spec, { namespaceSelecter: { any: true } });
    expect(() => validateWithModel(typo)).not.toThrow();
    expect(unknownKeyProblems(typo)).toEqual([
      expect.stringMatching(/^PodMonitor webhook-log-exporter: \.spec\.podMetricsEndpoints\[1\]\.intervall is not a field of IPodMetricsEndpoint \(fields: .*\binterval\b/),
      expect.stringMatching(/^PodMonitor webhook-log-exporter: \.spec\.namespaceSelecter is not a field of IPodMonitorSpec \(fields: .*\bnamespaceSelector\b/),
    ]);
  });

  it('label every object with app.kubernetes.io/name', () => {
    for (const object of KUSTOMIZATIONS.flatMap(rendered)) {
      const expected = object.kind === 'Deployment' ? 'example-app' : 'webhook-log-exporter';
      expect(object.metadata.labels?.['app.kubernetes.io/name'], `${object.kind} ${object.metadata.name}`).toBe(expected);
    }
  });
});

describe('PrometheusRule', () => {
  const rule = only<IPrometheusRule>(rendered('base'), 'PrometheusRule');

  it('is committed as `npm run generate:mixin` renders it', () => {
    const committed = readFileSync(join(root, PROMETHEUS_RULE_FILE), 'utf8');
    expect(committed, `${PROMETHEUS_RULE_FILE} is stale: run \`npm run generate:mixin\``).toBe(renderPrometheusRule(mixinConfig));
    expect(committed.split('\n')[0]).toMatch(/^# Generated .*Do not edit by hand/);
  });

  it('carries the rule groups of alerts/webhook-log-exporter.rules.yml', () => {
    expect(rule.spec.groups).toEqual(buildRuleGroups(mixinConfig));
  });

  it('has groups that pass `promtool check rules` with every lint', async () => {
    const file = join(temporaryDir(), 'rules.yml');
    writeFileSync(file, stringify({ groups: rule.spec.groups }));
    const ruleCount = buildRuleGroups(mixinConfig).flatMap((group) => group.rules).length;
    const { code, output } = await runPromtool(['check', 'rules', '--lint=all', '--lint-fatal', file]);
    expect(output).toContain(`SUCCESS: ${ruleCount} rules found`);
    expect(code, output).toBe(0);
  });
});

describe('the ConfigMap config', () => {
  const container = exporterContainer(deployments.native);
  const mirror = (secrets: Record<string, string>) =>
    mirrorMounts(temporaryDir(), deployments.native, container, {
      configMaps: { [configMap.metadata?.name ?? '']: configMap.data ?? {} },
      secrets: { [secret.metadata?.name ?? '']: secrets },
    });

  it('passes `check-config` with the Secret mounted where the pod mounts it', async () => {
    const args = mirror(secretFilesFor((provider) => `dummy-${provider}-secret\n`));
    const { code, output } = await cli(['check-config', '--config', configFlag(args)]);
    expect(code, output).toBe(0);
    const { sources, listen } = rawConfig();
    expect(output).toContain(`config OK: ${sources.length} source(s), serving on ${listen.host}:${listen.port}`);
  });

  it('fails `check-config` when a file of the Secret is missing (so the check above depends on the mounts)', async () => {
    const [first, ...others] = Object.keys(secretFilesFor(() => 'dummy'));
    const args = mirror(Object.fromEntries(others.map((key) => [key, 'dummy'])));
    const { code, output } = await cli(['check-config', '--config', configFlag(args)]);
    expect(code, output).toBe(2);
    expect(output).toMatch(new RegExp(`sources\\[0\\]\\.auth\\.\\w+File: cannot read .*${first}`));
  });
});

describe.each(Object.entries(deployments))('the %s-sidecar Deployment', (variant, deployment) => {
  const spec = podSpecOf(deployment);
  const container = exporterContainer(deployment);
  const config = rawConfig();

  it('runs the exporter as a native or classic sidecar next to the app', () => {
    const inInit = (spec.initContainers ?? []).includes(container);
    if (variant === 'native') {
      expect(inInit).toBe(true);
      expect(container.restartPolicy).toBe('Always');
    } else {
      expect(inInit).toBe(false);
      expect(container.restartPolicy).toBeUndefined();
    }
    expect(spec.containers.map((c) => c.name)).toContain('app');
  });

  it('runs the image of this version with `run --config`', () => {
    expect(container.image).toBe(`${IMAGE}:${packageVersion}`);
    expect(container.args).toEqual(['run', '--config', '/etc/webhook-log-exporter/config.yaml']);
  });

  it('keeps the exporter hardened and its secrets out of env variables', () => {
    expect(hardeningProblems(container)).toEqual([]);
  });

  it('mounts the ConfigMap at --config, the Secret where the config reads its files, and the emptyDir where state.file lives', () => {
    const configMount = container.volumeMounts?.find((m) => m.mountPath === configFlag(container.args ?? []));
    expect(configMount).toMatchObject({ subPath: CONFIG_KEY, readOnly: true });
    expect(volumeAt(deployment, container, configMount!.mountPath).configMap?.name).toBe(configMap.metadata?.name);

    for (const { path } of secretFiles(config)) {
      expect(volumeAt(deployment, container, dirname(path)).secret?.secretName).toBe(secret.metadata?.name);
      expect(container.volumeMounts?.find((m) => m.mountPath === dirname(path))?.readOnly).toBe(true);
      expect(Object.keys(secret.stringData ?? {}), `the Secret template lacks ${basename(path)}`).toContain(basename(path));
    }

    expect(volumeAt(deployment, container, dirname(config.state.file)).emptyDir).toBeDefined();
  });

  it('probes /healthz (startup, liveness) and /readyz (readiness) on the metrics port, with a generous startup', () => {
    const probes = { startupProbe: '/healthz', livenessProbe: '/healthz', readinessProbe: '/readyz' } as const;
    for (const [probe, path] of Object.entries(probes)) {
      expect(container[probe as keyof typeof probes]?.httpGet, probe).toMatchObject({ path, port: 'metrics' });
    }
    const startup = container.startupProbe!;
    expect((startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3)).toBeGreaterThanOrEqual(30);
  });

  it('listens where the probes and Prometheus reach it: the config port, on every interface', () => {
    expect(metricsPort(container).containerPort).toBe(config.listen.port);
    expect(['0.0.0.0', '::']).toContain(config.listen.host);
  });

  it('requests CPU and memory and limits memory', () => {
    const mebibytes = (quantity: unknown) => Number(/^(\d+)Mi$/.exec(String(quantity))?.[1]);
    const { requests = {}, limits = {} } = container.resources ?? {};
    expect(requests.cpu).toBeDefined();
    expect(mebibytes(requests.memory)).toBeGreaterThan(0);
    expect(mebibytes(limits.memory)).toBeGreaterThanOrEqual(mebibytes(requests.memory));
  });

  it('gives the pod more than the exporter shutdown bound to stop', () => {
    expect((spec.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(SHUTDOWN_BOUND_MS);
  });

  it('carries the label the PodMonitor and the Service select', () => {
    const labels = deployment.spec?.template.metadata?.labels ?? {};
    expect(labels).toMatchObject(podMonitor.spec.selector.matchLabels ?? {});
    expect(labels).toMatchObject(service.spec?.selector ?? {});
  });
});

describe('the two sidecar examples', () => {
  it('differ only in where the exporter container sits', () => {
    const { restartPolicy, ...native } = exporterContainer(deployments.native);
    expect(restartPolicy).toBe('Always');
    expect(exporterContainer(deployments.classic)).toEqual(native);
    const withoutContainers = (deployment: IDeployment) => ({ ...podSpecOf(deployment), initContainers: undefined, containers: undefined });
    expect(withoutContainers(deployments.classic)).toEqual(withoutContainers(deployments.native));
    const app = (deployment: IDeployment) => podSpecOf(deployment).containers.find((c) => c.name === 'app');
    expect(app(deployments.classic)).toEqual(app(deployments.native));
  });

  it('run as the Dockerfile user', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const users = [...dockerfile.matchAll(/^USER\s+(\d+):(\d+)\s*$/gm)];
    expect(users.at(-1)?.slice(1)).toEqual([String(EXPORTER_UID), String(EXPORTER_UID)]);
  });

  it('ship the same Secret template, with placeholders only', () => {
    const [first, ...others] = PROVIDER_SECRET_TEMPLATES.map(secretTemplate);
    for (const other of others) expect(other).toEqual(first);
    for (const value of Object.values(first?.stringData ?? {})) expect(value).toMatch(/^REPLACE_WITH_/);
  });
});

describe('hardening check', () => {
  it('fails when readOnlyRootFilesystem is dropped or a secret moves to an env variable', () => {
    const withoutReadOnly = structuredClone(exporterContainer(deployments.native));
    delete withoutReadOnly.securityContext?.readOnlyRootFilesystem;
    expect(hardeningProblems(withoutReadOnly)).toEqual(['securityContext.readOnlyRootFilesystem is undefined, want true']);

    const withEnvSecret = structuredClone(exporterContainer(deployments.native));
    withEnvSecret.env = [
      ...(withEnvSecret.env ?? []),
      { name: 'BAANX_TOKEN', valueFrom: { secretKeyRef: { name: 'webhook-log-exporter-secrets', key: 'baanx-token' } } },
    ];
    withEnvSecret.envFrom = [{ secretRef: { name: 'webhook-log-exporter-secrets' } }];
    expect(hardeningProblems(withEnvSecret)).toHaveLength(2);
  });
});

describe('probes and scrape endpoints against the real server', () => {
  it('answer as the kubelet and Prometheus expect, on the port and paths the manifests name', async () => {
    const container = exporterContainer(deployments.native);
    const simulator = await ProviderSimulator.start();
    const config = rawConfig();
    for (const source of config.sources) source.webhooks.forEach((id) => simulator.addWebhook(source.provider, id));
    const pointAtSimulator = (text: string) => {
      const edited = parse(text) as RawConfig;
      for (const source of edited.sources) source.baseUrl = simulator.baseUrl(source.provider);
      return stringify(edited);
    };
    const args = mirrorMounts(temporaryDir(), deployments.native, container, {
      configMaps: { [configMap.metadata?.name ?? '']: configMap.data ?? {} },
      secrets: {
        [secret.metadata?.name ?? '']: secretFilesFor((provider) => (provider === 'salesfinity' ? simulator.salesfinityApiKey : simulator.baanxToken)),
      },
      editConfigMapFile: pointAtSimulator,
    });
    const exporter = await buildExporter(await loadConfig(configFlag(args)), { logger: createLogger({ level: 'silent' }) });
    // Port 0: the test must not depend on 9464 being free; the manifest's port is compared with the config's above.
    const { port } = await exporter.listen(0);
    const get = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { 'User-Agent': 'kube-probe/1.32' } });
      return { status: response.status, body: await response.text() };
    };
    try {
      expect((await get(container.startupProbe!.httpGet!.path!)).status).toBe(200);
      expect((await get(container.livenessProbe!.httpGet!.path!)).status).toBe(200);
      expect((await get(container.readinessProbe!.httpGet!.path!)).status).toBe(503); // no poll yet

      await exporter.start();
      await vi.waitFor(async () => expect((await get(container.readinessProbe!.httpGet!.path!)).status).toBe(200), { timeout: 10_000 });

      const scrapePaths = [podMonitor.spec.podMetricsEndpoints?.[0]?.path, serviceMonitor.spec.endpoints[0]?.path];
      expect(new Set(scrapePaths)).toEqual(new Set(['/metrics']));
      const metrics = await get('/metrics');
      expect(metrics.status).toBe(200);
      for (const source of config.sources) {
        for (const webhookId of source.webhooks) {
          expect(findSamples(parseExposition(metrics.body), 'webhook_exporter_up', { source: source.name, webhook_id: webhookId })[0]?.value).toBe(1);
        }
      }
    } finally {
      await exporter.stop();
      await simulator.close();
    }
  });

  it('are reached by the PodMonitor and ServiceMonitor through the metrics port, with the job the alerts select', () => {
    const containerPort = metricsPort(exporterContainer(deployments.native)).containerPort;
    expect(podMonitor.spec.podMetricsEndpoints?.map((endpoint) => endpoint.port)).toEqual(['metrics']);
    expect(service.spec?.ports).toEqual([expect.objectContaining({ name: 'metrics', targetPort: containerPort })]);
    expect(serviceMonitor.spec.endpoints.map((endpoint) => endpoint.port)).toEqual(['metrics']);
    expect(service.metadata?.labels).toMatchObject(serviceMonitor.spec.selector.matchLabels ?? {});

    const job = /^job="([^"]+)"$/.exec(mixinConfig.exporterSelector)?.[1];
    expect(podMonitor.spec.podMetricsEndpoints?.[0]?.relabelings).toContainEqual({ action: 'replace', targetLabel: 'job', replacement: job });
    expect(service.metadata?.name).toBe(job); // a ServiceMonitor's job is the Service name
  });
});

describe('the secure example', () => {
  const objects = rendered(SECURE_EXAMPLE);
  const deployment = only<IDeployment>(objects, 'Deployment');
  const container = exporterContainer(deployment);
  const secureConfigMap = only<IConfigMap>(objects, 'ConfigMap');
  const secureConfigText = secureConfigMap.data?.[CONFIG_KEY] ?? '';
  const securePodMonitor = only<IPodMonitor>(objects, 'PodMonitor');
  const secureServiceMonitor = only<IServiceMonitor>(rendered(`${SECURE_EXAMPLE}/service-monitor`), 'ServiceMonitor');
  const webConfigSecret = secretTemplate(SECURE_SECRET_TEMPLATES.webConfig);
  const tlsSecret = secretTemplate(SECURE_SECRET_TEMPLATES.tls);
  const scrapeClient = secretTemplate(SECURE_SECRET_TEMPLATES.scrapeClient);
  const webConfigFile = (parse(secureConfigText) as { listen: { webConfigFile: string } }).listen.webConfigFile;
  const webConfigKey = basename(webConfigFile);
  interface WebConfigTemplate {
    tls_server_config: { cert_file: string; key_file: string; client_ca_file: string; client_auth_type: string; min_version: string };
    basic_auth_users: Record<string, string>;
  }
  const webConfig = parse(webConfigSecret.stringData?.[webConfigKey] ?? '') as WebConfigTemplate;
  const TLS_FILES = ['cert_file', 'key_file', 'client_ca_file'] as const;
  const PASSWORD = 'a scrape password';

  /** The Secret behind the container's mount that holds `path`. */
  function secretHolding(path: string): string | undefined {
    return volumeAt(deployment, container, dirname(path)).secret?.secretName;
  }

  it('has the config of the base, with listen.webConfigFile added', () => {
    const secure = parse(secureConfigText) as RawConfig & { listen: { webConfigFile?: string } };
    delete secure.listen.webConfigFile;
    expect(secure).toEqual(rawConfig());
    expect(secureConfigMap.metadata?.name).toBe(configMap.metadata?.name);
  });

  it('mounts every volume it uses, the web config and the certificate read-only, and reads the web config from its Secret', () => {
    const volumes = new Set(podSpecOf(deployment).volumes?.map((volume) => volume.name));
    for (const mount of container.volumeMounts ?? []) expect(volumes, mount.name).toContain(mount.name);
    expect(secretHolding(webConfigFile)).toBe(webConfigSecret.metadata?.name);
    expect(Object.keys(webConfigSecret.stringData ?? {})).toEqual([webConfigKey]);
    for (const field of TLS_FILES) {
      const path = webConfig.tls_server_config[field];
      expect(secretHolding(path), field).toBe(tlsSecret.metadata?.name);
      expect(Object.keys(tlsSecret.stringData ?? {}), field).toContain(basename(path));
    }
    for (const path of [webConfigFile, webConfig.tls_server_config.cert_file]) {
      expect(container.volumeMounts?.find((mount) => mount.mountPath === dirname(path))).toMatchObject({ readOnly: true });
    }
    expect(tlsSecret.type).toBe('kubernetes.io/tls');
  });

  it('serves TLS 1.2 or newer, verifies client certificates against the CA, and asks the monitors\' user for a password', () => {
    expect(webConfig.tls_server_config).toMatchObject({ client_auth_type: 'VerifyClientCertIfGiven', min_version: 'TLS12' });
    expect(Object.keys(webConfig.basic_auth_users)).toEqual(['prometheus']);
    expect(webConfig.basic_auth_users.prometheus).toMatch(/^REPLACE_WITH_/);
    for (const template of [tlsSecret, scrapeClient]) {
      for (const value of Object.values(template.stringData ?? {})) expect(value).toMatch(/^REPLACE_WITH_/);
    }
  });

  it('is the native sidecar apart from those mounts and the probes\' scheme', () => {
    const native = podSpecOf(deployments.native);
    const added = new Set(['webhook-log-exporter-web-config', 'webhook-log-exporter-tls']);
    const { startupProbe, livenessProbe, readinessProbe, volumeMounts, ...rest } = container;
    const nativeContainer = exporterContainer(deployments.native);
    expect({ ...rest, volumeMounts: volumeMounts?.filter((mount) => !added.has(mount.name)) }).toEqual({
      ...nativeContainer,
      startupProbe: undefined,
      livenessProbe: undefined,
      readinessProbe: undefined,
    });
    for (const [secure, plain] of [[startupProbe, nativeContainer.startupProbe], [livenessProbe, nativeContainer.livenessProbe], [readinessProbe, nativeContainer.readinessProbe]]) {
      expect(secure).toEqual({ ...plain, httpGet: { ...plain?.httpGet, scheme: 'HTTPS' } });
    }
    const spec = podSpecOf(deployment);
    expect(spec.volumes?.filter((volume) => !added.has(volume.name))).toEqual(native.volumes);
    expect({ ...spec, volumes: undefined, initContainers: undefined }).toEqual({ ...native, volumes: undefined, initContainers: undefined });
    expect(deployment.metadata).toEqual(deployments.native.metadata);
  });

  it('is scraped over HTTPS by the PodMonitor and the ServiceMonitor, with the scrape client\'s certificate and password', () => {
    const secretName = scrapeClient.metadata?.name;
    const keys = Object.keys(scrapeClient.stringData ?? {});
    const endpoints = [...(securePodMonitor.spec.podMetricsEndpoints ?? []), ...secureServiceMonitor.spec.endpoints];
    expect(endpoints).toHaveLength(2);
    for (const endpoint of endpoints) {
      expect(endpoint).toMatchObject({ port: 'metrics', path: '/metrics', scheme: 'https' });
      const { basicAuth, tlsConfig } = endpoint;
      const references = [basicAuth?.username, basicAuth?.password, tlsConfig?.ca?.secret, tlsConfig?.cert?.secret, tlsConfig?.keySecret];
      for (const reference of references) {
        expect(reference?.name).toBe(secretName);
        expect(keys).toContain(reference?.key);
      }
      expect(tlsConfig?.serverName).toBe('webhook-log-exporter');
      expect(tlsConfig?.insecureSkipVerify).toBeUndefined();
    }
    // Otherwise as the plain monitors: the same pods, Service, port and job.
    const { podMetricsEndpoints, ...podMonitorSpec } = securePodMonitor.spec;
    const { podMetricsEndpoints: plainEndpoints, ...plainPodMonitorSpec } = podMonitor.spec;
    expect(podMonitorSpec).toEqual(plainPodMonitorSpec);
    expect({ ...podMetricsEndpoints?.[0], scheme: undefined, basicAuth: undefined, tlsConfig: undefined }).toEqual({ ...plainEndpoints?.[0], scheme: undefined });
    expect(only<IService>(rendered(`${SECURE_EXAMPLE}/service-monitor`), 'Service')).toEqual(service);
    expect({ ...secureServiceMonitor.spec.endpoints[0], scheme: undefined, basicAuth: undefined, tlsConfig: undefined }).toEqual({ ...serviceMonitor.spec.endpoints[0], scheme: undefined });
  });

  describe('against the real server, with certificates as cert-manager would issue them', () => {
    const temporary = temporaryDir();
    let simulator: ProviderSimulator;
    let certificates: { ca: Pem; server: Pem; client: Pem };

    beforeAll(async () => {
      simulator = await ProviderSimulator.start();
      for (const source of rawConfig().sources) source.webhooks.forEach((id) => simulator.addWebhook(source.provider, id));
      const ca = await makeCa(temporary, 'ca');
      certificates = {
        ca,
        // The name the monitors' serverName checks; Prometheus reaches the pod by its IP.
        server: await makeLeaf(temporary, ca, 'exporter', { usage: 'serverAuth', sans: ['DNS:webhook-log-exporter'] }),
        client: await makeLeaf(temporary, ca, 'prometheus', { usage: 'clientAuth', sans: ['DNS:prometheus'] }),
      };
    });
    afterAll(() => simulator?.close());

    /** Builds the exporter from the example's files as the pod would mount them, with `clientAuth` in the web config. */
    async function startSecureExporter(clientAuth = webConfig.tls_server_config.client_auth_type) {
      const rootDir = temporaryDir();
      const tlsDir = dirname(webConfig.tls_server_config.cert_file);
      const webConfigText = (webConfigSecret.stringData?.[webConfigKey] ?? '')
        .replace(/REPLACE_WITH_\w+/, bcrypt.hashSync(PASSWORD, 4))
        .replace(`client_auth_type: ${webConfig.tls_server_config.client_auth_type}`, `client_auth_type: ${clientAuth}`)
        .replaceAll(tlsDir, join(rootDir, tlsDir));
      const args = mirrorMounts(rootDir, deployment, container, {
        configMaps: { [secureConfigMap.metadata?.name ?? '']: secureConfigMap.data ?? {} },
        secrets: {
          [secret.metadata?.name ?? '']: secretFilesFor((provider) => (provider === 'salesfinity' ? simulator.salesfinityApiKey : simulator.baanxToken)),
          [webConfigSecret.metadata?.name ?? '']: { [webConfigKey]: webConfigText },
          [tlsSecret.metadata?.name ?? '']: { 'tls.crt': certificates.server.cert, 'tls.key': certificates.server.key, 'ca.crt': certificates.ca.cert },
        },
        editConfigMapFile: (text) => {
          const edited = parse(text) as RawConfig;
          for (const source of edited.sources) source.baseUrl = simulator.baseUrl(source.provider);
          return stringify(edited);
        },
      });
      const exporter = await buildExporter(await loadConfig(configFlag(args)), { logger: createLogger({ level: 'silent' }) });
      const { port } = await exporter.listen(0);
      return { exporter, url: (path: string) => `https://127.0.0.1:${port}${path}` };
    }

    it('answers the kubelet\'s HTTPS probes without credentials, and Prometheus only with the monitors\' certificate check and password', async () => {
      const { exporter, url } = await startSecureExporter();
      // As the PodMonitor's tlsConfig and basicAuth make Prometheus connect.
      const prometheus = { ca: certificates.ca.cert, servername: securePodMonitor.spec.podMetricsEndpoints?.[0]?.tlsConfig?.serverName, cert: certificates.client.cert, key: certificates.client.key };
      try {
        // The kubelet: HTTPS without checking the certificate, no client certificate, no password.
        expect((await httpsGet(url(container.startupProbe!.httpGet!.path!))).status).toBe(200);
        expect((await httpsGet(url(container.readinessProbe!.httpGet!.path!))).status).toBe(503); // no poll yet
        await exporter.start();
        await vi.waitFor(async () => expect((await httpsGet(url(container.readinessProbe!.httpGet!.path!))).status).toBe(200), { timeout: 10_000 });

        expect((await httpsGet(url('/metrics'))).status).toBe(401);
        expect((await httpsGet(url('/metrics'), { ...prometheus, user: 'prometheus', password: 'wrong' })).status).toBe(401);
        const scrape = await httpsGet(url('/metrics'), { ...prometheus, user: 'prometheus', password: PASSWORD });
        expect(scrape.status).toBe(200);
        expect(findSamples(parseExposition(scrape.body), 'webhook_exporter_up').length).toBeGreaterThan(0);
        await expect(httpsGet(url('/metrics').replace('https:', 'http:'))).rejects.toThrow(); // no plain HTTP on the port
      } finally {
        await exporter.stop();
      }
    });

    it('would fail the kubelet\'s probes with RequireAndVerifyClientCert: the handshake wants a certificate the kubelet does not have', async () => {
      const { exporter, url } = await startSecureExporter('RequireAndVerifyClientCert');
      try {
        await expect(httpsGet(url(container.livenessProbe!.httpGet!.path!))).rejects.toThrow(/certificate required/);
      } finally {
        await exporter.stop();
      }
    });
  });
});
