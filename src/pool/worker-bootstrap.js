// Entry of Slipway's worker threads. workerData.entry is the URL of the module the worker runs.
// From the compiled output (dist/) that is a .js file, imported as it is. From the sources it is
// a .ts file: on Node 20, `new Worker('x.ts', { execArgv: ['--import', 'tsx'] })` fails with
// "Unknown file extension .ts" (the loader hooks are not in place when the entry is resolved),
// so the worker registers tsx here first, like bin/slipway.js does.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
