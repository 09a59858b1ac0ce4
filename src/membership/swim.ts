/**
 * SWIM with Lifeguard: the failure detector and dissemination protocol of HashiCorp memberlist,
 * as a deterministic state machine for every member of a group. It does no I/O and reads no
 * clock: a `GossipHost` gives it time, a random stream, message transport and member-local
 * execution (which is where crashes, freezes and slow members act), so the simulator drives it on
 * the virtual clock and the same code is explored under the fault catalog.
 *
 * Per member, as memberlist does it (state.go, suspicion.go, awareness.go):
 * - **Probe** every ProbeInterval the next member of a shuffled round-robin list (skipping itself
 *   and dead members; the list is reshuffled when it wraps). A direct ack within ProbeTimeout ends
 *   the probe; otherwise IndirectChecks random alive members are asked to ping it (and to nack
 *   if they get no ack within ProbeTimeout); no ack by the end of the (health-scaled) probe
 *   interval → the member is suspected.
 * - **Suspicion**: a suspect member is declared dead when its suspicion timer runs out, unless an
 *   alive message with a higher incarnation arrives first. A member that hears it is suspected
 *   (or dead) refutes with a higher incarnation.
 * - **Dissemination**: alive/suspect/dead messages are queued per member and piggybacked on every
 *   message it sends (fewest transmissions first), and gossiped every GossipInterval to
 *   GossipNodes random members (dead ones too for GossipToTheDeadTime), each at most
 *   RetransmitMult × ceil(log10(n + 1)) times; a newer message about a member replaces an older one.
 * - **Push-pull**: every (scaled) PushPullInterval a full state exchange with one random member;
 *   a remote "dead" is merged as a suspicion.
 * - **Lifeguard** (each switchable): LHA-Probe — a health score 0..AwarenessMaxMultiplier−1 (+1 per
 *   missed nack or failed probe without nackers, +1 per refutation, −1 per direct ack) scales the
 *   probe interval; LHA-Suspicion — the suspicion timeout starts at SuspicionMaxTimeoutMult × min
 *   and shrinks with each independent confirmation toward min (k = SuspicionMult − 2 expected);
 *   Buddy System — a probe of a suspect member carries the suspicion so it can refute at once.
 *
 * Without LHA-Suspicion the timeout is the fixed minimum, SWIM's original suspicion mechanism.
 * memberlist's TCP fallback ping is not modelled (a documented limit).
 */
import type { RandomStream } from '../engine/random.js';
import {
  dynamicSuspicionMs,
  pushPullIntervalMs,
  retransmitLimit,
  suspicionTimeoutMs,
  type GossipParams,
  type LifeguardFeatures,
} from './config.js';

export const ALIVE = 0;
export const SUSPECT = 1;
export const DEAD = 2;
export type MemberState = typeof ALIVE | typeof SUSPECT | typeof DEAD;
export const STATE_NAMES = ['alive', 'suspect', 'dead'] as const;
const NONE: readonly Broadcast[] = [];

/** What the protocol needs from its world. */
export interface GossipHost {
  now(): number;
  /** Runs `fn` after `delayMs` (no member context: wrap member work in `run`). */
  schedule(delayMs: number, fn: () => void): void;
  /**
   * Sends a message from member `from` to member `to`; `deliver` runs when the receiver processes
   * it (after the network's latency and the receiver's processing delay, if it is slow), unless
   * the message is lost or the receiver is down.
   */
  send(from: number, to: number, deliver: () => void): void;
  /** Runs a member's timer work: now; later while the member is frozen; never while it is down. */
  run(member: number, fn: () => void): void;
  /** Called for every probe a member starts (experiments measure first detection with it). */
  probed?(prober: number, target: number): void;
}

/** Why a member's view of another changed. */
export type ViewCause = 'probe' | 'gossip' | 'timeout' | 'refute' | 'join';

/** Called when `observer`'s view of `subject` changes state. */
export type ViewListener = (observer: number, subject: number, state: MemberState, incarnation: number, cause: ViewCause) => void;

