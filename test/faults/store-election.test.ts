/**
 * `storeElection` (src/faults/store-election.ts): the simulated store loses its raft leader, as
 * etcd does when the member that leads is killed. The control plane's leader keeps alive every
 * ttl/10 and retries a refused keep-alive after ttl/20 (src/store/election.ts), so it rides through
 * 3 s elections, the slowest measured live (bench ha --member-kills); with a keep-alive every ttl/3
 * (etcd's clients' period) the same elections depose it, safely but needlessly. CI met that live:
 * one etcd member killed, the replica's deadline passed mid-election, a write answered 503.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { simulate } from '../../src/run/simulate.js';
import { traceParts } from '../support/trace-parts.js';

const FILE = 'scenarios/ha-store-election.yaml';

async function run(text: string) {
  const cp: Array<{ type: string; reason?: unknown; t: number }> = [];
  let elections = 0;
  const r = await simulate(parseScenario(text, FILE), {
    onEvent: traceParts((type, f, t) => {
      if (type.startsWith('cp.')) cp.push({ type, reason: f.reason, t });
      if (type === 'fault.store_election' && f.applied === true) elections++;
    }),
  });
  return { r, cp, elections };
}

describe('the store elects a new raft leader (storeElection)', () => {
  it('ten 3 s elections at different moments of the keep-alive period: the leader never steps down, and the update and scale made during them finish', async () => {
    const { r, cp, elections } = await run(readFileSync(FILE, 'utf8'));
    expect(elections).toBe(10);
    expect(cp.filter((e) => e.type === 'cp.deposed'), `replay: npx slipway run ${FILE}`).toEqual([]);
    expect(cp.filter((e) => e.type === 'cp.elected')).toHaveLength(1);
    expect(r.violation).toBeUndefined();
    expect(r.expectations.every((e) => e.ok)).toBe(true);
  });

  it('with a keep-alive every ttl/3 the same elections depose the leader at its local deadline — needless, but safe: no invariant breaks', async () => {
    const text = readFileSync(FILE, 'utf8').replace('store: {ttl: 5s}', 'store: {ttl: 5s, keepAlive: 1666ms}');
    const { r, cp } = await run(text);
    const deposed = cp.filter((e) => e.type === 'cp.deposed');
    expect(deposed.length).toBeGreaterThan(0);
    expect(deposed.every((e) => e.reason === 'deadline')).toBe(true);
    expect(r.violation).toBeUndefined();
    expect(r.expectations.every((e) => e.ok)).toBe(true);
  });
});
