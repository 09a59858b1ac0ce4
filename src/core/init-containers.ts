/**
 * Init and sidecar containers (Kubernetes' podSpec.initContainers) in an instance's lifecycle, as
 * the kubelet runs them:
 *
 * 1. the init containers start one after another, in order: an `init` one must exit 0 before the
 *    next starts; a `sidecar` one (`restartPolicy: Always`) only has to have started;
 * 2. then the regular containers start (all of them, in order, as without init containers);
 * 3. sidecars keep running beside them and are restarted (with back-off) when they exit; they are
 *    stopped after the regular containers.
 *
 * An init container that exits non-zero fails the instance (`init container X exited with code
 * N`): the slot is refilled with the usual back-off (restartPolicy Always/OnFailure; Never leaves
 * it failed). Status rules: init containers never make an instance Running or Succeeded; a
 * finished init container and a sidecar do not count among the containers whose exit ends it.
 *
 * The Orchestrator drives the steps (startContainers); this module holds the pure parts.
 */
import type { ContainerRole, ContainerSpec, InstanceContainer, Workload } from './types.js';

/** The label that marks an init container (`init`) or a sidecar (`sidecar`) on the runtime. */
export const ROLE_LABEL = 'slipway.role';

/** One container in the order an instance starts them. */
export interface LifecycleStep {
  readonly spec: ContainerSpec;
  /** Absent for a regular container. */
  readonly role?: ContainerRole;
}

/** An init container's role: a sidecar when it has `restartPolicy: Always`. */
export function roleOf(spec: ContainerSpec): ContainerRole {
  return spec.restartPolicy === 'Always' ? 'sidecar' : 'init';
}

/** The role a runtime label names (undefined for a regular container or an unknown value). */
export function roleFromLabel(value: string | undefined): ContainerRole | undefined {
  return value === 'init' || value === 'sidecar' ? value : undefined;
}

/** Whether the workload has init containers (sidecars included). */
export function hasInitContainers(w: Pick<Workload, 'initContainers'>): boolean {
  return w.initContainers !== undefined && w.initContainers.length > 0;
}

/** The instance's containers in the order they start: the init containers, then the regular ones. */
export function lifecycleOf(w: Pick<Workload, 'containers' | 'initContainers'>): LifecycleStep[] {
  const steps: LifecycleStep[] = [];
  for (const spec of w.initContainers ?? []) steps.push({ spec, role: roleOf(spec) });
  for (const spec of w.containers) steps.push({ spec });
  return steps;
}

/** A new instance's container records, in {@link lifecycleOf}'s order, none created yet. */
export function containerRecords(w: Pick<Workload, 'containers' | 'initContainers'>): InstanceContainer[] {
  if (!hasInitContainers(w)) return w.containers.map((c) => ({ name: c.name, state: 'creating' }));
  return lifecycleOf(w).map(({ spec, role }) => (role !== undefined ? { name: spec.name, role, state: 'creating' } : { name: spec.name, state: 'creating' }));
}

/** Where an instance's init phase stands, from its container records. */
export interface InitProgress {
  /** The first init container that exited non-zero (or vanished: no code). */
  readonly failed?: { readonly name: string; readonly code?: number };
  /** Init containers (not sidecars) that exited 0. */
  readonly completed: number;
  /** Init containers (not sidecars). */
  readonly total: number;
  /** Every init container exited 0 and every sidecar was started: the regular containers may start. */
  readonly done: boolean;
}

export function initProgress(containers: readonly InstanceContainer[]): InitProgress {
  let failed: InitProgress['failed'];
  let completed = 0;
  let total = 0;
  let done = true;
  for (const c of containers) {
    if (c.role === 'init') {
      total++;
      if (c.state === 'exited' && c.exitCode === 0) completed++;
      else {
        done = false;
        if (c.state === 'exited') failed ??= c.exitCode === undefined ? { name: c.name } : { name: c.name, code: c.exitCode };
      }
    } else if (c.role === 'sidecar' && c.state === 'creating' && (c.restarts ?? 0) === 0) done = false; // not started yet
  }
  return { ...(failed ? { failed } : {}), completed, total, done };
}
