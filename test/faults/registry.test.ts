/**
 * The fault registry is the one list of fault kinds: every kind in it is known to the scenario
 * schema and loader, fires in the simulator through the injector, is drawn by the fuzzer, and is
 * accepted or refused by the live backends as its entry says. Adding a kind to `FAULTS` is
 * enough for all of them (docs/extending.md, "Writing a fault").
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { InputError } from '../../src/core/errors.js';
import type { FuzzDraw } from '../../src/faults/fault-definition.js';
import { assertLiveFaults } from '../../src/faults/live-injector.js';
import { FAULTS, FAULT_KINDS, faultKindsFor, type Fault } from '../../src/faults/registry.js';
import { caseDocument, caseFromSeed, FUZZ_FAULT_KINDS, PROFILES } from '../../src/fuzz/case.js';
import { simulate } from '../../src/run/simulate.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { traceParts } from '../support/trace-parts.js';

const draw: FuzzDraw = { target: { node: 'n1' }, zone: 'z0', workload: 'w1', durationS: 60, p: 7, q: 4 };

/** A scenario with one fault of `kind` at 1m, its body from the kind's own fuzz generator. */
function scenarioWith(kind: string, body: Record<string, unknown>, when: Record<string, unknown> = { at: '1m' }) {
  const doc = {
    name: `registry-${kind}`,
    seed: 3,
    duration: '6m',
    nodes: [
      { name: 'n1', capacity: { cpu: 4, memory: '8Gi' }, labels: { zone: 'z0' } },
      { name: 'n2', capacity: { cpu: 4, memory: '8Gi' }, labels: { zone: 'z1' } },
    ],
    workloads: [
      {
        name: 'w1',
        replicas: 2,
        containers: [{ name: 'main', image: 'nginx:1.25', requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } }],
      },
    ],
    faults: [{ ...when, [kind]: body }],
  };
  return parseScenario(stringify(doc), `${kind}.yaml`);
}

describe('the fault registry', () => {
  it('lists each kind under its own name', () => {
    for (const [key, def] of Object.entries(FAULTS)) expect(def.kind).toBe(key);
    expect(FAULT_KINDS).toEqual(Object.keys(FAULTS));
  });

  it.each(FAULT_KINDS)('%s: the fuzzer body loads, and the fault fires in the simulator', async (kind) => {
    const scenario = scenarioWith(kind, FAULTS[kind].fuzz(draw));
    expect(scenario.faults).toHaveLength(1);
    expect(scenario.faults[0]).toMatchObject({ kind, at: 60_000 });
    const fired: Array<{ t: number; type: string }> = [];
    const summary = await simulate(scenario, { onEvent: traceParts((type, _f, t) => type.startsWith('fault.') && fired.push({ t, type })) });
    // The injector dispatched it at 1m (recorded) and counted the hit for coverage.
    expect(fired.length).toBeGreaterThan(0);
    expect(fired[0].t).toBe(60_000);
    expect(Object.keys(summary.coverage).some((k) => k.startsWith(`${kind}`))).toBe(true);
  });

  it('a node fault given by rate hits one node per arrival; a zone fault every node of the zone', async () => {
    const hits = async (kind: 'nodeFreeze' | 'zoneOutage', body: Record<string, unknown>) => {
      const scenario = scenarioWith(kind, body, { rate: '1/m', from: '1m', until: '2m' });
      const nodes: unknown[] = [];
      await simulate(scenario, { onEvent: traceParts((type, f) => (type === 'fault.node_freeze' || type === 'fault.zone_outage') && nodes.push(f.node ?? f.nodes)) });
      return nodes;
    };
    for (const n of await hits('nodeFreeze', { duration: '10s' })) expect(typeof n).toBe('string');
    for (const n of await hits('zoneOutage', { duration: '10s' })) expect(n).toEqual(['n1', 'n2']);
  });

  it('the schema knows exactly the registry kinds (with a did-you-mean for a misspelt one)', () => {
    expect(() => scenarioWith('nodeCrasj', {})).toThrow(/did you mean "nodeCrash"/);
    try {
      scenarioWith('noSuchFault', {});
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      for (const k of FAULT_KINDS) expect((e as Error).message).toContain(k);
    }
  });

  it('the fuzzer draws from every kind its heartbeat clusters can feel (all but those that need membership), and its cases load', () => {
    const needsNothing = FAULT_KINDS.filter((k) => (FAULTS[k] as { readonly needs?: string }).needs === undefined);
    expect([...FUZZ_FAULT_KINDS]).toEqual(needsNothing);
    expect(FAULT_KINDS.filter((k) => !needsNothing.includes(k))).toEqual(['slowNode', 'controlPlaneCrash', 'controlPlanePause', 'storePartition', 'storeLatency', 'leaseSkew', 'storeElection']);
    const seen = new Set<string>();
    for (let seed = 0; seed < 60 && seen.size < needsNothing.length; seed++) {
      const doc = caseDocument(caseFromSeed(seed, PROFILES[0]), PROFILES[0], `c${seed}`);
      const scenario = parseScenario(stringify(doc), `c${seed}.yaml`);
      for (const f of scenario.faults) seen.add(f.kind);
    }
    expect([...seen].sort()).toEqual([...needsNothing].sort());
  });

  it('live backends accept the kinds their entries list, and refuse the others naming them', () => {
    for (const backend of ['docker', 'oci'] as const) {
      const live = faultKindsFor(backend);
      expect(live.length).toBeGreaterThan(0);
      for (const kind of FAULT_KINDS) {
        const f = { ...scenarioWith(kind, FAULTS[kind].fuzz(draw)).faults[0] } as Fault;
        const check = () => assertLiveFaults([f], 'x.yaml', backend);
        if (live.includes(kind)) {
          expect(FAULTS[kind].live, `${kind} lists ${backend} but has no live implementation`).toBeDefined();
          expect(check).not.toThrow();
        } else {
          expect(check).toThrow(`x.yaml: faults[0]: ${kind} is simulation-only; live backends inject ${[...live].sort().join(' and ')}`);
        }
      }
    }
  });

  it('a live node fault must name one node; rate faults are simulation-only', () => {
    const byLabel = scenarioWith('nodeCrash', { selector: { zone: 'z0' } }).faults;
    expect(() => assertLiveFaults(byLabel, 'x.yaml')).toThrow('x.yaml: faults[0]: live node faults target one node by `node`');
    const rate = scenarioWith('containerCrash', { workload: 'w1' }, { rate: '1/h' }).faults;
    expect(() => assertLiveFaults(rate, 'x.yaml')).toThrow('rate faults are simulation-only');
  });
});
