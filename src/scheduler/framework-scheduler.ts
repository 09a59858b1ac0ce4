/**
 * The plugin framework behind the control plane's `Scheduler` interface. Each call builds a
 * NodeTable from the Orchestrator's node views, then runs one scheduling cycle per requested
 * instance, assuming each placement before the next (as kube-scheduler's cache does).
 *
 * Node conditions become the taints Kubernetes' node lifecycle controller adds: a NotReady node
 * carries `node.kubernetes.io/not-ready` (NoSchedule, NoExecute), an Unknown or Down node
 * `node.kubernetes.io/unreachable`. Every node carries the `kubernetes.io/hostname` label.
 *
 * After each placement the profile's Reserve and Permit run (Coscheduling holds gang members
 * until `minMember` of them are reserved or bound); members still waiting when the call ends are
 * unreserved and the whole call's placements fail together (gangs are all or nothing).
 */
import type {
  BoundInstance,
  NodeView,
  ScheduleDecision,
  ScheduleRequest,
  Scheduler,
  ScoredCandidate,
} from '../core/interfaces.js';
import type { Resources } from '../core/resources.js';
import type { Node, Taint, Workload } from '../core/types.js';
import type { Framework } from './framework/framework.js';
import { NodeTable, type NodeSpec } from './framework/node-table.js';
import { nonZeroRequests, type PodInfo } from './framework/pod.js';
import { unschedulableMessage } from './reasons.js';
import { bestFitGpus } from '../gpu/policies/gpu-selection.js';
import { LABEL_HOSTNAME } from './plugins/pod-topology-spread/index.js';

export const NAMESPACE = 'default';

