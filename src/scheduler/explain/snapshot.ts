/**
 * `slipway explain` snapshots: nodes (Kubernetes quantities), bound pods, the pending pod and a
 * profile, as YAML or JSON. See docs/scheduling.md, "slipway explain", for the format.
 */
import { podImages, podRequests } from '../../core/pod-requests.js';
import { z } from 'zod';
import { InputError } from '../../core/errors.js';
import { QuantityError, parseBytes, parseCount, parseCpu } from '../../core/quantity.js';
import { resources, zeroRequestsOf, type Resources } from '../../core/resources.js';
import { GPU_MILLI, type GpuRequest } from '../../core/types.js';
import { describeZodIssue, parseYamlDocument, pathOfMessage } from '../../scenario/yaml-errors.js';
import { labelSelectorSchema, placementFields, toPlacement } from '../../scenario/placement-schema.js';
import type { LabelSelector } from '../../core/placement.js';
import { DEFAULT_NAMESPACE } from '../../core/namespace.js';
import { budgetSelects, disruptionsAllowed, type DisruptionBudgetStatus, type IntOrPercent, type PodDisruptionBudget } from '../../core/disruption-budget.js';
import { MAX_GPUS, formatPath } from '../../scenario/schema.js';
import { obj } from '../../scenario/strict-object.js';
import { NodeTable, type NodeSpec } from '../framework/node-table.js';
import { nonZeroRequests, type PodInfo } from '../framework/pod.js';
import { LABEL_HOSTNAME } from '../plugins/pod-topology-spread/index.js';
import { profileFromInput } from '../profile-input.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { PROFILES, type ProfileConfig } from '../profiles.js';
import { ROUND_ROBIN } from '../round-robin.js';

const quantity = z.union([z.string(), z.number()]);
/** A non-negative int or a percentage string (`50%`), as Kubernetes' IntOrString in a budget. */
const intOrPercent = z.union([z.number().int().min(0), z.string().regex(/^\d+%$/, { error: 'expected a non-negative integer or a percentage such as 50%' })]);
const resourceList = z.record(z.string(), quantity);

