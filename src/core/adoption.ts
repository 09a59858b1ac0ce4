/**
 * Adoption and resync for the Orchestrator: comparing what a node's runtime really runs with the
 * control plane's records.
 *
 * - Adoption (a restarted control plane, `start({ adopt: true })`): instance records are rebuilt
 *   from the labels of the containers a node runs; everything else is an orphan and is removed.
 *   A node that cannot be listed then (not Ready, or its listing fails) stays *unlisted*: it is
 *   adopted, not resynced, when it answers (Ready again, or the next resync tick), so its
 *   containers are never taken for orphans before their labels were read. Meanwhile the
 *   Orchestrator does not fill the slots that may be running there (reconciler.ts, `unlisted`).
 * - Resync (every `resyncIntervalMs`, and when a node becomes Ready again): containers whose
 *   create answer was lost are bound to their instance, containers that vanished are marked
 *   exited, and orphans (no live instance on that node owns them) are removed.
 *
 * Runtime errors of the OrchestrationError kind are expected here (a node that does not answer);
 * anything else is a bug and is rethrown.
 */
import { OrchestrationError } from './errors.js';
import { nodeReady, type ControlPlaneRecords, type NodeState, type WorkloadState } from './control-plane-state.js';
import type { Clock, ContainerRuntime, Recorder, StateStore } from './interfaces.js';
import { addInto, type Resources } from './resources.js';
import type { Instance, Millis, NodeId, Workload } from './types.js';
import { lifecycleOf, roleFromLabel, ROLE_LABEL } from './init-containers.js';

/** What adoption and resync need from the Orchestrator. */
export interface AdoptionHost {
  readonly clock: Clock;
  readonly runtime: ContainerRuntime;
  readonly store: StateStore;
  readonly recorder: Recorder;
  readonly records: ControlPlaneRecords;
  /** The summed request of one instance of the workload's generation. */
  requestOf(ws: WorkloadState, generation: number): Resources;
  /** Derives the instance's status from its containers again. */
  refreshStatus(inst: Instance, reason?: string): void;
  /** The instance's address became known (it may already be Running): its workload's endpoints follow. */
  addressKnown(inst: Instance): void;
  /** Records that the instance's container has this runtime id. */
  bindContainer(inst: Instance, container: Instance['containers'][number], id: string): void;
  /** Creates the instance's containers that do not exist yet. */
  startInstance(inst: Instance, workload: Workload): void;
  /** Arms the NoExecute taint eviction timers of the node's instances. */
  armTaintEvictions(ns: NodeState): void;
  /** The nodes' bound instances changed: the sorted node views are stale. */
  invalidateViews(): void;
  /** Runs async work whose unexpected errors fail the run. */
  spawn(p: Promise<unknown>): void;
  /** A node unlisted since start was adopted after start: slots held for it may be filled now. */
  unlistedChanged(): void;
  /** Undefined, or a promise to await before going on (`slipway serve` yields its thread: OrchestratorDeps.yieldToHost). */
  pace?(): Promise<void> | undefined;
}

/** Containers of one listing grouped by instance id. */
type Listing = Awaited<ReturnType<ContainerRuntime['listContainers']>>;

export class Adoption {
  /**
   * Nodes not listed since adoption began (`begin`): not Ready then, or their listing failed.
   * Their containers may be instances the control plane does not know yet.
   */
  readonly unlisted = new Set<NodeId>();
  /** Nodes being listed by adoption: a resync meanwhile would find their containers unowned. */
  private readonly adopting = new Set<NodeId>();
  /** When adoption began: the creation and placement time of an instance adopted later. */
  private since: Millis | undefined;

  constructor(private readonly host: AdoptionHost) {}

  /** Adoption begins (a start with `adopt`): every node is unlisted until `adoptNode` lists it. */
  begin(nodes: readonly NodeId[]): void {
    this.since = this.host.clock.now();
    for (const id of nodes) this.unlisted.add(id);
  }

  /** The node left the cluster. Returns true when it was unlisted (slots held for it are free). */
  forget(nodeId: NodeId): boolean {
    return this.unlisted.delete(nodeId);
  }

  /**
   * Rebuilds instance records from the containers a node runs. A container is adopted when its
   * labels name a workload of the desired state, its slot and generation, and it is running; its
   * instance gets the container's node, slot and generation. Everything else with Slipway's labels
   * (deleted workloads, exited containers, unreadable labels) is an orphan and is stopped and
   * removed. Returns the number of instances adopted (0 when the node does not answer:
   * `node.adopt_failed` is recorded and the node stays unlisted; 0 when it is being adopted already).
   */
  adoptNode(nodeId: NodeId): Promise<number> {
    return this.adopt(nodeId, false);
  }

