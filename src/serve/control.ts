/**
 * The daemon's one handle on the cluster: the Orchestrator, its store, the event log and the
 * backend, behind the operations the API, the MCP server and the dashboard offer. Everything a
 * caller may do to the cluster goes through here, so revisions, check-and-set and persistence are
 * applied the same way whoever calls.
 *
 * Check-and-set: every mutation may name the `revision` the caller last saw; when the object has
 * changed since, it fails with a ConflictError carrying the current revision (HTTP 409). Mutations
 * are synchronous on the event loop, so of N concurrent updates naming the same revision exactly
 * one wins.
 */
import { podRequests } from '../core/pod-requests.js';
import type { z } from 'zod';
import { OrchestrationError } from '../core/errors.js';
import type { Orchestrator, WorkloadStatus } from '../core/orchestrator.js';
import type { Instance, Node, Workload } from '../core/types.js';
import { toWorkload } from '../run/simulate.js';
import { explainOn, type ExplainReport } from '../scheduler/explain/explain.js';
import { nodeTableOf, podOf } from '../scheduler/framework-scheduler.js';
import { PROFILES, type ProfileConfig } from '../scheduler/profiles.js';
import type { Scenario } from '../scenario/types.js';
import type { ServeRuntime } from './backend.js';
import { parseWorkloadSpec } from './cluster-spec.js';
import type { EventLog } from './events.js';
import { matchesSelector, type Selector } from './selector.js';
import type { DaemonStore } from './serve-store.js';
import type { Endpoints as EndpointsSchema, Instance as InstanceSchema, Node as NodeSchema, Rollout as RolloutSchema, Workload as WorkloadSchema } from './api/schemas.js';

/** The API's objects: their types are the schemas' (one definition, also in /openapi.json). */
export type WorkloadResource = z.infer<typeof WorkloadSchema>;
export type NodeResource = z.infer<typeof NodeSchema>;
export type InstanceResource = z.infer<typeof InstanceSchema>;
export type RolloutStatus = z.infer<typeof RolloutSchema>;
export type EndpointsResource = z.infer<typeof EndpointsSchema>;

/** A request the cluster refuses, with the HTTP status it maps to. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 410 | 422 | 501 | 503,
    readonly title: string,
    message: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** How far (wall ms) the control plane may be behind its clock before changes that add work are refused (ClusterControl.refuseWhileBehind). */
export const OVERLOAD_LAG_MS = 5_000;

export const notFound = (what: string, name: string) => new ApiError(404, 'Not Found', `${what} ${JSON.stringify(name)} not found`, { [what]: name });

function conflict(what: string, name: string, current: number, given: number): ApiError {
  return new ApiError(409, 'Conflict', `${what} ${JSON.stringify(name)} is at revision ${current}, not ${given}: read it again and retry`, { currentRevision: current, field: 'revision' });
}

function flatResources(r: { cpu: number; memory: number; disk?: number; extended: Readonly<Record<string, number>> }): Record<string, number> {
  return { cpu: r.cpu, memory: r.memory, ...(r.disk ? { disk: r.disk } : {}), ...r.extended };
}

/** The spec fields that make a new generation when they change (everything but replicas). */
function specKey(w: Workload): string {
  const { replicas: _r, generation: _g, ...rest } = w;
  return JSON.stringify(rest);
}

export interface ControlDeps {
  readonly orchestrator: Orchestrator;
  readonly store: DaemonStore;
  readonly events: EventLog;
  readonly backend: ServeRuntime;
  readonly scenario: Scenario;
  /** The daemon's listen address (readyz's leader address). */
  readonly address: () => string;
  /** This replica's role and the leader's URL (replicas on etcd); default: the only replica leads. */
  readonly role?: () => { role: 'leader' | 'follower'; leader: string };
}

export class ClusterControl {
  readonly orchestrator: Orchestrator;
  readonly store: DaemonStore;
  readonly events: EventLog;
  readonly backend: ServeRuntime;
  readonly scenario: Scenario;
  private readonly nodeRevision = new Map<string, number>();
  private readonly instanceRevision = new Map<string, number>();
  /** Per `workload/slot`: failures and the last end. */
  private readonly slots = new Map<string, { restarts: number; lastExit?: InstanceResource['lastExit'] }>();
  private started = false;

