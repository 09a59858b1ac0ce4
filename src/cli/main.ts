/**
 * The `slipway` command. One file per sub-command; this file only wires them into commander.
 * Exit codes: 0 success, 1 a failed expectation or run, 2 bad input.
 */
import { Command, CommanderError } from 'commander';
import { SLIPWAY_VERSION } from '../version.js';
import { EXIT_BAD_INPUT, guardCommand } from './errors.js';
import { runCommand, type RunFlags } from './run.js';
import { runValidate } from './validate.js';
import { fuzzCommand, type FuzzFlags } from './fuzz.js';
import { replayTraceCommand } from './replay.js';

const program = new Command();
program
  .name('slipway')
  .description('A container orchestrator built to be tested: its control plane on a deterministic simulation.')
  .version(SLIPWAY_VERSION)
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str) });

program
  .command('run')
  .description('simulate a scenario; writes trace.jsonl, summary.json and report.html to the output folder')
  .argument('<file>', 'scenario YAML')
  .option('--seed <n>', "override the scenario's seed")
  .option('--until <duration>', "stop at this simulated time instead of the scenario's duration (e.g. 30m)")
  .option('--out <dir>', 'output folder (default: reports/<scenario file name>)')
  .option('--json', 'print the summary as JSON instead of text')
  .option('--check-determinism', 'run it again in a fresh worker thread and compare the traces')
  .action(async (file: string, flags: RunFlags) => {
    let context: (() => string) | undefined;
    await guardCommand(
      () => runCommand(file, flags, (c) => (context = c)),
      () => (context ? context() : ''),
    );
  });

program
  .command('validate')
  .description('check a scenario file; prints one line per problem as FILE:LINE:COL: message')
  .argument('<file>', 'scenario YAML')
  .action(async (file: string) => {
    await guardCommand(() => runValidate(file));
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
