/**
 * The reconciler: a pure function from (desired, observed, now) to the actions that move the
 * actual state of one workload towards its desired state. It performs no I/O and keeps no state;
 * the Orchestrator executes what it returns and records every action in the trace.
 *
 * Words used below:
 * - slot: a replica's identity (0-based). A replacement takes the slot of the instance it replaces,
 *   so "one replica running twice" means two running instances in one slot.
 * - live: Pending, Running or Unknown, and not asked to stop.
 * - lost: live, on a node whose NoExecute taints evict it (see src/core/taints.ts): at once when
 *   it does not tolerate one, else `tolerationSeconds` after it first ran under them. A NotReady
 *   node carries `node.kubernetes.io/not-ready:NoExecute`, an Unknown or Down one
 *   `node.kubernetes.io/unreachable:NoExecute`; an instance without its own toleration of these
 *   tolerates them for `evictionGraceMs` (DefaultTolerationSeconds). A lost instance is evicted
 *   (asked to stop, naming the taint; the stop completes when its node answers again, so a copy
 *   that kept running through a partition is stopped when the partition heals) and its slot is
 *   refilled. An instance whose node left the cluster is forgotten and its slot refilled.
 * - current / outdated: an instance runs the workload's current generation or an older one.
 * - held: a free slot of a workload found at a restart, while nodes the restarted control plane
 *   could not list yet may run its instance (`ReconcileInput.unlisted`): not filled before such
 *   an instance would have been evicted there.
 *
 * Per slot, when several live instances share it (a stale copy after a partition, a replacement
 * racing its predecessor), one is kept and the others are stopped. The kept one is the best by:
 * Running > Pending on a node > Pending without a node > Unknown, then the newest.
 * During a rolling update a slot may hold an outdated instance that serves and a current one that
 * is starting (the surge); that is not a duplicate.
 *
 * Scale-down victim order (documented contract): Pending first (unscheduled before scheduled),
 * then not ready (Unknown, on a node that is not Ready, or a paused container), then Running; within each group the
 * newest first (latest createdAt, then highest slot).
 *
 * Crash-loop back-off per slot: after the n-th consecutive failure the slot waits
 * min(backoffInitial * 2^(n-1), backoffMax) from the failure before a replacement is made
 * (10 s, 20 s, 40 s, ... 5 min by default). The orchestrator resets n when the failed instance had
 * run for at least backoffReset (10 min).
 *
 * Rolling update (Kubernetes Deployment semantics): at most replicas + maxSurge live instances,
 * at least replicas - maxUnavailable running, ready ones (a paused instance is unavailable). New instances are surged first, then outdated
 * ones are stopped while availability allows; an outdated instance whose slot has a running
 * current instance is stopped at once. Recreate stops every outdated instance first and creates
 * current ones only when none is left.
 */
import { formatTaint, instanceTaintEviction, noExecuteTaints } from './taints.js';
import type { Instance, InstanceId, Millis, Node, NodeId, Taint, Workload } from './types.js';

export interface ReconcilerConfig {
  /** The tolerationSeconds of the default not-ready/unreachable NoExecute tolerations. */
  readonly evictionGraceMs: Millis;
  readonly backoffInitialMs: Millis;
  readonly backoffMaxMs: Millis;
  readonly unschedulableRetryMs: Millis;
}

/** What the control plane remembers of a slot beyond its live instances. */
export interface SlotHistory {
  /** Consecutive failures (reset by a long enough run). */
  readonly failures: number;
  readonly lastFailureAt: Millis;
  /** The slot needs no more instances (a job's completion, or a service whose restart policy says so). */
  readonly done: boolean;
}

export interface ObservedWorkload {
  /** Instance records of the workload, in creation order, including terminating and terminal ones. */
  readonly instances: readonly Instance[];
  readonly slots: ReadonlyMap<number, SlotHistory>;
  /** Jobs: instances that failed so far (for backoffLimit). */
  readonly jobFailures: number;
  /** True once a job has been marked completed or failed. */
  readonly finished: boolean;
}

