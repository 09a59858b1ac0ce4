/**
 * A pod's effective resource request, as Kubernetes computes it (k8s.io/component-helpers
 * resource.PodRequests, used by kube-scheduler's NodeResourcesFit and its scores):
 *
 *   containers  = Σ regular containers + Σ restartable init ("sidecar") containers
 *   initUse(i)  = Σ sidecars declared before init container i + request(i)      (a plain init container)
 *               = Σ sidecars up to and including i                              (a sidecar)
 *   request     = max(containers, max_i initUse(i)) + overhead                  (per resource)
 *
 * Plain init containers run one at a time before the main containers, so only the largest counts;
 * sidecars keep running next to everything started after them. `overhead` is PodSpec.overhead
 * (what RuntimeClass admission sets). This is the one place that aggregates container requests:
 * the scheduler, the scenario loader, the control plane and explain all call it.
 */
import { addInto, tally, type Resources, type ResourceTally } from './resources.js';

/** One container's part in the aggregation. */
export interface ContainerRequest {
  readonly requests: Resources;
  /** Resources the container requests explicitly as 0 (see ContainerSpec.zeroRequests). */
  readonly zeroRequests?: readonly ('cpu' | 'memory')[];
  /** Init containers only: `Always` makes it a restartable init ("sidecar") container. */
  readonly restartPolicy?: 'Always';
}

/** What of a pod its effective request depends on. */
export interface PodResourceSpec {
  readonly containers: readonly ContainerRequest[];
  readonly initContainers?: readonly ContainerRequest[];
  readonly overhead?: Resources;
}

function maxInto(acc: ResourceTally, r: Resources): void {
  if (r.cpu > acc.cpu) acc.cpu = r.cpu;
  if (r.memory > acc.memory) acc.memory = r.memory;
  if (r.disk > acc.disk) acc.disk = r.disk;
  for (const k of Object.keys(r.extended)) {
    if (r.extended[k] > (acc.extended[k] ?? 0)) acc.extended[k] = r.extended[k];
  }
}

/**
 * The pod's effective request (see the file comment). `each` gives a container's request vector
 * (default: its `requests`); non-zero scoring passes one that fills absent cpu/memory with defaults,
 * as upstream's NonMissingContainerRequests option does, for init containers too.
 */
export function podRequests(pod: PodResourceSpec, each: (c: ContainerRequest) => Resources = (c) => c.requests): Resources {
  const reqs = tally();
  for (const c of pod.containers) addInto(reqs, each(c));
  const inits = pod.initContainers;
  if (inits && inits.length > 0) {
    const initMax = tally();
    const sidecars = tally();
    for (const c of inits) {
      const r = each(c);
      if (c.restartPolicy === 'Always') {
        addInto(reqs, r);
        addInto(sidecars, r);
        maxInto(initMax, sidecars);
      } else {
        const use = tally();
        addInto(use, r);
        addInto(use, sidecars);
        maxInto(initMax, use);
      }
    }
    maxInto(reqs, initMax);
  }
  if (pod.overhead) addInto(reqs, pod.overhead);
  return reqs;
}

/** The images a pod pulls, init containers first (ImageLocality counts them all). */
export function podImages(pod: { readonly containers: ReadonlyArray<{ readonly image?: string }>; readonly initContainers?: ReadonlyArray<{ readonly image?: string }> }): string[] {
  const out: string[] = [];
  for (const c of pod.initContainers ?? []) if (c.image) out.push(c.image);
  for (const c of pod.containers) if (c.image) out.push(c.image);
  return out;
}
