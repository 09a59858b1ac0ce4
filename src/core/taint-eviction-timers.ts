/**
 * The taint eviction controller's timers (kube's NoExecuteTaintManager) for the Orchestrator.
 *
 * The decision to evict is the reconciler's (see src/core/taints.ts): an instance on a node with
 * NoExecute taints it does not tolerate, or tolerates for `tolerationSeconds` that have run out,
 * is stopped with reason `evicted`. This module only makes sure a reconcile pass happens when such
 * a moment comes: at once for taints not tolerated, and a timer for each later moment. Timers run
 * on the control plane's Clock.
 */
import { LIVE, type ControlPlaneRecords, type NodeState } from './control-plane-state.js';
import type { Clock, Recorder, StateStore } from './interfaces.js';
import { formatTaint, instanceTaintEviction, noExecuteTaints } from './taints.js';
import type { Instance, Millis, WorkloadId } from './types.js';

/** What the eviction timers need from the Orchestrator. */
export interface TaintEvictionHost {
  readonly clock: Clock;
  readonly store: StateStore;
  readonly recorder: Recorder;
  readonly records: ControlPlaneRecords;
  /** The default toleration of the node condition taints (`controlPlane.evictionGrace`). */
  readonly evictionGraceMs: Millis;
  /** The workload needs a reconcile pass. */
  markDirty(id: WorkloadId): void;
  /** Every workload with an instance on the node needs a reconcile pass (one pass even when none has). */
  reconcileNode(ns: NodeState): void;
  /** Capacity appeared: workloads with unschedulable instances get another try. */
  capacityAppeared(): void;
}

export class TaintEvictionTimers {
  constructor(private readonly host: TaintEvictionHost) {}

  /**
   * For the node's live instances (or only `only`): a reconcile pass when the NoExecute taints
   * they tolerate for a while stop being tolerated; at once for taints they do not tolerate.
   * `conditionChanged` (the node's status changed and it is not Ready): also one pass when the
   * default toleration (`evictionGraceMs`) of the new condition taint runs out, whoever is on the
   * node — the pass the control plane always made then, so existing runs keep their timing.
   * Timers are set in time order, one per distinct moment.
   */
  arm(ns: NodeState, only?: Instance, conditionChanged = false): void {
    const { clock, store, records, evictionGraceMs } = this.host;
    const taints = noExecuteTaints(ns.node, ns.unreadySince);
    if (taints.length === 0) return;
    const now = clock.now();
    const times = new Set<Millis>();
    if (conditionChanged) times.add(now + evictionGraceMs);
    for (const id of only ? [only.id] : ns.instances) {
      const inst = store.getInstance(id);
      const ws = inst && records.workloads.get(inst.workloadId);
      if (!inst || !ws || inst.stopRequestedAt !== undefined || !LIVE.has(inst.status)) continue;
      const ev = instanceTaintEviction(ws.workload.placement?.tolerations, evictionGraceMs / 1000, taints, inst.scheduledAt ?? inst.createdAt);
      if (ev === undefined) continue;
      if (ev.at <= now) this.host.markDirty(inst.workloadId);
      else times.add(ev.at);
    }
    for (const at of [...times].sort((a, b) => a - b)) {
      clock.setTimer(at - now, () => this.host.reconcileNode(ns));
    }
  }

  /** The node's own taints changed (a `taint`/`untaint` operation): NoExecute ones may evict. */
  taintsChanged(ns: NodeState): void {
    const before = ns.taints;
    ns.taints = ns.node.taints;
    this.host.recorder.record('node.taints', { node: ns.node.name, taints: ns.taints.map(formatTaint) });
    this.arm(ns);
    // A taint gone may let pending instances fit.
    if (before.some((t) => !ns.taints.some((u) => u.key === t.key && u.value === t.value && u.effect === t.effect)))
      this.host.capacityAppeared();
  }
}
