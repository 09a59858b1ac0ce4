/**
 * The structure of a scenario file (format v1), as zod schemas.
 *
 * This layer checks shapes and leaf values and normalizes units on the way (durations to ms, cpu
 * to millicores, memory and disk to bytes). Rules that relate several fields (references, unique
 * names, `limits ≥ requests`, times within the run) live in the loader, which also turns issues into
 * `FILE:LINE:COL: message` lines. Leaf messages are complete sentences without the field path; the
 * loader prefixes the path.
 *
 * Objects are strict: an unknown key is an issue (`unrecognized_keys`) whose message carries the
 * known keys as `known:a,b,c`, for the loader's "did you mean" (see `knownKeysOf`).
 */
import { z } from 'zod';
import {
  BAD,
  bool,
  bytes,
  def,
  describeValue,
  didYouMean,
  distribution,
  dnsLabel,
  duration,
  exactlyOne,
  int,
  isMapping,
  list,
  listOf,
  listString,
  nonEmptyStr,
  obj,
  oneOf,
  opt,
  req,
  str,
  stringMap,
  workloadRef,
  type Check,
} from '../core/fields.js';
import { QuantityError, parseBytes, parseCount, parseCpu } from '../core/quantity.js';
import { FAULTS, FAULT_KINDS, type FaultKind } from '../faults/registry.js';
import { labelSelectorSchema, placementSchema } from './placement-schema.js';
import { parseCidr } from '../net/ipv4.js';
import { CONTROLLER_KINDS } from '../core/namespace.js';
import type { Distribution, NodeStatus, RestartPolicy, TaintEffect, WorkloadKind } from '../core/types.js';

// Helpers shared with the loader and other input formats (they moved to src/core/fields.ts).
export {
  describeValue,
  didYouMean,
  formatPath,
  isMapping,
  knownKeysOf,
  obj,
  suggest,
  type IssueParams,
  type IssueTarget,
  type PathSegment,
} from '../core/fields.js';

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

/** Resource amounts as written (only the keys given), in base units (millicores, bytes, counts). */
export interface ResourceInput {
  readonly cpu?: number;
  readonly memory?: number;
  readonly disk?: number;
  readonly extended: Readonly<Record<string, number>>;
}

/** A Kubernetes extended resource name: `DOMAIN/NAME`. */
const EXTENDED_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const BASE_RESOURCES = ['cpu', 'memory', 'disk'] as const;
/**
 * Kubernetes' pre-allocated huge pages, `hugepages-<page size>` (hugepages-2Mi, hugepages-1Gi):
 * bytes, fitted like an extended resource (kube-scheduler's NodeResourcesFit counts them so).
 */
export const HUGEPAGES_NAME = /^hugepages-\d+(Ki|Mi|Gi)$/;

/** `capacity`: cpu and memory required, every amount > 0. Otherwise every key optional and ≥ 0. */
function resourceMap(mode: 'capacity' | 'other'): Check<ResourceInput> {
  return (v, c) => {
    if (!isMapping(v)) return c.fail(`expected a mapping of resources (cpu, memory, ...), got ${describeValue(v)}`);
    let ok = true;
    const out: { cpu?: number; memory?: number; disk?: number; extended: Record<string, number> } = { extended: {} };
    for (const [key, raw] of Object.entries(v)) {
      const isBase = (BASE_RESOURCES as readonly string[]).includes(key);
      const hugepages = HUGEPAGES_NAME.test(key);
      if (!isBase && !hugepages && !EXTENDED_NAME.test(key)) {
        ok = false;
        const why = key.includes('/')
          ? `invalid extended resource name ${JSON.stringify(key)}: expected DOMAIN/NAME, e.g. example.com/gpu`
          : `unknown resource ${JSON.stringify(key)}${didYouMean(key, BASE_RESOURCES)} ` +
            '(known: cpu, memory, disk, hugepages-SIZE; extended resources need a domain prefix, e.g. example.com/gpu)';
        c.fail(why, { path: [key], params: { at: 'key', labelParent: true } });
        continue;
      }
      if (typeof raw !== 'string' && typeof raw !== 'number') {
        ok = false;
        c.fail(`expected a quantity such as 500m, 2 or 256Mi, got ${describeValue(raw)}`, { path: [key] });
        continue;
      }
      let n: number;
      try {
        n = key === 'cpu' ? parseCpu(raw) : key === 'memory' || key === 'disk' || hugepages ? parseBytes(raw) : parseCount(raw);
      } catch (e) {
        if (!(e instanceof QuantityError)) throw e;
        ok = false;
        c.fail(e.message, { path: [key] });
        continue;
      }
      if (mode === 'capacity' && n <= 0) {
        ok = false;
        c.fail(`must be greater than 0, got ${describeValue(raw)}`, { path: [key] });
        continue;
      }
      if (key === 'cpu' || key === 'memory' || key === 'disk') out[key] = n;
      else out.extended[key] = n;
    }
    if (mode === 'capacity') {
      for (const key of ['cpu', 'memory'] as const) {
        if (!(key in v)) {
          ok = false;
          c.fail('missing', { path: [key], params: { missing: true } });
        }
      }
    }
    return ok ? out : BAD;
  };
}

