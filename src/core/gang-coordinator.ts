/**
 * Gang coordination (Coscheduling) for the Orchestrator: members reserved across scheduling
 * passes while their gang waits at Permit, bound together when a member is allowed, released
 * together when the gang times out or a member is rejected.
 *
 * The waiting members and their timers live in {@link GangWaits}; this module decides what
 * happens to them and records it (`instance.waiting`, `instance.scheduled` with `gang`,
 * `gang.timeout`, `gang.rejected`). Reserving, unreserving and starting containers stay the
 * Orchestrator's: it lends them through {@link GangHost}.
 */
import { GangWaits } from './gang-waits.js';
import { LIVE, nodeName, type ControlPlaneRecords, type NodeState, type WorkloadState } from './control-plane-state.js';
import type { Clock, Recorder, ScheduleDecision, StateStore } from './interfaces.js';
import type { Resources } from './resources.js';
import type { Instance, NodeId, Workload, WorkloadId } from './types.js';

/** What the gang coordinator needs from the Orchestrator. */
export interface GangHost {
  readonly clock: Clock;
  readonly store: StateStore;
  readonly recorder: Recorder;
  readonly records: ControlPlaneRecords;
  /** The current capacity epoch (bumped whenever capacity may have appeared). */
  capacityEpoch(): number;
  /** Puts the instance on the node: its request counts there from now on. */
  reserveOn(inst: Instance, nodeId: NodeId, request: Resources, gpus?: readonly number[]): NodeState;
  /** Takes a reserved, never-bound instance off its node again (back to pending). */
  unreserve(inst: Instance, reason: string): void;
  /** Creates the instance's containers (a bound instance). */
  startInstance(inst: Instance, workload: Workload): void;
  /** Capacity appeared: workloads with unschedulable instances get another try. */
  capacityAppeared(): void;
  /** The workload needs a reconcile pass. */
  markDirty(id: WorkloadId): void;
}

export type GangRelease = 'timeout' | 'rejected';

export class GangCoordinator {
  private readonly waits: GangWaits;

  constructor(private readonly host: GangHost) {
    this.waits = new GangWaits(host.clock, (gang) => this.release(gang, 'timeout'));
  }

  /** The gang the instance's workload belongs to, if any. */
  gangOf(inst: Instance): string | undefined {
    return this.host.records.workloads.get(inst.workloadId)?.workload.placement?.gang?.name;
  }

  /**
   * Permit said Wait: the instance keeps its reservation (other pods cannot take the room) but
   * its containers wait for the gang. Pending members of the gang in other workloads are retried
   * at once (kube's Coscheduling moves the siblings of a waiting pod back to the active queue).
   */
  wait(ws: WorkloadState, inst: Instance, dec: Extract<ScheduleDecision, { kind: 'wait' }>, request: Resources): void {
    const { clock, recorder } = this.host;
    const now = clock.now();
    const gang = ws.workload.placement!.gang!;
    const ns = this.host.reserveOn(inst, dec.nodeId, request, dec.gpus);
    inst.waitingSince = now;
    inst.reason = `waiting for gang ${gang.name}: ${dec.members}/${gang.minMember} members`;
    const first = this.waits.waiting(dec.gang).length === 0;
    const deadline = this.waits.add(dec.gang, inst, gang.timeoutMs);
    recorder.record('instance.waiting', {
      instance: inst.id,
      workload: inst.workloadName,
      node: ns.node.name,
      attempt: inst.attempts,
      request,
      gang: dec.gang,
      members: dec.members,
      minMember: gang.minMember,
      timeoutAt: deadline,
      ...(dec.gpus !== undefined ? { gpus: dec.gpus } : {}),
      ...(dec.candidates ? { candidates: dec.candidates } : {}),
    });
    if (!first) return;
    for (const sib of this.instances(dec.gang)) {
      if (sib.workloadId === inst.workloadId || sib.node !== undefined || sib.stopRequestedAt !== undefined || sib.status !== 'Pending') continue;
      sib.lastAttemptEpoch = -1;
      this.host.markDirty(sib.workloadId);
    }
  }

