/**
 * Init and sidecar containers in the simulated lifecycle (src/core/init-containers.ts), through
 * the whole run: init containers run one after another to completion before any regular
 * container starts, a sidecar starts in its place and keeps running (restarted with back-off when
 * it exits), a failing init container fails its instance and the slot is retried with back-off,
 * and an init container without `sim.runFor` runs the documented default (1 s).
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { DEFAULT_INIT_RUN_MS } from '../../src/core/types.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { simulate } from '../../src/run/simulate.js';
import type { TraceEvent, TraceEventOf, TraceEventType } from '../../src/core/trace-events.js';

type Rec = TraceEvent;

async function run(text: string): Promise<{ recs: Rec[]; ok: boolean; hash: string }> {
  const recs: Rec[] = [];
  const r = await simulate(parseScenario(text, 'init.yaml'), {
    liveness: false,
    onEvent: (e) => recs.push({ ...e }),
  });
  return { recs, ok: r.ok, hash: r.traceHash };
}

/** The events of one type (of one instance), typed. */
const of = <K extends TraceEventType>(recs: readonly Rec[], type: K, instance?: string): TraceEventOf<K>[] =>
  recs.filter((r): r is TraceEventOf<K> & Rec => r.type === type && (instance === undefined || ('instance' in r && r.instance === instance)));

/** Container id → (instance, name), from `container.created`. */
function containers(recs: readonly Rec[]): Map<string, { instance: string; name: string }> {
  const m = new Map<string, { instance: string; name: string }>();
  for (const r of of(recs, 'container.created')) m.set(r.container, { instance: r.instance, name: r.name });
  return m;
}

/** When each container of the instance was created and when it first reached `state`, by name. */
function timeline(recs: readonly Rec[], instance: string) {
  const ids = containers(recs);
  const created = new Map<string, number>();
  const running = new Map<string, number>();
  const exited = new Map<string, { t: number; exitCode?: number }>();
  for (const r of recs) {
    if (r.type === 'container.created' && r.instance === instance) created.set(r.name, r.t);
    if (r.type !== 'container.state' || r.instance !== instance) continue;
    const c = ids.get(r.container);
    if (!c) continue;
    if (r.state === 'running' && !running.has(c.name)) running.set(c.name, r.t);
    if (r.state === 'exited' && !exited.has(c.name)) exited.set(c.name, { t: r.t, exitCode: r.exitCode });
  }
  return { created, running, exited };
}

const CP = 'controlPlane: {backoffInitial: 10s, backoffMax: 1m}';

/**
 * A scenario on one node (node-1: 4 CPUs, 8 GiB) with one workload: `fields` are its fields
 * before `initContainers` (`replicas: 1` unless given), `init` and `containers` its containers
 * (a YAML flow map each); `tail` ends the document (default: the short back-off `CP`).
 */
function oneWorkload(o: {
  name: string;
  seed?: number;
  duration: string;
  workload: string;
  fields?: string[];
  init: string[];
  containers: string[];
  tail?: string;
}): string {
  const lines = (indent: string, items: readonly string[]) => items.map((l) => `${indent}${l}\n`).join('');
  return `name: ${o.name}
seed: ${o.seed ?? 4}
duration: ${o.duration}
nodes:
  - {name: node-1, capacity: {cpu: 4, memory: 8Gi}}
workloads:
  - name: ${o.workload}
${lines('    ', o.fields ?? ['replicas: 1'])}    initContainers:
${lines('      - ', o.init)}    containers:
${lines('      - ', o.containers)}${o.tail ?? CP}
`;
}

