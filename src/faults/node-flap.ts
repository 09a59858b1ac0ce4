import { def, duration, int, obj, req } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, seconds, targetFields, type NodeTarget } from './fault-definition.js';

/** The node crashes and boots again `times` times: down for `down`, then up for `up`, and again. */
export interface NodeFlap extends NodeTarget {
  readonly kind: 'nodeFlap';
  readonly times: number;
  readonly down: Millis;
  readonly up: Millis;
}

/**
 * Node flap: a machine that keeps rebooting (a bad power supply, a kernel panic loop, a
 * watchdog). Each cycle is a `nodeCrash` with `recoverAfter: down` — the node dies with its
 * containers, stops heartbeating, boots again empty — and the next crash comes `up` after the
 * boot. Whether the control plane evicts depends on `down` against `notReadyAfter` and
 * `evictionGrace`; a short `up` puts replacements back on a node that is about to die again.
 *
 * Simulation only. Added as the recipe says (docs/extending.md, "A fault kind"): this file plus
 * one line in FAULTS; it writes the records nodeCrash writes, so the trace format is unchanged.
 */
export const nodeFlap = defineFault({
  kind: 'nodeFlap',
  summary: 'the node crashes and boots again, times times: down for down, up for up',
  schema: obj({ ...targetFields, times: def(int(1, 100), 3), down: req(duration(true)), up: req(duration(true)) }),
  load: (b, ctx): NodeFlap => ({ kind: 'nodeFlap', ...ctx.target(b), times: b.times, down: b.down, up: b.up }),
  targeting: 'node',
  inject(f, nodes, ctx) {
    const { target, clock, recorder } = ctx;
    for (const node of nodes) {
      const cycle = (left: number): void => {
        const crashed = target.crashNode(node);
        recorder.record('fault.node_crash', { node, applied: crashed, recoverAfter: f.down });
        if (!crashed) return;
        clock.setTimer(f.down, () => {
          const booted = target.bootNode(node);
          recorder.record('fault.node_boot', { node, applied: booted });
          if (booted && left > 1) clock.setTimer(f.up, () => cycle(left - 1));
        });
      };
      cycle(f.times);
    }
  },
  backends: ['sim'],
  // p: 1-3 cycles; down from the drawn duration (≥ 1 s); up 10-60 s.
  fuzz: (d) => ({ ...d.target, times: 1 + (d.p % 3), down: seconds(Math.max(1, Math.round(d.durationS / 3))), up: seconds(10 + Math.round(d.q / 2)) }),
});
