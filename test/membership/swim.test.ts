/**
 * The gossip failure detector (SWIM + Lifeguard, memberlist's rules) on the virtual clock:
 * memberlist's timeout formulas, detection of a crashed member, refutation of a false suspicion,
 * determinism, SWIM's first-detection analysis and Lifeguard's effect on false positives.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/engine/simulation.js';
import {
  dynamicSuspicionMs,
  featuresOf,
  MEMBERLIST_LAN,
  pushPullIntervalMs,
  retransmitLimit,
  suspicionTimeoutMs,
} from '../../src/membership/config.js';
import { roundRobinExpectedPeriods, runMembership, swimExpectedPeriods } from '../../src/membership/experiment.js';
import { ALIVE, DEAD, GossipGroup, SUSPECT, type GossipHost } from '../../src/membership/swim.js';

describe('memberlist formulas (LAN defaults)', () => {
  it.each([
    // SuspicionMult 4 × max(1, log10(n)) × 1 s
    { n: 1, ms: 4000 },
    { n: 10, ms: 4000 },
    { n: 100, ms: 8000 },
    { n: 1000, ms: 12000 },
    // log10(50) = 1.69897 → kept to three decimals (1.698) as memberlist does: 4 × 1.698 × 1000
    { n: 50, ms: 6792 },
  ])('suspicion timeout for $n members is $ms ms', ({ n, ms }) => {
    expect(suspicionTimeoutMs(MEMBERLIST_LAN, n)).toBe(ms);
  });

  it.each([
    // k = SuspicionMult − 2 = 2 expected confirmations, min 8 s, max 6 × 8 = 48 s
    { c: 0, ms: 48000, why: 'no confirmation yet: the maximum' },
    // 48000 − 40000 × ln 2 / ln 3 = 48000 − 25237.2 = 22762.8 → 22762
    { c: 1, ms: 22762, why: 'one independent confirmation' },
    { c: 2, ms: 8000, why: 'k confirmations: the minimum' },
  ])('Lifeguard suspicion timeout with $c confirmation(s) is $ms ms ($why)', ({ c, ms }) => {
    expect(dynamicSuspicionMs(8000, 48000, c, 2)).toBe(ms);
  });

  it('retransmits and push-pull scale with the cluster', () => {
    expect(retransmitLimit(MEMBERLIST_LAN, 100)).toBe(12); // 4 × ceil(log10(101))
    expect(retransmitLimit(MEMBERLIST_LAN, 1000)).toBe(16); // 4 × ceil(log10(1001))
    expect(pushPullIntervalMs(MEMBERLIST_LAN, 32)).toBe(30_000);
    expect(pushPullIntervalMs(MEMBERLIST_LAN, 1000)).toBe(180_000); // × (ceil(9.97 − 5) + 1)
  });
});

/** A group on a bare simulation with a LAN's latency, where members can be crashed or cut off. */
function lan(n: number, detector: Parameters<typeof featuresOf>[0], seed = 7, o: { reconnect?: boolean } = {}) {
  const sim = new Simulation(seed);
  const rNet = sim.random.stream('net');
  const up = new Array<boolean>(n).fill(true);
  const deaf = new Array<boolean>(n).fill(false); // loses every message sent to it
  const mute = new Array<boolean>(n).fill(false); // loses every message it sends
  const host: GossipHost = {
    now: () => sim.now(),
    schedule: (d, fn) => sim.schedule(d, fn),
    send: (from, to, deliver) => {
      const l = 0.5 + rNet.float();
      if (deaf[to] || mute[from]) return;
      sim.schedule(l, () => up[to] && deliver());
    },
    run: (m, fn) => {
      if (up[m]) fn();
    },
  };
  const reconnect = o.reconnect ? { reconnect: { intervalMs: 30_000, random: sim.random.stream('reconnect') } } : {};
  const group = new GossipGroup({ size: n, params: MEMBERLIST_LAN, features: featuresOf(detector), host, random: sim.random.stream('swim'), ...reconnect });
  group.start();
  return { sim, group, up, deaf, mute };
}

