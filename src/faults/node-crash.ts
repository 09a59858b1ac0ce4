import type { Clock, Recorder } from '../core/interfaces.js';
import type { Fault } from '../scenario/types.js';
import type { FaultTarget } from './fault-target.js';

type NodeCrash = Extract<Fault, { kind: 'nodeCrash' }>;

/**
 * Node crash: the node dies with its containers and stops heartbeating; the control plane sees
 * it go NotReady, then Down, and replaces its instances after the eviction grace. With
 * `recoverAfter` it boots again, empty but for its image cache.
 */
export function injectNodeCrash(f: NodeCrash, target: FaultTarget, clock: Clock, recorder: Recorder): void {
  const crashed = target.crashNode(f.node);
  recorder.record('fault.node_crash', { node: f.node, applied: crashed, ...(f.recoverAfter !== undefined ? { recoverAfter: f.recoverAfter } : {}) });
  if (crashed && f.recoverAfter !== undefined) {
    clock.setTimer(f.recoverAfter, () => {
      const booted = target.bootNode(f.node);
      recorder.record('fault.node_boot', { node: f.node, applied: booted });
    });
  }
}
