// Entry of Slipway's worker threads. On Node 20, `new Worker('x.ts', { execArgv: ['--import', 'tsx'] })`
// fails with "Unknown file extension .ts" (the loader hooks are not in place when the entry is
// resolved), so workers start here, register tsx like bin/slipway.js, then import the TypeScript
// entry named in workerData.entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
