import { bytes, duration, obj, req, workloadRef } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, seconds } from './fault-definition.js';

/**
 * The workload's containers use `bytesPerMinute` more memory every minute for `duration`; one whose
 * usage exceeds its memory limit is OOM-killed (exit 137, OOMKilled).
 */
export interface MemoryLeak {
  readonly kind: 'memoryLeak';
  readonly workload: string;
  readonly bytesPerMinute: number;
  readonly duration: Millis;
}

/**
 * Memory leak: for `duration`, every running container of the workload uses `bytesPerMinute`
 * more memory each minute (on top of its `sim.memory`). One whose usage passes its memory limit
 * is OOM-killed: exit 137, reason OOMKilled. Containers without a memory limit are never killed.
 */
export const memoryLeak = defineFault({
  kind: 'memoryLeak',
  summary: "the workload's containers use perMinute more memory every minute; past the limit, OOMKilled",
  schema: obj({
    workload: workloadRef,
    perMinute: req(bytes),
    duration: req(duration(true)),
  }),
  load(m, ctx): MemoryLeak {
    ctx.workload(m.workload);
    return { kind: 'memoryLeak', workload: m.workload, bytesPerMinute: m.perMinute, duration: m.duration };
  },
  targeting: 'workload',
  inject(f, _nodes, ctx) {
    const touched = ctx.target.startMemoryLeak(f.workload, f.bytesPerMinute, f.duration);
    ctx.recorder.record('fault.memory_leak', { workload: f.workload, bytesPerMinute: f.bytesPerMinute, duration: f.duration, containers: touched });
  },
  backends: ['sim'],
  fuzz: (d) => ({ workload: d.workload, perMinute: `${1 + d.p * 4}Mi`, duration: seconds(d.durationS) }),
});
