/**
 * simulate_change: "what happens if I do this?" answered by the deterministic simulator before the
 * change touches the cluster.
 *
 * From a snapshot of the cluster (nodes, the instances bound to them, the workloads) and a
 * proposed change (apply a workload spec, scale, delete, drain a node, lose a node or a zone), it
 * writes a scenario file: the snapshot's nodes, its workloads submitted at 0, its running instances
 * under `running:` (adopted where they run, not rescheduled), the change at {@link CHANGE_AT_MS}
 * and optional faults from the catalog, running for the horizon after the change. It runs that
 * file exactly as `slipway run FILE --seed N` does (same trace, same hash) and reports whether the
 * cluster converges and when, what stays pending and why, where every instance runs, the trace
 * hash and the command that replays it.
 *
 * Deterministic: the same snapshot and request give the same file and the same trace hash.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { isConverged, describeStatus } from '../check/expectations.js';
import { checkLiveness } from '../check/liveness.js';
import { parseDuration } from '../core/duration.js';
import { InputError } from '../core/errors.js';
import { writeFileDurable } from '../engine/durable-file.js';
import type { Orchestrator } from '../core/orchestrator.js';
import type { StateStore } from '../core/interfaces.js';
import type { Instance, InstanceStatus, Node, Workload } from '../core/types.js';
import { simulate, toWorkload, type SimWorld } from '../run/simulate.js';
import { parseScenario } from '../run/parse-scenario.js';
import { didYouMean } from '../scenario/schema.js';
import { nodeDoc, workloadDoc, type Doc } from './scenario-doc.js';

/** The change happens this long into the run: after the control plane has adopted the snapshot. */
export const CHANGE_AT_MS = 1_000;
export const DEFAULT_HORIZON = '10m';
/** The label naming a node's zone (Kubernetes' well-known label). */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** The live cluster as the control plane knows it. */
export interface ClusterSnapshot {
  readonly nodes: readonly Node[];
  readonly workloads: readonly Workload[];
  readonly instances: readonly Instance[];
  /** The scheduler the control plane runs: a name, or the scenario's `scheduler:` mapping (a profile). */
  readonly scheduler: string | Doc;
  /** Scenario `controlPlane:` and `latency:` blocks for the simulated twin (defaults when absent). */
  readonly controlPlane?: Doc;
  readonly latency?: Doc;
}

const name = z.string().min(1).max(253);

/** One proposed change. `apply` takes a workload in the scenario format (the same as `slipway apply`). */
export const changeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('apply'), workload: z.record(z.string(), z.unknown()).describe('a workload in the scenario format (name, replicas, containers, ...)') }),
  z.object({ kind: z.literal('scale'), workload: name, replicas: z.number().int().min(0).max(100_000) }),
  z.object({ kind: z.literal('delete'), workload: name }),
  z.object({ kind: z.literal('drain'), node: name.describe('cordon the node and evict its instances') }),
  z.object({ kind: z.literal('nodeLoss'), node: name.describe('the node crashes and does not come back') }),
  z.object({
    kind: z.literal('zoneLoss'),
    zone: name.describe('every node whose zone label has this value crashes for the whole horizon'),
    label: name.optional().describe(`the zone label (default ${ZONE_LABEL})`),
  }),
]);
export type ProposedChange = z.infer<typeof changeSchema>;

/** The fields of a what-if request (an object shape: MCP tool inputs and the API body use it). */
export const simulateRequestShape = {
  changes: z.array(changeSchema).min(1).max(100).describe('the changes, applied together at 1s into the run'),
  horizon: z.string().max(32).optional().describe(`how long to simulate after the change (default ${DEFAULT_HORIZON}; e.g. 30s, 10m, 1h)`),
  faults: z
    .array(z.record(z.string(), z.unknown()))
    .max(100)
    .optional()
    .describe('faults from the catalog in the scenario format, e.g. {at: 2m, nodeCrash: {node: node-3}}; times are run times (the change is at 1s)'),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional().describe('the simulation seed (default 1)'),
};
export const simulateRequestSchema = z.object(simulateRequestShape).strict();
export type SimulateRequest = z.infer<typeof simulateRequestSchema>;

export interface PendingReport {
  readonly workload: string;
  readonly pending: number;
  /** The scheduler's reason (kube-scheduler's `0/N nodes are available: ...`), or the status. */
  readonly reason: string;
}

