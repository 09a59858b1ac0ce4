/**
 * Benchmarks. `npm run bench -- <command>`:
 *
 *   engine --procs P --events E [--mode sync|process|async|all] [--simpy|--no-simpy] [--runs N] [--seed S]
 *     The hold model: P processes, each repeatedly waiting an exponential(1) time drawn from the
 *     named stream `hold`, until E events in total. "sync" processes are callbacks rescheduling
 *     themselves with `sim.schedule`; "async" processes are `async` loops over `await sim.sleep()`
 *     (so every event is a delivery and the engine drains the job queue before the clock moves).
 *     After a short warm-up, reports the median of N (default 3) timed runs, timed with
 *     `performance.now()` outside the simulation (the determinism guard forbids it inside).
 *     With --simpy (default: when /usr/bin/python3 can import SimPy) also runs bench/simpy_hold.py
 *     with the same model and prints the Slipway/SimPy throughput ratios.
 *
 *   run FILE [--no-invariants]
 *     Simulates a scenario file once and reports events, wall time and simulated-time speed-up.
 *
 *   compare FILE --policies a,b [--seeds 1..20] [--workers N]
 *     Runs `slipway compare` (bin/slipway.js) and reports the wall time of the runs (worker
 *     threads), of building the report from them, of the whole process, and the report's size.
 *
 *   live [--replicas R] [--hosts H1,H2] [--image I] [--runs N]
 *     Converges R replicas (default 50) across two Docker engines with the live control plane and
 *     compares with R parallel plain create+start API calls; prints the ratio (bench/live.ts).
 *
 *   oci-network [--runs N] [--runtime R] [--rootfs DIR]
 *     Create-to-running latency of an OCI instance on runc without and with CNI networking (N
 *     instances each, alternating; medians and the overhead) (bench/oci-network.ts).
 *
 *   fgd [--traces DIR] [--workload W] [--policy P] [--seed S] [--runs N]
 *     One experiment of the FGD paper's protocol (default: workload default, policy fgd, seed 42;
 *     about 10,800 pods onto 1,213 nodes): the trace parse time, the first (cold) run and the
 *     median of N further runs, in wall seconds.
 *
 *   fgd-study [--traces DIR] [--workload W|all] [--policies LIST] [--seeds 42..51] [--workers N]
 *     A whole study on N worker threads, as `slipway experiment fgd` runs it (without writing
 *     files): wall time, experiments per second.
 *   simulate [--nodes N] [--workloads W] [--replicas R] [--runs K]
 *     simulate_change on a snapshot of N nodes running W×R instances (default 100 nodes, 1,000
 *     instances): a drain simulated over a 10-minute horizon, K timed runs and their median
 *     (bench/simulate-change.ts).
 *
 *   membership [--members N] [--minutes M] [--detector D] [--runs K]
 *     A gossip group of N members (default 1,000, Lifeguard) for M simulated minutes (default 10)
 *     with no faults: wall and CPU seconds, events, messages per member per second; K runs and
 *     their median (src/membership/experiment.ts).
 *
 *   serf [--members N] [--kills K] [--seeds S]
 *     Live HashiCorp Serf agents on loopback (scripts/start-serf.sh; N members: the control
 *     plane's agent and N−1 nodes, default 5): K kill -9s, each timed until the control plane's
 *     agent reports member-failed; beside it the simulator's detection time for the same N and
 *     parameters (Lifeguard, Serf's twin) over S seeds (bench/serf.ts).
 *
 *   api [--workloads W] [--replicas R] [--gets N] [--lists L] [--updates U] [--concurrency C] [--simulates K] [--speed N] [--rate R] [--paced-updates N] [--latencies DIR] [--node-flag=FLAG ...] [--daemon-stdout FILE] [--in-process [--cpu-profile DIR]]
 *     The daemon's HTTP API on the sim backend (a child process; 200 nodes): creates W×R instances
 *     (default 1,000 × 10), then GET/list throughput with p50/p99, applies per second, the daemon's CPU per
 *     request and K what-ifs on that cluster (bench/api.ts).
 *
 *   failover [--seeds N] [--ttl S]
 *     Simulated failover of a replicated control plane (3 replicas, TTL S, default 10 s): the
 *     leader is killed at a different moment per seed (a container crashes just after, so the new
 *     leader has work); the time to the new leader's takeover and to its first container action.
 *
 *   ha [--applies A] [--concurrency C] [--failovers K] [--member-kills M] [--ttl S] [--etcd-port P]
 *     The replicas on a real 3-member etcd (started and stopped by the bench): applies per second
 *     through the etcd store vs the file store, failover time after kill -9 of the leader, and
 *     whether the leader rides through M kills of etcd's raft leader (bench/ha.ts).
 *
 *   queue [--kind compare|fgd] [--redis URL] [--workers W] [--scenario F --policies L --seeds S | --workload W --seeds S]
 *     One sweep locally on W worker threads, then through the Redis work queue on W `slipway worker`
 *     processes (default 3; Redis from scripts/start-redis.sh, default redis://127.0.0.1:26379/5):
 *     both wall times, the queue's overhead per run, byte-identity of the outputs (bench/queue.ts).
 *     compare default: scenarios/default.yaml, 5 policies × seeds 1..100; fgd: the full study
 *     (--workload all --seeds 42..51, 1,020 experiments).
 *
 *   fuzz [--runs N] [--workers W] [--profile P] [--seed S] [--no-invariants]
 *     Runs N fuzz cases (no shrinking) in W worker threads and reports runs per minute, events
 *     per second and mean events per run. The "small" profile is the small run: up to 10
 *     nodes and 20 workloads, 1 simulated hour, faults on. --no-invariants measures their cost.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Simulation } from '../src/engine/simulation.js';

const here = dirname(fileURLToPath(import.meta.url));
const SIMPY_SCRIPT = join(here, 'simpy_hold.py');
const SYSTEM_PYTHON = '/usr/bin/python3';

type Mode = 'sync' | 'process' | 'async';

// ---------------------------------------------------------------------------------------------
// The hold model
// ---------------------------------------------------------------------------------------------

/** Runs the hold model once and returns the wall-clock seconds the simulation took. */
async function holdOnce(mode: Mode, procs: number, events: number, seed: number): Promise<number> {
  const sim = new Simulation(seed);
  const hold = sim.random.stream('hold');
  if (mode === 'sync') {
    const step = (): void => {
      sim.schedule(hold.exponential(1), step);
    };
    for (let p = 0; p < procs; p++) sim.schedule(hold.exponential(1), step);
  } else if (mode === 'process') {
    // SimPy-style generator processes, the closest analogue of `yield env.timeout(...)`.
    function* proc(): Generator<number, void, undefined> {
      for (;;) yield hold.exponential(1);
    }
    for (let p = 0; p < procs; p++) sim.process(proc());
  } else {
    const proc = async (): Promise<void> => {
      for (;;) await sim.sleep(hold.exponential(1));
    };
    // The loops never end; when run() stops they are left waiting on promises nobody settles,
    // and are garbage-collected with the simulation.
    for (let p = 0; p < procs; p++) void proc();
  }
  const t0 = performance.now();
  const result = await sim.run({ maxEvents: events });
  const wall = (performance.now() - t0) / 1000;
  if (result.events !== events || result.reason !== 'maxEvents') {
    throw new Error(`hold model ran ${result.events} events (${result.reason}), expected ${events}`);
  }
  return wall;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function benchHold(mode: Mode, procs: number, events: number, runs: number, seed: number): Promise<number> {
  // warm-up: let the JIT see the hot paths before timing
  await holdOnce(mode, Math.min(procs, 1000), Math.min(events, 200_000), seed);
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) walls.push(await holdOnce(mode, procs, events, seed + i));
  const wall = median(walls);
  const eps = events / wall;
  console.log(
    `engine hold mode=${mode} procs=${procs} events=${events} wall_s=${wall.toFixed(3)} events_per_s=${Math.round(eps)}`,
  );
  return eps;
}

