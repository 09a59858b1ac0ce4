/**
 * `slipway explain SCENARIO --at T --workload NAME`: the scenario simulated up to virtual time T,
 * then the cluster as the control plane's scheduler sees it at that moment (nodes with their
 * condition taints, bound instances with their requests and GPU devices; the same NodeTable the
 * FrameworkScheduler builds) and the explanation of placing one more instance of NAME there.
 * Deterministic: the same scenario, seed and time give the same report.
 */
import { podRequests } from '../core/pod-requests.js';
import { InputError } from '../core/errors.js';
import type { Orchestrator } from '../core/orchestrator.js';
import type { NodeView } from '../core/interfaces.js';
import type { Resources } from '../core/resources.js';
import type { Workload } from '../core/types.js';
import { formatDuration } from '../core/duration.js';
import { didYouMean } from '../scenario/schema.js';
import type { Scenario } from '../scenario/types.js';
import { explainOn, type ExplainReport } from '../scheduler/explain/explain.js';
import type { DisruptionBudgetStatus } from '../core/disruption-budget.js';
import { NAMESPACE, addController, nodeSpecOf, nodeTableOf, podOf } from '../scheduler/framework-scheduler.js';
import type { ClusterObjects } from '../core/namespace.js';
import { PROFILES, type ProfileConfig } from '../scheduler/profiles.js';
import type { PluginRegistry } from '../scheduler/plugins/registry.js';
import { ROUND_ROBIN, RoundRobinScheduler } from '../scheduler/round-robin.js';
import { explainRoundRobinOn } from '../scheduler/explain/round-robin.js';
import { clusterObjectsOf, simulate, toWorkload } from './simulate.js';

export interface ExplainAtOptions {
  /** Virtual time to stop at (0 .. the scenario's duration). */
  readonly atMs: number;
  /** The workload one more instance of which is explained. */
  readonly workload: string;
  /** The registry the scenario's profile names plugins from (`--plugin` files; default the built-in ones). */
  readonly plugins?: PluginRegistry;
}

export interface ExplainAtReport extends ExplainReport {
  readonly atMs: number;
  /** Instances bound to nodes at that time (what the table counts against the nodes). */
  readonly boundInstances: number;
  /** The same state as an `explain` snapshot document (nodes, bound pods, pending, profile, seed). */
  readonly snapshot: Record<string, unknown>;
}

/**
 * Resources as Kubernetes quantities (cpu in millicores, bytes, counts). A cpu or memory of 0 is
 * written only when the container gives it explicitly (`zero`): an absent request is scored with
 * kube-scheduler's non-zero default, an explicit 0 as 0.
 */
function quantities(r: Resources, zero: readonly string[] = []): Record<string, string> {
  return {
    ...(r.cpu || zero.includes('cpu') ? { cpu: `${r.cpu}m` } : {}),
    ...(r.memory || zero.includes('memory') ? { memory: String(r.memory) } : {}),
    ...(r.disk ? { 'ephemeral-storage': String(r.disk) } : {}),
    ...Object.fromEntries(Object.entries(r.extended).map(([k, v]) => [k, String(v)])),
  };
}