/** Image name → size (a quantity such as 190Mi), what kubelet reports in node.status.images. */
const imageSizes: Check<Record<string, number>> = (v, c) => {
  if (!isMapping(v)) return c.fail(`expected a mapping of image names to sizes such as 190Mi, got ${describeValue(v)}`);
  const out: Record<string, number> = {};
  let ok = true;
  for (const [k, x] of Object.entries(v)) {
    const r = bytes(x, { ...c, fail: (m, o) => c.fail(m, { ...o, path: [k, ...(o?.path ?? [])] }) });
    if (r === BAD) ok = false;
    else out[k] = r;
  }
  return ok ? out : BAD;
};

// ---------------------------------------------------------------------------------------------
// Scenario
// ---------------------------------------------------------------------------------------------

/** An int or a percentage string (`25%`), as written. */
export interface IntOrPercent {
  readonly value: number;
  readonly percent: boolean;
}

function intOrPercent(maxPercent?: number): Check<IntOrPercent> {
  return (v, c) => {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return { value: v, percent: false };
    const m = typeof v === 'string' ? /^(\d+)%$/.exec(v) : null;
    if (m) {
      const value = Number(m[1]);
      if (maxPercent !== undefined && value > maxPercent) {
        return c.fail(`must be at most ${maxPercent}%, got ${describeValue(v)}`);
      }
      return { value, percent: true };
    }
    return c.fail(`expected a non-negative integer or a percentage such as 25%, got ${describeValue(v)}`);
  };
}

export const TAINT_EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
export const NODE_STATUSES: readonly NodeStatus[] = ['Ready', 'NotReady', 'Unknown', 'Down'];
export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['service', 'job'];
export const RESTART_POLICIES: readonly RestartPolicy[] = ['Always', 'OnFailure', 'Never'];

/**
 * The largest `count` the schema takes. The scenario limit on nodes (src/scenario/limits.ts,
 * default 100,000, raised with --max-nodes) is what refuses a large count, before anything is
 * expanded; this bound only keeps the number sane, so --max-nodes can raise the limit for one entry.
 */
export const MAX_NODE_COUNT = 1_000_000_000;

const taintSchema = obj({
  key: req(nonEmptyStr),
  value: opt(str),
  effect: req(oneOf(TAINT_EFFECTS)),
});

/** Live backends: the node is a Docker engine (`docker`) or a host running an OCI runtime (`oci`). */
const dockerEndpointSchema = obj({
  host: req(nonEmptyStr),
  network: opt(nonEmptyStr),
  pidFile: opt(nonEmptyStr),
});
const ociEndpointSchema = obj({
  runtime: def(nonEmptyStr, 'youki'),
  root: req(nonEmptyStr),
  // One of the two (the loader checks): a directory, or a Docker engine to export images from.
  rootfs: opt(nonEmptyStr),
  exportFrom: opt(nonEmptyStr),
  bundles: opt(nonEmptyStr),
  // CNI (with cluster.network): the plugin directories (CNI_PATH, ':'-separated) and the node's bridge.
  cniPath: opt(nonEmptyStr),
  bridge: opt(nonEmptyStr),
});

/** Most GPU devices a node has (and a pod asks for): the Alibaba trace's 8-GPU nodes. */
export const MAX_GPUS = 8;

