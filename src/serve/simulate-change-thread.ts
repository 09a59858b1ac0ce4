/**
 * simulate_change off the caller's thread (what the daemon uses): the simulation runs in a worker
 * thread, so the daemon's own timers and clock keep working while it runs.
 */
import { siblingModule } from '../module-url.js';
import { startWorker } from '../pool/start-worker.js';
import { InputError } from '../core/errors.js';
import type { ClusterSnapshot, SimulateChangeOptions, SimulateRequest, SimulateResult } from './simulate-change.js';

/** Like `simulateChange`, in a fresh worker thread; a bad request rejects with InputError. */
export async function simulateChangeInWorker(snapshot: ClusterSnapshot, request: SimulateRequest, options: SimulateChangeOptions): Promise<SimulateResult> {
  const worker = startWorker(siblingModule('simulate-change-worker', import.meta.url), { snapshot, request, options });
  try {
    const msg = await new Promise<{ result?: SimulateResult; inputError?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`simulate_change worker exited with code ${code}`)));
    });
    if (msg.inputError !== undefined) throw new InputError(msg.inputError);
    return msg.result!;
  } finally {
    await worker.terminate();
  }
}
