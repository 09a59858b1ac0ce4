/**
 * `npm run bench -- simulate [--nodes N] [--workloads W] [--replicas R] [--runs K]`: simulate_change
 * on a cluster of N nodes (default 100, 8 cpu each) running W workloads of R replicas (default
 * 100 × 10 = 1,000 instances, 500m cpu each). The snapshot is taken from a simulated cluster 2
 * minutes into its run (not timed); then a drain of one node is simulated over a 10-minute horizon,
 * K times (default 5): each run's wall time (writing the scenario file, loading it, simulating,
 * building the report), the median, and each run's CPU time (user + system: what the run costs
 * when the machine is shared).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { simulate, type SimWorld } from '../src/run/simulate.js';
import { parseScenario } from '../src/run/parse-scenario.js';
import { simulateChange } from '../src/serve/simulate-change.js';
import { snapshotOf } from '../src/serve/snapshot.js';

export interface SimulateBenchOptions {
  readonly nodes: number;
  readonly workloads: number;
  readonly replicas: number;
  readonly runs: number;
}

export async function benchSimulateChange(o: SimulateBenchOptions): Promise<void> {
  const doc = {
    name: 'bench-cluster',
    seed: 1,
    duration: '2m',
    scheduler: 'default',
    nodes: [{ name: 'node-{i:3}', count: o.nodes, capacity: { cpu: 8, memory: '32Gi' }, labels: { 'topology.kubernetes.io/zone': 'z' } }],
    workloads: Array.from({ length: o.workloads }, (_, i) => ({
      name: `svc-${i}`,
      replicas: o.replicas,
      containers: [{ name: 'app', image: `app-${i % 10}:1`, requests: { cpu: '500m', memory: '1Gi' } }],
    })),
  };
  let world: SimWorld | undefined;
  const t0 = performance.now();
  await simulate(parseScenario(stringify(doc), 'bench-cluster.yaml'), { observe: (w) => (world = w) });
  const setupMs = performance.now() - t0;
  const snapshot = snapshotOf({ orchestrator: world!.orchestrator, store: world!.store, cluster: world!.cluster.manager, scheduler: 'default' });
  const running = snapshot.instances.filter((i) => i.status === 'Running').length;
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-simulate-'));
  const times: number[] = [];
  const cpu: number[] = [];
  let last;
  try {
    for (let k = 0; k < o.runs; k++) {
      const t = performance.now();
      const c0 = process.cpuUsage();
      last = await simulateChange(snapshot, { changes: [{ kind: 'drain', node: snapshot.nodes[0].name }], horizon: '10m' }, { dir, fileName: `run-${k}.yaml` });
      times.push(performance.now() - t);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(
    `simulate_change nodes=${o.nodes} instances=${running} horizon=10m change=drain runs=${o.runs}` +
      ` setup_s=${(setupMs / 1000).toFixed(2)} runs_ms=${times.map((t) => Math.round(t)).join(',')} median_ms=${Math.round(median)} cpu_ms=${cpu.map((t) => Math.round(t)).join(',')}` +
      ` converged=${last!.converged} converged_after_s=${last!.convergedAfterMs !== undefined ? (last!.convergedAfterMs / 1000).toFixed(1) : '-'} moved=${last!.started.length}`,
  );
}
