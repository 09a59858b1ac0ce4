/**
 * The plugin framework behind the control plane's `Scheduler` interface. Each call builds a
 * NodeTable from the Orchestrator's node views, then runs one scheduling cycle per requested
 * instance, assuming each placement before the next (as kube-scheduler's cache does).
 *
 * Node conditions become the taints Kubernetes' node lifecycle controller adds: a NotReady node
 * carries `node.kubernetes.io/not-ready` (NoSchedule, NoExecute), an Unknown or Down node
 * `node.kubernetes.io/unreachable`. Every node carries the `kubernetes.io/hostname` label.
 *
 * After each placement the profile's Reserve and Permit run. Coscheduling holds gang members
 * until `minMember` of them are reserved or bound: a member still waiting when the call ends is
 * returned as a `wait` decision (the Orchestrator keeps its reservation across calls and enforces
 * the gang's timeout); a member allowed returns `allowsGang`, so the members waiting from earlier
 * calls bind with it. When a member fits nowhere, Coscheduling's PostFilter rejects the gang:
 * this call's waiting members are unreserved, its remaining members fail with the gang, and the
 * decision carries `rejectGang` (the Orchestrator releases the members waiting from earlier calls).
 */
import { podImages } from '../core/pod-requests.js';
import type {
  BoundInstance,
  NodeView,
  ScheduleDecision,
  ScheduleRequest,
  Scheduler,
  ScoredCandidate,
} from '../core/interfaces.js';
import type { Resources } from '../core/resources.js';
import { effectiveTaints } from '../core/taints.js';
import type { Node, Workload } from '../core/types.js';
import { DEFAULT_NAMESPACE, type ClusterObjects } from '../core/namespace.js';
import type { Framework } from './framework/framework.js';
import type { PostFilterResult } from './framework/types.js';
import { NodeTable, type NodeSpec } from './framework/node-table.js';
import { nonZeroRequests, type PodInfo } from './framework/pod.js';
import { unschedulableMessage } from './reasons.js';
import { bestFitGpus } from '../gpu/policies/gpu-selection.js';
import { LABEL_HOSTNAME } from './plugins/pod-topology-spread/index.js';
import { COSCHEDULING, gangMembers, rejectsGang } from './plugins/coscheduling/index.js';

/** Where a workload that names no namespace lives. */
export const NAMESPACE = DEFAULT_NAMESPACE;

/** Permit said wait for a pod in no gang: no placement will ever allow it. */
export const PERMIT_WAIT_WITHOUT_GANG = 'pod waits at Permit but belongs to no gang';

/** The node as kube-scheduler would see it (condition taints, hostname label). */
export function nodeSpecOf(node: Node): NodeSpec {
  const labels = LABEL_HOSTNAME in node.labels ? node.labels : { ...node.labels, [LABEL_HOSTNAME]: node.name };
  return {
    name: node.name,
    labels,
    taints: effectiveTaints(node),
    unschedulable: node.unschedulable,
    allocatable: node.allocatable,
    ...(node.images !== undefined ? { images: node.images } : {}),
    ...(node.gpus ? { gpus: node.gpus } : {}),
  };
}

/** What every pod of one workload object shares (computed once per workload object; they are never changed in place). */
interface WorkloadPodParts {
  readonly nz: { cpu: number; memory: number };
  readonly images: string[];
  readonly namespace: string;
  readonly placement: NonNullable<Workload['placement']>;
  readonly controller: { noController: true } | { controller: NonNullable<PodInfo['controller']> } | undefined;
}
const podParts = new WeakMap<Workload, WorkloadPodParts>();

function partsOf(workload: Workload): WorkloadPodParts {
  let p = podParts.get(workload);
  if (p === undefined) {
    const ctl = workload.controller;
    p = {
      nz: nonZeroRequests(workload),
      images: podImages(workload),
      namespace: workload.namespace ?? NAMESPACE,
      placement: workload.placement ?? {},
      controller: ctl === undefined ? undefined : ctl.kind === 'Pod' || ctl.kind === 'Job' ? { noController: true } : { controller: { kind: ctl.kind, name: workload.name } },
    };
    podParts.set(workload, p);
  }
  return p;
}

/**
 * A workload's instance as a pod. Built field by field in one fixed order (no spread of
 * temporary objects: a busy scheduler makes one per changed instance).
 */
