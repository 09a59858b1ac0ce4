import { InputError, InterruptedError, OutputError, signalExitCode } from '../core/errors.js';

/** Exit codes: 0 all expectations hold, 1 an expectation (or the run) failed, 2 bad input. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/**
 * Runs a command body; bad input prints its one-line message and exits 2, anything else is a
 * failure of the run (exit 1) reported with `context` (seed and replay command).
 */
export async function guardCommand(body: () => Promise<number> | number, context?: () => string): Promise<never> {
  let code: number;
  try {
    code = await body();
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`${e.message}\n`);
      code = EXIT_BAD_INPUT;
    } else if (e instanceof InterruptedError) {
      process.stderr.write(`${e.message}\n`);
      code = signalExitCode(e.signal);
    } else if (e instanceof OutputError) {
      // The run itself was fine: writing its outputs failed (full disk, I/O error). No replay line.
      process.stderr.write(`${e.message}\n`);
      code = EXIT_FAILED;
    } else {
      const msg = e instanceof Error ? (process.env.SLIPWAY_DEBUG ? e.stack ?? e.message : e.name === 'Error' ? e.message : `${e.name}: ${e.message}`) : String(e);
      process.stderr.write(`error: ${msg}\n${context ? context() + '\n' : ''}`);
      code = EXIT_FAILED;
    }
  }
  // process.exit drops what a pipe has not taken yet (a 1,213-node explain table is > 64 KB):
  // wait until both streams have flushed everything written before.
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((resolve) => s.write('', () => resolve()))));
  process.exit(code);
}

/**
 * guardCommand for commands whose failures can be replayed (run, compare, experiment, replay):
 * the body calls `setContext` once it knows the seed and the command that reproduces the run, and
 * a failure (exit 1) prints that context under the error line.
 */
export async function guardReplayable(body: (setContext: (context: () => string) => void) => Promise<number> | number): Promise<never> {
  let context: (() => string) | undefined;
  return guardCommand(
    () => body((c) => (context = c)),
    () => (context ? context() : ''),
  );
}
