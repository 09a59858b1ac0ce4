/**
 * What the daemon runs the Orchestrator on:
 * - `sim`: the simulator's virtual nodes (backends/sim) on the engine's clock, advanced in step
 *   with the wall clock × `speed` by a pump (every few ms it runs the engine up to the time that
 *   has passed). Nothing to install; virtual containers vanish with the process, so a restarted
 *   daemon places its workloads again.
 * - `docker` / `oci`: the live backends (the nodes' endpoints from the config) on the wall clock;
 *   their containers outlive the daemon and are adopted again at start.
 */
import { performance } from 'node:perf_hooks';
import { SimCluster, simNetworkOf } from '../../backends/sim/sim-cluster.js';
import type { Clock, ClusterManager, ContainerRuntime, IdSource } from '../core/interfaces.js';
import type { NodeId } from '../core/types.js';
import { PermutedIds } from '../engine/ids.js';
import { liveIds } from '../engine/live-ids.js';
import { Simulation } from '../engine/simulation.js';
import { WallClock } from '../engine/wall-clock.js';
import { createLiveBackend, type LiveBackend } from '../run/live-backend.js';
import type { Scenario } from '../scenario/types.js';
import type { ServeBackend } from './config.js';
import { watchMarking } from './gc-marking.js';

export interface ServeRuntime {
  readonly kind: ServeBackend;
  readonly clock: Clock;
  readonly runtime: ContainerRuntime;
  readonly cluster: ClusterManager;
  /** Instance ids: random, so they never repeat across restarts. */
  readonly ids: IdSource;
  /** Rebuild instances from running containers at start (live backends). */
  readonly adopt: boolean;
  /** Cordons or uncordons a node; false when unknown or unchanged. */
  setUnschedulable(nodeId: NodeId, value: boolean): boolean;
  /** The live backend (docker/oci), for logs. */
  readonly live?: LiveBackend;
  /**
   * Starts advancing time (sim) — call before Orchestrator.start. `idle` (sim): work for the
   * moments the engine has caught up with the wall clock, run in steps of a few milliseconds while
   * it returns true (more to do). `writes` (sim): the API's write in flight, if any (the store's
   * commit that answers applies): while requests arrive, the pump waits for it, up to `holdMs`,
   * before it runs a slice, so an apply's answer is not held behind one (see API_SHARE).
   */
  start(idle?: () => boolean, writes?: () => Promise<void> | undefined): void;
  /**
   * A request arrived (sim): while requests keep arriving, the pump rests after each slice of
   * control-plane work so the API keeps most of the thread (see API_SHARE).
   */
  noteRequest?(): void;
  /** sim: how far (wall ms) the engine is behind the wall clock × speed it follows (see API_SHARE.behindMs). */
  lagMs?(): number;
  /** Stops timers and connections; containers keep running. */
  close(): Promise<void>;
}

/** How often the sim pump runs the engine (wall ms). */
const PUMP_MS = 5;
/** Most events one pump step runs before it yields to the HTTP server (a burst of thousands of container starts must not stall requests). */
const PUMP_EVENTS = 2_000;
/**
 * The thread's share between the API and the control plane while requests arrive. The sim
 * backend's control plane (reconcile passes, scheduling, simulated container events) runs as
 * engine events in slices of `sliceMs` wall milliseconds (RunOptions.sliceMs). After a slice, if a
 * request arrived within `quietMs` before the slice started or during it, the pump rests
 * `restMs` — or, after a slice that overran, as much longer (restFor, up to `maxRestMs`) — which
 * the HTTP server has to itself; otherwise it goes on at the next turn of the event loop. So under
 * a stream of requests the control plane has about sliceMs / (sliceMs + restMs) of the thread (a
 * third) and is never starved, and a request waits for about one slice (an event longer than a
 * slice runs whole: the daemon's reconcile passes stop after `sliceMs` too), not for a reconcile
 * pass over everything applied meanwhile — the API server of Kubernetes answers while its controllers lag behind in
 * the same way. Without requests the control plane has the whole thread. Before a slice, while
 * requests arrive, the pump also waits (at most `holdMs`) for the store's write in flight: its
 * applies are answered first (settle). And while V8 marks the heap for a major GC (gc-marking.ts)
 * and requests arrive, the control plane waits, at most `markingHoldMs` from the marking's start:
 * its work would allocate (more marking steps on the thread) and compete with the API in the
 * window where the marking threads already take the cores. It waits at most once per
 * `markingGapMs` (each wait at most `markingHoldMs`), so it keeps at least 85 % of its time even
 * when V8 marks without a break, as it does near the heap's limit; under 500 applies/s marking
 * comes every few seconds. All of this holds while the engine keeps up: once it is more than
 * `behindMs` (wall) behind the clock it follows, the control plane gets the thread back (the HTTP
 * server still answers whatever arrived between two slices, each at most `sliceMs`) until it has
 * caught up (restsAfterSlice). Without that bound a steady 500 applies/s left the control plane a
 * third of the thread, less than the rollouts behind the applies need: the virtual clock all but
 * stopped (0.1 s per second instead of 20), events and their timers piled up (190,000 after 40 s)
 * and the heap with them, and each major GC's marking grew, 90 ms to 300 ms within a minute — the
 * applies' p99 with it (docs/performance.md, session 18).
 * docs/performance.md has the figures (applies' p99 before and after).
 */