export function podOf(
  workload: Workload,
  request: Resources,
  extra: { uid?: string; startedAt?: number; terminating?: boolean; gpus?: readonly number[] } = {},
): PodInfo {
  return makePod(workload, request, extra.uid, extra.startedAt, extra.terminating === true, extra.gpus);
}

function makePod(workload: Workload, request: Resources, uid: string | undefined, startedAt: number | undefined, terminating: boolean, gpus: readonly number[] | undefined): PodInfo {
  const parts = partsOf(workload);
  const pod: { -readonly [K in keyof PodInfo]: PodInfo[K] } = {
    name: uid ?? workload.name,
    namespace: parts.namespace,
    labels: workload.labels,
    priority: workload.priority,
    requests: request,
    nonZeroCpu: parts.nz.cpu,
    nonZeroMemory: parts.nz.memory,
    images: parts.images,
    placement: parts.placement,
    owner: workload.name,
  };
  const ctl = parts.controller;
  if (ctl !== undefined) {
    if ('noController' in ctl) pod.noController = true;
    else pod.controller = ctl.controller;
  }
  if (uid !== undefined) pod.uid = uid;
  if (startedAt !== undefined) pod.startedAt = startedAt;
  if (terminating) pod.terminating = true;
  if (workload.gpus) pod.gpu = workload.gpus;
  if (gpus !== undefined) pod.gpuDevices = gpus;
  return pod;
}

function boundPod(b: BoundInstance): PodInfo {
  return makePod(b.workload, b.request, b.id, b.startedAt, b.terminating === true, b.gpus);
}

/**
 * The cluster as kube-scheduler sees it, from the control plane's node views: each node with its
 * condition taints and hostname label, each bound instance as a pod with its requests and GPU
 * devices (a view without its instances counts as one anonymous pod). Also used by `slipway
 * explain` on a scenario at a point of its run.
 */
export function nodeTableOf(views: readonly NodeView[], objects: ClusterObjects = {}, lists?: ReadonlyArray<readonly BoundInstance[] | undefined>): { table: NodeTable; pods: PodInfo[][] } {
  const table = new NodeTable(views.map((v) => nodeSpecOf(v.node)));
  addClusterObjects(table, objects);
  const pods = views.map((v, i) => {
    // `lists`: each node's bound instances already read (reading `bound` again costs a walk of the node).
    const bound = lists !== undefined ? lists[i] : v.bound;
    if (!bound) {
      addOpaque(table, i, v);
      return [];
    }
    const list = bound.map(boundPod);
    for (const p of list) table.addPod(i, p);
    return list;
  });
  return { table, pods };
}

/** Namespace labels and Services on a table (what namespaceSelector and default spreading read). */
export function addClusterObjects(table: NodeTable, objects: ClusterObjects): void {
  for (const n of objects.namespaces ?? []) table.setNamespaceLabels(n.name, n.labels);
  // A Service without a selector selects no pod (GetPodServices skips it).
  for (const v of objects.services ?? []) if (Object.keys(v.selector).length > 0) table.services.push({ namespace: v.namespace, selector: v.selector });
}

/**
 * A workload's own controller selector (a ReplicaSet, StatefulSet or ReplicationController given
 * with one) where default spreading looks it up (`KIND/NAMESPACE/NAME`).
 */
export function addController(table: NodeTable, w: Workload): void {
  const c = w.controller;
  if (c && 'selector' in c) table.controllers.set(`${c.kind}/${w.namespace ?? NAMESPACE}/${w.name}`, c.selector);
}

/** The table kept between calls while the node list is the same array (see NodeView.version). */
interface TableCache {
  readonly views: readonly NodeView[];
  readonly table: NodeTable;
  readonly nodes: Node[];
  /** Each node's image list as last read (nodes report new ones without a NodeUpdated). */
  readonly images: Array<Node['images']>;
  readonly versions: number[];
  /**
   * Each node's pods in the table, by instance id in the node's order, with the bound instance
   * each was made from (to tell an unchanged one from a changed one).
   */
  readonly entries: Array<Map<string, PodEntry>>;
  /** Who the nodes describe their changes to (NodeView.boundChanges): a new cache is a new reader, so it reads in full. */
  readonly reader: object;
}

