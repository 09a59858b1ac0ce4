import { duration, obj, opt } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, seconds, targetFields, type NodeTarget } from './fault-definition.js';
import type { FaultContext } from './fault-target.js';

/** The node dies: its containers die with it, it stops heartbeating; it boots again (empty) after `recoverAfter`. */
export interface NodeCrash extends NodeTarget {
  readonly kind: 'nodeCrash';
  readonly recoverAfter?: Millis;
}

/**
 * Node crash: the node dies with its containers and stops heartbeating; the control plane sees
 * it go NotReady, then Down, and replaces its instances after the eviction grace. With
 * `recoverAfter` it boots again, empty but for its image cache (a restart).
 *
 * Live (Docker, OCI): the node's engine is frozen (Docker: SIGSTOP to dockerd from its pid file),
 * so it stops answering; `recoverAfter` thaws it (SIGCONT). Its containers keep running, as on a
 * partitioned machine: after recovery the control plane finds them orphaned (their instances were
 * replaced) and removes them. Live runs target one node by `node`.
 */
export const nodeCrash = defineFault({
  kind: 'nodeCrash',
  summary: 'the node dies with its containers; it boots again, empty, after recoverAfter',
  schema: obj({ ...targetFields, recoverAfter: opt(duration(true)) }),
  load: (c, ctx): NodeCrash => ({
    kind: 'nodeCrash',
    ...ctx.target(c),
    ...(c.recoverAfter !== undefined ? { recoverAfter: c.recoverAfter } : {}),
  }),
  targeting: 'node',
  inject: (f, nodes, ctx) => crashAndBoot(nodes, f.recoverAfter, ctx),
  backends: ['sim', 'docker', 'oci'],
  live: {
    refuse: (f) => (f.node === undefined ? 'live node faults target one node by `node` (not `nodes` or `selector`)' : undefined),
    async inject(f, target, clock, recorder) {
      if (f.node === undefined) {
        // Live runs target one named node; `nodes`/`selector` targeting is simulation-only.
        recorder.record('fault.node_crash', { applied: false, detail: 'live node faults need `node`' });
        return;
      }
      const node = f.node;
      const r = await target.crashNode(node);
      recorder.record('fault.node_crash', {
        node: f.node,
        applied: r.applied,
        ...(f.recoverAfter !== undefined ? { recoverAfter: f.recoverAfter } : {}),
        detail: r.detail,
      });
      if (r.applied && f.recoverAfter !== undefined) {
        await clock.sleep(f.recoverAfter);
        const b = await target.bootNode(node);
        recorder.record('fault.node_boot', { node, applied: b.applied, detail: b.detail });
      }
    },
  },
  fuzz: (d) => ({ ...d.target, recoverAfter: seconds(d.durationS) }),
});

/** Crashes each node now and, with `recoverAfter`, boots it again that much later. */
export function crashAndBoot(nodes: readonly string[], recoverAfter: number | undefined, ctx: FaultContext): void {
  const { target, clock, recorder } = ctx;
  for (const node of nodes) {
    const crashed = target.crashNode(node);
    recorder.record('fault.node_crash', { node, applied: crashed, ...(recoverAfter !== undefined ? { recoverAfter } : {}) });
    if (crashed && recoverAfter !== undefined) {
      clock.setTimer(recoverAfter, () => {
        const booted = target.bootNode(node);
        recorder.record('fault.node_boot', { node, applied: booted });
      });
    }
  }
}
