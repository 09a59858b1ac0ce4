import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { InputError } from '../../src/core/errors.js';
import { readScenario } from '../../src/cli/read-scenario.js';
import { runValidate } from '../../src/cli/validate.js';
import { parseScenario } from '../../src/run/parse-scenario.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

const FULL = `name: steady-service
description: A web service, a batch job and a crash loop
seed: 42
duration: 40m
nodes:
  - name: node-{i}
    count: 3
    capacity: {cpu: 4, memory: 8Gi, disk: 100Gi, example.com/gpu: 2}
    allocatable: {cpu: 3800m, memory: 7Gi}
    labels: {zone: a}
    taints: [{key: dedicated, value: web, effect: NoSchedule}]
  - name: big-{i:3}
    count: 2
    capacity: {cpu: 16, memory: 64Gi}
workloads:
  - name: web
    replicas: 10
    priority: 5
    labels: {app: web}
    containers:
      - name: app
        image: nginx:1.25
        command: [nginx]
        args: ["-g", "daemon off;"]
        env: {A: "1"}
        ports: [{containerPort: 80, hostPort: 8080}, {containerPort: 53, protocol: udp}]
        requests: {cpu: 500m, memory: 256Mi}
        limits: {cpu: 1, memory: 512Mi}
  - name: batch
    kind: job
    replicas: 2
    completions: 10
    at: 1m
    containers:
      - name: work
        image: busybox
        sim: {runFor: {uniform: [10s, 30s]}}
  - name: crashy
    updateStrategy: {type: Recreate}
    containers:
      - {name: c, image: busybox, sim: {runFor: 5s, exitCode: 1}}
operations:
  - {at: 5m, scale: {workload: web, replicas: 5}}
  - {at: 6m, update: {workload: web, container: app, image: "nginx:1.26", limits: {cpu: 2}}}
  - {at: 9m, delete: {workload: crashy}}
  - {at: 1m, addNode: {name: node-x, capacity: {cpu: 2, memory: 4Gi}, labels: {zone: b}}}
  - {at: 2m, removeNode: {node: node-2}}
faults:
  - {at: 3m, nodeCrash: {node: node-1, recoverAfter: 2m}}
  - {at: 4m, nodeCrash: {node: node-x}}
  - {at: 4m, containerCrash: {workload: web}}
  - {at: 4m, containerCrash: {workload: web, slot: 2, exitCode: 1}}
latency:
  create: 100ms
  start: {exponential: 300ms}
  stop: {normal: {mean: 1s, stddev: 200ms}}
  network: {lognormal: {median: 2ms, sigma: 0.5}}
controlPlane:
  downAfter: 2m
  backoffMax: 1m
  reconcileMinGap: 0s
expectations:
  - converged: {by: 5m}
  - noInstancesOn: {statuses: [Down], at: 20m}
  - noInstancesOn: {statuses: [NotReady, Down]}
  - running: {workload: web, count: 3, at: 10m}
  - jobCompleted: {workload: batch, by: 30m}
  - restarts: {workload: crashy, min: 3, max: 10}
  - restarts: {workload: crashy, max: 10}
  - name: both up
    converged: {by: 6m, workloads: [web, batch]}
`;

