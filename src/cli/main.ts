/**
 * The `slipway` command. One file per sub-command; this file only wires them into commander.
 * Exit codes: 0 success, 1 a failed expectation or run, 2 bad input.
 */
import { Command, CommanderError } from 'commander';
import { SLIPWAY_VERSION } from '../version.js';
import { EXIT_BAD_INPUT, guardCommand } from './errors.js';
import { runCommand, type RunFlags } from './run.js';
import { runValidate } from './validate.js';
import { compareCommand, type CompareFlags } from './compare.js';
import { exportCommand, type ExportFlags } from './export.js';

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
  .option('--scheduler <name>', "use this scheduler (policy) instead of the scenario's")
  .option('--json', 'print the summary as JSON instead of text')
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
  .command('compare')
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
  .command('export')
  .description('convert a trace; --format perfetto writes the Chrome trace event format to stdout')
  .argument('<trace>', 'trace.jsonl written by slipway run')
  .requiredOption('--format <format>', 'output format: perfetto')
  .option('--out <file>', 'write to this file (atomically) instead of stdout')
  .action(async (trace: string, flags: ExportFlags) => {
    await guardCommand(() => exportCommand(trace, flags));
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : EXIT_BAD_INPUT);
  throw e;
}
