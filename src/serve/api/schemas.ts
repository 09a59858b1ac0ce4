/**
 * The API's zod schemas: request validation and, through @hono/zod-openapi, the OpenAPI 3.1
 * document served at /openapi.json. A workload's spec is the scenario format's `workloads:` entry;
 * its schema here documents the fields and their JSON types, and lets unknown keys through so the
 * scenario loader (the one source of truth, see cluster-spec.ts) checks and names them.
 */
import { z } from '@hono/zod-openapi';
import { wholeNumberExpected } from './problem.js';

export const Problem = z
  .object({
    type: z.string().meta({ description: 'about:blank (the status code says it all)' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().meta({ description: 'one line: what is wrong and, for a field, which one' }),
    instance: z.string().optional().meta({ description: 'the request path' }),
    field: z.string().optional().meta({ description: 'the offending field, e.g. spec.containers[0].image' }),
    currentRevision: z.number().int().optional().meta({ description: '409: the object\'s current revision' }),
    oldestRevision: z.number().int().optional().meta({ description: '410: the oldest revision still held' }),
  })
  .openapi('Problem');

/**
 * A whole number in a query string, at least `min` (and at most `max`). `z.coerce.number()` said
 * "expected number, received NaN" for `?since=abc` and read `?since=` as 0; this names the range
 * and the value, and refuses the empty one. Documented in the OpenAPI document as an integer with
 * its bounds.
 */
export function queryWholeNumber(min: number, max?: number) {
  const n = z.number({ error: (iss) => wholeNumberExpected(min, max, String(iss.input)) }).int().min(min);
  return z.preprocess((v) => (typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v), max === undefined ? n : n.max(max));
}

const quantity = z.union([z.string(), z.number()]).meta({ description: 'a Kubernetes quantity: cpu 0.5, "500m"; memory "256Mi", 268435456' });
const resourceMap = z.record(z.string(), quantity);

const ContainerSpec = z
  .looseObject({
    name: z.string().meta({ description: 'DNS label, unique in the workload' }),
    image: z.string(),
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    ports: z.array(z.looseObject({ containerPort: z.number().int(), hostPort: z.number().int().optional(), protocol: z.enum(['tcp', 'udp', 'sctp']).optional() })).optional(),
    requests: resourceMap.optional(),
    limits: resourceMap.optional(),
    sim: z.record(z.string(), z.unknown()).optional().meta({ description: 'sim backend: runFor, exitCode, memory (see the scenario format)' }),
  })
  .openapi('ContainerSpec');

export const WorkloadSpec = z
  .looseObject({
    name: z.string().meta({ description: 'DNS label; the workload\'s identity' }),
    kind: z.enum(['service', 'job']).optional(),
    replicas: z.number().int().min(0).optional(),
    completions: z.number().int().optional(),
    backoffLimit: z.number().int().optional(),
    priority: z.number().int().optional(),
    restartPolicy: z.enum(['Always', 'OnFailure', 'Never']).optional(),
    updateStrategy: z.record(z.string(), z.unknown()).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    containers: z.array(ContainerSpec),
    placement: z.record(z.string(), z.unknown()).optional().meta({ description: 'nodeSelector, affinity, tolerations, topologySpreadConstraints, gang, ... (the scenario format)' }),
    gpus: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('WorkloadSpec', { description: 'A workload in the scenario file format (workloads: entries), without `at`.' });

const revisionField = z.number().int().min(0).optional().meta({ description: 'check-and-set: the revision last read (0 = must not exist yet); absent = unconditional' });

export const ApplyRequest = z.object({ spec: WorkloadSpec, revision: revisionField }).openapi('ApplyRequest');
export const ScaleRequest = z.object({ replicas: z.number().int().min(0), revision: revisionField }).openapi('ScaleRequest');
export const NodeActionRequest = z.object({ revision: revisionField }).openapi('NodeActionRequest');
export const ExplainRequest = z
  .object({
    workload: z.string().optional().meta({ description: 'an applied workload: explain one more of its instances (and why one is pending)' }),
    spec: WorkloadSpec.optional().meta({ description: 'a workload not applied: where would it go?' }),
  })
  .openapi('ExplainRequest');

export const WorkloadStatus = z.object({
  desired: z.number().int(),
  running: z.number().int().meta({ description: 'Running and ready instances' }),
  notReady: z.number().int().meta({ description: 'Running instances that are not ready (a container paused): not in running' }),
  updated: z.number().int(),
  pending: z.number().int(),
  terminating: z.number().int(),
  failed: z.number().int(),
  succeeded: z.number().int(),
  restarts: z.number().int(),
  completed: z.boolean(),
  jobFailed: z.boolean(),
  pendingReason: z.string().optional(),
});

export const Workload = z
  .object({
    name: z.string(),
    revision: z.number().int().meta({ description: 'revision of the last change' }),
    createdRevision: z.number().int(),
    generation: z.number().int().meta({ description: 'bumped by every spec change except replicas' }),
    kind: z.enum(['service', 'job']),
    labels: z.record(z.string(), z.string()),
    spec: z.record(z.string(), z.unknown()),
    status: WorkloadStatus,
  })
  .openapi('Workload');

export const WorkloadList = z.object({ revision: z.number().int().meta({ description: 'the current revision: watch from here' }), items: z.array(Workload) }).openapi('WorkloadList');

export const Rollout = z
  .object({
    name: z.string(),
    revision: z.number().int(),
    generation: z.number().int(),
    desired: z.number().int(),
    updated: z.number().int(),
    running: z.number().int(),
    outdated: z.number().int(),
    pending: z.number().int(),
    complete: z.boolean(),
    message: z.string(),
  })
  .openapi('Rollout');

export const Deleted = z.object({ name: z.string(), revision: z.number().int() }).openapi('Deleted');

const resources = z.record(z.string(), z.number()).meta({ description: 'cpu in millicores, memory and disk in bytes, extended resources as counts' });

export const Node = z
  .object({
    name: z.string(),
    revision: z.number().int(),
    address: z.string(),
    status: z.enum(['Ready', 'NotReady', 'Unknown', 'Down']),
    unschedulable: z.boolean(),
    labels: z.record(z.string(), z.string()),
    taints: z.array(z.object({ key: z.string(), value: z.string().optional(), effect: z.string() })),
    capacity: resources,
    allocatable: resources,
    allocated: resources,
    instances: z.number().int(),
    podCidr: z.string().optional().meta({ description: 'the block its instances get addresses from (with a pod network, `cluster.network`)' }),
  })
  .openapi('Node');

export const NodeList = z.object({ revision: z.number().int(), items: z.array(Node) }).openapi('NodeList');
export const DrainResult = z.object({ node: Node, evicted: z.number().int() }).openapi('DrainResult');

export const Instance = z
  .object({
    id: z.string(),
    revision: z.number().int(),
    workload: z.string(),
    slot: z.number().int(),
    generation: z.number().int(),
    node: z.string().optional(),
    ip: z.string().optional().meta({ description: 'its address (pod IP), with a pod network, once its node reported it' }),
    status: z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown', 'Terminating']),
    reason: z.string().optional(),
    notReady: z.string().optional().meta({ description: 'set while a Running instance is not ready, with why (container web is paused)' }),
    containers: z.array(z.object({ name: z.string(), role: z.enum(['init', 'sidecar']).optional().openapi({ description: 'init container (runs to completion first) or sidecar; absent for a regular container' }), id: z.string().optional(), state: z.string(), exitCode: z.number().int().optional() })),
    restarts: z.number().int().meta({ description: 'failures of this replica slot so far' }),
    lastExit: z.object({ exitCode: z.number().int().optional(), reason: z.string().optional(), time: z.number(), instance: z.string() }).optional(),
    createdAt: z.number(),
    scheduledAt: z.number().optional(),
    startedAt: z.number().optional(),
    finishedAt: z.number().optional(),
    stopRequestedAt: z.number().optional(),
  })
  .openapi('Instance');

export const InstanceList = z.object({ revision: z.number().int(), items: z.array(Instance) }).openapi('InstanceList');

export const Endpoints = z
  .object({
    workload: z.string(),
    endpoints: z.array(z.string()).meta({ description: 'IP:PORT of its running instances not asked to stop (IP:PORT/udp, bare IP without ports), by address; empty without a pod network' }),
  })
  .openapi('Endpoints');

export const EndpointsList = z.object({ revision: z.number().int(), items: z.array(Endpoints) }).openapi('EndpointsList');

export const Event = z
  .object({
    revision: z.number().int(),
    type: z.string().meta({ description: 'instance.scheduled, container.state, node.status, api.workload.created, ... (the trace format\'s record types)' }),
    time: z.number().meta({ description: 'clock ms (virtual on the sim backend)' }),
    wallTime: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi('Event');

export const EventList = z.object({ revision: z.number().int(), events: z.array(Event) }).openapi('EventList');

export const ExplainResult = z
  .object({
    workload: z.string(),
    pendingReason: z.string().optional(),
    pending: z.string(),
    profile: z.string(),
    chosen: z.string().nullable(),
    weights: z.record(z.string(), z.number()),
    nodes: z.array(
      z.object({
        name: z.string(),
        feasible: z.boolean(),
        reasons: z.array(z.string()),
        filters: z.record(z.string(), z.string()),
        scores: z.record(z.string(), z.number()),
        total: z.number().nullable(),
        gpuFree: z.array(z.number()).optional(),
      }),
    ),
    preemption: z.object({ node: z.string(), victims: z.array(z.string()) }).optional(),
    gpus: z.array(z.number()).optional(),
    note: z.string().optional(),
  })
  .openapi('ExplainResult');

export const Health = z.object({ ok: z.boolean() }).openapi('Health');
export const Ready = z
  .object({
    ready: z.boolean(),
    reasons: z.array(z.string()).meta({ description: 'why not ready (empty when ready)' }),
    role: z.enum(['leader', 'follower']),
    leader: z.string().meta({ description: 'the leader\'s address (this daemon when it is the leader)' }),
  })
  .openapi('Ready');

export const NameParam = z.object({ name: z.string().meta({ param: { name: 'name', in: 'path' } }) });
export const IdParam = z.object({ id: z.string().meta({ param: { name: 'id', in: 'path' } }) });