export interface ReconcileInput {
  /** The desired workload; `deleted` when the user deleted it (its instances must go). */
  readonly workload: Workload;
  readonly deleted: boolean;
  readonly observed: ObservedWorkload;
  readonly node: (id: NodeId) => Node | undefined;
  /**
   * The node's NoExecute taints with `timeAdded`, its condition's included (the Orchestrator
   * knows when the node stopped being Ready). Default: `noExecuteTaints(node, node.statusSince)`.
   */
  readonly noExecute?: (id: NodeId) => readonly Taint[];
  /**
   * Counts the times capacity appeared in the cluster (a node became Ready or joined, an instance
   * went away). An unschedulable instance whose last attempt saw an older epoch is retried at once.
   */
  readonly capacityEpoch: number;
  /**
   * Instances of this workload may be running on `nodes`, whose containers the control plane has
   * not listed since it started (they were not Ready then, or did not answer: src/core/adoption.ts).
   * Before `until` a slot with no live instance and no history (it never failed, nothing in it
   * was lost) is not filled: its instance may be running there, to be adopted when the node
   * answers. `until` is when such an instance would be evicted from there by the nodes' NoExecute
   * taints (Infinity: never, e.g. a Ready node that does not answer), so the slot is filled when it
   * would have been had the control plane known the instance.
   */
  readonly unlisted?: { readonly until: Millis; readonly nodes: readonly string[] };
  readonly now: Millis;
  readonly config: ReconcilerConfig;
}

export type CreateReason = 'scale-up' | 'replace-failed' | 'replace-lost' | 'rolling-update' | 'job';
export type StopReason = 'scale-down' | 'duplicate' | 'rolling-update' | 'recreate' | 'deleted' | 'job-finished' | 'evicted';

export type Action =
  | { readonly type: 'create'; readonly slot: number; readonly generation: number; readonly reason: CreateReason }
  /** Try again to find a node for an unschedulable instance. */
  | { readonly type: 'schedule'; readonly instance: InstanceId }
  /** `taint` (`key=value:Effect`): the NoExecute taint an `evicted` instance did not tolerate long enough. */
  | { readonly type: 'stop'; readonly instance: InstanceId; readonly reason: StopReason; readonly taint?: string }
  /** Remove the containers of a finished instance and forget it. */
  | { readonly type: 'cleanup'; readonly instance: InstanceId }
  /** The instance's node left the cluster: its containers are gone with it. */
  | { readonly type: 'forget'; readonly instance: InstanceId; readonly reason: string }
  /** A slot waits out its crash-loop back-off. */
  | { readonly type: 'backoff'; readonly slot: number; readonly until: Millis; readonly failures: number }
  /** Slots not filled before `until`: their instances may run on unlisted `nodes` (`ReconcileInput.unlisted`). */
  | { readonly type: 'hold'; readonly slots: readonly number[]; readonly until: Millis; readonly nodes: readonly string[] }
  | { readonly type: 'complete-job' }
  | { readonly type: 'fail-job'; readonly reason: string };

export interface ReconcileResult {
  readonly actions: Action[];
  /** Reconcile this workload again at this time (a back-off or retry expires), if anything. */
  readonly wakeAt?: Millis;
}

const isLive = (i: Instance) =>
  i.stopRequestedAt === undefined && (i.status === 'Pending' || i.status === 'Running' || i.status === 'Unknown');

/** Rank for keeping the best copy in a slot: lower is better. */
function keepRank(i: Instance, nodeReady: (i: Instance) => boolean): number {
  if (i.status === 'Running' && nodeReady(i)) return 0;
  if (i.status === 'Pending' && i.node !== undefined) return 1;
  if (i.status === 'Pending') return 2;
  return 3;
}

