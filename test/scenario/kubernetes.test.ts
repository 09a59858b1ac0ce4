import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { simulate } from '../../src/run/simulate.js';
import { traceParts } from '../support/trace-parts.js';

const FILE = join(import.meta.dirname, '../../scenarios/kubernetes-manifests.yaml');

describe('Kubernetes manifests in scenarios', () => {
  const s = parseScenario(readFileSync(FILE, 'utf8'), 'k.yaml');

  it('turns Nodes, Deployments, Jobs, Pods and PriorityClasses into nodes and workloads', () => {
    expect(s.nodes.map((n) => [n.name, n.capacity.cpu, n.labels['topology.kubernetes.io/zone'], n.taints.length])).toEqual([
      ['worker-a', 4000, 'eu-1a', 0],
      ['worker-b', 4000, 'eu-1b', 0],
      ['gpu-1', 8000, 'eu-1a', 1],
    ]);
    const web = s.workloads.find((w) => w.name === 'web')!;
    expect(web).toMatchObject({ kind: 'service', replicas: 4, priority: 1000, labels: { app: 'web' }, updateStrategy: { maxSurge: 1, maxUnavailable: 0 } });
    expect(web.containers[0].requests).toMatchObject({ cpu: 500, memory: 256 * 2 ** 20 });
    expect(web.placement?.topologySpreadConstraints?.[0]).toMatchObject({ maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' });
    const train = s.workloads.find((w) => w.name === 'train')!;
    expect(train).toMatchObject({ kind: 'job', replicas: 2, completions: 2, restartPolicy: 'Never' });
    expect(train.containers[0].requests.extended).toEqual({ 'nvidia.com/gpu': 1 });
    expect(s.workloads.find((w) => w.name === 'debug')).toMatchObject({ kind: 'service', replicas: 1 });
  });

  it('reports every unsupported field once as a warning', () => {
    expect(s.warnings).toEqual([
      'Node/worker-a: status.capacity.pods (nodes take 110 pods) is not modelled; ignored',
      'Deployment/web: spec.volumes is not modelled; ignored',
      'Deployment/web: containers[].livenessProbe is not modelled; ignored',
    ]);
  });

  it('schedules them with their constraints: web spread over zones, the job on the tolerated GPU node', async () => {
    const placed: Record<string, string[]> = {};
    await simulate(s, {
      onEvent: (e) => {
        if (e.type === 'instance.scheduled') (placed[e.workload] ??= []).push(e.node ?? '(gone)');
      },
    });
    expect([...placed.web].sort()).toEqual(['worker-a', 'worker-a', 'worker-b', 'worker-b']);
    expect(placed.train).toEqual(['gpu-1', 'gpu-1']);
  });

  it('points problems at the manifest they came from', () => {
    const text = readFileSync(FILE, 'utf8');
    expect(() => parseScenario(text.replace('cpu: 500m, memory: 256Mi}, limits', 'cpu: 5x, memory: 256Mi}, limits'), 'k.yaml')).toThrow(
      /^k\.yaml:26:5: manifests\[4\] \(Deployment\/web\)\.containers\[0\]\.requests\.cpu: invalid quantity "5x"/,
    );
    expect(() => parseScenario(text.replace('kind: Pod\n', 'kind: CronJob\n'), 'k.yaml')).toThrow(
      'k.yaml:62:11: manifests[6].kind: unsupported kind "CronJob" (supported: Node, Pod, Deployment, ReplicaSet, StatefulSet, Job, PriorityClass, PodGroup, PodDisruptionBudget, Namespace, Service)',
    );
  });
});

describe('Kubernetes manifests: NoExecute tolerations and node images reach the simulation', () => {
  const yaml = `name: k8s-taints
duration: 15m
scheduler: default
faults:
  - {at: 1m, nodeCrash: {node: n1}}
manifests:
  - apiVersion: v1
    kind: Node
    metadata: {name: n1}
    status:
      capacity: {cpu: "4", memory: 8Gi}
      images:
        - names: ["registry.example/app@sha256:0123", "registry.example/app:2.0"]
          sizeBytes: 734003200
  - apiVersion: v1
    kind: Node
    metadata: {name: n2}
    spec:
      taints: [{key: maint, effect: PreferNoSchedule, timeAdded: "2024-05-01T10:00:00Z"}]
    status: {capacity: {cpu: "4", memory: 8Gi}}
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: app}
    spec:
      replicas: 1
      template:
        metadata: {labels: {app: app}}
        spec:
          tolerations:
            - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 90}
          containers:
            - name: app
              image: registry.example/app:2.0
              resources: {requests: {cpu: 100m, memory: 64Mi}}
`;
  it('places by the image n1 reports, and evicts 90 s after n1 becomes NotReady', async () => {
    const s = parseScenario(yaml, 'k.yaml');
    expect(s.nodes.find((n) => n.name === 'n1')!.images).toEqual(['registry.example/app@sha256:0123', 'registry.example/app:2.0']);
    expect(s.images).toEqual({ 'registry.example/app@sha256:0123': 734003200, 'registry.example/app:2.0': 734003200 });
    expect(s.nodes.find((n) => n.name === 'n2')!.taints).toEqual([{ key: 'maint', effect: 'PreferNoSchedule' }]);
    const recs: Array<{ t: number; type: string; f: Record<string, unknown> }> = [];
    await simulate(s, { onEvent: traceParts((type, f, t) => recs.push({ t, type, f: structuredClone(f) })) });
    const placed = recs.filter((r) => r.type === 'instance.scheduled');
    expect(placed[0].f.node).toBe('n1');
    // 700Mi · 1/2 nodes = 350Mi; ⌊100 · (350Mi - 23Mi) / (1000Mi - 23Mi)⌋ = 33
    expect((placed[0].f.candidates as Array<{ scores: Record<string, number> }>)[0].scores.ImageLocality).toBe(33);
    const notReadyAt = recs.find((r) => r.type === 'node.status' && r.f.to === 'NotReady')!.t;
    const evicted = recs.filter((r) => r.type === 'instance.stopping' && r.f.reason === 'evicted');
    expect(evicted.map((r) => [r.t, r.f.taint])).toEqual([[notReadyAt + 90_000, 'node.kubernetes.io/not-ready:NoExecute']]);
    expect(placed.map((r) => r.f.node)).toEqual(['n1', 'n2']);
  });
});

describe('Kubernetes manifests: PodGroup gangs (scheduler-plugins Coscheduling)', () => {
  const yaml = (minMember: string, label = 'train') => `name: k8s-gang
duration: 5m
scheduler: default
manifests:
  - apiVersion: v1
    kind: Node
    metadata: {name: n1}
    status: {capacity: {cpu: "3", memory: 8Gi}}
  - apiVersion: v1
    kind: Node
    metadata: {name: n2}
    status: {capacity: {cpu: "3", memory: 8Gi}}
  - apiVersion: scheduling.x-k8s.io/v1alpha1
    kind: PodGroup
    metadata: {name: train}
    spec: {minMember: ${minMember}, scheduleTimeoutSeconds: 90}
  - apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: workers}
    spec:
      replicas: 4
      template:
        metadata: {labels: {app: workers, scheduling.x-k8s.io/pod-group: ${label}}}
        spec: {containers: [{name: w, image: busybox, resources: {requests: {cpu: "1", memory: 128Mi}}}]}
  - apiVersion: v1
    kind: Pod
    metadata: {name: ps-a, labels: {scheduling.x-k8s.io/pod-group: train}}
    spec: {containers: [{name: ps, image: busybox, resources: {requests: {cpu: "1", memory: 128Mi}}}]}
  - apiVersion: v1
    kind: Pod
    metadata: {name: ps-b, labels: {scheduling.x-k8s.io/pod-group: train}}
    spec: {containers: [{name: ps, image: busybox, resources: {requests: {cpu: "1", memory: 128Mi}}}]}
`;

  it('pods labelled with a PodGroup join its gang, across workloads, with its minMember and timeout', () => {
    const s = parseScenario(yaml('6'), 'g.yaml');
    for (const name of ['workers', 'ps-a', 'ps-b']) {
      expect(s.workloads.find((w) => w.name === name)!.placement?.gang).toEqual({ name: 'train', minMember: 6, timeoutMs: 90_000 });
    }
    expect(s.warnings ?? []).toEqual([]);
  });

  it('the gang binds all six together; with minMember 7 it never binds and times out after scheduleTimeoutSeconds', async () => {
    const bound: number[] = [];
    const timeouts: number[] = [];
    await simulate(parseScenario(yaml('6'), 'g.yaml'), {
      onEvent: traceParts((type, _f, t) => {
        if (type === 'instance.scheduled') bound.push(t);
      }),
    });
    expect(bound).toHaveLength(6);
    expect(new Set(bound).size).toBe(1);
    bound.length = 0;
    await simulate(parseScenario(yaml('7'), 'g.yaml'), {
      untilMs: 100_000,
      onEvent: (e) => {
        if (e.type === 'instance.scheduled') bound.push(0);
        if (e.type === 'gang.timeout') timeouts.push(e.waitedMs);
      },
    });
    expect(bound).toEqual([]);
    // scheduleTimeoutSeconds: 90 → the gang is released 90 s after its first member waited.
    expect(timeouts[0]).toBe(90_000);
  });

  it('a label naming no PodGroup, and a bad minMember, are bad input at their manifest position', () => {
    expect(() => parseScenario(yaml('6', 'trian'), 'g.yaml')).toThrow(
      /^g\.yaml:23:74: manifests\[3\]\.spec\.template\.metadata\.labels\.scheduling\.x-k8s\.io\/pod-group: no PodGroup named "trian" in the manifests \(known: train\)/,
    );
    expect(() => parseScenario(yaml('0'), 'g.yaml')).toThrow(/^g\.yaml:16:\d+: manifests\[2\]\.spec\.minMember \(PodGroup\/train\): minMember must be a positive integer, got 0/);
  });
});

describe('Kubernetes manifests: every unmodelled field is warned about once per kind and field', () => {
  const yaml = `name: k8s-warnings
duration: 1m
scheduler: default
manifests:
  - apiVersion: scheduling.k8s.io/v1
    kind: PriorityClass
    metadata: {name: urgent, annotations: {owner: team-a}}
    value: 100
    globalDefault: true
    preemptionPolicy: Never
    description: for urgent things
  - apiVersion: scheduling.k8s.io/v1
    kind: PriorityClass
    metadata: {name: plain}
    value: 1
    globalDefault: false
    preemptionPolicy: PreemptLowerPriority
  - apiVersion: v1
    kind: Node
    metadata: {name: n1, namespace: default, uid: abc, annotations: {alibabacloud.com/gpu-count: "2"}}
    status: {capacity: {cpu: "4", memory: 8Gi}, conditions: [{type: Ready, status: "True"}]}
  - apiVersion: v1
    kind: Pod
    metadata: {name: p1, namespace: team-a, annotations: {alibabacloud.com/gpu-milli: "500", note: x}}
    spec: {containers: [{name: c, image: app}]}
    status: {phase: Pending}
  - apiVersion: v1
    kind: Pod
    metadata: {name: p2, namespace: team-b, annotations: {note: y}}
    spec: {containers: [{name: c, image: app}], priorityClassName: plain}
  - apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, generation: 3}
    spec:
      serviceName: db
      replicas: 1
      template:
        metadata: {labels: {app: db}, annotations: {prometheus.io/scrape: "true"}}
        spec: {containers: [{name: c, image: app}]}
`;

  it('lists metadata, PriorityClass, status and StatefulSet fields that are dropped; the used ones are not listed', () => {
    const s = parseScenario(yaml, 'k.yaml');
    expect(s.warnings).toEqual([
      'PriorityClass/urgent: metadata.annotations.owner is not modelled; ignored',
      'PriorityClass/urgent: preemptionPolicy is not modelled; ignored',
      'PriorityClass/urgent: description is not modelled; ignored',
      'Node/n1: metadata.uid is not modelled; ignored',
      'Node/n1: metadata.annotations.alibabacloud.com/gpu-count is not modelled; ignored',
      'Node/n1: status.conditions is not modelled; ignored',
      'Pod/p1: metadata.annotations.note is not modelled; ignored',
      'Pod/p1: status.phase is not modelled; ignored',
      'StatefulSet/db: metadata.generation is not modelled; ignored',
      'StatefulSet/db: spec.serviceName is not modelled; ignored',
      'StatefulSet/db: spec.template.metadata.annotations.prometheus.io/scrape is not modelled; ignored',
    ]);
    expect(s.workloads.find((w) => w.name === 'p1')!.gpus).toMatchObject({ count: 1, milli: 500 });
    // metadata.namespace is the workload's namespace (default: none given)
    expect(s.workloads.map((w) => [w.name, w.namespace])).toEqual([['p1', 'team-a'], ['p2', 'team-b'], ['db', undefined]]);
  });

  it('globalDefault: true gives its value to every pod naming no class and no priority (Kubernetes admission)', () => {
    const s = parseScenario(yaml + `workloads:
  - {name: native, replicas: 1, containers: [{name: c, image: app}]}
  - {name: pinned, replicas: 1, priority: 7, containers: [{name: c, image: app}]}
`, 'k.yaml');
    expect(s.workloads.map((w) => [w.name, w.priority])).toEqual([['native', 100], ['pinned', 7], ['p1', 100], ['p2', 1], ['db', 100]]);
    const without = parseScenario(yaml.replace('globalDefault: true', 'globalDefault: false'), 'k.yaml');
    expect(without.workloads.map((w) => [w.name, w.priority])).toEqual([['p1', 0], ['p2', 1], ['db', 0]]);
  });

  it('two globalDefault classes are bad input at the second', () => {
    expect(() => parseScenario(yaml.replace('globalDefault: false', 'globalDefault: true'), 'k.yaml')).toThrow(
      /^k\.yaml:16:\d+: manifests\[1\]\.globalDefault \(PriorityClass\/plain\): only one PriorityClass may be globalDefault \(urgent is too\)$/,
    );
  });
});