  /**
   * `late`: a node unlisted at start, adopted once it answers. Its instances count as created and
   * placed when adoption began (they ran then already), so where a slot was refilled meanwhile
   * the reconciler keeps the newer replacement and stops the copy found here as a duplicate.
   * A late node that stopped being Ready while it was listed stays unlisted.
   */
  private async adopt(nodeId: NodeId, late: boolean): Promise<number> {
    if (this.adopting.has(nodeId)) return 0;
    this.adopting.add(nodeId);
    try {
      return await this.adoptListing(nodeId, late);
    } finally {
      this.adopting.delete(nodeId);
    }
  }

  private async adoptListing(nodeId: NodeId, late: boolean): Promise<number> {
    const { runtime, store, recorder, records } = this.host;
    const ns = records.nodes.get(nodeId);
    if (!ns) return 0;
    let list: Listing;
    try {
      list = await runtime.listContainers(nodeId);
    } catch (e) {
      if (e instanceof OrchestrationError) {
        recorder.record('node.adopt_failed', { node: ns.node.name, error: e.message });
        return 0;
      }
      throw e;
    }
    if (late && (!records.nodes.has(nodeId) || !nodeReady(records, nodeId))) return 0;
    this.unlisted.delete(nodeId);
    const groups = new Map<string, Listing>();
    for (const st of list) {
      let g = groups.get(st.instanceId);
      if (!g) groups.set(st.instanceId, (g = []));
      g.push(st);
    }
    let adopted = 0;
    for (const [instanceId, group] of [...groups].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      const labels = group[0].labels ?? {};
      const ws = records.workloads.get(group[0].workloadId);
      const slot = Number(labels['slipway.slot']);
      const generation = Number(labels['slipway.generation']);
      // Only a running container is worth adopting: one left `creating` by a control plane that
      // died between create and start would never start by itself.
      const alive = group.some((c) => c.state === 'running');
      if (
        !ws || ws.deleted || !alive || instanceId === '' || store.getInstance(instanceId) !== undefined ||
        !Number.isInteger(slot) || !Number.isInteger(generation)
      ) {
        for (const st of group) this.orphan(ns, st.id, st.instanceId, st.state);
        continue;
      }
      const w = ws.workload;
      const containers = adoptedContainers(w, generation, group);
      const now = late ? this.since ?? this.host.clock.now() : this.host.clock.now();
      const inst: Instance = {
        id: instanceId,
        workloadId: w.id,
        workloadName: w.name,
        slot,
        generation,
        node: nodeId,
        status: 'Pending',
        containers,
        createdAt: now,
        scheduledAt: now,
        attempts: 1,
      };
      const ip = group.find((c) => c.ip !== undefined && c.labels?.[ROLE_LABEL] === undefined)?.ip ?? group.find((c) => c.ip !== undefined)?.ip;
      if (ip !== undefined) inst.ip = ip;
      const gpus = labels['slipway.gpus'];
      if (w.gpus && gpus !== undefined) inst.gpus = gpus === '' ? [] : gpus.split(',').map(Number);
      store.putInstance(inst);
      for (const c of containers) if (c.id !== undefined) records.containerOwner.set(c.id, inst.id);
      const req = this.host.requestOf(ws, generation);
      records.instanceRequest.set(inst.id, req);
      addInto(ns.allocated, req);
      ns.instanceCount++;
      ns.instances.add(inst.id);
      recorder.record('instance.adopted', {
        instance: inst.id,
        workload: w.name,
        node: ns.node.name,
        slot,
        generation,
        containers: group.length,
      });
      adopted++;
      this.host.refreshStatus(inst);
      // Containers not there yet (a sidecar of a running instance too) are created; init ones that
      // completed are never run again.
      if (containers.some((c) => c.id === undefined && c.state === 'creating') && (inst.status === 'Pending' || inst.status === 'Running'))
        this.host.startInstance(inst, w);
    }
    this.host.invalidateViews();
    this.host.armTaintEvictions(ns);
    if (late) this.host.unlistedChanged();
    return adopted;
  }

