/**
 * ImageLocality in simulated runs: nodes report the images they hold (pre-pulled with a node's
 * `images:`, or pulled during the run) with the sizes of the scenario's top-level `images:`, and
 * the scheduler scores them like kube-scheduler does from node.status.images.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run/simulate.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { isEvent } from '../../src/engine/trace-reader.js';
import type { TraceEventOf } from '../../src/core/trace-events.js';

async function run(yaml: string, seed?: number) {
  const records: TraceEventOf<'instance.scheduled'>[] = [];
  const s = parseScenario(yaml, 'img.yaml');
  const scheduled = isEvent('instance.scheduled');
  await simulate(seed === undefined ? s : { ...s, seed }, {
    onEvent: (e) => {
      if (scheduled(e)) records.push(structuredClone(e));
    },
  });
  return records;
}

const prePulled = (images: string) => `
name: prepulled
duration: 2m
scheduler: default
${images}
nodes:
  - {name: a, capacity: {cpu: 4, memory: 8Gi}}
  - {name: b, capacity: {cpu: 4, memory: 8Gi}, images: ["registry.example/big"]}
  - {name: c, capacity: {cpu: 4, memory: 8Gi}}
workloads:
  - name: app
    containers: [{name: app, image: "registry.example/big:latest", requests: {cpu: 500m, memory: 256Mi}}]
`;

describe('ImageLocality in simulation', () => {
  it('a node that holds the image wins under the default profile (every other score ties)', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const [placed] = await run(prePulled('images: {"registry.example/big": 900Mi}'), seed);
      expect(placed.node).toBe('b');
      const cands = placed.candidates ?? [];
      // sum = ⌊900Mi · 1/3⌋ = 300Mi; ⌊100 · (300Mi - 23Mi) / (1000Mi - 23Mi)⌋ = 28
      expect(cands[0].scores.ImageLocality).toBe(28);
      expect(cands.slice(1).map((c) => c.scores.ImageLocality)).toEqual([0, 0]);
    }
  });

  it('without a size the image is not reported, and the tie is broken by the seeded stream instead', async () => {
    const nodes = new Set<unknown>();
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const yaml = prePulled('images: {"other:1": 10Mi}').replace(', images: ["registry.example/big"]', '');
      const [placed] = await run(yaml, seed);
      nodes.add(placed.node);
      expect((placed.candidates ?? [])[0]!.scores.ImageLocality).toBe(0);
    }
    expect(nodes.size).toBeGreaterThan(1);
  });

  it('an image pulled during the run is reported with the next heartbeat and draws later pods', async () => {
    // `seeder` is pinned to c and pulls the image there at once; `app` arrives a minute later and
    // scores with ImageLocality alone (NodeResourcesFit filters only).
    const yaml = `
name: pulled
duration: 3m
images: {"registry.example/big:2": 600Mi}
scheduler:
  plugins: [{name: NodeName}, {name: NodeResourcesFit, weight: 0}, {name: ImageLocality, weight: 1}]
nodes:
  - {name: a, capacity: {cpu: 4, memory: 8Gi}}
  - {name: b, capacity: {cpu: 4, memory: 8Gi}}
  - {name: c, capacity: {cpu: 4, memory: 8Gi}}
workloads:
  - name: seeder
    placement: {nodeName: c}
    containers: [{name: s, image: "registry.example/big:2", requests: {cpu: 100m, memory: 64Mi}}]
  - name: app
    at: 1m
    replicas: 2
    containers: [{name: app, image: "registry.example/big:2", requests: {cpu: 100m, memory: 64Mi}}]
`;
    const placed = await run(yaml);
    const app = placed.filter((r) => r.workload === 'app');
    expect(app.map((r) => r.node)).toEqual(['c', 'c']);
    // sum = ⌊600Mi · 1/3⌋ = 200Mi; ⌊100 · (200Mi - 23Mi) / (1000Mi - 23Mi)⌋ = 18
    expect((app[0].candidates ?? [])[0]!.scores.ImageLocality).toBe(18);
  });
});

describe('images: bad input', () => {
  const base = (images: string, nodeImages = '') => `name: x
duration: 5m
images: ${images}
nodes:
  - {name: a, capacity: {cpu: 1, memory: 1Gi}${nodeImages}}
`;
  it.each([
    [base('{"nginx:1.25": 19x}'), /^x\.yaml:3:24: images\["nginx:1\.25"\]: invalid quantity "19x"/],
    [base('[nginx]'), /^x\.yaml:3:9: images: expected a mapping of image names to sizes/],
    [base('{nginx: 10Mi, "nginx:latest": 20Mi}'), /^x\.yaml:3:23: images\["nginx:latest"\]: "nginx:latest" is the same image as "nginx" \(nginx:latest\)/],
    [base('{"nginx:1.25": 190Mi}', ', images: ["nginx:1.52"]'), /^x\.yaml:5:57: nodes\[0\]\.images\[0\]: no size for image "nginx:1\.52" in the top-level images; did you mean "nginx:1\.25"\?/],
  ])('%s', (yaml, message) => {
    expect(() => parseScenario(yaml, 'x.yaml')).toThrow(message);
  });
});