// ---------------------------------------------------------------------------------------------
// SimPy comparison
// ---------------------------------------------------------------------------------------------

function pythonCanImportSimPy(python: string): boolean {
  if (python === SYSTEM_PYTHON && !existsSync(python)) return false;
  const r = spawnSync(python, ['-c', 'import importlib.util as u, sys; sys.exit(0 if (u.find_spec("SimPy") or u.find_spec("simpy")) else 1)'], {
    stdio: 'ignore',
  });
  return r.status === 0;
}

/** Runs bench/simpy_hold.py (argument array, no shell); returns events/s, or undefined on failure. */
function benchSimPy(python: string, procs: number, events: number, runs: number): number | undefined {
  const r = spawnSync(python, [SIMPY_SCRIPT, String(procs), String(events), String(runs)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.error || r.status !== 0) {
    const why = r.error?.message ?? (r.stderr.trim() || `exit status ${r.status}`);
    console.error(`simpy benchmark failed: ${why}`);
    return undefined;
  }
  const m = /events_per_s=(\d+(?:\.\d+)?)/.exec(r.stdout);
  if (!m) {
    console.error(`simpy benchmark printed no events_per_s: ${r.stdout.trim()}`);
    return undefined;
  }
  const eps = Number(m[1]);
  const api = /api=(\S+) version=(\S+)/.exec(r.stdout);
  const wall = /wall_s=(\S+)/.exec(r.stdout);
  console.log(
    `simpy hold procs=${procs} events=${events}` +
      (wall ? ` wall_s=${wall[1]}` : '') +
      ` events_per_s=${Math.round(eps)}` +
      (api ? ` (SimPy ${api[2]}, API ${api[1]})` : ''),
  );
  return eps;
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

/** Parses an integer option (`2_000_000` and `2e6` are accepted). */
function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

interface EngineOptions {
  procs: number;
  events: number;
  mode: Mode | 'all';
  runs: number;
  seed: number;
  simpy?: boolean;
  python: string;
}

const program = new Command()
  .name('bench')
  .description('Slipway benchmarks')
  .showHelpAfterError();

program
  .command('engine')
  .description('discrete-event engine throughput on the hold model (optionally against SimPy)')
  .requiredOption('--procs <P>', 'number of processes', integer('--procs', 1))
  .requiredOption('--events <E>', 'total events to run', integer('--events', 1))
  .addOption(
    new Option('--mode <mode>', 'process style: callbacks, generator processes, async functions').choices(['sync', 'process', 'async', 'all']).default('all'),
  )
  .option('--runs <N>', 'timed runs (the median is reported)', integer('--runs', 1), 3)
  .option('--seed <S>', 'root seed', integer('--seed', 0), 1)
  .option('--simpy', 'also run bench/simpy_hold.py (default: when the Python can import SimPy)')
  .option('--no-simpy', 'skip the SimPy comparison')
  .option('--python <path>', 'Python interpreter for the SimPy comparison', SYSTEM_PYTHON)
  .action(async (o: EngineOptions) => {
    const modes: Mode[] = o.mode === 'all' ? ['sync', 'process', 'async'] : [o.mode];
    const eps: Partial<Record<Mode, number>> = {};
    for (const mode of modes) eps[mode] = await benchHold(mode, o.procs, o.events, o.runs, o.seed);

    const withSimPy = o.simpy ?? pythonCanImportSimPy(o.python);
    if (!withSimPy) return;
    const simpy = benchSimPy(o.python, o.procs, o.events, o.runs);
    if (simpy === undefined) {
      process.exitCode = 1;
      return;
    }
    console.log(modes.map((m) => `ratio_${m}=${(eps[m]! / simpy).toFixed(2)}`).join(' '));
  });

// ---------------------------------------------------------------------------------------------
// `run FILE` — whole-scenario benchmark.
// readScenario (src/cli/read-scenario.ts) and simulate (src/run/simulate.ts) are imported lazily,
// so the engine benchmark neither loads the control plane nor breaks when that code does not build.
// ---------------------------------------------------------------------------------------------

program
  .command('run')
  .description('simulate a scenario file once and report throughput')
  .argument('<file>', 'scenario file')
  .option('--no-invariants', 'skip the safety invariants (to measure their cost)')
  .action(async (file: string, o: { invariants: boolean }) => {
    const [{ readScenario }, { simulate }] = await Promise.all([
      import('../src/cli/read-scenario.js'),
      import('../src/run/simulate.js'),
    ]).catch((e: unknown) => {
      if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
        throw new Error(`bench run needs src/cli/read-scenario.ts and src/run/simulate.ts: ${(e as Error).message}`);
      }
      throw e;
    });
    const scenario = await readScenario(file);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const result = await simulate(scenario, { invariants: o.invariants });
    const wall = (performance.now() - t0) / 1000;
    // Process CPU (user + system) of the run alone: comparable between runs on a shared machine.
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `run ${file} invariants=${o.invariants} events=${result.events} wall_s=${wall.toFixed(3)} cpu_s=${((cpu.user + cpu.system) / 1e6).toFixed(3)}` +
        ` events_per_s=${Math.round(result.events / wall)}` +
        ` sim_s_per_wall_s=${Number((result.simulatedTimeMs / 1000 / wall).toPrecision(3))}`,
    );
  });

