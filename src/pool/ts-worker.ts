/** Starting a worker thread that runs a TypeScript module (see worker-bootstrap.js). */
import { Worker } from 'node:worker_threads';

/** A worker running `entry` (a URL of a .ts module); `data` is merged into its `workerData`. */
export function tsWorker(entry: URL, data: Record<string, unknown> = {}): Worker {
  return new Worker(new URL('./worker-bootstrap.js', import.meta.url), { workerData: { ...data, entry: entry.href } });
}
