/**
 * Compares two traces of one scenario (typically a simulated and a live run): where instances
 * were placed, the order of the control plane's milestones, when workloads converged, and the
 * expectations' outcomes. Pure: it takes parsed trace records and returns data.
 *
 * Instances are matched across runs by (workload, slot, generation, k) — the k-th instance
 * created for that slot and generation — since their ids differ between runs.
 */
import { distance } from 'fastest-levenshtein';
import type { ExpectationStatus } from '../check/expectations.js';
import { isEvent } from '../engine/trace-reader.js';
import type { TraceEvent, TraceEventOf } from '../core/trace-events.js';

export interface Placement {
  readonly key: string;
  readonly a?: string;
  readonly b?: string;
}

export interface Convergence {
  readonly workload: string;
  /** What the workload was converging after: `submitted`, `update to generation 2`, `fault.container_crash`... */
  readonly after: string;
  /** ms from the trigger to convergence, or undefined if it never converged. */
  readonly aMs?: number;
  readonly bMs?: number;
}

export interface TraceDiff {
  readonly a: RunInfo;
  readonly b: RunInfo;
  readonly placements: readonly Placement[];
  readonly placementsAgree: number;
  /**
   * With a pod network: each instance's address (`instance.status` to Running with `ip`), matched
   * like placements; only instances that have one in either run. Empty without a pod network.
   */
  readonly addresses: readonly Placement[];
  readonly addressesAgree: number;
  /** Milestones (abstracted events) in each run, and the edit distance between the sequences. */
  readonly milestonesA: number;
  readonly milestonesB: number;
  readonly orderDistance: number;
  /** The first milestone where the orders differ (index and both sides). */
  readonly firstDivergence?: { readonly index: number; readonly a?: string; readonly b?: string };
  readonly convergence: readonly Convergence[];
  /** Each expectation's result in A and B (absent: the run has no such expectation). */
  readonly expectations: ReadonlyArray<{ readonly name: string; readonly a?: ExpectationStatus; readonly b?: ExpectationStatus }>;
}

export interface RunInfo {
  readonly scenario: string;
  readonly backend: string;
  readonly lines: number;
  readonly endMs: number;
}

function info(recs: readonly TraceEvent[]): RunInfo {
  const start = recs.find(isEvent('run.start'));
  return {
    scenario: start?.scenario ?? '?',
    backend: start?.backend ?? 'sim',
    lines: recs.length,
    endMs: recs.length > 0 ? recs[recs.length - 1].t : 0,
  };
}

/** `web/slot 0/gen 1#1` → node, in creation order; and → address, for instances that got one. */
function placements(recs: readonly TraceEvent[]): { nodes: Map<string, string | undefined>; ips: Map<string, string> } {
  const keyOf = new Map<string, string>();
  const count = new Map<string, number>();
  const out = new Map<string, string | undefined>();
  const ips = new Map<string, string>();
  for (const r of recs) {
    if (r.type === 'instance.created') {
      const base = `${r.workload}/slot ${r.slot}/gen ${r.generation}`;
      const k = (count.get(base) ?? 0) + 1;
      count.set(base, k);
      const key = `${base}#${k}`;
      keyOf.set(r.instance, key);
      out.set(key, undefined);
    } else if (r.type === 'instance.scheduled') {
      const key = keyOf.get(r.instance);
      if (key !== undefined && out.get(key) === undefined && r.node !== undefined) out.set(key, r.node);
    } else if (r.type === 'instance.status' && r.ip !== undefined) {
      const key = keyOf.get(r.instance);
      if (key !== undefined && !ips.has(key)) ips.set(key, r.ip);
    }
  }
  return { nodes: out, ips };
}

