/**
 * The `slipway` command. One file per sub-command; this file only wires them into commander.
 * Each command's module is imported when that command runs (`slipway --help` and
 * `slipway validate` never load dockerode, esbuild or d3): keep this file's static imports to
 * commander, the version, errors.js and types.
 * Exit codes: 0 success, 1 a failed expectation or run, 2 bad input.
 */
import { Command, CommanderError } from 'commander';
import { SLIPWAY_VERSION } from '../version.js';
import { EXIT_BAD_INPUT, guardCommand, guardReplayable } from './errors.js';
import type { CalibrateFlags } from './calibrate.js';
import type { DiffFlags } from './diff.js';
import type { RunFlags } from './run.js';
import type { CompareFlags } from './compare.js';
import type { ExportFlags } from './export.js';
import type { FgdFlags } from './experiment.js';
import type { MembershipFlags } from './experiment-membership.js';
import type { ImportDlrmFlags } from './import-alibaba-dlrm.js';
import type { ImportFlags } from './import-alibaba-gpu.js';
import type { ExplainFlags } from './explain.js';
import type { FuzzFlags } from './fuzz.js';
import type { ValidateFlags } from './validate.js';
import type { MergeFlags } from './merge.js';
import type { WorkerFlags } from './worker.js';
// serve, config, apply, get, ...: registration only; each action imports its module when it runs.
import { registerServeCommands } from './serve-commands.js';

import { addLimitOptions, type LimitFlags } from './limit-flags.js';
import { escapeTerminalOutput } from './terminal.js';
import { addSweepOptions } from './sweep-flags.js';

const program = new Command();
program
  .name('slipway')
  .description('A container orchestrator built to be tested: its control plane on a deterministic simulation.')
  .version(SLIPWAY_VERSION)
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str) });

addLimitOptions(program.command('run'), { trace: true })
  .description('simulate a scenario; writes trace.jsonl, summary.json and report.html to the output folder')
  .argument('<file>', 'scenario YAML, or a Kubernetes manifest file (kubectl YAML, --- separated) with --nodes')
  .option('--seed <n>', "override the scenario's seed")
  .option('--nodes <n>', 'FILE is a Kubernetes manifest file: run its objects on N nodes of 4 CPU and 16Gi (besides its own Nodes)')
  .option('--until <duration>', "stop at this simulated time instead of the scenario's duration (e.g. 30m); expectations after it are NOT CHECKED (a manifest file runs 10m or --until)")
  .option('--allow-unchecked', 'exit 0 even when expectations were NOT CHECKED (their time was not reached)')
  .option('--out <dir>', 'output folder (default: reports/<scenario file name>)')
  .option('--scheduler <name>', "use this scheduler (policy) instead of the scenario's")
  .option('--json', 'print the summary as JSON instead of text')
  .option('--backend <kind>', 'sim (default), or run live on docker engines or an oci runtime named by the nodes')
  .option('--state <file>', 'live: keep desired state in this file; running again with it resumes the run')
  .option('--keep', 'live: leave the workloads running at the end (no teardown)')
  .option('--identity <name>', "live: the cluster's identity on shared engines (default: the state file's, else the scenario's name)")
  .option('--force', "live: break another run's lock of this identity on the engines (only when that run is gone), or resume a --state file another scenario (or an edited one) wrote")
  .option('--cluster <file>', "live: where the scenario's nodes are (node name → docker or oci endpoint), for scenarios written for the simulator")
  .option('--latency <file>', "sim: replace the scenario's latency model with this file's (from slipway calibrate)")
  .option('--plugin <file...>', 'load scheduler plugins from these files (exports name and create(args))')
  .option('--check-determinism', 'run it again in a fresh worker thread and compare the traces')
  .action(async (file: string, flags: RunFlags) => {
    await guardReplayable(async (setContext) => (await import('./run.js')).runCommand(file, flags, setContext));
  });