/** A node's pod in the kept table and the bound instance it was made from. */
export interface PodEntry {
  b: BoundInstance;
  pod: PodInfo;
}

/** Whether a bound instance would give the same pod as before (boundPod reads only these). */
function samePod(a: BoundInstance, b: BoundInstance): boolean {
  return a.workload === b.workload && a.request === b.request && a.startedAt === b.startedAt && a.terminating === b.terminating && a.gpus === b.gpus;
}

/**
 * Node i's pods after its bound instances changed from `before` to `bound`, with the table brought
 * up to date. One walk over both lists, with no index: the Orchestrator keeps a node's instances
 * in insertion order and hands the same BoundInstance object for an unchanged one, so survivors
 * keep their order and new instances come last. An instance of `before` that does not come next
 * in `bound` is taken as removed (its pod leaves the table); what is left of `bound` when `before`
 * runs out is added. A changed pod is replaced in its place. Whatever the order, the table ends
 * exactly as a full rebuild leaves it (pods in `bound` order; the golden traces pin pod order): an
 * instance out of order is removed and added again, which costs only work.
 */
export function refreshNode(t: NodeTable, i: number, pods: readonly PodInfo[], before: readonly BoundInstance[], bound: readonly BoundInstance[]): PodInfo[] {
  if (before.length !== pods.length) {
    // Not made from `before` (cannot happen while the cache is kept): rebuild the node.
    for (const p of pods) t.removePod(i, p);
    const fresh = bound.map(boundPod);
    for (const p of fresh) t.addPod(i, p);
    return fresh;
  }
  const out = new Array<PodInfo>(bound.length); // sized once: filled in order below
  let k = 0;
  for (let j = 0; j < bound.length; j++) {
    const b = bound[j];
    while (k < before.length && before[k].id !== b.id) t.removePod(i, pods[k++]);
    if (k < before.length) {
      const a = before[k];
      const prev = pods[k++];
      if (a === b || samePod(a, b)) out[j] = prev;
      else {
        const p = boundPod(b);
        t.replacePod(i, prev, p);
        out[j] = p;
      }
    } else {
      const p = boundPod(b);
      t.addPod(i, p);
      out[j] = p;
    }
  }
  while (k < before.length) t.removePod(i, pods[k++]);
  return out;
}

/** Node i's entries made from `pods` (in the table, in order) and the instances they came from. */
function entriesOf(bound: readonly BoundInstance[], pods: readonly PodInfo[]): Map<string, PodEntry> {
  const m = new Map<string, PodEntry>();
  bound.forEach((b, k) => m.set(b.id, { b, pod: pods[k] }));
  return m;
}

/** Node i's entries after its bound instances became `bound` (a whole list), the table brought up to date (refreshNode). */
export function refreshEntries(t: NodeTable, i: number, entries: ReadonlyMap<string, PodEntry>, bound: readonly BoundInstance[]): Map<string, PodEntry> {
  const before = [...entries.values()];
  const pods = refreshNode(
    t,
    i,
    before.map((e) => e.pod),
    before.map((e) => e.b),
    bound,
  );
  return entriesOf(bound, pods);
}

/**
 * Applies a node's changes since it was last read (NodeView.boundChanges) to its entries and the
 * table: removed pods leave, changed ones are replaced in place, new ones come last, in order — so
 * the pods end in the node's order, as a rebuild from scratch leaves them (the golden traces pin
 * pod order), in O(changes). False when a changed instance was never read (the changes do not
 * fit the entries: the caller reads the node in full).
 */
export function applyBoundChanges(t: NodeTable, i: number, entries: Map<string, PodEntry>, d: { readonly removed: readonly string[]; readonly changed: readonly BoundInstance[]; readonly added: readonly BoundInstance[] }): boolean {
  for (const id of d.removed) {
    const e = entries.get(id);
    if (e === undefined) continue;
    t.removePod(i, e.pod);
    entries.delete(id);
  }
  for (const b of d.changed) {
    const e = entries.get(b.id);
    if (e === undefined) return false;
    if (e.b === b) continue;
    if (!samePod(e.b, b)) {
      const p = boundPod(b);
      t.replacePod(i, e.pod, p);
      e.pod = p;
    }
    e.b = b;
  }
  for (const b of d.added) {
    const old = entries.get(b.id);
    if (old !== undefined) {
      // Cannot happen (an id added since the last read was not on the node then); kept exact anyway.
      t.removePod(i, old.pod);
      entries.delete(b.id);
    }
    const pod = boundPod(b);
    t.addPod(i, pod);
    entries.set(b.id, { b, pod });
  }
  return true;
}