// ---------------------------------------------------------------------------------------------
// `failover` — simulated failover time of a replicated control plane (issue #14): the leader of
// scenarios/ha-failover.yaml's cluster is killed at a different moment per seed; the time from
// the kill to the new leader's takeover (cp.takeover) and to its first container action.
// ---------------------------------------------------------------------------------------------

program
  .command('failover')
  .description('simulated failover time: leader killed → new leader takes over / acts (replicated control plane)')
  .option('--seeds <n>', 'runs (each kills the leader at another moment)', (v) => Number(v), 20)
  .option('--ttl <s>', 'lease TTL in seconds', (v) => Number(v), 10)
  .action(async (o: { seeds: number; ttl: number }) => {
    const [{ parseScenario }, { simulate }] = await Promise.all([import('../src/run/parse-scenario.js'), import('../src/run/simulate.js')]);
    const takeovers: number[] = [];
    const actions: number[] = [];
    const t0 = performance.now();
    for (let seed = 1; seed <= o.seeds; seed++) {
      const killAt = 60_000 + seed * 7_919; // spread over keep-alive phases
      const yaml = [
        'name: failover-bench',
        `seed: ${seed}`,
        'duration: 4m',
        'nodes: [{name: "node-{i}", count: 5, capacity: {cpu: 8, memory: 16Gi}}]',
        `controlPlane: {replicas: 3, store: {ttl: ${o.ttl}s}}`,
        'workloads: [{name: web, replicas: 20, containers: [{name: web, image: example/web:v1, requests: {cpu: 250m, memory: 256Mi}}]}]',
        `faults: [{at: ${killAt}ms, controlPlaneCrash: {replica: leader}}, {at: ${killAt + 1}ms, containerCrash: {workload: web, slot: 3}}]`,
      ].join('\n');
      let takeover: number | undefined;
      let acted: number | undefined;
      await simulate(parseScenario(yaml, 'failover-bench.yaml'), {
        onEvent: (e) => {
          if (e.t <= killAt) return;
          if (e.type === 'cp.takeover' && takeover === undefined) takeover = e.t;
          if (e.type === 'container.created' && takeover !== undefined && acted === undefined) acted = e.t;
        },
      });
      if (takeover !== undefined) takeovers.push(takeover - killAt);
      if (acted !== undefined) actions.push(acted - killAt);
    }
    const stat = (xs: number[]) => {
      const v = [...xs].sort((a, b) => a - b);
      const mean = v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
      return `mean=${(mean / 1000).toFixed(2)}s p50=${((v[Math.floor(v.length / 2)] ?? 0) / 1000).toFixed(2)}s max=${((v[v.length - 1] ?? 0) / 1000).toFixed(2)}s n=${v.length}`;
    };
    console.log(`failover ttl=${o.ttl}s seeds=${o.seeds} takeover: ${stat(takeovers)} first-action: ${stat(actions)} wall_s=${((performance.now() - t0) / 1000).toFixed(1)}`);
  });

