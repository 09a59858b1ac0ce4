/**
 * Which test files are live: they use the machine's shared live resources (the two Docker engines
 * and whatever any of their tests leaves on them, runc state and CNI bridges and network
 * namespaces, the CI etcd cluster, Redis, Serf agents, Chromium), or change what they do under
 * SLIPWAY_LIVE=1. vitest.config.ts runs these one at a time after every other file (the `live`
 * project); the rest run in parallel (the `unit` project). test/live-files.test.ts fails when a file
 * outside this list reaches a live resource, so a new live test cannot silently run concurrently.
 *
 * An entry ending in `/` is a folder (every `*.test.ts` under it); any other is one file.
 */
export const LIVE_TEST_FILES: readonly string[] = [
  // Docker engines, runc, CNI bridges and netns, Serf agents, ha-etcd's own etcd
  'test/live/',
  // the runtime contract on docker and oci (the sim cases run here too)
  'test/contract/',
  // Chromium through playwright-core (required, never skipped, under SLIPWAY_LIVE=1)
  'test/browser/',
  // `<!-- runnable: live -->` blocks run on the engines
  'test/docs-runnable.test.ts',
  // starts daemons on runc
  'test/serve/serve-engine-lock.test.ts',
  // the CI etcd cluster (scripts/start-etcd.sh --members 3)
  'test/store/etcd-kv.test.ts',
  'test/store/etcd-serve-store.test.ts',
  // an etcd of its own with TLS (scripts/start-etcd.sh)
  'test/store/etcd-tls.test.ts',
  // the CI Redis (scripts/start-redis.sh)
  'test/sweep/queue.test.ts',
];

/** Whether `file` (a path relative to the repository, with `/`) is in {@link LIVE_TEST_FILES}. */
export function isLiveTestFile(file: string): boolean {
  return LIVE_TEST_FILES.some((e) => (e.endsWith('/') ? file.startsWith(e) : file === e));
}

/** {@link LIVE_TEST_FILES} as vitest include globs. */
export function liveTestGlobs(): string[] {
  return LIVE_TEST_FILES.map((e) => (e.endsWith('/') ? `${e}**/*.test.ts` : e));
}