export interface GossipStats {
  /** Every message sent (pings, acks, nacks, indirect requests, gossip, push-pull halves). */
  messages: number;
  probes: number;
  indirectProbes: number;
  suspicions: number;
  refutations: number;
  deadDeclarations: number;
}

interface Broadcast {
  readonly subject: number;
  readonly state: MemberState;
  readonly incarnation: number;
  /** Who raised the suspicion (suspect messages): confirmations count distinct ones. */
  readonly from: number;
  transmits: number;
  readonly order: number;
}

interface Suspicion {
  readonly start: number;
  readonly k: number;
  readonly min: number;
  readonly max: number;
  readonly confirmations: Set<number>;
  /** Bumped whenever the timer is re-armed: older timer events are void. */
  token: number;
}

interface Probe {
  readonly target: number;
  readonly seq: number;
  acked: boolean;
  nacks: number;
  expectedNacks: number;
}

class Member {
  incarnation = 0;
  awareness = 0;
  seq = 0;
  readonly state: Uint8Array;
  readonly inc: Uint32Array;
  /** When the view of each member last changed state (gossip to the dead uses it). */
  readonly since: Float64Array;
  readonly order: Int32Array;
  probeIndex = 0;
  probe: Probe | undefined;
  readonly suspicions = new Map<number, Suspicion>();
  queue: Broadcast[] = [];
  /** The member's gossip ticker runs only while it has something to send. */
  gossiping = false;
  /** Acks this member waits for as an indirect prober: its seq → the requester and theirs. */
  readonly relays = new Map<number, { readonly requester: number; readonly seq: number; readonly target: number; done: boolean }>();
  /** Bumped when the member restarts: its old timers are void. */
  epoch = 0;
  constructor(n: number, readonly id: number, readonly phase: number) {
    this.state = new Uint8Array(n);
    this.inc = new Uint32Array(n);
    this.since = new Float64Array(n);
    this.order = new Int32Array(n);
  }
}

export interface GossipGroupOptions {
  readonly size: number;
  /**
   * Members that have not joined yet (they join with `join`): every view holds them dead at
   * incarnation 0 and nobody probes or gossips to them. Default: none.
   */
  readonly absent?: Iterable<number>;
  readonly params: GossipParams;
  readonly features: LifeguardFeatures;
  readonly host: GossipHost;
  readonly random: RandomStream;
  /**
   * Serf's reconnect, on top of memberlist (off by default: the papers' protocol is memberlist
   * alone). Every `intervalMs` (Serf's ReconnectInterval, 30 s) a member that holds some members
   * failed picks one of them at random, with probability failed / alive (alive counting itself),
   * and joins it: a push-pull through the network. Without it a member cut off long enough to
   * declare every other dead (and be declared dead by them, past gossipToTheDead) stays alone for
   * good once the cut heals: nobody probes, gossips or push-pulls with a dead member. `random`
   * is its own stream, so the protocol's draws do not move.
   */
  readonly reconnect?: { readonly intervalMs: number; readonly random: RandomStream };
}

/**
 * All members of one gossip group. Members are numbered 0..size−1; every member knows every other
 * from the start (a joined, converged cluster), all alive at incarnation 0.
 */
export class GossipGroup {
  readonly size: number;
  readonly stats: GossipStats = { messages: 0, probes: 0, indirectProbes: 0, suspicions: 0, refutations: 0, deadDeclarations: 0 };
  private readonly members: Member[] = [];
  private readonly listeners: ViewListener[] = [];
  private readonly params: GossipParams;
  private readonly features: LifeguardFeatures;
  private readonly host: GossipHost;
  private readonly random: RandomStream;
  private readonly reconnect: GossipGroupOptions['reconnect'];
  private readonly retransmits: number;
  private broadcastOrder = 0;
  /** Members whose protocol has stopped for good (left the group). */
  private readonly left = new Set<number>();

