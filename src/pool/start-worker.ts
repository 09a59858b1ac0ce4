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
 * `resourceLimits` sizes its heap (`slipway serve`: a smaller young generation); `execArgv` gives
 * it Node options (`slipway serve`: the profiler's, see `profilerFlags`).
 */
export function startWorker(entry: URL, data: Record<string, unknown> = {}, options: { resourceLimits?: ResourceLimits; execArgv?: string[] } = {}): Worker {
  return new Worker(new URL('./worker-bootstrap.js', import.meta.url), { workerData: { ...data, entry: entry.href }, execArgv: [], ...options });
}

/**
 * The profiler options among `argv` (`--cpu-prof`, `--cpu-prof-dir DIR`, `--heap-prof`, ...), for a
 * worker that should be profiled as the process is: `node --cpu-prof slipway serve` (bench api
 * --cpu-profile) profiles the daemon's thread, not only the main thread that waits for signals.
 */
export function profilerFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!/^--(cpu|heap)-prof(-|$)/.test(a)) continue;
    out.push(a);
    if (/^--(cpu|heap)-prof-(dir|name|interval)$/.test(a) && i + 1 < argv.length) out.push(argv[++i]);
  }
  return out;
}
