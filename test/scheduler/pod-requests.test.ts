/**
 * The effective request (core/pod-requests.ts) as Kubernetes computes it: init containers, sidecars
 * (restartable init containers) and pod overhead, in scenarios, manifests and snapshots alike.
 */
import { describe, expect, it } from 'vitest';
import { podImages, podRequests } from '../../src/core/pod-requests.js';
import { resources } from '../../src/core/resources.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { simulate } from '../../src/run/simulate.js';
import { nonZeroRequests } from '../../src/scheduler/framework/pod.js';
import { traceParts } from '../support/trace-parts.js';

const c = (cpu: number, o: { sidecar?: boolean; memory?: number } = {}) => ({
  requests: resources({ cpu, memory: o.memory ?? 0 }),
  ...(o.sidecar ? { restartPolicy: 'Always' as const } : {}),
});

describe('podRequests (resource.PodRequests)', () => {
  it('takes the largest plain init container, not the sum, against the containers', () => {
    expect(podRequests({ containers: [c(100), c(100)], initContainers: [c(300), c(150)] }).cpu).toBe(300);
    expect(podRequests({ containers: [c(400)], initContainers: [c(300), c(150)] }).cpu).toBe(400);
  });

  it('adds each sidecar to the containers and to every init container started after it', () => {
    // containers + all sidecars = 100 + 100 + 200 = 400; init "a" runs next to sidecar 1: 300 + 100;
    // init "b" next to both sidecars: 150 + 300 = 450, the largest.
    const pod = { containers: [c(100)], initContainers: [c(100, { sidecar: true }), c(300), c(200, { sidecar: true }), c(150)] };
    expect(podRequests(pod).cpu).toBe(450);
    // A sidecar declared after an init container does not run next to it: 300 alone < 100 + 100 + 200.
    expect(podRequests({ containers: [c(100)], initContainers: [c(300), c(100, { sidecar: true }), c(200, { sidecar: true })] }).cpu).toBe(400);
  });

  it('adds the pod overhead after the maximum', () => {
    expect(podRequests({ containers: [c(100)], initContainers: [c(300)], overhead: resources({ cpu: 50, memory: 7 }) })).toMatchObject({ cpu: 350, memory: 7 });
  });

  it('scores init containers with the non-zero defaults for an absent request, overhead included', () => {
    // init container without requests counts as 100m/200Mi; the container's explicit 0 stays 0.
    const nz = nonZeroRequests({ containers: [{ requests: resources(), zeroRequests: ['cpu', 'memory'] }], initContainers: [{ requests: resources() }], overhead: resources({ cpu: 10 }) });
    expect(nz).toEqual({ cpu: 110, memory: 200 * 1024 * 1024 });
  });

  it('lists init container images for ImageLocality', () => {
    expect(podImages({ containers: [{ image: 'app' }], initContainers: [{ image: 'setup' }] })).toEqual(['setup', 'app']);
  });
});

const scenario = (initContainers: string, extra = '') => `name: init
duration: 10s
nodes:
  - {name: n1, capacity: {cpu: 1, memory: 1Gi}}
workloads:
  - name: web
    replicas: 2
    containers: [{name: app, image: app, requests: {cpu: 300m, memory: 10Mi}}]
    initContainers: ${initContainers}
${extra}`;

async function placed(text: string): Promise<number> {
  let n = 0;
  await simulate(parseScenario(text, 's.yaml'), { onEvent: traceParts((type) => void (type === 'instance.scheduled' && n++)) });
  return n;
}

describe('init containers, sidecars and overhead in scenarios', () => {
  it('fits two pods whose plain init container is as large as the app (max, not sum)', async () => {
    expect(await placed(scenario('[{name: setup, image: setup, requests: {cpu: 300m}}]'))).toBe(2);
  });

  it('fits one: a sidecar runs next to the app, so each pod needs 600m of the node\'s 1000m', async () => {
    expect(await placed(scenario('[{name: proxy, image: proxy, restartPolicy: Always, requests: {cpu: 300m}}]'))).toBe(1);
  });

  it('fits one when the overhead makes a pod larger than half the node', async () => {
    expect(await placed(scenario('[]', '    overhead: {cpu: 250m}\n'))).toBe(1);
  });

  it('rejects restartPolicy on a regular container and a name used in both lists', () => {
    expect(() => parseScenario(scenario('[]').replace('requests: {cpu: 300m, memory: 10Mi}}]', 'restartPolicy: Always}]'), 's.yaml')).toThrow(/restartPolicy/);
    expect(() => parseScenario(scenario('[{name: app, image: setup}]'), 's.yaml')).toThrow(/duplicate container name "app" \(also containers\[0\]\)/);
  });

  it('reads podSpec.initContainers and overhead from manifests', () => {
    const s = parseScenario(
      `name: m
duration: 10s
nodes:
  - {name: n1, capacity: {cpu: 1, memory: 1Gi}}
manifests:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 1
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          overhead: {cpu: 50m}
          initContainers:
            - {name: proxy, image: proxy, restartPolicy: Always, resources: {requests: {cpu: 200m}}}
          containers:
            - {name: app, image: app, resources: {requests: {cpu: 300m}}}
`,
      'm.yaml',
    );
    const w = s.workloads[0];
    expect(w.initContainers?.map((x) => [x.name, x.restartPolicy])).toEqual([['proxy', 'Always']]);
    expect(podRequests(w).cpu).toBe(550);
  });
});
