/**
 * Typed errors. Expected outcomes (no placement, a container that exited) are values, not errors;
 * these are for failures of an operation and for bad input.
 */
export type OrchestrationErrorCode =
  | 'NodeNotFound'
  | 'NodeUnreachable'
  | 'WorkloadNotFound'
  | 'ContainerNotFound'
  | 'InsufficientResources'
  | 'ImagePullFailed'
  | 'Runtime'
  | 'Scheduling'
  | 'Cluster'
  | 'State'
  | 'Config'
  | 'Internal';

export class OrchestrationError extends Error {
  readonly code: OrchestrationErrorCode;
  constructor(code: OrchestrationErrorCode, message: string) {
    super(message);
    this.name = 'OrchestrationError';
    this.code = code;
  }
}

export const nodeNotFound = (id: string) => new OrchestrationError('NodeNotFound', `node not found: ${id}`);
export const nodeUnreachable = (id: string, why = 'no response') =>
  new OrchestrationError('NodeUnreachable', `node ${id} unreachable: ${why}`);
export const containerNotFound = (id: string) =>
  new OrchestrationError('ContainerNotFound', `container not found: ${id}`);

/**
 * Bad user input (scenario files, CLI flags). The CLI prints `message` alone and exits 2.
 * `problems` holds every problem found when there were several (`message` is the first);
 * `slipway validate` prints them all.
 */
export class InputError extends Error {
  readonly problems: readonly string[];
  constructor(message: string, problems?: readonly string[]) {
    super(message);
    this.name = 'InputError';
    this.problems = problems !== undefined && problems.length > 0 ? problems : [message];
  }
}

/** Simulated code reached for real time, real randomness or real timers. */
export class DeterminismError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeterminismError';
  }
}
