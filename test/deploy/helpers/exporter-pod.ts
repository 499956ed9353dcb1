// The exporter's part of a pod spec in deploy/kubernetes: finding its container, the hardening it
// must keep, and laying out on disk the files its volume mounts would show, so the real CLI and
// server can run against exactly what the pod would see.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IVolume } from 'kubernetes-models/v1/Volume';

export const EXPORTER_CONTAINER = 'webhook-log-exporter';
/** The Dockerfile's numeric user and group. */
export const EXPORTER_UID = 10001;

export function podSpecOf(deployment: IDeployment) {
  const spec = deployment.spec?.template.spec;
  if (!spec) throw new Error(`Deployment ${deployment.metadata?.name}: no pod spec`);
  return spec;
}

/** The exporter container, wherever it sits (init container for a native sidecar, or regular). */
export function exporterContainer(deployment: IDeployment): IContainer {
  const spec = podSpecOf(deployment);
  const container = [...(spec.initContainers ?? []), ...spec.containers].find((c) => c.name === EXPORTER_CONTAINER);
  if (!container) throw new Error(`Deployment ${deployment.metadata?.name}: no ${EXPORTER_CONTAINER} container`);
  return container;
}

const HARDENED_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: EXPORTER_UID,
  runAsGroup: EXPORTER_UID,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** What the exporter container lacks of the hardening docs/kubernetes.md promises; [] when none. */
export function hardeningProblems(container: IContainer): string[] {
  const actual = (container.securityContext ?? {}) as Record<string, unknown>;
  const problems = Object.entries(HARDENED_SECURITY_CONTEXT)
    .filter(([field, wanted]) => JSON.stringify(actual[field]) !== JSON.stringify(wanted))
    .map(([field, wanted]) => `securityContext.${field} is ${JSON.stringify(actual[field])}, want ${JSON.stringify(wanted)}`);
  // Secrets are files from a Secret volume: an env variable shows in `kubectl describe`, in crash
  // dumps and in every child process.
  for (const variable of container.env ?? []) {
    if (variable.valueFrom?.secretKeyRef) problems.push(`env ${variable.name} comes from a Secret; mount it as a file instead`);
  }
  for (const source of container.envFrom ?? []) {
    if (source.secretRef) problems.push(`envFrom Secret ${source.secretRef.name}; mount it as files instead`);
  }
  return problems;
}

/** The pod volume behind one of the container's mounts. */
export function volumeAt(deployment: IDeployment, container: IContainer, mountPath: string): IVolume {
  const mount = container.volumeMounts?.find((m) => m.mountPath === mountPath);
  const volume = podSpecOf(deployment).volumes?.find((v) => v.name === mount?.name);
  if (!volume) throw new Error(`${container.name}: nothing mounted at ${mountPath}`);
  return volume;
}

export interface PodContents {
  /** ConfigMaps by name: their data. */
  configMaps: Record<string, Record<string, string>>;
  /** Secrets by name: their files' contents. */
  secrets: Record<string, Record<string, string>>;
  /** Applied to each ConfigMap file as it is written (e.g. to point the config at a test server). */
  editConfigMapFile?: (text: string) => string;
}

/**
 * Writes under `rootDir` what the container's mounts would show (ConfigMap files, Secret files,
 * empty emptyDirs), with every mount path inside the files and the container's args prefixed by
 * `rootDir`. Returns the rewritten args.
 */
export function mirrorMounts(rootDir: string, deployment: IDeployment, container: IContainer, contents: PodContents): string[] {
  const mounts = container.volumeMounts ?? [];
  // Longest first, so a mount inside another mount's path is rewritten as itself.
  const paths = mounts.map((m) => m.mountPath).sort((a, b) => b.length - a.length);
  const pattern = new RegExp(paths.map((path) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const relocate = (text: string) => text.replace(pattern, (path) => join(rootDir, path));

  for (const mount of mounts) {
    const target = join(rootDir, mount.mountPath);
    const volume = volumeAt(deployment, container, mount.mountPath);
    if (volume.emptyDir) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    const files = volume.configMap ? contents.configMaps[volume.configMap.name ?? ''] : contents.secrets[volume.secret?.secretName ?? ''];
    if (!files) throw new Error(`${mount.name}: no contents given for this volume`);
    // ConfigMap files may name other mounts' paths (the config names the secret files); secrets are left as they are.
    const render = (text: string) => (volume.configMap ? relocate(contents.editConfigMapFile?.(text) ?? text) : text);
    if (mount.subPath !== undefined) {
      const text = files[mount.subPath];
      if (text === undefined) throw new Error(`${mount.name}: no key ${mount.subPath}`);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, render(text));
    } else {
      mkdirSync(target, { recursive: true });
      for (const [key, text] of Object.entries(files)) writeFileSync(join(target, key), render(text));
    }
  }
  return (container.args ?? []).map(relocate);
}
