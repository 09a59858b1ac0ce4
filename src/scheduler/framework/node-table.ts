/**
 * The scheduler's snapshot of the cluster, kept in compact parallel arrays indexed by node
 * number (0..n-1, in the order given, which is name order everywhere in Slipway).
 *
 * Numbers (allocatable, requested, non-zero requested, pod counts) live in typed arrays so that a
 * scheduling cycle over thousands of nodes touches little memory; labels, taints and bound pods are
 * per-node objects that plugins read only when the pod asks for them.
 */
import type { GpuDevices, Taint } from '../../core/types.js';
import { GpuCluster, type CompiledPod } from '../../gpu/cluster.js';
import type { Resources } from '../../core/resources.js';
import type { LabelSelector } from '../../core/placement.js';
import type { DisruptionBudgetStatus } from '../../core/disruption-budget.js';
import type { PodInfo } from './pod.js';

/** kubelet's default `maxPods`, used when a node does not say how many pods it takes. */
export const DEFAULT_MAX_PODS = 110;

export interface NodeSpec {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly unschedulable: boolean;
  readonly allocatable: Resources;
  /** Pods the node accepts (allocatable `pods`); default 110. */
  readonly maxPods?: number;
  /** Images present on the node: normalized name (`nginx:latest`) → size in bytes. */
  readonly images?: ReadonlyMap<string, number>;
  /** GPU devices of the node. */
  readonly gpus?: GpuDevices;
}

const MIB = 1024 * 1024;

/** The label Kubernetes puts on every namespace: its name. */
export const LABEL_NAMESPACE_NAME = 'kubernetes.io/metadata.name';

export interface LabelDomains {
  readonly ids: Int32Array;
  readonly has: Uint8Array;
  readonly values: readonly string[];
  readonly index: ReadonlyMap<string, number>;
}

export class NodeTable {
  readonly n: number;
  readonly names: string[];
  readonly labels: Array<Readonly<Record<string, string>>>;
  /** Per node; change with `setTaints` (it keeps `taintedNodes`). */
  readonly taints: Array<readonly Taint[]>;
  /** Nodes with at least one taint: 0 lets TaintToleration skip its per-node work. */
  taintedNodes = 0;
  readonly unschedulable: Uint8Array;
  readonly allocCpu: Float64Array;
  readonly allocMem: Float64Array;
  readonly allocDisk: Float64Array;
  readonly allocPods: Int32Array;
  readonly allocExt: Array<Readonly<Record<string, number>>>;
  readonly reqCpu: Float64Array;
  readonly reqMem: Float64Array;
  readonly reqDisk: Float64Array;
  readonly reqExt: Array<Record<string, number>>;
  /** Σ non-zero requests (see PodInfo.nonZeroCpu), what NodeResourcesFit scores against. */
  readonly nzCpu: Float64Array;
  readonly nzMem: Float64Array;
  readonly pods: PodInfo[][];
  /** pods[i].length, as a typed array for the filter's hot path. */
  readonly podCount: Int32Array;
  readonly images: Array<ReadonlyMap<string, number> | undefined>;
  /** Image name → how many nodes have it (ImageLocality's spread factor). */
  readonly imageNodes = new Map<string, number>();
  /** Image name → its size on each node (0 = absent), built on first use. */
  private readonly imageSizeIndex = new Map<string, Float64Array>();
  /**
   * Per workload (PodInfo.owner): bound pods per node, terminating ones left out as
   * kube-scheduler's PodTopologySpread leaves them out (default topology spreading reads it).
   */
  readonly ownerCounts = new Map<string, Int32Array>();
  private readonly domainIndex = new Map<string, LabelDomains>();
  /** owner → topology key → label value ('' when absent) → bound pods of the owner there. */
  private readonly ownerDomains = new Map<string, Map<string, Map<string, number>>>();
  /** Per node: bound pods with any pod (anti-)affinity; and the cluster-wide total. */
  readonly affinityPods: Int32Array;
  affinityPodsTotal = 0;
  private readonly index = new Map<string, number>();
  /** Bumped whenever a pod is added or removed (plugins cache cluster-wide counts per version). */
  version = 0;
  /**
   * Namespace labels (what an affinity term's namespaceSelector matches). A namespace not listed
   * has none but `kubernetes.io/metadata.name`, which Kubernetes sets on every namespace.
   */
  readonly namespaceLabels = new Map<string, Readonly<Record<string, string>>>();
  /**
   * Services and controllers (ReplicaSet, StatefulSet, ReplicationController; key
   * `KIND/NAMESPACE/NAME`) whose selectors default topology spreading reads (helper.DefaultSelector).
   */
  readonly services: Array<{ readonly namespace: string; readonly selector: Readonly<Record<string, string>> }> = [];
  readonly controllers = new Map<string, LabelSelector>();
  /**
   * PodDisruptionBudgets with their status, which DefaultPreemption reads (set by whoever builds
   * the cycle: the scheduler per call, a snapshot once). None by default.
   */
  disruptionBudgets: readonly DisruptionBudgetStatus[] = [];
  /**
   * Per-device GPU state (free milli-GPU per device, in src/gpu's typed arrays, node i = node i of
   * this table) when any node has GPUs; undefined otherwise, and then nothing below costs anything.
   */
  readonly gpu: GpuCluster | undefined;
  /** GPU pods on the table → node and devices they hold (bound pods' recorded ones, or Reserve's choice). */
  private readonly gpuHeld = new Map<PodInfo, { node: number; devices: readonly number[] }>();
  /** Compiled GPU requests (src/gpu's CompiledPod) per pod. */
  private readonly compiled = new WeakMap<PodInfo, CompiledPod>();