/** Scale-down rank: lower goes first. */
function victimRank(i: Instance, nodeReady: (i: Instance) => boolean): number {
  if (i.status === 'Pending') return i.node === undefined ? 0 : 1;
  if (i.status === 'Unknown' || !nodeReady(i) || i.notReady !== undefined) return 2;
  return 3;
}

const newestFirst = (a: Instance, b: Instance) =>
  b.createdAt - a.createdAt || b.slot - a.slot || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export function backoffDelay(failures: number, config: ReconcilerConfig): Millis {
  if (failures <= 0) return 0;
  // min(initial * 2^(n-1), max), computed without overflow for large n.
  const doublings = Math.min(failures - 1, 40);
  return Math.min(config.backoffInitialMs * 2 ** doublings, config.backoffMaxMs);
}

interface SlotView {
  slot: number;
  current?: Instance;
  outdated?: Instance;
}

export function reconcile(input: ReconcileInput): ReconcileResult {
  const { workload, observed, now, config } = input;
  const actions: Action[] = [];
  let wakeAt: Millis | undefined;
  const wake = (t: Millis) => {
    if (wakeAt === undefined || t < wakeAt) wakeAt = t;
  };

  const nodeReady = (i: Instance) => {
    if (i.node === undefined) return false;
    const n = input.node(i.node);
    return n !== undefined && n.status === 'Ready';
  };

  const noExecute =
    input.noExecute ??
    ((id: NodeId) => {
      const n = input.node(id)!;
      return noExecuteTaints(n, n.statusSince);
    });

  // 1. Classify instances.
  const live: Instance[] = [];
  const lostSlots = new Set<number>();
  for (const inst of observed.instances) {
    if (inst.status === 'Succeeded' || inst.status === 'Failed') {
      actions.push({ type: 'cleanup', instance: inst.id });
      continue;
    }
    if (inst.node !== undefined && input.node(inst.node) === undefined) {
      actions.push({ type: 'forget', instance: inst.id, reason: `node ${inst.node} left the cluster` });
      if (isLive(inst)) lostSlots.add(inst.slot);
      continue;
    }
    if (!isLive(inst)) continue; // terminating: the stop is in progress
    if (inst.node !== undefined) {
      const n = input.node(inst.node)!;
      if (n.status !== 'Ready' || n.taints.length > 0) {
        const ev = instanceTaintEviction(
          workload.placement?.tolerations,
          config.evictionGraceMs / 1000,
          noExecute(inst.node),
          inst.scheduledAt ?? inst.createdAt,
        );
        if (ev !== undefined && now >= ev.at) {
          // Lost: evict it (the stop completes when the node answers again) and refill its slot.
          actions.push({ type: 'stop', instance: inst.id, reason: 'evicted', taint: formatTaint(ev.taint) });
          lostSlots.add(inst.slot);
          continue;
        }
      }
    }
    live.push(inst);
  }

  const stop = (inst: Instance, reason: StopReason) => actions.push({ type: 'stop', instance: inst.id, reason });
  /** True (and records the back-off) when the slot must still wait after its last failure. */
  const backingOff = (slot: number, h: SlotHistory | undefined): boolean => {
    if (!h || h.failures === 0) return false;
    const until = h.lastFailureAt + backoffDelay(h.failures, config);
    if (now >= until) return false;
    actions.push({ type: 'backoff', slot, until, failures: h.failures });
    wake(until);
    return true;
  };

  // 2. Deleted workloads and finished jobs: stop everything.
  if (input.deleted) {
    for (const inst of live) stop(inst, 'deleted');
    return { actions };
  }
  if (workload.kind === 'job' && observed.finished) {
    for (const inst of live) stop(inst, 'job-finished');
    return { actions };
  }

  // 3. Per slot: keep the best copy, stop duplicates. The live instances in slot order (a stable
  // sort: creation order within a slot), usually already so; then each run of one slot is a slot.
  // The reconciler runs after every change to a workload: the common case (sorted, one instance
  // per slot) allocates no map and no list per slot.
  let ordered = live;
  for (let k = 1; k < live.length; k++)
    if (live[k].slot < live[k - 1].slot) {
      ordered = live.slice().sort((a, b) => a.slot - b.slot);
      break;
    }
  const best = (list: Instance[]) =>
    list.slice().sort((a, b) => keepRank(a, nodeReady) - keepRank(b, nodeReady) || newestFirst(a, b));
  const slots: SlotView[] = [];
  for (let k = 0; k < ordered.length; ) {
    const slot = ordered[k].slot;
    let end = k + 1;
    while (end < ordered.length && ordered[end].slot === slot) end++;
    if (end === k + 1) {
      // The common case: one instance in the slot, nothing to choose.
      const only = ordered[k];
      slots.push(only.generation === workload.generation ? { slot, current: only } : { slot, outdated: only });
      k = end;
      continue;
    }
    const list = ordered.slice(k, end);
    k = end;
    const cur = best(list.filter((i) => i.generation === workload.generation));
    const old = best(list.filter((i) => i.generation !== workload.generation));
    for (const dup of cur.slice(1)) stop(dup, 'duplicate');
    const view: SlotView = { slot, current: cur[0] };
    if (cur.length > 0 && cur[0].status === 'Running' && nodeReady(cur[0])) {
      for (const o of old) stop(o, 'rolling-update');
    } else {
      for (const dup of old.slice(1)) stop(dup, 'duplicate');
      view.outdated = old[0];
    }
    slots.push(view);
  }

  // 4. Retry unschedulable instances we keep.
  for (const s of slots) {
    for (const inst of [s.current, s.outdated]) {
      if (!inst || inst.node !== undefined || inst.status !== 'Pending') continue;
      const last = inst.lastAttemptAt ?? -Infinity;
      if (input.capacityEpoch > (inst.lastAttemptEpoch ?? -1) || now - last >= config.unschedulableRetryMs) {
        actions.push({ type: 'schedule', instance: inst.id });
      } else wake(last + config.unschedulableRetryMs);
    }
  }

  // Slots that may be running on unlisted nodes: not filled yet (see ReconcileInput.unlisted).
  const unlisted = input.unlisted !== undefined && now < input.unlisted.until ? input.unlisted : undefined;
  const held: number[] = [];
  const holds = (slot: number, h: SlotHistory | undefined): boolean => {
    if (unlisted === undefined || h !== undefined || lostSlots.has(slot)) return false;
    held.push(slot);
    return true;
  };
  const holdAction = () => {
    if (unlisted === undefined || held.length === 0) return;
    actions.push({ type: 'hold', slots: held, until: unlisted.until, nodes: unlisted.nodes });
    if (unlisted.until !== Infinity) wake(unlisted.until);
  };

  // 5. Jobs: fill slots 0..completions-1 that are not done, up to parallelism.
  if (workload.kind === 'job') {
    let succeeded = 0;
    for (const h of observed.slots.values()) if (h.done) succeeded++;
    if (succeeded >= workload.completions) {
      for (const s of slots) for (const inst of [s.current, s.outdated]) if (inst) stop(inst, 'job-finished');
      actions.push({ type: 'complete-job' });
      return { actions, wakeAt };
    }
    if (observed.jobFailures > workload.backoffLimit) {
      for (const s of slots) for (const inst of [s.current, s.outdated]) if (inst) stop(inst, 'job-finished');
      actions.push({ type: 'fail-job', reason: `BackoffLimitExceeded: ${observed.jobFailures} failed instances` });
      return { actions, wakeAt };
    }
    let active = slots.length;
    const occupied = new Set(slots.map((s) => s.slot));
    for (let slot = 0; slot < workload.completions && active < workload.replicas; slot++) {
      if (occupied.has(slot)) continue;
      const h = observed.slots.get(slot);
      if (holds(slot, h)) {
        active++; // it may be running
        continue;
      }
      if (h?.done || backingOff(slot, h)) continue;
      actions.push({ type: 'create', slot, generation: workload.generation, reason: h && h.failures > 0 ? 'replace-failed' : 'job' });
      active++;
    }
    holdAction();
    return { actions, wakeAt };
  }

  // 6. Services: scale down, choosing victims in the documented order.
  const R = workload.replicas;
  let kept = slots;
  if (slots.length > R) {
    const rep = (s: SlotView) => (s.outdated && (!s.current || s.current.status !== 'Running') ? s.outdated : s.current!);
    const order = slots
      .slice()
      .sort((a, b) => victimRank(rep(a), nodeReady) - victimRank(rep(b), nodeReady) || newestFirst(rep(a), rep(b)));
    const chosen = order.slice(0, slots.length - R);
    const victims = new Set(chosen.map((s) => s.slot));
    for (const s of chosen) {
      if (s.current) stop(s.current, 'scale-down');
      if (s.outdated) stop(s.outdated, 'scale-down');
    }
    kept = slots.filter((s) => !victims.has(s.slot));
  }

  // 7. Services: fill free slots (lowest first), honouring back-off and done slots.
  // `kept` is in slot order: `at` walks it alongside `slot` to tell the occupied slots.
  const recreateBlocked =
    workload.updateStrategy.type === 'Recreate' && kept.some((s) => s.outdated !== undefined);
  let missing = R - kept.length;
  let total = kept.reduce((n, s) => n + (s.current ? 1 : 0) + (s.outdated ? 1 : 0), 0);
  let at = 0;
  for (let slot = 0; missing > 0 && slot < R + kept.length + observed.slots.size + 1; slot++) {
    while (at < kept.length && kept[at].slot < slot) at++;
    if (at < kept.length && kept[at].slot === slot) continue;
    const h = observed.slots.get(slot);
    if (h?.done) continue;
    missing--;
    if (holds(slot, h) || recreateBlocked || backingOff(slot, h)) continue;
    const reason: CreateReason = lostSlots.has(slot) ? 'replace-lost' : h && h.failures > 0 ? 'replace-failed' : 'scale-up';
    actions.push({ type: 'create', slot, generation: workload.generation, reason });
    total++;
  }
  holdAction();

  // 8. Services: roll outdated slots forward.
  const outdatedSlots = kept.filter((s) => s.outdated !== undefined && s.current === undefined);
  if (outdatedSlots.length > 0) {
    if (workload.updateStrategy.type === 'Recreate') {
      for (const s of kept) if (s.outdated) stop(s.outdated, 'recreate');
    } else {
      const maxTotal = R + workload.updateStrategy.maxSurge;
      const minAvailable = R - workload.updateStrategy.maxUnavailable;
      let available = kept.filter((s) => {
        const serving = s.current?.status === 'Running' ? s.current : s.outdated ?? s.current;
        return serving !== undefined && serving.status === 'Running' && serving.notReady === undefined && nodeReady(serving);
      }).length;
      const rolled = new Set<number>();
      // Surge: start current instances next to outdated ones.
      for (const s of outdatedSlots) {
        if (total >= maxTotal) break;
        actions.push({ type: 'create', slot: s.slot, generation: workload.generation, reason: 'rolling-update' });
        total++;
        rolled.add(s.slot);
      }
      // Unavailability: replace outdated instances in place while enough stay available.
      for (const s of outdatedSlots) {
        if (rolled.has(s.slot)) continue;
        const o = s.outdated!;
        const serving = o.status === 'Running' && o.notReady === undefined && nodeReady(o);
        if (serving && available - 1 < minAvailable) break;
        stop(o, 'rolling-update');
        if (serving) available--;
        actions.push({ type: 'create', slot: s.slot, generation: workload.generation, reason: 'rolling-update' });
      }
    }
  }

  return { actions, wakeAt };
}