export interface Placement {
  readonly instance: string;
  readonly workload: string;
  readonly slot: number;
  readonly node: string | null;
  readonly status: InstanceStatus;
}

export interface SimulateResult {
  /** The scenario file written (absolute path). */
  readonly scenarioFile: string;
  /** The command that replays the run from that file (same trace hash). */
  readonly replay: string;
  readonly seed: number;
  readonly traceHash: string;
  readonly changeAtMs: number;
  readonly horizonMs: number;
  /** Every workload converged at the end of the horizon (and stayed so since `convergedAfterMs`). */
  readonly converged: boolean;
  /** How long after the change the cluster converged for good; absent when it did not. */
  readonly convergedAfterMs?: number;
  readonly workloads: ReadonlyArray<{ readonly name: string; readonly desired: number; readonly running: number; readonly pending: number; readonly status: string }>;
  /** Workloads with instances still pending at the end, and why. */
  readonly pending: readonly PendingReport[];
  /** The end-of-run liveness check: failures (bugs) and capacity shortfalls (not bugs). */
  readonly liveness: { readonly failures: readonly string[]; readonly capacity: readonly string[] };
  /** Every live instance at the end, where it runs. */
  readonly placements: readonly Placement[];
  /** Instances of the snapshot no longer alive at the end, and instances that were not in it. */
  readonly stopped: readonly string[];
  readonly started: readonly string[];
  /** A safety invariant the run violated (a control-plane bug; the run stopped there). */
  readonly violation?: string;
}

function fail(message: string): never {
  throw new InputError(message);
}

function parseHorizon(v: string | undefined): number {
  const text = v ?? DEFAULT_HORIZON;
  let n: number;
  try {
    n = parseDuration(text);
  } catch (e) {
    fail(`horizon: invalid duration ${JSON.stringify(text)}: ${(e as Error).message}`);
  }
  if (!(n > 0) || n > 7 * 24 * 3_600_000) fail(`horizon: expected more than 0 and at most 7d, got ${JSON.stringify(text)}`);
  return n;
}

const ALIVE: ReadonlySet<InstanceStatus> = new Set(['Running', 'Pending', 'Unknown']);

/** The snapshot's instances that run where they are: bound, alive, not stopping, on a Ready node, one per slot. */
function runningOf(snapshot: ClusterSnapshot, workloads: ReadonlyMap<string, Workload>): Doc[] {
  const ready = new Set(snapshot.nodes.filter((n) => n.status === 'Ready').map((n) => n.id));
  const nodeName = new Map(snapshot.nodes.map((n) => [n.id, n.name]));
  const seen = new Set<string>();
  const out: Doc[] = [];
  for (const inst of snapshot.instances) {
    const w = workloads.get(inst.workloadName);
    if (!w || inst.node === undefined || !ready.has(inst.node) || !ALIVE.has(inst.status)) continue;
    if (inst.stopRequestedAt !== undefined || inst.waitingSince !== undefined) continue;
    if (inst.slot >= (w.kind === 'job' ? w.completions : w.replicas)) continue;
    const key = `${w.name}\u0000${inst.slot}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      workload: w.name,
      node: nodeName.get(inst.node),
      slot: inst.slot,
      id: inst.id,
      ...(w.gpus ? { gpus: [...(inst.gpus ?? [])] } : {}),
    });
  }
  return out;
}

/** Compares a spec with the one applied over it; returns the scenario operations that change it. */
function applyOperations(old: Workload, next: Workload, doc: Doc, at: string, where: string): Doc[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  for (const f of ['kind', 'labels', 'priority', 'restartPolicy', 'updateStrategy', 'placement', 'gpus', 'completions', 'backoffLimit'] as const) {
    if (!same(old[f], next[f])) {
      fail(`${where}: changing ${f} of the existing workload ${JSON.stringify(old.name)} cannot be simulated (a change may set replicas and the containers' image, command, args, env, requests, limits, sim); apply it under a new name to see where it would go`);
    }
  }
  const oldNames = old.containers.map((c) => c.name);
  const newNames = next.containers.map((c) => c.name);
  if (!same(oldNames, newNames)) fail(`${where}: the containers of ${JSON.stringify(old.name)} are ${oldNames.join(', ')}; a change cannot add, remove or rename containers (got ${newNames.join(', ')})`);
  const ops: Doc[] = [];
  const containers = (doc.containers as Doc[] | undefined) ?? [];
  next.containers.forEach((c, i) => {
    const o = old.containers[i];
    if (!same(o.ports, c.ports)) fail(`${where}: changing the ports of container ${c.name} cannot be simulated`);
    const d = containers[i] ?? {};
    const patch: Doc = {};
    const fields = [
      ['image', o.image, c.image],
      ['command', o.command, c.command],
      ['args', o.args, c.args],
      ['env', o.env, c.env],
      ['requests', o.requests, c.requests],
      ['limits', o.limits, c.limits],
      ['sim', o.sim, c.sim],
    ] as const;
    for (const [f, a, b] of fields) {
      if (same(a, b)) continue;
      // The value as written in the applied document (a cleared field is written as empty).
      patch[f] = d[f] ?? (f === 'env' || f === 'requests' || f === 'limits' || f === 'sim' ? {} : []);
    }
    if (Object.keys(patch).length) ops.push({ at, update: { workload: old.name, container: c.name, ...patch } });
  });
  if (old.replicas !== next.replicas) ops.push({ at, scale: { workload: old.name, replicas: next.replicas } });
  return ops;
}

