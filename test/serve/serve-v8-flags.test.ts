/**
 * `slipway serve` sets two V8 flags for its process before the daemon's thread starts
 * (src/cli/serve.ts, docs/performance.md "Session 17" and "Session 20"): concurrent marking off and
 * a heap growing factor of 1 + SERVE_HEAP_GROWING_PERCENT/100, each unless the operator gave that
 * flag on node's command line (V8 refuses both in NODE_OPTIONS).
 */
import { expect, it } from 'vitest';
import { SERVE_HEAP_GROWING_PERCENT, serveV8Flags } from '../../src/cli/serve.js';

const growing = `--heap-growing-percent=${SERVE_HEAP_GROWING_PERCENT}`;

it('turns concurrent marking off by default; a concurrent-marking flag the operator gives wins, either spelling', () => {
  expect(serveV8Flags([])).toEqual(['--no-concurrent-marking', growing]);
  expect(serveV8Flags(['--enable-source-maps', '--max-old-space-size=4096'])).toEqual(['--no-concurrent-marking', growing]);
  // Another flag that merely starts with the name is not this one.
  expect(serveV8Flags(['--concurrent-marking-max-worker-num=1'])).toEqual(['--no-concurrent-marking', growing]);
  expect(serveV8Flags(['--max-old-space-size=4096', '--concurrent-marking'])).toEqual([growing]);
  expect(serveV8Flags(['--concurrent_marking'])).toEqual([growing]);
  expect(serveV8Flags(['--no-concurrent-marking'])).toEqual([growing]);
});

it("grows the heap by SERVE_HEAP_GROWING_PERCENT between major GCs unless the operator names a factor (0: V8's own)", () => {
  expect(SERVE_HEAP_GROWING_PERCENT).toBeGreaterThan(300); // above V8's own maximum factor of 4
  expect(serveV8Flags(['--heap-growing-percent=0'])).toEqual(['--no-concurrent-marking']);
  expect(serveV8Flags(['--heap_growing_percent=200', '--concurrent-marking'])).toEqual([]);
  expect(serveV8Flags(['--heap-growing-percent', '150'])).toEqual(['--no-concurrent-marking']);
});