describe('a full valid scenario', () => {
  const s = parseScenario(FULL, 'full.yaml');

  it('keeps the top-level values, durations in ms', () => {
    expect(s.name).toBe('steady-service');
    expect(s.description).toBe('A web service, a batch job and a crash loop');
    expect(s.seed).toBe(42);
    expect(s.durationMs).toBe(40 * 60_000);
    expect(s.scheduler).toEqual({ name: 'round-robin' });
    expect(s.source).toEqual({ file: 'full.yaml', document: parse(FULL) });
  });

  it('expands node patterns, normalizes quantities, fills allocatable from capacity', () => {
    expect(s.nodes.map((n) => n.name)).toEqual(['node-1', 'node-2', 'node-3', 'big-001', 'big-002']);
    const n1 = s.nodes[0];
    expect(n1.capacity).toEqual({ cpu: 4000, memory: 8 * GiB, disk: 100 * GiB, extended: { 'example.com/gpu': 2 } });
    expect(n1.allocatable).toEqual({ cpu: 3800, memory: 7 * GiB, disk: 100 * GiB, extended: { 'example.com/gpu': 2 } });
    expect(n1.labels).toEqual({ zone: 'a' });
    expect(n1.taints).toEqual([{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }]);
    expect(s.nodes[1].labels).not.toBe(n1.labels);
    const big = s.nodes[3];
    expect(big.capacity).toEqual({ cpu: 16_000, memory: 64 * GiB, disk: 0, extended: {} });
    expect(big.allocatable).toEqual(big.capacity);
    expect(big.labels).toEqual({});
    expect(big.taints).toEqual([]);
    expect(big).not.toHaveProperty('address');
  });

  it('normalizes workloads and fills defaults', () => {
    const [web, batch, crashy] = s.workloads;
    expect(web).toEqual({
      name: 'web',
      kind: 'service',
      replicas: 10,
      completions: 1,
      backoffLimit: 6,
      at: 0,
      priority: 5,
      restartPolicy: 'Always',
      // 25% of 10: surge rounds up (3), unavailable down (2).
      updateStrategy: { type: 'RollingUpdate', maxSurge: 3, maxUnavailable: 2 },
      labels: { app: 'web' },
      containers: [
        {
          name: 'app',
          image: 'nginx:1.25',
          command: ['nginx'],
          args: ['-g', 'daemon off;'],
          env: { A: '1' },
          ports: [
            { containerPort: 80, hostPort: 8080, protocol: 'tcp' },
            { containerPort: 53, protocol: 'udp' },
          ],
          requests: { cpu: 500, memory: 256 * MiB, disk: 0, extended: {} },
          limits: { cpu: 1000, memory: 512 * MiB, disk: 0, extended: {} },
        },
      ],
    });
    expect(batch).toMatchObject({ kind: 'job', replicas: 2, completions: 10, backoffLimit: 6, at: 60_000 });
    expect(batch.restartPolicy).toBe('OnFailure');
    expect(batch.containers[0].sim).toEqual({ runFor: { kind: 'uniform', minMs: 10_000, maxMs: 30_000 }, exitCode: 0 });
    expect(batch.containers[0].requests).toEqual({ cpu: 0, memory: 0, disk: 0, extended: {} });
    expect(batch.containers[0]).not.toHaveProperty('command');
    expect(crashy.updateStrategy).toEqual({ type: 'Recreate', maxSurge: 0, maxUnavailable: 0 });
    expect(crashy.containers[0].sim).toEqual({ runFor: { kind: 'constant', ms: 5000 }, exitCode: 1 });
  });

  it('keeps operations and faults in file order, times in ms', () => {
    expect(s.operations).toEqual([
      { kind: 'scale', at: 300_000, workload: 'web', replicas: 5 },
      {
        kind: 'update',
        at: 360_000,
        workload: 'web',
        patch: { container: 'app', image: 'nginx:1.26', limits: { cpu: 2000, memory: 0, disk: 0, extended: {} } },
      },
      { kind: 'delete', at: 540_000, workload: 'crashy' },
      {
        kind: 'addNode',
        at: 60_000,
        node: {
          name: 'node-x',
          capacity: { cpu: 2000, memory: 4 * GiB, disk: 0, extended: {} },
          allocatable: { cpu: 2000, memory: 4 * GiB, disk: 0, extended: {} },
          labels: { zone: 'b' },
          taints: [],
        },
      },
      { kind: 'removeNode', at: 120_000, node: 'node-2' },
    ]);
    expect(s.faults).toEqual([
      { kind: 'nodeCrash', at: 180_000, node: 'node-1', recoverAfter: 120_000 },
      { kind: 'nodeCrash', at: 240_000, node: 'node-x' },
      { kind: 'containerCrash', at: 240_000, workload: 'web', slot: 0, exitCode: 137 },
      { kind: 'containerCrash', at: 240_000, workload: 'web', slot: 2, exitCode: 1 },
    ]);
  });

  it('normalizes latency distributions, with defaults for the ones not given', () => {
    expect(s.latency).toEqual({
      imagePull: { kind: 'uniform', minMs: 1000, maxMs: 3000 },
      create: { kind: 'constant', ms: 100 },
      start: { kind: 'exponential', meanMs: 300 },
      stop: { kind: 'normal', meanMs: 1000, stddevMs: 200 },
      network: { kind: 'lognormal', medianMs: 2, sigma: 0.5 },
    });
  });

  it('normalizes the control plane config with the Ms suffix', () => {
    expect(s.controlPlane).toEqual({
      reconcileIntervalMs: 30_000,
      reconcileMinGapMs: 0,
      resyncIntervalMs: 60_000,
      heartbeatIntervalMs: 10_000,
      nodeMonitorPeriodMs: 5_000,
      notReadyAfterMs: 40_000,
      downAfterMs: 120_000,
      evictionGraceMs: 30_000,
      backoffInitialMs: 10_000,
      backoffMaxMs: 60_000,
      backoffResetMs: 600_000,
      unschedulableRetryMs: 30_000,
      rpcTimeoutMs: 10_000,
    });
  });

  it('names expectations readably unless a name is given', () => {
    expect(s.expectations).toEqual([
      { kind: 'converged', name: 'converged by 5m', by: 300_000 },
      { kind: 'noInstancesOn', name: 'no instances on Down nodes at 20m', at: 1_200_000, statuses: ['Down'] },
      { kind: 'noInstancesOn', name: 'no instances on NotReady/Down nodes at the end', statuses: ['NotReady', 'Down'] },
      { kind: 'running', name: 'web running 3 at 10m', at: 600_000, workload: 'web', count: 3 },
      { kind: 'jobCompleted', name: 'batch completed by 30m', by: 1_800_000, workload: 'batch' },
      { kind: 'restarts', name: 'crashy restarts between 3 and 10', workload: 'crashy', min: 3, max: 10 },
      { kind: 'restarts', name: 'crashy restarts at most 10', workload: 'crashy', max: 10 },
      { kind: 'converged', name: 'both up', by: 360_000, workloads: ['web', 'batch'] },
    ]);
  });
});

