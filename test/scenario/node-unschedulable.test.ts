/**
 * A node that starts cordoned (`unschedulable: true` on a scenario node, or a Node manifest's
 * `spec.unschedulable: true`): Ready, but NodeUnschedulable keeps new pods off it until an
 * `uncordon` operation; and a manifest's other unmodelled fields are each warned about once.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { simulate } from '../../src/run/simulate.js';
import { traceParts } from '../support/trace-parts.js';

async function records(yaml: string) {
  const s = parseScenario(yaml, 'u.yaml');
  const recs: Array<{ t: number; type: string; f: Record<string, unknown> }> = [];
  await simulate(s, { onEvent: traceParts((type, f, t) => recs.push({ t, type, f: structuredClone(f) })) });
  return { s, recs };
}

const manifests = (unschedulable: string) => `name: cordoned
duration: 2m
scheduler: default
manifests:
  - apiVersion: v1
    kind: Node
    metadata: {name: a}
    spec: {unschedulable: ${unschedulable}}
    status: {capacity: {cpu: "8", memory: 16Gi}}
  - apiVersion: v1
    kind: Node
    metadata: {name: b}
    status: {capacity: {cpu: "2", memory: 4Gi}}
  - apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec: {containers: [{name: c, image: app, resources: {requests: {cpu: "1"}}}]}
`;

describe('nodes that start cordoned', () => {
  it('a Node manifest with spec.unschedulable: true takes no pods (the roomier node would win otherwise)', async () => {
    const { s, recs } = await records(manifests('true'));
    expect(s.warnings ?? []).toEqual([]);
    expect(s.nodes.map((n) => [n.name, n.unschedulable === true])).toEqual([['a', true], ['b', false]]);
    expect(recs.filter((r) => r.type === 'node.added').map((r) => [r.f.node, r.f.unschedulable])).toEqual([['a', true], ['b', false]]);
    const placed = recs.filter((r) => r.type === 'instance.scheduled').map((r) => r.f.node);
    expect(placed).toEqual(['b']);
    const free = await records(manifests('false'));
    expect(free.recs.filter((r) => r.type === 'instance.scheduled').map((r) => r.f.node)).toEqual(['a']);
  });

  it('a scenario node with unschedulable: true leaves the pod pending (NodeUnschedulable) until a drain uncordons it', async () => {
    const { recs } = await records(`name: only-cordoned
duration: 2m
scheduler: default
nodes:
  - {name: a, capacity: {cpu: 4, memory: 8Gi}, unschedulable: true}
workloads:
  - {name: w, replicas: 1, containers: [{name: c, image: app, requests: {cpu: 1}}]}
faults:
  - {at: 30s, drain: {node: a, duration: 30s}}
`);
    const unsched = recs.find((r) => r.type === 'instance.unschedulable')!;
    expect(unsched.f.reasons).toEqual({ 'node(s) were unschedulable': 1 });
    const placed = recs.filter((r) => r.type === 'instance.scheduled');
    expect(placed.map((r) => [r.t >= 60_000, r.f.node])).toEqual([[true, 'a']]);
  });

  it('a bad unschedulable value is bad input at its position', () => {
    expect(() => parseScenario(manifests('"yes"'), 'u.yaml')).toThrow('u.yaml:5:5: manifests[0] (Node/a).unschedulable: expected true or false, got "yes"');
  });
});