export class FrameworkScheduler implements Scheduler {
  /**
   * Preemptors waiting for their victims to go (kube-scheduler's nominatedNodeName), by workload.
   * Pods of lower or equal priority see the nominated pod as already placed on that node, so they
   * cannot take the room preemption made; the preemptor does not preempt again while victims on
   * its nominated node are still terminating.
   */
  private readonly nominated = new Map<string, { node: string; pod: PodInfo }>();
  private cache: TableCache | undefined;

  /**
   * The snapshot for this call. While the Orchestrator hands over the same views array, only
   * nodes whose version changed are re-read (a full rebuild costs O(instances) per call).
   */
  private tableFor(views: readonly NodeView[]): NodeTable {
    const c = this.cache;
    // `'bound' in v`, not `v.bound`: the Orchestrator computes bound lists on access.
    if (!c || !this.keeps(c, views)) {
      // Nodes that describe their changes are read through boundChanges, by a new reader (a full list now, changes after).
      const reader = {};
      const lists = views.map((v) => (v.boundChanges !== undefined ? (v.boundChanges(reader).full ?? v.bound) : v.bound));
      const { table, pods } = nodeTableOf(views, this.objects, lists);
      const entries = lists.map((l, i) => entriesOf(l ?? [], pods[i]));
      this.cache = { views, reader, table, nodes: views.map((v) => v.node), images: views.map((v) => v.node.images), versions: views.map((v) => v.version ?? -1), entries };
      return table;
    }
    views.forEach((v, i) => this.updateNode(c, v, i));
    return c.table;
  }

  /** Whether the kept table can be brought up to date for `views` node by node. */
  private keeps(c: TableCache, views: readonly NodeView[]): boolean {
    return c.views === views && !views.some((v) => v.version === undefined || !('bound' in v));
  }

  /** Brings node i of the kept table up to date: its node object (taints, cordon, images), then its pods. */
  private updateNode(c: TableCache, v: NodeView, i: number): void {
    const t = c.table;
    if (v.node !== c.nodes[i]) {
      const spec = nodeSpecOf(v.node);
      t.setTaints(i, spec.taints);
      t.unschedulable[i] = spec.unschedulable ? 1 : 0;
      c.nodes[i] = v.node;
    }
    if (v.node.images !== c.images[i]) {
      t.setImages(i, v.node.images);
      c.images[i] = v.node.images;
    }
    this.updatePods(c, v, i);
  }

  /** Re-reads node i's pods when its instances changed since; returns whether it did. */
  private updatePods(c: TableCache, v: NodeView, i: number): boolean {
    if (v.version === c.versions[i]) return false;
    const d = v.boundChanges?.(c.reader);
    if (d === undefined || d.full !== undefined || !applyBoundChanges(c.table, i, c.entries[i], d)) c.entries[i] = refreshEntries(c.table, i, c.entries[i], d?.full ?? v.bound!);
    c.versions[i] = v.version!;
    return true;
  }

  /**
   * Idle-time work (Scheduler.refresh): re-reads the pods of up to `maxNodes` nodes of the kept
   * table whose instances changed, starting where the last refresh stopped (node objects, new
   * with every heartbeat and cheap to re-read, are left to the next call). When nothing is kept
   * yet, or the node list changed, the next call rebuilds anyway: nothing is done here.
   */
  refresh(views: readonly NodeView[], maxNodes: number): number {
    const c = this.cache;
    if (!c || views.length === 0 || !this.keeps(c, views)) return 0;
    let done = 0;
    for (let k = 0; k < views.length && done < maxNodes; k++) {
      const i = (this.refreshAt + k) % views.length;
      if (this.updatePods(c, views[i], i)) {
        done++;
        this.refreshAt = (i + 1) % views.length;
      }
    }
    return done;
  }
  private refreshAt = 0;

