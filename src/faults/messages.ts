import { def, distribution, duration, listOf, obj, oneOf, opt, probability, req } from '../core/fields.js';
import type { Distribution, Millis } from '../core/types.js';
import { defineFault, seconds, targetFields, type MessageKind, type NodeTarget } from './fault-definition.js';

export const MESSAGE_KINDS = ['heartbeat', 'status', 'rpc', 'gossip'] as const satisfies readonly MessageKind[];

/** Control messages of `kinds` to and from the node are dropped, duplicated or delayed for `duration`. */
export interface Messages extends NodeTarget {
  readonly kind: 'messages';
  readonly duration: Millis;
  readonly kinds: readonly MessageKind[];
  /** Probability each message is lost. */
  readonly drop: number;
  /** Probability each message is delivered twice. */
  readonly duplicate: number;
  /** Extra one-way delay added to each message. */
  readonly delay?: Distribution;
}

/**
 * Unreliable control messages: for `duration`, each message of `kinds` (heartbeat, status, rpc)
 * to or from the nodes is lost with probability `drop`, delivered twice with probability
 * `duplicate`, and delayed by a draw of `delay` (see backends/sim/sim-network.ts).
 */
export const messages = defineFault({
  kind: 'messages',
  summary: 'control messages to and from the node are dropped, duplicated or delayed for duration',
  schema: obj({
    ...targetFields,
    duration: req(duration(true)),
    kinds: def(listOf(oneOf(MESSAGE_KINDS), true), [...MESSAGE_KINDS]),
    drop: def(probability, 0),
    duplicate: def(probability, 0),
    delay: opt(distribution),
  }),
  load: (m, ctx): Messages => ({
    kind: 'messages',
    ...ctx.target(m),
    duration: m.duration,
    kinds: m.kinds,
    drop: m.drop,
    duplicate: m.duplicate,
    ...(m.delay !== undefined ? { delay: m.delay } : {}),
  }),
  targeting: 'node',
  inject(f, nodes, ctx) {
    const end = ctx.target.degradeMessages(nodes, {
      kinds: f.kinds,
      drop: f.drop,
      duplicate: f.duplicate,
      ...(f.delay !== undefined ? { delay: f.delay } : {}),
    });
    ctx.recorder.record('fault.messages', { nodes, kinds: f.kinds, drop: f.drop, duplicate: f.duplicate, duration: f.duration });
    ctx.clock.setTimer(f.duration, () => {
      end();
      ctx.recorder.record('fault.messages_end', { nodes });
    });
  },
  backends: ['sim'],
  fuzz: (d) => ({
    ...d.target,
    duration: seconds(d.durationS),
    drop: (d.p % 51) / 100,
    duplicate: (d.q % 51) / 100,
    ...(d.q % 2 === 0 ? { delay: { exponential: `${1 + (d.p % 2000)}ms` } } : {}),
  }),
});
