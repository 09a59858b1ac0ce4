/**
 * Every trace event: its `type` and its fields, declared once. The `Recorder` accepts only these
 * (`record('node.added', {...})` is checked against `node.added`'s fields at compile time), the
 * trace reader (src/engine/trace-reader.ts) validates each line of a trace file against them, and
 * every consumer (metrics, invariants, diff, export, report) switches over the `TraceEvent` union.
 * docs/trace-format.md is checked against this table by test/core/trace-events.test.ts.
 *
 * A line of the trace is `{"t":ms,"seq":n,"type":"...", ...fields}` (see src/engine/trace.ts).
 * Adding an event: one entry here, one row in docs/trace-format.md (docs/extending.md).
 */
import { z } from 'zod';

const str = z.string();
const num = z.number();
const int = z.number().int();
const bool = z.boolean();
const strs = z.array(z.string()).readonly();
const ints = z.array(z.number().int()).readonly();
/** A node's name; absent when the control plane no longer knows the node (it left the cluster). */
const nodeName = str.optional();

/** `{cpu: millicores, memory: bytes, disk: bytes, extended: {name: count}}`. */
const resources = z.strictObject({ cpu: num, memory: num, disk: num, extended: z.record(z.string(), num) });
const gpuDevices = z.strictObject({ model: str, count: int });
/** The scheduler's best nodes with each score plugin's score (framework profiles). */
const candidates = z.array(z.strictObject({ node: str, total: num, scores: z.record(z.string(), num) })).readonly();

const instanceFields = { instance: str, workload: str };

/** A fault's start or end on nodes (`nodes`: the nodes it hit). */
const onNodes = { nodes: strs };

