/**
 * `slipway serve`: runs the daemon until SIGTERM or SIGINT, then stops gracefully (in-flight
 * requests finish, state is written, workload containers keep running) and exits 0.
 * `slipway config print`: the effective configuration and where each value came from.
 *
 * The daemon (or etcd replica) runs on a worker thread (src/cli/serve-thread.ts) whose young
 * generation is SERVE_YOUNG_GENERATION_MB; the main thread keeps the process: its pid, the
 * signals and the exit code.
 */
import { EventEmitter } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { loadConfig, formatConfig, configKeyDocs, type ConfigFlags } from '../serve/config.js';
import { InputError, OutputError } from '../core/errors.js';
import { siblingModule } from '../module-url.js';
import { profilerFlags, startWorker } from '../pool/start-worker.js';
import { EXIT_OK } from './errors.js';
import { watchSignals, type SignalWatch } from './signals.js';
import type { ServeThreadData, ServeThreadReply, ServeThreadRequest } from './serve-thread.js';

/**
 * The daemon thread's young generation (V8's `maxYoungGenerationSizeMb`: three semi-spaces, so
 * 32 MB is about `--max-semi-space-size=10`; Node's default lets it grow to 48 MB). Session 13 chose
 * 12 MB for 2-second phases (shorter scavenges: creates at 500/s p99 median 9.9 ms against 14.4 ms
 * with the default); held a minute at 500 updates/s, 12 MB scavenged 50 times a second (10 % of the
 * minute) and the control plane kept up with less room: p99 median 46 ms over 9 runs against 36 ms
 * over 14 with 32 MB, 2-second phases unchanged; 64 MB was worse (docs/performance.md, "Session 19").
 */
export const SERVE_YOUNG_GENERATION_MB = 32;

/**
 * V8's heap growing factor for the daemon's process, as `--heap-growing-percent`: after each major
 * GC the old generation may grow to (1 + P/100) times what survived it before the next one starts.
 * V8's own factor is at most 4: held at 500 updates/s the daemon promotes ~42 MB/s over ~84 MB that
 * survive, so V8 marked every 6 s (10 times a minute, each ~135 ms of marking steps on the thread
 * the API shares: the minute's slowest seconds, and its p99 over 50 ms in 3 of 14 minutes). With 11
 * it marks every ~20 s and the minute's p99 was 15–28 ms in 10 of 10 (7 gave 16–41 ms in 7;
 * docs/performance.md, "Session 20"). The price is memory: a heap that changes that fast reaches
 * ~11× its live data (~900 MB there) before it is collected; `node --heap-growing-percent=0
 * .../slipway serve` gives V8's own factor back.
 */
export const SERVE_HEAP_GROWING_PERCENT = 1000;

/**
 * V8 flags `slipway serve` sets for its process before the daemon's thread starts (V8's flags are
 * the process's; the thread's heap is made after, with them). No concurrent marking: on 2 cores
 * shared with clients, V8's background marking threads took the core the API needed while a major
 * GC marked, and applies at 500/s had their slowest windows there; marking on the daemon's thread
 * in V8's short incremental steps gave the lower tail (docs/performance.md, "Session 17"). And a
 * heap growing factor of 1 + SERVE_HEAP_GROWING_PERCENT/100 (fewer of those marking windows). The
 * same flag on node's command line wins, each on its own (`node --concurrent-marking
 * --heap-growing-percent=0 .../slipway serve`: 0 is V8's own factor); V8 refuses both in NODE_OPTIONS.
 */
export function serveV8Flags(execArgv: readonly string[]): string[] {
  const given = (name: RegExp) => execArgv.some((a) => name.test(a));
  const flags: string[] = [];
  if (!given(/^--(no-)?concurrent[-_]marking(=|$)/)) flags.push('--no-concurrent-marking');
  if (!given(/^--heap[-_]growing[-_]percent(=|$)/)) flags.push(`--heap-growing-percent=${SERVE_HEAP_GROWING_PERCENT}`);
  return flags;
}

export type ServeFlags = ConfigFlags & { config?: string; force?: boolean };