export const API_SHARE = { sliceMs: 4, restMs: 8, quietMs: 20, maxRestMs: 50, holdMs: 8, markingHoldMs: 150, markingGapMs: 1_000, behindMs: 100 } as const;

/**
 * Waits, at most until `deadline` (performance.now() ms), until `writes` reports no write in
 * flight, then one turn of the event loop more (the answers waiting on the write go out first).
 * A daemon log of a create burst at 500 applies/s showed why: a commit whose write completed just
 * after a rest ended waited for the whole next slice (10-25 ms behind a pass over thousands of new
 * instances) before its applies were answered, a common cause of their slowest 1 %.
 */
async function settle(writes: () => Promise<void> | undefined, deadline: number): Promise<void> {
  for (let w = writes(); w !== undefined; w = writes()) {
    const left = deadline - performance.now();
    if (left <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([w.then(noop, noop), new Promise<void>((r) => (timer = setTimeout(r, left)))]);
    clearTimeout(timer);
    await new Promise<void>((r) => setImmediate(r));
  }
}

function noop(): void {}

/**
 * The rest after a slice of control-plane work that ran `sliceMs` wall ms: restMs, or as much
 * more as the slice overran (one event can run longer than a slice: a scheduling call that
 * re-reads many changed nodes, a pass's first workload), so the API's share holds, at most
 * maxRestMs. A daemon log of a create burst behind 10,000 rolling instances showed why: slices of
 * 10-25 ms followed by 8 ms rests gave the API a quarter of the thread, and a commit whose write
 * completed after a rest ended waited for the next slice, so applies waited 40-130 ms.
 */
export function restFor(sliceMs: number): number {
  return Math.min(API_SHARE.maxRestMs, Math.max(API_SHARE.restMs, (sliceMs * API_SHARE.restMs) / API_SHARE.sliceMs));
}
/**
 * Whether the pump gives the API its share after a slice — a rest, the wait for the write in
 * flight, the wait out of V8's marking — or goes on at the next turn of the event loop: the share
 * is kept while requests arrive (`busy`) and the engine is at most `behindMs` behind the wall
 * clock it follows (`lagMs`, wall ms). Further behind, the control plane has the thread but for one
 * turn of the event loop per slice, in which the HTTP server still answers every request that
 * arrived (see API_SHARE).
 */
export function restsAfterSlice(busy: boolean, lagMs: number, behindMs: number = API_SHARE.behindMs): boolean {
  return busy && !(lagMs > behindMs);
}
/** Idle-time work (ServeRuntime.start's `idle`): wall ms per pump step. */
const IDLE_MS = 2;

export interface ServeRuntimeOptions {
  /** The cluster identity on shared engines (docker/oci); default the scenario's name. */
  readonly identity?: string;
  /** sim: whether V8 is marking the heap now (default: this thread's GC entries, gc-marking.ts; tests give their own). */
  readonly marking?: () => boolean;
  /** sim: API_SHARE.behindMs (tests give their own). */
  readonly behindMs?: number;
}

export function createServeRuntime(kind: ServeBackend, scenario: Scenario, speed: number, onError: (e: unknown) => void, options: ServeRuntimeOptions = {}): ServeRuntime {
  const identity = options.identity ?? scenario.name;
  if (kind === 'sim') return simRuntime(scenario, speed, onError, options.marking, options.behindMs);
  const clock = new WallClock();
  // The cluster identity on shared engines: its containers carry it (see docs/live-backends.md).
  const live = createLiveBackend(scenario, kind, clock, identity);
  return {
    kind,
    clock,
    runtime: live.runtime,
    cluster: live.cluster,
    ids: liveIds(),
    adopt: true,
    live,
    setUnschedulable: (id, v) => live.cluster.setUnschedulable(id, v),
    start: () => {},
    close: async () => {
      await live.close();
      clock.cancelAll();
    },
  };
}

function simRuntime(scenario: Scenario, speed: number, onError: (e: unknown) => void, markingNow?: () => boolean, behindMs: number = API_SHARE.behindMs): ServeRuntime {
  const sim = new Simulation(scenario.seed);
  const cluster = new SimCluster({
    sim,
    latency: scenario.latency,
    controlPlane: scenario.controlPlane,
    // Constant memory: a daemon replaces containers for weeks (PermutedIds).
    ids: new PermutedIds(sim.random.stream('ids.container'), 10),
    ...(scenario.images ? { imageSizes: scenario.images } : {}),
    ...(scenario.cluster?.network ? { network: simNetworkOf(scenario) } : {}),
  });
  for (const def of scenario.nodes) cluster.addNode(def, true);
  let running = false;
  let loop: Promise<void> | undefined;
  const t0 = performance.now();
  let lastMark = -1;
  let lastRequest = -Infinity;
  let idle: (() => boolean) | undefined;
  let writes: (() => Promise<void> | undefined) | undefined;
  // Whether requests arrived lately (quietMs before `since`): the API is being used.
  const busy = (since: number): boolean => lastRequest > since - API_SHARE.quietMs;
  // Undefined when no write is in flight; else waits for it (and any started after it) up to holdMs.
  const hold = (): Promise<void> | undefined =>
    writes !== undefined && writes() !== undefined ? settle(writes, performance.now() + API_SHARE.holdMs) : undefined;
  // When the running slice started (the run's start or the last pause's end): a slice that
  // overran (one event longer than sliceMs) is answered with a rest as much longer, so the API
  // keeps its share (see API_SHARE).
  let resumed = performance.now();
  // V8's marking (see API_SHARE): watched from start() to close() unless the caller says.
  let watch: ReturnType<typeof watchMarking> | undefined;
  const marking = markingNow ?? (() => watch?.window.marking(performance.now()) === true);
  /** When the last wait for a marking window began (see API_SHARE: one per markingGapMs). */
  let heldAt = -Infinity;
  /** While V8 marks the heap and requests arrive: waits in steps of 2 ms, at most markingHoldMs, once per markingGapMs. */
  const outlast = async (): Promise<void> => {
    const now = performance.now();
    if (!(running && busy(now) && marking()) || now - heldAt < API_SHARE.markingGapMs) return;
    heldAt = now;
    while (running && busy(performance.now()) && marking() && performance.now() - heldAt < API_SHARE.markingHoldMs) await new Promise((r) => setTimeout(r, 2));
  };
  // How far (wall ms) the engine is behind the wall clock × speed it follows (API_SHARE.behindMs, metrics, overload).
  const lagMs = (): number => Math.max(0, (performance.now() - t0) - sim.now() / speed);
  const pause = (): Promise<void> =>
    new Promise<void>((r) => {
      const now = performance.now();
      const done = () => {
        resumed = performance.now();
        r();
      };
      // Requests that arrived while the slice ran are not noted yet (their handlers run after it):
      // quiet is counted from the slice's start, or a long event would never be followed by a rest.
      // After the rest, the write in flight (if any) ends before the next slice starts.
      if (restsAfterSlice(busy(resumed), lagMs(), behindMs))
        setTimeout(() => {
          void outlast().then(() => {
            const h = hold();
            if (h) void h.then(done);
            else done();
          });
        }, restFor(now - resumed));
      else setImmediate(done);
    });
  const pump = async (): Promise<void> => {
    while (running) {
      const target = Math.floor((performance.now() - t0) * speed);
      if (target > sim.now()) {
        // An empty event at the target moves the clock there even when nothing else is due.
        if (target > lastMark) {
          sim.at(target, () => {});
          lastMark = target;
        }
        // No determinism guard: the HTTP server shares this thread and answers between drains.
        try {
          if (restsAfterSlice(busy(performance.now()), lagMs(), behindMs)) {
            await outlast();
            await hold();
          }
          resumed = performance.now(); // a slice starts with the run
          const r = await sim.run({ until: target, guard: false, maxEvents: PUMP_EVENTS, sliceMs: API_SHARE.sliceMs, pause });
          if (r.reason !== 'maxEvents' && idle !== undefined) {
            const end = performance.now() + IDLE_MS;
            while (idle() && performance.now() < end);
          }
        } catch (e) {
          onError(e);
        }
      }
      await new Promise((r) => setTimeout(r, PUMP_MS));
    }
  };
  return {
    kind: 'sim',
    clock: sim,
    runtime: cluster,
    cluster: cluster.manager,
    ids: liveIds(),
    adopt: false,
    setUnschedulable: (id, v) => cluster.manager.setUnschedulable(id, v),
    noteRequest: () => {
      lastRequest = performance.now();
    },
    lagMs,
    start: (work, written) => {
      if (running) return;
      running = true;
      if (markingNow === undefined) watch = watchMarking(API_SHARE.markingHoldMs);
      idle = work;
      writes = written;
      loop = pump();
    },
    close: async () => {
      running = false;
      watch?.stop();
      await loop;
    },
  };
}
