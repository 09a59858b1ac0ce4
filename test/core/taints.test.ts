/**
 * NoExecute taint eviction as tables: tolerations, taints (with timeAdded) and the binding time →
 * when the instance is evicted and by which taint. Times in ms; tolerationSeconds in s.
 */
import { describe, expect, it } from 'vitest';
import type { Toleration } from '../../src/core/placement.js';
import {
  conditionTaints,
  formatTaint,
  noExecuteTaints,
  taintEviction,
  withDefaultTolerations,
} from '../../src/core/taints.js';
import type { Taint } from '../../src/core/types.js';

const NR = 'node.kubernetes.io/not-ready';
const UR = 'node.kubernetes.io/unreachable';

describe('taintEviction', () => {
  const maint: Taint = { key: 'maint', value: 'x', effect: 'NoExecute', timeAdded: 10_000 };
  const rows: Array<{ why: string; tol: Toleration[]; taints: Taint[]; boundAt: number; at?: number; taint?: string }> = [
    { why: 'no taints: never', tol: [], taints: [], boundAt: 0 },
    { why: 'untolerated: at once (when the taint appeared)', tol: [], taints: [maint], boundAt: 0, at: 10_000, taint: 'maint=x:NoExecute' },
    { why: 'untolerated, bound later: at binding', tol: [], taints: [maint], boundAt: 50_000, at: 50_000, taint: 'maint=x:NoExecute' },
    { why: 'Equal with the wrong value does not tolerate', tol: [{ key: 'maint', value: 'y' }], taints: [maint], boundAt: 0, at: 10_000, taint: 'maint=x:NoExecute' },
    { why: 'tolerated forever (no tolerationSeconds)', tol: [{ key: 'maint', value: 'x' }], taints: [maint], boundAt: 0 },
    // 10 s (timeAdded) + 60 s
    { why: 'tolerated 60 s: 70 s', tol: [{ key: 'maint', operator: 'Exists', tolerationSeconds: 60 }], taints: [maint], boundAt: 0, at: 70_000, taint: 'maint=x:NoExecute' },
    // max(10 s, 30 s) + 60 s
    { why: 'tolerated 60 s, bound at 30 s: 90 s', tol: [{ key: 'maint', operator: 'Exists', tolerationSeconds: 60 }], taints: [maint], boundAt: 30_000, at: 90_000, taint: 'maint=x:NoExecute' },
    // getMinTolerationTime: the shortest matching toleration counts
    {
      why: 'two matching tolerations 600 s and 5 s: 15 s',
      tol: [{ key: 'maint', operator: 'Exists', tolerationSeconds: 600 }, { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }],
      taints: [maint],
      boundAt: 0,
      at: 15_000,
      taint: 'maint=x:NoExecute',
    },
    {
      why: 'one matching toleration forever, another 5 s: still 15 s',
      tol: [{ key: 'maint', operator: 'Exists' }, { key: 'maint', operator: 'Exists', tolerationSeconds: 5 }],
      taints: [maint],
      boundAt: 0,
      at: 15_000,
      taint: 'maint=x:NoExecute',
    },
    { why: 'negative seconds: at once', tol: [{ key: 'maint', operator: 'Exists', tolerationSeconds: -3 }], taints: [maint], boundAt: 0, at: 10_000, taint: 'maint=x:NoExecute' },
    { why: 'a NoSchedule toleration does not tolerate NoExecute', tol: [{ key: 'maint', operator: 'Exists', effect: 'NoSchedule' }], taints: [maint], boundAt: 0, at: 10_000, taint: 'maint=x:NoExecute' },
    { why: 'NoSchedule taints are ignored', tol: [], taints: [{ key: 'a', effect: 'NoSchedule' }], boundAt: 0 },
  ];
  it.each(rows)('$why', (row) => {
    const ev = taintEviction(row.tol, row.taints, row.boundAt);
    expect(ev === undefined ? undefined : { at: ev.at, taint: formatTaint(ev.taint) }).toEqual(
      row.at === undefined ? undefined : { at: row.at, taint: row.taint },
    );
  });
});

describe('withDefaultTolerations (DefaultTolerationSeconds)', () => {
  const def = (key: string): Toleration => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 });
  it.each([
    { why: 'none given: both defaults', tol: [] as Toleration[], added: [def(NR), def(UR)] },
    { why: 'not-ready given (any seconds): only unreachable added', tol: [{ key: NR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 }] as Toleration[], added: [def(UR)] },
    { why: 'unreachable with an empty effect counts', tol: [{ key: UR, operator: 'Exists' }] as Toleration[], added: [def(NR)] },
    { why: 'an empty key covers both', tol: [{ operator: 'Exists', effect: 'NoExecute' }] as Toleration[], added: [] },
    { why: 'a NoSchedule toleration of not-ready does not count', tol: [{ key: NR, operator: 'Exists', effect: 'NoSchedule' }] as Toleration[], added: [def(NR), def(UR)] },
  ])('$why', ({ tol, added }) => {
    expect(withDefaultTolerations(tol, 30)).toEqual([...tol, ...added]);
  });
});

describe('condition taints', () => {
  it('NotReady → not-ready, Unknown and Down → unreachable, Ready → none', () => {
    expect(conditionTaints('Ready')).toEqual([]);
    expect(conditionTaints('NotReady').map(formatTaint)).toEqual([`${NR}:NoSchedule`, `${NR}:NoExecute`]);
    expect(conditionTaints('Unknown').map(formatTaint)).toEqual([`${UR}:NoSchedule`, `${UR}:NoExecute`]);
    expect(conditionTaints('Down').map(formatTaint)).toEqual([`${UR}:NoSchedule`, `${UR}:NoExecute`]);
  });
  it('noExecuteTaints dates the condition taint from when the node stopped being Ready', () => {
    const own: Taint = { key: 'maint', effect: 'NoExecute', timeAdded: 5 };
    expect(noExecuteTaints({ status: 'Down', taints: [own, { key: 'x', effect: 'NoSchedule' }] }, 1234)).toEqual([
      own,
      { key: UR, effect: 'NoExecute', timeAdded: 1234 },
    ]);
  });
});
