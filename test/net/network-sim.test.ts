/**
 * The pod network in whole simulated runs (backends/sim with src/net): exhaustion as a user sees it
 * in scenarios/pod-cidr-exhaustion.yaml, endpoints that follow the instances, the report's Network
 * section, and a property over random clusters with node crashes, scaling and rolling updates:
 * after every trace event, the addresses the nodes hold are unique per node, inside the node's
 * block, and exactly those of the instances that still have containers there (nothing leaks).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readScenario } from '../../src/cli/read-scenario.js';
import type { TraceEvent } from '../../src/core/trace-events.js';
import { blockSize, contains, parseCidr, parseIp, type Cidr } from '../../src/net/ipv4.js';
import { MetricsCollector, typicalPod } from '../../src/report/metrics.js';
import { renderRunReport } from '../../src/report/html.js';
import { simulate, type SimWorld } from '../../src/run/simulate.js';
import { parseScenario } from '../../src/run/parse-scenario.js';

/** Ground truth on every node: each instance with containers there holds one address, unique, in the block. */
function checkAddresses(world: SimWorld, where: string): void {
  const ipam = world.cluster.ipam!;
  for (const node of world.cluster.sortedNodes()) {
    const range = ipam.rangeOf(node.name);
    const byInstance = new Map<string, string>();
    for (const c of node.containers.values()) {
      if (c.ip === undefined) continue;
      const prev = byInstance.get(c.instanceId);
      expect(prev === undefined || prev === c.ip, `${where}: instance ${c.instanceId} has two addresses on ${node.name}`).toBe(true);
      byInstance.set(c.instanceId, c.ip);
    }
    const ips = [...byInstance.values()];
    expect(new Set(ips).size, `${where}: ${node.name} gave one address to two instances: ${ips.join(', ')}`).toBe(ips.length);
    if (!range) {
      expect(ips, `${where}: ${node.name} has no block but hands out addresses`).toEqual([]);
      continue;
    }
    const block: Cidr = range.subnet;
    for (const s of ips) {
      const ip = parseIp(s)!;
      expect(contains(block, ip) && ip !== block.base && ip !== block.base + 1 && ip !== block.base + blockSize(block.prefix) - 1, `${where}: ${s} on ${node.name}`).toBe(true);
    }
    // No leak: the range holds exactly the instances that still have containers on the node.
    expect(range.used, `${where}: ${node.name} holds ${range.used} reservations for ${ips.length} instances`).toBe(ips.length);
  }
}

