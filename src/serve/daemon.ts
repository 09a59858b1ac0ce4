/**
 * `slipway serve`: the Orchestrator as a long-running service. Builds the backend (sim, docker or
 * oci), the durable store, the event log and the HTTP API, starts the control plane (adopting
 * running containers on live backends) and listens.
 *
 * Stopping (`close`, or SIGTERM/SIGINT in the CLI): stop accepting connections, end watch
 * streams, let in-flight requests finish, write the state, stop the control plane's timers —
 * and leave every workload container running (a restarted daemon adopts them).
 */
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { getRequestListener, type ServerType } from '@hono/node-server';
import { acquireAll, fileLock, newOwner } from '../../backends/live/engine-lock.js';
import { InputError } from '../core/errors.js';
import { unreadable } from '../core/read-failure.js';
import { Orchestrator } from '../core/orchestrator.js';
import { reconcile } from '../core/reconciler.js';
import { clusterObjectsOf, orchestratorConfig, toWorkload } from '../run/simulate.js';
import { createScheduler } from '../scheduler/registry.js';
import { createApi, type ApiApp } from './api/app.js';
import { createFastApply } from './api/fast-apply.js';
import { createFastReads, type FastReads } from './api/fast-reads.js';
import { API_SHARE, createServeRuntime, type ServeRuntime } from './backend.js';
import { clusterScenario } from './cluster-spec.js';
import { isLoopback, parseListen, type ServeConfig } from './config.js';
import { ClusterControl } from './control.js';
import { storeEventLog } from './events.js';
import { ServeMetrics } from './metrics.js';
import { ServeStore, type DaemonStore } from './serve-store.js';
import { bearerChecker, resolveToken, type TokenSource } from './token.js';

export interface Daemon {
  /** `http://127.0.0.1:PORT` (or https://). */
  readonly url: string;
  readonly control: ClusterControl;
  readonly app: ApiApp;
  readonly token: TokenSource;
  readonly backend: ServeRuntime;
  /** Graceful stop (see the module comment). Idempotent. */
  close(): Promise<void>;
}

export interface DaemonOptions {
  /** One line per notice (warnings, the listening address); default stderr. */
  readonly log?: (line: string) => void;
  /**
   * docker/oci: break another Slipway's lock on the engines (`--force`: its owner is gone), as
   * `slipway run --force` does. Without it a lock held by a live process refuses the start.
   */
  readonly force?: boolean;
}

/**
 * Work per reconcile pass (OrchestratorConfig.reconcileBudget): about three new 10-replica
 * workloads (each 1 + 10 creations), or 32 workloads with nothing to do. A pass over more stops
 * there, or once it has run API_SHARE.sliceMs of wall time (`reconcileSliceMs`: placing one
 * 10-replica workload on 200 nodes takes 3–6 ms), and continues 1 ms (virtual) later, after the
 * engine's drain has let the HTTP server answer what arrived meanwhile: requests wait for a few
 * milliseconds of control-plane work, not for a pass over every workload applied since the last
 * one (docs/performance.md).
 */
export const RECONCILE_BUDGET = 32;

/** Nodes the scheduler re-reads per step of idle time (ServeRuntime.start). */
const IDLE_REFRESH_NODES = 4;

/** Checks the security rules before anything starts. Throws InputError. */
function checkExposure(config: ServeConfig, host: string, log: (l: string) => void): void {
  if (isLoopback(host)) return;
  if (config.token === undefined) {
    throw new InputError(`--listen ${config.listen}: listening beyond loopback needs a token given explicitly (token in the config or SLIPWAY_TOKEN), so clients elsewhere can be handed it`);
  }
  if (!config.tls) log(`warning: listening on ${config.listen} without TLS: the token and all traffic cross the network in clear text (set tls.cert and tls.key)`);
}

/** The control plane of one daemon (or of the leading replica), behind its HTTP app. */
export interface ControlPlane {
  readonly control: ClusterControl;
  readonly app: ApiApp;
  readonly backend: ServeRuntime;
  readonly orchestrator: Orchestrator;
  readonly metrics: ServeMetrics;
  /** The hot routes answered before the Hono app: GETs (api/fast-reads.ts) and applies (api/fast-apply.ts). */
  readonly fastReads: FastReads;
  /** Ends watch streams (before the server waits for in-flight requests). */
  endStreams(): void;
  /** Ends watch streams, stops the orchestrator's timers and the backend (containers keep running). */
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  readonly log: (line: string) => void;
  readonly token: string;
  readonly address: () => string;
  readonly selfUrl: () => string;
  /** Replicas on etcd: this replica's role and the leader (readyz, metrics). */
  readonly role?: () => { role: 'leader' | 'follower'; leader: string };
  /** Wraps the container runtime the orchestrator acts through (replicas: act only while leading). */
  readonly guardRuntime?: (runtime: ServeRuntime['runtime']) => ServeRuntime['runtime'];
  /** docker/oci: break another Slipway's engine lock (`serve --force`; replicas: a deposed leader's). */
  readonly forceLocks?: boolean;
  /** Every control-plane record goes to the store (`noteRecord`, else marks it dirty): a KV store keeps observed state too. */
  readonly persistRecords?: boolean;
  readonly whatIfDir: string;
}

