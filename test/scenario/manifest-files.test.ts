/**
 * Kubernetes manifests as users have them (#18.6): a kubectl YAML file of `---`-separated
 * documents named by a scenario's `manifests:` (before: a string entry was "unsupported kind
 * undefined", and such a file read as a scenario was "Source contains multiple documents"), and a
 * manifest file run on its own. Problems point at FILE:LINE:COL inside the right document.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { InputError } from '../../src/core/errors.js';
import type { ManifestFileText } from '../../src/scenario/loader.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { schedulerNames } from '../../src/scheduler/registry.js';
import { parseManifestFile } from '../../src/scenario/manifest-files.js';
import { isManifestFile, MANIFEST_EXPECTATION, manifestScenario } from '../../src/scenario/manifest-scenario.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: nginx
          image: nginx:1.25
          resources: {requests: {cpu: 500m, memory: 256Mi}}
`;
const NODE = (name: string) => `apiVersion: v1
kind: Node
metadata: {name: ${name}}
status: {capacity: {cpu: "2", memory: 4Gi}}
`;
const SERVICE = `apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
`;
const JOB = (cpu: string) => `apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: m
          image: busybox
          resources: {requests: {cpu: ${cpu}}}
`;
/** A kubectl file: a leading comment, a Node, a Deployment, a Service, a Job (documents 1-4). */
const APP = (jobCpu = '100m') => `# kubectl apply -f app.yaml\n${NODE('worker-a')}---\n${DEPLOYMENT}---\n${SERVICE}---\n${JOB(jobCpu)}`;

function files(map: Record<string, string>): (ref: string) => ManifestFileText {
  return (ref) => {
    if (!(ref in map)) throw new InputError(`k8s/${ref}: cannot read: no such file`);
    return { file: `k8s/${ref}`, text: map[ref] };
  };
}

function scenario(manifests: string, extra = ''): string {
  return `name: m\nduration: 5m\nscheduler: default\n${extra}manifests:\n${manifests}`;
}

function problem(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error('expected an InputError');
}

/** The 1-based line of the first line of `text` starting with `start`, after `after` lines. */
function lineOf(text: string, start: string, after = 0): number {
  return text.split('\n').findIndex((l, i) => i >= after && l.startsWith(start)) + 1;
}

