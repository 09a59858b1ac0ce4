/**
 * Live node membership from HashiCorp Serf (`cluster.membership: serf`): every node runs a Serf
 * agent tagged `slipway-node=<node name>` (the tag is configurable), and the control plane runs its
 * own agent, a member like the others, whose RPC address the scenario names (`cluster.serf.rpc`).
 * Through that one RPC connection (backends/serf/serf-rpc.ts) Slipway reads the member list, then
 * every membership event, and memberlist's log lines:
 *
 *   Serf status / event                 node status
 *   alive, member-join, member-update → Ready
 *   memberlist "Suspect X has failed"  → NotReady   (only suspicions the control plane's own agent raises)
 *   failed, member-failed             → Down
 *   left, member-leave, member-reap   → removed     (a graceful leave; rejoining adds it back)
 *
 * Serf exports no suspect state, so a suspicion seen in the log is cleared (NotReady → Ready) when
 * the member is still alive after memberlist's longest suspicion timeout (SuspicionMaxTimeoutMult ×
 * the minimum): by then it has either been declared failed or has refuted.
 */
import type { Clock } from '../../src/core/interfaces.js';
import { suspicionTimeoutMs, type GossipParams } from '../../src/membership/config.js';
import type { NodeId } from '../../src/core/types.js';
import type { LiveMembershipSource, LiveMembershipState } from '../live/live-cluster-manager.js';
import { SerfRpc, type SerfMember } from './serf-rpc.js';

export interface SerfMembershipConfig {
  /** The control plane's agent, `host:port` of its RPC listener. */
  readonly rpc: string;
  /** The tag whose value is the Slipway node name. */
  readonly tag: string;
  /** memberlist's parameters (Serf's LAN profile), for the suspicion timeout. */
  readonly gossip: GossipParams;
  readonly clock: Clock;
  /** Where one-line warnings go (a lost connection, a node without an agent). */
  readonly warn: (line: string) => void;
}

const EVENTS = 'member-join,member-leave,member-failed,member-update,member-reap';
const SUSPECT = /memberlist: Suspect (\S+) has failed/;
const STAMP = /^\s*(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})/;

export function stateOfStatus(status: string): LiveMembershipState | undefined {
  switch (status) {
    case 'alive':
      return 'alive';
    case 'failed':
      return 'failed';
    case 'left':
    case 'leaving':
      return 'left';
    default:
      return undefined;
  }
}

export class SerfMembership implements LiveMembershipSource {
  private rpc: SerfRpc | undefined;
  /** Serf member name → Slipway node name (from the tag). */
  private readonly nodeOf = new Map<string, NodeId>();
  private readonly status = new Map<NodeId, string>();
  private readonly clearTimers = new Map<NodeId, () => void>();
  private report: ((node: NodeId, state: LiveMembershipState) => void) | undefined;
  private nodes: ReadonlySet<NodeId> = new Set();
  private closed = false;
  private retry: (() => void) | undefined;

  constructor(private readonly config: SerfMembershipConfig) {}

  describe(): string {
    return `serf agent ${this.config.rpc}`;
  }

  async start(nodes: readonly NodeId[], report: (node: NodeId, state: LiveMembershipState) => void): Promise<Map<NodeId, LiveMembershipState>> {
    this.nodes = new Set(nodes);
    this.report = report;
    const initial = await this.connect();
    for (const n of nodes) if (!initial.has(n)) this.config.warn(`warning: node ${n} has no Serf agent tagged ${this.config.tag}=${n} in ${this.config.rpc}'s cluster; it stays NotReady until one joins`);
    return initial;
  }

  close(): void {
    this.closed = true;
    this.retry?.();
    for (const c of this.clearTimers.values()) c();
    this.rpc?.close();
  }

  /** Connects, reads the member list, subscribes to events and logs; returns the nodes' states. */
  private async connect(): Promise<Map<NodeId, LiveMembershipState>> {
    const rpc = await SerfRpc.connect(this.config.rpc);
    this.rpc = rpc;
    const since = Math.floor(Date.now() / 1000) * 1000;
    const states = new Map<NodeId, LiveMembershipState>();
    for (const m of await rpc.members()) {
      const node = this.track(m);
      const s = node && stateOfStatus(m.status);
      if (node && s) {
        states.set(node, s);
        this.status.set(node, s);
      }
    }
    await rpc.stream(EVENTS, (e) => {
      for (const m of e.members) {
        const node = this.track(m);
        if (!node) continue;
        const s: LiveMembershipState = e.event === 'member-failed' ? 'failed' : e.event === 'member-leave' || e.event === 'member-reap' ? 'left' : 'alive';
        this.set(node, s);
      }
    });
    // The agent replays recent log lines first: only lines stamped since the connection count.
    await rpc.monitor('INFO', (line) => {
      const m = SUSPECT.exec(line);
      if (!m) return;
      const t = STAMP.exec(line);
      if (t && Date.UTC(+t[1]!, +t[2]! - 1, +t[3]!, +t[4]!, +t[5]!, +t[6]!) + new Date().getTimezoneOffset() * 60_000 < since) return;
      const node = this.nodeOf.get(m[1]!);
      if (node && this.status.get(node) === 'alive') this.set(node, 'suspect');
    });
    rpc.onClose((error) => {
      if (this.closed) return;
      this.config.warn(`warning: lost the Serf agent at ${this.config.rpc} (${error?.message ?? 'closed'}); node statuses stay as they are until it answers again`);
      this.reconnect();
    });
    return states;
  }

  private reconnect(): void {
    this.retry = this.config.clock.setTimer(1_000, () => {
      this.retry = undefined;
      if (this.closed) return;
      this.connect().then(
        (states) => {
          this.config.warn(`serf agent at ${this.config.rpc} answers again`);
          for (const [node, s] of states) this.set(node, s);
        },
        () => this.reconnect(),
      );
    });
  }

  private track(m: SerfMember): NodeId | undefined {
    const node = m.tags[this.config.tag];
    if (node === undefined || !this.nodes.has(node)) return undefined;
    this.nodeOf.set(m.name, node);
    return node;
  }

  private set(node: NodeId, s: LiveMembershipState): void {
    const before = this.status.get(node);
    this.status.set(node, s);
    this.clearTimers.get(node)?.();
    this.clearTimers.delete(node);
    if (s === 'suspect') {
      // Still alive after the longest suspicion: refuted (Serf has no event for a refutation).
      const n = Math.max(1, this.nodeOf.size + 1);
      const wait = this.config.gossip.suspicionMaxTimeoutMult * suspicionTimeoutMs(this.config.gossip, n) + this.config.gossip.probeIntervalMs;
      this.clearTimers.set(
        node,
        this.config.clock.setTimer(wait, () => {
          this.clearTimers.delete(node);
          if (this.status.get(node) === 'suspect') this.set(node, 'alive');
        }),
      );
    }
    if (before !== s) this.report?.(node, s);
  }
}