  constructor(opts: GossipGroupOptions) {
    this.size = opts.size;
    this.params = opts.params;
    this.features = opts.features;
    this.host = opts.host;
    this.random = opts.random;
    this.reconnect = opts.reconnect;
    this.retransmits = retransmitLimit(this.params, this.size);
    for (const j of opts.absent ?? []) this.left.add(j);
    for (let i = 0; i < this.size; i++) {
      const m = new Member(this.size, i, Math.floor(this.random.float() * this.params.probeIntervalMs));
      for (let j = 0; j < this.size; j++) m.order[j] = j;
      for (const j of this.left) m.state[j] = DEAD;
      this.shuffle(m.order);
      this.members.push(m);
    }
  }

  /** Starts every present member's probe and push-pull tickers, at random phases within their intervals. */
  start(): void {
    for (const m of this.members) if (!this.left.has(m.id)) this.startMember(m);
  }

  /** An absent member is part of the group from the start (before `start`): every view holds it alive. */
  joinConverged(member: number): void {
    if (!this.left.delete(member)) return;
    for (const m of this.members) {
      m.state[member] = ALIVE;
      m.since[member] = this.host.now();
    }
  }

  /** An absent member joins: it announces itself alive and exchanges state with a random member. */
  join(member: number): void {
    if (!this.left.delete(member)) return;
    this.restart(member);
  }

  /**
   * A member leaves for good (its node was removed): it stops, and nobody probes or gossips to it
   * any more. memberlist announces a leave with a dead message about itself; the simulation
   * removes it from every member's candidates at once (a documented simplification).
   */
  leave(member: number): void {
    const m = this.members[member]!;
    m.epoch++;
    m.probe = undefined;
    this.left.add(member);
  }

  onView(listener: ViewListener): void {
    this.listeners.push(listener);
  }

  /** `observer`'s view of `subject`. */
  view(observer: number, subject: number): { state: MemberState; incarnation: number } {
    const m = this.members[observer]!;
    return { state: m.state[subject] as MemberState, incarnation: m.inc[subject]! };
  }

  incarnation(member: number): number {
    return this.members[member]!.incarnation;
  }

  /** The member's local health score (0 = healthy). */
  awareness(member: number): number {
    return this.members[member]!.awareness;
  }

  /**
   * A member that was down comes back (a restarted agent): it refutes any accusation by starting
   * at a higher incarnation, announces itself alive, and does a push-pull with a random member
   * (memberlist's join), then resumes probing.
   */
  restart(member: number): void {
    const m = this.members[member]!;
    m.epoch++;
    m.probe = undefined;
    m.suspicions.clear();
    m.relays.clear();
    m.queue = [];
    m.gossiping = false;
    m.awareness = 0;
    m.incarnation = Math.max(m.incarnation, m.inc[member]!) + 1;
    m.inc[member] = m.incarnation;
    m.state[member] = ALIVE;
    this.enqueue(m, { subject: member, state: ALIVE, incarnation: m.incarnation, from: member });
    const peer = this.randomMembers(m, 1, (j) => m.state[j] === DEAD);
    if (peer.length > 0) this.pushPull(m, peer[0]!, 'join');
    this.startMember(m);
  }

  // -----------------------------------------------------------------------------------------
  // Tickers
  // -----------------------------------------------------------------------------------------

  private startMember(m: Member): void {
    const epoch = m.epoch;
    const tick = () => {
      if (m.epoch !== epoch) return;
      this.host.run(m.id, () => {
        if (m.epoch !== epoch) return;
        this.probeNext(m);
      });
    };
    // The probe ticker runs at the base interval; a probe in progress (a failed one lasts the
    // health-scaled interval) makes the ticker skip, as Go's ticker drops missed ticks.
    const first = m.phase;
    const loop = () => {
      if (m.epoch !== epoch) return;
      tick();
      this.host.schedule(this.params.probeIntervalMs, loop);
    };
    this.host.schedule(first, loop);
    const pp = pushPullIntervalMs(this.params, this.size);
    const ppLoop = () => {
      if (m.epoch !== epoch) return;
      this.host.run(m.id, () => {
        if (m.epoch !== epoch) return;
        const peer = this.randomMembers(m, 1, (j) => m.state[j] === DEAD);
        if (peer.length > 0) this.pushPull(m, peer[0]!, 'gossip');
      });
      this.host.schedule(pp, ppLoop);
    };
    this.host.schedule(Math.floor(this.random.float() * pp), ppLoop);
    const rc = this.reconnect;
    if (rc !== undefined) {
      const rcLoop = () => {
        if (m.epoch !== epoch) return;
        this.host.run(m.id, () => {
          if (m.epoch !== epoch) return;
          this.reconnectOnce(m, rc.random);
        });
        this.host.schedule(rc.intervalMs, rcLoop);
      };
      // Serf's reconnect ticker starts with the agent: first tick one interval after the start.
      this.host.schedule(rc.intervalMs, rcLoop);
    }
  }

