/**
 * Worker thread for simulate_change inside a running daemon: a simulation installs the determinism
 * guard (real time and timers throw while it runs), so it cannot share the daemon's thread.
 * workerData: `{ snapshot, request, options }`; posts `{ result }`, or `{ inputError }` for a bad
 * request (anything else is thrown and surfaces as the worker's error).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../core/errors.js';
import { simulateChange, type ClusterSnapshot, type SimulateChangeOptions, type SimulateRequest } from './simulate-change.js';

const d = workerData as { snapshot: ClusterSnapshot; request: SimulateRequest; options: SimulateChangeOptions };
try {
  parentPort!.postMessage({ result: await simulateChange(d.snapshot, d.request, d.options) });
} catch (e) {
  if (!(e instanceof InputError)) throw e;
  parentPort!.postMessage({ inputError: e.message });
}
