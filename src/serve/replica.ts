/**
 * `slipway serve --state etcd://HOST:PORT[,...]`: one of several control-plane replicas sharing
 * their state in etcd (issue #14; docs/ha.md). One leader, chosen by the election in
 * src/store/election.ts (an etcd lease + the leader key, TTL `leaseTtl`), runs the control plane;
 * the others follow.
 *
 * - **Leader.** On winning, it reads the keyspace, builds the control plane on an EtcdServeStore
 *   (every write one fenced transaction), adopts the running containers and reconciles — so a
 *   rollout the previous leader left half done continues. Every action on the cluster (create,
 *   stop, remove a container) first checks that this replica still leads by its own lease clock
 *   (`Election.isLeader`): a leader paused past its lease (SIGSTOP, a GC pause) does nothing when it
 *   wakes up, and its writes are refused by fencing. Deposed, it stops its control plane and
 *   campaigns again as a follower.
 * - **Follower.** It keeps a copy of the keyspace fed by a watch (relisting after a compaction or
 *   a broken watch) and answers `GET /v1/workloads[/NAME]`, `/v1/instances[/ID]`, `/v1/nodes`,
 *   `/v1/endpoints`, `/v1/events` and its SSE watch from it (src/serve/follower-reads.ts);
 *   every other request is redirected to the leader (307, `Location` on the leader) or, while no
 *   leader is known, refused with 503 naming none.
 * - `/readyz` says `role` and `leader` on every replica; `/metrics` has `slipway_leader` and
 *   `slipway_leader_info{leader}`.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { Registry } from 'prom-client';
import { EtcdKv } from '../../backends/store/etcd-kv.js';
import { InputError } from '../core/errors.js';
import { unreadable } from '../core/read-failure.js';
import type { ContainerRuntime } from '../core/interfaces.js';
import type { Instance } from '../core/types.js';
import { WallClock } from '../engine/wall-clock.js';
import { Election, type Term } from '../store/election.js';
import type { ConsistentKv } from '../store/kv.js';
import { problem } from './api/problem.js';
import { etcdScheme, isLoopback, parseEtcdState, parseListen, type ServeConfig } from './config.js';
import { closeServer, listenOn, startControlPlane, type ControlPlane } from './daemon.js';
import { decodeState, EtcdServeStore, KEYSPACE, LEADER_KEY, type ClusterState } from './etcd-serve-store.js';
import { publishForFollowers, type FollowerPublisher } from './follower-publish.js';
import { registerFollowerReads } from './follower-reads.js';
import { registerLeaderGauges } from './metrics.js';
import { bearerChecker } from './token.js';

export interface Replica {
  readonly url: string;
  /** The leader's control plane while this replica leads. */
  readonly leading: () => ControlPlane | undefined;
  readonly role: () => { role: 'leader' | 'follower'; leader: string };
  /** Graceful stop: a leader resigns (revokes its lease) so another takes over at once. */
  close(): Promise<void>;
}

export interface ReplicaOptions {
  readonly log?: (line: string) => void;
}

/** Wait after a failed list or a broken watch before trying again (ms). */
const RELIST_MS = 500;
/** Events the leader keeps in etcd for followers (at most; fewer with a smaller `eventsRetained`). */
const PUBLISHED_EVENTS = 10_000;

/** The keyspace, kept current by a watch: what a follower reads. */
export class KvMirror {
  private readonly entries = new Map<string, { value: string; modRevision: number; createRevision: number; version: number }>();
  revision = 0;
  synced = false;
  lastError: string | undefined;
  private stopWatch: (() => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  /** The decoded state, until the next change. */
  private decoded: ClusterState | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly kv: ConsistentKv,
    private readonly prefix: string,
  ) {}

  start(): void {
    void this.relist();
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
    if (this.timer) clearTimeout(this.timer);
  }

  /** The keyspace decoded (once per change: reads between changes share it). */
  state(): ClusterState {
    return (this.decoded ??= decodeState(
      [...this.entries].map(([key, e]) => ({ key, ...e })),
      this.revision,
    ));
  }

