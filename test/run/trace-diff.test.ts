/** The semantic trace diff behind `slipway replay` and `--check-determinism`. */
import { describe, expect, it } from 'vitest';
import { diffTraces } from '../../src/run/trace-diff.js';

const line = (seq: number, type: string, fields: Record<string, unknown>) => JSON.stringify({ t: seq * 10, seq, type, ...fields });
const base = [
  line(0, 'run.start', { slipway: '0.1.0', scenario: 's', file: 's.yaml', seed: 1, durationMs: 60_000, untilMs: 60_000, scheduler: 'round-robin', document: { name: 's' } }),
  line(1, 'instance.created', { instance: 'web-1', workload: 'web', slot: 0, generation: 1, reason: 'scale-up' }),
  line(2, 'instance.created', { instance: 'web-2', workload: 'web', slot: 1, generation: 1, reason: 'scale-up' }),
  line(3, 'instance.scheduled', { instance: 'web-1', workload: 'web', node: 'n1', attempt: 1 }),
];

describe('diffTraces', () => {
  it('finds nothing in identical traces', () => {
    expect(diffTraces(base, [...base])).toBeUndefined();
  });

  it('names the changed decision, its fields, and the earlier records about the same instance', () => {
    const changed = [...base.slice(0, 3), line(3, 'instance.scheduled', { instance: 'web-1', workload: 'web', node: 'n2', attempt: 1 })];
    const d = diffTraces(base, changed)!;
    expect(d.seq).toBe(3);
    expect(d.summary).toBe('instance.scheduled of web-1 changed: node: "n1" → "n2"');
    expect(d.related.map((r) => r.seq)).toEqual([1]);
    expect(d.context.map((r) => r.seq)).toEqual([0, 1, 2]);
  });

  it('reports a different event type, and runs that end early or go on', () => {
    const other = [...base.slice(0, 3), line(3, 'instance.unschedulable', { instance: 'web-1', workload: 'web', attempt: 1, message: '0/1 nodes are available: 1 Insufficient cpu.', reasons: { 'Insufficient cpu': 1 } })];
    expect(diffTraces(base, other)!.summary).toBe('a different event at record 3: recorded instance.scheduled of web-1 at t=30ms, now instance.unschedulable of web-1 at t=30ms');
    expect(diffTraces(base, base.slice(0, 2))!.summary).toBe('the new run ended early; the recorded run went on with instance.created of web-2 at t=20ms');
    expect(diffTraces(base.slice(0, 2), base)!.summary).toBe('the new run continues after the recorded trace ended: instance.created of web-2 at t=20ms');
  });
});