/**
 * Builds the control plane on `store` and starts it (adopting running containers on live
 * backends, then reconciling: in-flight rollouts continue from what the containers say).
 */
export async function startControlPlane(config: ServeConfig, store: DaemonStore, o: ControlPlaneOptions): Promise<ControlPlane> {
  const scenario = clusterScenario(config);
  const errors = (e: unknown) => o.log(`slipway serve: control plane error: ${e instanceof Error ? e.message : String(e)}`);
  const backend = createServeRuntime(config.backend, scenario, config.speed, errors, { identity: config.identity });
  // docker/oci: one controller per cluster identity on the engines, the same locks `slipway run`
  // takes (backends/live/engine-lock.ts), before anything is adopted or removed.
  let releaseLocks = async (): Promise<void> => {};
  if (backend.live) {
    try {
      releaseLocks = await acquireAll(backend.live.locks, newOwner(config.identity, `slipway serve${config.cluster.file !== undefined ? ` --config ${config.cluster.file}` : ''} (state ${config.state})`), {
        ...(o.forceLocks ? { force: true } : {}),
        notice: o.log,
        taker: 'Slipway',
        remedy: 'stop it first, or, if that process is gone, break its lock with slipway serve --force',
      });
    } catch (e) {
      await backend.close();
      throw e;
    }
  }
  const events = storeEventLog(store, () => backend.clock.now(), config.eventsRetained);
  const role = o.role ?? (() => ({ role: 'leader' as const, leader: o.selfUrl() }));
  const metrics: ServeMetrics = new ServeMetrics(() => store.listInstances().filter((i) => i.status === 'Pending' && i.stopRequestedAt === undefined).length, role, () => backend.lagMs?.() ?? 0);
  // Only a scheduling record needs its instance (its creation time): skip the lookup for the rest.
  events.tap((type, f) => metrics.onRecord(type, type === 'instance.scheduled' && typeof f.instance === 'string' ? store.getInstance(f.instance) : undefined, backend.clock.now()));
  if (o.persistRecords) events.tap((_, f) => (store.noteRecord ? store.noteRecord(f) : store.markDirty()));

  const scheduler = createScheduler(scenario.scheduler.name, {
    ...(scenario.scheduler.profile ? { profile: scenario.scheduler.profile } : {}),
    workloads: store.listWorkloads().length > 0 ? [...store.listWorkloads()] : scenario.workloads.map(toWorkload),
    cluster: clusterObjectsOf(scenario),
  });
  const orchestrator: Orchestrator = new Orchestrator({
    clock: backend.clock,
    runtime: o.guardRuntime ? o.guardRuntime(backend.runtime) : backend.runtime,
    cluster: backend.cluster,
    scheduler,
    store,
    ids: backend.ids,
    recorder: events,
    config: { ...orchestratorConfig(scenario), reconcileBudget: RECONCILE_BUDGET, reconcileSliceMs: API_SHARE.sliceMs },
    wallMs: () => performance.now(),
    yieldToHost: () => new Promise<void>((resolve) => setImmediate(resolve)),
    onError: errors,
    reconcile: metrics.countingReconcile(reconcile),
  });
  metrics.passes = () => orchestrator.reconcilePasses;
  const control: ClusterControl = new ClusterControl({ orchestrator, store, events, backend, scenario, address: o.address, ...(o.role ? { role: o.role } : {}) });
  const shutdown = new AbortController();
  const app = createApi({ control, metrics, persist: () => store.flush(), shutdown: shutdown.signal }, { token: o.token, bodyLimit: config.bodyLimit, whatIfDir: o.whatIfDir, selfUrl: o.selfUrl });

  try {
    // Idle time (sim): the scheduler re-reads nodes whose instances changed, a few at a time, so
    // the first scheduling after a burst of changes (10,000 instances starting) does not do it all
    // in one pass that stalls requests (docs/performance.md).
    backend.start(
      () => orchestrator.refreshScheduler(IDLE_REFRESH_NODES) > 0,
      store.inFlight ? () => store.inFlight!() : undefined,
    );
    await orchestrator.start({ adopt: backend.adopt });
    control.restoreCordons();
    control.markStarted();
  } catch (e) {
    // Nothing was adopted for good or left behind: the next start must not find our locks.
    orchestrator.shutdown();
    await backend.close();
    await releaseLocks();
    throw e;
  }
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      shutdown.abort();
      orchestrator.shutdown();
      await backend.close();
      await releaseLocks();
    })());
  const authorized = bearerChecker(o.token);
  const reads = createFastReads({ control, metrics, authorized });
  const apply = createFastApply({ control, metrics, authorized, persist: () => store.flush(), bodyLimit: config.bodyLimit, app });
  const fastReads: FastReads = (req, res) => {
    backend.noteRequest?.();
    // Every request passes here first (listenOn): counted in flight until answered.
    metrics.requestStarted(res);
    return reads(req, res) || apply(req, res);
  };
  return { control, app, backend, orchestrator, metrics, fastReads, endStreams: () => shutdown.abort(), stop };
}

