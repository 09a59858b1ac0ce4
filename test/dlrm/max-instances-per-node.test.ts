/**
 * MaxInstancesPerNode (the DLRM trace's max_instance_per_node): at most N instances of an app per
 * node, through the real control plane under every policy the DLRM comparison uses.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { simulate } from '../../src/run/simulate.js';
import { ERR_REASON_MAX_INSTANCES, MAX_INSTANCES_LABEL, instanceCap } from '../../src/scheduler/plugins/max-instances-per-node/index.js';
import { PROFILES } from '../../src/scheduler/profiles.js';
import type { PodInfo } from '../../src/scheduler/framework/pod.js';
import { traceParts } from '../support/trace-parts.js';

function scenario(scheduler: string, replicas: number, cap: string | undefined): string {
  const labels = cap === undefined ? '{app: svc}' : `{app: svc, ${MAX_INSTANCES_LABEL}: "${cap}"}`;
  return `name: cap
duration: 5m
scheduler: ${scheduler}
nodes:
  - {name: "node-{i}", count: 3, capacity: {cpu: 64, memory: 64Gi}}
workloads:
  - name: svc
    replicas: ${replicas}
    labels: ${labels}
    containers: [{name: c, image: svc:1, requests: {cpu: 1, memory: 1Gi}}]
`;
}

async function run(scheduler: string, replicas: number, cap: string | undefined) {
  const perNode: Record<string, number> = {};
  const reasons: string[] = [];
  const summary = await simulate(parseScenario(scenario(scheduler, replicas, cap), 'cap.yaml'), {
    onEvent: traceParts((type, f) => {
      if (type === 'instance.scheduled') perNode[String(f.node)] = (perNode[String(f.node)] ?? 0) + 1;
      if (type === 'instance.unschedulable') reasons.push(String(f.message));
    }),
  });
  return { perNode, reasons, svc: summary.workloads.find((w) => w.name === 'svc')! };
}

describe('MaxInstancesPerNode', () => {
  it('is in every built-in profile the DLRM comparison uses', () => {
    for (const p of ['default', 'best-fit', 'spread', 'first-fit']) {
      expect(PROFILES[p].plugins.map((c) => c.name)).toContain('MaxInstancesPerNode');
    }
  });

  it('reads the cap from the label; anything but a positive integer is no cap', () => {
    const pod = (v: string | undefined) => ({ labels: v === undefined ? {} : { [MAX_INSTANCES_LABEL]: v } }) as unknown as PodInfo;
    expect([pod('2'), pod('16'), pod('0'), pod('-1'), pod('x'), pod('1.5'), pod(undefined)].map(instanceCap)).toEqual([2, 16, undefined, undefined, undefined, undefined, undefined]);
  });

  for (const policy of ['default', 'best-fit', 'spread']) {
    it(`${policy}: cap 2 on 3 nodes spreads 6 instances 2-2-2; a 7th stays pending with the reason`, async () => {
      const six = await run(policy, 6, '2');
      expect(Object.values(six.perNode).sort()).toEqual([2, 2, 2]);
      expect(six.svc).toMatchObject({ running: 6, pending: 0 });

      const seven = await run(policy, 7, '2');
      expect(Object.values(seven.perNode).sort()).toEqual([2, 2, 2]);
      expect(seven.svc).toMatchObject({ running: 6, pending: 1 });
      expect(seven.reasons.at(-1)).toContain(ERR_REASON_MAX_INSTANCES);
    });
  }

  it('without the label best-fit packs all 7 on one node (the cap is what spreads them)', async () => {
    const r = await run('best-fit', 7, undefined);
    expect(Object.values(r.perNode)).toEqual([7]);
  });
});
