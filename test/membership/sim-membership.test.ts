/**
 * Gossip membership inside simulated runs (`cluster.membership`): the control plane's node status
 * follows its own member's view (suspect → NotReady, dead → Down), node crashes are detected in
 * seconds instead of heartbeat ages, lossy members stay in, and runs stay deterministic.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { simulate } from '../../src/run/simulate.js';
import { traceParts } from '../support/trace-parts.js';
import { checkLiveScenario } from '../../src/run/live-backend.js';

function scenario(membership: string, extra = ''): string {
  return `
name: gossip-test
seed: 9
duration: 6m
cluster: {membership: ${membership}}
nodes:
  - {name: "node-{i}", count: 5, capacity: {cpu: 4, memory: 8Gi}}
workloads:
  - name: web
    replicas: 6
    containers: [{name: web, image: nginx:1.25, requests: {cpu: 500m, memory: 512Mi}}]
faults:
  - {at: 1m, nodeCrash: {node: node-2, recoverAfter: 3m}}
${extra}`;
}

async function run(yaml: string) {
  const records: { t: number; type: string; fields: Record<string, unknown> }[] = [];
  const summary = await simulate(parseScenario(yaml, 'test.yaml'), { onEvent: traceParts((type, fields, t) => records.push({ t, type, fields: { ...fields } })) });
  return { summary, records };
}

const statusOf = (records: { type: string; fields: Record<string, unknown> }[], node: string) =>
  records.filter((r) => r.type === 'node.status' && r.fields.node === node).map((r) => `${r.fields.from}→${r.fields.to}`);

describe('gossip membership in simulated runs', () => {
  it('a crashed node is suspected, then declared dead by the protocol, and its instances move; it rejoins after booting', async () => {
    const { summary, records } = await run(scenario('lifeguard'));
    const down = records.find((r) => r.type === 'node.status' && r.fields.node === 'node-2' && r.fields.to === 'Down');
    expect(down, 'node-2 goes Down').toBeDefined();
    // Probe period + suspicion (6 members: min 4 s, Lifeguard's max 24 s) + gossip, not downAfter's 5 minutes.
    expect(down!.t - 60_000).toBeLessThan(40_000);
    expect(statusOf(records, 'node-2')).toEqual(['Ready→NotReady', 'NotReady→Down', 'Down→Ready']);
    const verdict = records.find((r) => r.type === 'member.declared_dead' && r.fields.node === 'node-2');
    expect(verdict?.fields.incarnation).toBe(0);
    expect(records.some((r) => r.type === 'member.view' && r.fields.node === 'node-2' && r.fields.state === 'alive')).toBe(true);
    expect(records.some((r) => r.type === 'membership.stats')).toBe(true);
    expect(summary.workloads.find((w) => w.name === 'web')).toMatchObject({ running: 6, pending: 0 });
    expect(summary.violation).toBeUndefined();
  });

  it('with heartbeats the same crash is only NotReady: Down needs downAfter (5 min), longer than the node stays down', async () => {
    const { records } = await run(scenario('heartbeat'));
    expect(statusOf(records, 'node-2')).toEqual(['Ready→NotReady', 'NotReady→Ready']);
    expect(records.some((r) => r.type.startsWith('member.'))).toBe(false);
  });

  it('the same seed gives the same trace, in every detector', async () => {
    for (const detector of ['swim', 'lifeguard']) {
      const a = await run(scenario(detector));
      const b = await run(scenario(detector));
      expect(b.summary.traceHash).toBe(a.summary.traceHash);
    }
  });

  it('a member losing 30% of its gossip is not declared dead under Lifeguard', async () => {
    const { records } = await run(scenario('lifeguard', '  - {at: 30s, messages: {node: node-4, kinds: [gossip], drop: 0.3, duration: 4m}}'));
    expect(statusOf(records, 'node-4')).not.toContain('NotReady→Down');
  });

  it('slowNode makes a member process gossip late (suspected by others, it refutes); without gossip it does not apply', async () => {
    const slow = '  - {at: 2m, slowNode: {node: node-3, delay: 3s, duration: 1m}}';
    const { records } = await run(scenario('swim', slow));
    expect(records.find((r) => r.type === 'fault.slow_node')?.fields).toMatchObject({ node: 'node-3', delay: 3000, applied: true });
    expect(records.some((r) => r.type === 'member.suspected' && r.fields.node === 'node-3' && r.t > 120_000)).toBe(true);
    expect(records.some((r) => r.type === 'member.refuted' && r.fields.node === 'node-3')).toBe(true);
    expect(records.some((r) => r.type === 'fault.slow_node_end')).toBe(true);
    const hb = await run(scenario('heartbeat', slow));
    expect(hb.records.find((r) => r.type === 'fault.slow_node')?.fields).toMatchObject({ applied: false });
  });

  it('a bad gossip setting names the field', () => {
    expect(() => parseScenario(scenario('lifeguard').replace('{membership: lifeguard}', '{membership: lifeguard, gossip: {probeTimeout: 2s}}'), 'g.yaml')).toThrow(
      /g\.yaml:\d+:\d+: .*probeTimeout \(2000ms\) must be shorter than probeInterval \(1000ms\)/,
    );
    expect(() => parseScenario(scenario('gossip'), 'g.yaml')).toThrow(/g\.yaml:\d+:\d+: .*expected one of "heartbeat", "swim"/);
  });
});

describe('membership: serf', () => {
  it("in simulation runs Serf's twin, memberlist with Lifeguard: the same trace as lifeguard with the same parameters", async () => {
    const serf = await run(scenario('serf'));
    const lifeguard = await run(scenario('lifeguard'));
    expect(serf.records.length).toBeGreaterThan(0);
    // Only run.start differs (it carries the document, which says serf).
    expect(serf.records[0]!.type).toBe('run.start');
    expect(serf.records.slice(1)).toEqual(lifeguard.records.slice(1));
    expect(statusOf(serf.records, 'node-2')).toEqual(['Ready→NotReady', 'NotReady→Down', 'Down→Ready']);
  });

  it('cluster.serf names the agent; it is bad input with another membership, or as anything but HOST:PORT', () => {
    expect(parseScenario(scenario('serf', ''), 'test.yaml').cluster?.serf).toEqual({ rpc: '127.0.0.1:7373', tag: 'slipway-node' });
    const withSerf = (membership: string, rpc: string) => scenario(membership).replace('cluster: {membership: ' + membership + '}', `cluster: {membership: ${membership}, serf: {rpc: "${rpc}"}}`);
    expect(parseScenario(withSerf('serf', '127.0.0.1:27373'), 'test.yaml').cluster?.serf.rpc).toBe('127.0.0.1:27373');
    expect(() => parseScenario(withSerf('lifeguard', '127.0.0.1:7373'), 'test.yaml')).toThrow(/cluster\.serf.*membership: serf only \(membership is lifeguard\)/);
    expect(() => parseScenario(withSerf('serf', 'localhost'), 'test.yaml')).toThrow(/cluster\.serf\.rpc.*HOST:PORT, got "localhost"/);
  });

  it('live backends take heartbeat or serf: a simulator-only detector is bad input naming the file', () => {
    const live = (membership: string) =>
      parseScenario(scenario(membership).replace('capacity: {cpu: 4, memory: 8Gi}}', 'capacity: {cpu: 4, memory: 8Gi}, docker: {host: "unix:///nowhere.sock"}}').replace(/faults:[\s\S]*$/, ''), 'live.yaml');
    expect(() => checkLiveScenario(live('swim'), 'docker')).toThrow(/^live\.yaml: cluster\.membership: swim is the simulator's gossip detector; live backends take heartbeat or serf/);
    expect(() => checkLiveScenario(live('serf'), 'docker')).not.toThrow();
  });
});

describe('the fault catalog under gossip (issue #15: both detectors run with the fault catalog)', () => {
  // scenarios/fault-catalog-tour.yaml (every fault kind, overlapping) with a gossip detector, plus
  // the faults only gossip feels: a slow member, gossip loss everywhere, a second partition.
  const tour = (membership: string) =>
    readFileSync('scenarios/fault-catalog-tour.yaml', 'utf8')
      .replace(/^duration: 1h$/m, `duration: 1h\ncluster: {membership: ${membership}}`)
      .replace(
        /^faults:$/m,
        'faults:\n  - {at: 20m, slowNode: {node: east-1, delay: 3s, duration: 2m}}\n  - {at: 25m, messages: {kinds: [gossip], drop: 0.2, duration: 5m}}\n  - {at: 32m, partition: {node: node-2, duration: 2m}}',
      );

  it.each(['swim', 'lifeguard'])('%s: no invariant violated, every workload converges once the faults heal, the verdicts come from the protocol', async (membership) => {
    const yaml = tour(membership);
    expect(yaml).toContain(`cluster: {membership: ${membership}}`);
    expect(yaml).toContain('slowNode');
    const { summary, records } = await run(yaml);
    expect(summary.violation).toBeUndefined();
    expect(summary.expectations.map((e) => e.status)).toEqual(['pass']);
    expect(summary.ok).toBe(true);
    // The partition at 2m cuts node-1 off from its peers as from the control plane: the group
    // declares it dead (Down) within seconds, not heartbeat ages; it is alive again after it heals.
    const node1 = records.filter((r) => r.type === 'node.status' && r.fields.node === 'node-1' && r.fields.to === 'Down');
    expect(node1[0]!.t - 120_000).toBeLessThan(30_000);
    expect(records.some((r) => r.type === 'member.declared_dead' && r.fields.node === 'node-1')).toBe(true);
    // Every cut heals in the control plane's view too. node-2 and node-3 could not send for a
    // minute from 2m (partition toControlPlane): they declared every other member dead and were
    // declared dead; node-1 was cut off both ways until 7m. memberlist alone never talks to a dead
    // member again, so these three stayed Down for the rest of the hour; Serf's reconnect (every
    // 30 s, a push-pull with a failed member) brings them back.
    const readyAgain = (node: string, from: number) => records.find((r) => r.type === 'node.status' && r.fields.node === node && r.fields.to === 'Ready' && r.t >= from);
    for (const [node, healedAt] of [['node-2', 180_000], ['node-3', 180_000], ['node-1', 420_000]] as const)
      expect(readyAgain(node, healedAt)!.t - healedAt, `${node} Ready within a reconnect interval of the heal`).toBeLessThanOrEqual(31_000);
    // The zone outage (east-*, 10m) and node-2's second partition (32m to 34m) are verdicts of the
    // control plane's member; node-2 is Ready again after that heal.
    const deadInView = (node: string, from: number) => records.find((r) => r.type === 'member.view' && r.fields.node === node && r.fields.state === 'dead' && r.t >= from);
    expect(deadInView('east-2', 600_000)!.t).toBeLessThan(660_000);
    expect(deadInView('node-2', 1_920_000)!.t).toBeLessThan(1_980_000);
    expect(readyAgain('node-2', 2_040_000)!.t - 2_040_000).toBeLessThanOrEqual(31_000);
    // At the end every node is Ready in the control plane's view.
    for (const node of ['node-1', 'node-2', 'node-3', 'east-1', 'east-2']) {
      const last = records.filter((r) => r.type === 'node.status' && r.fields.node === node).at(-1);
      expect(last?.fields.to, `${node} at the end`).toBe('Ready');
    }
    // The slow member is suspected (and refutes): it processes gossip 3 s late.
    expect(records.some((r) => r.type === 'member.suspected' && r.fields.node === 'east-1' && r.t >= 1_200_000 && r.t < 1_320_000)).toBe(true);
    expect(records.find((r) => r.type === 'fault.slow_node')?.fields).toMatchObject({ node: 'east-1', applied: true });
    expect(records.some((r) => r.type === 'membership.stats')).toBe(true);
  }, 120_000);
});
