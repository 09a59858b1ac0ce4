/**
 * One run of the membership experiment: a gossip group of `members` on the engine's virtual clock,
 * with crash failures (to measure detection) and slow members (Lifeguard's anomaly model: message
 * processing at a member is delayed while its timers keep running, as in an overloaded process
 * whose receive loop falls behind). Everything derives from the seed.
 *
 * Measures, from the protocol's own view changes:
 * - first detection: crash → the first probe of the crashed member by anyone, in protocol periods
 *   (ceil of the wait / ProbeInterval) — SWIM's analysis (Das, Gupta, Motivala 2002, §3.1)
 *   predicts 1 / (1 − e^(−q_f)) periods, q_f the fraction of non-faulty members probing;
 * - detection: crash → the first member that declares it dead (its suspicion timed out);
 * - false positives: declarations (by any member, locally or through gossip) that a member is
 *   dead while it is up and not slow; and separately those about slow members;
 * - message load: messages sent per member per second.
 */
import { Simulation } from '../engine/simulation.js';
import { featuresOf, MEMBERLIST_LAN, suspicionTimeoutMs, type DetectorName, type GossipParams } from './config.js';
import { DEAD, GossipGroup, type GossipHost } from './swim.js';

export interface MembershipRunSpec {
  readonly detector: DetectorName;
  readonly members: number;
  readonly seed: number;
  readonly durationMs: number;
  /** Time before the first fault, for the group to settle (default 10 s). */
  readonly warmupMs?: number;
  readonly params?: Partial<GossipParams>;
  /** One-way network latency, uniform in [min, max] ms (default 0.5–1.5 ms, a LAN). */
  readonly latencyMs?: { readonly min: number; readonly max: number };
  /** Each message is lost with this probability (default 0). */
  readonly loss?: number;
  /** Every `everyMs` one random healthy member crashes; it restarts after `downMs`. */
  readonly crashes?: { readonly everyMs: number; readonly downMs: number };
  /**
   * Slow members: every `everyMs`, `concurrent` random healthy members become slow for
   * `durationMs`, every message they receive being processed `delayMs` late.
   */
  readonly slow?: { readonly everyMs: number; readonly concurrent: number; readonly durationMs: number; readonly delayMs: number };
}

export interface MembershipRunResult {
  readonly detector: DetectorName;
  readonly members: number;
  readonly seed: number;
  readonly crashes: number;
  /** Crashes whose first probe was seen before the member restarted or the run ended. */
  readonly firstDetections: number;
  readonly firstDetectionMeanPeriods: number;
  /** Crashes declared dead by someone before the member restarted or the run ended. */
  readonly detections: number;
  readonly detectionMeanMs: number;
  readonly detectionP99Ms: number;
  readonly falsePositives: number;
  readonly falsePositivesSlow: number;
  readonly suspicions: number;
  readonly refutations: number;
  readonly messagesPerMemberPerS: number;
  readonly events: number;
}

/** SWIM's expected protocol periods to first detection: 1 / (1 − e^(−q_f)). */
export function swimExpectedPeriods(qf: number): number {
  return 1 / (1 - Math.exp(-qf));
}

/**
 * The same expectation for a finite group probing round-robin (memberlist's shuffled list):
 * each of `probers` members reaches the crashed one after a uniform 1..L periods (L = n − 1),
 * so E = Σ_{k=0}^{L−1} (1 − k/L)^probers.
 */
export function roundRobinExpectedPeriods(n: number, probers: number): number {
  const L = n - 1;
  let e = 0;
  for (let k = 0; k < L; k++) e += Math.pow(1 - k / L, probers);
  return e;
}