  /** Scheduler.staleNodes: the nodes of the kept table whose instances changed since they were read. */
  staleNodes(views: readonly NodeView[]): number {
    const c = this.cache;
    if (!c || !this.keeps(c, views)) return 0;
    let n = 0;
    for (let i = 0; i < views.length; i++) if (views[i].version !== c.versions[i]) n++;
    return n;
  }

  /** Whether the profile has Coscheduling (gang members wait and are rejected together). */
  private readonly gangs: boolean;

  constructor(
    readonly name: string,
    private readonly framework: Framework,
    /** Namespaces and Services of the run (static: scenarios declare them up front). */
    private readonly objects: ClusterObjects = {},
  ) {
    this.gangs = framework.plugins.some((p) => p.plugin.name === COSCHEDULING);
  }

  schedule(request: ScheduleRequest, views: readonly NodeView[]): ScheduleDecision[] {
    const table = this.tableFor(views);
    // Pods added for this call only (nominated pods, this call's placements): removed before returning.
    const temporary: Array<{ node: number; pod: PodInfo }> = [];
    try {
      return this.place(request, views, table, temporary);
    } finally {
      for (const x of temporary) table.removePod(x.node, x.pod);
    }
  }

  private place(
    request: ScheduleRequest,
    views: readonly NodeView[],
    table: NodeTable,
    temporary: Array<{ node: number; pod: PodInfo }>,
  ): ScheduleDecision[] {
    const w = request.workload;
    table.disruptionBudgets = request.disruptionBudgets ?? [];
    addController(table, w);
    const self = podOf(w, request.request);
    for (const [owner, nom] of this.nominated) {
      const i = table.indexOf(nom.node);
      if (owner === w.name || i === undefined || nom.pod.priority < self.priority) continue;
      const pod = { ...nom.pod };
      table.addPod(i, pod);
      temporary.push({ node: i, pod });
    }
    const mine = this.nominated.get(w.name);
    const waitingForVictims = mine !== undefined && table.pods[table.indexOf(mine.node) ?? -1]?.some((p) => p.terminating) === true;
    const decisions: ScheduleDecision[] = [];
    const gang = w.placement?.gang;
    // Reserved pods of this call whose Permit said 'wait' (gang members), by decision index.
    const waiting = new Map<number, { node: number; pod: PodInfo }>();
    /** Set once Coscheduling's PostFilter rejected the gang: the call's remaining members fail with it. */
    let rejected: string | undefined;
    let anyPlaced = false;
    for (let k = 0; k < request.count; k++) {
      if (rejected !== undefined) {
        decisions.push(gangRejection(table.n, rejected));
        continue;
      }
      const pod = podOf(w, request.request);
      const r = this.framework.scheduleOne(pod, table);
      if (r.kind === 'assign') {
        table.addPod(r.node, pod);
        temporary.push({ node: r.node, pod });
        this.framework.reserve(pod, table, r.node);
        const gpus = reserveGpus(pod, table, r.node);
        const verdict = this.framework.permit(pod, table, r.node);
        if (verdict !== 'allow' && (verdict !== 'wait' || !gang)) {
          // A status rejects; a wait outside a gang has nobody to allow it (kube: it times out).
          this.framework.unreserve(pod, table, r.node);
          table.removePod(r.node, pod);
          temporary.pop();
          const reasons = countReasons(verdict === 'wait' ? [PERMIT_WAIT_WITHOUT_GANG] : verdict.reasons, table.n);
          decisions.push({ kind: 'unschedulable', message: unschedulableMessage(table.n, reasons), reasons });
          continue;
        }
        anyPlaced = true;
        const placed = {
          nodeId: views[r.node].node.id,
          nodeName: views[r.node].node.name,
          candidates: r.candidates.map(
            (c): ScoredCandidate => ({ node: table.names[c.node], total: c.total, scores: c.scores }),
          ),
          ...(gpus !== undefined ? { gpus } : {}),
        };
        // (narrowing: a wait without a gang was rejected above)
        if (verdict === 'wait' && gang) {
          waiting.set(k, { node: r.node, pod });
          decisions.push({ kind: 'wait', ...placed, gang: gang.name, members: gangMembers(table, gang.name) });
          continue;
        }
        // Allowed. A gang member allowed means its gang has its quorum: the call's waiting members
        // are allowed with it (and the Orchestrator binds the members waiting from earlier calls).
        for (const j of waiting.keys()) {
          const d = decisions[j] as Extract<ScheduleDecision, { kind: 'wait' }>;
          decisions[j] = {
            kind: 'assign',
            nodeId: d.nodeId,
            nodeName: d.nodeName,
            ...(d.candidates ? { candidates: d.candidates } : {}),
            ...(d.gpus ? { gpus: d.gpus } : {}),
          };
        }
        waiting.clear();
        decisions.push({ kind: 'assign', ...placed, ...(gang && this.gangs ? { allowsGang: gang.name } : {}) });
      } else {
        const victims = waitingForVictims ? [] : (r.preemption?.victims ?? []).flatMap((v) => (v.uid !== undefined ? [v.uid] : []));
        const preempt = r.preemption && victims.length > 0 && decisions.every((d) => d.kind !== 'unschedulable' || !d.victims);
        if (preempt) this.nominated.set(w.name, { node: table.names[r.preemption!.node], pod });
        // Coscheduling's PostFilter: a member that fits nowhere rejects its gang's waiting members.
        const reject = !preempt && gang !== undefined && this.gangs && rejectsGang(gang, table);
        if (reject) {
          rejected = `gang ${gang.name}: only ${gangMembers(table, gang.name)} of minMember ${gang.minMember} pods can be placed`;
          for (const [j, x] of waiting) {
            this.framework.unreserve(x.pod, table, x.node);
            table.removePod(x.node, x.pod);
            temporary.splice(temporary.findIndex((t) => t.pod === x.pod), 1);
            decisions[j] = gangRejection(table.n, rejected);
          }
          waiting.clear();
        }
        decisions.push({
          kind: 'unschedulable',
          message: unschedulableMessage(table.n, r.reasons),
          reasons: r.reasons,
          ...(preempt ? { victims, nominatedNode: table.names[r.preemption!.node], ...violatedBudgets(r.preemption!) } : {}),
          ...(reject ? { rejectGang: gang.name } : {}),
        });
      }
    }
    if (anyPlaced) this.nominated.delete(w.name);
    return decisions;
  }

}

