/**
 * Issue #19 item 7: Kubernetes objects as a real cluster writes them — a Node as `kubectl get node
 * -o yaml` prints it (hugepages, ephemeral-storage, attachable volumes), a pod giving only limits
 * (requests default to limits, as the API server defaults them), SCTP ports.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { simulate } from '../../src/run/simulate.js';
import { traceParts } from '../support/trace-parts.js';

/** A Node from `kubectl get node kind-worker -o yaml` (kind v0.20), trimmed of managedFields. */
const KUBECTL_NODE = `  - apiVersion: v1
    kind: Node
    metadata:
      name: kind-worker
      labels: {kubernetes.io/hostname: kind-worker, kubernetes.io/os: linux}
    spec:
      podCIDR: 10.244.1.0/24
    status:
      allocatable: {cpu: "4", ephemeral-storage: 102152044Ki, hugepages-1Gi: "0", hugepages-2Mi: 512Mi, memory: 16318764Ki, pods: "110", attachable-volumes-aws-ebs: "39"}
      capacity: {cpu: "4", ephemeral-storage: 102152044Ki, hugepages-1Gi: "0", hugepages-2Mi: 512Mi, memory: 16318764Ki, pods: "110", attachable-volumes-aws-ebs: "39"}
`;

function scenario(manifests: string): string {
  return `name: kubectl\nduration: 5m\nscheduler: default\nmanifests:\n${manifests}`;
}

function pod(name: string, resources: string, extra = ''): string {
  return `  - apiVersion: v1
    kind: Pod
    metadata: {name: ${name}}
    spec:
      containers: [{name: c, image: busybox, resources: ${resources}${extra}}]
`;
}

async function placements(text: string): Promise<Record<string, string | undefined>> {
  const s = parseScenario(text, 'k.yaml');
  const out: Record<string, string | undefined> = Object.fromEntries(s.workloads.map((w) => [w.name, undefined]));
  await simulate(s, {
    onEvent: traceParts((type, f) => {
      if (type === 'instance.scheduled') out[String(f.workload)] = String(f.node);
    }),
  });
  return out;
}

describe('Kubernetes manifests as kubectl prints them (issue #19 item 7)', () => {
  it('accepts a kubectl Node: hugepages as bytes, ephemeral-storage as disk, zero amounts and attachable volumes dropped', () => {
    const s = parseScenario(scenario(KUBECTL_NODE), 'k.yaml');
    const n = s.nodes[0];
    expect(n.capacity).toMatchObject({ cpu: 4000, memory: 16318764 * 1024, disk: 102152044 * 1024, extended: { 'hugepages-2Mi': 512 * 2 ** 20 } });
    expect(n.capacity.extended).not.toHaveProperty('hugepages-1Gi');
    expect(s.warnings).toContain('Node/kind-worker: status.capacity.attachable-volumes-aws-ebs is not modelled; ignored');
    expect(s.warnings).toContain('Node/kind-worker: spec.podCIDR is not modelled; ignored');
  });

  it('a pod with only limits is fitted by them: two 3-CPU pods do not share a 4-CPU node', async () => {
    const placed = await placements(scenario(KUBECTL_NODE + pod('a', '{limits: {cpu: "3", memory: 1Gi}}') + pod('b', '{limits: {cpu: "3", memory: 1Gi}}')));
    expect(Object.values(placed).filter((n) => n === 'kind-worker')).toHaveLength(1);
    expect(Object.values(placed).filter((n) => n === undefined)).toHaveLength(1);
  });

  it('defaults each missing request to its limit, keeping the requests given', () => {
    const s = parseScenario(scenario(KUBECTL_NODE + pod('a', '{requests: {memory: 256Mi}, limits: {cpu: 1500m, memory: 1Gi, example.com/fpga: "1"}}')), 'k.yaml');
    expect(s.workloads[0].containers[0].requests).toMatchObject({ cpu: 1500, memory: 256 * 2 ** 20, extended: { 'example.com/fpga': 1 } });
  });

  it('hugepages requests fit only nodes that have them, counted in bytes', async () => {
    const small = KUBECTL_NODE.replaceAll('kind-worker', 'small').replaceAll('hugepages-2Mi: 512Mi', 'hugepages-2Mi: "0"');
    const placed = await placements(scenario(small + KUBECTL_NODE + pod('hp', '{limits: {cpu: 100m, memory: 64Mi, hugepages-2Mi: 256Mi}}')));
    expect(placed.hp).toBe('kind-worker');
    expect((await placements(scenario(KUBECTL_NODE + pod('big', '{limits: {hugepages-2Mi: 1Gi}}')))).big).toBeUndefined();
    expect(() => parseScenario(scenario(KUBECTL_NODE.replace('allocatable: {cpu: "4", ephemeral-storage: 102152044Ki, hugepages-1Gi: "0", hugepages-2Mi: 512Mi', 'allocatable: {cpu: "4", ephemeral-storage: 102152044Ki, hugepages-1Gi: "0", hugepages-2Mi: 1Gi')), 'k.yaml')).toThrow(
      /allocatable\.hugepages-2Mi: 1 ?Gi.* is more than the capacity 512 ?Mi/,
    );
  });

  it('accepts SCTP ports (kept as sctp), as the API server does', () => {
    const s = parseScenario(scenario(KUBECTL_NODE + pod('sctp', '{}', ', ports: [{containerPort: 9899, protocol: SCTP}]')), 'k.yaml');
    expect(s.workloads[0].containers[0].ports).toEqual([{ containerPort: 9899, protocol: 'sctp' }]);
  });

  it('a resource name that is none of these is still bad input, naming hugepages-SIZE among the known', () => {
    expect(() => parseScenario(scenario(KUBECTL_NODE.replace('hugepages-2Mi: 512Mi', 'hugepages: 512Mi')), 'k.yaml')).toThrow(
      /unknown resource "hugepages" .*known: cpu, memory, disk, hugepages-SIZE/,
    );
  });
});