/** A node's GPU devices: `count` devices of one `model`. */
const nodeGpuSchema = obj({
  model: req(nonEmptyStr),
  count: req(int(1, MAX_GPUS)),
});

/** Allowed GPU models: a list, or the trace's `|`-separated string (`V100M16|V100M32`). */
const gpuModels: Check<string[]> = (v, c) => {
  const list = typeof v === 'string' ? v.split('|') : Array.isArray(v) ? v : undefined;
  if (list === undefined) return c.fail(`expected a list of GPU models or a "|"-separated string, got ${describeValue(v)}`);
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (typeof m !== 'string' || m.trim() === '') {
      return c.fail(`expected a non-empty GPU model name, got ${describeValue(m)}`, Array.isArray(v) ? { path: [i] } : undefined);
    }
  }
  return list.map((m: string) => m.trim());
};

/** A workload's GPU request per instance (the loader checks milli < 1000 only with count 1). */
const workloadGpuSchema = obj({
  count: def(int(1, MAX_GPUS), 1),
  milli: def(int(1, 1000), 1000),
  models: def(gpuModels, []),
});

/** An IPv4 CIDR block (`10.244.0.0/16`), host bits zero; kept as written (src/net parses it). */
export const cidr: Check<string> = (v, c) => {
  if (typeof v !== 'string') return c.fail(`expected an IPv4 CIDR such as 10.244.0.0/16, got ${describeValue(v)}`);
  const parsed = parseCidr(v.trim());
  return typeof parsed === 'string' ? c.fail(parsed) : v.trim();
};

const nodeFields = {
  name: req(nonEmptyStr),
  // Required unless `docker` is given (then `docker info` supplies it); the loader checks.
  capacity: opt(resourceMap('capacity')),
  docker: dockerEndpointSchema.optional(),
  oci: ociEndpointSchema.optional(),
  allocatable: opt(resourceMap('other')),
  labels: def(stringMap, {}),
  taints: list(taintSchema).prefault([]),
  /** The node starts cordoned: Ready, but the scheduler places nothing new on it (NodeUnschedulable). */
  unschedulable: def(bool, false),
  /** Simulation: images in the node's cache from the start (each needs a size in the top-level `images`). */
  images: opt(listOf(nonEmptyStr)),
  gpus: nodeGpuSchema.optional(),
  /** The node's pod CIDR (node.spec.podCIDR) instead of the next block of `cluster.network.podCidr`. */
  podCidr: opt(cidr),
};

const nodeSchema = obj({ ...nodeFields, count: opt(int(1, MAX_NODE_COUNT)) });
const addNodeSchema = obj(nodeFields);

const portSchema = obj({
  containerPort: req(int(1, 65535)),
  hostPort: opt(int(1, 65535)),
  // SCTP as Kubernetes accepts it (GA since 1.20); Docker publishes sctp ports too.
  protocol: def(oneOf(['tcp', 'udp', 'sctp'] as const), 'tcp'),
});

const simSchema = obj({
  runFor: opt(distribution),
  exitCode: opt(int(0, 255)),
  memory: opt(bytes),
});

const containerFields = {
  name: req(dnsLabel('container')),
  image: req(nonEmptyStr),
  command: opt(listOf(listString)),
  args: opt(listOf(listString)),
  env: def(stringMap, {}),
  ports: list(portSchema).prefault([]),
  requests: opt(resourceMap('other')),
  limits: opt(resourceMap('other')),
  sim: simSchema.optional(),
};
const containerSchema = obj(containerFields);
/** An init container; `restartPolicy: Always` makes it a sidecar (Kubernetes' restartable init container). */
const initContainerSchema = obj({ ...containerFields, restartPolicy: opt(oneOf(['Always'] as const)) });

const updateStrategySchema = obj({
  type: def(oneOf(['RollingUpdate', 'Recreate'] as const), 'RollingUpdate'),
  maxSurge: opt(intOrPercent()),
  maxUnavailable: opt(intOrPercent(100)),
});

