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
  /** The instance's network could not be set up (no address left in the node's pod CIDR, a CNI plugin failed). */
  | 'Network'
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

/**
 * Writing an output failed after the pre-check (a full disk, an I/O error): the CLI prints
 * `message` alone (one line, e.g. `no space left on /mnt/small writing out/trace.jsonl`), no replay
 * line, and exits 1. No file is left under its final name.
 */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

/** A command stopped by SIGINT or SIGTERM: the CLI prints `message` and exits 128 + the signal's number. */
export class InterruptedError extends Error {
  constructor(readonly signal: 'SIGINT' | 'SIGTERM', message: string) {
    super(message);
    this.name = 'InterruptedError';
  }
}

/** 130 for SIGINT, 143 for SIGTERM (128 + the signal number, as shells report it). */
export function signalExitCode(signal: 'SIGINT' | 'SIGTERM'): number {
  return signal === 'SIGINT' ? 130 : 143;
}
