/**
 * The thread `slipway serve` runs its daemon (or etcd replica) on: src/cli/serve.ts starts it
 * with a young generation of SERVE_YOUNG_GENERATION_MB (docs/performance.md, "Session 13"), which
 * the main thread's heap cannot be given once the process runs. The main thread keeps the process
 * (its pid, signals, exit code); this thread keeps everything else: the HTTP server, the control
 * plane, the store.
 *
 * Messages from the main thread: `stop` (first signal: close gracefully, then reply `stopped`),
 * `exit` (second signal: remove temporaries, reply `exited`). To it: `ready` with the URL and
 * token note, or `failed` with the error (its kind, so bad input still exits 2 with one line).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig, parseEtcdState, type ConfigFlags } from '../serve/config.js';
import { InputError, OutputError } from '../core/errors.js';
import { removeTemporaries } from '../engine/durable-file.js';

export interface ServeThreadData {
  readonly file?: string;
  readonly flags: ConfigFlags;
  readonly force: boolean;
}

export type ServeThreadReply =
  | { readonly type: 'ready'; readonly line: string }
  | { readonly type: 'failed'; readonly kind: 'input' | 'output' | 'other'; readonly name: string; readonly message: string; readonly stack?: string }
  | { readonly type: 'stopped' }
  | { readonly type: 'exited' };

export type ServeThreadRequest = { readonly type: 'stop' } | { readonly type: 'exit' };

const port = parentPort!;
const data = workerData as ServeThreadData;
const send = (m: ServeThreadReply) => port.postMessage(m);

try {
  const config = loadConfig({ ...(data.file !== undefined ? { file: data.file } : {}), flags: data.flags });
  let close: () => Promise<void>;
  let line: string;
  if (parseEtcdState(config.state) !== undefined) {
    const { startReplica } = await import('../serve/replica.js');
    const replica = await startReplica(config);
    close = () => replica.close();
    line = `slipway serve: replica listening on ${replica.url} (backend ${config.backend}, state ${config.state}, lease TTL ${config.leaseTtl}s)`;
  } else {
    const { startDaemon } = await import('../serve/daemon.js');
    const daemon = await startDaemon(config, data.force ? { force: true } : {});
    close = () => daemon.close();
    const tokenNote =
      daemon.token.origin === 'generated' ? `token generated into ${daemon.token.path} (mode 0600)` : daemon.token.origin === 'file' ? `token from ${daemon.token.path}` : 'token from the configuration';
    line = `slipway serve: listening on ${daemon.url} (backend ${config.backend}${config.backend === 'sim' ? ` ×${config.speed}` : ''}, state ${config.state}); ${tokenNote}`;
  }
  port.on('message', (m: ServeThreadRequest) => {
    if (m.type === 'stop') void close().then(() => send({ type: 'stopped' }));
    else if (m.type === 'exit') {
      removeTemporaries();
      send({ type: 'exited' });
    }
  });
  send({ type: 'ready', line });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  const kind = e instanceof InputError ? 'input' : e instanceof OutputError ? 'output' : 'other';
  send({ type: 'failed', kind, name: err.name, message: err.message, ...(err.stack !== undefined ? { stack: err.stack } : {}) });
  port.close();
}