describe('init containers in simulation', () => {
  const ORDER = oneWorkload({
    name: 'init-order',
    duration: '2m',
    workload: 'web',
    init: [
      '{name: migrate, image: busybox, requests: {cpu: 500m}, sim: {runFor: 5s}}',
      '{name: proxy, image: envoy, restartPolicy: Always, requests: {cpu: 100m}}',
      '{name: warm, image: busybox}',
    ],
    containers: ['{name: app, image: nginx, requests: {cpu: 200m}}'],
  });

  it('runs the init containers in order, each to completion, the sidecar first, before the app starts', async () => {
    const { recs, ok } = await run(ORDER);
    expect(ok).toBe(true);
    const inst = of(recs, 'instance.created')[0].instance;
    // Created in lifecycle order, each init container only after the previous one completed.
    expect(of(recs, 'container.created', inst).map((r) => r.name)).toEqual(['migrate', 'proxy', 'warm', 'app']);
    const { created, running, exited } = timeline(recs, inst);
    expect(exited.get('migrate')).toMatchObject({ exitCode: 0 });
    expect(exited.get('migrate')!.t - running.get('migrate')!).toBe(5_000); // its sim.runFor
    expect(created.get('proxy')!).toBeGreaterThanOrEqual(exited.get('migrate')!.t);
    // The sidecar only has to start (not exit) before the next init container is created.
    expect(created.get('warm')!).toBeGreaterThanOrEqual(running.get('proxy')!);
    // Without sim.runFor an init container runs the default, then exits 0.
    expect(exited.get('warm')!.t - running.get('warm')!).toBe(DEFAULT_INIT_RUN_MS);
    expect(exited.get('warm')).toMatchObject({ exitCode: 0 });
    expect(created.get('app')!).toBeGreaterThanOrEqual(exited.get('warm')!.t);

    // Trace: init.started for each (1..3 of 3), init.finished for the plain ones, then init.completed.
    expect(of(recs, 'init.started', inst).map((r) => [r.container, r.index, r.of, r.sidecar ?? false])).toEqual([
      ['migrate', 1, 3, false],
      ['proxy', 2, 3, true],
      ['warm', 3, 3, false],
    ]);
    expect(of(recs, 'init.finished', inst).map((r) => [r.container, r.exitCode])).toEqual([
      ['migrate', 0],
      ['warm', 0],
    ]);
    const completed = of(recs, 'init.completed', inst);
    expect(completed).toHaveLength(1);
    expect(completed[0].t).toBeLessThanOrEqual(created.get('app')!);

    // Not Running until the app runs; the sidecar is still running at the end; nothing failed.
    const toRunning = of(recs, 'instance.status', inst).find((r) => r.to === 'Running')!;
    expect(toRunning.t).toBeGreaterThanOrEqual(running.get('app')!);
    expect(exited.has('proxy')).toBe(false);
    expect(exited.has('app')).toBe(false);
    expect(of(recs, 'instance.status', inst).map((r) => r.to)).toEqual(['Running']);
    expect(of(recs, 'slot.failed')).toEqual([]);
  });

  it('is deterministic', async () => {
    expect((await run(ORDER)).hash).toBe((await run(ORDER)).hash);
  });

  it('a failing init container fails its instance; the slot is retried with back-off and the app never starts', async () => {
    const { recs } = await run(
      oneWorkload({
        name: 'init-fails',
        duration: '1m',
        workload: 'web',
        init: ['{name: check, image: busybox, sim: {runFor: 2s, exitCode: 3}}'],
        containers: ['{name: app, image: nginx}'],
      }),
    );
    expect(of(recs, 'container.created').map((r) => r.name).every((n) => n === 'check')).toBe(true);
    const failed = of(recs, 'instance.status').filter((r) => r.to === 'Failed');
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed[0]).toMatchObject({ reason: 'init container check exited with code 3 (Error)', exitCode: 3, from: 'Pending' });
    expect(of(recs, 'init.finished')[0]).toMatchObject({ container: 'check', exitCode: 3 });
    expect(of(recs, 'init.completed')).toEqual([]);
    // Back-off between attempts: 10 s, then 20 s (controlPlane.backoffInitial doubling).
    const slotFailed = of(recs, 'slot.failed');
    expect(slotFailed.map((r) => r.failures).slice(0, 2)).toEqual([1, 2]);
    expect((slotFailed[0].nextAttemptAt) - slotFailed[0].t).toBe(10_000);
    expect((slotFailed[1].nextAttemptAt) - slotFailed[1].t).toBe(20_000);
    const created = of(recs, 'instance.created');
    expect(created.length).toBeGreaterThanOrEqual(2);
    expect(created[1].t).toBeGreaterThanOrEqual(slotFailed[0].nextAttemptAt);
    expect(created[1].reason).not.toBe(created[0].reason);
  });

  it('restartPolicy Never: a failing init container fails the instance for good', async () => {
    const { recs } = await run(
      oneWorkload({
        name: 'init-never',
        duration: '1m',
        workload: 'once',
        fields: ['kind: job', 'restartPolicy: Never', 'backoffLimit: 0'],
        init: ['{name: check, image: busybox, sim: {exitCode: 1}}'],
        containers: ['{name: work, image: busybox, sim: {runFor: 1s}}'],
      }),
    );
    expect(of(recs, 'instance.created')).toHaveLength(1);
    expect(of(recs, 'instance.status').map((r) => [r.to, r.reason])).toEqual([['Failed', 'init container check exited with code 1 (Error)']]);
    expect(of(recs, 'workload.failed')).toHaveLength(1);
    expect(of(recs, 'container.created').map((r) => r.name)).toEqual(['check']);
  });

  it('a sidecar that exits is restarted with back-off; the app keeps running', async () => {
    const { recs } = await run(
      oneWorkload({
        name: 'sidecar-restart',
        duration: '2m',
        workload: 'web',
        init: ['{name: log, image: fluentbit, restartPolicy: Always, sim: {runFor: 30s, exitCode: 1}}'],
        containers: ['{name: app, image: nginx}'],
      }),
    );
    const inst = of(recs, 'instance.created')[0].instance;
    expect(of(recs, 'instance.created')).toHaveLength(1); // never replaced
    const restarts = of(recs, 'init.sidecar_restart', inst);
    expect(restarts.length).toBeGreaterThanOrEqual(2);
    expect(restarts[0]).toMatchObject({ container: 'log', restarts: 1, exitCode: 1 });
    expect(restarts[0].at - restarts[0].t).toBe(10_000);
    expect(restarts[1].at - restarts[1].t).toBe(20_000);
    // A new container for the sidecar after each back-off; the app's container is created once and never exits.
    const names = of(recs, 'container.created', inst).map((r) => r.name);
    expect(names.filter((n) => n === 'app')).toHaveLength(1);
    expect(names.filter((n) => n === 'log').length).toBeGreaterThanOrEqual(3);
    const logCreated = of(recs, 'container.created', inst).filter((r) => r.name === 'log');
    expect(logCreated[1].t).toBeGreaterThanOrEqual(restarts[0].at);
    const { exited } = timeline(recs, inst);
    expect(exited.has('app')).toBe(false);
    // Not ready while the sidecar is down, ready again once it runs; never Failed.
    expect(of(recs, 'instance.status', inst).map((r) => r.to)).toEqual(['Running']);
    const ready = of(recs, 'instance.ready', inst).map((r) => [r.ready, r.reason]);
    expect(ready.slice(0, 2)).toEqual([
      [false, 'sidecar log is not running'],
      [true, undefined],
    ]);
    // The replaced containers were removed, not left behind as orphans.
    expect(of(recs, 'container.orphan')).toEqual([]);
  });

  it('a job with a sidecar succeeds when its containers complete; the sidecar is stopped after them', async () => {
    const { recs } = await run(
      oneWorkload({
        name: 'job-sidecar',
        duration: '1m',
        workload: 'batch',
        fields: ['kind: job'],
        init: ['{name: proxy, image: envoy, restartPolicy: Always}'],
        containers: ['{name: work, image: busybox, sim: {runFor: 10s}}'],
      }),
    );
    const inst = of(recs, 'instance.created')[0].instance;
    expect(of(recs, 'instance.status', inst).map((r) => r.to)).toEqual(['Running', 'Succeeded']);
    expect(of(recs, 'workload.completed')).toHaveLength(1);
    const { exited } = timeline(recs, inst);
    expect(exited.get('work')).toMatchObject({ exitCode: 0 });
    expect(exited.get('proxy')).toMatchObject({ exitCode: 143 }); // stopped by the control plane
    expect(exited.get('proxy')!.t).toBeGreaterThan(exited.get('work')!.t);
    expect(of(recs, 'instance.removed', inst)).toHaveLength(1);
    expect(of(recs, 'init.sidecar_restart')).toEqual([]);
  });

  it('Kubernetes manifests: initContainers (a sidecar among them) run in simulation with the default run time', async () => {
    const { recs } = await run(`name: manifest-init
seed: 2
duration: 1m
manifests:
  - apiVersion: v1
    kind: Node
    metadata: {name: worker}
    status: {capacity: {cpu: "4", memory: 8Gi}}
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api}
    spec:
      replicas: 2
      selector: {matchLabels: {app: api}}
      template:
        metadata: {labels: {app: api}}
        spec:
          initContainers:
            - {name: schema, image: busybox, command: [sh, -c, "true"]}
            - {name: mesh, image: envoy, restartPolicy: Always}
          containers:
            - {name: api, image: nginx}
`);
    const insts = of(recs, 'instance.created').map((r) => r.instance);
    expect(insts).toHaveLength(2);
    for (const inst of insts) {
      expect(of(recs, 'container.created', inst).map((r) => r.name)).toEqual(['schema', 'mesh', 'api']);
      const { running, exited, created } = timeline(recs, inst);
      expect(exited.get('schema')!.t - running.get('schema')!).toBe(DEFAULT_INIT_RUN_MS);
      expect(created.get('api')!).toBeGreaterThanOrEqual(exited.get('schema')!.t);
      expect(of(recs, 'instance.status', inst).map((r) => r.to)).toEqual(['Running']);
    }
  });

  it('running: snapshot instances with init containers are adopted as initialized: init containers are not run again, sidecars run', async () => {
    const { recs, ok } = await run(
      oneWorkload({
        name: 'snapshot-init',
        seed: 3,
        duration: '1m',
        workload: 'web',
        init: ['{name: migrate, image: busybox}', '{name: proxy, image: envoy, restartPolicy: Always}'],
        containers: ['{name: app, image: nginx}'],
        tail: 'running:\n  - {workload: web, node: node-1, slot: 0, id: web-snap}',
      }),
    );
    expect(ok).toBe(true);
    expect(of(recs, 'instance.adopted').map((r) => [r.instance, r.containers])).toEqual([['web-snap', 2]]);
    expect(of(recs, 'container.created')).toEqual([]);
    expect(of(recs, 'init.started')).toEqual([]);
    expect(of(recs, 'instance.status', 'web-snap').map((r) => r.to)).toEqual(['Running']);
    expect(of(recs, 'instance.ready', 'web-snap')).toEqual([]);
  });

  for (const crashAt of ['15s', '45s']) {
    it(`a leader killed between init containers (at ${crashAt}): the next leader adopts and goes on from there; none runs twice, no instance is replaced`, async () => {
      // migrate runs 0–30 s, then the proxy sidecar starts and warm runs 30 s: 15 s is inside
      // migrate, 45 s inside warm. The other replica leads after the lease (10 s) and adopts.
      const { recs, ok } = await run(
        oneWorkload({
          name: `init-failover-${crashAt}`,
          seed: 6,
          duration: '4m',
          workload: 'web',
          fields: ['replicas: 3'],
          init: [
            '{name: migrate, image: busybox, requests: {cpu: 100m}, sim: {runFor: 30s}}',
            '{name: proxy, image: envoy, restartPolicy: Always, requests: {cpu: 100m}}',
            '{name: warm, image: busybox, sim: {runFor: 30s}}',
          ],
          containers: ['{name: app, image: nginx, requests: {cpu: 200m}}'],
          tail: `controlPlane: {replicas: 2, store: {ttl: 10s}}\nfaults:\n  - {at: ${crashAt}, controlPlaneCrash: {replica: leader, restartAfter: 1m}}\n`,
        }),
      );
      expect(ok).toBe(true);
      const crashes = of(recs, 'fault.cp_crash');
      expect(crashes).toHaveLength(1);
      const crash = crashes[0].t;
      const instances = of(recs, 'instance.created').map((r) => r.instance);
      expect(instances).toHaveLength(3);
      expect(of(recs, 'instance.adopted').map((r) => r.instance).sort()).toEqual([...instances].sort());
      for (const inst of instances) {
        // Each container created once, in lifecycle order, across both leaders.
        expect(of(recs, 'container.created', inst).map((r) => r.name)).toEqual(['migrate', 'proxy', 'warm', 'app']);
        const { created, exited, running } = timeline(recs, inst);
        // The crash came while the init container of that moment ran: created by the old leader, it finished under the new one.
        const during = crashAt === '15s' ? 'migrate' : 'warm';
        expect(created.get(during)!).toBeLessThan(crash);
        expect(exited.get(during)!.t).toBeGreaterThan(crash);
        expect(created.get('app')!).toBeGreaterThan(crash);
        expect(exited.get('migrate')).toMatchObject({ exitCode: 0 });
        expect(exited.get('warm')).toMatchObject({ exitCode: 0 });
        expect(running.has('app')).toBe(true);
        expect(of(recs, 'instance.status', inst).map((r) => r.to)).toEqual(['Running']);
      }
      expect(of(recs, 'slot.failed')).toEqual([]);
      expect(of(recs, 'instance.removed')).toEqual([]);
    });
  }

  it('scenario parsing: an init container may give sim.exitCode without runFor (it runs the default); a sidecar or a regular container may not', () => {
    const doc = (init: string, app = '{name: app, image: nginx}') => `name: p
duration: 1m
nodes: [{name: n, capacity: {cpu: 1, memory: 1Gi}}]
workloads:
  - name: w
    initContainers:
      - ${init}
    containers:
      - ${app}
`;
    const s = parseScenario(doc('{name: check, image: busybox, sim: {exitCode: 2}}'), 'p.yaml');
    expect(s.workloads[0].initContainers?.[0]).toMatchObject({ name: 'check', sim: { exitCode: 2 } });
    expect(s.workloads[0].initContainers?.[0].sim).not.toHaveProperty('runFor');
    expect(() => parseScenario(doc('{name: log, image: fluentbit, restartPolicy: Always, sim: {exitCode: 2}}'), 'p.yaml')).toThrow(
      new InputError('p.yaml:7:68: workloads[0].initContainers[0].sim.exitCode: exitCode needs runFor (the container exits by itself only after runFor)'),
    );
    expect(() => parseScenario(doc('{name: check, image: busybox}', '{name: app, image: nginx, sim: {exitCode: 1}}'), 'p.yaml')).toThrow(/containers\[0\]\.sim\.exitCode: exitCode needs runFor/);
  });
});