/** Each event type → the shape of its fields (zod), besides `t`, `seq` and `type`. */
export const TRACE_EVENTS = {
  // --- run ---------------------------------------------------------------------------------
  'run.start': {
    slipway: str,
    scenario: str,
    file: str,
    seed: int,
    durationMs: num,
    untilMs: num,
    scheduler: str,
    backend: str.optional(),
    identity: str.optional(),
    resumed: bool.optional(),
    document: z.unknown(),
  },
  'run.end': { reason: str, events: int.optional(), expectationsFailed: int, expectationsNotChecked: int.optional(), errors: int.optional() },
  'run.error': { error: str },
  'run.interrupted': { signal: str },
  'run.teardown': { containersLeft: int },
  expectation: { name: str, ok: bool, checked: bool.optional(), detail: str },
  liveness: { ok: bool, failures: strs, capacity: strs },
  'invariant.violated': { invariant: str, event: int, message: str },

  // --- nodes -------------------------------------------------------------------------------
  'node.added': {
    node: str,
    status: str,
    capacity: resources,
    allocatable: resources,
    unschedulable: bool,
    gpus: gpuDevices.optional(),
    /** With a pod network only (`cluster.network`). */
    podCidr: str.optional(),
  },
  'node.status': { node: str, from: str, to: str },
  'node.taints': { node: str, taints: strs },
  'node.removed': { node: str },
  'node.init_failed': { node: nodeName, error: str },
  'node.adopt_failed': { node: str, error: str },

  // --- workloads ---------------------------------------------------------------------------
  'workload.submitted': { workload: str, kind: str, replicas: int, completions: int.optional(), generation: int },
  'workload.scaled': { workload: str, from: int, to: int },
  'workload.updated': { workload: str, generation: int },
  'workload.deleted': { workload: str },
  'workload.removed': { workload: str },
  'workload.completed': { workload: str, succeeded: int, failed: int },
  'workload.failed': { workload: str, reason: str },
  'workload.restored': { workload: str, replicas: int, generation: int },

  // --- instances ---------------------------------------------------------------------------
  'instance.created': { ...instanceFields, slot: int, generation: int, reason: str },
  'instance.scheduled': {
    ...instanceFields,
    node: nodeName,
    attempt: int,
    request: resources.optional(),
    gpus: ints.optional(),
    candidates: candidates.optional(),
    gang: str.optional(),
    waitedMs: num.optional(),
  },
  'instance.waiting': {
    ...instanceFields,
    node: str,
    attempt: int,
    request: resources,
    gang: str,
    members: int,
    minMember: int,
    timeoutAt: num,
    gpus: ints.optional(),
    candidates: candidates.optional(),
  },
  'instance.unreserved': { ...instanceFields, node: nodeName, reason: str },
  'instance.unschedulable': { ...instanceFields, attempt: int, message: str, reasons: z.record(z.string(), num) },
  /** `ip`: the instance's address, on the change to Running, with a pod network only. */
  'instance.status': { ...instanceFields, from: str, to: str, reason: str.optional(), exitCode: int.optional(), ip: str.optional() },
  /** A Running instance stopped being ready (a container paused: `reason`) or became ready again. */
  'instance.ready': { ...instanceFields, ready: bool, reason: str.optional() },
  /** `pdb`: a preemption victim whose eviction violates that PodDisruptionBudget. */
  'instance.stopping': { ...instanceFields, from: str, reason: str, taint: str.optional(), pdb: str.optional() },
  'instance.removed': { ...instanceFields, node: nodeName },
  'instance.forgotten': { ...instanceFields, reason: str },
  /** `pdbViolations`: victims whose eviction violates a PodDisruptionBudget (absent: none). */
  'instance.preempting': { ...instanceFields, node: nodeName, victims: strs, pdbViolations: int.optional() },
  'instance.adopted': { ...instanceFields, node: str, slot: int, generation: int, containers: int },

  // --- init and sidecar containers (src/core/init-containers.ts) ---------------------------
  /** The control plane creates an init container (`sidecar`: a restartable one); `index` counts from 1 among the init containers. */
  'init.started': { ...instanceFields, node: nodeName, container: str, index: int, of: int, sidecar: bool.optional() },
  /** An init container (not a sidecar) exited: with `exitCode` 0 it completed, else it failed its instance (absent: it vanished). */
  'init.finished': { ...instanceFields, container: str, exitCode: int.optional() },
  /** Every init container exited 0 and every sidecar started: the regular containers start now; `initMs` since the first init container's create. */
  'init.completed': { ...instanceFields, initMs: num },
  /** A sidecar exited while its instance lives: it is created again at `at` (back-off: `restarts`-th restart). */
  'init.sidecar_restart': { ...instanceFields, container: str, restarts: int, exitCode: int.optional(), at: num },

  // --- endpoints (with a pod network only; docs/networking.md) -----------------------------
  /** The workload's endpoints changed: `added`/`removed` are `IP:PORT` (`IP:PORT/udp`, bare `IP` without ports); `endpoints`: how many now. */
  'endpoints.changed': { workload: str, added: strs, removed: strs, endpoints: int },

  // --- gangs -------------------------------------------------------------------------------
  'gang.timeout': { gang: str, members: int, minMember: int, instances: strs, waitedMs: num, by: str.optional() },
  'gang.rejected': { gang: str, members: int, minMember: int, instances: strs, waitedMs: num, by: str.optional() },

  // --- slots -------------------------------------------------------------------------------
  'slot.failed': { workload: str, slot: int, failures: int, nextAttemptAt: num },
  'slot.backoff': { workload: str, slot: int, failures: int, until: num },
  /** Free slots not filled before `until` (absent: while `nodes` stay unlisted): they may run on `nodes`, not listed since the control plane started. */
  'slot.held': { workload: str, slots: ints, nodes: strs, until: num.optional() },

  // --- containers --------------------------------------------------------------------------
  'container.created': { container: str, instance: str, workload: str, node: nodeName, name: str },
  'container.create_failed': { instance: str, workload: str, node: nodeName, container: str, code: str, error: str },
  'container.state': { container: str, instance: str.optional(), node: nodeName, state: str, exitCode: int.optional(), reason: str.optional() },
  'container.orphan': { container: str, node: str, instance: str.optional() },
  'container.orphan_removed': { container: str },

  // --- operations --------------------------------------------------------------------------
  'op.scale': { workload: str, replicas: int, applied: bool },
  'op.update': { workload: str, patch: z.unknown(), applied: bool },
  'op.delete': { workload: str, applied: bool },
  'op.add_node': { node: str, applied: bool },
  'op.remove_node': { node: str, applied: bool },
  'op.taint': { node: str, taint: str, applied: bool },
  'op.untaint': { node: str, key: str, effect: str.optional(), applied: bool },

  // --- faults (see each kind's file in src/faults/) ----------------------------------------
  /** A node fault whose target matched no node when it fired (a removed node, a selector matching none). */
  'fault.not_applied': { fault: str, applied: bool, reason: str, node: str.optional(), selector: str.optional() },
  'fault.node_crash': { node: str.optional(), applied: bool, recoverAfter: num.optional(), detail: str.optional() },
  'fault.node_boot': { node: str, applied: bool, detail: str.optional() },
  'fault.zone_outage': { ...onNodes, duration: num },
  'fault.node_freeze': { node: str, duration: num, applied: bool },
  'fault.node_resume': { node: str },
  'fault.partition': { ...onNodes, direction: str, duration: num },
  'fault.partition_heal': onNodes,
  'fault.messages': { ...onNodes, kinds: strs, drop: num, duplicate: num, duration: num },
  'fault.messages_end': onNodes,
  'fault.container_crash': { workload: str, slot: int, exitCode: int, applied: bool, container: str.optional(), detail: str.optional() },
  'fault.crash_loop': { workload: str, exitAfter: num, exitCode: int, duration: num },
  'fault.crash_loop_end': { workload: str },
  'fault.image_pull_failure': { ...onNodes, image: str.optional(), duration: num },
  'fault.image_pull_failure_end': onNodes,
  'fault.slow_image_pull': { ...onNodes, factor: num, duration: num },
  'fault.slow_image_pull_end': onNodes,
  'fault.memory_leak': { workload: str, bytesPerMinute: num, duration: num, containers: int },
  'fault.drain': { node: str, cordoned: bool, evicted: int, duration: num },
  'fault.uncordon': { node: str, applied: bool },
  'drain.blocked': { node: str, instance: str, reason: str },
  'drain.done': { node: str, retries: int },
  'drain.timeout': { node: str, remaining: int },
  'fault.clock_skew': { ...onNodes, offsetMs: num, duration: num },
  'fault.clock_skew_end': onNodes,
  'fault.slow_node': { node: str, delay: num, duration: num, applied: bool },
  'fault.slow_node_end': { node: str },
  'fault.cp_crash': { replica: str, applied: bool, restartAfter: num.optional() },
  'fault.cp_restart': { replica: str, applied: bool },
  'fault.cp_pause': { replica: str, duration: num, applied: bool },
  'fault.cp_resume': { replica: str },
  'fault.store_partition': { replica: str, duration: num, applied: bool },
  'fault.store_partition_heal': { replica: str },
  'fault.store_latency': { extraMs: num, duration: num, applied: bool },
  'fault.store_latency_end': {},
  'fault.lease_skew': { skewMs: num, duration: num, applied: bool },
  'fault.lease_skew_end': {},
  'fault.store_election': { duration: num, applied: bool },
  'fault.store_election_end': {},

  // --- replicated control plane (src/run/sim-replicas.ts; issue #14) -----------------------
  /** A replica won the election: `term` is the leader key's create revision (the fencing token). */
  'cp.elected': { replica: str, term: int },
  /** A replica stopped leading: `reason` lease-expired | key-changed | deadline | fenced | resigned | crashed. */
  'cp.deposed': { replica: str, term: int, reason: str, detail: str },
  /** The new leader rebuilt its view: workloads listed from the store at `revision`, containers adopted. */
  'cp.takeover': { replica: str, term: int, revision: int, workloads: int },
  /** A fenced write was refused: the writer's term is no longer the leader key's. */
  'cp.fenced': { replica: str, term: int, key: str },

  // --- membership (backends/sim/sim-membership.ts) -----------------------------------------
  'member.suspected': { node: str, incarnation: int, by: str },
  'member.declared_dead': { node: str, incarnation: int, by: str },
  'member.refuted': { node: str, incarnation: int },
  'member.view': { node: str, state: str, incarnation: int, cause: str },
  'membership.stats': {
    members: int,
    messages: int,
    probes: int,
    indirectProbes: int,
    suspicions: int,
    refutations: int,
    deadDeclarations: int,
  },
} as const satisfies Record<string, z.core.$ZodLooseShape>;