/** The preemption's PDB-violating victims by instance id (`violatedBudgets`), when it has any. */
function violatedBudgets(p: PostFilterResult): { violatedBudgets?: Record<string, string> } {
  if (!p.budgets || p.budgets.size === 0) return {};
  const out: Record<string, string> = {};
  for (const [v, b] of p.budgets) if (v.uid !== undefined) out[v.uid] = b;
  return { violatedBudgets: out };
}

/** A member of a gang that Coscheduling's PostFilter rejected in this call. */
function gangRejection(nodes: number, why: string): ScheduleDecision {
  return { kind: 'unschedulable', message: `0/${nodes} nodes are available: ${why}.`, reasons: { [why]: 1 } };
}

/**
 * The devices of a GPU pod just reserved on node i: those a GPU policy plugin chose at Reserve
 * (src/scheduler/plugins/gpu), else best-fit (the simulator's and gpushare's default rule: the
 * fullest device that fits a shared pod; the first free ones for whole GPUs). Undefined for pods
 * without a GPU request.
 */
export function reserveGpus(pod: PodInfo, table: NodeTable, i: number): readonly number[] | undefined {
  if (pod.gpu === undefined || table.gpu === undefined) return undefined;
  const held = table.gpuDevicesOf(pod);
  if (held !== undefined) return held;
  const devices = bestFitGpus(table.gpu, i, table.gpuPod(pod));
  table.assignGpus(i, pod, devices);
  return devices;
}

/** A rejection's reasons counted as kube-scheduler does: every node, per reason. */
function countReasons(reasons: readonly string[], nodes: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of reasons) out[r] = nodes;
  return out;
}

/** A view without its instances: account the allocation as one anonymous pod per instance total. */
function addOpaque(table: NodeTable, i: number, v: NodeView): void {
  if (v.instanceCount === 0) return;
  const pod: PodInfo = {
    name: `${v.node.name}/allocated`,
    namespace: NAMESPACE,
    labels: {},
    priority: 0,
    requests: v.allocated,
    nonZeroCpu: v.allocated.cpu,
    nonZeroMemory: v.allocated.memory,
    images: [],
    placement: {},
  };
  table.addPod(i, pod);
}