addLimitOptions(program.command('validate'))
  .description('check a scenario file; prints one line per problem as FILE:LINE:COL: message (up to 50)')
  .argument('<file>', 'scenario YAML, or a Kubernetes manifest file with --nodes')
  .option('--nodes <n>', 'FILE is a Kubernetes manifest file: check it as run on N nodes of 4 CPU and 16Gi (besides its own Nodes)')
  .option('--json', 'print { file, valid, problems: [{ file, line, column, message }], warnings, summary } on stdout')
  .action(async (file: string, flags: ValidateFlags & LimitFlags) => {
    await guardCommand(async () => (await import('./validate.js')).runValidate(file, flags));
  });

addSweepOptions(addLimitOptions(program.command('compare')))
  .description('run every (policy, seed) pair of a scenario; writes report.html, results.json and results.csv')
  .argument('<file>', 'scenario YAML')
  .requiredOption('--policies <list>', 'comma-separated scheduler names, e.g. round-robin,best-fit (the first is the baseline)')
  .option('--seeds <list>', 'seeds: a range 1..20 or a list 1,2,5', '1..20')
  .option('--workers <n>', 'worker threads (default: available cores; 0 = in this thread)')
  .option('--out <dir>', 'output folder (default: reports/compare-<scenario file name>)')
  .option('--json', 'print results.json instead of the table')
  .action(async (file: string, flags: CompareFlags) => {
    await guardReplayable(async (setContext) => (await import('./compare.js')).compareCommand(file, flags, setContext));
  });

program
  .command('diff')
  .description('compare two traces of one scenario (e.g. simulated and live): placements, order of events, convergence times')
  .argument('<a>', 'first trace (trace.jsonl)')
  .argument('<b>', 'second trace')
  .option('--json', 'print the comparison as JSON')
  .action(async (a: string, b: string, flags: DiffFlags) => {
    await guardCommand(async () => (await import('./diff.js')).runDiff(a, b, flags));
  });

program
  .command('calibrate')
  .description('measure container start/stop latencies on a real engine; writes a latency model simulations can use')
  .requiredOption('--backend <kind>', 'the engine kind to measure (docker)')
  .option('--host <url>', 'engine to measure (default: $DOCKER_HOST or unix:///var/run/docker.sock)')
  .option('--image <name>', 'image to create containers from (default slipway/busybox:test)')
  .option('--samples <n>', 'create/start/stop cycles (default 20)')
  .option('--network <mode>', 'docker network mode for the containers (e.g. none)')
  .option('--out <file>', 'where to write the latency model (default calibration.yaml)')
  .action(async (flags: CalibrateFlags) => {
    await guardCommand(async () => (await import('./calibrate.js')).runCalibrate(flags));
  });

const experiment = program.command('experiment').description('trace-driven experiments that reproduce published results');
addSweepOptions(experiment
  .command('fgd'))
  .description("the FGD paper's experiment (USENIX ATC '23) on the Alibaba GPU trace; writes results.csv and report.html")
  .requiredOption('--workload <name>', 'one of the 17 workloads of the paper (default, cpu050, ..., multigpu50), a comma list, or all')
  .option('--traces <dir>', 'folder holding the trace CSVs (default: ../shared/traces/alibaba-gpu-v2023 when it exists)')
  .option('--policies <list>', 'comma list of random, dotprod, gpu-clustering, gpu-packing, best-fit, fgd (default: all six)')
  .option('--seeds <seeds>', 'seeds: a range 42..51, a list 42,43 or one seed', '42..51')
  .option('--workers <n>', 'worker threads (default: available cores)')
  .option('--out <dir>', 'output folder (default: reports/fgd-<workload>)')
  .option('--placements', 'also write every pod\'s node and GPUs (or why it fit nowhere) to <out>/placements/<workload>/<policy>-seed<seed>.jsonl')
  .action(async (flags: FgdFlags) => {
    await guardReplayable(async (setContext) => (await import('./experiment.js')).runFgdExperiment(flags, setContext));
  });