const taint = obj({ key: z.string().min(1), value: z.string().optional(), effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']) });

/** GPU devices of a node; `used`: milli-GPU already in use per device by pods not listed (default none). */
const nodeGpus = obj({
  model: z.string().min(1),
  count: z.number().int().min(1).max(MAX_GPUS),
  used: z.array(z.number().int().min(0).max(GPU_MILLI)).optional(),
});

/** A pod's GPU request (as in scenarios); bound pods add the devices they hold. */
const podGpus = {
  count: z.number().int().min(1).max(MAX_GPUS).optional(),
  milli: z.number().int().min(1).max(GPU_MILLI).optional(),
  models: z.union([z.array(z.string().min(1)), z.string().min(1)]).optional(),
};

const nodeSchema = obj({
  name: z.string().min(1),
  gpus: nodeGpus.optional(),
  capacity: resourceList,
  allocatable: resourceList.optional(),
  labels: z.record(z.string(), z.string()).optional(),
  taints: z.array(taint).optional(),
  unschedulable: z.boolean().optional(),
  images: z.array(obj({ names: z.array(z.string()).min(1), sizeBytes: z.number().int().min(0) })).optional(),
});

const containerSchema = obj({
  name: z.string().optional(),
  image: z.string().optional(),
  requests: resourceList.optional(),
});

const podFields = {
  name: z.string().min(1),
  namespace: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  priority: z.number().int().optional(),
  /** May be empty (a pod requesting nothing at all, as upstream's plugin tests build them). */
  containers: z.array(containerSchema),
  /** podSpec.initContainers, in order; `restartPolicy: Always` makes one a sidecar (see core/pod-requests.ts). */
  initContainers: z.array(obj({ name: z.string().optional(), image: z.string().optional(), requests: resourceList.optional(), restartPolicy: z.literal('Always').optional() })).optional(),
  /** PodSpec.overhead (RuntimeClass overhead), added to the effective request. */
  overhead: resourceList.optional(),
  /** Bound pods: the workload they belong to (default topology spreading groups siblings by it). */
  owner: z.string().optional(),
  /** The pod's controller (a ReplicaSet, StatefulSet or ReplicationController listed in the snapshot). */
  ownerReference: obj({ kind: z.enum(['ReplicaSet', 'StatefulSet', 'ReplicationController', 'Job']), name: z.string().min(1) }).optional(),
  gpus: obj(podGpus).optional(),
  ...placementFields,
};


const snapshotSchema = obj({
  nodes: z.array(nodeSchema).min(1),
  pods: z
    .array(
      obj({
        ...podFields,
        node: z.string().min(1),
        startedAt: z.number().optional(),
        /** Asked to stop (still holding its resources): preemption does not pick it again. */
        terminating: z.boolean().optional(),
        gpus: obj({ ...podGpus, devices: z.array(z.number().int().min(0).max(MAX_GPUS - 1)) }).optional(),
      }),
    )
    .optional(),
  pending: obj(podFields),
  /** Services (their selectors pick the pods default topology spreading counts). */
  services: z.array(obj({ name: z.string().min(1), namespace: z.string().min(1).optional(), selector: z.record(z.string(), z.string()).optional() })).optional(),
  /** Controllers pods name in ownerReference: their selectors too. */
  replicaSets: z.array(obj({ name: z.string().min(1), namespace: z.string().min(1).optional(), selector: labelSelectorSchema })).optional(),
  statefulSets: z.array(obj({ name: z.string().min(1), namespace: z.string().min(1).optional(), selector: labelSelectorSchema })).optional(),
  replicationControllers: z.array(obj({ name: z.string().min(1), namespace: z.string().min(1).optional(), selector: z.record(z.string(), z.string()) })).optional(),
  /**
   * PodDisruptionBudgets (policy/v1 spec fields; DefaultPreemption reads them). Their status is
   * `disruptionsAllowed` when given (as a budget's status says), else computed from the pods listed
   * (see budgetStatusOf); `disruptedPods`: status.disruptedPods, pod names.
   */
  podDisruptionBudgets: z
    .array(
      obj({
        name: z.string().min(1),
        namespace: z.string().min(1).optional(),
        selector: labelSelectorSchema.optional(),
        minAvailable: intOrPercent.optional(),
        maxUnavailable: intOrPercent.optional(),
        disruptionsAllowed: z.number().int().min(0).optional(),
        disruptedPods: z.array(z.string().min(1)).optional(),
      }),
    )
    .optional(),
  /** Namespaces with labels (what affinity terms' namespaceSelector matches); others have none. */
  namespaces: z.array(obj({ name: z.string().min(1), labels: z.record(z.string(), z.string()).optional() })).optional(),
  /** A profile name, {name?, percentageOfNodesToScore?, plugins}, or a KubeSchedulerConfiguration (checked by profileFromInput). */
  profile: z.unknown().optional(),
  seed: z.number().int().min(0).optional(),
  /** `profile: round-robin` only: the node round-robin placed on last (its search starts after it, in name order). */
  cursor: z.string().min(1).optional(),
  /**
   * Default true: every node carries `kubernetes.io/hostname: NAME` (as the kubelet labels it).
   * false: nodes carry only the labels given (a Node object without that label).
   */
  hostnameLabels: z.boolean().optional(),
});

export interface Snapshot {
  readonly nodes: readonly NodeSpec[];
  readonly bound: ReadonlyArray<{ readonly node: number; readonly pod: PodInfo }>;
  readonly pending: PodInfo;
  /** Namespace name → labels (as given; see NodeTable.namespaceLabels). */
  readonly namespaces: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Services' selectors by namespace, and controllers' selectors (`KIND/NAMESPACE/NAME`). */
  readonly services: ReadonlyArray<{ readonly namespace: string; readonly selector: Readonly<Record<string, string>> }>;
  readonly controllers: ReadonlyMap<string, LabelSelector>;
  /** PodDisruptionBudgets with their status (given or computed). */
  readonly disruptionBudgets: readonly DisruptionBudgetStatus[];
  /** Framework profile (unused when `scheduler` is set). */
  readonly profile: ProfileConfig;
  /** `profile: round-robin`: the seed's scheduler, not a framework profile (explain/round-robin.ts). */
  readonly scheduler?: typeof ROUND_ROBIN;
  /** Round-robin's cursor (`cursor:`): the node it placed on last; absent for a fresh round-robin. */
  readonly cursor?: string;
  readonly seed: number;
  /** KubeSchedulerConfiguration fields given but not modelled (the CLI warns once). */
  readonly ignored: readonly string[];
}

type Where = (path: ReadonlyArray<string | number>, at?: 'key' | 'value') => string;

/** Kubernetes resource names → Slipway's Resources (cpu millicores, memory/ephemeral-storage bytes). */
function toResources(list: Record<string, string | number>, where: Where, path: Array<string | number>): { r: Resources; pods?: number } {
  const out = { cpu: 0, memory: 0, disk: 0, extended: {} as Record<string, number> };
  let pods: number | undefined;
  for (const [k, v] of Object.entries(list)) {
    try {
      if (k === 'cpu') out.cpu = parseCpu(v);
      else if (k === 'memory') out.memory = parseBytes(v);
      else if (k === 'ephemeral-storage') out.disk = parseBytes(v);
      else if (k === 'pods') pods = parseCount(v);
      else if (k.includes('/')) out.extended[k] = parseCount(v);
      // hugepages-<size> (e.g. hugepages-2Mi): bytes of pre-allocated huge pages, fitted like an extended resource.
      else if (/^hugepages-\d+(Ki|Mi|Gi)$/.test(k)) out.extended[k] = parseBytes(v);
      else throw new QuantityError(String(v), `unknown resource ${JSON.stringify(k)} (known: cpu, memory, ephemeral-storage, pods, hugepages-SIZE, DOMAIN/NAME)`);
    } catch (e) {
      if (!(e instanceof QuantityError)) throw e;
      throw new InputError(`${where([...path, k])}: ${formatPath([...path, k])}: ${e.message}`);
    }
  }
  return { r: resources(out), ...(pods !== undefined ? { pods } : {}) };
}

function toIntOrPercent(v: number | string): IntOrPercent {
  return typeof v === 'number' ? { value: v, percent: false } : { value: Number(v.slice(0, -1)), percent: true };
}

/**
 * A budget's disruptionsAllowed from the snapshot's pods: the pods it selects are all it expects
 * (a snapshot lists no controller replica counts), the healthy ones are those not terminating.
 */
export function budgetStatusOf(b: PodDisruptionBudget, pods: readonly PodInfo[]): number {
  const selected = pods.filter((p) => budgetSelects(b, p));
  const healthy = selected.filter((p) => !p.terminating).length;
  return disruptionsAllowed(b, { pods: selected.length, healthy, controllerReplicas: selected.length });
}

/** The snapshot's cluster as the scheduler's node table: nodes, bound pods, namespace labels. */
export function snapshotTable(s: Snapshot): NodeTable {
  const table = new NodeTable(s.nodes);
  for (const [name, labels] of s.namespaces) table.setNamespaceLabels(name, labels);
  table.services.push(...s.services);
  for (const [k, sel] of s.controllers) table.controllers.set(k, sel);
  table.disruptionBudgets = s.disruptionBudgets;
  for (const b of s.bound) table.addPod(b.node, b.pod);
  return table;
}

/** Parses a snapshot file's text. Every problem is an InputError `FILE:LINE:COL: field: message`. */
/** `plugins`: the registry the snapshot's profile may name plugins from (default the built-in ones). */
export function parseSnapshot(text: string, file: string, options: { readonly plugins?: PluginRegistry } = {}): Snapshot {
  const { raw, where } = parseYamlDocument(text, file);
  const parsed = snapshotSchema.safeParse(raw);
  if (!parsed.success) throw new InputError(describeZodIssue(parsed.error.issues[0], raw, where));
  const s = parsed.data;

  const names = new Set<string>();
  const nodes: NodeSpec[] = s.nodes.map((n, i) => {
    if (names.has(n.name)) throw new InputError(`${where(['nodes', i, 'name'])}: nodes[${i}].name: duplicate node ${JSON.stringify(n.name)}`);
    names.add(n.name);
    const cap = toResources(n.capacity, where, ['nodes', i, 'capacity']);
    const alloc = n.allocatable ? toResources({ ...n.capacity, ...n.allocatable }, where, ['nodes', i, 'allocatable']) : cap;
    const images = new Map<string, number>();
    for (const img of n.images ?? []) for (const name of img.names) images.set(name, img.sizeBytes);
    return {
      name: n.name,
      labels: s.hostnameLabels === false ? { ...(n.labels ?? {}) } : { [LABEL_HOSTNAME]: n.name, ...(n.labels ?? {}) },
      taints: n.taints ?? [],
      unschedulable: n.unschedulable ?? false,
      allocatable: alloc.r,
      ...(alloc.pods !== undefined ? { maxPods: alloc.pods } : {}),
      ...(images.size ? { images } : {}),
      ...(n.gpus ? { gpus: { model: n.gpus.model, count: n.gpus.count } } : {}),
    };
  });
  // Per-device use by pods the snapshot does not list: one anonymous holder per used device.
  const used: Array<{ node: number; pod: PodInfo }> = [];
  s.nodes.forEach((n, i) => {
    const u = n.gpus?.used;
    if (!u) return;
    if (u.length !== n.gpus!.count) {
      throw new InputError(`${where(['nodes', i, 'gpus', 'used'])}: nodes[${i}].gpus.used: ${u.length} entries for ${n.gpus!.count} devices`);
    }
    u.forEach((milli, d) => {
      if (milli === 0) return;
      used.push({
        node: i,
        pod: {
          name: `${n.name}/gpu-${d}`,
          namespace: 'default',
          labels: {},
          priority: 0,
          requests: resources(),
          nonZeroCpu: 0,
          nonZeroMemory: 0,
          images: [],
          placement: {},
          gpu: { count: 1, milli, models: [] },
          gpuDevices: [d],
        },
      });
    });
  });

  const gpuRequest = (g: { count?: number; milli?: number; models?: string | string[] } | undefined, path: Array<string | number>): GpuRequest | undefined => {
    if (!g) return undefined;
    const count = g.count ?? 1;
    const milli = g.milli ?? GPU_MILLI;
    if (milli < GPU_MILLI && count > 1) {
      throw new InputError(`${where([...path, 'milli'])}: ${formatPath([...path, 'milli'])}: ${milli} milli-GPU per device is a shared GPU: only with count 1 (count is ${count})`);
    }
    const models = typeof g.models === 'string' ? g.models.split('|') : (g.models ?? []);
    return { count, milli, models };
  };

  const pod = (
    p: z.output<typeof snapshotSchema>['pending'],
    path: Array<string | number>,
    extra: { startedAt?: number; devices?: readonly number[]; terminating?: boolean } = {},
  ): PodInfo => {
    const gpu = gpuRequest(p.gpus, [...path, 'gpus']);
    const container = (c: { image?: string; requests?: Record<string, string | number>; restartPolicy?: 'Always' }, j: number, list: string) => {
      const given = c.requests ?? {};
      const r = toResources(given, where, [...path, list, j, 'requests']).r;
      const zeroRequests = zeroRequestsOf({ ...('cpu' in given ? { cpu: r.cpu } : {}), ...('memory' in given ? { memory: r.memory } : {}) });
      return { image: c.image, requests: r, ...(zeroRequests ? { zeroRequests } : {}), ...(c.restartPolicy ? { restartPolicy: c.restartPolicy } : {}) };
    };
    const spec = {
      containers: p.containers.map((c, j) => container(c, j, 'containers')),
      ...(p.initContainers ? { initContainers: p.initContainers.map((c, j) => container(c, j, 'initContainers')) } : {}),
      ...(p.overhead ? { overhead: toResources(p.overhead, where, [...path, 'overhead']).r } : {}),
    };
    const total = podRequests(spec);
    const nz = nonZeroRequests(spec);
    const { name, namespace, labels, priority, owner, ownerReference } = p;
    return {
      name,
      namespace: namespace ?? DEFAULT_NAMESPACE,
      labels: labels ?? {},
      priority: priority ?? 0,
      requests: total,
      nonZeroCpu: nz.cpu,
      nonZeroMemory: nz.memory,
      images: podImages(spec),
      placement: toPlacement(
        {
          nodeName: p.nodeName,
          nodeSelector: p.nodeSelector,
          affinity: p.affinity,
          tolerations: p.tolerations,
          topologySpreadConstraints: p.topologySpreadConstraints,
          priorityClassName: p.priorityClassName,
          gang: p.gang,
        },
        0,
      ),
      uid: name,
      ...(owner !== undefined ? { owner } : {}),
      // A Job's pods: DefaultSelector reads no Job selector, only the Services selecting the pod.
      ...(ownerReference === undefined ? {} : ownerReference.kind === 'Job' ? { noController: true as const } : { controller: { kind: ownerReference.kind, name: ownerReference.name } }),
      ...(extra.startedAt !== undefined ? { startedAt: extra.startedAt } : {}),
      ...(extra.terminating ? { terminating: true } : {}),
      ...(gpu ? { gpu } : {}),
      ...(gpu && extra.devices ? { gpuDevices: extra.devices } : {}),
    };
  };

  const bound = (s.pods ?? []).map((p, i) => {
    const node = nodes.findIndex((n) => n.name === p.node);
    if (node < 0) throw new InputError(`${where(['pods', i, 'node'])}: pods[${i}].node: unknown node ${JSON.stringify(p.node)}`);
    const b = pod(p, ['pods', i], {
      ...(p.startedAt !== undefined ? { startedAt: p.startedAt } : {}),
      ...(p.gpus ? { devices: p.gpus.devices } : {}),
      ...(p.terminating ? { terminating: true } : {}),
    });
    if (b.gpu) {
      const devices = b.gpuDevices!;
      const n = nodes[node].gpus?.count ?? 0;
      const bad = devices.length !== b.gpu.count || devices.some((d) => d >= n) || new Set(devices).size !== devices.length;
      if (bad) {
        throw new InputError(
          `${where(['pods', i, 'gpus', 'devices'])}: pods[${i}].gpus.devices: ${JSON.stringify(devices)} must be ${b.gpu.count} distinct device(s) of node ${p.node} (it has ${n})`,
        );
      }
    }
    return { node, pod: b };
  });
  const load = new Map<string, number>();
  for (const { node, pod: b } of [...used, ...bound]) {
    for (const d of b.gpuDevices ?? []) {
      const key = `${nodes[node].name}/${d}`;
      const total = (load.get(key) ?? 0) + b.gpu!.milli;
      load.set(key, total);
      if (total > GPU_MILLI) {
        throw new InputError(`${file}: GPU device ${d} of node ${nodes[node].name} holds ${total} milli-GPU (used + pods' shares), more than ${GPU_MILLI}`);
      }
    }
  }

  const disruptionBudgets = (s.podDisruptionBudgets ?? []).map((b, i): DisruptionBudgetStatus => {
    const at = (k: string) => `${where(['podDisruptionBudgets', i, k], 'key')}: podDisruptionBudgets[${i}].${k}`;
    if (b.minAvailable !== undefined && b.maxUnavailable !== undefined) throw new InputError(`${at('maxUnavailable')}: give minAvailable or maxUnavailable, not both`);
    if (b.minAvailable === undefined && b.maxUnavailable === undefined && b.disruptionsAllowed === undefined) {
      throw new InputError(`${where(['podDisruptionBudgets', i])}: podDisruptionBudgets[${i}]: needs minAvailable, maxUnavailable or disruptionsAllowed`);
    }
    const spec: PodDisruptionBudget = {
      name: b.name,
      namespace: b.namespace ?? DEFAULT_NAMESPACE,
      ...(b.selector ? { selector: b.selector } : {}),
      ...(b.minAvailable !== undefined ? { minAvailable: toIntOrPercent(b.minAvailable) } : {}),
      ...(b.maxUnavailable !== undefined ? { maxUnavailable: toIntOrPercent(b.maxUnavailable) } : {}),
    };
    return {
      name: spec.name,
      namespace: spec.namespace,
      ...(spec.selector ? { selector: spec.selector } : {}),
      disruptionsAllowed: b.disruptionsAllowed ?? budgetStatusOf(spec, bound.map((x) => x.pod)),
      ...(b.disruptedPods ? { disruptedPods: b.disruptedPods } : {}),
    };
  });

  let profile: ProfileConfig = PROFILES.default;
  let ignored: readonly string[] = [];
  const roundRobin = s.profile === ROUND_ROBIN;
  if (s.cursor !== undefined && !roundRobin) {
    throw new InputError(`${where(['cursor'], 'key')}: cursor: only profile: ${ROUND_ROBIN} has a cursor`);
  }
  if (s.profile !== undefined && !roundRobin) {
    try {
      ({ profile, ignored } = profileFromInput(s.profile, 'profile', { defaultPercentage: 100, alsoKnown: [ROUND_ROBIN], ...options }));
    } catch (e) {
      if (e instanceof InputError) throw new InputError(`${where(pathOfMessage(e.message) ?? ['profile'])}: ${e.message}`);
      throw e;
    }
  }
  return {
    nodes,
    bound: [...used, ...bound],
    pending: pod(s.pending, ['pending']),
    namespaces: new Map((s.namespaces ?? []).map((n) => [n.name, n.labels ?? {}])),
    disruptionBudgets,
    // A Service without a selector selects nothing (GetPodServices skips it).
    services: (s.services ?? []).filter((v) => v.selector !== undefined && Object.keys(v.selector).length > 0).map((v) => ({ namespace: v.namespace ?? DEFAULT_NAMESPACE, selector: v.selector! })),
    controllers: new Map<string, LabelSelector>([
      ...(s.replicaSets ?? []).map((c) => [`ReplicaSet/${c.namespace ?? DEFAULT_NAMESPACE}/${c.name}`, c.selector] as const),
      ...(s.statefulSets ?? []).map((c) => [`StatefulSet/${c.namespace ?? DEFAULT_NAMESPACE}/${c.name}`, c.selector] as const),
      ...(s.replicationControllers ?? []).map((c) => [`ReplicationController/${c.namespace ?? DEFAULT_NAMESPACE}/${c.name}`, { matchLabels: c.selector }] as const),
    ]),
    profile,
    ...(roundRobin ? { scheduler: ROUND_ROBIN } : {}),
    ...(s.cursor !== undefined ? { cursor: s.cursor } : {}),
    seed: s.seed ?? 1,
    ignored,
  };
}
