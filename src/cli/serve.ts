/**
 * `slipway serve`: runs the daemon until SIGTERM or SIGINT, then stops gracefully (in-flight
 * requests finish, state is written, workload containers keep running) and exits 0.
 * `slipway config print`: the effective configuration and where each value came from.
 */
import { loadConfig, formatConfig, configKeyDocs, parseEtcdState, type ConfigFlags, type ServeConfig } from '../serve/config.js';
import { EXIT_OK } from './errors.js';
import { watchSignals } from './signals.js';

export type ServeFlags = ConfigFlags & { config?: string; force?: boolean };

export async function runServe(flags: ServeFlags): Promise<number> {
  const { config: file, force, ...rest } = flags;
  const config = loadConfig({ ...(file !== undefined ? { file } : {}), flags: rest });
  if (parseEtcdState(config.state) !== undefined) return runReplica(config);
  const { startDaemon } = await import('../serve/daemon.js');
  const daemon = await startDaemon(config, force ? { force: true } : {});
  const tokenNote =
    daemon.token.origin === 'generated' ? `token generated into ${daemon.token.path} (mode 0600)` : daemon.token.origin === 'file' ? `token from ${daemon.token.path}` : 'token from the configuration';
  process.stderr.write(`slipway serve: listening on ${daemon.url} (backend ${config.backend}${config.backend === 'sim' ? ` ×${config.speed}` : ''}, state ${config.state}); ${tokenNote}\n`);
  await untilSignal(() => daemon.close());
  return EXIT_OK;
}

/** One replica on etcd (docs/ha.md). */
async function runReplica(config: ServeConfig): Promise<number> {
  const { startReplica } = await import('../serve/replica.js');
  const replica = await startReplica(config);
  process.stderr.write(`slipway serve: replica listening on ${replica.url} (backend ${config.backend}, state ${config.state}, lease TTL ${config.leaseTtl}s)\n`);
  await untilSignal(() => replica.close());
  return EXIT_OK;
}

/**
 * Waits for SIGTERM or SIGINT, then runs `close`; a second signal exits at once (src/cli/signals.ts).
 * The handlers stay installed until the process exits: removing them inside the handler left
 * write-file-atomic's signal-exit as the only SIGTERM listener whenever a state write was in
 * flight, and signal-exit then re-raised the signal, so the daemon died by SIGTERM instead of
 * stopping cleanly with exit 0.
 */
export async function untilSignal(close: () => Promise<void>): Promise<void> {
  const watch = watchSignals('serve');
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.stderr.write(`slipway serve: ${watch.received}: stopping (workload containers keep running)\n`);
      void close().then(resolve);
    };
    if (watch.signal.aborted) stop();
    else watch.signal.addEventListener('abort', stop, { once: true });
  });
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