  constructor(private readonly d: ControlDeps) {
    this.orchestrator = d.orchestrator;
    this.store = d.store;
    this.events = d.events;
    this.backend = d.backend;
    this.scenario = d.scenario;
    d.events.tap((type, f, rev) => this.onRecord(type, f, rev));
  }

  /** Called once the orchestrator has started (adoption done): /readyz turns ready. */
  markStarted(): void {
    this.started = true;
  }

  private onRecord(type: string, f: Record<string, unknown>, rev: number): void {
    const inst = typeof f.instance === 'string' ? f.instance : undefined;
    if (inst !== undefined) {
      if (type === 'instance.removed' || type === 'instance.forgotten') this.instanceRevision.delete(inst);
      else this.instanceRevision.set(inst, rev);
    }
    if (typeof f.node === 'string' && type.startsWith('node.')) this.nodeRevision.set(f.node, rev);
    if (type === 'slot.failed' && typeof f.workload === 'string') {
      const key = `${f.workload}/${String(f.slot)}`;
      const s = this.slots.get(key) ?? { restarts: 0 };
      this.slots.set(key, { ...s, restarts: Number(f.failures) || s.restarts });
    }
    if (type === 'instance.status' && inst !== undefined && (f.to === 'Failed' || f.to === 'Succeeded')) {
      const i = this.store.getInstance(inst);
      if (i) {
        const key = `${i.workloadName}/${i.slot}`;
        const s = this.slots.get(key) ?? { restarts: 0 };
        const exitCode = typeof f.exitCode === 'number' ? f.exitCode : undefined;
        const reason = typeof f.reason === 'string' ? f.reason : undefined;
        this.slots.set(key, { ...s, lastExit: { ...(exitCode !== undefined ? { exitCode } : {}), ...(reason !== undefined ? { reason } : {}), time: this.backend.clock.now(), instance: inst } });
      }
    }
    if (type === 'workload.removed' && typeof f.workload === 'string') {
      const prefix = `${f.workload}/`;
      for (const k of [...this.slots.keys()]) if (k.startsWith(prefix)) this.slots.delete(k);
    }
  }

  /**
   * Overload: while the control plane is more than OVERLOAD_LAG_MS behind its clock (sim backend:
   * it has more work than its thread does in time, slipway_control_plane_lag_seconds), a change
   * that would give it more (a create, a new generation, a scale) is refused with 503 and a
   * Retry-After, as a Kubernetes API server sheds load with 429: accepted, such work piles up in
   * memory for as long as the load lasts. Reads, deletes, cordons and drains still go through, and
   * an apply that changes nothing is answered as before.
   */
  private refuseWhileBehind(): void {
    const lag = this.backend.lagMs?.() ?? 0;
    if (!(lag > OVERLOAD_LAG_MS)) return;
    const retryAfter = Math.max(1, Math.ceil((lag - OVERLOAD_LAG_MS / 2) / 1000));
    throw new ApiError(503, 'Service Unavailable', `the control plane is ${(lag / 1000).toFixed(1)} s behind (more than ${OVERLOAD_LAG_MS / 1000} s): it takes no new work until it catches up; retry in ${retryAfter} s`, { retryAfter });
  }

  // -------------------------------------------------------------------------------------------
  // Workloads
  // -------------------------------------------------------------------------------------------

  private active(name: string): { w: Workload; st: WorkloadStatus } | undefined {
    const st = this.orchestrator.status(name);
    const w = this.orchestrator.getWorkload(name);
    if (!st || !w || st.deleted) return undefined;
    return { w, st };
  }

  private resource(w: Workload, st: WorkloadStatus): WorkloadResource {
    const meta = this.store.meta.workloads[w.name];
    return {
      name: w.name,
      revision: meta?.revision ?? 0,
      createdRevision: meta?.createdRevision ?? 0,
      generation: w.generation,
      kind: w.kind,
      labels: w.labels,
      spec: meta?.spec ?? {},
      status: {
        desired: st.desired,
        running: st.running,
        notReady: st.notReady,
        updated: st.updated,
        pending: st.pending,
        terminating: st.terminating,
        failed: st.failed,
        succeeded: st.succeeded,
        restarts: st.restarts,
        completed: st.completed,
        jobFailed: st.jobFailed,
        ...(st.pendingReason !== undefined ? { pendingReason: st.pendingReason } : {}),
      },
    };
  }