  /** Calls `fn` after every change the watch brings (or a relist); returns the unsubscribe. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    this.decoded = undefined;
    for (const l of [...this.listeners]) l();
  }

  private later(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.relist(), RELIST_MS);
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    this.stopWatch?.();
    try {
      const r = await this.kv.range(this.prefix);
      if (this.stopped) return;
      this.entries.clear();
      for (const e of r.entries) this.entries.set(e.key, { value: e.value, modRevision: e.modRevision, createRevision: e.createRevision, version: e.version });
      this.revision = r.revision;
      this.synced = true;
      this.lastError = undefined;
      this.changed();
      this.stopWatch = this.kv.watch(this.prefix, r.revision + 1, {
        onEvents: (events, revision) => {
          for (const e of events) {
            if (e.type === 'delete') this.entries.delete(e.key);
            else {
              const had = this.entries.get(e.key);
              this.entries.set(e.key, { value: e.value ?? '', modRevision: e.modRevision, createRevision: had?.createRevision ?? e.modRevision, version: (had?.version ?? 0) + 1 });
            }
          }
          this.revision = revision;
          this.changed();
        },
        // Compacted (relist: the full state at a newer revision) or broken: list again.
        onError: (error) => {
          this.lastError = error.message;
          this.later();
        },
      });
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.later();
    }
  }
}

/** A workload as the API shows it, computed from the keyspace (a follower's read). */
function workloadResource(state: ClusterState, name: string): Record<string, unknown> | undefined {
  const r = state.workloads.get(name);
  if (!r) return undefined;
  const w = r.workload;
  let running = 0;
  let updated = 0;
  let pending = 0;
  let terminating = 0;
  for (const i of state.instances.values()) {
    if (i.workloadName !== name) continue;
    if (i.stopRequestedAt !== undefined) terminating++;
    else if (i.status === 'Running') {
      running++;
      if (i.generation === w.generation) updated++;
    } else if (i.status === 'Pending') pending++;
  }
  return {
    name,
    revision: r.meta.revision,
    createdRevision: r.meta.createdRevision,
    generation: w.generation,
    kind: w.kind,
    labels: w.labels,
    spec: r.meta.spec,
    status: { desired: w.kind === 'job' ? w.completions : w.replicas, running, updated, pending, terminating },
  };
}

function instanceResource(i: Instance): Record<string, unknown> {
  return {
    id: i.id,
    workload: i.workloadName,
    slot: i.slot,
    generation: i.generation,
    ...(i.node !== undefined ? { node: i.node } : {}),
    status: i.stopRequestedAt !== undefined && (i.status === 'Running' || i.status === 'Pending' || i.status === 'Unknown') ? 'Terminating' : i.status,
  };
}

/** The follower's HTTP app: reads from the mirror, everything else to the leader. */
function followerApp(o: { token: string; mirror: KvMirror; role: () => { role: 'leader' | 'follower'; leader: string }; registry: Registry; shutdown: AbortSignal }): Hono {
  const app = new Hono();
  const authorized = bearerChecker(o.token);
  app.use('*', async (c, next) => {
    if (c.req.path === '/healthz') return next();
    if (!authorized(c.req.header('authorization'))) {
      return problem(c, 401, 'a bearer token is required: Authorization: Bearer <token>', {}, { 'www-authenticate': 'Bearer realm="slipway"' });
    }
    return next();
  });
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', (c) => {
    const { role, leader } = o.role();
    const reasons: string[] = [];
    if (!o.mirror.synced) reasons.push(`following: the state store has not been read yet${o.mirror.lastError ? ` (${o.mirror.lastError})` : ''}`);
    const body = { ready: reasons.length === 0, reasons, role, leader };
    return c.json(body, body.ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => c.text(await o.registry.metrics(), 200, { 'content-type': o.registry.contentType }));
  app.get('/v1/workloads', (c) => {
    const state = o.mirror.state();
    const items = [...state.workloads.keys()].sort().map((n) => workloadResource(state, n)!);
    return c.json({ items, revision: state.revision });
  });
  app.get('/v1/workloads/:name', (c) => {
    const w = workloadResource(o.mirror.state(), c.req.param('name'));
    return w ? c.json(w) : problem(c, 404, `workload ${JSON.stringify(c.req.param('name'))} not found`);
  });
  app.get('/v1/instances', (c) => {
    const { workload, node, status } = c.req.query();
    const items = [...o.mirror.state().instances.values()]
      .map((i) => ({ i, r: instanceResource(i) }))
      .filter(({ i, r }) => (workload === undefined || i.workloadName === workload) && (node === undefined || i.node === node) && (status === undefined || r.status === status))
      .map(({ r }) => r);
    return c.json({ items });
  });
  app.get('/v1/instances/:id', (c) => {
    const i = o.mirror.state().instances.get(c.req.param('id'));
    return i ? c.json(instanceResource(i)) : problem(c, 404, `instance ${JSON.stringify(c.req.param('id'))} not found`);
  });
  // Nodes, endpoints and events from what the leader publishes (src/serve/follower-publish.ts).
  registerFollowerReads(app, { mirror: o.mirror, shutdown: o.shutdown });
  app.all('*', (c) => toLeader(c, o.role().leader));
  return app;
}

/** 307 to the leader (same method and body), or 503 while none is known. */
function toLeader(c: Context, leader: string): Response {
  if (leader === '') {
    return problem(c, 503, 'no leader is elected yet: retry shortly (GET /readyz names the leader)', { leader: null }, { 'retry-after': '1' });
  }
  const u = new URL(c.req.url);
  const location = leader + u.pathname + u.search;
  return problem(c, 307, `this replica follows: send the request to the leader, ${leader}`, { leader }, { location });
}

/** A runtime that acts only while `leading()` holds (reads pass through). */
function guarded(runtime: ContainerRuntime, leading: () => boolean): ContainerRuntime {
  const check = (what: string) => {
    if (!leading()) throw new Error(`${what} refused: this replica no longer leads`);
  };
  return {
    initNode: (id) => runtime.initNode(id),
    createContainer: async (spec, options) => {
      check('create container');
      return runtime.createContainer(spec, options);
    },
    stopContainer: async (id) => {
      check('stop container');
      return runtime.stopContainer(id);
    },
    removeContainer: async (id) => {
      check('remove container');
      return runtime.removeContainer(id);
    },
    getContainerStatus: (id) => runtime.getContainerStatus(id),
    listContainers: (node) => runtime.listContainers(node),
    watch: (listener) => runtime.watch(listener),
  };
}

/** The PEM files of `etcd.ca`, `etcd.cert`, `etcd.key` (one line naming the file when one cannot be read). */
function readEtcdTls(t: NonNullable<ServeConfig['etcdTls']>): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const read = (path: string) => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw unreadable(path, e);
    }
  };
  return { ...(t.ca ? { ca: read(t.ca) } : {}), ...(t.cert ? { cert: read(t.cert) } : {}), ...(t.key ? { key: read(t.key) } : {}) };
}