/** A workload's pod in snapshot form; `request` (an instance's) replaces the containers' when they differ (an older generation). */
function podDoc(w: Workload, name: string, request: Resources, gpus?: readonly number[]): Record<string, unknown> {
  const same = JSON.stringify(podRequests(w)) === JSON.stringify(request);
  const containers = same
    ? w.containers.map((c) => ({ name: c.name, image: c.image, requests: quantities(c.requests, c.zeroRequests) }))
    : [{ name: w.containers[0].name, image: w.containers[0].image, requests: quantities(request) }, ...w.containers.slice(1).map((c) => ({ name: c.name, image: c.image }))];
  // Init containers and overhead are part of the effective request: written as given when the
  // request is the workload's own, else (an older generation) only their images.
  const initContainers = w.initContainers?.map((c) => ({ name: c.name, image: c.image, ...(same ? { requests: quantities(c.requests, c.zeroRequests) } : {}), ...(c.restartPolicy ? { restartPolicy: c.restartPolicy } : {}) }));
  const { gang, ...placement } = w.placement ?? {};
  const ctl = w.controller;
  return {
    name,
    ...(w.namespace !== undefined && w.namespace !== NAMESPACE ? { namespace: w.namespace } : {}),
    ...(Object.keys(w.labels).length ? { labels: w.labels } : {}),
    ...(w.priority ? { priority: w.priority } : {}),
    // A bare Pod has no owner; a Job's pods and a selector-controller's name it (default spreading reads it).
    ...(ctl?.kind === 'Pod' ? {} : { owner: w.name }),
    ...(ctl !== undefined && ctl.kind !== 'Pod' ? { ownerReference: { kind: ctl.kind, name: w.name } } : {}),
    containers,
    ...(initContainers ? { initContainers } : {}),
    ...(same && w.overhead ? { overhead: quantities(w.overhead) } : {}),
    ...placement,
    ...(gang ? { gang: { name: gang.name, minMember: gang.minMember, timeout: `${gang.timeoutMs}ms` } } : {}),
    ...(w.gpus ? { gpus: { count: w.gpus.count, milli: w.gpus.milli, ...(w.gpus.models.length ? { models: w.gpus.models } : {}), ...(gpus ? { devices: gpus } : {}) } } : {}),
  };
}

/** The cluster the views describe, the pending workload's pod, the profile and seed, as a snapshot document. */
function snapshotDoc(views: readonly NodeView[], pending: Workload, request: Resources, profile: ProfileConfig | RoundRobinAt, seed: number, budgets: readonly DisruptionBudgetStatus[] = [], objects: ClusterObjects = {}): Record<string, unknown> {
  // The controllers (with a selector) of the workloads on the table and of the pending one.
  const workloads = new Map<string, Workload>([[pending.name, pending]]);
  for (const v of views) for (const b of v.bound ?? []) workloads.set(b.workload.name, b.workload);
  const controllers = (kind: string) =>
    [...workloads.values()].flatMap((w) => {
      const c = w.controller;
      if (!c || !('selector' in c) || c.kind !== kind) return [];
      const sel = kind === 'ReplicationController' ? c.selector.matchLabels ?? {} : c.selector;
      return [{ name: w.name, ...(w.namespace !== undefined && w.namespace !== NAMESPACE ? { namespace: w.namespace } : {}), selector: sel }];
    });
  const replicaSets = controllers('ReplicaSet');
  const statefulSets = controllers('StatefulSet');
  const replicationControllers = controllers('ReplicationController');
  return {
    ...(objects.namespaces?.length ? { namespaces: objects.namespaces.map((n) => ({ name: n.name, ...(Object.keys(n.labels).length ? { labels: n.labels } : {}) })) } : {}),
    ...(objects.services?.length ? { services: objects.services.map((v) => ({ name: v.name, ...(v.namespace !== NAMESPACE ? { namespace: v.namespace } : {}), selector: v.selector })) } : {}),
    ...(replicaSets.length ? { replicaSets } : {}),
    ...(statefulSets.length ? { statefulSets } : {}),
    ...(replicationControllers.length ? { replicationControllers } : {}),
    // The budgets with their status at that time (the snapshot cannot recompute it: it has no replica counts).
    ...(budgets.length
      ? { podDisruptionBudgets: budgets.map((b) => ({ name: b.name, ...(b.namespace !== NAMESPACE ? { namespace: b.namespace } : {}), ...(b.selector ? { selector: b.selector } : {}), disruptionsAllowed: b.disruptionsAllowed })) }
      : {}),
    nodes: views.map(({ node: n }) => {
      const spec = nodeSpecOf(n);
      return {
        name: n.name,
        capacity: quantities(spec.allocatable, ['cpu', 'memory']),
        labels: spec.labels,
        ...(spec.taints.length ? { taints: spec.taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect })) } : {}),
        ...(spec.unschedulable ? { unschedulable: true } : {}),
        ...(spec.images?.size ? { images: [...spec.images].map(([name, sizeBytes]) => ({ names: [name], sizeBytes })) } : {}),
        ...(spec.gpus ? { gpus: { model: spec.gpus.model, count: spec.gpus.count } } : {}),
      };
    }),
    pods: views.flatMap((v) =>
      (v.bound ?? []).map((b) => ({
        ...podDoc(b.workload, b.id, b.request, b.gpus),
        node: v.node.name,
        ...(b.startedAt !== undefined ? { startedAt: b.startedAt } : {}),
        ...(b.terminating ? { terminating: true } : {}),
      })),
    ),
    pending: podDoc(pending, pending.name, request),
    ...('cursor' in profile
      ? { profile: ROUND_ROBIN, ...(profile.cursor !== undefined ? { cursor: profile.cursor } : {}) }
      : { profile: PROFILES[profile.name] === profile ? profile.name : profile }),
    seed,
  };
}