type Events = typeof TRACE_EVENTS;

/** Every trace event type. */
export type TraceEventType = keyof Events;

/** The fields of an event of type K, as recorded (optional fields may be absent). */
export type FieldsOf<K extends TraceEventType> = z.output<z.ZodObject<Events[K]>>;

/** An event of type K as a trace line holds it. */
export type TraceEventOf<K extends TraceEventType> = { readonly t: number; readonly seq: number; readonly type: K } & FieldsOf<K>;

/** Any trace event: a discriminated union on `type`. */
export type TraceEvent = { [K in TraceEventType]: TraceEventOf<K> }[TraceEventType];

/** Fault events: `fault.*`. */
export type FaultEvent = Extract<TraceEvent, { type: `fault.${string}` }>;

/** Every event type, in the table's order. */
export const TRACE_EVENT_TYPES = Object.keys(TRACE_EVENTS) as TraceEventType[];

export function isTraceEventType(type: string): type is TraceEventType {
  return Object.prototype.hasOwnProperty.call(TRACE_EVENTS, type);
}

/** A fault's event (`fault.*`). */
export function isFaultEvent(e: TraceEvent): e is FaultEvent {
  return e.type.startsWith('fault.');
}

/**
 * The event's fields by name, for code that treats every field alike (a diff of two events, an
 * export's argument list). Code that reads one field by its meaning switches on `type` instead.
 */
export function fieldsOf(e: TraceEvent): Readonly<Record<string, unknown>> {
  return e;
}