// ---------------------------------------------------------------------------------------------
// `compare FILE` — the comparison pipeline: every (policy, seed) run in worker threads, then the
// report built from all runs. Prints the wall time of each phase and the report's size.
// ---------------------------------------------------------------------------------------------

interface CompareBenchOptions {
  policies: string;
  seeds: string;
  workers?: number;
}

const SLIPWAY_BIN = join(here, '..', 'bin', 'slipway.js');

program
  .command('compare')
  .description('time slipway compare end to end: the runs (worker threads) and building the report')
  .argument('<file>', 'scenario file')
  .requiredOption('--policies <list>', 'comma-separated scheduler names')
  .option('--seeds <list>', 'seeds, e.g. 1..20', '1..20')
  .option('--workers <N>', 'worker threads (default: available cores)', integer('--workers', 0))
  .action((file: string, o: CompareBenchOptions) => {
    // The real command in its own process (bin/slipway.js registers tsx with its API: worker
    // threads started under `node --import tsx`, as this benchmark runs, can hang on Node 20).
    const out = mkdtempSync(join(tmpdir(), 'slipway-bench-compare-'));
    const args = [SLIPWAY_BIN, 'compare', file, '--policies', o.policies, '--seeds', o.seeds, '--out', out];
    if (o.workers !== undefined) args.push('--workers', String(o.workers));
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
    const total = (performance.now() - t0) / 1000;
    if (r.status !== 0) {
      console.error(r.stderr.trim() || `slipway compare exited with ${r.status}`);
      process.exitCode = 1;
      return;
    }
    const runs = /(\d+) runs in (\d+(?:\.\d+)?) s wall \((\d+) workers?\); report built in (\d+(?:\.\d+)?) s/.exec(r.stdout);
    if (!runs) throw new Error(`unexpected slipway compare output:\n${r.stdout}`);
    const bytes = statSync(join(out, 'report.html')).size;
    rmSync(out, { recursive: true, force: true });
    console.log(
      `compare ${file} policies=${o.policies.split(',').length} seeds=${o.seeds} runs=${runs[1]} workers=${runs[3]}` +
        ` runs_wall_s=${runs[2]} s_per_run=${(Number(runs[2]) / Number(runs[1])).toFixed(3)}` +
        ` report_s=${runs[4]} report_bytes=${bytes} process_wall_s=${total.toFixed(2)}`,
    );
  });

