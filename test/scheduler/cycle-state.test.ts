/**
 * CycleState's typed slots (kube-scheduler's StateKey + the type assertion on Read): a value comes
 * back only through the key object that wrote it, and a required slot that was not written is a
 * CycleStateError naming it, never `undefined` flowing on into a plugin.
 */
import { describe, expect, it } from 'vitest';
import { CycleState, CycleStateError, StateKey } from '../../src/scheduler/framework/types.js';

describe('CycleState', () => {
  const counts = new StateKey<Map<string, number>>('Mine');

  it('gives back what was written under the same key, and undefined for an empty slot', () => {
    const s = new CycleState();
    expect(s.read(counts)).toBeUndefined();
    const m = new Map([['zone-a', 2]]);
    s.write(counts, m);
    expect(s.read(counts)).toBe(m);
    expect(s.require(counts)).toBe(m);
    s.delete(counts);
    expect(s.read(counts)).toBeUndefined();
  });

  it('refuses a read through another key of the same name (two plugins sharing a name)', () => {
    const s = new CycleState();
    s.write(counts, new Map());
    const other = new StateKey<number[]>('Mine');
    expect(() => s.read(other)).toThrow(CycleStateError);
    expect(() => s.read(other)).toThrow('cycle state "Mine" was written with another StateKey of that name (two plugins share a key name)');
  });

  it('require names the slot its PreFilter should have written', () => {
    expect(() => new CycleState().require(counts)).toThrow('cycle state "Mine" was not written this cycle (its PreFilter/PreScore did not run)');
  });

  it('keys carry their type: writing a value of another type does not compile', () => {
    const s = new CycleState();
    // @ts-expect-error a number[] is not a Map<string, number>
    s.write(counts, [1, 2]);
    const n: Map<string, number> | undefined = new CycleState().read(counts);
    expect(n).toBeUndefined();
  });
});
