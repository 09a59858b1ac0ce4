/**
 * A virtual node: its agent (container runtime, image cache, heartbeats) and its ground truth.
 * Capacity accounting is exact: a container's requests count against the node from creation
 * until it exits, and a create that would exceed allocatable is refused (like kubelet admission).
 */
import type { ContainerRole, ContainerSpec, ContainerState, NodeId } from '../../src/core/types.js';
import { tally, type ResourceTally } from '../../src/core/resources.js';
import type { NodeDef } from '../../src/scenario/types.js';

export interface SimContainer {
  readonly id: string;
  readonly name: string;
  readonly nodeId: NodeId;
  readonly instanceId: string;
  readonly workloadId: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: ContainerSpec;
  state: ContainerState;
  exitCode?: number;
  reason?: string;
  startedAt?: number;
  finishedAt?: number;
  /** Node boot epoch the container belongs to; timers from another epoch are stale. */
  readonly epoch: number;
  /** Its requests currently count against the node. */
  accounted: boolean;
  /** Died with its node; reported when the node boots again. */
  diedWithNode?: boolean;
  /** Memory in use when it started (bytes), before leaks. */
  baseMemory?: number;
  /** The instance's GPU share it holds (its first container): devices and milli-GPU on each. */
  gpus?: { readonly devices: readonly number[]; readonly milli: number };
  /** Its instance's address (with a pod network): every container of an instance shares it. */
  ip?: string;
  /** An init container (runs DEFAULT_INIT_RUN_MS without `sim.runFor`) or a sidecar; absent for a regular one. */
  role?: ContainerRole;
}

export class SimNode {
  readonly id: NodeId;
  readonly name: string;
  /** The agent is running (not crashed, not removed). */
  up = true;
  removed = false;
  /** Bumped on every crash and boot: work scheduled before is void. */
  epoch = 0;
  readonly containers = new Map<string, SimContainer>();
  /** Images pulled so far (normalized names); survives crashes (it is on disk). */
  readonly images = new Set<string>();
  /** The cache changed since the agent last reported it (see SimCluster's image report). */
  imagesChanged = true;
  /** Pulls in progress: image → callbacks waiting for it. */
  readonly pulls = new Map<string, Array<(err?: Error) => void>>();
  readonly used: ResourceTally = tally();
  /** Milli-GPU in use per GPU device (length = the node's GPU count). */
  readonly gpuUsed: Int32Array;
  /** Frozen: nothing on the node progresses; its work waits in `held` until it resumes. */
  frozen = 0;
  held: Array<() => void> = [];
  /** How far the node's clock is off (added to every timestamp it reports). */
  skewMs = 0;
  /** Active image pull faults: failures (image or every image) and slow-down factors. */
  readonly pullFailures: Array<{ readonly image?: string }> = [];
  readonly pullSlowdowns: number[] = [];
  /**
   * With a pod network: containers on the node per instance holding an address (the instance's
   * network namespace lives while any of its containers does; the last removal releases the address).
   */
  readonly podRefs = new Map<string, number>();

  constructor(readonly def: NodeDef) {
    this.id = def.name;
    this.name = def.name;
    for (const img of def.images ?? []) this.images.add(img);
    this.gpuUsed = new Int32Array(def.gpus?.count ?? 0);
  }
}