// ---------------------------------------------------------------------------------------------
// `live` — the control plane on real Docker engines against plain API calls (bench/live.ts).
// ---------------------------------------------------------------------------------------------

program
  .command('live')
  .description('converge R replicas across Docker engines with Slipway vs R parallel plain creates (needs scripts/start-engines.sh)')
  .option('--replicas <R>', 'replicas', integer('--replicas', 1), 50)
  .option('--hosts <list>', 'comma-separated engines', 'unix:///run/slipway/e1.sock,unix:///run/slipway/e2.sock')
  .option('--image <name>', 'image', 'slipway/busybox:test')
  .option('--runs <N>', 'timed runs per side (medians reported)', integer('--runs', 1), 3)
  .action(async (o: { replicas: number; hosts: string; image: string; runs: number }) => {
    const { benchLive } = await import('./live.js');
    await benchLive({ replicas: o.replicas, hosts: o.hosts.split(','), image: o.image, runs: o.runs });
  });

// ---------------------------------------------------------------------------------------------
// `oci-network` — create-to-running on runc with and without CNI networking (bench/oci-network.ts).
// ---------------------------------------------------------------------------------------------

program
  .command('oci-network')
  .description('create-to-running latency of an OCI instance with CNI networking vs without (root, runc, containernetworking-plugins)')
  .option('--runs <N>', 'instances per side (medians reported)', integer('--runs', 1), 20)
  .option('--runtime <name>', 'OCI runtime', 'runc')
  .option('--rootfs <dir>', 'rootfs directory', '/var/lib/slipway/rootfs')
  .action(async (o: { runs: number; runtime: string; rootfs: string }) => {
    const { benchOciNetwork } = await import('./oci-network.js');
    await benchOciNetwork(o);
  });

// ---------------------------------------------------------------------------------------------
// `fgd` and `fgd-study` — the FGD paper's experiment on the Alibaba GPU trace (issue 7).
// ---------------------------------------------------------------------------------------------

interface FgdBenchOptions {
  traces?: string;
  workload: string;
  policy: string;
  seed: number;
  runs: number;
}

program
  .command('fgd')
  .description("wall time of one experiment of the FGD paper's protocol (default workload, FGD, one seed)")
  .option('--traces <dir>', 'trace folder (default: ../shared/traces/alibaba-gpu-v2023)')
  .option('--workload <name>', 'workload', 'default')
  .option('--policy <name>', 'policy', 'fgd')
  .option('--seed <S>', 'seed', integer('--seed', 0), 42)
  .option('--runs <N>', 'timed runs after the first (the median is reported)', integer('--runs', 1), 3)
  .action(async (o: FgdBenchOptions) => {
    const { resolveTracesDir, readGpuNodes, readWorkload } = await import('../src/cli/traces.js');
    const { runExperiment } = await import('../src/gpu/experiment.js');
    const dir = resolveTracesDir(o.traces);
    const t0 = performance.now();
    const nodes = readGpuNodes(dir);
    const pods = readWorkload(dir, o.workload);
    const parse = (performance.now() - t0) / 1000;
    const once = () => {
      const t = performance.now();
      const r = runExperiment({ nodes, pods, policy: o.policy, seed: o.seed });
      return { wall: (performance.now() - t) / 1000, r };
    };
    const first = once();
    const walls: number[] = [];
    for (let i = 0; i < o.runs; i++) walls.push(once().wall);
    console.log(
      `fgd workload=${o.workload} policy=${o.policy} seed=${o.seed} nodes=${nodes.length} pods=${first.r.arrived}` +
        ` placed=${first.r.placed} parse_s=${parse.toFixed(3)} first_run_s=${first.wall.toFixed(3)}` +
        ` median_run_s=${median(walls).toFixed(3)} (runs=${o.runs})`,
    );
  });

