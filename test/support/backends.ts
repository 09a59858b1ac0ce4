/**
 * Backends for the contract suite and the live tests: the simulated cluster (always), Docker
 * engines and an OCI runtime (with SLIPWAY_LIVE=1; engines from scripts/start-engines.sh).
 *
 * Environment (live):
 *   SLIPWAY_DOCKER_HOSTS  comma-separated engines (default unix:///run/slipway/e1.sock,unix:///run/slipway/e2.sock)
 *   SLIPWAY_OCI_RUNTIME   runtime binary for the OCI tests (default runc; youki and crun take the same commands)
 *   SLIPWAY_ROOTFS        rootfs directory (default /var/lib/slipway/rootfs, made by start-engines.sh)
 *   SLIPWAY_ETCD_ENDPOINTS  comma-separated etcd client endpoints (default: scripts/start-etcd.sh --members 3's)
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connectDocker } from '../../backends/docker/docker-api.js';
import { DockerRuntime } from '../../backends/docker/docker-runtime.js';
import { LiveClusterManager } from '../../backends/live/live-cluster-manager.js';
import { OciRuntime } from '../../backends/oci/oci-runtime.js';
import { SimCluster } from '../../backends/sim/sim-cluster.js';
import type { Clock, ClusterManager, ContainerRuntime, Scheduler } from '../../src/core/interfaces.js';
import { Orchestrator, type OrchestratorConfig } from '../../src/core/orchestrator.js';
import { resources } from '../../src/core/resources.js';
import type { InMemoryStateStore } from '../../src/core/state-store.js';
import type { ContainerSpec, Workload } from '../../src/core/types.js';
import type { ControlPlaneConfig } from '../../src/scenario/types.js';
import { SeededIds } from '../../src/engine/ids.js';
import { deriveSeed, RandomStream } from '../../src/engine/random.js';
import { createScheduler } from '../../src/scheduler/registry.js';
import { Simulation } from '../../src/engine/simulation.js';
import { WallClock } from '../../src/engine/wall-clock.js';
import { DEFAULT_CONTROL_PLANE, DEFAULT_LATENCY, node } from './scenario-builder.js';

export const LIVE = process.env.SLIPWAY_LIVE === '1';
export const LIVE_SKIP_REASON = 'live backend: set SLIPWAY_LIVE=1 after scripts/start-engines.sh to run';
export const DOCKER_HOSTS = (process.env.SLIPWAY_DOCKER_HOSTS ?? 'unix:///run/slipway/e1.sock,unix:///run/slipway/e2.sock').split(',');
export const OCI_RUNTIME = process.env.SLIPWAY_OCI_RUNTIME ?? 'runc';
export const ROOTFS = process.env.SLIPWAY_ROOTFS ?? '/var/lib/slipway/rootfs';
export const TEST_IMAGE = 'slipway/busybox:test';
export const ETCD_ENDPOINTS = (process.env.SLIPWAY_ETCD_ENDPOINTS ?? '127.0.0.1:32379,127.0.0.1:32381,127.0.0.1:32383').split(',');

export type BackendName = 'sim' | 'docker' | 'oci';

/** One backend, ready for a test body. */
export interface TestBackend {
  readonly name: BackendName;
  readonly runtime: ContainerRuntime;
  readonly cluster: ClusterManager;
  readonly clock: Clock;
  /** Two nodes. */
  readonly nodes: readonly [string, string, ...string[]];
  /** Runs until stopped; stops promptly on SIGTERM. */
  longRunning(name: string): ContainerSpec;
  /** Exits by itself after about 300 ms with `code`. */
  exiting(name: string, code: number): ContainerSpec;
  /** `docker pause` / `docker unpause` (`runc pause` / `runc resume`) of a container, behind the control plane's back. */
  pause(id: string, paused: boolean): Promise<void>;
  /** Runs `body` in the backend's time (a simulation run for sim). */
  run<T>(body: () => Promise<T>): Promise<T>;
  /** Removes every Slipway container left on the nodes and releases the backend. */
  close(): Promise<void>;
}

const spec = (name: string, extra: Partial<ContainerSpec>): ContainerSpec => ({
  name,
  image: TEST_IMAGE,
  env: {},
  ports: [],
  requests: resources({ cpu: 100, memory: 16 * 2 ** 20 }),
  limits: resources({ cpu: 500, memory: 64 * 2 ** 20 }),
  ...extra,
});

/** `sh` as pid 1 ignores SIGTERM unless it traps it: this one exits 0 on SIGTERM. */
const LONG = ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"];

