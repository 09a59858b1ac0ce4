#!/usr/bin/env node
// Entry point for `slipway`. Runs the compiled JavaScript in dist/ (built by `npm install`,
// `npm ci` or `npm run build`) when it was built from the sources as they are now. Otherwise (a
// source edited since the last build, or no build) it runs the TypeScript sources through tsx:
// slower to start, never stale. SLIPWAY_FROM_SOURCE=1 forces the sources.
import { distState } from './dist-stamp.js';

const state = process.env.SLIPWAY_FROM_SOURCE === '1' ? 'forced' : distState();
if (state === 'current') {
  await import('../dist/src/cli/main.js');
} else {
  if (state !== 'forced' && process.stderr.isTTY) {
    process.stderr.write(`slipway: dist/ is ${state === 'stale' ? 'older than the sources' : 'not built'}; running the sources (slower start; npm run build)\n`);
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