  /**
   * Compares the runtime's containers on a node with the records: binds containers whose create
   * answer was lost, marks containers that vanished, and removes orphans. Does nothing when the
   * node does not answer or stopped being Ready meanwhile, or is being adopted. A node unlisted
   * since start is adopted instead: nothing there is an orphan before its labels were read.
   */
  async resyncNode(nodeId: NodeId): Promise<void> {
    if (this.unlisted.has(nodeId)) {
      await this.adopt(nodeId, true);
      return;
    }
    if (this.adopting.has(nodeId)) return;
    const { runtime, store, records } = this.host;
    const ns = records.nodes.get(nodeId);
    if (!ns) return;
    // Containers known before asking: only these can be reported missing.
    const known = new Set<string>();
    for (const id of ns.instances) {
      const inst = store.getInstance(id);
      if (inst) for (const c of inst.containers) if (c.id !== undefined) known.add(c.id);
    }
    let list: Listing;
    try {
      list = await runtime.listContainers(nodeId);
    } catch (e) {
      if (e instanceof OrchestrationError) return;
      throw e;
    }
    // Every Ready node is listed at once: in `slipway serve` the listings' continuations yield the
    // thread now and then (as if a listing took a little longer), so requests are answered between.
    const wait = this.host.pace?.();
    if (wait !== undefined) await wait;
    if (!records.nodes.has(nodeId) || !nodeReady(records, nodeId)) return;
    const seen = new Set<string>();
    for (const st of list) {
      seen.add(st.id);
      const inst = store.getInstance(st.instanceId);
      if (records.retired.has(st.id) && inst?.containers.some((x) => x.name === st.name && x.id === undefined)) {
        continue; // a sidecar's replacement is being created, maybe under the same id (OCI's): the next resync looks again
      }
      // A sidecar's replaced container is nobody's any more.
      const owned = inst !== undefined && inst.node === nodeId && !records.retired.has(st.id);
      if (!owned) {
        this.orphan(ns, st.id, st.instanceId, st.state);
        continue;
      }
      const c = inst.containers.find((x) => x.id === st.id) ?? inst.containers.find((x) => x.name === st.name && x.id === undefined);
      if (!c) {
        // A second container for the same instance (a duplicated create request): nobody owns it.
        this.orphan(ns, st.id, st.instanceId, st.state);
        continue;
      }
      if (c.id === undefined) this.host.bindContainer(inst, c, st.id);
      if (st.ip !== undefined && inst.ip === undefined && c.role === undefined) {
        inst.ip = st.ip; // a lost event carried it, or the runtime reports it only when listed
        this.host.addressKnown(inst);
      }
      if (c.state !== st.state || c.exitCode !== st.exitCode) {
        c.state = st.state;
        c.exitCode = st.exitCode;
        this.host.refreshStatus(inst, st.reason);
      }
    }
    for (const id of [...ns.instances]) {
      const inst = store.getInstance(id);
      if (!inst) continue;
      let changed = false;
      for (const c of inst.containers) {
        if (c.id !== undefined && known.has(c.id) && !seen.has(c.id) && c.state !== 'exited') {
          c.state = 'exited';
          c.exitCode = undefined;
          changed = true;
        }
      }
      if (changed) this.host.refreshStatus(inst, 'missing from the runtime');
    }
  }

  /** Records an orphan container and removes it in the background. */
  private orphan(ns: NodeState, container: string, instance: string, state: string): void {
    this.host.recorder.record('container.orphan', { container, node: ns.node.name, instance });
    this.host.spawn(this.removeOrphan(container, state));
  }

  private async removeOrphan(id: string, state: string): Promise<void> {
    const { runtime, recorder } = this.host;
    try {
      if (state !== 'exited') await runtime.stopContainer(id);
      await runtime.removeContainer(id);
      recorder.record('container.orphan_removed', { container: id });
    } catch (e) {
      if (!(e instanceof OrchestrationError)) throw e;
    }
  }
}

/**
 * An adopted instance's container records from the containers its node runs: of the current
 * generation in lifecycle order (init containers first, src/core/init-containers.ts), of an
 * earlier one as found. An init container that is not there while a regular one is (its record
 * was removed, or it was never created: a `running:` snapshot) completed: it is not run again.
 */
function adoptedContainers(w: Workload, generation: number, group: Listing): Instance['containers'] {
  const regularThere = group.some((c) => roleFromLabel(c.labels?.[ROLE_LABEL]) === undefined);
  const found = (name: string) => group.find((c) => c.name === name);
  const record = (name: string, role: 'init' | 'sidecar' | undefined): Instance['containers'][number] => {
    const st = found(name);
    const base = role !== undefined ? { name, role } : { name };
    if (st) return { ...base, id: st.id, state: st.state, ...(st.exitCode !== undefined ? { exitCode: st.exitCode } : {}) };
    if (role === 'init' && regularThere) return { ...base, state: 'exited', exitCode: 0 };
    return { ...base, state: 'creating' };
  };
  if (generation === w.generation) return lifecycleOf(w).map(({ spec, role }) => record(spec.name, role));
  const roled = group.filter((c) => roleFromLabel(c.labels?.[ROLE_LABEL]) !== undefined);
  const regular = group.filter((c) => roleFromLabel(c.labels?.[ROLE_LABEL]) === undefined);
  return [...roled, ...regular].map((c) => record(c.name, roleFromLabel(c.labels?.[ROLE_LABEL])));
}