/** The control plane's milestones, without ids or times: what should happen in the same order. */
function milestones(recs: readonly TraceEvent[]): string[] {
  const slotOf = new Map<string, string>();
  const out: string[] = [];
  for (const r of recs) {
    switch (r.type) {
      case 'instance.created':
        slotOf.set(r.instance, `${r.workload}[${r.slot}]`);
        out.push(`create ${r.workload}[${r.slot}] g${r.generation} (${r.reason})`);
        break;
      case 'instance.status':
        out.push(`${slotOf.get(r.instance) ?? r.workload} ${r.from}→${r.to}`);
        break;
      case 'instance.stopping':
        out.push(`stop ${slotOf.get(r.instance) ?? r.workload} (${r.reason}${r.taint !== undefined ? ` by ${r.taint}` : ''})`);
        break;
      case 'workload.submitted':
      case 'workload.updated':
      case 'workload.scaled':
      case 'workload.deleted':
      case 'workload.completed':
      case 'workload.failed':
        out.push(`${r.type} ${r.workload}`);
        break;
      case 'node.status':
        out.push(`node ${r.node} ${r.from}→${r.to}`);
        break;
      case 'node.taints':
        out.push(`node ${r.node} taints [${r.taints.join(', ')}]`);
        break;
      default:
        if (r.type.startsWith('fault.') || r.type.startsWith('op.')) out.push(r.type);
    }
  }
  return out;
}

/** Converged: running instances = desired replicas, all of the current generation. */
function convergence(recs: readonly TraceEvent[]): Map<string, Array<{ after: string; at: number; ms?: number }>> {
  interface W {
    replicas: number;
    generation: number;
    running: Map<string, number>;
    converged: boolean;
    trigger?: { after: string; at: number };
  }
  const ws = new Map<string, W>();
  const genOf = new Map<string, number>();
  const out = new Map<string, Array<{ after: string; at: number; ms?: number }>>();
  const open = (name: string, after: string, at: number) => {
    const w = ws.get(name);
    if (!w) return;
    w.trigger = { after, at };
    out.get(name)!.push({ after, at });
  };
  const check = (name: string, at: number) => {
    const w = ws.get(name);
    if (!w) return;
    const current = [...w.running.values()].filter((g) => g === w.generation).length;
    const now = current === w.replicas && w.running.size === w.replicas;
    if (now && !w.converged && w.trigger) {
      const list = out.get(name)!;
      const last = list[list.length - 1];
      if (last && last.ms === undefined) last.ms = at - last.at;
    }
    w.converged = now;
  };
  for (const r of recs) {
    switch (r.type) {
      case 'workload.submitted':
        if (r.kind !== 'service') break;
        ws.set(r.workload, { replicas: r.replicas, generation: r.generation, running: new Map(), converged: false });
        out.set(r.workload, []);
        open(r.workload, 'submitted', r.t);
        break;
      case 'workload.restored':
        ws.set(r.workload, { replicas: r.replicas, generation: r.generation, running: new Map(), converged: false });
        if (!out.has(r.workload)) out.set(r.workload, []);
        open(r.workload, 'restart of the control plane', r.t);
        break;
      case 'workload.updated': {
        const w = ws.get(r.workload);
        if (w) {
          w.generation = r.generation;
          w.converged = false;
          open(r.workload, `update to generation ${r.generation}`, r.t);
        }
        break;
      }
      case 'workload.scaled': {
        const w = ws.get(r.workload);
        if (w) {
          w.replicas = r.to;
          w.converged = false;
          open(r.workload, `scale to ${r.to}`, r.t);
        }
        break;
      }
      case 'workload.deleted':
        ws.delete(r.workload);
        break;
      case 'fault.container_crash':
        if (r.applied) open(r.workload, 'fault.container_crash', r.t);
        break;
      case 'fault.node_crash':
      case 'fault.node_boot':
        if (r.applied) for (const n of ws.keys()) open(n, `${r.type} ${String(r.node)}`, r.t);
        break;
      case 'instance.created':
      case 'instance.adopted':
        genOf.set(r.instance, r.generation);
        break;
      case 'instance.status': {
        const w = ws.get(r.workload);
        if (!w) break;
        if (r.to === 'Running') w.running.set(r.instance, genOf.get(r.instance) ?? w.generation);
        else w.running.delete(r.instance);
        check(r.workload, r.t);
        break;
      }
      case 'instance.stopping':
      case 'instance.removed': {
        const w = ws.get(r.workload);
        if (!w) break;
        w.running.delete(r.instance);
        check(r.workload, r.t);
        break;
      }
    }
  }
  return out;
}