export async function runServe(flags: ServeFlags): Promise<number> {
  const { config: file, force, ...rest } = flags;
  // Bad configuration is refused here, before a thread starts (one line, exit 2); the thread
  // loads the same configuration again (ServeConfig holds functions: it cannot be posted).
  loadConfig({ ...(file !== undefined ? { file } : {}), flags: rest });
  const data: ServeThreadData = { ...(file !== undefined ? { file } : {}), flags: rest, force: force === true };
  // The handlers go in before the thread starts and before the listening line: a supervisor
  // that sends SIGTERM as soon as it reads that line (a test did, 1 ms later) must get a clean
  // stop, not a death by the signal. A signal during the start stops the daemon once it is up.
  const watch = watchSignals('serve', () => {
    thread.postMessage({ type: 'exit' } satisfies ServeThreadRequest);
    return Promise.race([next('exited'), died]).then(
      () => {},
      () => {},
    );
  });
  for (const f of serveV8Flags(process.execArgv)) setFlagsFromString(f);
  const thread = startWorker(siblingModule('serve-thread', import.meta.url), { ...data }, { resourceLimits: { maxYoungGenerationSizeMb: SERVE_YOUNG_GENERATION_MB }, execArgv: profilerFlags(process.execArgv) });
  const replies = new EventEmitter();
  let ended: ((e: Error) => void) | undefined;
  const died = new Promise<never>((_, reject) => (ended = reject));
  died.catch(() => {});
  thread.on('message', (m: ServeThreadReply) => replies.emit(m.type, m));
  thread.on('error', (e) => ended!(e));
  thread.on('exit', (code) => ended!(new Error(`the daemon's thread ended (code ${code})`)));
  const next = <T extends ServeThreadReply['type']>(...types: T[]): Promise<Extract<ServeThreadReply, { type: T }>> =>
    Promise.race([died, new Promise<Extract<ServeThreadReply, { type: T }>>((resolve) => types.forEach((t) => replies.once(t, resolve)))]);

  const first = await next('ready', 'failed');
  if (first.type === 'failed') {
    await thread.terminate();
    throw first.kind === 'input' ? new InputError(first.message) : first.kind === 'output' ? new OutputError(first.message) : Object.assign(new Error(first.message), { name: first.name, stack: first.stack });
  }
  process.stderr.write(`${first.line}\n`);
  await untilSignal(
    async () => {
      thread.postMessage({ type: 'stop' } satisfies ServeThreadRequest);
      await next('stopped');
      // terminate() delivers everything the thread wrote before it ends.
      await thread.terminate();
    },
    { watch, ended: died },
  );
  return EXIT_OK;
}

/**
 * Waits for SIGTERM or SIGINT (on `watch`, else on handlers installed now), then runs `close`; a
 * second signal exits at once (src/cli/signals.ts). `ended` rejects when the daemon dies by
 * itself: then this rejects too (exit 1 with its message).
 * The handlers stay installed until the process exits: removing them inside the handler left
 * write-file-atomic's signal-exit as the only SIGTERM listener whenever a state write was in
 * flight, and signal-exit then re-raised the signal, so the daemon died by SIGTERM instead of
 * stopping cleanly with exit 0.
 */
export async function untilSignal(close: () => Promise<void>, o: { watch?: SignalWatch; ended?: Promise<never> } = {}): Promise<void> {
  const watch = o.watch ?? watchSignals('serve');
  const signalled = new Promise<void>((resolve) => (watch.signal.aborted ? resolve() : watch.signal.addEventListener('abort', () => resolve(), { once: true })));
  await (o.ended !== undefined ? Promise.race([signalled, o.ended]) : signalled);
  process.stderr.write(`slipway serve: ${watch.received}: stopping (workload containers keep running)\n`);
  await close();
  process.stderr.write('slipway serve: stopped\n');
}

export function runConfigPrint(flags: ServeFlags & { json?: boolean; keys?: boolean }): number {
  if (flags.keys) {
    for (const k of configKeyDocs()) process.stdout.write(`${k.key}${k.env ? `  (${k.env}${k.flag ? `, ${k.flag}` : ''})` : ''}${k.default !== undefined ? `  default ${k.default}` : ''}\n    ${k.doc}\n`);
    return EXIT_OK;
  }
  const { config: file, json, keys: _k, force: _f, ...rest } = flags;
  const config = loadConfig({ ...(file !== undefined ? { file } : {}), flags: rest });
  if (json) {
    const { cluster, sources, token, ...values } = config;
    process.stdout.write(JSON.stringify({ ...values, ...(token !== undefined ? { token: '(set, hidden)' } : {}), cluster: cluster.raw, sources }, null, 2) + '\n');
  } else process.stdout.write(formatConfig(config));
  return EXIT_OK;
}