/** One `workloads:` entry (also what the daemon's API accepts as a spec, see `parseWorkloadEntry`). */
export const workloadSchema = obj({
  name: req(dnsLabel('workload')),
  /** metadata.namespace (absent: default). */
  namespace: opt(dnsLabel('namespace')),
  /** What owns its pods, for default topology spreading (absent: a Deployment's ReplicaSet). */
  controller: obj({ kind: req(oneOf(CONTROLLER_KINDS)), selector: labelSelectorSchema.optional() }).optional(),
  kind: def(oneOf(WORKLOAD_KINDS), 'service'),
  replicas: def(int(0), 1),
  completions: opt(int(1)),
  backoffLimit: opt(int(0)),
  at: def(duration(), 0),
  priority: def(int(undefined), 0),
  restartPolicy: opt(oneOf(RESTART_POLICIES)),
  updateStrategy: updateStrategySchema.optional(),
  labels: def(stringMap, {}),
  containers: list(containerSchema, true),
  /** podSpec.initContainers: in the effective request and ImageLocality (not run by the backends yet). */
  initContainers: list(initContainerSchema).optional(),
  /** PodSpec.overhead (what RuntimeClass admission sets): added to the effective request. */
  overhead: opt(resourceMap('other')),
  placement: placementSchema.optional(),
  gpus: workloadGpuSchema.optional(),
});


/** The fields an `update` may change (besides `workload` and `container`). */
export const PATCH_FIELDS = ['image', 'command', 'args', 'env', 'requests', 'limits', 'sim'] as const;

export const OPERATION_KINDS = ['scale', 'update', 'delete', 'addNode', 'removeNode', 'taint', 'untaint'] as const;

const operationSchema = obj({
  at: req(duration()),
  scale: obj({ workload: workloadRef, replicas: req(int(0)) }).optional(),
  update: obj({
    workload: workloadRef,
    container: opt(nonEmptyStr),
    image: opt(nonEmptyStr),
    command: opt(listOf(listString)),
    args: opt(listOf(listString)),
    env: opt(stringMap),
    requests: opt(resourceMap('other')),
    limits: opt(resourceMap('other')),
    sim: simSchema.optional(),
  }).optional(),
  delete: obj({ workload: workloadRef }).optional(),
  addNode: addNodeSchema.optional(),
  removeNode: obj({ node: req(nonEmptyStr) }).optional(),
  taint: obj({ node: req(nonEmptyStr), key: req(nonEmptyStr), value: opt(str), effect: req(oneOf(TAINT_EFFECTS)) }).optional(),
  untaint: obj({ node: req(nonEmptyStr), key: req(nonEmptyStr), effect: opt(oneOf(TAINT_EFFECTS)) }).optional(),
}).transform(exactlyOne(OPERATION_KINDS, 'action'));

export { FAULT_KINDS } from '../faults/registry.js';
export { MESSAGE_KINDS } from '../faults/messages.js';
export { PARTITION_DIRECTIONS } from '../faults/partition.js';

/** `3/h`, `0.5/m`, `10/d`: a mean number of arrivals per unit of time, returned per hour. */
const rate: Check<number> = (v, c) => {
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)\s*\/\s*(s|m|h|d)$/.exec(v) : null;
  if (!m) return c.fail(`expected a rate such as 3/h, 0.5/m or 10/d, got ${describeValue(v)}`);
  const n = Number(m[1]);
  const perHour = n * { s: 3600, m: 60, h: 1, d: 1 / 24 }[m[2] as 's' | 'm' | 'h' | 'd'];
  if (!(perHour > 0)) return c.fail(`must be more than 0, got ${describeValue(v)}`);
  return perHour;
};

/** Each fault kind's body, optional (an item gives exactly one), from the fault registry. */
type FaultBodies = { [K in FaultKind]: z.ZodOptional<(typeof FAULTS)[K]['schema']> };
const faultBodies = Object.fromEntries(FAULT_KINDS.map((k) => [k, FAULTS[k].schema.optional()])) as FaultBodies;

const faultSchema = obj({
  at: opt(duration()),
  rate: opt(rate),
  from: opt(duration()),
  until: opt(duration()),
  ...faultBodies,
}).transform(exactlyOne(FAULT_KINDS, 'fault'));

/**
 * An instance already running when the run starts (a snapshot of a live cluster): its containers
 * run on `node` from time 0 and the control plane adopts them, as a restarted control plane does.
 */
