import type { Fault } from '../scenario/types.js';
import type { FaultContext } from './fault-target.js';

type NodeCrash = Extract<Fault, { kind: 'nodeCrash' }>;
type ZoneOutage = Extract<Fault, { kind: 'zoneOutage' }>;

/**
 * Node crash: the node dies with its containers and stops heartbeating; the control plane sees
 * it go NotReady, then Down, and replaces its instances after the eviction grace. With
 * `recoverAfter` it boots again, empty but for its image cache (a restart).
 */
export function injectNodeCrash(f: NodeCrash, nodes: readonly string[], ctx: FaultContext): void {
  crashAndBoot(nodes, f.recoverAfter, 'fault.node_crash', ctx);
}

/** Zone outage: every node of the target crashes at once and boots again after `duration`. */
export function injectZoneOutage(f: ZoneOutage, nodes: readonly string[], ctx: FaultContext): void {
  ctx.recorder.record('fault.zone_outage', { nodes, duration: f.duration });
  crashAndBoot(nodes, f.duration, 'fault.node_crash', ctx);
}

function crashAndBoot(nodes: readonly string[], recoverAfter: number | undefined, type: string, ctx: FaultContext): void {
  const { target, clock, recorder } = ctx;
  for (const node of nodes) {
    const crashed = target.crashNode(node);
    recorder.record(type, { node, applied: crashed, ...(recoverAfter !== undefined ? { recoverAfter } : {}) });
    if (crashed && recoverAfter !== undefined) {
      clock.setTimer(recoverAfter, () => {
        const booted = target.bootNode(node);
        recorder.record('fault.node_boot', { node, applied: booted });
      });
    }
  }
}
