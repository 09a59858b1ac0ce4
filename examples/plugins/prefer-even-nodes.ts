/**
 * An example user plugin: `slipway explain SNAPSHOT --plugin examples/plugins/prefer-even-nodes.ts`.
 * Scores 100 for nodes whose name ends in an even digit, 0 otherwise; with args {invert: true},
 * the opposite. A profile names it like any built-in plugin: {name: PreferEvenNodes, weight: 1}.
 */
import type { CycleContext, Plugin } from '../../src/scheduler/framework/types.js';

export const name = 'PreferEvenNodes';

export function create(args: unknown): Plugin {
  const invert = typeof args === 'object' && args !== null && (args as { invert?: unknown }).invert === true;
  return {
    name,
    score: (cx: CycleContext, i: number) => {
      const even = /[02468]$/.test(cx.table.names[i]);
      return even !== invert ? 100 : 0;
    },
  };
}