addSweepOptions(experiment
  .command('membership'))
  .description("SWIM's detection analysis and Lifeguard's false positives, reproduced on simulated gossip groups; writes results.csv and report.html")
  .option('--study <name>', 'swim, lifeguard, a comma list, or all', 'all')
  .option('--seeds <seeds>', 'seeds: a range 1..3, a list 1,2 or one seed', '1..3')
  .option('--members <list>', 'group sizes of the swim study (default 10,100,1000)')
  .option('--detectors <list>', 'detectors of the lifeguard study: swim, lha-probe, lha-suspicion, buddy, lifeguard (default: all five)')
  .option('--duration <d>', 'simulated time of each run (default: 30m for the swim study, 10m for the lifeguard study)')
  .option('--workers <n>', 'worker threads (default: one per core; 0 = in this thread)')
  .option('--out <dir>', 'output folder (default: reports/membership)')
  .action(async (flags: MembershipFlags) => {
    await guardReplayable(async (setContext) => (await import('./experiment-membership.js')).runMembershipExperiment(flags, setContext));
  });

program
  .command('replay')
  .description('re-run the scenario and seed recorded in a trace; report the first divergence, or that the runs are identical')
  .argument('<trace>', 'trace.jsonl written by slipway run')
  .action(async (trace: string) => {
    await guardReplayable(async (setContext) => (await import('./replay.js')).replayTraceCommand(trace, setContext));
  });

program
  .command('export')
  .description('convert a trace; --format perfetto writes the Chrome trace event format to stdout')
  .argument('<trace>', 'trace.jsonl written by slipway run')
  .option('--format <format>', 'output format: perfetto (the default; the only one so far)', 'perfetto')
  .option('--out <file>', 'write to this file (atomically) instead of stdout')
  .action(async (trace: string, flags: ExportFlags) => {
    await guardCommand(async () => (await import('./export.js')).exportCommand(trace, flags));
  });

const importCommand = program.command('import').description('turn external data (traces) into scenarios');
importCommand
  .command('alibaba-gpu')
  .description('a window of the Alibaba GPU trace v2023 as a scenario for slipway run (pods created and deleted at their trace times)')
  .requiredOption('--workload <name>', 'one of the 17 workloads (default, cpu050, ..., multigpu50)')
  .option('--traces <dir>', 'folder holding the trace CSVs (default: ../shared/traces/alibaba-gpu-v2023 when it exists)')
  .option('--from <duration>', 'start of the window in trace time, e.g. 148d (default: the last --window of the trace)')
  .option('--window <duration>', 'length of the window and of the run', '1d')
  .option('--out <file>', 'scenario file to write (default: scenarios/generated/alibaba-gpu-<workload>.yaml)')
  .action(async (flags: ImportFlags) => {
    await guardCommand(async () => (await import('./import-alibaba-gpu.js')).runImportAlibabaGpu(flags));
  });
importCommand
  .command('alibaba-dlrm')
  .description('a window of the Alibaba DLRM inference trace v2025 as a scenario: app replicas scaled at their creation and deletion times, max_instance_per_node as a per-node cap')
  .option('--traces <dir>', 'folder holding disaggregated_DLRM_trace.csv (default: ../shared/traces/alibaba-dlrm-v2025 when it exists)')
  .option('--from <duration>', 'start of the window in trace time, e.g. 2d', '0')
  .option('--window <duration>', 'length of the window and of the run', '6h')
  .option('--nodes <n>', 'total nodes, split between the CN and HN pools by peak demand (default: sized for ~80% peak use)')
  .option('--apps <k>', 'keep only the k apps with the most creations and deletions in the window (default: all)')
  .option('--out <file>', 'scenario file to write (default: scenarios/generated/alibaba-dlrm.yaml)')
  .action(async (flags: ImportDlrmFlags) => {
    await guardCommand(async () => (await import('./import-alibaba-dlrm.js')).runImportAlibabaDlrm(flags));
  });

