// Worker thread entry: registers tsx (TypeScript sources run directly), then loads the module
// named by `workerData.entry` (a file URL). Plain JavaScript because Node 20 does not apply
// `--import` loaders to a worker's first module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
