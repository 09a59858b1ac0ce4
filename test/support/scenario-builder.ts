/**
 * Builds Scenario objects in code for tests and property tests (the YAML loader produces the
 * same shape). Defaults match the loader's.
 */
import { resources } from '../../src/core/resources.js';
import type { ContainerSpec } from '../../src/core/types.js';
import type { ControlPlaneConfig, LatencyModel, NodeDef, Scenario, WorkloadDef } from '../../src/scenario/types.js';

export const DEFAULT_LATENCY: LatencyModel = {
  imagePull: { kind: 'uniform', minMs: 1000, maxMs: 3000 },
  create: { kind: 'constant', ms: 100 },
  start: { kind: 'uniform', minMs: 200, maxMs: 800 },
  stop: { kind: 'constant', ms: 500 },
  network: { kind: 'constant', ms: 1 },
};

export const DEFAULT_CONTROL_PLANE: ControlPlaneConfig = {
  reconcileIntervalMs: 10_000,
  reconcileMinGapMs: 100,
  resyncIntervalMs: 30_000,
  heartbeatIntervalMs: 10_000,
  nodeMonitorPeriodMs: 5_000,
  notReadyAfterMs: 40_000,
  downAfterMs: 300_000,
  evictionGraceMs: 30_000,
  backoffInitialMs: 10_000,
  backoffMaxMs: 300_000,
  backoffResetMs: 600_000,
  unschedulableRetryMs: 30_000,
  rpcTimeoutMs: 10_000,
};

const GiB = 2 ** 30;
const MiB = 2 ** 20;

export function node(name: string, cpuMilli = 4000, memGi = 8): NodeDef {
  const r = resources({ cpu: cpuMilli, memory: memGi * GiB });
  return { name, capacity: r, allocatable: r, labels: {}, taints: [] };
}

export function container(name = 'app', cpuMilli = 500, memMi = 256, extra: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    name,
    image: 'nginx:1.25',
    env: {},
    ports: [],
    requests: resources({ cpu: cpuMilli, memory: memMi * MiB }),
    limits: resources(),
    ...extra,
  };
}

export function service(name: string, replicas: number, extra: Partial<WorkloadDef> = {}): WorkloadDef {
  return {
    name,
    kind: 'service',
    replicas,
    completions: 1,
    backoffLimit: 6,
    at: 0,
    priority: 0,
    restartPolicy: 'Always',
    updateStrategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 },
    labels: {},
    containers: [container()],
    ...extra,
  };
}

export function scenario(partial: Partial<Scenario> & Pick<Scenario, 'nodes'>): Scenario {
  return {
    name: 'test',
    seed: 1,
    durationMs: 10 * 60_000,
    workloads: [],
    operations: [],
    faults: [],
    latency: DEFAULT_LATENCY,
    scheduler: { name: 'round-robin' },
    controlPlane: DEFAULT_CONTROL_PLANE,
    expectations: [],
    source: { file: '<test>', document: null },
    ...partial,
  };
}
