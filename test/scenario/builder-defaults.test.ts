/**
 * The test scenario builder (test/support/scenario-builder.ts) and the loader agree on every
 * default (issue #11.8: the builder said reconcile every 10 s and resync every 30 s while the
 * loader said 30 s and 60 s, so tests ran a control plane no scenario file gets).
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { DEFAULT_CONTROL_PLANE, DEFAULT_LATENCY, container, node, scenario, service } from '../support/scenario-builder.js';

const YAML = `name: test
duration: 10m
nodes: [{name: a, capacity: {cpu: 2, memory: 4Gi}}, {name: b, capacity: {cpu: 4, memory: 8Gi}}]
workloads:
  - {name: web, replicas: 3, containers: [{name: app, image: "nginx:1.25", requests: {cpu: 500m, memory: 256Mi}}]}
  - {name: db, replicas: 1, containers: [{name: main, image: "nginx:1.25", requests: {cpu: 1, memory: 1Gi}}]}
`;

describe('the scenario builder', () => {
  it('builds what the loader reads from the same scenario written as YAML', () => {
    const built = scenario({ nodes: [node('a', 2000, 4), node('b', 4000, 8)], workloads: [service('web', 3), service('db', 1, { containers: [container('main', 1000, 1024)] })] });
    const { source: _a, ...loaded } = parseScenario(YAML, 'builder.yaml');
    const { source: _b, ...fromBuilder } = built;
    expect(fromBuilder).toEqual(loaded);
  });

  it("uses the loader's control-plane timing and latency (30 s reconcile, 60 s resync)", () => {
    expect(DEFAULT_CONTROL_PLANE.reconcileIntervalMs).toBe(30_000);
    expect(DEFAULT_CONTROL_PLANE.resyncIntervalMs).toBe(60_000);
    const { source: _s, ...loaded } = parseScenario('name: x\nduration: 1m\nnodes: [{name: n, capacity: {cpu: 1, memory: 1Gi}}]\n', 'x.yaml');
    expect(DEFAULT_CONTROL_PLANE).toEqual(loaded.controlPlane);
    expect(DEFAULT_LATENCY).toEqual(loaded.latency);
  });
});