/** A workload document parsed by the scenario loader (the one source of truth for its schema). */
function parseWorkload(doc: Doc, nodes: readonly Doc[], where: string): Workload {
  const text = stringify({ name: 'apply', duration: '1s', nodes, workloads: [{ ...doc, at: 0 }] });
  try {
    const s = parseScenario(text, where);
    return toWorkload(s.workloads[0]);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    // `where:LINE:COL: workloads[0].x: msg` → `where.x: msg` (the lines are of a generated document).
    const m = /^[^\n]*?:\d+:\d+: workloads\[0\]\.?([^:]*): ([\s\S]*)$/.exec(e.message);
    throw new InputError(m ? `${where}${m[1] ? `.${m[1]}` : ''}: ${m[2]}` : e.message.replace(/:\d+:\d+:/, ':'));
  }
}

/**
 * The scenario document for a snapshot and a request (pure). `name` names the scenario.
 */
export function whatIfScenario(snapshot: ClusterSnapshot, request: SimulateRequest, scenarioName = 'what-if'): Doc {
  const horizonMs = parseHorizon(request.horizon);
  const at = `${CHANGE_AT_MS}ms`;
  const workloads = new Map(snapshot.workloads.map((w) => [w.name, w]));
  const nodes = snapshot.nodes.map(nodeDoc);
  const byName = new Map(snapshot.nodes.map((n) => [n.name, n]));
  const workloadDocs: Doc[] = snapshot.workloads.map((w) => workloadDoc(w));
  const operations: Doc[] = [];
  const faults: Doc[] = [];
  // A node the control plane no longer sees Ready: crashed at 0, nothing runs on it.
  for (const n of snapshot.nodes) if (n.status !== 'Ready') faults.push({ at: 0, nodeCrash: { node: n.name } });
  const knownNode = (node: string, where: string) => {
    if (!byName.has(node)) fail(`${where}: unknown node ${JSON.stringify(node)}${didYouMean(node, [...byName.keys()])}`);
  };
  const knownWorkload = (w: string, where: string) => {
    if (!workloads.has(w)) fail(`${where}: unknown workload ${JSON.stringify(w)}${didYouMean(w, [...workloads.keys()])}`);
  };
  const applied = new Set<string>();
  request.changes.forEach((c, i) => {
    const where = `changes[${i}]`;
    switch (c.kind) {
      case 'apply': {
        const doc = c.workload;
        const wname = typeof doc.name === 'string' ? doc.name : fail(`${where}.workload.name: missing (a workload needs a name)`);
        if (applied.has(wname)) fail(`${where}: workload ${JSON.stringify(wname)} is applied twice`);
        applied.add(wname);
        const { at: _at, ...spec } = doc;
        const next = parseWorkload(spec, nodes, `${where}.workload`);
        const old = workloads.get(wname);
        if (old) operations.push(...applyOperations(old, next, spec, at, where));
        else workloadDocs.push({ ...spec, at });
        break;
      }
      case 'scale':
        knownWorkload(c.workload, `${where}.workload`);
        operations.push({ at, scale: { workload: c.workload, replicas: c.replicas } });
        break;
      case 'delete':
        knownWorkload(c.workload, `${where}.workload`);
        operations.push({ at, delete: { workload: c.workload } });
        break;
      case 'drain':
        knownNode(c.node, `${where}.node`);
        // Cordoned and evicted for the whole horizon (the drain fault uncordons after its duration).
        faults.push({ at, drain: { node: c.node, duration: `${horizonMs}ms` } });
        break;
      case 'nodeLoss':
        knownNode(c.node, `${where}.node`);
        faults.push({ at, nodeCrash: { node: c.node } });
        break;
      case 'zoneLoss': {
        const label = c.label ?? ZONE_LABEL;
        const zones = [...new Set(snapshot.nodes.map((n) => n.labels[label]).filter((z): z is string => z !== undefined))].sort();
        if (!zones.includes(c.zone)) {
          fail(`${where}.zone: no node has ${label}=${c.zone}${zones.length ? ` (zones: ${zones.join(', ')})` : ` (no node has the label ${label})`}`);
        }
        faults.push({ at, zoneOutage: { selector: { [label]: c.zone }, duration: `${horizonMs}ms` } });
        break;
      }
    }
  });
  for (const f of request.faults ?? []) faults.push({ ...f });
  return {
    name: scenarioName,
    description: `simulate_change: ${request.changes.map(describeChange).join('; ')} (snapshot of ${snapshot.nodes.length} nodes, ${snapshot.workloads.length} workloads)`,
    seed: request.seed ?? 1,
    duration: `${CHANGE_AT_MS + horizonMs}ms`,
    scheduler: snapshot.scheduler,
    ...(snapshot.controlPlane ? { controlPlane: snapshot.controlPlane } : {}),
    ...(snapshot.latency ? { latency: snapshot.latency } : {}),
    nodes,
    workloads: workloadDocs,
    running: runningOf(snapshot, workloads),
    ...(operations.length ? { operations } : {}),
    ...(faults.length ? { faults } : {}),
  };
}

