import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import { liveTestGlobs } from './test/support/live-files.js';

const LIVE = process.env.SLIPWAY_LIVE === '1';
const LIVE_GLOBS = liveTestGlobs();

export default defineConfig({
  test: {
    // (no include here: a project that extends this config would add its own to it)
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // vitest's default is one worker per core but one: a single worker on a 2-core machine. Most
    // files spend their time waiting for the slipway processes they start, so two at least.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...LIVE_GLOBS] },
      },
      {
        extends: true,
        test: {
          name: 'live',
          include: LIVE_GLOBS,
          // Live files share the Docker engines (a backend's close removes every Slipway container
          // on them), runc and CNI state, etcd, Redis and Serf ports: under SLIPWAY_LIVE=1 one file
          // at a time, after the unit files have finished (a later group), so they never compete
          // with them for the CPU either. Without it they mostly skip and run with the rest.
          ...(LIVE ? { fileParallelism: false, maxWorkers: 1, sequence: { groupOrder: 1 } } : {}),
        },
      },
    ],
  },
});