  /** The labels of namespace `ns` (see namespaceLabels). */
  labelsOfNamespace(ns: string): Readonly<Record<string, string>> {
    return this.namespaceLabels.get(ns) ?? { [LABEL_NAMESPACE_NAME]: ns };
  }

  /** Sets a namespace's labels (`kubernetes.io/metadata.name` is added). */
  setNamespaceLabels(ns: string, labels: Readonly<Record<string, string>>): void {
    this.namespaceLabels.set(ns, { ...labels, [LABEL_NAMESPACE_NAME]: ns });
  }

  constructor(nodes: readonly NodeSpec[]) {
    const n = (this.n = nodes.length);
    this.names = new Array(n);
    this.labels = new Array(n);
    this.taints = new Array(n);
    this.unschedulable = new Uint8Array(n);
    this.allocCpu = new Float64Array(n);
    this.allocMem = new Float64Array(n);
    this.allocDisk = new Float64Array(n);
    this.allocPods = new Int32Array(n);
    this.allocExt = new Array(n);
    this.reqCpu = new Float64Array(n);
    this.reqMem = new Float64Array(n);
    this.reqDisk = new Float64Array(n);
    this.reqExt = new Array(n);
    this.nzCpu = new Float64Array(n);
    this.nzMem = new Float64Array(n);
    this.pods = new Array(n);
    this.podCount = new Int32Array(n);
    this.images = new Array(n);
    this.affinityPods = new Int32Array(n);
    nodes.forEach((s, i) => {
      this.names[i] = s.name;
      this.index.set(s.name, i);
      this.labels[i] = s.labels;
      this.taints[i] = s.taints;
      if (s.taints.length > 0) this.taintedNodes++;
      this.unschedulable[i] = s.unschedulable ? 1 : 0;
      this.allocCpu[i] = s.allocatable.cpu;
      this.allocMem[i] = s.allocatable.memory;
      this.allocDisk[i] = s.allocatable.disk;
      this.allocPods[i] = s.maxPods ?? DEFAULT_MAX_PODS;
      this.allocExt[i] = s.allocatable.extended;
      this.reqExt[i] = {};
      this.pods[i] = [];
      this.images[i] = s.images;
      if (s.images) for (const img of s.images.keys()) this.imageNodes.set(img, (this.imageNodes.get(img) ?? 0) + 1);
    });
    this.gpu = nodes.some((s) => s.gpus !== undefined)
      ? new GpuCluster(
          nodes.map((s) => ({
            name: s.name,
            cpuMilli: s.allocatable.cpu,
            memoryMiB: Math.floor(s.allocatable.memory / MIB),
            gpuCount: s.gpus?.count ?? 0,
            model: s.gpus?.model ?? '',
          })),
          { keepOrder: true },
        )
      : undefined;
  }

  /** The pod as src/gpu's policies see it (cpu in millicores, memory in MiB, GPU request). Needs `gpu`. */
  gpuPod(pod: PodInfo): CompiledPod {
    let c = this.compiled.get(pod);
    if (!c) {
      c = this.gpu!.compile({
        name: pod.name,
        cpuMilli: pod.requests.cpu,
        memoryMiB: Math.floor(pod.requests.memory / MIB),
        numGpu: pod.gpu?.count ?? 0,
        gpuMilli: pod.gpu?.milli ?? 0,
        gpuSpec: pod.gpu?.models ?? [],
      });
      this.compiled.set(pod, c);
    }
    return c;
  }

