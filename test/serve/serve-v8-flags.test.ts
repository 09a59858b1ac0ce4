/**
 * `slipway serve` turns V8's concurrent marking off for its process before the daemon's thread
 * starts (src/cli/serve.ts, docs/performance.md "Session 17"), unless the operator said otherwise
 * on node's command line (V8 refuses the flag in NODE_OPTIONS).
 */
import { expect, it } from 'vitest';
import { serveV8Flags } from '../../src/cli/serve.js';

it('turns concurrent marking off by default; a concurrent-marking flag the operator gives wins, either spelling', () => {
  expect(serveV8Flags([])).toEqual(['--no-concurrent-marking']);
  expect(serveV8Flags(['--enable-source-maps', '--max-old-space-size=4096'])).toEqual(['--no-concurrent-marking']);
  // Another flag that merely starts with the name is not this one.
  expect(serveV8Flags(['--concurrent-marking-max-worker-num=1'])).toEqual(['--no-concurrent-marking']);
  expect(serveV8Flags(['--max-old-space-size=4096', '--concurrent-marking'])).toEqual([]);
  expect(serveV8Flags(['--concurrent_marking'])).toEqual([]);
  expect(serveV8Flags(['--no-concurrent-marking'])).toEqual([]);
});
