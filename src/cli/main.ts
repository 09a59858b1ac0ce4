/**
 * The `slipway` command. One file per sub-command; this file only wires them into commander.
 * Exit codes: 0 success, 1 a failed expectation or run, 2 bad input.
 */
import { Command, CommanderError } from 'commander';
import { SLIPWAY_VERSION } from '../version.js';
import { EXIT_BAD_INPUT, guardCommand } from './errors.js';
import { runCalibrate, type CalibrateFlags } from './calibrate.js';
import { runDiff, type DiffFlags } from './diff.js';
import { runCommand, type RunFlags } from './run.js';
import { runValidate } from './validate.js';
import { compareCommand, type CompareFlags } from './compare.js';
import { exportCommand, type ExportFlags } from './export.js';
import { DEFAULT_SEEDS, runFgdExperiment, type FgdFlags } from './experiment.js';
import { runImportAlibabaDlrm, type ImportDlrmFlags } from './import-alibaba-dlrm.js';
import { runImportAlibabaGpu, type ImportFlags } from './import-alibaba-gpu.js';
import { runExplain, type ExplainFlags } from './explain.js';
import { loadPlugins } from './plugins.js';
import { fuzzCommand, type FuzzFlags } from './fuzz.js';
import { replayTraceCommand } from './replay.js';
import { addLimitOptions, type LimitFlags } from './limit-flags.js';

const program = new Command();
program
  .name('slipway')
  .description('A container orchestrator built to be tested: its control plane on a deterministic simulation.')
  .version(SLIPWAY_VERSION)
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str) });

addLimitOptions(program.command('run'), { trace: true })
  .description('simulate a scenario; writes trace.jsonl, summary.json and report.html to the output folder')
  .argument('<file>', 'scenario YAML')
  .option('--seed <n>', "override the scenario's seed")
  .option('--until <duration>', "stop at this simulated time instead of the scenario's duration (e.g. 30m)")
  .option('--out <dir>', 'output folder (default: reports/<scenario file name>)')
  .option('--scheduler <name>', "use this scheduler (policy) instead of the scenario's")
  .option('--json', 'print the summary as JSON instead of text')
  .option('--backend <kind>', 'sim (default), or run live on docker engines or an oci runtime named by the nodes')
  .option('--state <file>', 'live: keep desired state in this file; running again with it resumes the run')
  .option('--force', 'live: resume a --state file written by another scenario (or an edited one)')
  .option('--keep', 'live: leave the workloads running at the end (no teardown)')
  .option('--cluster <file>', "live: where the scenario's nodes are (node name → docker or oci endpoint), for scenarios written for the simulator")
  .option('--latency <file>', "sim: replace the scenario's latency model with this file's (from slipway calibrate)")
  .option('--plugin <file...>', 'load scheduler plugins from these files (exports name and create(args))')
  .option('--check-determinism', 'run it again in a fresh worker thread and compare the traces')
  .action(async (file: string, flags: RunFlags) => {
    let context: (() => string) | undefined;
    await guardCommand(
      async () => {
        await loadPlugins(flags.plugin);
        return runCommand(file, flags, (c) => (context = c));
      },
      () => (context ? context() : ''),
    );
  });

addLimitOptions(program.command('validate'))
  .description('check a scenario file; prints one line per problem as FILE:LINE:COL: message')
  .argument('<file>', 'scenario YAML')
  .action(async (file: string, flags: LimitFlags) => {
    await guardCommand(() => runValidate(file, flags));
  });

addLimitOptions(program.command('compare'))
  .description('run every (policy, seed) pair of a scenario; writes report.html, results.json and results.csv')
  .argument('<file>', 'scenario YAML')
  .requiredOption('--policies <list>', 'comma-separated scheduler names, e.g. round-robin,best-fit (the first is the baseline)')
  .option('--seeds <list>', 'seeds: a range 1..20 or a list 1,2,5', '1..20')
  .option('--workers <n>', 'worker threads (default: available cores; 0 = in this thread)')
  .option('--out <dir>', 'output folder (default: reports/compare-<scenario file name>)')
  .option('--json', 'print results.json instead of the table')
  .action(async (file: string, flags: CompareFlags) => {
    let context: (() => string) | undefined;
    await guardCommand(
      () => compareCommand(file, flags, (c) => (context = c)),
      () => (context ? context() : ''),
    );
  });

