/**
 * The control plane's objects written back as scenario YAML documents (the format the loader
 * reads), so that a live cluster's state can become a scenario file: `workloadDoc(w)` loaded again
 * gives the same Workload (generation aside), `nodeDoc(n)` the same node definition.
 *
 * Quantities are written exactly: cpu in millicores (`500m`), bytes as integers or binary units
 * (`256Mi`), durations in milliseconds (`1500ms`).
 */
import type { Placement } from '../core/placement.js';
import type { Resources } from '../core/resources.js';
import { formatBytes } from '../core/resources.js';
import type { ContainerSpec, Distribution, Node, Taint, Workload } from '../core/types.js';

/** A plain YAML/JSON value. */
export type Doc = Record<string, unknown>;

const ms = (n: number): string => `${n}ms`;

/** A resource map as quantities; zero amounts are left out (absent means zero). */
export function resourcesDoc(r: Resources): Doc {
  const out: Doc = {};
  if (r.cpu) out.cpu = `${r.cpu}m`;
  if (r.memory) out.memory = formatBytes(r.memory);
  if (r.disk) out.disk = formatBytes(r.disk);
  for (const k of Object.keys(r.extended).sort()) if (r.extended[k]) out[k] = r.extended[k];
  return out;
}

/** A distribution of durations in scenario syntax (a constant is a plain duration). */
export function distributionDoc(d: Distribution): unknown {
  switch (d.kind) {
    case 'constant':
      return ms(d.ms);
    case 'uniform':
      return { uniform: [ms(d.minMs), ms(d.maxMs)] };
    case 'exponential':
      return { exponential: ms(d.meanMs) };
    case 'normal':
      return { normal: { mean: ms(d.meanMs), stddev: ms(d.stddevMs) } };
    case 'lognormal':
      return { lognormal: { median: ms(d.medianMs), sigma: d.sigma } };
  }
}

function containerDoc(c: ContainerSpec): Doc {
  const requests = resourcesDoc(c.requests);
  const limits = resourcesDoc(c.limits);
  const sim: Doc = {};
  if (c.sim?.runFor) sim.runFor = distributionDoc(c.sim.runFor);
  if (c.sim?.exitCode !== undefined) sim.exitCode = c.sim.exitCode;
  if (c.sim?.memory !== undefined) sim.memory = c.sim.memory;
  return {
    name: c.name,
    image: c.image,
    ...(c.command ? { command: [...c.command] } : {}),
    ...(c.args ? { args: [...c.args] } : {}),
    ...(Object.keys(c.env).length ? { env: { ...c.env } } : {}),
    ...(c.ports.length
      ? { ports: c.ports.map((p) => ({ containerPort: p.containerPort, ...(p.hostPort !== undefined ? { hostPort: p.hostPort } : {}), protocol: p.protocol })) }
      : {}),
    ...(Object.keys(requests).length ? { requests } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
    ...(Object.keys(sim).length ? { sim } : {}),
  };
}

/**
 * Placement in the scenario's Kubernetes field names. `priorityClassName` is left out: the class
 * was resolved into the workload's `priority` when it was loaded.
 */
function placementDoc(p: Placement): Doc | undefined {
  const { gang, priorityClassName: _resolved, ...rest } = p;
  const out: Doc = JSON.parse(JSON.stringify(rest)) as Doc;
  if (gang) out.gang = { name: gang.name, minMember: gang.minMember, timeout: ms(gang.timeoutMs) };
  return Object.keys(out).length ? out : undefined;
}

/** A workload as a scenario `workloads:` entry (without `at`: the caller decides when it arrives). */
export function workloadDoc(w: Workload): Doc {
  const placement = w.placement ? placementDoc(w.placement) : undefined;
  const job = w.kind === 'job';
  return {
    name: w.name,
    kind: w.kind,
    replicas: w.replicas,
    ...(job ? { completions: w.completions, backoffLimit: w.backoffLimit } : {}),
    ...(w.priority ? { priority: w.priority } : {}),
    restartPolicy: w.restartPolicy,
    ...(job ? {} : { updateStrategy: { type: w.updateStrategy.type, maxSurge: w.updateStrategy.maxSurge, maxUnavailable: w.updateStrategy.maxUnavailable } }),
    ...(Object.keys(w.labels).length ? { labels: { ...w.labels } } : {}),
    containers: w.containers.map(containerDoc),
    ...(w.initContainers ? { initContainers: w.initContainers.map((c) => ({ ...containerDoc(c), ...(c.restartPolicy ? { restartPolicy: c.restartPolicy } : {}) })) } : {}),
    ...(w.overhead ? { overhead: resourcesDoc(w.overhead) } : {}),
    ...(placement ? { placement } : {}),
    ...(w.gpus ? { gpus: { count: w.gpus.count, milli: w.gpus.milli, ...(w.gpus.models.length ? { models: [...w.gpus.models] } : {}) } } : {}),
  };
}

function taintDoc(t: Taint): Doc {
  return { key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect };
}

/** A node as a scenario `nodes:` entry: capacity, allocatable, labels, own taints, cordon, GPUs. */
export function nodeDoc(n: Node): Doc {
  return {
    name: n.name,
    capacity: resourcesDoc(n.capacity),
    allocatable: resourcesDoc(n.allocatable),
    ...(Object.keys(n.labels).length ? { labels: { ...n.labels } } : {}),
    ...(n.taints.length ? { taints: n.taints.map(taintDoc) } : {}),
    ...(n.unschedulable ? { unschedulable: true } : {}),
    ...(n.gpus ? { gpus: { model: n.gpus.model, count: n.gpus.count } } : {}),
  };
}