  listWorkloads(selector?: Selector): WorkloadResource[] {
    const out: WorkloadResource[] = [];
    for (const st of this.orchestrator.statuses()) {
      if (st.deleted) continue;
      const w = this.orchestrator.getWorkload(st.name)!;
      if (selector && !matchesSelector(selector, w.labels)) continue;
      out.push(this.resource(w, st));
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  getWorkload(name: string): WorkloadResource {
    const a = this.active(name);
    if (!a) throw notFound('workload', name);
    return this.resource(a.w, a.st);
  }

  /** Every workload's endpoints (docs/networking.md), by workload name. */
  listEndpoints(): EndpointsResource[] {
    return this.listWorkloads().map((w) => ({ workload: w.name, endpoints: this.orchestrator.endpointsOf(w.name) }));
  }

  getEndpoints(name: string): EndpointsResource {
    if (!this.active(name)) throw notFound('workload', name);
    return { workload: name, endpoints: this.orchestrator.endpointsOf(name) };
  }

  /**
   * Creates or updates a workload from its spec (scenario format). `revision`: 0 = create only,
   * N = only if it is still at N, absent = unconditional. A spec change (anything but replicas)
   * starts a new generation (a rolling update).
   */
  applyWorkload(spec: unknown, revision?: number): { resource: WorkloadResource; created: boolean; changed: boolean } {
    const def = parseWorkloadSpec(spec);
    const name = def.name;
    const cur = this.active(name);
    const meta = this.store.meta.workloads[name];
    if (revision !== undefined) {
      const have = cur ? meta?.revision ?? 0 : 0;
      if (have !== revision) {
        if (!cur) throw new ApiError(409, 'Conflict', `workload ${JSON.stringify(name)} does not exist (revision ${revision} given; 0 or none creates it)`, { workload: name, currentRevision: 0, field: 'revision' });
        throw conflict('workload', name, have, revision);
      }
    }
    const gone = this.orchestrator.status(name);
    if (!cur && gone?.deleted && gone.running + gone.notReady + gone.pending + gone.terminating > 0) {
      throw new ApiError(409, 'Conflict', `workload ${JSON.stringify(name)} is being deleted (${gone.terminating + gone.running + gone.notReady + gone.pending} instances still stopping); apply it again once they are gone`, { workload: name, field: 'name' });
    }
    const next = toWorkload(def);
    let workload: Workload;
    let changed = true;
    if (cur) {
      if (cur.w.kind !== next.kind) throw new ApiError(422, 'Unprocessable Content', `kind: a ${cur.w.kind} cannot become a ${next.kind}; delete it and create it again`, { field: 'kind' });
      const sameSpec = specKey({ ...next, generation: cur.w.generation }) === specKey(cur.w);
      workload = { ...next, generation: sameSpec ? cur.w.generation : cur.w.generation + 1 };
      changed = !sameSpec || cur.w.replicas !== next.replicas;
    } else {
      workload = next;
    }
    const specDoc = spec as Record<string, unknown>;
    if (!changed && JSON.stringify(meta?.spec) === JSON.stringify(specDoc)) {
      return { resource: this.resource(cur!.w, cur!.st), created: false, changed: false };
    }
    this.refuseWhileBehind();
    try {
      this.orchestrator.apply(workload);
    } catch (e) {
      if (e instanceof OrchestrationError) throw new ApiError(409, 'Conflict', e.message, { workload: name });
      throw e;
    }
    const rev = this.events.append(cur ? 'api.workload.updated' : 'api.workload.created', { workload: name, generation: workload.generation, replicas: workload.replicas }).revision;
    this.store.meta.workloads[name] = { revision: rev, createdRevision: cur ? meta?.createdRevision ?? rev : rev, spec: specDoc };
    this.store.markDirty();
    const a = this.active(name)!;
    return { resource: this.resource(a.w, a.st), created: !cur, changed: true };
  }

  scaleWorkload(name: string, replicas: number, revision?: number): WorkloadResource {
    const cur = this.active(name);
    if (!cur) throw notFound('workload', name);
    const meta = this.store.meta.workloads[name];
    if (revision !== undefined && (meta?.revision ?? 0) !== revision) throw conflict('workload', name, meta?.revision ?? 0, revision);
    if (cur.w.replicas !== replicas) {
      this.refuseWhileBehind();
      this.orchestrator.apply({ ...cur.w, replicas });
      const rev = this.events.append('api.workload.scaled', { workload: name, from: cur.w.replicas, to: replicas }).revision;
      const spec = { ...(meta?.spec ?? {}), replicas };
      this.store.meta.workloads[name] = { revision: rev, createdRevision: meta?.createdRevision ?? rev, spec };
      this.store.markDirty();
    }
    return this.getWorkload(name);
  }

  deleteWorkload(name: string, revision?: number): { revision: number } {
    const cur = this.active(name);
    if (!cur) throw notFound('workload', name);
    const meta = this.store.meta.workloads[name];
    if (revision !== undefined && (meta?.revision ?? 0) !== revision) throw conflict('workload', name, meta?.revision ?? 0, revision);
    this.orchestrator.delete(name);
    const rev = this.events.append('api.workload.deleted', { workload: name }).revision;
    delete this.store.meta.workloads[name];
    this.store.markDirty();
    return { revision: rev };
  }

  rollout(name: string): RolloutStatus {
    const cur = this.active(name);
    if (!cur) throw notFound('workload', name);
    const { w, st } = cur;
    const outdated = st.running - st.updated;
    const complete = w.kind === 'job' ? st.completed : st.updated === st.desired && outdated === 0 && st.pending === 0 && st.terminating === 0;
    const message = complete
      ? w.kind === 'job'
        ? `job completed (${st.succeeded} succeeded)`
        : `generation ${w.generation} rolled out: ${st.updated}/${st.desired} updated`
      : w.kind === 'job'
        ? st.jobFailed
          ? 'job failed (backoffLimit exceeded)'
          : `job running: ${st.succeeded}/${st.desired} succeeded`
        : `waiting: ${st.updated}/${st.desired} updated, ${outdated} outdated, ${st.pending} pending${st.pendingReason ? ` (${st.pendingReason})` : ''}`;
    return {
      name,
      revision: this.store.meta.workloads[name]?.revision ?? 0,
      generation: w.generation,
      desired: st.desired,
      updated: st.updated,
      running: st.running,
      outdated,
      pending: st.pending,
      complete,
      message,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Nodes
  // -------------------------------------------------------------------------------------------

  listNodes(selector?: Selector): NodeResource[] {
    const out: NodeResource[] = [];
    for (const v of this.orchestrator.nodeViews()) {
      const n = v.node;
      if (selector && !matchesSelector(selector, n.labels)) continue;
      out.push({
        name: n.name,
        revision: this.nodeRevision.get(n.name) ?? 0,
        address: n.address,
        status: n.status,
        unschedulable: n.unschedulable,
        labels: n.labels,
        taints: n.taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect })),
        capacity: flatResources(n.capacity),
        allocatable: flatResources(n.allocatable),
        allocated: flatResources(v.allocated),
        instances: v.instanceCount,
        ...(n.podCidr !== undefined ? { podCidr: n.podCidr } : {}),
      });
    }
    return out;
  }

  getNode(name: string): NodeResource {
    const n = this.listNodes().find((x) => x.name === name);
    if (!n) throw notFound('node', name);
    return n;
  }

  private nodeId(name: string): string {
    const n = this.orchestrator.nodeViews().find((v) => v.node.name === name);
    if (!n) throw notFound('node', name);
    return n.node.id;
  }

  /** Cordons or uncordons a node (remembered across restarts). */
  cordon(name: string, on: boolean, revision?: number): NodeResource {
    const id = this.nodeId(name);
    const have = this.nodeRevision.get(name) ?? 0;
    if (revision !== undefined && have !== revision) throw conflict('node', name, have, revision);
    if (this.backend.setUnschedulable(id, on)) {
      const rev = this.events.append(on ? 'api.node.cordoned' : 'api.node.uncordoned', { node: name }).revision;
      this.nodeRevision.set(name, rev);
      const set = new Set(this.store.meta.cordoned);
      if (on) set.add(name);
      else set.delete(name);
      this.store.meta.cordoned = [...set].sort();
      this.store.markDirty();
    }
    return this.getNode(name);
  }

  /** Cordons the node and evicts its instances (each is replaced elsewhere). */
  drain(name: string, revision?: number): { node: NodeResource; evicted: number } {
    this.cordon(name, true, revision);
    const { evicted } = this.orchestrator.evictNode(this.nodeId(name), 'drained');
    const rev = this.events.append('api.node.drained', { node: name, evicted }).revision;
    this.nodeRevision.set(name, rev);
    return { node: this.getNode(name), evicted };
  }

  /** Re-applies cordons remembered in the store (at start). */
  restoreCordons(): void {
    for (const name of this.store.meta.cordoned) {
      const v = this.orchestrator.nodeViews().find((x) => x.node.name === name);
      if (v) this.backend.setUnschedulable(v.node.id, true);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Instances
  // -------------------------------------------------------------------------------------------

  private instanceResource(i: Instance): InstanceResource {
    const slot = this.slots.get(`${i.workloadName}/${i.slot}`);
    const nodeName = i.node !== undefined ? this.d.backend.cluster.getNode(i.node)?.name ?? i.node : undefined;
    const own = i.finishedAt !== undefined && (i.status === 'Failed' || i.status === 'Succeeded') ? { ...(i.exitCode !== undefined ? { exitCode: i.exitCode } : {}), ...(i.reason !== undefined ? { reason: i.reason } : {}), time: i.finishedAt, instance: i.id } : undefined;
    const lastExit = own ?? slot?.lastExit;
    return {
      id: i.id,
      revision: this.instanceRevision.get(i.id) ?? 0,
      workload: i.workloadName,
      slot: i.slot,
      generation: i.generation,
      ...(nodeName !== undefined ? { node: nodeName } : {}),
      ...(i.ip !== undefined ? { ip: i.ip } : {}),
      status: i.stopRequestedAt !== undefined && (i.status === 'Running' || i.status === 'Pending' || i.status === 'Unknown') ? 'Terminating' : i.status,
      ...(i.reason !== undefined ? { reason: i.reason } : {}),
      ...(i.notReady !== undefined && i.stopRequestedAt === undefined ? { notReady: i.notReady } : {}),
      containers: i.containers.map((c) => ({ name: c.name, ...(c.role !== undefined ? { role: c.role } : {}), ...(c.id !== undefined ? { id: c.id } : {}), state: c.state, ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}) })),
      restarts: slot?.restarts ?? 0,
      ...(lastExit ? { lastExit } : {}),
      createdAt: i.createdAt,
      ...(i.scheduledAt !== undefined ? { scheduledAt: i.scheduledAt } : {}),
      ...(i.startedAt !== undefined ? { startedAt: i.startedAt } : {}),
      ...(i.finishedAt !== undefined ? { finishedAt: i.finishedAt } : {}),
      ...(i.stopRequestedAt !== undefined ? { stopRequestedAt: i.stopRequestedAt } : {}),
    };
  }

  listInstances(filter: { workload?: string; node?: string; status?: string } = {}): InstanceResource[] {
    const list = filter.workload !== undefined ? this.store.listInstances(filter.workload) : this.store.listInstances();
    const out: InstanceResource[] = [];
    for (const i of list) {
      const r = this.instanceResource(i);
      if (filter.node !== undefined && r.node !== filter.node) continue;
      if (filter.status !== undefined && r.status !== filter.status) continue;
      out.push(r);
    }
    return out;
  }

  getInstance(id: string): InstanceResource {
    const i = this.store.getInstance(id);
    if (!i) throw notFound('instance', id);
    return this.instanceResource(i);
  }

  /**
   * A container's output so far (docker and oci backends): `container` names it (default: the
   * first regular one, not an init container), `tail` keeps the last lines. docker: the engine's log (stdout and stderr); oci: the
   * bundle's `log` file the runtime hands the process as stdout and stderr. The sim backend's
   * containers write nothing (501).
   */
  async logs(id: string, container?: string, tail?: number): Promise<{ instance: string; container: string; lines: string[] }> {
    const i = this.store.getInstance(id);
    if (!i) throw notFound('instance', id);
    const c = container === undefined ? (i.containers.find((x) => x.role === undefined) ?? i.containers[0]) : i.containers.find((x) => x.name === container);
    if (!c) throw new ApiError(404, 'Not Found', `instance ${id} has no container ${JSON.stringify(container)} (containers: ${i.containers.map((x) => x.name).join(', ')})`, { field: 'container' });
    const live = this.backend.live;
    if (!live) throw new ApiError(501, 'Not Implemented', `logs need a live backend, docker or oci (this daemon runs ${this.backend.kind}: its simulated containers write no output)`);
    if (c.id === undefined || i.node === undefined) throw new ApiError(409, 'Conflict', `container ${c.name} of ${id} has not been created yet`, { field: 'container' });
    if (live.kind === 'oci') {
      const runtime = live.runtime as unknown as { logs(id: string, tail?: number): string[] };
      try {
        return { instance: id, container: c.name, lines: runtime.logs(c.id, tail) };
      } catch (e) {
        if (e instanceof OrchestrationError) throw new ApiError(409, 'Conflict', `container ${c.name} of ${id}: ${e.message} (removed already?)`, { field: 'container' });
        throw e;
      }
    }
    const runtime = live.runtime as unknown as { api(node: string): { getContainer(id: string): { logs(o: { stdout: boolean; stderr: boolean; follow: false; tail?: number }): Promise<Buffer> } } };
    const { demuxLogs } = await import('../../backends/docker/docker-api.js');
    const buf = await runtime.api(i.node).getContainer(c.id).logs({ stdout: true, stderr: true, follow: false, ...(tail !== undefined ? { tail } : {}) });
    return { instance: id, container: c.name, lines: demuxLogs(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf))) };
  }

  // -------------------------------------------------------------------------------------------
  // Explain and health
  // -------------------------------------------------------------------------------------------

  /** The framework profile explain uses: the daemon's scheduler's, or `default` for round-robin. */
  private profile(): ProfileConfig {
    const { name, profile } = this.scenario.scheduler;
    if (profile && profile.name === name) return profile;
    return PROFILES[name] ?? PROFILES.default;
  }

  /**
   * Where one more instance of a workload would go, and why each node is or is not feasible:
   * `workload` names an applied one (its pending reason included), `spec` a workload not applied.
   */
  explain(input: { workload?: string; spec?: unknown }): ExplainReport & { workload: string; pendingReason?: string } {
    let w: Workload;
    let pendingReason: string | undefined;
    if (input.spec !== undefined) w = toWorkload(parseWorkloadSpec(input.spec));
    else if (input.workload !== undefined) {
      const a = this.active(input.workload);
      if (!a) throw notFound('workload', input.workload);
      w = a.w;
      pendingReason = a.st.pendingReason;
    } else throw new ApiError(400, 'Bad Request', 'give workload (a name) or spec (a workload spec)', { field: 'workload' });
    const { table } = nodeTableOf(this.orchestrator.nodeViews());
    const request = podRequests(w);
    const workloads = this.orchestrator.statuses().filter((s) => !s.deleted).map((s) => this.orchestrator.getWorkload(s.name)!);
    const report = explainOn(table, podOf(w, request), this.profile(), { seed: this.scenario.seed, workloads });
    return { ...report, workload: w.name, ...(pendingReason !== undefined ? { pendingReason } : {}) };
  }

  /** Ready once the orchestrator has started (adopted its containers) and the store writes. */
  readiness(): { ready: boolean; reasons: string[]; role: 'leader' | 'follower'; leader: string } {
    const reasons: string[] = [];
    if (!this.started) reasons.push('starting: adopting containers and restoring workloads');
    if (this.store.lastError !== undefined) reasons.push(`state store: ${this.store.lastError}`);
    const nodes = this.d.backend.cluster.listNodes();
    if (nodes.length > 0 && !nodes.some((n) => n.status === 'Ready')) reasons.push('no node is Ready');
    // A single replica (file store) is always the leader; replicas on etcd say who leads.
    const role = this.d.role?.() ?? { role: 'leader' as const, leader: this.d.address() };
    return { ready: reasons.length === 0, reasons, ...role };
  }
}
