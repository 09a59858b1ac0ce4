/**
 * The one way Slipway starts a worker thread on one of its modules. Every worker starts on
 * worker-bootstrap.js beside this file, which imports the entry named in `workerData.entry`:
 * from the compiled output (dist/) that is a .js file, imported as it is; from the sources (tsx,
 * vitest) it is a .ts file, and the bootstrap registers tsx first (on Node 20 a worker cannot
 * start on a .ts file, even with `--import tsx`). Name entries with `siblingModule` so they get
 * the caller's extension.
 *
 * The worker gets no `execArgv` of the parent: loader hooks inherited from a parent started
 * with `--import tsx` can deadlock a worker that loads ES modules.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * A worker running `entry` (a URL from `siblingModule`); `data` is merged into its `workerData`.
 * `resourceLimits` sizes its heap (`slipway serve`: a smaller young generation).
 */
export function startWorker(entry: URL, data: Record<string, unknown> = {}, options: { resourceLimits?: ResourceLimits } = {}): Worker {
  return new Worker(new URL('./worker-bootstrap.js', import.meta.url), { workerData: { ...data, entry: entry.href }, execArgv: [], ...options });
}