interface FgdStudyOptions {
  traces?: string;
  workload: string;
  policies?: string;
  seeds: string;
  workers: number;
}

program
  .command('fgd-study')
  .description('wall time of a whole FGD study on worker threads')
  .option('--traces <dir>', 'trace folder (default: ../shared/traces/alibaba-gpu-v2023)')
  .option('--workload <name>', 'workload(s) or all', 'default')
  .option('--policies <list>', 'policies (default: all six)')
  .option('--seeds <seeds>', 'seeds', '42..51')
  .option('--workers <N>', 'worker threads', integer('--workers', 1), 2)
  .action(async (o: FgdStudyOptions) => {
    const { resolveTracesDir } = await import('../src/cli/traces.js');
    const { parsePolicies, parseSeeds, parseWorkloads, studyJobs } = await import('../src/gpu/study.js');
    const { runJobs } = await import('../src/cli/experiment-pool.js');
    const jobs = studyJobs(parseWorkloads(o.workload), parsePolicies(o.policies), parseSeeds(o.seeds));
    const t0 = performance.now();
    await runJobs(jobs, { tracesDir: resolveTracesDir(o.traces), workers: o.workers });
    const wall = (performance.now() - t0) / 1000;
    console.log(
      `fgd-study workload=${o.workload} experiments=${jobs.length} workers=${o.workers} wall_s=${wall.toFixed(1)}` +
        ` experiments_per_s=${(jobs.length / wall).toFixed(2)}`,
    );
  });

program
  .command('queue')
  .description('a sweep locally vs on the Redis work queue with as many slipway worker processes')
  .addOption(new Option('--kind <kind>', 'the sweep').choices(['compare', 'fgd']).default('compare'))
  .option('--redis <url>', 'the queue', 'redis://127.0.0.1:26379/5')
  .option('--workers <N>', 'worker threads locally, slipway worker processes on the queue', integer('--workers', 1), 3)
  .option('--scenario <file>', 'compare: scenario', join(here, '..', 'scenarios', 'default.yaml'))
  .option('--policies <list>', 'compare: policies', 'round-robin,best-fit,spread,balanced,default')
  .option('--seeds <seeds>', 'compare: seeds (default 1..100); fgd: seeds (default 42..51)')
  .option('--workload <w>', 'fgd: workload(s) or all', 'all')
  .option('--traces <dir>', 'fgd: trace folder (default: the one slipway finds)')
  .action(async (o: { kind: 'compare' | 'fgd'; redis: string; workers: number; scenario: string; policies: string; seeds?: string; workload: string; traces?: string }) => {
    const { benchQueue } = await import('./queue.js');
    const args =
      o.kind === 'compare'
        ? ['compare', o.scenario, '--policies', o.policies, '--seeds', o.seeds ?? '1..100']
        : ['experiment', 'fgd', '--workload', o.workload, '--seeds', o.seeds ?? '42..51', ...(o.traces ? ['--traces', o.traces] : [])];
    await benchQueue({ args, redis: o.redis, workers: o.workers, name: o.kind });
  });

program
  .command('scheduler')
  .description('scheduling throughput of a profile: M pods, one cycle each, on N nodes')
  .requiredOption('--nodes <N>', 'number of nodes', integer('--nodes', 1))
  .requiredOption('--pods <M>', 'number of pods to schedule', integer('--pods', 1))
  .option('--profile <P>', 'scheduler profile', 'default')
  .option('--percentage <X>', 'percentageOfNodesToScore (0 = adaptive; default: the profile\'s)', integer('--percentage', 0))
  .option('--seed <S>', 'seed for pod sizes and tie-breaks', integer('--seed', 0), 1)
  .action(async (o: { nodes: number; pods: number; profile: string; percentage?: number; seed: number }) => {
    const { benchScheduler } = await import('./scheduler.js');
    await benchScheduler(o);
  });

