/**
 * Reconciler decisions as tables: a workload, the observed instances and nodes, the time →
 * the actions. Each row's comment says why.
 */
import { describe, expect, it } from 'vitest';
import { backoffDelay, reconcile, type Action, type ReconcilerConfig, type SlotHistory } from '../../src/core/reconciler.js';
import { resources } from '../../src/core/resources.js';
import type { Instance, InstanceStatus, Node, NodeStatus, Taint, Workload } from '../../src/core/types.js';

const config: ReconcilerConfig = {
  evictionGraceMs: 30_000,
  backoffInitialMs: 10_000,
  backoffMaxMs: 300_000,
  unschedulableRetryMs: 30_000,
};

function workload(p: Partial<Workload> = {}): Workload {
  return {
    id: 'web',
    name: 'web',
    kind: 'service',
    replicas: 3,
    completions: 1,
    backoffLimit: 6,
    containers: [],
    labels: {},
    priority: 0,
    restartPolicy: 'Always',
    updateStrategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 },
    generation: 1,
    ...p,
  };
}

function inst(id: string, slot: number, status: InstanceStatus, p: Partial<Instance> = {}): Instance {
  return {
    id,
    workloadId: 'web',
    workloadName: 'web',
    slot,
    generation: 1,
    node: 'n1',
    status,
    containers: [],
    createdAt: 0,
    attempts: 1,
    lastAttemptAt: 0,
    lastAttemptEpoch: 0,
    ...p,
  };
}

function nodeOf(id: string, status: NodeStatus = 'Ready', statusSince = 0): Node {
  return {
    id,
    name: id,
    address: '',
    status,
    statusSince,
    unschedulable: false,
    labels: {},
    taints: [],
    capacity: resources(),
    allocatable: resources(),
  };
}

interface Row {
  why: string;
  w?: Partial<Workload>;
  instances: Instance[];
  nodes?: Node[];
  slots?: Array<[number, SlotHistory]>;
  now?: number;
  deleted?: boolean;
  jobFailures?: number;
  unlisted?: { until: number; nodes: string[] };
  expected: Action[];
  wakeAt?: number;
}

function run(row: Row) {
  const nodes = new Map((row.nodes ?? [nodeOf('n1'), nodeOf('n2')]).map((n) => [n.id, n]));
  return reconcile({
    workload: workload(row.w),
    deleted: row.deleted ?? false,
    observed: {
      instances: row.instances,
      slots: new Map(row.slots ?? []),
      jobFailures: row.jobFailures ?? 0,
      finished: false,
    },
    node: (id) => nodes.get(id),
    capacityEpoch: 0,
    ...(row.unlisted ? { unlisted: row.unlisted } : {}),
    now: row.now ?? 100_000,
    config,
  });
}

const create = (slot: number, reason: string, generation = 1): Action => ({ type: 'create', slot, generation, reason } as Action);
const stop = (instance: string, reason: string, taint?: string): Action =>
  ({ type: 'stop', instance, reason, ...(taint !== undefined ? { taint } : {}) }) as Action;
const tainted = (id: string, taints: Taint[]): Node => ({ ...nodeOf(id), taints });
/** Three running instances, slot 2 ('c') on n2 (bound at `boundAt`). */
const onN2 = (boundAt = 0) => [
  inst('a', 0, 'Running'),
  inst('b', 1, 'Running'),
  inst('c', 2, 'Running', { node: 'n2', scheduledAt: boundAt }),
];

