/**
 * `cluster.network` and node `podCidr` in scenario files: accepted shapes, and bad input as one
 * `FILE:LINE:COL: message` line (the CLI then exits 2, test/net/network-cli.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { parseScenario } from '../../src/run/parse-scenario.js';

const HEAD = 'name: t\nduration: 1m\n';
const NODES = 'nodes:\n  - {name: "n-{i}", count: 2, capacity: {cpu: 1, memory: 1Gi}}\n';

function problem(text: string): string {
  try {
    parseScenario(text, 's.yaml');
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  return 'no problem';
}

describe('cluster.network', () => {
  it('is absent unless given: no network model', () => {
    expect(parseScenario(HEAD + NODES, 's.yaml').cluster?.network).toBeUndefined();
  });

  it('takes podCidr and a node mask (default /24)', () => {
    const s = parseScenario(`${HEAD}cluster:\n  network: {podCidr: 10.244.0.0/16}\n${NODES}`, 's.yaml');
    expect(s.cluster?.network).toEqual({ podCidr: '10.244.0.0/16', nodeCidrMaskSize: 24 });
    expect(s.cluster?.membership).toBe('heartbeat');
  });

  it('takes a node podCidr', () => {
    const s = parseScenario(
      `${HEAD}cluster:\n  network: {podCidr: 10.244.0.0/16, nodeCidrMaskSize: 26}\nnodes:\n  - {name: a, capacity: {cpu: 1, memory: 1Gi}, podCidr: 10.99.0.0/28}\n`,
      's.yaml',
    );
    expect(s.nodes[0].podCidr).toBe('10.99.0.0/28');
  });

  it.each<[string, string, string]>([
    ['not a CIDR', `cluster:\n  network: {podCidr: banana}\n${NODES}`, 's.yaml:4:22: cluster.network.podCidr: expected an IPv4 CIDR such as 10.244.0.0/16, got "banana"'],
    ['an octet above 255', `cluster:\n  network: {podCidr: 10.300.0.0/16}\n${NODES}`, 's.yaml:4:22: cluster.network.podCidr: "10.300.0.0" is not an IPv4 address (expected an IPv4 CIDR such as 10.244.0.0/16)'],
    ['host bits set', `cluster:\n  network: {podCidr: 10.244.1.0/16}\n${NODES}`, 's.yaml:4:22: cluster.network.podCidr: 10.244.1.0/16 has host bits set: for a /16 the network address is 10.244.0.0 (write 10.244.0.0/16)'],
    ['a prefix above 32', `cluster:\n  network: {podCidr: 10.0.0.0/33}\n${NODES}`, 's.yaml:4:22: cluster.network.podCidr: prefix length /33 is above /32'],
    ['a missing podCidr', `cluster:\n  network: {nodeCidrMaskSize: 24}\n${NODES}`, 's.yaml:4:12: cluster.network: missing required key "podCidr"'],
    ['a node mask shorter than the cluster prefix', `cluster:\n  network: {podCidr: 10.244.0.0/16, nodeCidrMaskSize: 8}\n${NODES}`, 's.yaml:4:55: cluster.network.nodeCidrMaskSize: /8 is larger than the cluster\'s pod CIDR 10.244.0.0/16; give a prefix length from 16 to 30'],
    ['a node mask too small to allocate from', `cluster:\n  network: {podCidr: 10.244.0.0/16, nodeCidrMaskSize: 31}\n${NODES}`, 's.yaml:4:55: cluster.network.nodeCidrMaskSize: expected an integer from 0 to 30, got 31'],
    ['more than 16 bits of node blocks', `cluster:\n  network: {podCidr: 10.0.0.0/8, nodeCidrMaskSize: 26}\n${NODES}`, "s.yaml:4:52: cluster.network.nodeCidrMaskSize: /26 cuts 10.0.0.0/8 into 2^18 node blocks; kube-controller-manager allows at most 16 bits more than the cluster's /8 (use 24 or less)"],
    ['a node podCidr without a network', `nodes:\n  - {name: a, capacity: {cpu: 1, memory: 1Gi}, podCidr: 10.0.0.0/24}\n`, 's.yaml:4:57: nodes[0].podCidr: a node podCidr needs the pod network: add cluster.network: {podCidr: 10.244.0.0/16} (docs/networking.md)'],
    ['one podCidr for several nodes', `cluster:\n  network: {podCidr: 10.244.0.0/16}\nnodes:\n  - {name: "n-{i}", count: 2, capacity: {cpu: 1, memory: 1Gi}, podCidr: 10.0.0.0/24}\n`, 's.yaml:6:73: nodes[0].podCidr: one podCidr cannot serve 2 nodes (count: 2); give each node its own entry, or leave podCidr out so each gets a block of cluster.network.podCidr'],
    ['overlapping node podCidrs', `cluster:\n  network: {podCidr: 10.244.0.0/16}\nnodes:\n  - {name: a, capacity: {cpu: 1, memory: 1Gi}, podCidr: 10.0.0.0/24}\n  - {name: b, capacity: {cpu: 1, memory: 1Gi}, podCidr: 10.0.0.128/25}\n`, 's.yaml:7:57: nodes[1].podCidr: 10.0.0.128/25 of node "b" overlaps 10.0.0.0/24 of node "a" (nodes[0].podCidr)'],
    ['a node podCidr of /31', `cluster:\n  network: {podCidr: 10.244.0.0/16}\nnodes:\n  - {name: a, capacity: {cpu: 1, memory: 1Gi}, podCidr: 10.0.0.0/31}\n`, 's.yaml:6:57: nodes[0].podCidr: 10.0.0.0/31 is too small to allocate from (host-local needs /30 or larger)'],
    ['an addNode podCidr without a network', `${NODES}operations:\n  - {at: 10s, addNode: {name: x, capacity: {cpu: 1, memory: 1Gi}, podCidr: 10.0.0.0/24}}\n`, 's.yaml:6:76: operations[0].addNode.podCidr: a node podCidr needs the pod network: add cluster.network: {podCidr: 10.244.0.0/16} (docs/networking.md)'],
  ])('%s', (_, rest, message) => {
    expect(problem(HEAD + rest)).toBe(message);
  });
});