/** The simulator's virtual nodes: `count` of them (node-a ... node-z, node-aa, node-ab, ...; at least 2, at most 702), two by default. */
export function simBackend(count = 2): TestBackend {
  const sim = new Simulation(7);
  const cluster = new SimCluster({
    sim,
    latency: DEFAULT_LATENCY,
    controlPlane: DEFAULT_CONTROL_PLANE,
    ids: new SeededIds(sim.random.stream('ids.container'), 10),
  });
  const letter = (k: number) => String.fromCharCode(97 + k);
  const nodes = Array.from({ length: Math.max(2, Math.min(702, count)) }, (_, i) => `node-${i < 26 ? letter(i) : letter(Math.floor(i / 26) - 1) + letter(i % 26)}`) as unknown as readonly [string, string, ...string[]];
  for (const n of nodes) cluster.addNode(node(n), true);
  return {
    name: 'sim',
    runtime: cluster,
    cluster: cluster.manager,
    clock: sim,
    nodes,
    pause: async (id, paused) => {
      if (!cluster.setPaused(id, paused)) throw new Error(`sim: cannot ${paused ? 'pause' : 'resume'} ${id}`);
    },
    longRunning: (name) => spec(name, { command: LONG }),
    exiting: (name, code) => spec(name, { command: ['sh', '-c', `sleep 0.3; exit ${code}`], sim: { runFor: { kind: 'constant', ms: 300 }, exitCode: code } }),
    async run<T>(body: () => Promise<T>): Promise<T> {
      let out: { ok: true; v: T } | { ok: false; e: unknown } | undefined;
      sim.setTimer(0, () => {
        body().then(
          (v) => ((out = { ok: true, v }), sim.stop()),
          (e) => ((out = { ok: false, e }), sim.stop()),
        );
      });
      await sim.run({ until: sim.now() + 3_600_000 });
      if (!out) throw new Error('test body did not finish within an hour of simulated time');
      if (!out.ok) throw out.e;
      return out.v;
    },
    close: () => Promise.resolve(),
  };
}

const HEALTH = { heartbeatIntervalMs: 1_000, nodeMonitorPeriodMs: 1_000, notReadyAfterMs: 4_000, downAfterMs: 10_000, rpcTimeoutMs: 3_000 };

export function dockerBackend(): TestBackend {
  const clock = new WallClock();
  const ids = ['engine-1', 'engine-2'] as const;
  const runtime = new DockerRuntime({ clock, nodes: ids.map((id, k) => ({ id, host: DOCKER_HOSTS[k], network: 'none' })), stopGraceSeconds: 2 });
  const cluster = new LiveClusterManager(
    clock,
    ids.map((id) => ({
      id,
      address: id,
      labels: {},
      taints: [],
      probe: async () => void (await runtime.api(id).ping()),
      discoverCapacity: async () => {
        const info = await runtime.api(id).info();
        return resources({ cpu: info.NCPU * 1000, memory: info.MemTotal });
      },
    })),
    HEALTH,
  );
  const pause = async (id: string, paused: boolean) => {
    const c = runtime.api((await runtime.getContainerStatus(id)).nodeId).getContainer(id);
    await (paused ? c.pause() : c.unpause());
  };
  return liveBackend('docker', runtime, cluster, clock, [...ids] as [string, string], pause, () => runtime.close(), (c) => c.close());
}

export function ociBackend(): TestBackend {
  const clock = new WallClock();
  const base = `/tmp/slipway-oci-test-${process.pid}`;
  const ids = ['oci-1', 'oci-2'] as const;
  const runtime = new OciRuntime({
    clock,
    nodes: ids.map((id) => ({ id, runtime: OCI_RUNTIME, root: `${base}/${id}/state`, rootfs: ROOTFS, bundles: `${base}/${id}/bundles` })),
    pollIntervalMs: 100,
  });
  const cluster = new LiveClusterManager(
    clock,
    ids.map((id) => ({
      id,
      address: id,
      labels: {},
      taints: [],
      capacity: resources({ cpu: 2000, memory: 2 * 2 ** 30 }),
      probe: () => runtime.probe(id),
      discoverCapacity: () => Promise.resolve(resources({ cpu: 2000, memory: 2 * 2 ** 30 })),
    })),
    HEALTH,
  );
  const pause = async (id: string, paused: boolean) => {
    const nodeId = (await runtime.getContainerStatus(id)).nodeId;
    execFileSync(OCI_RUNTIME, ['--root', `${base}/${nodeId}/state`, paused ? 'pause' : 'resume', id], { stdio: 'pipe' });
  };
  return liveBackend('oci', runtime, cluster, clock, [...ids] as [string, string], pause, async () => {
    // After the poll and the heartbeat probes in flight: runc makes its --root again when it starts.
    await runtime.close();
    rmSync(base, { recursive: true, force: true });
  }, (c) => c.close());
}

function liveBackend(
  name: BackendName,
  runtime: ContainerRuntime,
  cluster: LiveClusterManager,
  clock: WallClock,
  nodes: [string, string],
  pause: (id: string, paused: boolean) => Promise<void>,
  release: () => void | Promise<void>,
  closeCluster: (c: LiveClusterManager) => void,
): TestBackend {
  return {
    name,
    runtime,
    cluster,
    clock,
    nodes,
    pause,
    longRunning: (n) => spec(n, { command: LONG }),
    exiting: (n, code) => spec(n, { command: ['sh', '-c', `sleep 0.3; exit ${code}`] }),
    run: (body) => body(),
    async close() {
      await removeAllContainers(runtime, nodes);
      closeCluster(cluster);
      await release();
      clock.cancelAll();
    },
  };
}