const NOT_READY: readonly Taint[] = [
  { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
];
const UNREACHABLE: readonly Taint[] = [
  { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
];

/** The node as kube-scheduler would see it (condition taints, hostname label). */
export function nodeSpecOf(node: Node): NodeSpec {
  const extra = node.status === 'Ready' ? [] : node.status === 'NotReady' ? NOT_READY : UNREACHABLE;
  const labels = LABEL_HOSTNAME in node.labels ? node.labels : { ...node.labels, [LABEL_HOSTNAME]: node.name };
  return {
    name: node.name,
    labels,
    taints: extra.length ? [...node.taints, ...extra] : node.taints,
    unschedulable: node.unschedulable,
    allocatable: node.allocatable,
    ...(node.gpus ? { gpus: node.gpus } : {}),
  };
}

/** A workload's instance as a pod (the same PodInfo for every instance of a generation). */
export function podOf(
  workload: Workload,
  request: Resources,
  extra: { uid?: string; startedAt?: number; terminating?: boolean; gpus?: readonly number[] } = {},
): PodInfo {
  const nz = nonZeroRequests(workload.containers);
  return {
    name: extra.uid ?? workload.name,
    namespace: NAMESPACE,
    labels: workload.labels,
    priority: workload.priority,
    requests: request,
    nonZeroCpu: nz.cpu,
    nonZeroMemory: nz.memory,
    images: workload.containers.map((c) => c.image),
    placement: workload.placement ?? {},
    owner: workload.name,
    ...(extra.uid !== undefined ? { uid: extra.uid } : {}),
    ...(extra.startedAt !== undefined ? { startedAt: extra.startedAt } : {}),
    ...(extra.terminating ? { terminating: true } : {}),
    ...(workload.gpus ? { gpu: workload.gpus } : {}),
    ...(extra.gpus !== undefined ? { gpuDevices: extra.gpus } : {}),
  };
}

function boundPod(b: BoundInstance): PodInfo {
  return podOf(b.workload, b.request, {
    uid: b.id,
    ...(b.startedAt !== undefined ? { startedAt: b.startedAt } : {}),
    ...(b.terminating ? { terminating: true } : {}),
    ...(b.gpus !== undefined ? { gpus: b.gpus } : {}),
  });
}

/** The table kept between calls while the node list is the same array (see NodeView.version). */
interface TableCache {
  readonly views: readonly NodeView[];
  readonly table: NodeTable;
  readonly nodes: Node[];
  readonly versions: number[];
  readonly pods: PodInfo[][];
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
    if (!c || c.views !== views || views.some((v) => v.version === undefined || !('bound' in v))) {
      const table = new NodeTable(views.map((v) => nodeSpecOf(v.node)));
      const pods = views.map((v, i) => {
        if (!v.bound) {
          addOpaque(table, i, v);
          return [];
        }
        const list = v.bound.map(boundPod);
        for (const p of list) table.addPod(i, p);
        return list;
      });
      this.cache = { views, table, nodes: views.map((v) => v.node), versions: views.map((v) => v.version ?? -1), pods };
      return table;
    }
    const t = c.table;
    views.forEach((v, i) => {
      if (v.node !== c.nodes[i]) {
        const spec = nodeSpecOf(v.node);
        t.taints[i] = spec.taints;
        t.unschedulable[i] = spec.unschedulable ? 1 : 0;
        c.nodes[i] = v.node;
      }
      if (v.version !== c.versions[i]) {
        for (const p of c.pods[i]) t.removePod(i, p);
        c.pods[i] = v.bound!.map(boundPod);
        for (const p of c.pods[i]) t.addPod(i, p);
        c.versions[i] = v.version!;
      }
    });
    return t;
  }

  constructor(
    readonly name: string,
    private readonly framework: Framework,
  ) {}

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
    // Reserved pods whose Permit said 'wait' (gang members), by decision index.
    const waiting = new Map<number, { node: number; pod: PodInfo }>();
    let anyPlaced = false;
    for (let k = 0; k < request.count; k++) {
      const pod = podOf(w, request.request);
      const r = this.framework.scheduleOne(pod, table);
      if (r.kind === 'assign') {
        table.addPod(r.node, pod);
        temporary.push({ node: r.node, pod });
        this.framework.reserve(pod, table, r.node);
        const gpus = reserveGpus(pod, table, r.node);
        const verdict = this.framework.permit(pod, table, r.node);
        if (verdict !== 'allow' && verdict !== 'wait') {
          this.framework.unreserve(pod, table, r.node);
          table.removePod(r.node, pod);
          temporary.pop();
          const reasons = countReasons(verdict.reasons, table.n);
          decisions.push({ kind: 'unschedulable', message: unschedulableMessage(table.n, reasons), reasons });
          continue;
        }
        if (verdict === 'wait') waiting.set(k, { node: r.node, pod });
        else waiting.clear(); // a gang completed: every waiting member is allowed with it
        anyPlaced = true;
        decisions.push({
          kind: 'assign',
          nodeId: views[r.node].node.id,
          nodeName: views[r.node].node.name,
          candidates: r.candidates.map(
            (c): ScoredCandidate => ({ node: table.names[c.node], total: c.total, scores: c.scores }),
          ),
          ...(gpus !== undefined ? { gpus } : {}),
        });
      } else {
        const victims = waitingForVictims ? [] : (r.preemption?.victims ?? []).flatMap((v) => (v.uid !== undefined ? [v.uid] : []));
        const preempt = r.preemption && victims.length > 0 && decisions.every((d) => d.kind === 'assign' || !d.victims);
        if (preempt) this.nominated.set(w.name, { node: table.names[r.preemption!.node], pod });
        decisions.push({
          kind: 'unschedulable',
          message: unschedulableMessage(table.n, r.reasons),
          reasons: r.reasons,
          ...(preempt ? { victims, nominatedNode: table.names[r.preemption!.node] } : {}),
        });
      }
    }
    if (anyPlaced) this.nominated.delete(w.name);
    if (waiting.size > 0) {
      // The attempt ended with members still waiting: the gang is incomplete. Release them, and
      // fail the whole attempt together (a gang is all or nothing).
      const gang = w.placement?.gang;
      let members = 0;
      for (const pods of table.pods) for (const p of pods) if (gang && p.placement.gang?.name === gang.name && !p.terminating) members++;
      for (const x of waiting.values()) this.framework.unreserve(x.pod, table, x.node);
      const why = `gang ${gang?.name}: only ${members} of minMember ${gang?.minMember} pods can be placed`;
      return decisions.map((d) =>
        d.kind === 'assign' ? { kind: 'unschedulable', message: `0/${table.n} nodes are available: ${why}.`, reasons: { [why]: 1 } } : d,
      );
    }
    return decisions;
  }

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