/** One line per change, for descriptions and logs. */
export function describeChange(c: ProposedChange): string {
  switch (c.kind) {
    case 'apply':
      return `apply ${String(c.workload.name)}`;
    case 'scale':
      return `scale ${c.workload} to ${c.replicas}`;
    case 'delete':
      return `delete ${c.workload}`;
    case 'drain':
      return `drain ${c.node}`;
    case 'nodeLoss':
      return `lose node ${c.node}`;
    case 'zoneLoss':
      return `lose zone ${c.zone}`;
  }
}

export interface SimulateChangeOptions {
  /** Where the scenario file is written (created if needed). */
  readonly dir: string;
  /** The file's base name (default: `what-if-<first 12 hex of the request's hash>.yaml`). */
  readonly fileName?: string;
}

/** Stable JSON (sorted keys) for hashing. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * Runs a what-if: writes the scenario file, simulates it as `slipway run FILE --seed N` does, and
 * reports the outcome. Bad requests (unknown names, invalid specs or faults) throw InputError
 * naming the field.
 */
export async function simulateChange(snapshot: ClusterSnapshot, request: SimulateRequest, options: SimulateChangeOptions): Promise<SimulateResult> {
  const doc = whatIfScenario(snapshot, request);
  const text = stringify(doc, { lineWidth: 0 });
  // The loader validates this document as it is and parses `text` only to place a problem: the
  // YAML parse (and its nesting check) was a third of a what-if's CPU. The JSON copy is what
  // parsing `text` gives back (keys with undefined values dropped, plain data), so the file
  // replays to the same trace (test/serve/simulate-change.test.ts checks both).
  const document: unknown = JSON.parse(JSON.stringify(doc));
  const id = createHash('sha256').update(canonical(doc)).digest('hex').slice(0, 12);
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, options.fileName ?? `what-if-${id}.yaml`);
  // Validate before writing: a request the loader refuses leaves no file behind.
  let scenario;
  try {
    scenario = parseScenario(text, file, { document });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    // Problems in the request's faults name them by their index in the request.
    const m = /^[^\n]*?:\d+:\d+: faults\[(\d+)\]([^:]*): ([\s\S]*)$/.exec(e.message);
    const generated = (doc.faults as Doc[] | undefined)?.length ?? 0;
    const given = request.faults?.length ?? 0;
    if (m && Number(m[1]) >= generated - given) throw new InputError(`faults[${Number(m[1]) - (generated - given)}]${m[2]}: ${m[3]}`);
    throw new InputError(e.message.replace(file, 'simulate_change').replace(/:\d+:\d+:/, ':'));
  }
  // Whole or not at all: every byte, fsync, rename (write-file-atomic's one writeSync left a cut
  // file under the final name on a full disk, and the what-if reported success).
  writeFileDurable(file, text);

  let world: SimWorld | undefined;
  let since: number | undefined = 0;
  const evaluate = (t: number) => {
    const ok = world!.orchestrator.statuses().every((s) => isConverged(s) && s.terminating === s.terminatingUnreachable);
    if (ok && since === undefined) since = t;
    else if (!ok) since = undefined;
  };
  // Evaluated once the event that recorded a change has finished, not at its record: the last
  // `instance.removed` of a scale-down is recorded while its instance is still terminating, and
  // evaluated there the what-if reported convergence only at the horizon.
  let changedAt: number | undefined;
  const summary = await simulate(scenario, {
    observe: (w) => (world = w),
    onEvent: ({ type, t }) => {
      if (t >= CHANGE_AT_MS && (type.startsWith('instance.') || type.startsWith('workload.') || type.startsWith('op.'))) changedAt ??= t;
    },
    afterEvent: () => {
      if (changedAt === undefined) return;
      evaluate(changedAt);
      changedAt = undefined;
    },
  });
  const { orchestrator, store, cluster } = world!;
  evaluate(summary.simulatedTimeMs);
  const finalSince = since as number | undefined;
  const liveness = checkLiveness({ orchestrator, store, nodes: cluster.manager.listNodes() });
  const horizonMs = scenario.durationMs - CHANGE_AT_MS;
  return {
    scenarioFile: file,
    replay: `npx slipway run ${file} --seed ${scenario.seed}`,
    seed: scenario.seed,
    traceHash: summary.traceHash,
    changeAtMs: CHANGE_AT_MS,
    horizonMs,
    converged: finalSince !== undefined,
    ...(finalSince !== undefined ? { convergedAfterMs: Math.max(0, finalSince - CHANGE_AT_MS) } : {}),
    workloads: orchestrator.statuses().filter((s) => !s.deleted || s.running + s.notReady + s.pending + s.terminating > 0).map((s) => ({
      name: s.name,
      desired: s.desired,
      running: s.running,
      pending: s.pending,
      status: describeStatus(s),
    })),
    pending: pendingReports(orchestrator, store),
    liveness: { failures: liveness.failures, capacity: liveness.capacity },
    ...placementsOf(snapshot, store, world!),
    ...(summary.violation ? { violation: `${summary.violation.invariant}: ${summary.violation.message}` } : {}),
  };
}