program
  .command('fuzz')
  .description('fuzz throughput: runs per minute')
  .option('--runs <N>', 'runs', integer('--runs', 1), 1000)
  .option('--workers <W>', 'worker threads (0 = in this process)', integer('--workers', 0), 2)
  .option('--profile <P>', 'case profile', 'small')
  .option('--seed <S>', 'root seed', integer('--seed', 0), 1)
  .option('--no-invariants', 'skip the safety invariants (to measure their cost)')
  .action(async (o: { runs: number; workers: number; profile: string; seed: number; invariants: boolean }) => {
    const [{ fuzz }, { PROFILES }] = await Promise.all([import('../src/fuzz/fuzz.js'), import('../src/fuzz/case.js')]);
    if (!(PROFILES as readonly string[]).includes(o.profile)) throw new InvalidArgumentError(`--profile: one of ${PROFILES.join(', ')}`);
    const r = await fuzz({
      runs: o.runs,
      seed: o.seed,
      profile: o.profile as (typeof PROFILES)[number],
      workers: o.workers,
      shrink: false,
      invariants: o.invariants,
    });
    console.log(
      `fuzz profile=${o.profile} runs=${r.runs} workers=${o.workers} invariants=${o.invariants} failures=${r.failed}` +
        ` wall_s=${(r.elapsedMs / 1000).toFixed(2)} runs_per_min=${Math.round(r.runsPerMinute)}` +
        ` events_per_run=${Math.round(r.events / r.runs)} events_per_s=${Math.round(r.events / (r.elapsedMs / 1000))}`,
    );
  });

program
  .command('simulate')
  .description('simulate_change on a 100-node, 1,000-instance cluster: a drain over a 10-minute horizon')
  .option('--nodes <N>', 'nodes', integer('--nodes', 1), 100)
  .option('--workloads <W>', 'workloads', integer('--workloads', 1), 100)
  .option('--replicas <R>', 'replicas per workload', integer('--replicas', 1), 10)
  .option('--runs <K>', 'timed runs', integer('--runs', 1), 5)
  .action(async (o: { nodes: number; workloads: number; replicas: number; runs: number }) => {
    const { benchSimulateChange } = await import('./simulate-change.js');
    await benchSimulateChange(o);
  });

program
  .command('membership')
  .description('a gossip group of N members for M simulated minutes: wall time, events, message load')
  .option('--members <N>', 'members', integer('--members', 3), 1000)
  .option('--minutes <M>', 'simulated minutes', integer('--minutes', 1), 10)
  .option('--detector <D>', 'swim, lha-probe, lha-suspicion, buddy or lifeguard', 'lifeguard')
  .option('--runs <K>', 'timed runs', integer('--runs', 1), 3)
  .action(async (o: { members: number; minutes: number; detector: string; runs: number }) => {
    const { runMembership } = await import('../src/membership/experiment.js');
    const walls: number[] = [];
    for (let k = 0; k < o.runs; k++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await runMembership({ detector: o.detector as 'lifeguard', members: o.members, seed: 1 + k, durationMs: o.minutes * 60_000 });
      const wall = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      walls.push(wall);
      console.log(
        `run ${k + 1}: ${o.members} members, ${o.minutes} simulated min, ${o.detector}: wall ${wall.toFixed(2)} s, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, ${r.events} events, ${r.messagesPerMemberPerS.toFixed(2)} messages/member/s`,
      );
    }
    walls.sort((a, b) => a - b);
    console.log(`median wall ${walls[Math.floor(walls.length / 2)]!.toFixed(2)} s over ${o.runs} runs`);
  });

program
  .command('serf')
  .description('live Serf failure detection (kill -9 → member-failed) beside the simulator for the same group')
  .option('--members <N>', 'members including the control plane', integer('--members', 3), 5)
  .option('--kills <K>', 'agents killed, one after another', integer('--kills', 1), 8)
  .option('--seeds <S>', 'simulated runs', integer('--seeds', 1), 5)
  .action(async (o: { members: number; kills: number; seeds: number }) => {
    const { benchSerf } = await import('./serf.js');
    await benchSerf(o);
  });

