/**
 * Builds the Orchestrator's records (src/core/control-plane-state.ts) for tests of the modules
 * beside it: workloads, nodes and instances as the Orchestrator keeps them, and a recorder that
 * keeps what was recorded with its virtual time.
 */
import { newWorkloadState, type ControlPlaneRecords, type NodeState, type WorkloadState } from '../../src/core/control-plane-state.js';
import type { Clock, Recorder } from '../../src/core/interfaces.js';
import type { Placement } from '../../src/core/placement.js';
import { resources, tally } from '../../src/core/resources.js';
import type { Instance, Node, Taint, Workload } from '../../src/core/types.js';
import { container } from './scenario-builder.js';

export interface Recorded {
  readonly t: number;
  readonly type: string;
  readonly fields: Record<string, unknown>;
}

/** A Recorder keeping every record with the clock's time. */
export function recorder(clock: Clock): Recorder & { readonly records: Recorded[]; of(type: string): Recorded[] } {
  const records: Recorded[] = [];
  return {
    records,
    record: (type, fields) => void records.push({ t: clock.now(), type, fields: structuredClone(fields) }),
    of: (type) => records.filter((r) => r.type === type),
  };
}

export function emptyRecords(): ControlPlaneRecords {
  return { workloads: new Map(), nodes: new Map(), containerOwner: new Map(), instanceRequest: new Map(), retired: new Map() };
}

export function workload(name: string, extra: Partial<Workload> = {}): Workload {
  return {
    id: name,
    name,
    kind: 'service',
    replicas: 1,
    completions: 1,
    backoffLimit: 6,
    containers: [container('c', 100, 64)],
    labels: {},
    priority: 0,
    restartPolicy: 'Always',
    updateStrategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 },
    generation: 1,
    ...extra,
  };
}

export function addWorkload(records: ControlPlaneRecords, name: string, placement?: Placement): WorkloadState {
  const ws = newWorkloadState(workload(name, placement ? { placement } : {}));
  records.workloads.set(ws.workload.id, ws);
  return ws;
}

export function addNode(records: ControlPlaneRecords, name: string, taints: readonly Taint[] = []): NodeState {
  const r = resources({ cpu: 4000, memory: 8 * 2 ** 30 });
  const node: Node = { id: name, name, address: name, status: 'Ready', statusSince: 0, unschedulable: false, labels: {}, taints, capacity: r, allocatable: r };
  const ns: NodeState = { node, allocated: tally(), instanceCount: 0, instances: new Set(), version: 0, unreadySince: 0, taints };
  records.nodes.set(name, ns);
  return ns;
}

export function instance(id: string, ws: WorkloadState, extra: Partial<Instance> = {}): Instance {
  return {
    id,
    workloadId: ws.workload.id,
    workloadName: ws.workload.name,
    slot: 0,
    generation: ws.workload.generation,
    status: 'Pending',
    containers: ws.workload.containers.map((c) => ({ name: c.name, state: 'creating' as const })),
    createdAt: 0,
    attempts: 1,
    ...extra,
  };
}
