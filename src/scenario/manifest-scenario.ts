/**
 * A Kubernetes manifest file run on its own (`slipway run app.yaml --nodes 3`): the file's
 * objects become a scenario with `--nodes` default nodes (and the file's own Nodes), the `default`
 * (kube-scheduler) profile, a fixed length, and one expectation: every service (Deployment,
 * ReplicaSet, StatefulSet, Pod) runs all its replicas at the end. Pure: text in, scenario out.
 */
import { stringify } from 'yaml';
import { InputError } from '../core/errors.js';
import { formatDuration } from '../core/duration.js';
import { parseScenario, type ParseOptions } from './loader.js';
import { isKubernetesObject, parseManifestFile } from './manifest-files.js';
import type { Scenario } from './types.js';

/** The shape of each `--nodes` node: kube-scheduler's defaults read it as a plain worker. */
export const MANIFEST_NODE = { name: 'node-{i}', capacity: { cpu: 4, memory: '16Gi' } } as const;
/** How long a manifest file runs unless `--until` says otherwise. */
export const MANIFEST_RUN_MS = 10 * 60_000;
/** The expectation a manifest run checks at its end. */
export const MANIFEST_EXPECTATION = 'every Deployment, ReplicaSet, StatefulSet and Pod runs its replicas';

/** The loader's options (the schedulers and plugins a scenario may name, limits) and the run's. */
export interface ManifestRunOptions extends Omit<ParseOptions, 'readManifestFile'> {
  /** How many default nodes (`MANIFEST_NODE`) to add to the file's own Nodes. */
  readonly nodes?: number;
  /** The run's length (default `MANIFEST_RUN_MS`); the expectation is checked at its end. */
  readonly durationMs?: number;
}

/**
 * True when `text` is a Kubernetes manifest file rather than a scenario: its first non-empty
 * document is a Kubernetes object (`apiVersion` and `kind`), or a List of them.
 */
export function isManifestFile(text: string): boolean {
  try {
    const first = parseManifestFile(text, 'x')[0];
    return first !== undefined && (first.base.length > 0 || isKubernetesObject(first.value));
  } catch {
    return false;
  }
}

/**
 * The scenario of a manifest file. InputError when the file has a problem (at its FILE:LINE:COL)
 * or there would be no node (`--nodes` absent and no Node in the file).
 */
export function manifestScenario(text: string, file: string, options: ManifestRunOptions): Scenario {
  const objects = parseManifestFile(text, file);
  const nodes = options.nodes ?? 0;
  if (nodes === 0 && !objects.some((o) => o.value.kind === 'Node')) {
    throw new InputError(`${file}: no Node in the file: give --nodes N to run its objects on N nodes of ${MANIFEST_NODE.capacity.cpu} CPU and ${MANIFEST_NODE.capacity.memory} memory`);
  }
  const duration = formatDuration(options.durationMs ?? MANIFEST_RUN_MS);
  const name = file.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '') || 'manifests';
  const document = (services: readonly string[]): string =>
    stringify({
      name,
      description: `Kubernetes manifests from ${file}${nodes > 0 ? ` on ${nodes} node(s) of ${MANIFEST_NODE.capacity.cpu} CPU, ${MANIFEST_NODE.capacity.memory}` : ''}`,
      duration,
      scheduler: 'default',
      nodes: nodes > 0 ? [{ ...MANIFEST_NODE, count: nodes }] : [],
      manifests: [file],
      ...(services.length > 0 ? { expectations: [{ name: MANIFEST_EXPECTATION, converged: { by: duration, workloads: services } }] } : {}),
    });
  const parse = (services: readonly string[]): Scenario =>
    parseScenario(document(services), file, {
      schedulers: options.schedulers,
      ...(options.plugins ? { plugins: options.plugins } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      readManifestFile: () => ({ file, text }),
    });
  // The expectation names the services, known once the objects are read.
  const services = parse([]).workloads.filter((w) => w.kind === 'service').map((w) => w.name);
  return services.length > 0 ? parse(services) : parse([]);
}