describe('scenarios/pod-cidr-exhaustion.yaml', () => {
  it('runs out of addresses before CPU, fails those creates with the reason, and retries them', async () => {
    const scenario = readScenario('scenarios/pod-cidr-exhaustion.yaml');
    const events: TraceEvent[] = [];
    const metrics = new MetricsCollector({ durationMs: scenario.durationMs, typicalPod: typicalPod(scenario.workloads) });
    let world!: SimWorld;
    const summary = await simulate(scenario, {
      observe: (w) => {
        world = w;
        w.trace.listenEvents(() => checkAddresses(w, `t=${w.sim.now()}`));
      },
      onEvent: (e) => {
        events.push(e);
        metrics.onEvent(e);
      },
    });
    expect(summary.expectations.every((x) => x.ok)).toBe(true);

    const failures = events.filter((e) => e.type === 'container.create_failed');
    expect(failures.length).toBeGreaterThanOrEqual(2);
    for (const f of failures) {
      expect(f).toMatchObject({ code: 'Network' });
      expect('error' in f && f.error).toMatch(/^node node-\d failed to set up the network of instance web-\w+: failed to allocate for range 0: no IP addresses available in range set: 10\.244\.0\.(1-10\.244\.0\.6|9-10\.244\.0\.14)$/);
    }
    // Retried with back-off, as other create failures are.
    expect(events.some((e) => e.type === 'slot.backoff')).toBe(true);

    // Node blocks in join order; the first addresses of each are .2, .3, ... (the gateway .1 skipped).
    expect(events.filter((e) => e.type === 'node.added').map((e) => ('podCidr' in e ? e.podCidr : undefined))).toEqual(['10.244.0.0/29', '10.244.0.8/29']);
    const ips = events.flatMap((e) => (e.type === 'instance.status' && e.ip !== undefined ? [e.ip] : []));
    expect(ips.length).toBe(10);
    expect([...ips].sort()).toEqual(['10.244.0.10', '10.244.0.11', '10.244.0.12', '10.244.0.13', '10.244.0.14', '10.244.0.2', '10.244.0.3', '10.244.0.4', '10.244.0.5', '10.244.0.6']);

    // Endpoints: folding endpoints.changed gives what the control plane holds at the end.
    const folded = new Set<string>();
    for (const e of events) {
      if (e.type !== 'endpoints.changed') continue;
      for (const x of e.removed) folded.delete(x);
      for (const x of e.added) folded.add(x);
      expect(e.endpoints).toBe(folded.size);
    }
    const final = world.orchestrator.endpointsOf('web');
    expect(final).toHaveLength(8); // scaled to 8 at 6m
    expect([...folded].sort()).toEqual([...final].sort());
    for (const x of final) expect(x).toMatch(/^10\.244\.0\.\d+:80$/);

    // The report shows the blocks, the addresses, the endpoints and the failures.
    const m = metrics.finish(summary.simulatedTimeMs);
    expect(m.network?.nodes).toEqual([
      { node: 'node-1', podCidr: '10.244.0.0/29', addresses: 4 },
      { node: 'node-2', podCidr: '10.244.0.8/29', addresses: 4 },
    ]);
    expect(m.network?.createFailures).toBe(failures.length);
    const html = renderRunReport({ scenario, run: { policy: 'round-robin', seed: scenario.seed, traceHash: summary.traceHash, events: summary.events, ok: true, metrics: m, summary }, command: 'x' });
    expect(html).toContain('<h3 id="network">Network</h3>');
    expect(html).toContain(`${failures.length} create(s) failed because the network could not be set up`);
    for (const x of final) expect(html).toContain(`<code>${x}</code>`);
  });

  it('gives the same addresses with the same seed', async () => {
    const ipsOf = async () => {
      const out: string[] = [];
      await simulate(readScenario('scenarios/pod-cidr-exhaustion.yaml'), { onEvent: (e) => e.type === 'instance.status' && e.ip !== undefined && out.push(`${e.instance}=${e.ip}`) });
      return out;
    };
    expect(await ipsOf()).toEqual(await ipsOf());
  });
});

describe('adoption with a pod network', () => {
  it('an instance running from the start keeps its address: the restarted control plane reads it from the node', async () => {
    const scenario = parseScenario(
      'name: a\nduration: 2m\ncluster:\n  network: {podCidr: 10.244.0.0/16}\nnodes:\n  - {name: n1, capacity: {cpu: 4, memory: 8Gi}}\n' +
        'workloads:\n  - {name: web, replicas: 2, containers: [{name: a, image: nginx, ports: [{containerPort: 8080}], requests: {cpu: 100m, memory: 64Mi}}]}\n' +
        'running:\n  - {workload: web, node: n1, slot: 0}\n',
      'a.yaml',
    );
    const seen: string[] = [];
    await simulate(scenario, {
      onEvent: (e) => {
        if (e.type === 'instance.adopted') seen.push(`adopted ${e.instance}`);
        if (e.type === 'instance.status' && e.ip !== undefined) seen.push(`${e.instance} ${e.ip}`);
      },
    });
    expect(seen.slice(0, 2)).toEqual(['adopted web-s0', 'web-s0 10.244.0.2']);
    expect(seen[2]).toMatch(/^web-\w+ 10\.244\.0\.3$/); // the second slot: the next address
  });
});

