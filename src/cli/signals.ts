/**
 * SIGINT and SIGTERM while a command works (`timeout`, systemd and `docker stop` send SIGTERM).
 * The first signal asks the command to stop cleanly (a simulated run stops and writes nothing; a
 * live run tears down, or with --state persists, and writes its trace so far); a second one forces
 * the exit at once, removing every temporary file first. Exit codes 130 (SIGINT), 143 (SIGTERM).
 *
 * The one signal path of the CLI: `run`, `serve` and every command on the worker pool (compare,
 * fuzz, experiment, sweeps: `withSignals`, whose AbortSignal the pool takes) install these
 * handlers; nothing else in Slipway calls process.on for a signal. A handler never removes
 * listeners: write-file-atomic's signal-exit re-raises a signal when it finds itself the only
 * listener, so removing ours inside the handler, while a write is in flight, killed the process
 * by the signal (the CI failure of serve). `dispose` runs after the work, never inside a handler.
 */
import { signalExitCode } from '../core/errors.js';
import { removeTemporaries } from '../engine/durable-file.js';

/** The longest a forced exit waits for `beforeForcedExit`. */
export const FORCED_EXIT_WAIT_MS = 1000;

export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface SignalWatch {
  /** Aborted, with the signal's name as its reason, at the first signal. */
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  readonly received: StopSignal | undefined;
  /** Removes the handlers (the default behaviour comes back). */
  dispose(): void;
}

/**
 * Installs the handlers; `what` names the work in the line printed at the first signal.
 * `beforeForcedExit` runs at the second signal, before the exit, for at most FORCED_EXIT_WAIT_MS
 * (`slipway serve`: its thread removes the temporaries it registered).
 */
export function watchSignals(what: string, beforeForcedExit?: () => Promise<void>): SignalWatch {
  const controller = new AbortController();
  let received: StopSignal | undefined;
  const handler = (sig: StopSignal) => {
    if (received === undefined) {
      received = sig;
      process.stderr.write(`${sig}: stopping ${what} (send it again to exit at once)\n`);
      controller.abort(sig);
      return;
    }
    process.stderr.write(`${sig} again: exiting now\n`);
    removeTemporaries();
    const code = signalExitCode(received);
    if (beforeForcedExit === undefined) process.exit(code);
    const wait = setTimeout(() => process.exit(code), FORCED_EXIT_WAIT_MS);
    void beforeForcedExit().finally(() => {
      clearTimeout(wait);
      process.exit(code);
    });
  };
  const onInt = () => handler('SIGINT');
  const onTerm = () => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose() {
      process.removeListener('SIGINT', onInt);
      process.removeListener('SIGTERM', onTerm);
    },
  };
}

/**
 * Runs `work` with the handlers installed, handing it their AbortSignal (aborted at the first
 * signal, its reason the signal's name; the worker pool stops on it), and removes them when the
 * work settles. `what` names the work in the line printed at the first signal.
 */
export async function withSignals<T>(what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const watch = watchSignals(what);
  try {
    return await work(watch.signal);
  } finally {
    watch.dispose();
  }
}
