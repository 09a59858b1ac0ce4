/**
 * `npm run bench -- live`: Slipway's overhead on real engines. Converges a service of R replicas
 * (default 50) across two Docker engines with the live control plane (scheduler, reconciler,
 * Orchestrator, Docker runtime), and compares with the baseline: R plain container creations
 * (create + start) through the Docker API, all in parallel, split evenly over the same engines.
 *   overhead = slipway_s / baseline_s − 1        (target < 20%)
 * Each side runs `runs` times, alternating; medians are reported. Containers are removed
 * between runs (not timed).
 */
import { performance } from 'node:perf_hooks';
import { connectDocker } from '../backends/docker/docker-api.js';
import { Orchestrator } from '../src/core/orchestrator.js';
import { InMemoryStateStore } from '../src/core/state-store.js';
import { SeededIds } from '../src/engine/ids.js';
import { deriveSeed, RandomStream } from '../src/engine/random.js';
import { WallClock } from '../src/engine/wall-clock.js';
import { createLiveBackend } from '../src/run/live-backend.js';
import { orchestratorConfig, toWorkload } from '../src/run/simulate.js';
import { createScheduler } from '../src/scheduler/registry.js';
import { parseScenario } from '../src/run/parse-scenario.js';

export interface LiveBenchOptions {
  readonly replicas: number;
  readonly hosts: readonly string[];
  readonly image: string;
  readonly runs: number;
}

const COMMAND = ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"];

function scenarioYaml(o: LiveBenchOptions): string {
  const nodes = o.hosts
    .map((h, k) => `  - {name: engine-${k + 1}, capacity: {cpu: 64, memory: 64Gi}, docker: {host: "${h}", network: none}}`)
    .join('\n');
  return `name: bench-live
duration: 10m
nodes:
${nodes}
workloads:
  - name: bench
    replicas: ${o.replicas}
    containers:
      - {name: main, image: ${o.image}, command: [sh, -c, "trap 'exit 0' TERM; sleep 3600 & wait"], requests: {cpu: 10m, memory: 8Mi}}
`;
}

async function removeAll(hosts: readonly string[], label: string): Promise<void> {
  await Promise.all(
    hosts.map(async (h) => {
      const api = connectDocker(h, 120_000);
      const list = await api.listContainers({ all: true, filters: JSON.stringify({ label: [label] }) });
      await Promise.all(list.map((c) => api.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    }),
  );
}

/** R parallel create+start calls, round-robin over the engines; seconds until all have started. */
async function baselineOnce(o: LiveBenchOptions): Promise<number> {
  const apis = o.hosts.map((h) => connectDocker(h, 120_000));
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: o.replicas }, async (_, i) => {
      const api = apis[i % apis.length];
      const c = await api.createContainer({
        Image: o.image,
        Entrypoint: COMMAND,
        Labels: { 'slipway.bench-baseline': '1' },
        HostConfig: { RestartPolicy: { Name: 'no' }, NetworkMode: 'none' },
      });
      await c.start();
    }),
  );
  const s = (performance.now() - t0) / 1000;
  await removeAll(o.hosts, 'slipway.bench-baseline');
  return s;
}

/** From submitting the workload to the control plane seeing all R instances Running. */
async function slipwayOnce(o: LiveBenchOptions): Promise<number> {
  const scenario = parseScenario(scenarioYaml(o), 'bench-live.yaml');
  const clock = new WallClock();
  const backend = createLiveBackend(scenario, 'docker', clock, 'bench-live');
  const orch = new Orchestrator({
    clock,
    runtime: backend.runtime,
    cluster: backend.cluster,
    scheduler: createScheduler(scenario.scheduler.name),
    store: new InMemoryStateStore(),
    ids: new SeededIds(new RandomStream('ids', deriveSeed(`${Date.now()}`, 'bench')), 8),
    recorder: { record: () => undefined },
    config: orchestratorConfig(scenario),
    onError: (e) => {
      throw e;
    },
  });
  await orch.start({ adopt: true });
  const t0 = performance.now();
  orch.apply(toWorkload(scenario.workloads[0]));
  while (orch.status('bench')!.running < o.replicas) await clock.sleep(5);
  const s = (performance.now() - t0) / 1000;
  orch.delete('bench');
  while (orch.statuses().some((st) => st.running + st.pending + st.terminating > 0)) await clock.sleep(50);
  orch.shutdown();
  backend.close();
  clock.cancelAll();
  await removeAll(o.hosts, 'slipway.instance');
  return s;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchLive(o: LiveBenchOptions): Promise<void> {
  await removeAll(o.hosts, 'slipway.bench-baseline');
  await baselineOnce({ ...o, replicas: Math.min(4, o.replicas) }); // warm-up
  const base: number[] = [];
  const slip: number[] = [];
  for (let r = 0; r < o.runs; r++) {
    base.push(await baselineOnce(o));
    slip.push(await slipwayOnce(o));
    console.log(`run ${r + 1}: baseline_s=${base[r].toFixed(3)} slipway_s=${slip[r].toFixed(3)}`);
  }
  const b = median(base);
  const s = median(slip);
  console.log(
    `live replicas=${o.replicas} engines=${o.hosts.length} runs=${o.runs} baseline_s=${b.toFixed(3)} slipway_s=${s.toFixed(3)}` +
      ` ratio=${(s / b).toFixed(3)} overhead_pct=${((s / b - 1) * 100).toFixed(1)}`,
  );
}
