/**
 * Every knob of the gossip failure detector in one place, with HashiCorp memberlist's LAN defaults
 * (`DefaultLANConfig` in memberlist's config.go), and the detector variants a scenario or the
 * membership experiment can choose.
 *
 * The variants follow the Lifeguard paper (Dadgar, Phillips, Currey, "Lifeguard: Local Health
 * Awareness for More Accurate Failure Detection", 2018):
 *   swim          SWIM with suspicion (memberlist with Lifeguard's three extensions off)
 *   lha-probe     + Local Health Aware Probe: probe interval and timeout scale with the local health score
 *   lha-suspicion + Local Health Aware Suspicion: the suspicion timeout starts high and shrinks with
 *                 independent confirmations
 *   buddy         + Buddy System: a probe of a suspect member carries the suspicion, so it can refute at once
 *   lifeguard     all three (memberlist as shipped)
 */

import { assertNever } from '../core/assert-never.js';

export type DetectorName = 'swim' | 'lha-probe' | 'lha-suspicion' | 'buddy' | 'lifeguard';
export const DETECTORS: readonly DetectorName[] = ['swim', 'lha-probe', 'lha-suspicion', 'buddy', 'lifeguard'];

/** Which of Lifeguard's extensions are on. */
export interface LifeguardFeatures {
  readonly lhaProbe: boolean;
  readonly lhaSuspicion: boolean;
  readonly buddy: boolean;
}

export function featuresOf(detector: DetectorName): LifeguardFeatures {
  switch (detector) {
    case 'swim':
      return { lhaProbe: false, lhaSuspicion: false, buddy: false };
    case 'lha-probe':
      return { lhaProbe: true, lhaSuspicion: false, buddy: false };
    case 'lha-suspicion':
      return { lhaProbe: false, lhaSuspicion: true, buddy: false };
    case 'buddy':
      return { lhaProbe: false, lhaSuspicion: false, buddy: true };
    case 'lifeguard':
      return { lhaProbe: true, lhaSuspicion: true, buddy: true };
    default:
      return assertNever(detector, 'detector');
  }
}

/** memberlist's protocol knobs (milliseconds and counts). */
export interface GossipParams {
  /** Time between probes of one member (memberlist ProbeInterval: 1 s). */
  readonly probeIntervalMs: number;
  /** Time to wait for a direct ack before probing indirectly (ProbeTimeout: 500 ms). */
  readonly probeTimeoutMs: number;
  /** Members asked to probe indirectly (IndirectChecks: 3). */
  readonly indirectChecks: number;
  /** Suspicion timeout = SuspicionMult × max(1, log10(n)) × ProbeInterval (SuspicionMult: 4). */
  readonly suspicionMult: number;
  /** Lifeguard's upper suspicion timeout = this × the minimum (SuspicionMaxTimeoutMult: 6). */
  readonly suspicionMaxTimeoutMult: number;
  /** Each broadcast is sent RetransmitMult × ceil(log10(n + 1)) times (RetransmitMult: 4). */
  readonly retransmitMult: number;
  /** Time between gossip rounds (GossipInterval: 200 ms)... */
  readonly gossipIntervalMs: number;
  /** ...each to this many random members (GossipNodes: 3). */
  readonly gossipNodes: number;
  /** Dead members still receive gossip this long, so they can learn of it and refute (GossipToTheDeadTime: 30 s). */
  readonly gossipToTheDeadMs: number;
  /** Full state exchange with one random member, scaled up for clusters over 32 (PushPullInterval: 30 s). */
  readonly pushPullIntervalMs: number;
  /** The local health score's ceiling: timeouts are scaled by score + 1 ≤ this (AwarenessMaxMultiplier: 8). */
  readonly awarenessMaxMultiplier: number;
  /**
   * Broadcasts piggybacked on one message at most. memberlist fills a UDP packet (1,400 bytes) with
   * as many as fit; a typical alive/suspect/dead message is 30–60 bytes, so about 25 fit.
   */
  readonly maxPiggyback: number;
}

export const MEMBERLIST_LAN: GossipParams = {
  probeIntervalMs: 1000,
  probeTimeoutMs: 500,
  indirectChecks: 3,
  suspicionMult: 4,
  suspicionMaxTimeoutMult: 6,
  retransmitMult: 4,
  gossipIntervalMs: 200,
  gossipNodes: 3,
  gossipToTheDeadMs: 30_000,
  pushPullIntervalMs: 30_000,
  awarenessMaxMultiplier: 8,
  maxPiggyback: 25,
};

/**
 * memberlist's suspicionTimeout: SuspicionMult × max(1, log10(max(1, n))) × ProbeInterval, with the
 * node scale kept to three decimals as memberlist does (it multiplies by 1000 in integer time).
 */
export function suspicionTimeoutMs(p: GossipParams, n: number): number {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, n)));
  return Math.floor((p.suspicionMult * Math.floor(nodeScale * 1000) * p.probeIntervalMs) / 1000);
}

/** memberlist's retransmitLimit: RetransmitMult × ceil(log10(n + 1)). */
export function retransmitLimit(p: GossipParams, n: number): number {
  return p.retransmitMult * Math.ceil(Math.log10(n + 1));
}

/**
 * memberlist's pushPullScale: the interval is multiplied by ceil(log2(n) − log2(32)) + 1 for
 * clusters over 32 members, so the state-exchange load per member stays bounded as n grows.
 */
export function pushPullIntervalMs(p: GossipParams, n: number): number {
  if (n <= 32) return p.pushPullIntervalMs;
  const multiplier = Math.ceil(Math.log2(n) - Math.log2(32)) + 1;
  return p.pushPullIntervalMs * multiplier;
}

/**
 * Lifeguard's dynamic suspicion timeout (memberlist's remainingSuspicionTime): with `c` independent
 * confirmations of `k` expected, max − (max − min) × log(c + 1) / log(k + 1), floored to whole
 * milliseconds and never below min. With k < 1 it is min.
 */
export function dynamicSuspicionMs(min: number, max: number, c: number, k: number): number {
  if (k < 1) return min;
  const frac = Math.log(c + 1) / Math.log(k + 1);
  const raw = max - frac * (max - min);
  return Math.max(min, Math.floor(raw));
}
