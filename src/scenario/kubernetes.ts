/**
 * Kubernetes manifests in a scenario (`manifests:`, a list of v1 objects): Node, Pod, Deployment,
 * ReplicaSet, StatefulSet, Job, PriorityClass, Namespace, Service and PodDisruptionBudget (and
 * scheduler-plugins' PodGroup, for gangs) become the scenario's own `nodes`, `workloads`,
 * `priorityClasses`, `namespaces`, `services`, `podDisruptionBudgets` and `images` entries before validation, so every rule and message of the scenario
 * format applies. Fields Slipway does not model are listed as warnings (each field path once per
 * kind), never silently dropped.
 */
import { formatPath, isMapping, type PathSegment } from './schema.js';

export interface ExpandedManifests {
  /** The scenario document with the manifests merged into nodes, workloads and priorityClasses. */
  readonly raw: Record<string, unknown>;
  /** `nodes[3]` → the manifest it came from, for messages and positions. */
  readonly origins: ReadonlyArray<{ readonly prefix: readonly PathSegment[]; readonly manifest: readonly PathSegment[]; readonly label: string }>;
  readonly warnings: readonly string[];
}

const SUPPORTED_KINDS = ['Node', 'Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'Job', 'PriorityClass', 'PodGroup', 'PodDisruptionBudget', 'Namespace', 'Service'];
/**
 * Kinds a kubectl file holds beside its workloads that place no pod and take no room on a node:
 * warned about and skipped, so a file as users have it runs (any other kind is bad input).
 */
export const IGNORED_KINDS = [
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Ingress',
  'NetworkPolicy',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
  'HorizontalPodAutoscaler',
  'PersistentVolumeClaim',
  'LimitRange',
  'ResourceQuota',
];

/**
 * Gangs as kubernetes-sigs/scheduler-plugins' Coscheduling declares them: a PodGroup object
 * (`scheduling.x-k8s.io/v1alpha1`, `spec.minMember`, `spec.scheduleTimeoutSeconds`) and pods
 * labelled `scheduling.x-k8s.io/pod-group: <name>`. They become `placement.gang` (timeout 0 or
 * absent = the plugin's default, 60 s).
 */
export const POD_GROUP_LABEL = 'scheduling.x-k8s.io/pod-group';

/** Pod spec fields the scheduler and the simulation read; anything else is warned about. */
const POD_SPEC_FIELDS = ['containers', 'initContainers', 'overhead', 'nodeName', 'nodeSelector', 'affinity', 'tolerations', 'topologySpreadConstraints', 'priorityClassName', 'priority', 'restartPolicy'];
/** PriorityClass's own top-level fields (value is used; the others are checked one by one). */
const PRIORITY_CLASS_FIELDS = ['value', 'globalDefault', 'preemptionPolicy', 'description'];
const CONTAINER_FIELDS = ['name', 'image', 'command', 'args', 'env', 'ports', 'resources'];

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (isMapping(v) ? v : {});

class Collector {
  readonly warnings: string[] = [];
  private readonly seen = new Set<string>();
  unsupported(kind: string, name: string, fields: readonly string[]): void {
    for (const f of fields) {
      const key = `${kind}:${f}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.warnings.push(`${kind}/${name}: ${f} is not modelled; ignored`);
    }
  }
  extra(kind: string, name: string, o: Obj, known: readonly string[], prefix: string): void {
    this.unsupported(kind, name, Object.keys(o).filter((k) => !known.includes(k)).map((k) => `${prefix}${k}`));
  }
  /**
   * An object's or a pod template's metadata: `name` and `labels` are used, the gpushare GPU
   * annotations are read on pods and pod templates (`gpu`), an object's `namespace` is its
   * namespace (a pod template's is warned about: the object's is the pods'); the rest (other
   * annotations, uid, ownerReferences, ...) is warned about.
   */
  metadata(kind: string, name: string, meta: Obj, prefix: string, gpu: boolean): void {
    const template = prefix !== 'metadata.';
    this.extra(kind, name, meta, ['name', 'labels', 'annotations', ...(template ? [] : ['namespace'])], prefix);
    for (const k of Object.keys(obj(meta.annotations))) {
      if (!gpu || !GPU_ANNOTATIONS.includes(k)) this.unsupported(kind, name, [`${prefix}annotations.${k}`]);
    }
  }
}

/**
 * GPU sharing as Alibaba's gpushare device plugin and the FGD paper's simulator express it
 * (hkust-adsl/kubernetes-scheduler-simulator, pkg/utils/const.go): a node's `gpu-count` resource
 * and `gpu-card-model` label; a pod's `gpu-count`, `gpu-milli` (per GPU) and `gpu-card-model`
 * (allowed models, `|`-separated) annotations. They become the scenario's `gpus` fields.
 */
export const GPU_COUNT_KEY = 'alibabacloud.com/gpu-count';
export const GPU_MILLI_KEY = 'alibabacloud.com/gpu-milli';
export const GPU_MODEL_KEY = 'alibabacloud.com/gpu-card-model';
const GPU_ANNOTATIONS = [GPU_COUNT_KEY, GPU_MILLI_KEY, GPU_MODEL_KEY];

/** A quantity string of digits as a number (others stay as they are, for the validator to name). */
function count(v: unknown): unknown {
  return typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : v;
}

function podGpus(meta: Obj): Obj | undefined {
  const a = obj(meta.annotations);
  if (a[GPU_COUNT_KEY] === undefined && a[GPU_MILLI_KEY] === undefined) return undefined;
  const milli = count(a[GPU_MILLI_KEY]);
  if (count(a[GPU_COUNT_KEY]) === 0 || milli === 0) return undefined;
  return {
    ...(a[GPU_COUNT_KEY] !== undefined ? { count: count(a[GPU_COUNT_KEY]) } : {}),
    ...(milli !== undefined ? { milli } : {}),
    ...(a[GPU_MODEL_KEY] !== undefined ? { models: a[GPU_MODEL_KEY] } : {}),
  };
}

/** An object's metadata.namespace as the scenario's `namespace` field (absent or `default`: none). */
function namespaceField(meta: Obj): Obj {
  return meta.namespace !== undefined && meta.namespace !== 'default' ? { namespace: meta.namespace } : {};
}

/** `resources: {requests, limits}` with Kubernetes names → the scenario's resource maps. */
function resourceList(v: unknown): Obj | undefined {
  if (!isMapping(v)) return undefined;
  const out: Obj = {};
  for (const [k, q] of Object.entries(v)) out[k === 'ephemeral-storage' ? 'disk' : k] = q;
  return out;
}

/** A quantity that is zero however it is written ("0", 0, "0Ki", "0.0"). */
function isZeroQuantity(q: unknown): boolean {
  return q === 0 || (typeof q === 'string' && /^[+]?0*(\.0*)?([numkKMGTPE]i?)?$/.test(q) && /0/.test(q));
}

/**
 * A Node's `status.capacity` or `allocatable` as `kubectl get node -o yaml` prints it, in the
 * scenario's terms: `pods` (110 per node in simulations) and `attachable-volumes-*` (volumes are
 * not modelled) are warned about and dropped; a zero amount of anything but cpu and memory (kind
 * nodes print `hugepages-1Gi: "0"`) is the same as none, and dropped.
 */
function nodeResources(kind: string, name: string, field: string, v: unknown, c: Collector): Obj | undefined {
  const r = resourceList(v);
  if (!r) return undefined;
  for (const k of Object.keys(r)) {
    if (k === 'pods') {
      c.unsupported(kind, name, [`status.capacity.pods (nodes take 110 pods)`]);
      delete r[k];
    } else if (k.startsWith('attachable-volumes-')) {
      c.unsupported(kind, name, [`status.${field}.${k}`]);
      delete r[k];
    } else if (k === GPU_COUNT_KEY || k === GPU_MILLI_KEY) {
      // devices, not an aggregate resource (gpu-milli is 1000 per device on nodes): read below
      delete r[k];
    } else if (k !== 'cpu' && k !== 'memory' && isZeroQuantity(r[k])) delete r[k];
  }
  return r;
}

/**
 * A container's requests as Kubernetes defaults them (SetDefaults_Pod): every resource with a
 * limit and no request gets the limit as its request, so a pod giving only limits is fitted by
 * them — not as if it asked for nothing.
 */
function defaultedRequests(requests: unknown, limits: unknown): unknown {
  const lim = resourceList(limits);
  if (!lim) return requests === undefined ? undefined : (resourceList(requests) ?? requests);
  if (requests !== undefined && !isMapping(requests)) return requests;
  return { ...lim, ...(resourceList(requests) ?? {}) };
}

function podSpecToWorkload(kind: string, name: string, meta: Obj, spec: Obj, c: Collector): Obj {
  c.extra(kind, name, spec, POD_SPEC_FIELDS, 'spec.');
  // An init container with `restartPolicy: Always` is a sidecar (restartable init container).
  const container = (raw: unknown, list: 'containers' | 'initContainers'): Obj => {
    const ct = obj(raw);
    c.extra(kind, name, ct, list === 'initContainers' ? [...CONTAINER_FIELDS, 'restartPolicy'] : CONTAINER_FIELDS, `${list}[].`);
    const res = obj(ct.resources);
    c.extra(kind, name, res, ['requests', 'limits'], `${list}[].resources.`);
    const env: Obj = {};
    if (Array.isArray(ct.env)) {
      for (const e of ct.env) {
        const ev = obj(e);
        if (typeof ev.name === 'string' && ev.value !== undefined) env[ev.name] = ev.value;
        else if (ev.valueFrom !== undefined) c.unsupported(kind, name, [`${list}[].env[].valueFrom`]);
      }
    }
    const ports = Array.isArray(ct.ports)
      ? ct.ports.map((p) => {
          const po = obj(p);
          c.extra(kind, name, po, ['containerPort', 'hostPort', 'protocol', 'name'], `${list}[].ports[].`);
          return {
            containerPort: po.containerPort,
            ...(po.hostPort !== undefined ? { hostPort: po.hostPort } : {}),
            ...(typeof po.protocol === 'string' ? { protocol: po.protocol.toLowerCase() } : {}),
          };
        })
      : undefined;
    return {
      name: ct.name,
      image: ct.image,
      ...(ct.command !== undefined ? { command: ct.command } : {}),
      ...(ct.args !== undefined ? { args: ct.args } : {}),
      ...(Object.keys(env).length ? { env } : {}),
      ...(ports ? { ports } : {}),
      ...(defaultedRequests(res.requests, res.limits) !== undefined ? { requests: defaultedRequests(res.requests, res.limits) } : {}),
      ...(res.limits !== undefined ? { limits: resourceList(res.limits) ?? res.limits } : {}),
      ...(ct.restartPolicy !== undefined ? { restartPolicy: ct.restartPolicy } : {}),
    };
  };
  const containers = (Array.isArray(spec.containers) ? spec.containers : []).map((raw) => container(raw, 'containers'));
  const initContainers = Array.isArray(spec.initContainers) ? spec.initContainers.map((raw) => container(raw, 'initContainers')) : undefined;
  const placement: Obj = {};
  for (const k of ['nodeName', 'nodeSelector', 'affinity', 'tolerations', 'topologySpreadConstraints', 'priorityClassName']) {
    if (spec[k] !== undefined) placement[k] = spec[k];
  }
  const gpus = podGpus(meta);
  return {
    name,
    ...(isMapping(meta.labels) ? { labels: meta.labels } : {}),
    ...(typeof spec.priority === 'number' ? { priority: spec.priority } : {}),
    ...(Object.keys(placement).length ? { placement } : {}),
    ...(gpus ? { gpus } : {}),
    containers,
    ...(initContainers?.length ? { initContainers } : {}),
    ...(spec.overhead !== undefined ? { overhead: resourceList(spec.overhead) ?? spec.overhead } : {}),
  };
}

/** The PodGroups of the manifests, by name: the scenario's `gang` mapping. */
function podGroups(manifests: readonly unknown[], c: Collector, problems: Array<{ message: string; path: PathSegment[] }>): Map<string, Obj> {
  const groups = new Map<string, Obj>();
  for (const [i, m] of manifests.entries()) {
    const o = obj(m);
    if (o.kind !== 'PodGroup') continue;
    const meta = obj(o.metadata);
    const name = typeof meta.name === 'string' ? meta.name : '';
    const spec = obj(o.spec);
    c.extra('PodGroup', name, spec, ['minMember', 'scheduleTimeoutSeconds'], 'spec.');
    const t = spec.scheduleTimeoutSeconds;
    if (typeof spec.minMember !== 'number' || !Number.isInteger(spec.minMember) || spec.minMember < 1) {
      const path: PathSegment[] = ['manifests', i, 'spec', 'minMember'];
      problems.push({ message: `${formatPath(path)} (PodGroup/${name}): minMember must be a positive integer, got ${JSON.stringify(spec.minMember)}`, path });
    }
    if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t < 0)) {
      const path: PathSegment[] = ['manifests', i, 'spec', 'scheduleTimeoutSeconds'];
      problems.push({ message: `${formatPath(path)} (PodGroup/${name}): scheduleTimeoutSeconds must be a whole number of seconds >= 0, got ${JSON.stringify(t)}`, path });
    }
    groups.set(name, {
      name,
      minMember: spec.minMember,
      ...(t !== undefined && t !== 0 ? { timeout: `${String(t)}s` } : {}),
    });
  }
  return groups;
}

/**
 * A pod template labelled with a PodGroup joins its gang. The label names a PodGroup of the
 * manifests, or it is bad input (at `labelsPath`).
 */
function joinGang(w: Obj, groups: ReadonlyMap<string, Obj>, labelsPath: PathSegment[], problems: Array<{ message: string; path: PathSegment[] }>): Obj {
  const labels = obj(w.labels);
  const group = labels[POD_GROUP_LABEL];
  if (group === undefined) return w;
  const gang = typeof group === 'string' ? groups.get(group) : undefined;
  if (!gang) {
    const known = [...groups.keys()];
    problems.push({
      message: `${formatPath(labelsPath)}.${POD_GROUP_LABEL}: no PodGroup named ${JSON.stringify(group)} in the manifests (${known.length ? `known: ${known.join(', ')}` : 'none declared'})`,
      path: [...labelsPath, POD_GROUP_LABEL],
    });
    return w;
  }
  return { ...w, placement: { ...obj(w.placement), gang } };
}

/** Merges `raw.manifests` into the scenario document. Without manifests, returns `raw` unchanged. */
export function expandManifests(raw: Obj): ExpandedManifests {
  const manifests = raw.manifests;
  if (!Array.isArray(manifests)) return { raw, origins: [], warnings: [] };
  const c = new Collector();
  const nodes: unknown[] = Array.isArray(raw.nodes) ? [...raw.nodes] : [];
  const workloads: unknown[] = Array.isArray(raw.workloads) ? [...raw.workloads] : [];
  const priorityClasses: Obj = { ...obj(raw.priorityClasses) };
  const images: Obj = { ...obj(raw.images) };
  const budgets: unknown[] = Array.isArray(raw.podDisruptionBudgets) ? [...raw.podDisruptionBudgets] : [];
  const namespaces: unknown[] = Array.isArray(raw.namespaces) ? [...raw.namespaces] : [];
  const services: unknown[] = Array.isArray(raw.services) ? [...raw.services] : [];
  const origins: Array<{ prefix: PathSegment[]; manifest: PathSegment[]; label: string }> = [];
  const problems: Array<{ message: string; path: PathSegment[] }> = [];
  const groups = podGroups(manifests, c, problems);
  let globalDefault: { name: string; value: unknown } | undefined;

  manifests.forEach((m, i) => {
    const o = obj(m);
    const kind = typeof o.kind === 'string' ? o.kind : '';
    const meta = obj(o.metadata);
    const name = typeof meta.name === 'string' ? meta.name : '';
    const at: PathSegment[] = ['manifests', i];
    if (IGNORED_KINDS.includes(kind)) {
      c.warnings.push(`${kind}/${name}: kind ${kind} is not modelled (it places no pod); ignored`);
      return;
    }
    if (!SUPPORTED_KINDS.includes(kind)) {
      problems.push({ message: `${formatPath(at)}.kind: unsupported kind ${JSON.stringify(o.kind)} (supported: ${SUPPORTED_KINDS.join(', ')})`, path: [...at, 'kind'] });
      return;
    }
    const label = `${kind}/${name}`;
    const spec = obj(o.spec);
    c.extra(kind, name, o, ['apiVersion', 'kind', 'metadata', 'spec', 'status', ...(kind === 'PriorityClass' ? PRIORITY_CLASS_FIELDS : [])], '');
    c.metadata(kind, name, meta, 'metadata.', kind === 'Pod');
    // status is the API server's record; only a Node's capacity, allocatable and images are read
    if (kind !== 'Node') c.extra(kind, name, obj(o.status), [], 'status.');
    switch (kind) {
      case 'PriorityClass':
        priorityClasses[name] = o.value;
        // globalDefault: true is modelled (below); preemptionPolicy Never is not; description is text
        if (o.globalDefault === true) {
          if (globalDefault !== undefined) {
            const path: PathSegment[] = [...at, 'globalDefault'];
            problems.push({ message: `${formatPath(path)} (${label}): only one PriorityClass may be globalDefault (${globalDefault.name} is too)`, path });
          } else globalDefault = { name, value: o.value };
        } else if (o.globalDefault !== undefined && o.globalDefault !== false) c.unsupported(kind, name, ['globalDefault']);
        if (o.preemptionPolicy !== undefined && o.preemptionPolicy !== 'PreemptLowerPriority') c.unsupported(kind, name, ['preemptionPolicy']);
        if (o.description !== undefined) c.unsupported(kind, name, ['description']);
        return;
      case 'PodGroup':
        return;
      case 'Namespace':
        // Its labels are what affinity terms' namespaceSelector matches.
        c.extra(kind, name, spec, [], 'spec.');
        origins.push({ prefix: ['namespaces', namespaces.length], manifest: at, label });
        namespaces.push({ name, ...(meta.labels !== undefined ? { labels: meta.labels } : {}) });
        return;
      case 'Service':
        // Its selector picks the pods default topology spreading counts together (DefaultSelector).
        c.extra(kind, name, spec, ['selector'], 'spec.');
        origins.push({ prefix: ['services', services.length], manifest: at, label });
        services.push({ name, ...namespaceField(meta), ...(spec.selector !== undefined ? { selector: spec.selector } : {}) });
        return;
      case 'PodDisruptionBudget':
        // policy/v1: selector, minAvailable, maxUnavailable; the status is computed (as the disruption controller does)
        c.extra(kind, name, spec, ['selector', 'minAvailable', 'maxUnavailable'], 'spec.');
        origins.push({ prefix: ['podDisruptionBudgets', budgets.length], manifest: at, label });
        budgets.push({
          name,
          ...namespaceField(meta),
          ...(spec.selector !== undefined ? { selector: spec.selector } : {}),
          ...(spec.minAvailable !== undefined ? { minAvailable: spec.minAvailable } : {}),
          ...(spec.maxUnavailable !== undefined ? { maxUnavailable: spec.maxUnavailable } : {}),
        });
        return;
      case 'Node': {
        const status = obj(o.status);
        c.extra(kind, name, spec, ['taints', 'unschedulable'], 'spec.');
        c.extra(kind, name, status, ['capacity', 'allocatable', 'images'], 'status.');
        const gpuCount = count(obj(status.capacity)[GPU_COUNT_KEY] ?? obj(status.allocatable)[GPU_COUNT_KEY]);
        const capacity = nodeResources(kind, name, 'capacity', status.capacity, c) ?? {};
        const allocatable = nodeResources(kind, name, 'allocatable', status.allocatable, c);
        const labels = obj(meta.labels);
        // timeAdded is the API server's record of the past; a scenario's taints are there from the start.
        const taints = Array.isArray(spec.taints)
          ? spec.taints.map((t) => {
              if (!isMapping(t) || !('timeAdded' in t)) return t;
              const { timeAdded: _t, ...rest } = t;
              void _t;
              return rest;
            })
          : undefined;
        // status.images: every name of every image is on the node with the image's size (as
        // ImageLocality counts them); the sizes join the scenario's top-level images.
        const held: string[] = [];
        if (Array.isArray(status.images)) {
          for (const img of status.images) {
            const io = obj(img);
            if (!Array.isArray(io.names)) continue;
            for (const n of io.names) {
              if (typeof n !== 'string') continue;
              held.push(n);
              if (!(n in images)) images[n] = io.sizeBytes;
              else if (images[n] !== io.sizeBytes) c.unsupported(kind, name, [`status.images size ${String(io.sizeBytes)} of ${n} (another node reports ${String(images[n])}; the first is used)`]);
            }
          }
        }
        origins.push({ prefix: ['nodes', nodes.length], manifest: at, label });
        nodes.push({
          name,
          capacity,
          ...(allocatable ? { allocatable } : {}),
          ...(isMapping(meta.labels) ? { labels: meta.labels } : {}),
          ...(taints ? { taints } : {}),
          // cordoned from the start (the scenario's node field; the validator names a bad value)
          ...(spec.unschedulable !== undefined && spec.unschedulable !== false ? { unschedulable: spec.unschedulable } : {}),
          ...(held.length > 0 ? { images: held } : {}),
          ...(gpuCount !== undefined && gpuCount !== 0 ? { gpus: { model: labels[GPU_MODEL_KEY] ?? 'unknown', count: gpuCount } } : {}),
        });
        return;
      }
      case 'Pod': {
        origins.push({ prefix: ['workloads', workloads.length], manifest: at, label });
        const w = joinGang(podSpecToWorkload(kind, name, meta, spec, c), groups, [...at, 'metadata', 'labels'], problems);
        const rp = spec.restartPolicy;
        // A bare Pod has no controller: only Services select it for default spreading.
        workloads.push({ ...w, ...namespaceField(meta), controller: { kind: 'Pod' }, replicas: 1, ...(rp === 'Never' || rp === 'OnFailure' ? { restartPolicy: rp } : {}) });
        return;
      }
      case 'Deployment':
      case 'ReplicaSet':
      case 'StatefulSet': {
        c.extra(kind, name, spec, ['replicas', 'selector', 'template', 'strategy', 'updateStrategy'], 'spec.');
        const template = obj(spec.template);
        c.metadata(kind, name, obj(template.metadata), 'spec.template.metadata.', true);
        origins.push({ prefix: ['workloads', workloads.length], manifest: at, label });
        const w = joinGang(podSpecToWorkload(kind, name, obj(template.metadata), obj(template.spec), c), groups, [...at, 'spec', 'template', 'metadata', 'labels'], problems);
        const strategy = obj(spec.strategy);
        const rolling = obj(strategy.rollingUpdate);
        workloads.push({
          ...w,
          ...namespaceField(meta),
          // A Deployment's pods are its ReplicaSet's (pod-template-hash: the workload's own); a
          // ReplicaSet or StatefulSet selects by its own selector.
          ...(kind !== 'Deployment' && spec.selector !== undefined ? { controller: { kind, selector: spec.selector } } : {}),
          replicas: spec.replicas ?? 1,
          ...(kind === 'Deployment' && strategy.type !== undefined
            ? {
                updateStrategy: {
                  type: strategy.type,
                  ...(rolling.maxSurge !== undefined ? { maxSurge: rolling.maxSurge } : {}),
                  ...(rolling.maxUnavailable !== undefined ? { maxUnavailable: rolling.maxUnavailable } : {}),
                },
              }
            : {}),
        });
        return;
      }
      case 'Job': {
        c.extra(kind, name, spec, ['parallelism', 'completions', 'backoffLimit', 'template', 'selector'], 'spec.');
        const template = obj(spec.template);
        const tspec = obj(template.spec);
        c.metadata(kind, name, obj(template.metadata), 'spec.template.metadata.', true);
        origins.push({ prefix: ['workloads', workloads.length], manifest: at, label });
        const w = joinGang(podSpecToWorkload(kind, name, obj(template.metadata), tspec, c), groups, [...at, 'spec', 'template', 'metadata', 'labels'], problems);
        const parallelism = spec.parallelism ?? 1;
        workloads.push({
          ...w,
          ...namespaceField(meta),
          // DefaultSelector reads no Job: only Services select its pods for default spreading.
          controller: { kind: 'Job' },
          kind: 'job',
          replicas: parallelism,
          completions: spec.completions ?? parallelism,
          ...(spec.backoffLimit !== undefined ? { backoffLimit: spec.backoffLimit } : {}),
          restartPolicy: tspec.restartPolicy === 'Never' ? 'Never' : 'OnFailure',
        });
        return;
      }
    }
  });
  if (problems.length > 0) throw new ManifestError(problems[0].message, problems[0].path);
  // As Kubernetes' Priority admission: a pod naming no class (and no priority) gets the
  // globalDefault class's value — every workload of the scenario, from manifests or not.
  const withDefault = globalDefault === undefined ? workloads : workloads.map((w) => {
    const wo = obj(w);
    return wo.priority !== undefined || obj(wo.placement).priorityClassName !== undefined ? w : { ...wo, priority: globalDefault!.value };
  });
  const { manifests: _dropped, ...rest } = raw;
  void _dropped;
  return {
    raw: {
      ...rest,
      nodes,
      workloads: withDefault,
      ...(Object.keys(priorityClasses).length ? { priorityClasses } : {}),
      ...(Object.keys(images).length ? { images } : {}),
      ...(budgets.length ? { podDisruptionBudgets: budgets } : {}),
      ...(namespaces.length ? { namespaces } : {}),
      ...(services.length ? { services } : {}),
    },
    origins,
    warnings: c.warnings,
  };
}

/** A manifest the expander cannot use (an unsupported kind); `path` places it in the file. */
export class ManifestError extends Error {
  constructor(
    message: string,
    readonly path: readonly PathSegment[],
  ) {
    super(message);
    this.name = 'ManifestError';
  }
}

/** Rewrites a problem about a generated entry to point at its manifest: path and message prefix. */
export function toManifestProblem(
  path: readonly PathSegment[],
  message: string,
  origins: ExpandedManifests['origins'],
): { path: readonly PathSegment[]; message: string } {
  for (const o of origins) {
    if (o.prefix.every((seg, k) => path[k] === seg)) {
      const generated = formatPath(o.prefix);
      return { path: o.manifest, message: message.startsWith(generated) ? `${formatPath(o.manifest)} (${o.label})${message.slice(generated.length)}` : message };
    }
  }
  return { path, message };
}