const runningSchema = obj({
  workload: workloadRef,
  node: req(nonEmptyStr),
  slot: req(int(0)),
  id: opt(nonEmptyStr),
  /** The node's GPU devices the instance holds (its workload requests GPUs). */
  gpus: opt(listOf(int(0, MAX_GPUS - 1))),
});

export const EXPECTATION_KINDS = ['converged', 'noInstancesOn', 'running', 'jobCompleted', 'restarts'] as const;

const expectationSchema = obj({
  name: opt(nonEmptyStr),
  converged: obj({ by: req(duration()), workloads: opt(listOf(nonEmptyStr, true)) }).optional(),
  noInstancesOn: obj({ statuses: req(listOf(oneOf(NODE_STATUSES), true)), at: opt(duration()) }).optional(),
  running: obj({ workload: workloadRef, count: req(int(0)), at: req(duration()) }).optional(),
  jobCompleted: obj({ workload: workloadRef, by: req(duration()) }).optional(),
  restarts: obj({ workload: workloadRef, min: opt(int(0)), max: opt(int(0)) }).optional(),
}).transform(exactlyOne(EXPECTATION_KINDS, 'expectation kind'));

const constant = (ms: number): Distribution => ({ kind: 'constant', ms });

const latencySchema = obj({
  imagePull: def(distribution, { kind: 'uniform', minMs: 1000, maxMs: 3000 }),
  create: def(distribution, constant(100)),
  start: def(distribution, { kind: 'uniform', minMs: 200, maxMs: 800 }),
  stop: def(distribution, constant(500)),
  network: def(distribution, constant(1)),
});

/** The simulated consistent store under a replicated control plane (issue #14). */
const storeSchema = obj({
  ttl: def(duration(true), 10_000),
  keepAlive: opt(duration(true)),
  safetyMargin: opt(duration()),
  latency: def(distribution, constant(1)),
  requestTimeout: def(duration(true), 2_000),
});

const controlPlaneSchema = obj({
  /** Control-plane replicas electing a leader on the simulated store (absent: one, in-memory). */
  replicas: opt(int(1, 9)),
  store: storeSchema.optional(),
  reconcileInterval: def(duration(true), 30_000),
  reconcileMinGap: def(duration(), 100),
  resyncInterval: def(duration(true), 60_000),
  heartbeatInterval: def(duration(true), 10_000),
  nodeMonitorPeriod: def(duration(true), 5_000),
  notReadyAfter: def(duration(true), 40_000),
  downAfter: def(duration(true), 300_000),
  evictionGrace: def(duration(true), 30_000),
  backoffInitial: def(duration(true), 10_000),
  backoffMax: def(duration(true), 300_000),
  backoffReset: def(duration(true), 600_000),
  unschedulableRetry: def(duration(true), 30_000),
  rpcTimeout: def(duration(true), 10_000),
});

/** How the control plane learns node status: heartbeats (default) or a gossip failure detector. */
export const MEMBERSHIP_KINDS = ['heartbeat', 'swim', 'lha-probe', 'lha-suspicion', 'buddy', 'lifeguard', 'serf'] as const;

/** The gossip detector's knobs; defaults are memberlist's LAN configuration (src/membership/config.ts). */
const gossipSchema = obj({
  probeInterval: def(duration(true), 1_000),
  probeTimeout: def(duration(true), 500),
  indirectChecks: def(int(0, 16), 3),
  suspicionMult: def(int(1, 100), 4),
  suspicionMaxTimeoutMult: def(int(1, 100), 6),
  retransmitMult: def(int(1, 100), 4),
  gossipInterval: def(duration(true), 200),
  gossipNodes: def(int(1, 100), 3),
  gossipToTheDead: def(duration(), 30_000),
  pushPullInterval: def(duration(true), 30_000),
  awarenessMaxMultiplier: def(int(1, 100), 8),
});

/** `membership: serf` on live backends: the control plane's own Serf agent and the tag naming each node's agent. */
const serfSchema = obj({
  rpc: def(nonEmptyStr, '127.0.0.1:7373'),
  tag: def(nonEmptyStr, 'slipway-node'),
});

