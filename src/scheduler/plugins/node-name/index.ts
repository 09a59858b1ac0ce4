/** NodeName: a pod with `nodeName` fits only the node of that name. */
import { argsObject } from '../../framework/args.js';
import { filterEachNode } from '../../framework/helpers.js';
import { unresolvable, type CycleContext, type Plugin } from '../../framework/types.js';

export const NODE_NAME = 'NodeName';
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";
const MISMATCH = unresolvable(ERR_REASON_NODE_NAME);

export function nodeName(args?: unknown): Plugin {
  argsObject(NODE_NAME, args, []);
  const filter = (cx: CycleContext, i: number) => (cx.table.names[i] === cx.pod.placement.nodeName ? undefined : MISMATCH);
  return {
    name: NODE_NAME,
    preFilter: (cx) => (cx.pod.placement.nodeName === undefined ? 'skip' : undefined),
    filter,
    filterAll: filterEachNode(filter),
  };
}