function pendingReports(orchestrator: Orchestrator, store: StateStore): PendingReport[] {
  const out: PendingReport[] = [];
  for (const s of orchestrator.statuses()) {
    if (s.pending === 0 || s.deleted) continue;
    const reasons = new Map<string, number>();
    for (const inst of store.listInstances(s.name)) {
      if (inst.status !== 'Pending' || inst.stopRequestedAt !== undefined) continue;
      const r = inst.reason ?? (inst.node !== undefined ? `placed on ${inst.node}, starting` : 'waiting to be scheduled');
      reasons.set(r, (reasons.get(r) ?? 0) + 1);
    }
    const [reason] = [...reasons].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0] ?? [s.pendingReason ?? 'pending'];
    out.push({ workload: s.name, pending: s.pending, reason });
  }
  return out;
}

function placementsOf(snapshot: ClusterSnapshot, store: StateStore, world: SimWorld): Pick<SimulateResult, 'placements' | 'started' | 'stopped'> {
  const before = new Set(snapshot.instances.filter((i) => ALIVE.has(i.status)).map((i) => i.id));
  const placements: Placement[] = [];
  const alive = new Set<string>();
  for (const inst of store.listInstances()) {
    if (!ALIVE.has(inst.status) || inst.stopRequestedAt !== undefined) continue;
    alive.add(inst.id);
    placements.push({
      instance: inst.id,
      workload: inst.workloadName,
      slot: inst.slot,
      node: inst.node !== undefined ? (world.cluster.manager.getNode(inst.node)?.name ?? inst.node) : null,
      status: inst.status,
    });
  }
  placements.sort((a, b) => (a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : a.slot - b.slot));
  return {
    placements,
    started: [...alive].filter((id) => !before.has(id)).sort(),
    stopped: [...before].filter((id) => !alive.has(id)).sort(),
  };
}