  /** serf.go `reconnect()`: maybe join one failed member (a push-pull), with probability failed / alive. */
  private reconnectOnce(m: Member, random: RandomStream): void {
    const failed: number[] = [];
    let alive = 0;
    for (let j = 0; j < this.size; j++) {
      if (this.left.has(j)) continue;
      if (j !== m.id && m.state[j] === DEAD) failed.push(j);
      else alive++;
    }
    if (failed.length === 0) return;
    if (random.float() > failed.length / Math.max(1, alive)) return;
    const peer = failed[Math.floor(random.float() * failed.length)]!;
    this.pushPull(m, peer, 'join');
  }

  private ensureGossip(m: Member): void {
    if (m.gossiping) return;
    m.gossiping = true;
    const epoch = m.epoch;
    const interval = this.params.gossipIntervalMs;
    // The next tick of a ticker that has always run at this member's phase.
    const now = this.host.now();
    const phase = m.phase % interval;
    const next = phase + Math.ceil((now - phase + 1e-9) / interval) * interval;
    const tick = () => {
      if (m.epoch !== epoch) return;
      this.host.run(m.id, () => {
        if (m.epoch !== epoch) return;
        this.gossip(m);
        if (m.queue.length === 0) m.gossiping = false;
        else this.host.schedule(interval, tick);
      });
    };
    this.host.schedule(next - now, tick);
  }

  // -----------------------------------------------------------------------------------------
  // Probing
  // -----------------------------------------------------------------------------------------

  private probeNext(m: Member): void {
    if (m.probe !== undefined) return; // the previous probe is still running: this tick is skipped
    let checked = 0;
    for (;;) {
      if (checked >= this.size) return;
      if (m.probeIndex >= this.size) {
        this.shuffle(m.order);
        m.probeIndex = 0;
        checked++;
        continue;
      }
      const j = m.order[m.probeIndex++]!;
      checked++;
      if (j === m.id || m.state[j] === DEAD || this.left.has(j)) continue;
      this.probeNode(m, j);
      return;
    }
  }

  private scale(m: Member, ms: number): number {
    return this.features.lhaProbe ? ms * (m.awareness + 1) : ms;
  }

  private probeNode(m: Member, target: number): void {
    this.stats.probes++;
    this.host.probed?.(m.id, target);
    const seq = ++m.seq;
    const probe: Probe = { target, seq, acked: false, nacks: 0, expectedNacks: 0 };
    m.probe = probe;
    const epoch = m.epoch;
    const interval = this.scale(m, this.params.probeIntervalMs);
    const extra: Broadcast[] = [];
    if (this.features.buddy && m.state[target] === SUSPECT)
      extra.push({ subject: target, state: SUSPECT, incarnation: m.inc[target]!, from: m.id, transmits: 0, order: 0 });
    this.sendTo(m, target, extra, (to) => this.onPing(to, m.id, seq));
    // ProbeTimeout is not scaled by health (memberlist: waiting longer does not get UDP through).
    // The end-of-probe timer is armed only when the direct ack did not come in time, which spares
    // one event for every successful probe.
    const start = this.host.now();
    this.host.schedule(this.params.probeTimeoutMs, () =>
      this.host.run(m.id, () => {
        if (m.epoch !== epoch || m.probe !== probe || probe.acked) return;
        this.indirect(m, probe);
        this.host.schedule(Math.max(0, start + interval - this.host.now()), () =>
          this.host.run(m.id, () => {
            if (m.epoch !== epoch || m.probe !== probe) return;
            m.probe = undefined;
            if (probe.acked) return;
            if (this.features.lhaProbe) {
              const delta = probe.expectedNacks > 0 ? Math.max(0, probe.expectedNacks - probe.nacks) : 1;
              this.applyAwareness(m, delta);
            }
            this.suspect(m, { subject: target, incarnation: m.inc[target]!, from: m.id }, 'probe');
          }),
        );
      }),
    );
  }

