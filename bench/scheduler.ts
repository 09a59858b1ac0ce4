/**
 * `npm run bench -- scheduler --nodes N --pods M [--profile P] [--percentage X] [--seed S]`
 *
 * Schedules M pods one after another on N nodes with the plugin framework (each placement is
 * bound before the next cycle, as kube-scheduler's cache assumes it), timed with performance.now()
 * outside the framework. Nodes: 32 cores, 128Gi, 110 pods, three zones. Pods: deployments of 50
 * replicas; each deployment's pods request 100m..1000m cpu and 128Mi..1Gi memory (seeded).
 * Prints `pods_per_s=` (wall clock), `pods_per_cpu_s=` (process CPU time: steadier on a shared
 * machine), how many were placed, and the heap held per node by the snapshot (run node with
 * --expose-gc for exact heap figures).
 */
import { resources } from '../src/core/resources.js';
import { RandomStream } from '../src/engine/random.js';
import { NodeTable, type NodeSpec } from '../src/scheduler/framework/node-table.js';
import { nonZeroRequests, type PodInfo } from '../src/scheduler/framework/pod.js';
import { PROFILES, createFramework } from '../src/scheduler/profiles.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

export interface SchedulerBenchOptions {
  readonly nodes: number;
  readonly pods: number;
  readonly profile: string;
  /** Overrides the profile's percentageOfNodesToScore (0 = adaptive). */
  readonly percentage?: number;
  readonly seed: number;
}

function makeNodes(n: number): NodeSpec[] {
  return Array.from({ length: n }, (_, i) => {
    const name = `node-${String(i).padStart(6, '0')}`;
    return {
      name,
      labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` },
      taints: [],
      unschedulable: false,
      allocatable: resources({ cpu: 32_000, memory: 128 * GiB }),
      maxPods: 110,
      images: new Map([['registry.example/app:1', 300 * MiB]]),
    };
  });
}

function makePods(m: number, seed: number): PodInfo[] {
  const rnd = new RandomStream('bench.pods', seed);
  const pods: PodInfo[] = [];
  for (let d = 0; pods.length < m; d++) {
    const cpu = rnd.int(1, 10) * 100;
    const memory = rnd.int(1, 8) * 128 * MiB;
    const requests = resources({ cpu, memory });
    const nz = nonZeroRequests({ containers: [{ requests }] });
    for (let r = 0; r < 50 && pods.length < m; r++) {
      pods.push({
        name: `deploy-${d}-${r}`,
        namespace: 'default',
        labels: { app: `deploy-${d}` },
        priority: 0,
        requests,
        nonZeroCpu: nz.cpu,
        nonZeroMemory: nz.memory,
        images: ['registry.example/app:1'],
        placement: {},
        owner: `deploy-${d}`,
      });
    }
  }
  return pods;
}

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

export async function benchScheduler(o: SchedulerBenchOptions): Promise<void> {
  const base = PROFILES[o.profile];
  if (!base) throw new Error(`unknown profile ${o.profile}; known: ${Object.keys(PROFILES).join(', ')}`);
  const profile = o.percentage === undefined ? base : { ...base, percentageOfNodesToScore: o.percentage };
  const pods = makePods(o.pods, o.seed);
  const specs = makeNodes(o.nodes);

  // warm-up on a small cluster so the JIT has seen the hot paths
  {
    const fw = createFramework(profile, new RandomStream('scheduler', o.seed));
    const t = new NodeTable(makeNodes(Math.min(o.nodes, 500)));
    for (const p of pods.slice(0, Math.min(5000, pods.length))) {
      const r = fw.scheduleOne(p, t);
      if (r.kind === 'assign') t.addPod(r.node, { ...p });
    }
  }

  const before = heapUsed();
  const table = new NodeTable(specs);
  const afterTable = heapUsed();
  const fw = createFramework(profile, new RandomStream('scheduler', o.seed));
  let placed = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const p of pods) {
    const r = fw.scheduleOne(p, table);
    if (r.kind === 'assign') {
      table.addPod(r.node, p);
      placed++;
    }
  }
  const wall = (performance.now() - t0) / 1000;
  const cpuUsed = process.cpuUsage(cpu0);
  const cpu = (cpuUsed.user + cpuUsed.system) / 1e6;
  const afterRun = heapUsed();
  const perNode = (afterTable - before) / o.nodes;
  // The numeric columns, exactly: every typed array of the table, per node.
  const typed = Object.values(table).reduce(
    (sum: number, v: unknown) => sum + (ArrayBuffer.isView(v) ? (v as ArrayBufferView).byteLength : 0),
    0,
  );
  const perNodeWithPods = (afterRun - before) / o.nodes;
  console.log(
    `scheduler profile=${o.profile} percentage=${profile.percentageOfNodesToScore === 0 ? 'adaptive' : profile.percentageOfNodesToScore}` +
      ` nodes=${o.nodes} pods=${o.pods} placed=${placed} wall_s=${wall.toFixed(3)} pods_per_s=${Math.round(o.pods / wall)}` +
      ` cpu_s=${cpu.toFixed(3)} pods_per_cpu_s=${Math.round(o.pods / cpu)}` +
      ` typed_bytes_per_node=${Math.round(typed / o.nodes)} heap_bytes_per_node=${Math.round(perNode)}` +
      ` heap_bytes_per_node_with_pods=${Math.round(perNodeWithPods)}`,
  );
}
