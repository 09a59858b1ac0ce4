/**
 * Prometheus metrics (prom-client, a registry of the daemon's own — no process-global state):
 *   slipway_scheduling_latency_seconds   histogram: instance created → bound to a node (clock time;
 *                                        virtual seconds on the sim backend)
 *   slipway_pending_instances            gauge: instances waiting for a node now
 *   slipway_reconcile_passes_total       counter: reconcile passes (bursts of workload reconciles)
 *   slipway_workload_reconciles_total    counter: workloads reconciled
 *   slipway_api_requests_total           counter: API requests by route, method and status code
 *   slipway_api_request_duration_seconds histogram: API request latency by route and method
 *   slipway_events_total                 counter: control-plane events (revisions) by type prefix
 *   slipway_leader                       gauge: 1 when this replica leads (always 1 on the file store)
 *   slipway_leader_info{leader}          gauge: 1, labelled with the leader's URL (replicas on etcd)
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
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
  readonly reconcilePasses = new Counter({ name: 'slipway_reconcile_passes_total', help: 'Reconcile passes (each reconciles every dirty workload)', registers: [this.registry] });
  readonly workloadReconciles = new Counter({ name: 'slipway_workload_reconciles_total', help: 'Workloads reconciled', registers: [this.registry] });
  readonly requests = new Counter({ name: 'slipway_api_requests_total', help: 'API requests by route, method and status code', labelNames: ['route', 'method', 'code'], registers: [this.registry] });
  readonly requestDuration = new Histogram({
    name: 'slipway_api_request_duration_seconds',
    help: 'API request latency by route and method',
    labelNames: ['route', 'method'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly events = new Counter({ name: 'slipway_events_total', help: 'Control-plane events by type', labelNames: ['type'], registers: [this.registry] });

  constructor(pending: () => number, role?: () => { role: 'leader' | 'follower'; leader: string }) {
    registerLeaderGauges(this.registry, role ?? (() => ({ role: 'leader', leader: '' })));
    new Gauge({
      name: 'slipway_pending_instances',
      help: 'Instances waiting for a node',
      registers: [this.registry],
      collect() {
        this.set(pending());
      },
    });
  }

  /**
   * Wraps the reconciler to count passes: the Orchestrator reconciles every dirty workload in one
   * synchronous loop, so the first call after a microtask boundary starts a pass.
   */
  countingReconcile(inner: typeof reconcile): typeof reconcile {
    let inPass = false;
    return (...args) => {
      this.workloadReconciles.inc();
      if (!inPass) {
        inPass = true;
        this.reconcilePasses.inc();
        queueMicrotask(() => (inPass = false));
      }
      return inner(...args);
    };
  }

  /** Sees every control-plane record (scheduling latency, event counts). */
  onRecord(type: string, instance: Instance | undefined, now: number): void {
    this.events.inc({ type });
    if (type === 'instance.scheduled' && instance) this.scheduling.observe(Math.max(0, now - instance.createdAt) / 1000);
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