program
  .command('api')
  .description("the daemon's HTTP API on the sim backend: GET/list throughput and p50/p99, applies per second")
  .option('--workloads <W>', 'workloads', integer('--workloads', 1), 1000)
  .option('--replicas <R>', 'replicas per workload', integer('--replicas', 1), 10)
  .option('--gets <N>', 'GETs (and instance lists)', integer('--gets', 1), 20000)
  .option('--lists <L>', 'full workload lists', integer('--lists', 1), 200)
  .option('--updates <U>', 'spec updates (applies)', integer('--updates', 1), 2000)
  .option('--concurrency <C>', 'requests in flight', integer('--concurrency', 1), 16)
  .option('--simulates <K>', 'what-ifs (POST /v1/simulate, a drain over 10 minutes) timed at the end', integer('--simulates', 0), 3)
  .option('--timeout <s>', 'stop (fail) after this many seconds', integer('--timeout', 1), 600)
  .option('--speed <N>', "the daemon's virtual time × N (its background work per wall second grows with N)", integer('--speed', 1), 20)
  .option('--in-process', 'no HTTP: requests go straight to the app in this process, one at a time; prints CPU per request')
  .option('--cpu-profile <DIR>', 'write CPU profiles into DIR: with --in-process one per phase, else the daemon\'s whole run')
  .option('--rate <R>', 'applies per second of the paced (open-loop) phases at the end: U updates, then W/2 creates (0: skip)', integer('--rate', 0), 500)
  .option('--paced-updates <N>', 'updates in the paced phase (default: --updates): rate × seconds, e.g. 30000 holds 500/s for a minute', integer('--paced-updates', 1))
  .option('--latencies <DIR>', "write each phase's latencies, in the order the requests were sent, to DIR/PHASE.txt (HTTP bench)")
  .option('--node-flag <FLAG>', "a Node.js/V8 flag for the daemon's process, e.g. --node-flag=--max-semi-space-size=64 (repeatable; HTTP bench)", (v: string, all: string[]) => {
    if (!/^--[a-z0-9][a-z0-9-]*(=\S+)?$/.test(v)) throw new InvalidArgumentError(`expected one flag such as --max-semi-space-size=64, got ${JSON.stringify(v)}`);
    return [...all, v];
  }, [] as string[])
  .option('--daemon-stdout <FILE>', "write the daemon's stdout to FILE, e.g. with --node-flag=--trace-gc (HTTP bench)")
  .action(async (o: { workloads: number; replicas: number; gets: number; lists: number; updates: number; concurrency: number; simulates: number; timeout: number; speed: number; rate: number; pacedUpdates?: number; inProcess?: boolean; cpuProfile?: string; latencies?: string; nodeFlag: string[]; daemonStdout?: string }) => {
    const { inProcess, cpuProfile, speed, latencies, rate, pacedUpdates, nodeFlag, daemonStdout, ...rest } = o;
    if (inProcess) {
      const { benchApiInProcess } = await import('./api-in-process.js');
      await benchApiInProcess({ ...rest, timeoutS: o.timeout, ...(cpuProfile !== undefined ? { profileDir: cpuProfile } : {}) });
      return;
    }
    const { benchApi } = await import('./api.js');
    await benchApi({ ...rest, speed, rate, nodeFlags: nodeFlag, ...(pacedUpdates !== undefined ? { pacedUpdates } : {}), timeoutS: o.timeout, ...(cpuProfile !== undefined ? { profileDir: cpuProfile } : {}), ...(latencies !== undefined ? { latenciesDir: latencies } : {}), ...(daemonStdout !== undefined ? { daemonStdout } : {}) });
  });

program
  .command('ha')
  .description('replicas on a real etcd: applies/s through etcd vs the file store; failover time after kill -9 of the leader')
  .option('--applies <A>', 'workload creations per store', integer('--applies', 1), 500)
  .option('--concurrency <C>', 'applies in flight', integer('--concurrency', 1), 16)
  .option('--replicas <R>', 'replicas per workload (the instances the leader also keeps in etcd)', integer('--replicas', 1), 1)
  .option('--failovers <K>', 'leader kills (0: none)', integer('--failovers', 0), 5)
  .option('--member-kills <M>', 'kills of the etcd member that is raft leader, each with an apply through the Slipway leader (0: none)', integer('--member-kills', 0), 0)
  .option('--ttl <s>', 'lease TTL in seconds', integer('--ttl', 1), 2)
  .option('--etcd-port <P>', "the bench's etcd's first client port", integer('--etcd-port', 1024), 32579)
  .option('--timeout <s>', 'stop after this many seconds', integer('--timeout', 1), 900)
  .action(async (o: { applies: number; concurrency: number; replicas: number; failovers: number; memberKills: number; ttl: number; etcdPort: number; timeout: number }) => {
    const { benchHa } = await import('./ha.js');
    await benchHa({ ...o, timeoutS: o.timeout });
  });

await program.parseAsync(process.argv);
