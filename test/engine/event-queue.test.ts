import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/engine/event-queue.js';

/** Pops and runs everything, returning the (time, seq) the queue reported for each pop. */
function drainAll(q: EventQueue): Array<[number, number]> {
  const keys: Array<[number, number]> = [];
  for (;;) {
    const fn = q.pop();
    if (fn === null) break;
    keys.push([q.lastTime, q.lastSeq]);
    fn();
  }
  return keys;
}

describe('EventQueue', () => {
  it('is empty initially', () => {
    const q = new EventQueue();
    expect(q.size).toBe(0);
    expect(q.peekTime()).toBe(Infinity);
    expect(q.pop()).toBeNull();
  });

  it('pops a table of pushes with ties in (time, seq) order', () => {
    const pushes: Array<[number, string]> = [
      [5, 'a'],
      [1, 'b'],
      [5, 'c'],
      [0, 'd'],
      [1, 'e'],
      [3, 'f'],
      [5, 'g'],
      [0, 'h'],
      [3, 'i'],
      [1, 'j'],
    ];
    const q = new EventQueue();
    const out: string[] = [];
    pushes.forEach(([t, label], i) => {
      expect(q.push(t, () => out.push(label))).toBe(i);
    });
    expect(q.size).toBe(pushes.length);
    expect(q.peekTime()).toBe(0);
    const keys = drainAll(q);
    expect(out).toEqual(['d', 'h', 'b', 'e', 'j', 'f', 'i', 'a', 'c', 'g']);
    expect(keys).toEqual([
      [0, 3],
      [0, 7],
      [1, 1],
      [1, 4],
      [1, 9],
      [3, 5],
      [3, 8],
      [5, 0],
      [5, 2],
      [5, 6],
    ]);
    expect(q.size).toBe(0);
  });

  it('keeps FIFO order for many events at one instant', () => {
    const q = new EventQueue();
    const out: number[] = [];
    for (let i = 0; i < 500; i++) q.push(7, () => out.push(i));
    drainAll(q);
    expect(out).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('matches a stable sort under random interleaved pushes and pops (with ties)', () => {
    type Op = { kind: 'push'; time: number } | { kind: 'pop' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      // a small time range forces many ties
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 20 }).map((time) => ({ kind: 'push' as const, time })) },
      { weight: 1, arbitrary: fc.double({ min: 0, max: 1e6, noNaN: true }).map((time) => ({ kind: 'push' as const, time })) },
      { weight: 2, arbitrary: fc.constant({ kind: 'pop' as const }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const q = new EventQueue();
        // reference model: a list kept sorted by (time, seq)
        const model: Array<{ time: number; seq: number }> = [];
        let seq = 0;
        const popped: number[] = [];
        const check = (): void => {
          const fn = q.pop();
          if (model.length === 0) {
            expect(fn).toBeNull();
            return;
          }
          model.sort((a, b) => a.time - b.time || a.seq - b.seq);
          const want = model.shift()!;
          expect(fn).not.toBeNull();
          fn!();
          expect(popped[popped.length - 1]).toBe(want.seq);
          expect(q.lastTime).toBe(want.time);
          expect(q.lastSeq).toBe(want.seq);
        };
        for (const o of ops) {
          if (o.kind === 'push') {
            const s = seq++;
            expect(q.push(o.time, () => popped.push(s))).toBe(s);
            model.push({ time: o.time, seq: s });
          } else {
            check();
          }
          expect(q.size).toBe(model.length);
          expect(q.peekTime()).toBe(model.length === 0 ? Infinity : Math.min(...model.map((m) => m.time)));
        }
        while (model.length > 0) check();
        expect(q.pop()).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('grows past its initial capacity of 1024 without losing or reordering events', () => {
    const q = new EventQueue();
    const n = 5000;
    const out: number[] = [];
    // descending times with pairs of ties, so every push sifts and growth happens mid-heap
    for (let i = 0; i < n; i++) q.push(Math.floor((n - i) / 2), () => out.push(i));
    expect(q.size).toBe(n);
    drainAll(q);
    const expected = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => Math.floor((n - a) / 2) - Math.floor((n - b) / 2) || a - b,
    );
    expect(out).toEqual(expected);
    expect(q.size).toBe(0);
  });

  it('keeps working after growth with interleaved pops and pushes', () => {
    const q = new EventQueue();
    const out: number[] = [];
    for (let i = 0; i < 3000; i++) q.push(i % 10, () => out.push(i));
    for (let k = 0; k < 1500; k++) q.pop()!();
    for (let i = 3000; i < 4000; i++) q.push(100 + (i % 3), () => out.push(i));
    while (q.size > 0) q.pop()!();
    const firstTimes = Array.from({ length: 3000 }, (_, i) => i).sort((a, b) => (a % 10) - (b % 10) || a - b);
    const later = Array.from({ length: 1000 }, (_, i) => 3000 + i).sort((a, b) => (a % 3) - (b % 3) || a - b);
    expect(out).toEqual([...firstTimes, ...later]);
  });
});
