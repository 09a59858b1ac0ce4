/** Liveness after the faults: convergence, reasons for pending instances, and "cannot converge" for capacity. */
import { describe, expect, it } from 'vitest';
import { reconcile, type ReconcileInput } from '../../src/core/reconciler.js';
import { simulate } from '../../src/run/simulate.js';
import { parseScenario } from '../../src/run/parse-scenario.js';

const yaml = (replicas: number, faults = '') => `
name: live
seed: 2
duration: 30m
nodes:
  - {name: "n{i}", count: 2, capacity: {cpu: 2, memory: 8Gi}}
workloads:
  - name: api
    replicas: ${replicas}
    containers:
      - {name: api, image: "nginx:1.25", requests: {cpu: 1, memory: 256Mi}}
${faults}`;

describe('liveness', () => {
  it('a converged cluster passes', async () => {
    const s = await simulate(parseScenario(yaml(4), 'l.yaml'), { liveness: true });
    expect(s.liveness).toEqual({ ok: true, failures: [], capacity: [] });
  });

  it('too little capacity is reported as "cannot converge", not as a failure', async () => {
    const s = await simulate(parseScenario(yaml(10), 'l.yaml'), { liveness: true });
    expect(s.liveness?.ok).toBe(true);
    expect(s.liveness?.capacity).toHaveLength(1);
    // 10 × 1 cpu requested, 2 × 2 cpu allocatable: 6 cpu short.
    expect(s.liveness?.capacity[0]).toMatch(/^api: cannot converge: 6 cpu short/);
  });

  it('a control plane that never retries unschedulable instances fails liveness', async () => {
    // Planted: the retry of unschedulable instances is dropped.
    const neverRetries = (input: ReconcileInput) => {
      const r = reconcile(input);
      return { ...r, actions: r.actions.filter((a) => a.type !== 'schedule') };
    };
    const faults = 'faults:\n  - {at: 1m, zoneOutage: {duration: 3m}}\n';
    const real = await simulate(parseScenario(yaml(4, faults), 'l.yaml'), { liveness: true });
    expect(real.liveness?.ok).toBe(true);
    const s = await simulate(parseScenario(yaml(4, faults), 'l.yaml'), { liveness: true, reconcile: neverRetries });
    expect(s.liveness?.ok).toBe(false);
    expect(s.liveness?.failures[0]).toMatch(/^api did not converge: api: 0\/4 running, 4 pending \(0\/2 nodes are available: 2 node\(s\) were not ready\.\)/);
    expect(s.ok).toBe(false);
  });
});
