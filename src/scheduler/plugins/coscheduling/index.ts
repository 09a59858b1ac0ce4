/**
 * Coscheduling (gangs; as in kubernetes-sigs/scheduler-plugins, not in kube-scheduler): Permit
 * holds every member of a gang (placement.gang) until at least `minMember` members are reserved
 * or bound, then allows them all; if the attempt ends first, all waiting members are unreserved.
 * The group is placed all together or not at all.
 */
import { argsObject } from '../../framework/args.js';
import type { Plugin } from '../../framework/types.js';

export const COSCHEDULING = 'Coscheduling';

export function coscheduling(args?: unknown): Plugin {
  argsObject(COSCHEDULING, args, []);
  return {
    name: COSCHEDULING,
    permit: (cx) => {
      const gang = cx.pod.placement.gang;
      if (!gang) return 'allow';
      let members = 0;
      for (const pods of cx.table.pods) for (const p of pods) if (p.placement.gang?.name === gang.name && !p.terminating) members++;
      return members >= gang.minMember ? 'allow' : 'wait';
    },
  };
}