program
  .command('diff')
  .description('compare two traces of one scenario (e.g. simulated and live): placements, order of events, convergence times')
  .argument('<a>', 'first trace (trace.jsonl)')
  .argument('<b>', 'second trace')
  .option('--json', 'print the comparison as JSON')
  .action(async (a: string, b: string, flags: DiffFlags) => {
    await guardCommand(() => runDiff(a, b, flags));
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
    await guardCommand(() => runCalibrate(flags));
  });

const experiment = program.command('experiment').description('trace-driven experiments that reproduce published results');
experiment
  .command('fgd')
  .description("the FGD paper's experiment (USENIX ATC '23) on the Alibaba GPU trace; writes results.csv and report.html")
  .requiredOption('--workload <name>', 'one of the 17 workloads of the paper (default, cpu050, ..., multigpu50), a comma list, or all')
  .option('--traces <dir>', 'folder holding the trace CSVs (default: ../shared/traces/alibaba-gpu-v2023 when it exists)')
  .option('--policies <list>', 'comma list of random, dotprod, gpu-clustering, gpu-packing, best-fit, fgd (default: all six)')
  .option('--seeds <seeds>', 'seeds: a range 42..51, a list 42,43 or one seed', DEFAULT_SEEDS)
  .option('--workers <n>', 'worker threads (default: available cores)')
  .option('--out <dir>', 'output folder (default: reports/fgd-<workload>)')
  .option('--placements', 'also write every pod\'s node and GPUs (or why it fit nowhere) to <out>/placements/<workload>/<policy>-seed<seed>.jsonl')
  .action(async (flags: FgdFlags) => {
    let context: (() => string) | undefined;
    await guardCommand(
      () => runFgdExperiment(flags, (c) => (context = c)),
      () => (context ? context() : ''),
    );
  });

program
  .command('replay')
  .description('re-run the scenario and seed recorded in a trace; report the first divergence, or that the runs are identical')
  .argument('<trace>', 'trace.jsonl written by slipway run')
  .action(async (trace: string) => {
    let context: (() => string) | undefined;
    await guardCommand(
      () => replayTraceCommand(trace, (c) => (context = c)),
      () => (context ? context() : ''),
    );
  });

program
  .command('export')
  .description('convert a trace; --format perfetto writes the Chrome trace event format to stdout')
  .argument('<trace>', 'trace.jsonl written by slipway run')
  .requiredOption('--format <format>', 'output format: perfetto')
  .option('--out <file>', 'write to this file (atomically) instead of stdout')
  .action(async (trace: string, flags: ExportFlags) => {
    await guardCommand(() => exportCommand(trace, flags));
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
    await guardCommand(() => runImportAlibabaGpu(flags));
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
    await guardCommand(() => runImportAlibabaDlrm(flags));
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
  .action(async (file: string, flags: ExplainFlags & { plugin?: string[] }) => {
    await guardCommand(async () => {
      await loadPlugins(flags.plugin);
      return runExplain(file, flags);
    });
  });

program
  .command('fuzz')
  .description('swarm testing: random clusters, workloads and faults; shrinks failures to a minimal scenario')
  .option('--runs <n>', 'number of runs (default 100)')
  .option('--seed <n>', 'root seed; run i uses a case seed derived from it (default 1)')
  .option('--profile <name>', 'case shape: small (default), tiny, partitions, crashes')
  .option('--workers <n>', 'worker threads (default: one per core; 0 = in this process)')
  .option('--out <dir>', 'output folder (default reports/fuzz)')
  .option('--no-shrink', 'do not shrink failures')
  .option('--verbose', "print every run's cluster, workload mix, fault plan and knobs")
  .option('--case <seed>', 'regenerate one run from its case seed: write it as a scenario file and run it')
  .action(async (flags: FuzzFlags) => {
    await guardCommand(() => fuzzCommand(flags));
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : EXIT_BAD_INPUT);
  throw e;
}