  private indirect(m: Member, probe: Probe): void {
    const peers = this.randomMembers(m, this.params.indirectChecks, (j) => j === probe.target || m.state[j] !== ALIVE);
    for (const peer of peers) {
      this.stats.indirectProbes++;
      probe.expectedNacks++;
      const requester = m.id;
      this.sendTo(m, peer, [], (to) => this.onIndirectRequest(to, requester, probe.seq, probe.target));
    }
  }

  private onPing(member: Member, from: number, seq: number): void {
    this.sendTo(member, from, [], (to) => this.onAck(to, seq));
  }

  private onAck(m: Member, seq: number): void {
    const probe = m.probe;
    if (probe !== undefined && probe.seq === seq && !probe.acked) {
      probe.acked = true;
      if (this.features.lhaProbe) this.applyAwareness(m, -1);
      // A direct ack ends the probe now; the interval timer sees it acked.
      m.probe = undefined;
      return;
    }
    const relay = m.relays.get(seq);
    if (relay !== undefined && !relay.done) {
      relay.done = true;
      m.relays.delete(seq);
      this.sendTo(m, relay.requester, [], (to) => this.onIndirectAck(to, relay.seq));
    }
  }

  private onIndirectAck(m: Member, seq: number): void {
    const probe = m.probe;
    if (probe !== undefined && probe.seq === seq && !probe.acked) {
      probe.acked = true;
      m.probe = undefined; // an indirect ack ends the probe too (no change to the health score)
    }
  }

  private onNack(m: Member, seq: number): void {
    const probe = m.probe;
    if (probe !== undefined && probe.seq === seq) probe.nacks++;
  }

  private onIndirectRequest(m: Member, requester: number, reqSeq: number, target: number): void {
    const seq = ++m.seq;
    const relay = { requester, seq: reqSeq, target, done: false };
    m.relays.set(seq, relay);
    const epoch = m.epoch;
    this.sendTo(m, target, [], (to) => this.onPing(to, m.id, seq));
    this.host.schedule(this.params.probeTimeoutMs, () =>
      this.host.run(m.id, () => {
        if (m.epoch !== epoch || relay.done) return;
        relay.done = true;
        m.relays.delete(seq);
        this.sendTo(m, requester, [], (to) => this.onNack(to, reqSeq));
      }),
    );
  }

  private applyAwareness(m: Member, delta: number): void {
    m.awareness = Math.min(this.params.awarenessMaxMultiplier - 1, Math.max(0, m.awareness + delta));
  }

  // -----------------------------------------------------------------------------------------
  // Alive, suspect, dead (memberlist's aliveNode, suspectNode, deadNode)
  // -----------------------------------------------------------------------------------------

  private alive(m: Member, b: { subject: number; incarnation: number }, cause: ViewCause): void {
    const j = b.subject;
    if (j === m.id) {
      // An old alive about ourselves is harmless; a newer one (we restarted and forgot) is adopted.
      if (b.incarnation > m.incarnation) m.incarnation = m.inc[j] = b.incarnation;
      return;
    }
    if (b.incarnation <= m.inc[j]!) return;
    m.suspicions.delete(j);
    this.enqueue(m, { subject: j, state: ALIVE, incarnation: b.incarnation, from: m.id });
    m.inc[j] = b.incarnation;
    if (m.state[j] !== ALIVE) this.change(m, j, ALIVE, cause);
  }