describe('defaults of a minimal scenario', () => {
  const s = parseScenario('name: tiny\nduration: 1m\nnodes:\n  - {name: n1, capacity: {cpu: 1, memory: 1Gi}}\n', 'tiny.yaml');

  it('fills every optional section', () => {
    expect(s.seed).toBe(1);
    expect(s).not.toHaveProperty('description');
    expect(s.workloads).toEqual([]);
    expect(s.operations).toEqual([]);
    expect(s.faults).toEqual([]);
    expect(s.expectations).toEqual([]);
    expect(s.scheduler.name).toBe('round-robin');
    expect(s.latency.start).toEqual({ kind: 'uniform', minMs: 200, maxMs: 800 });
    expect(s.latency.stop).toEqual({ kind: 'constant', ms: 500 });
    expect(s.latency.network).toEqual({ kind: 'constant', ms: 1 });
    expect(s.controlPlane.downAfterMs).toBe(300_000);
    expect(s.controlPlane.backoffMaxMs).toBe(300_000);
    expect(s.controlPlane.reconcileMinGapMs).toBe(100);
    expect(s.controlPlane.reconcileIntervalMs).toBe(30_000);
    expect(s.controlPlane.resyncIntervalMs).toBe(60_000);
  });

  it('returns fresh default objects for every parse', () => {
    const again = parseScenario('name: tiny\nduration: 1m\nnodes:\n  - {name: n1, capacity: {cpu: 1, memory: 1Gi}}\n', 'tiny.yaml');
    expect(again.latency.imagePull).toEqual(s.latency.imagePull);
    expect(again.latency.imagePull).not.toBe(s.latency.imagePull);
  });
});

/** Scenario text whose first four lines are fixed, so that positions in the table are easy to read. */
const HEAD = 'name: t\nduration: 10m\n';
const NODE = 'nodes:\n  - {name: n1, capacity: {cpu: 1, memory: 1Gi}}\n';
const base = (rest: string, nodes = NODE) => HEAD + nodes + rest;
/** One workload `web` with one container `app` (lines 5-8); `c` adds fields to the container. */
const web = (c = '') => `workloads:\n  - name: web\n    containers:\n      - {name: app, image: x${c}}\n`;
/** A `nodes` list: a line that starts with two spaces continues the item before it. */
const nodes = (...lines: string[]) =>
  `nodes:\n${lines.map((l) => (l.startsWith('  ') ? `  ${l}\n` : `  - ${l}\n`)).join('')}`;

describe('updateStrategy resolution', () => {
  const strategy = (replicas: number, s: string) =>
    parseScenario(
      base(`workloads:\n  - {name: w, replicas: ${replicas}, updateStrategy: ${s}, containers: [{name: a, image: x}]}\n`),
      'u.yaml',
    ).workloads[0].updateStrategy;

  it.each<[number, string, number, number]>([
    [3, '{}', 1, 0],
    [10, '{}', 3, 2],
    [4, '{maxSurge: 50%, maxUnavailable: 50%}', 2, 2],
    [3, '{maxSurge: 0, maxUnavailable: 10%}', 0, 1],
    [0, '{}', 0, 1],
    [3, '{maxSurge: 2, maxUnavailable: 1}', 2, 1],
    [3, '{maxSurge: 200%, maxUnavailable: 100%}', 6, 3],
  ])('replicas %d, %s → surge %d, unavailable %d', (replicas, s, surge, unavailable) => {
    expect(strategy(replicas, s)).toEqual({ type: 'RollingUpdate', maxSurge: surge, maxUnavailable: unavailable });
  });

  it('ignores the numbers of Recreate', () => {
    expect(strategy(3, '{type: Recreate, maxSurge: 2}')).toEqual({ type: 'Recreate', maxSurge: 0, maxUnavailable: 0 });
  });
});