/**
 * `cluster.network`: the pod network (docs/networking.md). `podCidr` is kube-controller-manager's
 * `--cluster-cidr`, `nodeCidrMaskSize` its `--node-cidr-mask-size`: each node gets a block of that
 * size and its instances get addresses from it as CNI host-local hands them out.
 */
const networkSchema = obj({
  podCidr: req(cidr),
  nodeCidrMaskSize: def(int(0, 30), 24),
});

const clusterSchema = obj({
  network: networkSchema.optional(),
  membership: def(oneOf(MEMBERSHIP_KINDS), 'heartbeat' as (typeof MEMBERSHIP_KINDS)[number]),
  gossip: gossipSchema.prefault({} as z.input<typeof gossipSchema>),
  serf: serfSchema.prefault({} as z.input<typeof serfSchema>),
});

/** A policy/v1 PodDisruptionBudget: which pods (selector) and how many may be disrupted at once. */
const disruptionBudgetSchema = obj({
  name: req(dnsLabel('PodDisruptionBudget')),
  namespace: opt(dnsLabel('namespace')),
  selector: labelSelectorSchema.optional(),
  minAvailable: opt(intOrPercent(100)),
  maxUnavailable: opt(intOrPercent(100)),
});

/** A Namespace object: affinity terms' namespaceSelector matches its labels. */
const namespaceSchema = obj({
  name: req(dnsLabel('namespace')),
  labels: def(stringMap, {}),
});

/** A Service: its selector picks the pods default topology spreading counts together. */
const serviceSchema = obj({
  name: req(dnsLabel('Service')),
  namespace: opt(dnsLabel('namespace')),
  selector: def(stringMap, {}),
});

export const DEFAULT_SCHEDULER = 'round-robin';

const schedulerValue: Check<string | Record<string, unknown>> = (v, c) =>
  isMapping(v) ? v : nonEmptyStr(v, c);

/** The whole file. Its output is the shape-checked, unit-normalized input of the loader. */
export const scenarioSchema = obj({
  name: req(nonEmptyStr),
  description: opt(str),
  seed: def(int(0), 1),
  duration: req(duration(true)),
  nodes: list(nodeSchema, true),
  workloads: list(workloadSchema).prefault([]),
  operations: list(operationSchema).prefault([]),
  faults: list(faultSchema).prefault([]),
  latency: latencySchema.prefault({} as z.input<typeof latencySchema>),
  /** A scheduler or profile name, a profile mapping, or a KubeSchedulerConfiguration (the loader checks it). */
  scheduler: def(schedulerValue, DEFAULT_SCHEDULER as string | Record<string, unknown>),
  /** PriorityClass name → priority, for workloads' placement.priorityClassName. */
  priorityClasses: z.record(z.string(), z.number().int()).optional(),
  /** PodDisruptionBudgets DefaultPreemption respects (docs/scenario-format.md). */
  podDisruptionBudgets: list(disruptionBudgetSchema).prefault([]),
  /** Namespaces with labels (docs/scenario-format.md); any other namespace a workload names has none. */
  namespaces: list(namespaceSchema).prefault([]),
  /** Services (selectors) default topology spreading reads. */
  services: list(serviceSchema).prefault([]),
  /** Image name → size: simulated nodes report the images they hold with these sizes (ImageLocality). */
  images: opt(imageSizes),
  controlPlane: controlPlaneSchema.prefault({} as z.input<typeof controlPlaneSchema>),
  /** Membership: `cluster: {membership: heartbeat | swim | lifeguard | ..., gossip: {...}}`. */
  cluster: clusterSchema.prefault({} as z.input<typeof clusterSchema>),
  expectations: list(expectationSchema).prefault([]),
  /** Instances running from the start, adopted by the control plane (see `runningSchema`). */
  running: list(runningSchema).prefault([]),
});

export type ScenarioInput = z.output<typeof scenarioSchema>;
export type NodeInput = ScenarioInput['nodes'][number];
export type AddNodeInput = z.output<typeof addNodeSchema>;
export type WorkloadInput = ScenarioInput['workloads'][number];
export type ContainerInput = WorkloadInput['containers'][number];
export type OperationInput = ScenarioInput['operations'][number];
export type FaultInput = ScenarioInput['faults'][number];
export type ExpectationInput = ScenarioInput['expectations'][number];
export type SimInput = z.output<typeof simSchema>;