/** Round-robin at a point of a run: the node it placed on last. */
interface RoundRobinAt {
  readonly cursor: string | undefined;
}

/**
 * The framework profile behind the scenario's scheduler (its own profile, or a named one), or
 * null for round-robin (explained by its own rule). Every registered scheduler is one of these.
 */
function profileOf(scenario: Scenario): ProfileConfig | null {
  const { name, profile } = scenario.scheduler;
  if (profile && profile.name === name) return profile;
  const named = PROFILES[name];
  if (named) return named;
  if (name === ROUND_ROBIN) return null;
  throw new InputError(`scheduler ${JSON.stringify(name)} has no explanation: it is neither a plugin-framework profile nor ${ROUND_ROBIN}`);
}

export async function explainScenarioAt(scenario: Scenario, o: ExplainAtOptions): Promise<ExplainAtReport> {
  const file = scenario.source.file;
  const def = scenario.workloads.find((w) => w.name === o.workload);
  if (!def) {
    const names = scenario.workloads.map((w) => w.name);
    throw new InputError(`--workload: ${file} has no workload ${JSON.stringify(o.workload)}${didYouMean(o.workload, names)}${names.length <= 10 ? ` (workloads: ${names.join(', ')})` : ''}`);
  }
  if (o.atMs > scenario.durationMs) {
    throw new InputError(`--at: ${formatDuration(o.atMs)} is beyond the end of ${file} (its duration is ${formatDuration(scenario.durationMs)})`);
  }
  const profile = profileOf(scenario);
  // Round-robin: the run's own scheduler instance, so its cursor at --at is known.
  const roundRobin = profile === null ? new RoundRobinScheduler() : undefined;
  let orchestrator: Orchestrator | undefined;
  await simulate(scenario, { ...(o.plugins ? { plugins: o.plugins } : {}), untilMs: o.atMs, observe: (w) => (orchestrator = w.orchestrator), ...(roundRobin ? { scheduler: roundRobin } : {}) });
  const views = orchestrator!.nodeViews();
  const objects = clusterObjectsOf(scenario);
  const { table, pods } = nodeTableOf(views, objects);
  const boundInstances = pods.reduce((a, p) => a + p.length, 0);
  // The workload's spec at that time (after updates), or its definition when it has not arrived yet.
  const workload = orchestrator!.getWorkload(def.name) ?? toWorkload(def);
  const request = podRequests(workload);
  addController(table, workload);
  if (roundRobin) {
    const cursor = roundRobin.cursor;
    const snapshot = snapshotDoc(views, workload, request, { cursor }, scenario.seed);
    const report = explainRoundRobinOn(
      views.map((v) => ({ node: v.node, used: v.allocated })),
      { name: workload.name, requests: request, tolerations: workload.placement?.tolerations ?? [] },
      cursor,
      cursor === undefined ? 'cursor at the first node by name (nothing placed yet)' : `cursor after ${cursor} (the node round-robin used last)`,
    );
    return { ...report, atMs: o.atMs, boundInstances, snapshot };
  }
  const budgets = orchestrator!.budgetStatuses() ?? [];
  table.disruptionBudgets = budgets;
  const snapshot = snapshotDoc(views, workload, request, profile!, scenario.seed, budgets, objects);
  const report = explainOn(table, podOf(workload, request), profile!, { seed: scenario.seed, workloads: scenario.workloads.map(toWorkload), ...(o.plugins ? { plugins: o.plugins } : {}) });
  return { ...report, atMs: o.atMs, boundInstances, snapshot };
}