program
  .command('explain')
  .description('why a pod lands where it does: every filter verdict and score per node, for a snapshot (YAML or JSON) or a scenario at a point of its run')
  .argument('<file>', 'snapshot (nodes, pods, pending, profile), or a scenario with --at and --workload')
  .option('--json', 'print the result as JSON')
  .option('--at <duration>', 'scenario: simulate up to this virtual time, e.g. 30m')
  .option('--workload <name>', "scenario: explain placing one more instance of this workload")
  .option('--scheduler <name>', "scenario: a profile instead of the scenario's (e.g. gpu-fgd)")
  .option('--seed <n>', "scenario: seed instead of the scenario's")
  .option('--snapshot-out <file>', 'scenario: also write the explained state as a snapshot file (explain reads it back)')
  .option('--plugin <file...>', 'load scheduler plugins from these files (exports name and create(args))')
  .action(async (file: string, flags: ExplainFlags) => {
    await guardCommand(async () => (await import('./explain.js')).runExplain(file, flags));
  });

addSweepOptions(program
  .command('fuzz'))
  .description('swarm testing: random clusters, workloads and faults; shrinks failures to a minimal scenario')
  .option('--runs <n>', 'number of runs (default 100)')
  .option('--seed <n>', 'root seed; run i uses a case seed derived from it (default 1)')
  .option('--profile <name>', 'case shape: small (default), tiny, partitions, crashes')
  .option('--workers <n>', 'worker threads (default: one per core; 0 = in this process)')
  .option('--out <dir>', 'output folder (default reports/fuzz)')
  .option('--no-shrink', 'do not shrink failures')
  .option('--verbose', "print every run's cluster, workload mix, fault plan and knobs")
  .option('--case <seed>', 'regenerate one run from its case seed: write it as a scenario file and run it')
  .option('--json', "print summary.json's content (with --case: the case's outcome) as one JSON object instead of text")
  .action(async (flags: FuzzFlags) => {
    await guardCommand(async () => (await import('./fuzz.js')).fuzzCommand(flags));
  });

program
  .command('merge')
  .description("join the result bundles of a sharded sweep (--shard I/N); writes the outputs of the unsharded run, byte for byte")
  .argument('<dirs...>', 'folders holding bundle-I-of-N.json files (a shard\'s --out), or bundle files')
  .requiredOption('--out <dir>', 'output folder')
  .option('--json', 'compare: print results.json instead of the table; fuzz: print summary.json')
  .action(async (dirs: string[], flags: MergeFlags) => {
    await guardCommand(async () => (await import('./merge.js')).mergeCommand(dirs, flags));
  });

program
  .command('worker')
  .description('run sweep runs from a Redis work queue (compare, fuzz or experiment started with --queue); any number of workers, on any machine')
  .requiredOption('--queue <url>', 'redis://HOST:PORT/DB')
  .option('--concurrency <n>', 'runs at once, one worker thread each (default 1)')
  .option('--lock-duration <ms>', 'a run whose worker stops renewing its lock for this long is taken over by another worker (default 10000)')
  .option('--exit-when-idle <ms>', 'exit after this long with no run to do (default: run until SIGINT/SIGTERM)')
  .option('--verbose', 'print a line when each run starts and ends')
  .action(async (flags: WorkerFlags) => {
    await guardCommand(async () => (await import('./worker.js')).workerCommand(flags));
  });

registerServeCommands(program);

// Names from scenarios, manifests and traces reach the terminal escaped (src/cli/terminal.ts). The
// daemon and the MCP server speak protocols of their own; the client commands escape themselves.
if (!['serve', 'mcp'].includes(process.argv[2] ?? '')) escapeTerminalOutput();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : EXIT_BAD_INPUT);
  throw e;
}