describe('bad input: one line, FILE:LINE:COL: message', () => {
  const SUFFIXES = 'use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3';
  it.each<[string, string, string]>([
    // YAML syntax
    ['malformed YAML', 'name: t\nduration: [1\n', 's.yaml:3:1: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['a duplicate YAML key', 'name: t\nname: u\n', 's.yaml:2:1: Map keys must be unique'],
    ['an unresolved alias', 'name: *x\n', 's.yaml:1:7: Unresolved alias (the anchor must be set before the alias): x'],
    ['an empty file', '', 's.yaml:1:1: the file is empty; a scenario is a mapping with at least name, duration and nodes'],
    ['a comment-only file', '# nothing\n', 's.yaml:1:1: the file is empty; a scenario is a mapping with at least name, duration and nodes'],
    ['a list at the top', '- a\n- b\n', 's.yaml:1:1: expected a mapping (name, duration, nodes, ...) at the top level, got a list'],
    ['a scalar at the top', 'hello\n', 's.yaml:1:1: expected a mapping (name, duration, nodes, ...) at the top level, got "hello"'],
    // unknown keys
    ['an unknown top-level key', base('nme: x\n'), 's.yaml:5:1: unknown key "nme" at the top level; did you mean "name"?'],
    [
      'a misspelt workload key',
      base('workloads:\n  - name: web\n    replica: 3\n    containers: [{name: app, image: x}]\n'),
      's.yaml:7:5: unknown key "replica" in workloads[0]; did you mean "replicas"?',
    ],
    [
      'a misspelt key that also leaves a required key missing',
      base('workloads:\n  - nmae: web\n    containers: [{name: app, image: x}]\n'),
      's.yaml:6:5: unknown key "nmae" in workloads[0]; did you mean "name"?',
    ],
    [
      'an unknown key with nothing close',
      base('workloads:\n  - name: web\n    zzzzzzz: 3\n    containers: [{name: app, image: x}]\n'),
      's.yaml:7:5: unknown key "zzzzzzz" in workloads[0] (known keys: name, namespace, controller, kind, replicas, completions, backoffLimit, at, priority, restartPolicy, updateStrategy, labels, containers, initContainers, overhead, placement, gpus)',
    ],
    [
      'an unknown key in a distribution',
      base('latency: {start: {gauss: 1s}}\n'),
      's.yaml:5:19: unknown key "gauss" in latency.start (known keys: uniform, exponential, normal, lognormal)',
    ],
    [
      'an unknown resource',
      base('', nodes('name: n1', '  capacity: {cpu: 1, memory: 1Gi, gpu: 1}')),
      's.yaml:5:37: nodes[0].capacity: unknown resource "gpu"; did you mean "cpu"? (known: cpu, memory, disk, hugepages-SIZE; extended resources need a domain prefix, e.g. example.com/gpu)',
    ],
    // wrong types and values
    [
      'a word for a number',
      base('workloads:\n  - name: web\n    replicas: three\n    containers: [{name: app, image: x}]\n'),
      's.yaml:7:15: workloads[0].replicas: expected a non-negative integer, got "three"',
    ],
    [
      'a negative count',
      base('workloads:\n  - name: web\n    replicas: -1\n    containers: [{name: app, image: x}]\n'),
      's.yaml:7:15: workloads[0].replicas: expected a non-negative integer, got -1',
    ],
    [
      'an empty value',
      base('workloads:\n  - name: web\n    replicas:\n    containers: [{name: app, image: x}]\n'),
      's.yaml:7:5: workloads[0].replicas: expected a non-negative integer, got an empty value',
    ],
    ['a negative seed', base('seed: -1\n'), 's.yaml:5:7: seed: expected a non-negative integer, got -1'],
    ['a missing name', 'duration: 10m\n' + NODE, 's.yaml:1:1: missing required key "name"'],
    ['an empty nodes key', 'name: t\nduration: 1m\nnodes:\n', 's.yaml:3:1: nodes: expected a list, got an empty value'],
    ['an empty node list', 'name: t\nduration: 1m\nnodes: []\n', 's.yaml:3:8: nodes: needs at least one entry'],
    ['workloads as a mapping', base('workloads: {web: 1}\n'), 's.yaml:5:12: workloads: expected a list, got a mapping'],
    ['a workload without containers', base('workloads:\n  - {name: web}\n'), 's.yaml:6:5: workloads[0]: missing required key "containers"'],
    [
      'a number in env',
      base(web(', env: {A: 1}')),
      's.yaml:8:40: workloads[0].containers[0].env.A: expected a string, got 1; quote it: A: "1"',
    ],
    [
      'a boolean in a label',
      base(`workloads:\n  - name: web\n    labels: {canary: true}\n    containers: [{name: app, image: x}]\n`),
      's.yaml:7:22: workloads[0].labels.canary: expected a string, got true; quote it: canary: "true"',
    ],
    [
      'a port out of range',
      base(web(', ports: [{containerPort: 70000}]')),
      's.yaml:8:55: workloads[0].containers[0].ports[0].containerPort: expected an integer from 1 to 65535, got 70000',
    ],
    [
      'an invalid workload name',
      base('workloads:\n  - {name: Web_1, containers: [{name: a, image: x}]}\n'),
      `s.yaml:6:12: workloads[0].name: invalid workload name "Web_1": use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit`,
    ],
    [
      'a wrongly cased enum',
      base('', nodes('{name: n, capacity: {cpu: 1, memory: 1Gi}, taints: [{key: a, effect: noschedule}]}')),
      's.yaml:4:74: nodes[0].taints[0].effect: expected one of "NoSchedule", "PreferNoSchedule", "NoExecute", got "noschedule"; did you mean "NoSchedule"?',
    ],
    // quantities and capacities
    [
      'a missing cpu capacity',
      base('', nodes('name: n1', '  capacity: {memory: 1Gi}')),
      's.yaml:5:15: nodes[0].capacity: missing required key "cpu"',
    ],
    [
      'a zero capacity',
      base('', nodes('name: n1', '  capacity: {cpu: 0, memory: 1Gi}')),
      's.yaml:5:21: nodes[0].capacity.cpu: must be greater than 0, got 0',
    ],
    [
      'a bad quantity',
      base('', nodes('name: n1', '  capacity: {cpu: 1.5.2, memory: 1Gi}')),
      's.yaml:5:21: nodes[0].capacity.cpu: invalid quantity "1.5.2": more than one decimal point',
    ],
    [
      'a bad suffix',
      base('', nodes('name: n1', '  capacity: {cpu: 1, memory: 1mi}')),
      `s.yaml:5:32: nodes[0].capacity.memory: invalid quantity "1mi": unknown suffix "mi"; ${SUFFIXES}`,
    ],
    [
      'a fractional extended resource',
      base('', nodes('name: n1', '  capacity: {cpu: 1, memory: 1Gi, example.com/gpu: 1.5}')),
      's.yaml:5:54: nodes[0].capacity["example.com/gpu"]: invalid quantity "1.5": must be a whole number',
    ],
    [
      'allocatable above capacity',
      base('', nodes('{name: n, capacity: {cpu: 1, memory: 1Gi}, allocatable: {memory: 2Gi}}')),
      's.yaml:4:70: nodes[0].allocatable.memory: 2Gi is more than the capacity 1Gi',
    ],
    [
      'a limit below the request',
      base(web(', requests: {cpu: 1}, limits: {cpu: 500m}')),
      's.yaml:8:65: workloads[0].containers[0].limits.cpu: limit 500m is less than the request 1',
    ],
    // durations
    ['a unitless duration', 'name: t\nduration: 10\n' + NODE, 's.yaml:2:11: duration: invalid duration "10": needs a unit, e.g. 30s'],
    ['an unknown unit', 'name: t\nduration: 10x\n' + NODE, 's.yaml:2:11: duration: invalid duration "10x": unknown unit "x"; use ms, s, m, h or d'],
    ['a zero run duration', 'name: t\nduration: 0s\n' + NODE, 's.yaml:2:11: duration: must be greater than 0, got "0s"'],
    [
      'a negative submission time',
      base('workloads:\n  - {name: web, at: -1m, containers: [{name: a, image: x}]}\n'),
      's.yaml:6:21: workloads[0].at: invalid duration "-1m": must not be negative',
    ],
    ['a zero interval', base('controlPlane: {resyncInterval: 0}\n'), 's.yaml:5:32: controlPlane.resyncInterval: must be greater than 0, got 0'],
    ['an inverted uniform', base('latency: {start: {uniform: [3s, 1s]}}\n'), 's.yaml:5:28: latency.start.uniform: min "3s" is greater than max "1s"'],
    [
      'two distribution kinds',
      base('latency: {start: {uniform: [1s, 2s], exponential: 1s}}\n'),
      's.yaml:5:38: latency.start: has both "uniform" and "exponential"; give one distribution kind per item',
    ],
    [
      'notReadyAfter not below downAfter',
      base('controlPlane: {notReadyAfter: 6m}\n'),
      's.yaml:5:31: controlPlane.notReadyAfter: must be shorter than downAfter (5m), got 6m',
    ],
    [
      'backoffMax below backoffInitial',
      base('controlPlane: {backoffInitial: 1m, backoffMax: 30s}\n'),
      's.yaml:5:48: controlPlane.backoffMax: must be at least backoffInitial (1m), got 30s',
    ],
    // references
    [
      'an unknown node',
      base('faults:\n  - {at: 1m, nodeCrash: {node: n2}}\n'),
      's.yaml:6:32: faults[0].nodeCrash.node: unknown node "n2"; did you mean "n1"? (known: n1)',
    ],
    [
      'an unknown workload',
      base(web() + 'operations:\n  - {at: 1m, scale: {workload: wbe, replicas: 2}}\n'),
      's.yaml:10:32: operations[0].scale.workload: unknown workload "wbe"; did you mean "web"? (known: web)',
    ],
    [
      'a reference when there are no workloads',
      base('expectations:\n  - running: {workload: web, count: 1, at: 1m}\n'),
      's.yaml:6:25: expectations[0].running.workload: unknown workload "web"; the scenario defines no workloads',
    ],
    [
      'an unknown workload in converged',
      base(web() + 'expectations:\n  - converged: {by: 1m, workloads: [web, db]}\n'),
      's.yaml:10:42: expectations[0].converged.workloads[1]: unknown workload "db" (known: web)',
    ],
    [
      'an unknown container in an update',
      base(web() + 'operations:\n  - {at: 1m, update: {workload: web, container: ap, image: y}}\n'),
      's.yaml:10:49: operations[0].update.container: workload "web" has no container "ap"; did you mean "app"? (known: app)',
    ],
    [
      'a node used before it is added',
      base('operations:\n  - {at: 5m, addNode: {name: n9, capacity: {cpu: 1, memory: 1Gi}}}\nfaults:\n  - {at: 1m, nodeCrash: {node: n9}}\n'),
      's.yaml:8:32: faults[0].nodeCrash.node: node "n9" is added only at 5m (operations[0]), after this (1m)',
    ],
    [
      'a workload changed before it is submitted',
      base('workloads:\n  - {name: web, at: 5m, containers: [{name: a, image: x}]}\noperations:\n  - {at: 1m, delete: {workload: web}}\n'),
      's.yaml:8:33: operations[0].delete.workload: workload "web" is submitted only at 5m, after this (1m)',
    ],
    [
      'jobCompleted on a service',
      base(web() + 'expectations:\n  - jobCompleted: {workload: web, by: 5m}\n'),
      's.yaml:10:30: expectations[0].jobCompleted.workload: "web" is a service; jobCompleted needs a job',
    ],
    // duplicates
    [
      'a duplicate node after expansion',
      base('', nodes('name: node-2', '  capacity: {cpu: 1, memory: 1Gi}', 'name: node-{i}', '  count: 3', '  capacity: {cpu: 1, memory: 1Gi}')),
      's.yaml:6:11: nodes[1].name: duplicate node name "node-2" (first defined at nodes[0].name)',
    ],
    [
      'a duplicate node from addNode',
      base('operations:\n  - {at: 1m, addNode: {name: n1, capacity: {cpu: 1, memory: 1Gi}}}\n'),
      's.yaml:6:30: operations[0].addNode.name: duplicate node name "n1" (first defined at nodes[0].name)',
    ],
    [
      'a duplicate workload',
      base('workloads:\n  - {name: web, containers: [{name: a, image: x}]}\n  - {name: web, containers: [{name: a, image: x}]}\n'),
      's.yaml:7:12: workloads[1].name: duplicate workload name "web" (first defined at workloads[0])',
    ],
    [
      'a duplicate container',
      base('workloads:\n  - {name: web, containers: [{name: a, image: x}, {name: a, image: y}]}\n'),
      's.yaml:6:58: workloads[0].containers[1].name: duplicate container name "a" (also containers[0])',
    ],
    // node patterns
    [
      'a placeholder without count',
      base('', nodes('name: node-{i}', '  capacity: {cpu: 1, memory: 1Gi}')),
      's.yaml:4:11: nodes[0].name: "node-{i}" has an {i} placeholder but no count; add count: N',
    ],
    [
      'a count without placeholder',
      base('', nodes('name: node', '  count: 2', '  capacity: {cpu: 1, memory: 1Gi}')),
      's.yaml:4:11: nodes[0].name: with count: 2 the name needs an {i} placeholder (e.g. node-{i}) to tell the nodes apart',
    ],
    [
      'an unknown placeholder',
      base('', nodes('name: node-{n}', '  count: 2', '  capacity: {cpu: 1, memory: 1Gi}')),
      `s.yaml:4:11: nodes[0].name: with count: 2 the name needs an {i} placeholder (e.g. node-{i}) to tell the nodes apart`,
    ],
    [
      'an invalid node name',
      base('', nodes('name: Node_{i}', '  count: 2', '  capacity: {cpu: 1, memory: 1Gi}')),
      `s.yaml:4:11: invalid node name "Node_1": use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`.replace(
        'invalid',
        'nodes[0].name: invalid',
      ),
    ],
    // times
    [
      'an operation after the end',
      base(web() + 'operations:\n  - {at: 11m, delete: {workload: web}}\n'),
      's.yaml:10:10: operations[0].at: 11m is after the end of the run (duration 10m)',
    ],
    [
      'a fault after the end',
      base('faults:\n  - {at: 1h, nodeCrash: {node: n1}}\n'),
      's.yaml:6:10: faults[0].at: 1h is after the end of the run (duration 10m)',
    ],
    [
      'an expectation after the end',
      base('expectations:\n  - converged: {by: 10m1ms}\n'),
      's.yaml:6:21: expectations[0].converged.by: 10m1ms is after the end of the run (duration 10m)',
    ],
    // items with one kind
    [
      'two actions in one operation',
      base(web() + 'operations:\n  - {at: 1m, scale: {workload: web, replicas: 2}, delete: {workload: web}}\n'),
      's.yaml:10:51: operations[0]: has both "scale" and "delete"; give one action per item',
    ],
    [
      'an operation without an action',
      base(web() + 'operations:\n  - {at: 1m}\n'),
      's.yaml:10:5: operations[0]: needs one action: scale, update, delete, addNode, removeNode, taint, untaint',
    ],
    [
      'an update that changes nothing',
      base(web() + 'operations:\n  - {at: 1m, update: {workload: web}}\n'),
      's.yaml:10:22: operations[0].update: nothing to change; give at least one of image, command, args, env, requests, limits, sim',
    ],
    [
      'an update whose limit falls below the current request',
      base(web(', requests: {cpu: 1}') + 'operations:\n  - {at: 1m, update: {workload: web, limits: {cpu: 500m}}}\n'),
      's.yaml:10:52: operations[0].update.limits.cpu: limit 500m is less than the request 1 of container "app"',
    ],
    [
      'restarts without bounds',
      base(web() + 'expectations:\n  - restarts: {workload: web}\n'),
      's.yaml:10:15: expectations[0].restarts: needs min, max or both',
    ],
    // workload kinds
    [
      'Always for a job',
      base('workloads:\n  - {name: b, kind: job, restartPolicy: Always, containers: [{name: a, image: x}]}\n'),
      's.yaml:6:41: workloads[0].restartPolicy: a job cannot use Always; use OnFailure or Never',
    ],
    [
      'completions on a service',
      base('workloads:\n  - {name: b, completions: 3, containers: [{name: a, image: x}]}\n'),
      's.yaml:6:15: workloads[0].completions: only jobs have completions; this workload is a service (add kind: job)',
    ],
    [
      'maxSurge and maxUnavailable both 0',
      base('workloads:\n  - {name: web, updateStrategy: {maxSurge: 0, maxUnavailable: 0}, containers: [{name: a, image: x}]}\n'),
      's.yaml:6:63: workloads[0].updateStrategy: maxSurge and maxUnavailable cannot both be 0 (an update could never make progress)',
    ],
    [
      'maxUnavailable above 100%',
      base('workloads:\n  - {name: web, updateStrategy: {maxUnavailable: 150%}, containers: [{name: a, image: x}]}\n'),
      's.yaml:6:50: workloads[0].updateStrategy.maxUnavailable: must be at most 100%, got "150%"',
    ],
    // more shapes
    [
      'a misspelt operation kind',
      base(web() + 'operations:\n  - {at: 1m, sclae: {workload: web, replicas: 2}}\n'),
      's.yaml:10:14: unknown key "sclae" in operations[0]; did you mean "scale"?',
    ],
    [
      'a missing key inside an operation',
      base(web() + 'operations:\n  - {at: 1m, scale: {workload: web}}\n'),
      's.yaml:10:21: operations[0].scale: missing required key "replicas"',
    ],
    [
      'exitCode without runFor',
      base(web(', sim: {exitCode: 1}')),
      's.yaml:8:37: workloads[0].containers[0].sim.exitCode: exitCode needs runFor (the container exits by itself only after runFor)',
    ],
    [
      'backoffLimit on a service',
      base('workloads:\n  - {name: b, backoffLimit: 3, containers: [{name: a, image: x}]}\n'),
      's.yaml:6:15: workloads[0].backoffLimit: only jobs have backoffLimit; this workload is a service (add kind: job)',
    ],
    [
      'an updateStrategy on a job',
      base('workloads:\n  - {name: b, kind: job, updateStrategy: {type: Recreate}, containers: [{name: a, image: x}]}\n'),
      's.yaml:6:26: workloads[0].updateStrategy: only services have an updateStrategy; this workload is a job',
    ],
    [
      'maxSurge and maxUnavailable both 0%',
      base('workloads:\n  - {name: web, updateStrategy: {maxSurge: 0%, maxUnavailable: 0%}, containers: [{name: a, image: x}]}\n'),
      's.yaml:6:64: workloads[0].updateStrategy: maxSurge and maxUnavailable cannot both be 0 (an update could never make progress)',
    ],
    [
      'a node count too large',
      base('', 'nodes:\n  - {name: "n-{i}", count: 1000000, capacity: {cpu: 1, memory: 1Gi}}\n'),
      's.yaml:4:28: nodes[0].count: 1,000,000 nodes so far: over the limit of 100,000 nodes per scenario (raise it with --max-nodes N)',
    ],
    [
      'an unquoted {i} in a flow mapping',
      base('', 'nodes:\n  - {name: node-{i}, count: 2, capacity: {cpu: 1, memory: 1Gi}}\n'),
      's.yaml:4:17: Unexpected flow-map-start at node end (inside {...}, quote a name with {i}: name: "node-{i}")',
    ],
    ['a number for a string', base('description: 5\n'), 's.yaml:5:14: description: expected a string, got 5'],
    [
      'a misspelt workload kind',
      base('workloads:\n  - {name: b, kind: jbo, containers: [{name: a, image: x}]}\n'),
      's.yaml:6:21: workloads[0].kind: expected one of "service", "job", got "jbo"; did you mean "job"?',
    ],
    [
      'an unknown node status',
      base('expectations:\n  - noInstancesOn: {statuses: [Down, Gone]}\n'),
      's.yaml:6:38: expectations[0].noInstancesOn.statuses[1]: expected one of "Ready", "NotReady", "Unknown", "Down", got "Gone"',
    ],
    [
      'restarts max below min',
      base(web() + 'expectations:\n  - restarts: {workload: web, min: 5, max: 2}\n'),
      's.yaml:10:44: expectations[0].restarts.max: 2 is less than min 5',
    ],
    [
      'a negative sigma',
      base('latency: {network: {lognormal: {median: 2ms, sigma: -1}}}\n'),
      's.yaml:5:53: latency.network.lognormal.sigma: expected a non-negative number, got -1',
    ],
    [
      'a number in a command',
      base(web(', command: [sleep, 10]')),
      's.yaml:8:48: workloads[0].containers[0].command[1]: expected a string, got 10; quote it: "10"',
    ],
    [
      'an update whose request rises above the current limit',
      base(web(', limits: {cpu: 1}') + 'operations:\n  - {at: 1m, update: {workload: web, requests: {cpu: 2}}}\n'),
      's.yaml:10:54: operations[0].update.requests.cpu: request 2 is more than the limit 1 of container "app"',
    ],
    [
      'an invalid extended resource name',
      base('', 'nodes:\n  - {name: n1, capacity: {cpu: 1, memory: 1Gi, "ex/a/b": 1}}\n'),
      's.yaml:4:48: nodes[0].capacity: invalid extended resource name "ex/a/b": expected DOMAIN/NAME, e.g. example.com/gpu',
    ],
    // scheduler
    ['an unknown scheduler', base('scheduler: binpack\n'), 's.yaml:5:12: scheduler: unknown scheduler "binpack" (known: balanced, best-fit, default, dot-product, first-fit, gpu-best-fit, gpu-clustering, gpu-dotprod, gpu-fgd, gpu-packing, gpu-random, random, round-robin, spread)'],
  ])('%s', (_what, text, message) => {
    let thrown: unknown;
    try {
      parseScenario(text, 's.yaml');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as Error).message).toBe(message);
    expect((thrown as Error).message).not.toContain('\n');
  });

  it('reports the problem earliest in the file when there are several', () => {
    const text = base('seed: x\nscheduler: nope\nworkloads:\n  - {name: web, replicas: y, containers: [{name: a, image: x}]}\n');
    expect(() => parseScenario(text, 's.yaml')).toThrow('s.yaml:5:7: seed: expected a non-negative integer, got "x"');
  });
});