export function diffTraces(a: readonly TraceEvent[], b: readonly TraceEvent[]): TraceDiff {
  const { nodes: pa, ips: ia } = placements(a);
  const { nodes: pb, ips: ib } = placements(b);
  const keys = [...new Set([...pa.keys(), ...pb.keys()])];
  const addressList: Placement[] = keys
    .filter((key) => ia.has(key) || ib.has(key))
    .map((key) => ({ key, ...(ia.has(key) ? { a: ia.get(key) } : {}), ...(ib.has(key) ? { b: ib.get(key) } : {}) }));
  const placementList: Placement[] = keys.map((key) => ({
    key,
    ...(pa.get(key) !== undefined ? { a: pa.get(key) } : {}),
    ...(pb.get(key) !== undefined ? { b: pb.get(key) } : {}),
  }));
  const ma = milestones(a);
  const mb = milestones(b);
  // Edit distance over milestone sequences: each distinct milestone becomes one character.
  const alphabet = new Map<string, string>();
  const enc = (xs: string[]) =>
    xs
      .map((x) => {
        let c = alphabet.get(x);
        if (c === undefined) alphabet.set(x, (c = String.fromCodePoint(0x4e00 + alphabet.size)));
        return c;
      })
      .join('');
  const orderDistance = distance(enc(ma), enc(mb));
  let firstDivergence: TraceDiff['firstDivergence'];
  for (let i = 0; i < Math.max(ma.length, mb.length); i++) {
    if (ma[i] !== mb[i]) {
      firstDivergence = { index: i, ...(ma[i] !== undefined ? { a: ma[i] } : {}), ...(mb[i] !== undefined ? { b: mb[i] } : {}) };
      break;
    }
  }
  const ca = convergence(a);
  const cb = convergence(b);
  const conv: Convergence[] = [];
  for (const w of [...new Set([...ca.keys(), ...cb.keys()])]) {
    const la = ca.get(w) ?? [];
    const lb = cb.get(w) ?? [];
    for (let i = 0; i < Math.max(la.length, lb.length); i++) {
      conv.push({
        workload: w,
        after: la[i]?.after ?? lb[i]?.after ?? '?',
        ...(la[i]?.ms !== undefined ? { aMs: la[i].ms } : {}),
        ...(lb[i]?.ms !== undefined ? { bMs: lb[i].ms } : {}),
      });
    }
  }
  const status = (r: TraceEventOf<'expectation'>): ExpectationStatus => (r.checked === false ? 'not-checked' : r.ok ? 'pass' : 'fail');
  const ea = new Map(a.filter(isEvent('expectation')).map((r) => [r.name, status(r)]));
  const eb = new Map(b.filter(isEvent('expectation')).map((r) => [r.name, status(r)]));
  const expectations = [...new Set([...ea.keys(), ...eb.keys()])].map((name) => ({
    name,
    ...(ea.has(name) ? { a: ea.get(name) } : {}),
    ...(eb.has(name) ? { b: eb.get(name) } : {}),
  }));
  return {
    a: info(a),
    b: info(b),
    placements: placementList,
    placementsAgree: placementList.filter((p) => p.a !== undefined && p.a === p.b).length,
    addresses: addressList,
    addressesAgree: addressList.filter((p) => p.a !== undefined && p.a === p.b).length,
    milestonesA: ma.length,
    milestonesB: mb.length,
    orderDistance,
    ...(firstDivergence ? { firstDivergence } : {}),
    convergence: conv,
    expectations,
  };
}
