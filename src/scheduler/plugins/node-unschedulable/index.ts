/**
 * NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate the
 * `node.kubernetes.io/unschedulable:NoSchedule` taint.
 */
import { argsObject } from '../../framework/args.js';
import { toleratesAny } from '../../framework/helpers.js';
import { unresolvable, type Plugin } from '../../framework/types.js';

export const NODE_UNSCHEDULABLE = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' } as const;
const CORDONED = unresolvable(ERR_REASON_UNSCHEDULABLE);

export function nodeUnschedulable(args?: unknown): Plugin {
  argsObject(NODE_UNSCHEDULABLE, args, []);
  return {
    name: NODE_UNSCHEDULABLE,
    filter: (cx, i) => {
      if (cx.table.unschedulable[i] === 0) return undefined;
      return toleratesAny(cx.pod.placement.tolerations ?? [], TAINT) ? undefined : CORDONED;
    },
    filterAll: (cx, nodes, count, statuses) => {
      const cordoned = cx.table.unschedulable;
      let tolerates: boolean | undefined; // the same for every node: computed on the first cordoned one
      let m = 0;
      for (let k = 0; k < count; k++) {
        const i = nodes[k];
        if (cordoned[i] !== 0 && !(tolerates ??= toleratesAny(cx.pod.placement.tolerations ?? [], TAINT))) statuses[i] = CORDONED;
        else nodes[m++] = i;
      }
      return m;
    },
  };
}