  private suspect(m: Member, b: { subject: number; incarnation: number; from: number }, cause: ViewCause): void {
    const j = b.subject;
    if (b.incarnation < m.inc[j]!) return;
    const existing = m.suspicions.get(j);
    if (existing !== undefined) {
      if (this.confirm(m, j, existing, b.from)) this.enqueue(m, { subject: j, state: SUSPECT, incarnation: b.incarnation, from: b.from });
      return;
    }
    if (m.state[j] !== ALIVE) return;
    if (j === m.id) {
      this.refute(m, b.incarnation);
      return;
    }
    this.enqueue(m, { subject: j, state: SUSPECT, incarnation: b.incarnation, from: b.from });
    m.inc[j] = b.incarnation;
    this.stats.suspicions++;
    this.change(m, j, SUSPECT, cause);
    const n = this.size;
    let k = this.params.suspicionMult - 2;
    if (n - 2 < k) k = 0;
    const min = suspicionTimeoutMs(this.params, n);
    const max = this.params.suspicionMaxTimeoutMult * min;
    const s: Suspicion = { start: this.host.now(), k, min, max, confirmations: new Set([b.from]), token: 0 };
    m.suspicions.set(j, s);
    const timeout = this.features.lhaSuspicion ? (k < 1 ? min : max) : min;
    this.armSuspicion(m, j, s, timeout);
  }

  /** A new, independent confirmation shrinks the timer (LHA-Suspicion); true when it was new. */
  private confirm(m: Member, j: number, s: Suspicion, from: number): boolean {
    if (!this.features.lhaSuspicion) return false;
    if (s.confirmations.size - 1 >= s.k || s.confirmations.has(from)) return false;
    s.confirmations.add(from);
    const c = s.confirmations.size - 1;
    const total = dynamicSuspicionMs(s.min, s.max, c, s.k);
    const elapsed = this.host.now() - s.start;
    this.armSuspicion(m, j, s, Math.max(0, total - elapsed));
    return true;
  }

  private armSuspicion(m: Member, j: number, s: Suspicion, delay: number): void {
    const token = ++s.token;
    const epoch = m.epoch;
    this.host.schedule(delay, () =>
      this.host.run(m.id, () => {
        if (m.epoch !== epoch || s.token !== token || m.suspicions.get(j) !== s) return;
        if (m.state[j] !== SUSPECT) return;
        this.stats.deadDeclarations++;
        this.dead(m, { subject: j, incarnation: m.inc[j]!, from: m.id }, 'timeout');
      }),
    );
  }

  private dead(m: Member, b: { subject: number; incarnation: number; from: number }, cause: ViewCause): void {
    const j = b.subject;
    if (b.incarnation < m.inc[j]!) return;
    if (m.state[j] === DEAD && j !== m.id) return;
    m.suspicions.delete(j);
    if (j === m.id) {
      this.refute(m, b.incarnation);
      return;
    }
    this.enqueue(m, { subject: j, state: DEAD, incarnation: b.incarnation, from: b.from });
    m.inc[j] = b.incarnation;
    this.change(m, j, DEAD, cause);
  }

  private refute(m: Member, accused: number): void {
    m.incarnation = Math.max(m.incarnation + 1, accused + 1);
    m.inc[m.id] = m.incarnation;
    this.stats.refutations++;
    if (this.features.lhaProbe) this.applyAwareness(m, 1);
    this.enqueue(m, { subject: m.id, state: ALIVE, incarnation: m.incarnation, from: m.id });
    for (const l of this.listeners) l(m.id, m.id, ALIVE, m.incarnation, 'refute');
  }

  private change(m: Member, j: number, state: MemberState, cause: ViewCause): void {
    m.state[j] = state;
    m.since[j] = this.host.now();
    for (const l of this.listeners) l(m.id, j, state, m.inc[j]!, cause);
  }

  // -----------------------------------------------------------------------------------------
  // Dissemination
  // -----------------------------------------------------------------------------------------

  private enqueue(m: Member, b: Omit<Broadcast, 'transmits' | 'order'>): void {
    const q = m.queue;
    for (let i = 0; i < q.length; i++) {
      if (q[i]!.subject === b.subject) {
        q.splice(i, 1);
        break;
      }
    }
    q.push({ ...b, transmits: 0, order: ++this.broadcastOrder });
    this.ensureGossip(m);
  }

