// Worker thread entry: registers tsx (TypeScript sources run directly), then loads the worker.
// Plain JavaScript because Node 20 does not apply `--import` loaders to a worker's first module.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
