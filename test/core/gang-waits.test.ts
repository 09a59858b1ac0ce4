/** The gang timeout timer: from the first currently-waiting member, re-armed when members leave. */
import { describe, expect, it } from 'vitest';
import { GangWaits } from '../../src/core/gang-waits.js';
import type { Instance } from '../../src/core/types.js';
import { Simulation } from '../../src/engine/simulation.js';

function inst(id: string, waitingSince: number): Instance {
  return { id, workloadId: 'w', workloadName: 'w', slot: 0, generation: 1, status: 'Pending', containers: [], createdAt: 0, attempts: 1, waitingSince };
}

describe('GangWaits', () => {
  it('times out timeoutMs after the first member still waiting started; a leaving first member moves the deadline', async () => {
    const sim = new Simulation(1);
    const fired: Array<[number, string[]]> = [];
    const waits = new GangWaits(sim, (gang) => fired.push([sim.now(), waits.take(gang).map((i) => i.id)]));
    const a = inst('a', 0);
    const b = inst('b', 10_000);
    sim.at(0, () => expect(waits.add('g', a, 60_000)).toBe(60_000));
    // A second member does not move the deadline: it counts from the first one waiting.
    sim.at(10_000, () => expect(waits.add('g', b, 60_000)).toBe(60_000));
    // The first leaves (stopped): the deadline is now b's start + timeout = 70 s.
    sim.at(20_000, () => waits.remove('g', a));
    await sim.run({ until: 200_000 });
    expect(fired).toEqual([[70_000, ['b']]]);
  });

  it('taking every member (the gang bound) cancels the timer', async () => {
    const sim = new Simulation(1);
    const fired: number[] = [];
    const waits = new GangWaits(sim, () => fired.push(sim.now()));
    sim.at(0, () => waits.add('g', inst('a', 0), 1000));
    sim.at(500, () => expect(waits.take('g').map((i) => i.id)).toEqual(['a']));
    // Waiting again later starts a new timeout from the new first member.
    sim.at(2000, () => waits.add('g', inst('b', 2000), 1000));
    await sim.run({ until: 10_000 });
    expect(fired).toEqual([3000]);
  });
});