describe('pod network under faults (property)', () => {
  const caseArb = fc.record({
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    nodes: fc.integer({ min: 1, max: 4 }),
    mask: fc.integer({ min: 28, max: 30 }),
    replicas: fc.integer({ min: 1, max: 12 }),
    scaleTo: fc.integer({ min: 0, max: 12 }),
    crashes: fc.array(fc.record({ node: fc.nat(), at: fc.integer({ min: 1, max: 6 }), recover: fc.integer({ min: 1, max: 4 }) }), { maxLength: 2 }),
    update: fc.boolean(),
    removeNode: fc.option(fc.nat(), { nil: undefined }),
  });

  it('addresses stay unique, inside the node block, and are released (no leak) after every event', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const crashes = c.crashes.map((f) => `  - {at: ${f.at}m, nodeCrash: {node: n${(f.node % c.nodes) + 1}, recoverAfter: ${f.recover}m}}\n`).join('');
        const ops =
          `  - {at: 3m, scale: {workload: web, replicas: ${c.scaleTo}}}\n` +
          (c.update ? '  - {at: 4m, update: {workload: web, image: "nginx:2"}}\n' : '') +
          (c.removeNode !== undefined && c.nodes > 1 ? `  - {at: 5m, removeNode: {node: n${(c.removeNode % c.nodes) + 1}}}\n  - {at: 6m, addNode: {name: late, capacity: {cpu: 8, memory: 16Gi}}}\n` : '');
        const text =
          `name: p\nseed: ${c.seed}\nduration: 15m\ncluster:\n  network: {podCidr: 10.9.0.0/24, nodeCidrMaskSize: ${c.mask}}\n` +
          `nodes:\n  - {name: "n{i}", count: ${c.nodes}, capacity: {cpu: 8, memory: 16Gi}}\n` +
          `workloads:\n  - {name: web, replicas: ${c.replicas}, containers: [{name: a, image: nginx, ports: [{containerPort: 80}], requests: {cpu: 100m, memory: 64Mi}}, {name: b, image: busybox, requests: {cpu: 10m, memory: 8Mi}}]}\n` +
          `operations:\n${ops}` +
          (crashes ? `faults:\n${crashes}` : '');
        const scenario = parseScenario(text, 'p.yaml');
        let failure: string | undefined;
        const summary = await simulate(scenario, {
          observe: (w) =>
            w.trace.listenEvents(({ type }) => {
              if (failure !== undefined) return;
              try {
                checkAddresses(w, `after ${type} at t=${w.sim.now()} (seed ${c.seed})`);
              } catch (e) {
                failure = (e as Error).message;
              }
            }),
        });
        expect(failure, JSON.stringify(c)).toBeUndefined();
        expect(summary.violation, JSON.stringify(c)).toBeUndefined();
      }),
      { numRuns: 12 },
    );
  }, 300_000);
});

describe('endpoints reach containers: SLIPWAY_ENDPOINTS_<NAME>', () => {
  it('a container created after a workload is ready gets its endpoints; one created before gets none; without a network nothing is added', async () => {
    const yaml = (network: boolean) => `name: endpoint-env
seed: 3
duration: 2m
${network ? 'cluster: {network: {podCidr: 10.99.0.0/16, nodeCidrMaskSize: 24}}\n' : ''}nodes:
  - {name: n1, capacity: {cpu: 4, memory: 8Gi}}
  - {name: n2, capacity: {cpu: 4, memory: 8Gi}}
workloads:
  - name: early
    replicas: 1
    containers: [{name: c, image: busybox, requests: {cpu: 100m, memory: 16Mi}, env: {MODE: early}}]
  - name: web-api
    replicas: 2
    containers: [{name: httpd, image: busybox, ports: [{containerPort: 8080}], requests: {cpu: 100m, memory: 16Mi}}]
  - name: client
    at: 60s
    replicas: 1
    containers: [{name: c, image: busybox, requests: {cpu: 100m, memory: 16Mi}, env: {SLIPWAY_ENDPOINTS_CLIENT: mine}}]
`;
    const envOf = async (network: boolean) => {
      let world!: SimWorld;
      await simulate(parseScenario(yaml(network), 'endpoint-env.yaml'), { observe: (w) => (world = w) });
      const out: Record<string, Readonly<Record<string, string>>> = {};
      for (const node of world.cluster.sortedNodes()) for (const c of node.containers.values()) out[c.labels['slipway.workload']] = c.spec.env;
      const ips = world.cluster.sortedNodes().flatMap((n) => [...n.containers.values()].filter((c) => c.labels['slipway.workload'] === 'web-api').map((c) => c.ip!));
      return { env: out, ips };
    };
    const on = await envOf(true);
    const web = on.ips.map((ip) => `${ip}:8080`).sort((a, b) => parseIp(a.split(':')[0])! - parseIp(b.split(':')[0])!);
    expect(web).toHaveLength(2);
    // Created at 60 s, when web-api and early were Running: both are there (early without ports: bare IPs);
    // its own variable from the spec wins over the computed one.
    expect(on.env.client.SLIPWAY_ENDPOINTS_WEB_API).toBe(web.join(','));
    expect(on.env.client.SLIPWAY_ENDPOINTS_EARLY).toMatch(/^10\.99\.\d+\.\d+$/);
    expect(on.env.client.SLIPWAY_ENDPOINTS_CLIENT).toBe('mine');
    // Created at t=0, before anything was ready: only its own env.
    expect(on.env.early).toEqual({ MODE: 'early' });
    const off = await envOf(false);
    expect(off.env.client).toEqual({ SLIPWAY_ENDPOINTS_CLIENT: 'mine' });
  });
});
