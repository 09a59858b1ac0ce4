/**
 * A drain evicts through PodDisruptionBudgets, as `kubectl drain` does through the Eviction API:
 * an eviction that would take a budget below its minimum is refused (`drain.blocked`) and retried
 * every 5 s, so replacements start elsewhere before the next instance goes; `ignoreBudgets`
 * (kubectl drain --disable-eviction) evicts everything at once; a budget that never allows a
 * disruption leaves the instances in place and the drain ends with `drain.timeout`.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/run/parse-scenario.js';
import type { TraceEvent } from '../../src/core/trace-events.js';
import { simulate } from '../../src/run/simulate.js';
import { traceParts } from '../support/trace-parts.js';

/**
 * web (3 replicas) starts on n1 alone: n2 starts cordoned and is opened at 21 s (a 1 s drain of
 * n2 uncordons it). At 30 s n1 is drained for 2 minutes.
 */
const scenario = (extra: { budget?: string; drain?: string } = {}) => `name: drain-pdb
duration: 3m
scheduler: default
nodes:
  - {name: n1, capacity: {cpu: 4, memory: 4Gi}}
  - {name: n2, capacity: {cpu: 4, memory: 4Gi}, unschedulable: true}
workloads:
  - {name: web, replicas: 3, labels: {app: web}, containers: [{name: c, image: web, requests: {cpu: 1}}]}
faults:
  - {at: 20s, drain: {node: n2, duration: 1s}}
  - {at: 30s, drain: {node: n1, duration: 2m${extra.drain ?? ''}}}
${extra.budget ? `podDisruptionBudgets: [${extra.budget}]` : ''}
`;

interface Run {
  /** The fewest web instances Running and not stopping at any moment after the drain began. */
  minHealthy: number;
  /** Where web's instances run at the end. */
  nodesAtEnd: string[];
  drain: Record<string, unknown>;
  blocked: Record<string, unknown>[];
  done?: Record<string, unknown>;
  timeout?: Record<string, unknown>;
}

async function run(text: string): Promise<Run> {
  const healthy = new Set<string>();
  const nodeOf = new Map<string, string>();
  let minHealthy = Infinity;
  const out: Partial<Run> & { blocked: Record<string, unknown>[] } = { blocked: [] };
  let draining = false;
  await simulate(parseScenario(text, 'drain-pdb.yaml'), {
    onEvent: (e) => {
      if (e.type === 'instance.scheduled') nodeOf.set(e.instance, e.node ?? '(gone)');
      if (e.type === 'instance.status' && e.to === 'Running') healthy.add(e.instance);
      if (e.type === 'instance.stopping' || e.type === 'instance.removed') {
        healthy.delete(e.instance);
        if (e.type === 'instance.removed') nodeOf.delete(e.instance);
      }
      drainParts(e);
      if (draining) minHealthy = Math.min(minHealthy, healthy.size);
    },
  });
  return { ...out, minHealthy, nodesAtEnd: [...nodeOf.values()].sort() } as Run;

  function drainParts(e: TraceEvent): void {
    traceParts((type, f) => {
      if (type === 'fault.drain' && f.node === 'n1') {
        draining = true;
        out.drain = f;
      }
      if (type === 'drain.blocked') out.blocked.push(f);
      if (type === 'drain.done') out.done = f;
      if (type === 'drain.timeout') out.timeout = f;
    })(e);
  }
}

describe('drain through PodDisruptionBudgets', () => {
  it('without a budget every instance is evicted at once', async () => {
    const r = await run(scenario());
    expect(r.drain).toMatchObject({ node: 'n1', evicted: 3 });
    expect(r.minHealthy).toBe(0);
    expect(r.blocked).toEqual([]);
    expect(r.nodesAtEnd).toEqual(['n2', 'n2', 'n2']);
  });

  it('minAvailable 2: one at a time, each next eviction after a replacement runs, never below 2', async () => {
    const r = await run(scenario({ budget: '{name: web-pdb, selector: {matchLabels: {app: web}}, minAvailable: 2}' }));
    expect(r.drain).toMatchObject({ node: 'n1', evicted: 1 });
    expect(r.blocked.length).toBe(2);
    expect(r.blocked[0]).toMatchObject({ node: 'n1', reason: 'the disruption budget web-pdb needs 2 healthy instances and has 2' });
    expect(r.minHealthy).toBe(2);
    expect(r.done).toMatchObject({ node: 'n1' });
    expect(r.timeout).toBeUndefined();
    expect(r.nodesAtEnd).toEqual(['n2', 'n2', 'n2']);
  });

  it('ignoreBudgets evicts past the budget (kubectl drain --disable-eviction)', async () => {
    const r = await run(scenario({ budget: '{name: web-pdb, selector: {matchLabels: {app: web}}, minAvailable: 2}', drain: ', ignoreBudgets: true' }));
    expect(r.drain).toMatchObject({ evicted: 3 });
    expect(r.minHealthy).toBe(0);
    expect(r.blocked).toEqual([]);
  });

  it('maxUnavailable 0 allows no eviction: the instances stay and the drain times out', async () => {
    const r = await run(scenario({ budget: '{name: strict, selector: {matchLabels: {app: web}}, maxUnavailable: 0}' }));
    expect(r.drain).toMatchObject({ evicted: 0 });
    expect(r.blocked.length).toBe(3);
    expect(r.timeout).toMatchObject({ node: 'n1', remaining: 3 });
    expect(r.done).toBeUndefined();
    expect(r.nodesAtEnd).toEqual(['n1', 'n1', 'n1']);
    expect(r.minHealthy).toBe(3);
  });

  it('two budgets selecting one instance: the eviction is refused, as the Eviction API does', async () => {
    const r = await run(scenario({
      budget: '{name: a, selector: {matchLabels: {app: web}}, maxUnavailable: 3}, {name: b, selector: {matchLabels: {app: web}}, maxUnavailable: 3}',
    }));
    expect(r.drain).toMatchObject({ evicted: 0 });
    expect(r.blocked[0]?.reason).toBe('more than one PodDisruptionBudget selects it (a, b); the Eviction API refuses such a pod');
  });
});