/** A service of two replicas of `b`'s long-running container, rolling with surge 1 (the control-plane cases of the contract). */
export function twoReplicaService(b: TestBackend, id: string): Workload {
  return {
    id,
    name: id,
    kind: 'service',
    replicas: 2,
    completions: 0,
    backoffLimit: 0,
    containers: [b.longRunning('main')],
    labels: {},
    priority: 0,
    restartPolicy: 'Always',
    updateStrategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 },
    generation: 1,
  };
}

/** A record an Orchestrator made, as {@link backendOrchestrator} collects them. */
export interface TestRecord {
  readonly type: string;
  readonly fields: Record<string, unknown>;
}

/**
 * An Orchestrator on `b` (round-robin, a reconcile pass every 1 s, a resync every 2 s) over
 * `store`, with ids from `seed`, its records appended to `records`; an error fails the test.
 * `runtime` replaces `b.runtime` (a test that alters what the runtime answers); `config`
 * overrides more of the control plane's settings.
 */
export function backendOrchestrator(
  b: TestBackend,
  o: {
    store: InMemoryStateStore;
    seed: number;
    records: TestRecord[];
    runtime?: ContainerRuntime;
    config?: Partial<ControlPlaneConfig> & Partial<Pick<OrchestratorConfig, 'reconcileBudget' | 'reconcileSliceMs'>>;
    /** Default round-robin. */
    scheduler?: Scheduler;
    /** OrchestratorDeps.wallMs (what `slipway serve` gives for reconcileSliceMs). */
    wallMs?: () => number;
    /** OrchestratorDeps.yieldToHost (what `slipway serve` gives so paced work yields its thread). */
    yieldToHost?: () => Promise<void>;
    /** Also sees each record as it is made (on the backend's clock). */
    onRecord?: (type: string, fields: Record<string, unknown>) => void;
  },
): Orchestrator {
  return new Orchestrator({
    clock: b.clock,
    runtime: o.runtime ?? b.runtime,
    cluster: b.cluster,
    scheduler: o.scheduler ?? createScheduler('round-robin'),
    store: o.store,
    ids: new SeededIds(new RandomStream('ids', deriveSeed(o.seed, 'ids')), 6),
    recorder: { record: (type, fields) => (o.onRecord?.(type, fields), o.records.push({ type, fields })) },
    config: { ...DEFAULT_CONTROL_PLANE, reconcileIntervalMs: 1_000, resyncIntervalMs: 2_000, ...o.config },
    ...(o.wallMs ? { wallMs: o.wallMs } : {}),
    ...(o.yieldToHost ? { yieldToHost: o.yieldToHost } : {}),
    onError: (e) => {
      throw e;
    },
  });
}

/** Stops and removes every container `runtime` lists on `nodes`: a test's cleanup, so errors are ignored. */
export async function removeAllContainers(runtime: ContainerRuntime, nodes: readonly string[]): Promise<void> {
  for (const nodeId of nodes) {
    for (const c of await runtime.listContainers(nodeId).catch(() => [])) {
      await runtime.stopContainer(c.id).catch(() => undefined);
      await runtime.removeContainer(c.id).catch(() => undefined);
    }
  }
}

/** Polls `check` on the backend's clock until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(clock: Clock, what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (clock.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await clock.sleep(50);
  }
}

/** A container on one of the two CI engines, as Docker lists it. */
export interface EngineContainer {
  readonly id: string;
  /** 0 or 1: which of {@link DOCKER_HOSTS}. */
  readonly engine: number;
  readonly running: boolean;
  readonly labels: Readonly<Record<string, string>>;
}

/** Labels a container must all carry (`key=value` or `key`), the same on both engines or per engine. */
export type EngineLabels = readonly string[] | ((engine: number) => readonly string[]);

/**
 * The containers, running or not, on the two CI engines that carry every one of `labels`. A live
 * test passes labels only its own containers carry (its cluster identity, node or workload names):
 * the engines are shared with every other live test and their leftovers.
 */
export async function engineContainers(labels: EngineLabels): Promise<EngineContainer[]> {
  const out: EngineContainer[] = [];
  for (const [engine, host] of DOCKER_HOSTS.slice(0, 2).entries()) {
    const label = typeof labels === 'function' ? labels(engine) : labels;
    for (const c of await connectDocker(host, 10_000).listContainers({ all: true, filters: JSON.stringify({ label }) }))
      out.push({ id: c.Id, engine, running: c.State === 'running', labels: c.Labels });
  }
  return out;
}

/** Removes what {@link engineContainers} lists, by force; a test's cleanup, so errors are ignored. */
export async function removeEngineContainers(labels: EngineLabels): Promise<void> {
  for (const c of await engineContainers(labels).catch(() => []))
    await connectDocker(DOCKER_HOSTS[c.engine], 10_000).getContainer(c.id).remove({ force: true }).catch(() => undefined);
}