describe('manifests: entries naming kubectl files', () => {
  it('reads every document of the file, in order, beside inline objects', () => {
    const s = parseScenario(scenario('  - app.yaml\n  - {apiVersion: v1, kind: Pod, metadata: {name: debug}, spec: {containers: [{name: c, image: busybox}]}}\n'), 's.yaml', {
      readManifestFile: files({ 'app.yaml': APP() }),
    });
    expect(s.nodes.map((n) => n.name)).toEqual(['worker-a']);
    expect(s.workloads.map((w) => `${w.kind} ${w.name} ${w.replicas}`)).toEqual(['service web 2', 'job migrate 1', 'service debug 1']);
    expect(s.warnings).toContain('Service/web: spec.ports is not modelled; ignored');
    // the run's document holds the objects (a trace replays without the files)
    const again = parseScenario(stringify(s.source.document), 'trace');
    expect(again.workloads).toEqual(s.workloads);
  });

  it('a problem inside the third document is placed there: FILE:LINE:COL of the file, named "document N"', () => {
    const text = APP('5x');
    const msg = problem(() => parseScenario(scenario('  - app.yaml\n'), 's.yaml', { readManifestFile: files({ 'app.yaml': text }) }));
    const jobLine = lineOf(text, 'apiVersion: batch/v1');
    expect(msg).toBe(`k8s/app.yaml:${jobLine}:1: document 4 (Job/migrate).containers[0].requests.cpu: invalid quantity "5x": unknown suffix "x"; use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3`);
  });

  it('an unsupported kind and a YAML error point into their document', () => {
    const cron = `${DEPLOYMENT}---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\n`;
    expect(problem(() => parseScenario(scenario('  - c.yaml\n'), 's.yaml', { readManifestFile: files({ 'c.yaml': cron }) }))).toBe(
      `k8s/c.yaml:${lineOf(cron, 'kind: CronJob')}:7: document 2: kind: unsupported kind "CronJob" (supported: Node, Pod, Deployment, ReplicaSet, StatefulSet, Job, PriorityClass, PodGroup, PodDisruptionBudget, Namespace, Service)`,
    );
    const broken = `${DEPLOYMENT}---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nmetadata: {name: q}\n`;
    expect(problem(() => parseScenario(scenario('  - b.yaml\n'), 's.yaml', { readManifestFile: files({ 'b.yaml': broken }) }))).toBe(`k8s/b.yaml:${lineOf(broken, 'metadata: {name: q')}:1: Map keys must be unique`);
  });

  it('inline entries after a file keep their own index in messages and positions', () => {
    const text = scenario('  - app.yaml\n  - {apiVersion: v1, kind: Secret2, metadata: {name: s}}\n');
    expect(problem(() => parseScenario(text, 's.yaml', { readManifestFile: files({ 'app.yaml': APP() }) }))).toBe(
      `s.yaml:6:5: manifests[1].kind: unsupported kind "Secret2" (supported: Node, Pod, Deployment, ReplicaSet, StatefulSet, Job, PriorityClass, PodGroup, PodDisruptionBudget, Namespace, Service)`.replace('6:5', `6:${'  - {apiVersion: v1, kind: '.length + 1}`),
    );
  });

  it('a file that cannot be read, or holds nothing, is a problem at its entry', () => {
    expect(problem(() => parseScenario(scenario('  - nope.yaml\n'), 's.yaml', { readManifestFile: files({}) }))).toBe('s.yaml:5:5: manifests[0]: k8s/nope.yaml: cannot read: no such file');
    expect(problem(() => parseScenario(scenario('  - empty.yaml\n'), 's.yaml', { readManifestFile: files({ 'empty.yaml': '# nothing\n---\n' }) }))).toBe('s.yaml:5:5: manifests[0]: k8s/empty.yaml: no Kubernetes object in the file');
    expect(problem(() => parseScenario(scenario('  - app.yaml\n'), 's.yaml'))).toBe(
      's.yaml:5:5: manifests[0]: a manifest file ("app.yaml") can only be read when the scenario is read from a file; inline its objects instead',
    );
  });

  it('reads a List (kubectl get -o yaml) as its items', () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n${[NODE('a'), NODE('b')].map((n) => `  - ${n.trimEnd().replaceAll('\n', '\n    ')}\n`).join('')}`;
    const s = parseScenario(scenario('  - nodes.yaml\n'), 's.yaml', { readManifestFile: files({ 'nodes.yaml': list }) });
    expect(s.nodes.map((n) => n.name)).toEqual(['a', 'b']);
    const objects = parseManifestFile(list, 'nodes.yaml');
    expect(objects.map((o) => [o.document, o.base])).toEqual([
      [1, ['items', 0]],
      [1, ['items', 1]],
    ]);
  });
});

describe('a manifest file run on its own', () => {
  it('is told apart from a scenario', () => {
    expect(isManifestFile(APP())).toBe(true);
    expect(isManifestFile(DEPLOYMENT)).toBe(true);
    expect(isManifestFile(scenario('  - app.yaml\n'))).toBe(false);
  });

  it('runs on N default nodes of 4 CPU and 16Gi besides its own Nodes, expecting its services to converge', () => {
    const s = manifestScenario(APP(), 'app.yaml', { schedulers: schedulerNames(), nodes: 2 });
    expect(s.name).toBe('app');
    expect(s.scheduler.name).toBe('default');
    expect(s.durationMs).toBe(10 * 60_000);
    expect(s.nodes.map((n) => `${n.name} ${n.capacity.cpu} ${n.capacity.memory}`)).toEqual(['node-1 4000 17179869184', 'node-2 4000 17179869184', 'worker-a 2000 4294967296']);
    expect(s.expectations).toHaveLength(1);
    expect(s.expectations[0]).toMatchObject({ name: MANIFEST_EXPECTATION, kind: 'converged', by: 10 * 60_000, workloads: ['web'] });
    expect(manifestScenario(APP(), 'app.yaml', { schedulers: schedulerNames(), durationMs: 120_000 }).expectations[0]).toMatchObject({ by: 120_000 });
  });

  it('without --nodes and without a Node it says what to give', () => {
    expect(problem(() => manifestScenario(DEPLOYMENT, 'web.yaml', { schedulers: schedulerNames() }))).toBe('web.yaml: no Node in the file: give --nodes N to run its objects on N nodes of 4 CPU and 16Gi memory');
  });

  it('problems keep the file own line and column', () => {
    const text = APP('5x');
    expect(problem(() => manifestScenario(text, 'app.yaml', { schedulers: schedulerNames(), nodes: 1 }))).toMatch(new RegExp(`^app\\.yaml:${lineOf(text, 'apiVersion: batch/v1')}:1: document 4 \\(Job/migrate\\)`));
  });
});