describe('readScenario and runValidate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-loader-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const good = join(dir, 'good.yaml');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(good, FULL);
  writeFileSync(bad, 'name: t\nduration: 10\n' + NODE);

  it('reads, parses and applies overrides', () => {
    const s = readScenario(good, { seed: 7, durationMs: 60_000 });
    expect(s.seed).toBe(7);
    expect(s.durationMs).toBe(60_000);
    expect(s.source.file).toBe(good);
    expect(readScenario(good).seed).toBe(42);
  });

  it('turns a read failure into a one-line InputError', () => {
    const missing = join(dir, 'missing.yaml');
    expect(() => readScenario(missing)).toThrow(new InputError(`${missing}: cannot read: no such file`));
    expect(() => readScenario(dir)).toThrow(new InputError(`${dir}: cannot read: is a directory`));
  });

  it('prints a summary and returns 0 for a valid file', () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(runValidate(good)).toBe(0);
      expect(out).toHaveBeenCalledWith(
        `${good}: ok — steady-service: 5 nodes, 3 workloads, 5 operations, 4 faults, 8 expectations\n`,
      );
    } finally {
      out.mockRestore();
    }
  });

  it('prints the message alone to stderr and returns 2 for an invalid file', () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(runValidate(bad)).toBe(2);
      expect(err).toHaveBeenCalledWith(`${bad}:2:11: duration: invalid duration "10": needs a unit, e.g. 30s\n`);
    } finally {
      err.mockRestore();
    }
  });
});