  /** The devices a pod on the table holds (undefined: none assigned yet, or no GPU request). */
  gpuDevicesOf(pod: PodInfo): readonly number[] | undefined {
    return this.gpuHeld.get(pod)?.devices;
  }

  /**
   * Gives pod (already on node i, see addPod) the devices `devices` of node i. Throws when the pod
   * has no GPU request, holds devices already, or a device cannot take its share.
   */
  assignGpus(i: number, pod: PodInfo, devices: readonly number[]): void {
    if (!this.gpu || !pod.gpu) throw new Error(`pod ${pod.name}: no GPU request or no GPU nodes`);
    if (this.gpuHeld.has(pod)) throw new Error(`pod ${pod.name}: already holds GPU devices`);
    const p = this.gpuPod(pod);
    if (devices.length !== p.num) throw new Error(`pod ${pod.name}: ${devices.length} devices given for ${p.num} GPUs`);
    this.gpu.takeDevices(i, p, devices, 1);
    this.gpuHeld.set(pod, { node: i, devices });
    this.version++;
  }

  /** Returns the devices of pod (undo of assignGpus); false when it held none. */
  releaseGpus(pod: PodInfo): boolean {
    const held = this.gpuHeld.get(pod);
    if (!held) return false;
    this.gpu!.takeDevices(held.node, this.gpuPod(pod), held.devices, -1);
    this.gpuHeld.delete(pod);
    this.version++;
    return true;
  }

  /**
   * The domains of label `key`: per node a domain id (nodes without the label, and the value '',
   * share the id of ''), whether the node has the label, and the value of each id. Built once per key.
   */
  labelDomains(key: string): LabelDomains {
    let d = this.domainIndex.get(key);
    if (!d) {
      const ids = new Int32Array(this.n);
      const has = new Uint8Array(this.n);
      const index = new Map<string, number>();
      const values: string[] = [];
      for (let i = 0; i < this.n; i++) {
        const labels = this.labels[i];
        const present = Object.prototype.hasOwnProperty.call(labels, key);
        const v = present ? labels[key] : '';
        let id = index.get(v);
        if (id === undefined) {
          id = values.length;
          index.set(v, id);
          values.push(v);
        }
        ids[i] = id;
        has[i] = present ? 1 : 0;
      }
      d = { ids, has, values, index };
      this.domainIndex.set(key, d);
    }
    return d;
  }

  /** Node `i` now reports these images (a simulated node pulled one): ImageLocality's inputs follow. */
  setImages(i: number, images: ReadonlyMap<string, number> | undefined): void {
    const old = this.images[i];
    if (old === images) return;
    if (old) for (const img of old.keys()) this.imageNodes.set(img, this.imageNodes.get(img)! - 1);
    if (images) for (const img of images.keys()) this.imageNodes.set(img, (this.imageNodes.get(img) ?? 0) + 1);
    for (const img of old?.keys() ?? []) if (this.imageNodes.get(img) === 0) this.imageNodes.delete(img);
    this.images[i] = images;
    this.imageSizeIndex.clear();
  }

  /** Replaces node `i`'s taints (a node's conditions changed, or a taint operation). */
  setTaints(i: number, taints: readonly Taint[]): void {
    this.taintedNodes += (taints.length > 0 ? 1 : 0) - (this.taints[i].length > 0 ? 1 : 0);
    this.taints[i] = taints;
  }

  /** Per node, the size of `image` there (0 when the node lacks it). */
  imageSizes(image: string): Float64Array {
    let a = this.imageSizeIndex.get(image);
    if (!a) {
      a = new Float64Array(this.n);
      if (this.imageNodes.has(image)) for (let i = 0; i < this.n; i++) a[i] = this.images[i]?.get(image) ?? 0;
      this.imageSizeIndex.set(image, a);
    }
    return a;
  }

