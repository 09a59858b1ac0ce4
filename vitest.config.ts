import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Live tests share the two Docker engines (and remove each other's orphans): one file at a time.
    fileParallelism: process.env.SLIPWAY_LIVE !== '1',
  },
});