export async function startReplica(config: ServeConfig, options: ReplicaOptions = {}): Promise<Replica> {
  const log = options.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const endpoints = parseEtcdState(config.state)!;
  const listen = parseListen(config.listen)!;
  if (config.token === undefined) {
    throw new InputError(`--state ${config.state}: replicas on etcd share one token: give it (token in the config, SLIPWAY_TOKEN or --token)`);
  }
  if (config.tls) throw new InputError('--state etcd://...: replicas serve plain HTTP for now (tls.cert/tls.key are not supported with etcd; see docs/ha.md, Limits)');
  if (!isLoopback(listen.host)) log(`warning: listening on ${config.listen} without TLS: the token and all traffic cross the network in clear text`);
  const token = config.token;
  const kv = new EtcdKv({ endpoints, ...(etcdScheme(config.state) === 'etcds' ? { tls: readEtcdTls(config.etcdTls ?? {}) } : {}) });
  const clock = new WallClock();
  const mirror = new KvMirror(kv, KEYSPACE);
  mirror.start();

  let url = '';
  let election: Election | undefined;
  let leading: { term: Term; cp: ControlPlane | undefined; store: EtcdServeStore; publisher?: FollowerPublisher } | undefined;
  let closed = false;
  // The leader key names the leader; while this replica does not lead, a key naming it is stale
  // (deposed, its lease not yet expired): no leader is known then.
  const leaderUrl = (): string => {
    if (leading?.cp) return url;
    const named = mirror.state().leader ?? '';
    return named === url ? '' : named;
  };
  const role = () => ({ role: leading?.cp ? ('leader' as const) : ('follower' as const), leader: leaderUrl() });
  const registry = new Registry();
  registerLeaderGauges(registry, role);
  const followerShutdown = new AbortController();
  const follower = followerApp({ token, mirror, role, registry, shutdown: followerShutdown.signal });

  // The leader answers as a single daemon does: its fast paths first (they also tell the sim
  // backend's pump that requests arrive, so the control plane leaves the API its share of the
  // thread), then the app.
  const server: ServerType = await listenOn(
    config,
    listen,
    undefined,
    (req) => (leading?.cp ? leading.cp.app.fetch(req) : follower.fetch(req)),
    (req, res) => leading?.cp?.fastReads(req, res) ?? false,
  );
  const port = (server.address() as AddressInfo).port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  const address = `${host}:${port}`;
  url = `http://${address}`;

  const stepDown = async (why: string): Promise<void> => {
    const was = leading;
    leading = undefined;
    if (!was) return;
    log(`slipway serve: ${url} stepped down (${why})`);
    was.publisher?.close();
    was.store.close();
    await was.cp?.stop();
  };

  const becomeLeader = async (term: Term): Promise<void> => {
    const e = election!;
    try {
      const snapshot = await kv.range(KEYSPACE);
      const store = new EtcdServeStore({ kv, term, entries: snapshot.entries, revision: snapshot.revision, onFenced: (detail) => e.deposed(term, 'fenced', detail), log });
      // Revisions continue above every one the previous leaders handed out.
      for (const m of Object.values(store.meta.workloads)) store.meta.revisionCeiling = Math.max(store.meta.revisionCeiling, m.revision);
      leading = { term, cp: undefined, store };
      const isLeading = () => leading?.term === term && e.isLeader();
      const cp = await startControlPlane(config, store, {
        log,
        token,
        address: () => address,
        selfUrl: () => url,
        role,
        guardRuntime: (r) => guarded(r, isLeading),
        persistRecords: true,
        // The election decides who controls the engines: a deposed leader's lock (even a paused one's) is broken.
        forceLocks: true,
        whatIfDir: join(tmpdir(), `slipway-what-if-${port}`),
      });
      if (leading?.term !== term) {
        await cp.stop();
        return;
      }
      leading.cp = cp;
      // Node status, endpoints and the event log's tail, for followers' reads (with every commit).
      leading.publisher = publishForFollowers({ control: cp.control, store, retained: Math.min(config.eventsRetained, PUBLISHED_EVENTS) });
      store.markDirty();
      await store.flush().catch(() => {});
      log(`slipway serve: ${url} leads (term ${term.revision}; ${store.listWorkloads().length} workloads, ${store.listInstances().length} instances adopted)`);
    } catch (error) {
      log(`slipway serve: ${url} could not take the lead: ${error instanceof Error ? error.message : String(error)}`);
      e.deposed(term, 'fenced', 'could not start the control plane');
    }
  };

  election = new Election({ kv, clock }, { key: LEADER_KEY, candidate: url, ttlSeconds: config.leaseTtl });
  election.listen({
    onElected: (term) => void becomeLeader(term),
    onDeposed: (_term, reason, detail) => {
      void stepDown(`${reason}: ${detail}`).then(() => {
        if (!closed) void election!.campaign();
      });
    },
  });
  void election.campaign();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      closed = true;
      leading?.cp?.endStreams();
      followerShutdown.abort();
      await closeServer(server, () => {});
      await stepDown('shutting down');
      await election!.resign();
      mirror.stop();
      clock.cancelAll();
      await kv.close();
    })());

  return { url, leading: () => leading?.cp, role, close };
}