  /**
   * Pods of `owner` per value of the label `key` over all nodes (nodes without the label count
   * under ''), kept up to date as pods are added and removed once asked for.
   */
  ownerDomainCounts(owner: string, key: string): ReadonlyMap<string, number> {
    let byKey = this.ownerDomains.get(owner);
    if (!byKey) this.ownerDomains.set(owner, (byKey = new Map()));
    let m = byKey.get(key);
    if (!m) {
      m = new Map();
      const own = this.ownerArray(owner);
      for (let i = 0; i < this.n; i++) {
        if (own[i] === 0) continue;
        const v = this.labels[i][key] ?? '';
        m.set(v, (m.get(v) ?? 0) + own[i]);
      }
      byKey.set(key, m);
    }
    return m;
  }

  /** The per-node pod counts of `owner` (created empty on first use). */
  ownerArray(owner: string): Int32Array {
    let c = this.ownerCounts.get(owner);
    if (!c) this.ownerCounts.set(owner, (c = new Int32Array(this.n)));
    return c;
  }

  indexOf(name: string): number | undefined {
    return this.index.get(name);
  }

  /** Binds (or assumes) a pod on node `i`: its requests count against the node from now on. */
  addPod(i: number, pod: PodInfo): void {
    this.account(i, pod, 1);
    this.pods[i].push(pod);
    this.podCount[i]++;
    this.version++;
    if (this.gpu !== undefined) {
      this.gpu.takeCpuMem(i, pod.requests.cpu, Math.floor(pod.requests.memory / MIB), 1);
      if (pod.gpuDevices !== undefined && pod.gpu !== undefined) this.assignGpus(i, pod, pod.gpuDevices);
    }
  }

  /** Removes a pod added with `addPod` (by identity). Returns false when it was not there. */
  removePod(i: number, pod: PodInfo): boolean {
    const list = this.pods[i];
    const k = list.lastIndexOf(pod);
    if (k < 0) return false;
    list.splice(k, 1);
    this.podCount[i]--;
    this.account(i, pod, -1);
    this.version++;
    if (this.gpu !== undefined) {
      this.gpu.takeCpuMem(i, pod.requests.cpu, Math.floor(pod.requests.memory / MIB), -1);
      this.releaseGpus(pod);
    }
    return true;
  }

  /**
   * Puts `next` where `prev` (added with `addPod` on node i) is, keeping its place in the node's
   * pod list: the same table as removing every pod and adding them again in order, without the
   * O(pods) rebuild. Returns false when prev was not there.
   */
  replacePod(i: number, prev: PodInfo, next: PodInfo): boolean {
    const list = this.pods[i];
    const k = list.lastIndexOf(prev);
    if (k < 0) return false;
    this.account(i, prev, -1);
    if (this.gpu !== undefined) {
      this.gpu.takeCpuMem(i, prev.requests.cpu, Math.floor(prev.requests.memory / MIB), -1);
      this.releaseGpus(prev);
    }
    list[k] = next;
    this.account(i, next, 1);
    this.version++;
    if (this.gpu !== undefined) {
      this.gpu.takeCpuMem(i, next.requests.cpu, Math.floor(next.requests.memory / MIB), 1);
      if (next.gpuDevices !== undefined && next.gpu !== undefined) this.assignGpus(i, next, next.gpuDevices);
    }
    return true;
  }

  private account(i: number, pod: PodInfo, sign: 1 | -1): void {
    const r = pod.requests;
    this.reqCpu[i] += sign * r.cpu;
    this.reqMem[i] += sign * r.memory;
    this.reqDisk[i] += sign * r.disk;
    this.nzCpu[i] += sign * pod.nonZeroCpu;
    this.nzMem[i] += sign * pod.nonZeroMemory;
    if (pod.owner !== undefined && pod.terminating !== true) {
      this.ownerArray(pod.owner)[i] += sign;
      const byKey = this.ownerDomains.get(pod.owner);
      if (byKey) {
        for (const [key, m] of byKey) {
          const v = this.labels[i][key] ?? '';
          m.set(v, (m.get(v) ?? 0) + sign);
        }
      }
    }
    const a = pod.placement.affinity;
    if (a && (a.podAffinity || a.podAntiAffinity)) {
      this.affinityPods[i] += sign;
      this.affinityPodsTotal += sign;
    }
    const ext = this.reqExt[i];
    for (const k in r.extended) {
      const v = (ext[k] ?? 0) + sign * r.extended[k];
      if (v === 0) delete ext[k];
      else ext[k] = v;
    }
  }

  /** Approximate bytes held per node by the numeric arrays (the benchmark reports it). */
  static numericBytesPerNode(): number {
    return 8 * 10 + 4 + 1;
  }
}