const rows: Row[] = [
  {
    why: 'empty workload: create 3 instances in slots 0, 1, 2',
    instances: [],
    expected: [create(0, 'scale-up'), create(1, 'scale-up'), create(2, 'scale-up')],
  },
  {
    why: 'converged: nothing to do',
    instances: [inst('a', 0, 'Running'), inst('b', 1, 'Running'), inst('c', 2, 'Running')],
    expected: [],
  },
  {
    why: 'scale 3 → 1: victims are pending first, then not ready, then newest; kept: the oldest running',
    w: { replicas: 1 },
    instances: [
      inst('old', 0, 'Running', { createdAt: 0 }),
      inst('new', 1, 'Running', { createdAt: 50 }),
      inst('pend', 2, 'Pending', { createdAt: 10 }),
    ],
    expected: [stop('pend', 'scale-down'), stop('new', 'scale-down')],
  },
  {
    why: 'scale down prefers an instance on a NotReady node (within grace) over a running newer one',
    w: { replicas: 2 },
    nodes: [nodeOf('n1'), nodeOf('n2', 'NotReady', 90_000)],
    instances: [
      inst('a', 0, 'Running', { createdAt: 0 }),
      inst('b', 1, 'Running', { createdAt: 50 }),
      inst('c', 2, 'Unknown', { createdAt: 5, node: 'n2' }),
    ],
    expected: [stop('c', 'scale-down')],
  },
  {
    why: 'a failed instance is cleaned up; its slot (first failure) waits 10 s from the failure at 95 s',
    instances: [inst('a', 0, 'Running'), inst('b', 1, 'Running'), inst('f', 2, 'Failed')],
    slots: [[2, { failures: 1, lastFailureAt: 95_000, done: false }]],
    expected: [{ type: 'cleanup', instance: 'f' }, { type: 'backoff', slot: 2, until: 105_000, failures: 1 }],
    wakeAt: 105_000,
  },
  {
    why: 'back-off over (3rd failure: 40 s after 50 s = 90 s ≤ now 100 s): replace',
    instances: [inst('a', 0, 'Running'), inst('b', 1, 'Running')],
    slots: [[2, { failures: 3, lastFailureAt: 50_000, done: false }]],
    expected: [create(2, 'replace-failed')],
  },
  {
    why: 'node NotReady for 20 s (< 30 s grace): keep waiting, nothing replaced',
    nodes: [nodeOf('n1'), nodeOf('n2', 'NotReady', 80_000)],
    instances: [inst('a', 0, 'Running'), inst('b', 1, 'Running'), inst('c', 2, 'Unknown', { node: 'n2' })],
    expected: [],
  },
  {
    why: 'node NotReady for 40 s (> grace): slot 2 is lost; evict it and make a replacement in the same slot',
    nodes: [nodeOf('n1'), nodeOf('n2', 'NotReady', 60_000)],
    instances: [inst('a', 0, 'Running'), inst('b', 1, 'Running'), inst('c', 2, 'Unknown', { node: 'n2' })],
    expected: [stop('c', 'evicted', 'node.kubernetes.io/not-ready:NoExecute'), create(2, 'replace-lost')],
  },
  // NoExecute taint eviction (src/core/taints.ts). The default not-ready/unreachable toleration
  // lasts evictionGrace (30 s); a workload's own toleration of the taint replaces it.
  {
    why: 'NotReady since 60 s, now 100 s: tolerating not-ready for 60 s, it stays until 120 s',
    w: { placement: { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }] } },
    nodes: [nodeOf('n1'), nodeOf('n2', 'NotReady', 60_000)],
    instances: onN2(),
    expected: [],
  },
  {
    why: '... and at 120 s (60 s + 60 s) it is evicted',
    w: { placement: { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }] } },
    nodes: [nodeOf('n1'), nodeOf('n2', 'NotReady', 60_000)],
    instances: onN2(),
    now: 120_000,
    expected: [stop('c', 'evicted', 'node.kubernetes.io/not-ready:NoExecute'), create(2, 'replace-lost')],
  },
  {
    why: 'a not-ready toleration without tolerationSeconds tolerates forever',
    w: { placement: { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }] } },
    nodes: [nodeOf('n1'), nodeOf('n2', 'NotReady', 60_000)],
    instances: onN2(),
    now: 10_000_000,
    expected: [],
  },
  {
    why: 'a Down node carries unreachable; tolerating only not-ready, the default 30 s unreachable toleration applies',
    w: { placement: { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }] } },
    nodes: [nodeOf('n1'), nodeOf('n2', 'Down', 60_000)],
    instances: onN2(),
    expected: [stop('c', 'evicted', 'node.kubernetes.io/unreachable:NoExecute'), create(2, 'replace-lost')],
  },
  {
    why: 'an empty key with Exists tolerates every taint: no default is added, it stays forever',
    w: { placement: { tolerations: [{ operator: 'Exists' }] } },
    nodes: [nodeOf('n1'), nodeOf('n2', 'Down', 60_000)],
    instances: onN2(),
    now: 10_000_000,
    expected: [],
  },
  {
    why: 'a Ready node with an untolerated NoExecute taint: evicted at once, naming the taint',
    nodes: [nodeOf('n1'), tainted('n2', [{ key: 'maint', value: 'now', effect: 'NoExecute', timeAdded: 99_000 }])],
    instances: onN2(),
    expected: [stop('c', 'evicted', 'maint=now:NoExecute'), create(2, 'replace-lost')],
  },
  {
    why: 'NoSchedule and PreferNoSchedule taints never evict',
    nodes: [nodeOf('n1'), tainted('n2', [{ key: 'a', effect: 'NoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }])],
    instances: onN2(),
    expected: [],
  },
  {
    why: 'taint added at 80 s, tolerated for 30 s: evicted from 110 s, not at 100 s',
    w: { placement: { tolerations: [{ key: 'maint', operator: 'Exists', tolerationSeconds: 30 }] } },
    nodes: [nodeOf('n1'), tainted('n2', [{ key: 'maint', effect: 'NoExecute', timeAdded: 80_000 }])],
    instances: onN2(),
    expected: [],
  },
  {
    why: 'bound at 90 s to a node tainted at 10 s, tolerated for 30 s: the clock starts at binding (120 s)',
    w: { placement: { tolerations: [{ key: 'maint', operator: 'Exists', tolerationSeconds: 30 }] } },
    nodes: [nodeOf('n1'), tainted('n2', [{ key: 'maint', effect: 'NoExecute', timeAdded: 10_000 }])],
    instances: onN2(90_000),
    now: 119_999,
    expected: [],
  },
  {
    why: 'two NoExecute taints tolerated 600 s and 20 s: the shorter evicts (at 80 s + 20 s = 100 s)',
    w: {
      placement: {
        tolerations: [
          { key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 },
          { key: 'b', operator: 'Equal', value: 'x', effect: 'NoExecute', tolerationSeconds: 20 },
        ],
      },
    },
    nodes: [nodeOf('n1'), tainted('n2', [{ key: 'a', effect: 'NoExecute', timeAdded: 0 }, { key: 'b', value: 'x', effect: 'NoExecute', timeAdded: 80_000 }])],
    instances: onN2(),
    expected: [stop('c', 'evicted', 'b=x:NoExecute'), create(2, 'replace-lost')],
  },
  {
    why: 'tolerationSeconds 0 (or less) evicts at once',
    w: { placement: { tolerations: [{ key: 'maint', operator: 'Exists', tolerationSeconds: 0 }] } },
    nodes: [nodeOf('n1'), tainted('n2', [{ key: 'maint', effect: 'NoExecute', timeAdded: 99_999 }])],
    instances: onN2(),
    expected: [stop('c', 'evicted', 'maint:NoExecute'), create(2, 'replace-lost')],
  },
  {
    why: 'two running copies in slot 2 (a replacement raced its predecessor): keep the newest, stop the other',
    instances: [
      inst('a', 0, 'Running'),
      inst('b', 1, 'Running'),
      inst('stale', 2, 'Running', { node: 'n2', createdAt: 0 }),
      inst('repl', 2, 'Running', { node: 'n1', createdAt: 70_000 }),
    ],
    expected: [stop('stale', 'duplicate')],
  },
  {
    why: 'a running copy and a pending one in one slot: keep the running copy, stop the pending one',
    instances: [
      inst('a', 0, 'Running'),
      inst('b', 1, 'Running'),
      inst('stale', 2, 'Running', { node: 'n2', createdAt: 0 }),
      inst('repl', 2, 'Pending', { node: undefined, createdAt: 70_000 }),
    ],
    expected: [stop('repl', 'duplicate')],
  },
  {
    why: 'node removed from the cluster: forget its instance, replace it',
    nodes: [nodeOf('n1')],
    instances: [inst('a', 0, 'Running'), inst('b', 1, 'Running'), inst('c', 2, 'Running', { node: 'gone' })],
    expected: [{ type: 'forget', instance: 'c', reason: 'node gone left the cluster' }, create(2, 'replace-lost')],
  },
  {
    why: 'rolling update, maxSurge 1 / maxUnavailable 0: surge one new instance (total 3 + 1)',
    w: { generation: 2 },
    instances: [inst('a', 0, 'Running'), inst('b', 1, 'Running'), inst('c', 2, 'Running')],
    expected: [create(0, 'rolling-update', 2)],
  },
  {
    why: 'rolling update: new instance in slot 0 runs → stop the old one; surge the next slot',
    w: { generation: 2 },
    instances: [
      inst('a', 0, 'Running'),
      inst('a2', 0, 'Running', { generation: 2, createdAt: 60_000 }),
      inst('b', 1, 'Running'),
      inst('c', 2, 'Running'),
    ],
    expected: [stop('a', 'rolling-update'), create(1, 'rolling-update', 2)],
  },
  {
    why: 'rolling update with maxSurge 0 / maxUnavailable 1: replace one old instance in place',
    w: { generation: 2, updateStrategy: { type: 'RollingUpdate', maxSurge: 0, maxUnavailable: 1 } },
    instances: [inst('a', 0, 'Running'), inst('b', 1, 'Running'), inst('c', 2, 'Running')],
    expected: [stop('a', 'rolling-update'), create(0, 'rolling-update', 2)],
  },
  {
    why: 'Recreate: stop every old instance first, create nothing yet',
    w: { generation: 2, updateStrategy: { type: 'Recreate', maxSurge: 0, maxUnavailable: 0 } },
    instances: [inst('a', 0, 'Running'), inst('b', 1, 'Running'), inst('c', 2, 'Running')],
    expected: [stop('a', 'recreate'), stop('b', 'recreate'), stop('c', 'recreate')],
  },
  {
    why: 'deleted workload: stop everything live',
    deleted: true,
    instances: [inst('a', 0, 'Running'), inst('b', 1, 'Pending', { node: undefined })],
    expected: [stop('a', 'deleted'), stop('b', 'deleted')],
  },
  {
    why: 'job, 4 completions, parallelism 2, slot 0 done, slot 1 running: start slot 2 only',
    w: { kind: 'job', replicas: 2, completions: 4, restartPolicy: 'OnFailure' },
    instances: [inst('j1', 1, 'Running')],
    slots: [[0, { failures: 0, lastFailureAt: 0, done: true }]],
    expected: [create(2, 'job')],
  },
  {
    why: 'job with every completion done: complete',
    w: { kind: 'job', replicas: 2, completions: 2, restartPolicy: 'OnFailure' },
    instances: [],
    slots: [
      [0, { failures: 0, lastFailureAt: 0, done: true }],
      [1, { failures: 0, lastFailureAt: 0, done: true }],
    ],
    expected: [{ type: 'complete-job' }],
  },
  {
    why: 'job past its backoffLimit (7 failures > 6): fail it',
    w: { kind: 'job', replicas: 1, completions: 3, restartPolicy: 'OnFailure' },
    instances: [inst('j', 0, 'Running')],
    jobFailures: 7,
    expected: [stop('j', 'job-finished'), { type: 'fail-job', reason: 'BackoffLimitExceeded: 7 failed instances' }],
  },
  {
    why: 'an unschedulable instance is retried after 30 s',
    instances: [inst('a', 0, 'Running'), inst('b', 1, 'Running'), inst('p', 2, 'Pending', { node: undefined, lastAttemptAt: 60_000 })],
    expected: [{ type: 'schedule', instance: 'p' }],
  },
  {
    why: '... but not before, unless capacity appeared',
    instances: [inst('a', 0, 'Running'), inst('b', 1, 'Running'), inst('p', 2, 'Pending', { node: undefined, lastAttemptAt: 90_000 })],
    expected: [],
    wakeAt: 120_000,
  },
  {
    why: 'node n3 not listed since start until its eviction at 120 s: free slots 1 and 2 may run there, held until then',
    instances: [inst('a', 0, 'Running')],
    unlisted: { until: 120_000, nodes: ['n3'] },
    expected: [{ type: 'hold', slots: [1, 2], until: 120_000, nodes: ['n3'] }],
    wakeAt: 120_000,
  },
  {
    why: '... and filled from then on',
    instances: [inst('a', 0, 'Running')],
    unlisted: { until: 120_000, nodes: ['n3'] },
    now: 120_000,
    expected: [create(1, 'scale-up'), create(2, 'scale-up')],
  },
  {
    why: 'held: not a slot with a failure since start (2), nor one whose instance was lost (1: its node left); an unlisted Ready node never evicts (Infinity: no wake)',
    instances: [inst('a', 0, 'Running'), inst('b', 1, 'Running', { node: 'gone' })],
    slots: [[2, { failures: 1, lastFailureAt: 0, done: false }]],
    unlisted: { until: Infinity, nodes: ['n3'] },
    expected: [
      { type: 'forget', instance: 'b', reason: 'node gone left the cluster' },
      create(1, 'replace-lost'),
      create(2, 'replace-failed'),
    ],
  },
  {
    why: 'a job of parallelism 2: slot 0 runs, slot 1 is held and counts as running, so none starts',
    w: { kind: 'job', replicas: 2, completions: 4, restartPolicy: 'OnFailure' },
    instances: [inst('j', 0, 'Running')],
    unlisted: { until: 120_000, nodes: ['n3'] },
    expected: [{ type: 'hold', slots: [1], until: 120_000, nodes: ['n3'] }],
    wakeAt: 120_000,
  },
];

describe('reconcile', () => {
  it.each(rows)('$why', (row) => {
    const r = run(row);
    expect(r.actions).toEqual(row.expected);
    if (row.wakeAt !== undefined) expect(r.wakeAt).toBe(row.wakeAt);
  });
});

describe('backoffDelay', () => {
  it.each([
    [0, 0],
    [1, 10_000], // 10 s
    [2, 20_000], // 10 s * 2
    [3, 40_000], // 10 s * 4
    [5, 160_000], // 10 s * 16
    [6, 300_000], // 10 s * 32 = 320 s, capped at 5 min
    [60, 300_000], // no overflow for large counts
  ])('after %i failures waits %i ms', (n, ms) => {
    expect(backoffDelay(n, config)).toBe(ms);
  });
});