describe('SWIM + Lifeguard on the virtual clock', () => {
  it('every live member declares a crashed member dead within probe + suspicion time, and alive again after it restarts', async () => {
    const { sim, group, up } = lan(20, 'lifeguard');
    await sim.run({ until: 5_000 });
    up[3] = false;
    // At most n − 1 probe periods until someone probes it (round-robin), one period to suspect,
    // then the suspicion timeout (Lifeguard: up to 6 × 5.2 s without confirmations), plus gossip.
    await sim.run({ until: 5_000 + 19_000 + 1_000 + 6 * suspicionTimeoutMs(MEMBERLIST_LAN, 20) + 5_000 });
    for (let i = 0; i < 20; i++) if (i !== 3) expect(group.view(i, 3).state, `member ${i}'s view of 3`).toBe(DEAD);
    up[3] = true;
    group.restart(3);
    await sim.run({ until: sim.now() + 10_000 });
    for (let i = 0; i < 20; i++) expect(group.view(i, 3).state, `member ${i}'s view of 3 after the restart`).toBe(ALIVE);
    expect(group.view(0, 3).incarnation).toBeGreaterThan(0);
  });

  it('a member that stops hearing for a while is suspected (then declared dead), hears of it and refutes with a higher incarnation', async () => {
    const { sim, group, deaf } = lan(10, 'swim');
    const seen: string[] = [];
    group.onView((o, s, st, inc, cause) => {
      if (s === 4 && o !== 4) seen.push(`${st}@${inc}`);
      if (o === 4 && s === 4 && cause === 'refute') seen.push(`refuted@${inc}`);
    });
    await sim.run({ until: 5_000 });
    deaf[4] = true;
    await sim.run({ until: 12_000 });
    deaf[4] = false;
    // It hears of its death through gossip or, at the latest, its next push-pull (every 30 s).
    await sim.run({ until: 80_000 });
    expect(seen).toContain(`${SUSPECT}@0`);
    expect(seen.some((x) => x.startsWith('refuted@'))).toBe(true);
    for (let i = 0; i < 10; i++) expect(group.view(i, 4).state).toBe(ALIVE);
    expect(group.incarnation(4)).toBeGreaterThan(0);
  });

  it.each([false, true])(
    'a member that cannot send for a minute declares every other dead and is declared dead; after the cut heals they find each other again only with Serf reconnect (reconnect: %s)',
    async (reconnect) => {
      const { sim, group, mute } = lan(6, 'lifeguard', 7, { reconnect });
      await sim.run({ until: 5_000 });
      mute[2] = true; // its uplink is cut: probes of it fail, and so do all of its own probes
      await sim.run({ until: 65_000 });
      for (let i = 0; i < 6; i++) if (i !== 2) expect(group.view(i, 2).state, `member ${i}'s view of 2`).toBe(DEAD);
      for (let j = 0; j < 6; j++) if (j !== 2) expect(group.view(2, j).state, `2's view of ${j}`).toBe(DEAD);
      mute[2] = false;
      // Two of Serf's reconnect intervals (30 s each) and some gossip.
      await sim.run({ until: 65_000 + 2 * 30_000 + 10_000 });
      const alive = (observer: number, subject: number) => group.view(observer, subject).state === ALIVE;
      const healed = [0, 1, 3, 4, 5].every((i) => alive(i, 2) && alive(2, i));
      // memberlist alone never probes, gossips to (past gossipToTheDead) or push-pulls with a dead
      // member, so both sides stay apart for good; Serf's reconnect joins a failed member again.
      expect(healed).toBe(reconnect);
    },
  );

  it('the same seed gives the same run; another seed another', async () => {
    const spec = { detector: 'lifeguard' as const, members: 30, seed: 5, durationMs: 120_000, crashes: { everyMs: 20_000, downMs: 10_000 } };
    const a = await runMembership(spec);
    const b = await runMembership(spec);
    expect(b).toEqual(a);
    const c = await runMembership({ ...spec, seed: 6 });
    expect(c).not.toEqual(a);
  });

  it("SWIM's analysis: the mean time to first detection is 1/(1 − e^(−q_f)) protocol periods (within 10%), whatever the size", async () => {
    const expected = swimExpectedPeriods(1); // 1.582 periods: every other member is non-faulty
    for (const members of [10, 100]) {
      const r = await runMembership({ detector: 'swim', members, seed: 11, durationMs: 1_200_000, crashes: { everyMs: 10_000, downMs: 8_000 } });
      expect(r.firstDetections).toBeGreaterThan(100);
      const msg = `${members} members: ${r.firstDetectionMeanPeriods.toFixed(3)} periods measured, ${expected.toFixed(3)} expected (finite-n round-robin: ${roundRobinExpectedPeriods(members, members - 1).toFixed(3)})`;
      expect(Math.abs(r.firstDetectionMeanPeriods - expected) / expected, msg).toBeLessThan(0.1);
    }
  });

  it('Lifeguard cuts false positives caused by slow members by more than an order of magnitude', async () => {
    const base = { members: 50, seed: 3, durationMs: 300_000, slow: { everyMs: 30_000, concurrent: 3, durationMs: 20_000, delayMs: 10_000 } };
    const swim = await runMembership({ ...base, detector: 'swim' });
    const lifeguard = await runMembership({ ...base, detector: 'lifeguard' });
    expect(swim.falsePositives, 'SWIM marks healthy members dead because slow members cannot hear refutations in time').toBeGreaterThan(20);
    expect(lifeguard.falsePositives * 10).toBeLessThan(swim.falsePositives);
  });
});