export async function runMembership(spec: MembershipRunSpec): Promise<MembershipRunResult> {
  const sim = new Simulation(spec.seed);
  const params: GossipParams = { ...MEMBERLIST_LAN, ...spec.params };
  const n = spec.members;
  const rNet = sim.random.stream('membership.network');
  const rFault = sim.random.stream('membership.faults');
  const lat = spec.latencyMs ?? { min: 0.5, max: 1.5 };
  const loss = spec.loss ?? 0;
  const up = new Uint8Array(n).fill(1);
  const slowDelay = new Float64Array(n); // 0 = not slow
  // A member counts as anomalous from the start of its slow spell until its backlog has cleared
  // (end + delay) plus the longest suspicion timeout, so verdicts on suspicions raised while it
  // was slow are counted as verdicts about a slow member, not false positives.
  const anomalyStart = new Float64Array(n).fill(Infinity);
  const anomalyUntil = new Float64Array(n).fill(-Infinity);
  // The incarnation a member restarted with: a verdict about an older one is about its previous life.
  const lifeInc = new Uint32Array(n);
  const crashedAt = new Float64Array(n).fill(-1);
  const firstProbe = new Float64Array(n).fill(-1);
  const declaredAt = new Float64Array(n).fill(-1);
  const firstPeriods: number[] = [];
  const detections: number[] = [];
  let falsePositives = 0;
  let falsePositivesSlow = 0;
  let crashes = 0;

  const host: GossipHost = {
    now: () => sim.now(),
    schedule: (d, fn) => sim.schedule(d, fn),
    send: (_from, to, deliver) => {
      const l = lat.min + rNet.float() * (lat.max - lat.min);
      if (loss > 0 && rNet.float() < loss) return;
      sim.schedule(l, () => {
        if (up[to] === 0) return;
        const d = slowDelay[to]!;
        if (d > 0) sim.schedule(d, () => up[to] === 1 && deliver());
        else deliver();
      });
    },
    run: (member, fn) => {
      if (up[member] === 1) fn();
    },
    probed: (_prober, target) => {
      if (crashedAt[target]! >= 0 && firstProbe[target]! < 0) {
        firstProbe[target] = sim.now();
        firstPeriods.push(Math.ceil((sim.now() - crashedAt[target]!) / params.probeIntervalMs));
      }
    },
  };
  const group = new GossipGroup({ size: n, params, features: featuresOf(spec.detector), host, random: sim.random.stream('membership.protocol') });
  group.onView((observer, subject, state, inc, cause) => {
    if (state !== DEAD || observer === subject) return;
    if (up[subject] === 0) {
      if (cause === 'timeout' && declaredAt[subject]! < 0 && crashedAt[subject]! >= 0) {
        declaredAt[subject] = sim.now();
        detections.push(sim.now() - crashedAt[subject]!);
      }
      return;
    }
    // A verdict about an earlier life of a member that has since restarted is a late true
    // detection, not a false positive.
    if (inc < lifeInc[subject]!) return;
    const t = sim.now();
    if (t >= anomalyStart[subject]! && t <= anomalyUntil[subject]!) falsePositivesSlow++;
    else falsePositives++;
  });
  group.start();

  const warmup = spec.warmupMs ?? 10_000;
  const healthy = (): number[] => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (up[i] === 1 && slowDelay[i] === 0) out.push(i);
    return out;
  };
  if (spec.crashes) {
    const c = spec.crashes;
    const crash = () => {
      const pool = healthy();
      if (pool.length > 1) {
        const v = pool[Math.floor(rFault.float() * pool.length)]!;
        up[v] = 0;
        crashes++;
        crashedAt[v] = sim.now();
        firstProbe[v] = -1;
        declaredAt[v] = -1;
        sim.schedule(c.downMs, () => {
          up[v] = 1;
          crashedAt[v] = -1;
          group.restart(v);
          lifeInc[v] = group.incarnation(v);
        });
      }
      if (sim.now() + c.everyMs < spec.durationMs) sim.schedule(c.everyMs, crash);
    };
    sim.schedule(warmup + rFault.float() * c.everyMs, crash);
  }
  if (spec.slow) {
    const s = spec.slow;
    const anomaly = () => {
      const pool = healthy();
      for (let k = 0; k < s.concurrent && pool.length > 0; k++) {
        const v = pool.splice(Math.floor(rFault.float() * pool.length), 1)[0]!;
        slowDelay[v] = s.delayMs;
        anomalyStart[v] = sim.now();
        anomalyUntil[v] = sim.now() + s.durationMs + s.delayMs + params.suspicionMaxTimeoutMult * suspicionTimeoutMs(params, n);
        sim.schedule(s.durationMs, () => {
          slowDelay[v] = 0;
        });
      }
      if (sim.now() + s.everyMs < spec.durationMs) sim.schedule(s.everyMs, anomaly);
    };
    sim.schedule(warmup, anomaly);
  }
  const result = await sim.run({ until: spec.durationMs });
  const mean = (a: readonly number[]) => (a.length === 0 ? NaN : a.reduce((x, y) => x + y, 0) / a.length);
  const sorted = [...detections].sort((a, b) => a - b);
  const p99 = sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)]!;
  return {
    detector: spec.detector,
    members: n,
    seed: spec.seed,
    crashes,
    firstDetections: firstPeriods.length,
    firstDetectionMeanPeriods: mean(firstPeriods),
    detections: detections.length,
    detectionMeanMs: mean(detections),
    detectionP99Ms: p99,
    falsePositives,
    falsePositivesSlow,
    suspicions: group.stats.suspicions,
    refutations: group.stats.refutations,
    messagesPerMemberPerS: group.stats.messages / n / (spec.durationMs / 1000),
    events: result.events,
  };
}
