/**
 * Prometheus metrics (prom-client, a registry of the daemon's own — no process-global state):
 *   slipway_scheduling_latency_seconds   histogram: instance created → bound to a node (clock time;
 *                                        virtual seconds on the sim backend)
 *   slipway_pending_instances            gauge: instances waiting for a node now
 *   slipway_reconcile_passes_total       counter: reconcile passes (one per dirty set, however many budgeted steps it takes)
 *   slipway_workload_reconciles_total    counter: workloads reconciled
 *   slipway_api_requests_total           counter: API requests by route, method and status code
 *   slipway_api_request_duration_seconds histogram: API request latency by route and method
 *   slipway_api_requests_in_flight       gauge: requests received and not yet answered (watch
 *                                        streams included: they are answered when they end)
 *   slipway_events_total                 counter: control-plane events (revisions) by type prefix
 *   slipway_control_plane_lag_seconds    gauge: sim backend: how far (wall seconds) the simulated
 *                                        cluster's clock is behind the one it follows (0 on live backends)
 *   slipway_leader                       gauge: 1 when this replica leads (always 1 on the file store)
 *   slipway_leader_info{leader}          gauge: 1, labelled with the leader's URL (replicas on etcd)
 * and prom-client's default process and Node.js metrics (collectDefaultMetrics): among them
 *   nodejs_gc_duration_seconds{kind}     histogram: garbage-collection pauses (the API and the
 *                                        control plane share the thread: a pause holds every request)
 *   nodejs_eventloop_lag_*_seconds       how late the event loop ran its timers
 *   nodejs_heap_size_used_bytes, process_cpu_seconds_total, process_resident_memory_bytes, ...
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Instance } from '../core/types.js';
import type { reconcile } from '../core/reconciler.js';

export class ServeMetrics {
  readonly registry = new Registry();
  readonly scheduling = new Histogram({
    name: 'slipway_scheduling_latency_seconds',
    help: 'Time from an instance being created to being bound to a node (clock time; virtual on the sim backend)',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  // The counters below are bumped on hot paths (every request, every control-plane record,
  // every workload reconcile): they count into plain numbers and maps, handed to prom-client when
  // scraped. prom-client's `inc` validates and hashes its labels on every call, which was 2–3% of
  // a GET's and of an apply's CPU in the bench's profile.
  /** Reconcile passes so far (the Orchestrator's count; set once it exists). */
  passes: () => number = () => 0;
  private reconciles = 0;
  private readonly requestCounts = new Map<string, { labels: { route: string; method: string; code: string }; n: number }>();
  private readonly eventCounts = new Map<string, number>();
  private readonly durations = new Map<string, { route: string; method: string }>();
  private inFlight = 0;
  private readonly answered = (): void => {
    this.inFlight--;
  };
  readonly requestDuration = new Histogram({
    name: 'slipway_api_request_duration_seconds',
    help: 'API request latency by route and method',
    labelNames: ['route', 'method'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  constructor(pending: () => number, role?: () => { role: 'leader' | 'follower'; leader: string }, lagMs?: () => number) {
    const self = this;
    new Counter({
      name: 'slipway_reconcile_passes_total',
      help: 'Reconcile passes (each reconciles every dirty workload, in one or more budgeted steps)',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(self.passes());
      },
    });
    new Counter({
      name: 'slipway_workload_reconciles_total',
      help: 'Workloads reconciled',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(self.reconciles);
      },
    });
    new Counter({
      name: 'slipway_api_requests_total',
      help: 'API requests by route, method and status code',
      labelNames: ['route', 'method', 'code'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { labels, n } of self.requestCounts.values()) this.inc(labels, n);
      },
    });
    new Counter({
      name: 'slipway_events_total',
      help: 'Control-plane events by type',
      labelNames: ['type'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [type, n] of self.eventCounts) this.inc({ type }, n);
      },
    });
    registerLeaderGauges(this.registry, role ?? (() => ({ role: 'leader', leader: '' })));
    collectDefaultMetrics({ register: this.registry, gcDurationBuckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
    new Gauge({
      name: 'slipway_api_requests_in_flight',
      help: 'API requests received and not yet answered (watch streams included until they end)',
      registers: [this.registry],
      collect() {
        this.set(self.inFlight);
      },
    });
    new Gauge({
      name: 'slipway_control_plane_lag_seconds',
      help: 'sim backend: how far the simulated cluster\'s clock is behind the wall clock it follows, in wall seconds (0 on live backends)',
      registers: [this.registry],
      collect() {
        this.set((lagMs?.() ?? 0) / 1000);
      },
    });
    new Gauge({
      name: 'slipway_pending_instances',
      help: 'Instances waiting for a node',
      registers: [this.registry],
      collect() {
        this.set(pending());
      },
    });
  }

  /** Wraps the reconciler to count workload reconciles. */
  countingReconcile(inner: typeof reconcile): typeof reconcile {
    return (...args) => {
      this.reconciles++;
      return inner(...args);
    };
  }

  /** Sees every control-plane record (scheduling latency, event counts). */
  onRecord(type: string, instance: Instance | undefined, now: number): void {
    this.eventCounts.set(type, (this.eventCounts.get(type) ?? 0) + 1);
    if (type === 'instance.scheduled' && instance) this.scheduling.observe(Math.max(0, now - instance.createdAt) / 1000);
  }

  /** A request arrived: in flight until its response is finished or its connection closes. */
  requestStarted(res: { once(event: 'close', listener: () => void): unknown }): void {
    this.inFlight++;
    res.once('close', this.answered);
  }

  /** Counts one answered API request (slipway_api_requests_total) and its latency in seconds. */
  request(route: string, method: string, code: number, seconds: number): void {
    const key = `${route} ${method} ${code}`;
    const c = this.requestCounts.get(key);
    if (c) c.n++;
    else this.requestCounts.set(key, { labels: { route, method, code: String(code) }, n: 1 });
    const dkey = `${route} ${method}`;
    let labels = this.durations.get(dkey);
    if (!labels) this.durations.set(dkey, (labels = { route, method }));
    this.requestDuration.observe(labels, seconds);
  }
}

/** slipway_leader and slipway_leader_info on `registry` (the leader's metrics and a follower's). */
export function registerLeaderGauges(registry: Registry, role: () => { role: 'leader' | 'follower'; leader: string }): void {
  new Gauge({
    name: 'slipway_leader',
    help: '1 when this replica leads the control plane (always 1 with the file store)',
    registers: [registry],
    collect() {
      this.set(role().role === 'leader' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'slipway_leader_info',
    help: 'The leading replica (label leader: its URL; empty while none leads or with the file store)',
    labelNames: ['leader'],
    registers: [registry],
    collect() {
      this.reset();
      this.set({ leader: role().leader }, 1);
    },
  });
}