  /** A member was allowed: every member of the gang still waiting binds now. */
  bind(gang: string): void {
    const { clock, store, recorder, records } = this.host;
    const now = clock.now();
    for (const inst of this.waits.take(gang)) {
      const ws = records.workloads.get(inst.workloadId);
      if (!ws || store.getInstance(inst.id) !== inst || inst.waitingSince === undefined) continue;
      const waitedMs = now - inst.waitingSince;
      inst.waitingSince = undefined;
      inst.scheduledAt = now;
      inst.reason = undefined;
      recorder.record('instance.scheduled', {
        instance: inst.id,
        workload: inst.workloadName,
        node: nodeName(records, inst.node),
        attempt: inst.attempts,
        request: records.instanceRequest.get(inst.id),
        ...(inst.gpus !== undefined ? { gpus: inst.gpus } : {}),
        gang,
        waitedMs,
      });
      this.host.startInstance(inst, ws.workload);
    }
  }

  /**
   * The gang timed out, or a member fits nowhere (Coscheduling's PostFilter): every waiting
   * member is unreserved and goes back to pending. The gang's pending members then count as
   * tried now, at the capacity epoch the release opened: the room they freed goes to other
   * pending pods first, and they are retried after `unschedulableRetryMs` or when capacity
   * appears again (the normal back-off of unschedulable instances).
   */
  release(gang: string, cause: GangRelease, by?: Instance, why?: string): void {
    const { clock, store, recorder, records } = this.host;
    const now = clock.now();
    const waiting = this.waits.take(gang).filter((i) => store.getInstance(i.id) === i && i.waitingSince !== undefined);
    if (waiting.length === 0) return;
    const spec = records.workloads.get(waiting[0].workloadId)?.workload.placement?.gang;
    const minMember = spec?.minMember ?? 0;
    const members = this.membersPlaced(gang);
    const reason =
      cause === 'timeout'
        ? `gang ${gang} timed out: ${members}/${minMember} members`
        : `gang ${gang} rejected: ${by?.id ?? 'a member'} ${why ?? 'fits on no node'}: ${members}/${minMember} members`;
    recorder.record(`gang.${cause}`, {
      gang,
      members,
      minMember,
      instances: waiting.map((i) => i.id),
      waitedMs: now - Math.min(...waiting.map((i) => i.waitingSince!)),
      ...(by ? { by: by.id } : {}),
    });
    for (const inst of waiting) this.host.unreserve(inst, reason);
    this.host.capacityAppeared();
    const epoch = this.host.capacityEpoch();
    for (const inst of this.instances(gang)) {
      if (inst.node !== undefined || inst.stopRequestedAt !== undefined || inst.status !== 'Pending') continue;
      inst.lastAttemptAt = now;
      inst.lastAttemptEpoch = epoch;
      this.host.markDirty(inst.workloadId);
    }
  }

  /** A waiting member leaves the wait without binding (stopped, forgotten, its node not Ready). */
  leave(inst: Instance): void {
    const gang = this.gangOf(inst);
    if (gang !== undefined) this.waits.remove(gang, inst);
    inst.waitingSince = undefined;
  }

  /** Cancels every gang timer (the control plane shuts down). */
  shutdown(): void {
    this.waits.shutdown();
  }

  /** Every instance of the workloads in the gang (members may come from several workloads). */
  private instances(gang: string): Instance[] {
    const out: Instance[] = [];
    for (const ws of this.host.records.workloads.values()) {
      if (ws.workload.placement?.gang?.name === gang) out.push(...this.host.store.listInstances(ws.workload.id));
    }
    return out;
  }

  /** Members reserved or bound: on a node, live and not asked to stop (what Coscheduling counts). */
  private membersPlaced(gang: string): number {
    let n = 0;
    for (const i of this.instances(gang)) if (i.node !== undefined && i.stopRequestedAt === undefined && LIVE.has(i.status)) n++;
    return n;
  }
}
