/**
 * Builds Scenario objects in code for tests and property tests. Every default comes from the
 * loader: a scenario holding only what the schema requires is read by `parseScenario`, and its
 * latency, control plane, workload and container fields are the builder's defaults, so the two
 * cannot drift (test/scenario/builder-defaults.test.ts compares them).
 */
import { resources } from '../../src/core/resources.js';
import type { ContainerSpec } from '../../src/core/types.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import type { ControlPlaneConfig, LatencyModel, NodeDef, Scenario, WorkloadDef } from '../../src/scenario/types.js';

/** The smallest scenario the loader accepts; everything it leaves out takes the schema's default. */
export const MINIMAL_SCENARIO = `name: test
duration: 10m
nodes: [{name: n, capacity: {cpu: 1, memory: 1Gi}}]
workloads: [{name: w, replicas: 1, containers: [{name: app, image: "nginx:1.25"}]}]
`;

/** MINIMAL_SCENARIO as the loader reads it. */
export const LOADED_DEFAULTS: Scenario = parseScenario(MINIMAL_SCENARIO, '<test>');

export const DEFAULT_LATENCY: LatencyModel = LOADED_DEFAULTS.latency;
export const DEFAULT_CONTROL_PLANE: ControlPlaneConfig = LOADED_DEFAULTS.controlPlane;

const { name: _w, replicas: _r, containers: _cs, ...WORKLOAD_DEFAULTS } = LOADED_DEFAULTS.workloads[0];
const { name: _c, image: _i, requests: _q, ...CONTAINER_DEFAULTS } = LOADED_DEFAULTS.workloads[0].containers[0];
const { nodes: _n, workloads: _ws, source: _s, ...SCENARIO_DEFAULTS } = LOADED_DEFAULTS;
const { name: _nn, capacity: _cap, allocatable: _al, ...NODE_DEFAULTS } = LOADED_DEFAULTS.nodes[0];

const GiB = 2 ** 30;
const MiB = 2 ** 20;

export function node(name: string, cpuMilli = 4000, memGi = 8): NodeDef {
  const r = resources({ cpu: cpuMilli, memory: memGi * GiB });
  return { ...NODE_DEFAULTS, name, capacity: r, allocatable: r };
}

export function container(name = 'app', cpuMilli = 500, memMi = 256, extra: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    ...CONTAINER_DEFAULTS,
    name,
    image: 'nginx:1.25',
    requests: resources({ cpu: cpuMilli, memory: memMi * MiB }),
    ...extra,
  };
}

export function service(name: string, replicas: number, extra: Partial<WorkloadDef> = {}): WorkloadDef {
  return {
    ...WORKLOAD_DEFAULTS,
    name,
    replicas,
    containers: [container()],
    ...extra,
  };
}

export function scenario(partial: Partial<Scenario> & Pick<Scenario, 'nodes'>): Scenario {
  return {
    ...SCENARIO_DEFAULTS,
    workloads: [],
    source: { file: '<test>', document: null },
    ...partial,
  };
}
