/**
 * The replicated control plane's safety invariants (issue #14), checked in simulation:
 *
 * - `deposed-write` — no write from a deposed leader is ever accepted: when the store commits a
 *   write a replica made under term T, the leader key's create revision at that commit is T.
 *   Fencing guarantees it; without fencing, a leader paused or cut off past its lease writes over
 *   its successor. The leader key itself is only ever taken by an election (created while
 *   absent): a replica that writes it over another's — a leader whose lease expired "renewing"
 *   its term over its successor — is a deposed leader whose write got through.
 * - `split-brain` — at most one replica acts on the cluster per term, and terms act in order: no
 *   replica acts (creates, stops or removes a container) under a term another replica acted
 *   under, or under a term older than one that already acted.
 * - `slot-twice` — no slot runs twice across failovers: a slot (workload, slot, generation) never
 *   runs in two containers created under different terms, on nodes the control plane can reach
 *   and sees Ready, for longer than `windowMs` (the time a correct leader needs to see a node that
 *   came back and remove the copy it no longer owns).
 *
 * Liveness after heal (a leader exists at the end and the cluster converged to the store's
 * desired state) is checked at the end of the run, see `checkHaLiveness`.
 */
import type { Simulation } from '../engine/simulation.js';
import type { GroundTruthCluster, InvariantViolation } from './invariants.js';

export type HaInvariant = 'deposed-write' | 'split-brain' | 'slot-twice';

export interface HaInvariantOptions {
  readonly sim: Simulation;
  readonly cluster: GroundTruthCluster;
  /** How long two copies of a slot from different terms may run (ms). */
  readonly windowMs: number;
  /** Ground truth is re-examined at most this often (default as the other ground-truth checks). */
  readonly sampleMs?: number;
  readonly onViolation: (v: InvariantViolation) => void;
}

export class HaInvariants {
  private readonly o: HaInvariantOptions;
  /** Term → the replica that acted under it. */
  private readonly actors = new Map<number, string>();
  private newestActed = 0;
  private readonly twiceSince = new Map<string, number>();
  private lastCheckAt = -Infinity;
  private lastVersion = -1;
  private stopped = false;

  constructor(o: HaInvariantOptions) {
    this.o = o;
  }

  private violate(invariant: HaInvariant, message: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.o.onViolation({ invariant, message, event: this.o.sim.eventSeq, t: this.o.sim.now() });
  }

  /** The store committed `key` written by `replica` under `term`; the leader key had `leaderRevision` (0 = absent). */
  onWrite(replica: string, term: number, leaderRevision: number, revision: number, key: string): void {
    if (leaderRevision === term) return;
    this.violate(
      'deposed-write',
      `the store accepted ${replica}'s write of ${key} at revision ${revision} under term ${term}, but the leader key ${leaderRevision === 0 ? 'did not exist' : `was term ${leaderRevision}`}: a deposed leader's write got through`,
    );
  }

  /**
   * The store committed `replica`'s put of the leader key at `revision` while the key existed
   * (held by `holder`, created at `holderRevision`): only a create of an absent key is an election.
   */
  onLeaderOverwrite(replica: string, revision: number, holder: string, holderRevision: number): void {
    this.violate(
      'deposed-write',
      `the store accepted ${replica}'s write of the leader key at revision ${revision} over ${holder === replica ? 'its own' : `${holder}'s`} term ${holderRevision}: a replica took the lead without winning an election (a deposed leader's write got through)`,
    );
  }

  /** `replica` acts on the cluster (`what`) under `term`. */
  onAct(replica: string, term: number, what: string): void {
    const other = this.actors.get(term);
    if (other !== undefined && other !== replica) {
      return this.violate('split-brain', `${replica} ${what} under term ${term}, which ${other} already acted under: two replicas act in one term`);
    }
    if (term < this.newestActed) {
      return this.violate('split-brain', `${replica} ${what} under term ${term} after term ${this.newestActed} (${this.actors.get(this.newestActed)}) already acted: a deposed leader acts on the cluster`);
    }
    this.actors.set(term, replica);
    this.newestActed = term;
  }

  /** After every engine event: the ground-truth scan, sampled. */
  afterEvent(): void {
    if (this.stopped) return;
    const { sim, cluster } = this.o;
    const now = sim.now();
    const sample = this.o.sampleMs ?? Math.min(10_000, Math.max(1000, 10 * cluster.nodeCount));
    const due = now - this.lastCheckAt >= sample && cluster.version !== this.lastVersion;
    const deadline = this.twiceSince.size > 0 && now - this.lastCheckAt >= sample;
    if (!due && !deadline) return;
    this.lastCheckAt = now;
    this.lastVersion = cluster.version;
    // A container's term label is the term of the replica that created it, and every create is an
    // act (onAct): with fewer than two terms acted, no slot can run under two terms. A run without
    // failovers skips the scan (it was ~12% of the CPU of the 1,000-node hour with replicas).
    if (this.actors.size < 2) return;
    // The running slot containers on reachable Ready nodes, and whether they span two terms (the
    // old leaders' containers may all be gone): only then is a string key built per container.
    const running: Array<{ readonly workloadId: string; readonly name: string; readonly labels: Readonly<Record<string, string>> }> = [];
    let firstTerm: string | undefined;
    let terms2 = false;
    for (const node of cluster.sortedNodes()) {
      const view = cluster.manager.getNode(node.id);
      if (!node.up || node.frozen > 0 || !view || view.status !== 'Ready') continue;
      if (cluster.network.isCut(node.id, 'up') || cluster.network.isCut(node.id, 'down')) continue;
      for (const c of node.containers.values()) {
        if (c.state !== 'running' || c.labels['slipway.slot'] === undefined) continue;
        const term = c.labels['slipway.term'] ?? '0';
        if (firstTerm === undefined) firstTerm = term;
        else if (term !== firstTerm) terms2 = true;
        running.push(c);
      }
    }
    const copies = new Map<string, Set<string>>();
    if (terms2) {
      for (const c of running) {
        const key = `${c.workloadId}/${c.labels['slipway.slot']}/${c.labels['slipway.generation'] ?? ''}/${c.name}`;
        let terms = copies.get(key);
        if (!terms) copies.set(key, (terms = new Set()));
        terms.add(c.labels['slipway.term'] ?? '0');
      }
    }
    const twice = new Set<string>();
    for (const [key, terms] of copies) if (terms.size > 1) twice.add(key);
    for (const key of [...this.twiceSince.keys()]) if (!twice.has(key)) this.twiceSince.delete(key);
    for (const key of twice) {
      const since = this.twiceSince.get(key) ?? now;
      this.twiceSince.set(key, since);
      if (now - since > this.o.windowMs) {
        const [workload, slot, generation] = key.split('/');
        const terms = [...copies.get(key)!].sort().join(' and ');
        return this.violate('slot-twice', `slot ${slot} of ${workload} (generation ${generation}) has run in two containers, created under terms ${terms}, for ${now - since}ms`);
      }
    }
  }
}
