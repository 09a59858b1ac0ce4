/**
 * Keeps each workload's endpoints (src/core/endpoints.ts) as its instances change, and records
 * `endpoints.changed` when they do. Incremental: an instance's change costs its own endpoints, not
 * the workload's, so a 1,000-replica service stays cheap. Without a pod network no instance has
 * an address and nothing is ever recorded.
 */
import { compareEndpoints, instanceEndpoints } from './endpoints.js';
import type { Recorder } from './interfaces.js';
import type { ContainerSpec, Instance, InstanceId, WorkloadId } from './types.js';

export class EndpointTracker {
  /** Workload → instance → the endpoints it contributes now (only instances contributing some). */
  private readonly byWorkload = new Map<WorkloadId, Map<InstanceId, readonly string[]>>();
  private readonly counts = new Map<WorkloadId, number>();
  /** `of`'s answers until the workload's endpoints change (containers created read them all). */
  private readonly sorted = new Map<WorkloadId, string[]>();
  /** `joined`'s answers until the workload's endpoints change. */
  private readonly joins = new Map<WorkloadId, string>();
  /** Counts changes: equal versions, equal endpoints everywhere. */
  version = 0;

  constructor(private readonly recorder: Recorder) {}

  /**
   * The instance changed (status, readiness, stop request, address, or it is `gone`): updates its endpoints
   * from `containers` (its workload's, when it became ready) and records the difference.
   */
  update(inst: Instance, containers: readonly ContainerSpec[] | undefined, gone = false): void {
    const byInst = this.byWorkload.get(inst.workloadId);
    const before = byInst?.get(inst.id);
    if (before === undefined && (gone || inst.ip === undefined)) return; // the common case without a network
    const ready = !gone && inst.ip !== undefined && inst.status === 'Running' && inst.notReady === undefined && inst.stopRequestedAt === undefined;
    if (ready && before !== undefined) return; // still ready: its endpoints stay what they were
    const now = ready && containers !== undefined ? instanceEndpoints(inst, containers) : [];
    if (now.length === 0 && before === undefined) return;
    const added = now.filter((e) => !before?.includes(e));
    const removed = (before ?? []).filter((e) => !now.includes(e));
    let map = byInst;
    if (now.length > 0) {
      if (!map) this.byWorkload.set(inst.workloadId, (map = new Map()));
      map.set(inst.id, now);
    } else {
      map?.delete(inst.id);
      if (map && map.size === 0) this.byWorkload.delete(inst.workloadId);
    }
    if (added.length === 0 && removed.length === 0) return;
    this.sorted.delete(inst.workloadId);
    this.joins.delete(inst.workloadId);
    this.version++;
    const count = (this.counts.get(inst.workloadId) ?? 0) + added.length - removed.length;
    if (count === 0) this.counts.delete(inst.workloadId);
    else this.counts.set(inst.workloadId, count);
    this.recorder.record('endpoints.changed', {
      workload: inst.workloadName,
      added: added.sort(compareEndpoints),
      removed: removed.sort(compareEndpoints),
      endpoints: count,
    });
  }

  /** The workload's endpoints now, ordered by address and port. */
  of(workloadId: WorkloadId): string[] {
    const map = this.byWorkload.get(workloadId);
    if (!map) return [];
    let out = this.sorted.get(workloadId);
    if (out === undefined) {
      out = [];
      for (const eps of map.values()) out.push(...eps);
      out.sort(compareEndpoints);
      this.sorted.set(workloadId, out);
    }
    return [...out];
  }

  /** The workload's endpoints now, in `of`'s order, joined with commas ('' when none). */
  joined(workloadId: WorkloadId): string {
    let j = this.joins.get(workloadId);
    if (j === undefined) {
      j = this.of(workloadId).join(',');
      this.joins.set(workloadId, j);
    }
    return j;
  }

  /** The workloads that have endpoints now. */
  withEndpoints(): WorkloadId[] {
    return [...this.byWorkload.keys()];
  }
}