  /**
   * Takes up to maxPiggyback broadcasts, fewest transmissions first (then newest), and counts
   * them. The receiver only reads a broadcast's subject, state, incarnation and sender, so the
   * queue's own objects travel (no copies).
   */
  private takeBroadcasts(m: Member): readonly Broadcast[] {
    const q = m.queue;
    if (q.length === 0) return NONE;
    const picked = q.length <= this.params.maxPiggyback ? q.slice() : q.slice().sort((a, b) => a.transmits - b.transmits || b.order - a.order).slice(0, this.params.maxPiggyback);
    let expired = false;
    for (const b of picked) if (++b.transmits >= this.retransmits) expired = true;
    if (expired) m.queue = q.filter((b) => b.transmits < this.retransmits);
    return picked;
  }

  /** Sends a message with piggybacked broadcasts; the receiver handles the broadcasts, then the message. */
  private sendTo(m: Member, to: number, extra: readonly Broadcast[], handle: (receiver: Member) => void): void {
    this.stats.messages++;
    const bcasts = extra.length > 0 ? [...extra, ...this.takeBroadcasts(m)] : this.takeBroadcasts(m);
    const receiver = this.members[to]!;
    const epoch = receiver.epoch;
    this.host.send(m.id, to, () => {
      if (receiver.epoch !== epoch) return;
      for (const b of bcasts) this.receiveBroadcast(receiver, b);
      handle(receiver);
    });
  }

  private receiveBroadcast(m: Member, b: Broadcast): void {
    if (b.state === ALIVE) this.alive(m, b, 'gossip');
    else if (b.state === SUSPECT) this.suspect(m, b, 'gossip');
    else this.dead(m, b, 'gossip');
  }

  private gossip(m: Member): void {
    const now = this.host.now();
    const peers = this.randomMembers(m, this.params.gossipNodes, (j) => m.state[j] === DEAD && now - m.since[j]! > this.params.gossipToTheDeadMs);
    for (const peer of peers) {
      if (m.queue.length === 0) return;
      this.sendTo(m, peer, [], () => {});
    }
  }

  private pushPull(m: Member, peer: number, cause: ViewCause): void {
    const snapshot = this.snapshot(m);
    this.stats.messages++;
    const receiver = this.members[peer]!;
    const epoch = receiver.epoch;
    this.host.send(m.id, peer, () => {
      if (receiver.epoch !== epoch) return;
      const reply = this.snapshot(receiver);
      this.merge(receiver, snapshot, cause);
      this.stats.messages++;
      const back = m.epoch;
      this.host.send(peer, m.id, () => {
        if (m.epoch !== back) return;
        this.merge(m, reply, cause);
      });
    });
  }

  private snapshot(m: Member): { state: Uint8Array; inc: Uint32Array } {
    return { state: m.state.slice(), inc: m.inc.slice() };
  }

  /** memberlist's mergeState: remote alive → alive; remote suspect or dead → a suspicion. */
  private merge(m: Member, remote: { state: Uint8Array; inc: Uint32Array }, cause: ViewCause): void {
    for (let j = 0; j < this.size; j++) {
      const st = remote.state[j]!;
      if (st === m.state[j] && j !== m.id) continue;
      if (st === ALIVE) this.alive(m, { subject: j, incarnation: remote.inc[j]! }, cause);
      else this.suspect(m, { subject: j, incarnation: remote.inc[j]!, from: m.id }, cause);
    }
  }

  // -----------------------------------------------------------------------------------------

  /** Up to k distinct random members other than `m`, skipping those `exclude` rejects (memberlist's kRandomNodes). */
  private randomMembers(m: Member, k: number, exclude: (j: number) => boolean): number[] {
    const out: number[] = [];
    const n = this.size;
    // memberlist tries 3n random indexes; the same bound keeps the draw count deterministic.
    for (let tries = 0; tries < 3 * n && out.length < k; tries++) {
      const j = Math.floor(this.random.float() * n);
      if (j === m.id || this.left.has(j) || exclude(j) || out.includes(j)) continue;
      out.push(j);
    }
    return out;
  }

  private shuffle(a: Int32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.random.float() * (i + 1));
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }
}