export async function startDaemon(config: ServeConfig, options: DaemonOptions = {}): Promise<Daemon> {
  const log = options.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const listen = parseListen(config.listen)!;
  checkExposure(config, listen.host, log);
  const tls = config.tls ? readTls(config.tls) : undefined;
  const token = resolveToken(config.token, config.state);
  const releaseState = await lockStateDir(config, log, options.force === true);
  let address = config.listen;
  let selfUrl = `http://${config.listen}`;
  let store: ServeStore | undefined;
  let cp: ControlPlane | undefined;
  let server: ServerType;
  try {
    store = new ServeStore(join(config.state, 'state.json'));
    cp = await startControlPlane(config, store, { log, token: token.token, address: () => address, selfUrl: () => selfUrl, whatIfDir: join(config.state, 'what-if'), ...(options.force ? { forceLocks: true } : {}) });
    server = await listenOn(config, listen, tls, cp.app.fetch, cp.fastReads);
  } catch (e) {
    await cp?.stop();
    store?.close();
    await releaseState();
    throw e;
  }
  const { app, control, backend } = cp;
  const openStore = store;
  const port = (server.address() as AddressInfo).port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  address = `${host}:${port}`;
  const url = `${tls ? 'https' : 'http'}://${address}`;
  selfUrl = url;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await closeServer(server, () => cp.endStreams());
      await cp.stop();
      await openStore.flush().catch(() => {});
      openStore.saveNow();
      openStore.close();
      await releaseState();
    })());

  return { url, control, app, token, backend, close };
}

/**
 * One daemon per state directory. Two daemons on one directory both read it at start and then
 * interleave their commits into one journal and snapshot: each loses the other's acknowledged
 * applies, and revisions repeat. The lock is a file created exclusively in the directory, naming
 * its owner (pid, host, start time); a lock whose owner is gone (kill -9) is broken with a notice,
 * and `--force` breaks any (backends/live/engine-lock.ts, the engines' locks). Returns its release.
 */
export async function lockStateDir(config: ServeConfig, log: (line: string) => void, force: boolean): Promise<() => Promise<void>> {
  const owner = newOwner(config.identity, `slipway serve (state ${config.state})`);
  return acquireAll([fileLock(config.state, `state directory ${config.state}`, STATE_LOCK)], owner, {
    force,
    notice: log,
    taker: 'slipway serve',
    remedy: 'stop that daemon first, or give this one another --state; if it is gone, break its lock with --force',
  });
}

/** The state directory's lock file: `slipway-lock-serve-state-<hash>.json`. */
const STATE_LOCK = 'serve-state';

/**
 * Listens (HTTP or HTTPS) with `fetch` (through @hono/node-server's adapter); `fast`, when given,
 * sees each request first and answers the ones it can (api/fast-reads.ts). Bad addresses are
 * InputError.
 */
export async function listenOn(config: ServeConfig, listen: { host: string; port: number }, tls: { cert: Buffer; key: Buffer } | undefined, fetch: (req: Request) => Response | Promise<Response>, fast?: FastReads): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const adapter = getRequestListener(fetch, { hostname: listen.host });
    const listener = (req: IncomingMessage, res: ServerResponse): void => {
      if (fast?.(req, res)) return;
      void adapter(req, res);
    };
    const s: ServerType = tls ? createHttpsServer(tls, listener) : createHttpServer(listener);
    s.listen(listen.port, listen.host, () => resolve(s));
    s.once('error', (e: NodeJS.ErrnoException) => reject(new InputError(`--listen ${config.listen}: ${e.code === 'EADDRINUSE' ? 'the address is in use' : e.code === 'EADDRNOTAVAIL' ? 'no such address on this machine' : e.code === 'EACCES' ? 'permission denied' : e.message}`)));
  });
}

/**
 * Stops accepting connections and waits for in-flight requests; `beforeWait` runs first (it ends
 * watch streams, which would otherwise hold the server open).
 */
export async function closeServer(server: ServerType, beforeWait: () => unknown): Promise<void> {
  beforeWait();
  await new Promise<void>((resolve) => {
    // Idle keep-alive connections would hold close() open (up to the keep-alive timeout); busy
    // ones finish their request first, then become idle and are closed on the next sweep.
    const idle = () => (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
    const sweep = setInterval(idle, 20);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    idle();
  });
}

function readTls(t: { cert: string; key: string }): { cert: Buffer; key: Buffer } {
  const read = (path: string) => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw unreadable(path, e);
    }
  };
  return { cert: read(t.cert), key: read(t.key) };
}
