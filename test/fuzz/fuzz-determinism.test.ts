/** A fuzz run is a function of its seed: worker threads and the main thread give the same outcomes. */
import { describe, expect, it } from 'vitest';
import { caseFromSeed, caseYaml } from '../../src/fuzz/case.js';
import { fuzz, runSeed } from '../../src/fuzz/fuzz.js';

describe('fuzz determinism', () => {
  it('the same root seed gives the same runs in worker threads and in-process', async () => {
    const inThreads = await fuzz({ runs: 6, seed: 9, profile: 'tiny', workers: 2, shrink: false });
    const inProcess = await fuzz({ runs: 6, seed: 9, profile: 'tiny', workers: 0, shrink: false });
    expect(inThreads.events).toBe(inProcess.events);
    expect(inThreads.coverage).toEqual(inProcess.coverage);
    expect(inThreads.failed).toBe(0);
  }, 120_000);

  it('a case seed always expands to the same case and YAML', () => {
    const seed = runSeed(1, 17);
    expect(caseYaml(caseFromSeed(seed, 'small'), 'small', 'x')).toBe(caseYaml(caseFromSeed(seed, 'small'), 'small', 'x'));
    expect(caseFromSeed(seed, 'small')).not.toEqual(caseFromSeed(runSeed(1, 18), 'small'));
  });
});
