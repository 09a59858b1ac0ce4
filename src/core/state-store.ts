import type { StateStore } from './interfaces.js';
import type { Instance, InstanceId, Workload, WorkloadId } from './types.js';

/**
 * Desired state and instance records in memory. Iteration follows insertion order, which in a
 * simulation is itself deterministic. Instances are also indexed by workload.
 */
export class InMemoryStateStore implements StateStore {
  private readonly workloads = new Map<WorkloadId, Workload>();
  private readonly instances = new Map<InstanceId, Instance>();
  private readonly byWorkload = new Map<WorkloadId, Map<InstanceId, Instance>>();

  getWorkload(id: WorkloadId): Workload | undefined {
    return this.workloads.get(id);
  }
  listWorkloads(): readonly Workload[] {
    return [...this.workloads.values()];
  }
  putWorkload(workload: Workload): void {
    this.workloads.set(workload.id, workload);
  }
  deleteWorkload(id: WorkloadId): void {
    this.workloads.delete(id);
  }
  getInstance(id: InstanceId): Instance | undefined {
    return this.instances.get(id);
  }
  listInstances(workloadId?: WorkloadId): readonly Instance[] {
    if (workloadId === undefined) return [...this.instances.values()];
    const m = this.byWorkload.get(workloadId);
    return m ? [...m.values()] : [];
  }
  putInstance(instance: Instance): void {
    this.instances.set(instance.id, instance);
    let m = this.byWorkload.get(instance.workloadId);
    if (!m) this.byWorkload.set(instance.workloadId, (m = new Map()));
    m.set(instance.id, instance);
  }
  deleteInstance(id: InstanceId): void {
    const inst = this.instances.get(id);
    if (!inst) return;
    this.instances.delete(id);
    const m = this.byWorkload.get(inst.workloadId);
    m?.delete(id);
    if (m && m.size === 0) this.byWorkload.delete(inst.workloadId);
  }
}
