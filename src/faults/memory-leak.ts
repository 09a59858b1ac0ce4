import type { Fault } from '../scenario/types.js';
import type { FaultContext } from './fault-target.js';

type MemoryLeak = Extract<Fault, { kind: 'memoryLeak' }>;

/**
 * Memory leak: for `duration`, every running container of the workload uses `bytesPerMinute`
 * more memory each minute (on top of its `sim.memory`). One whose usage passes its memory limit
 * is OOM-killed: exit 137, reason OOMKilled. Containers without a memory limit are never killed.
 */
export function injectMemoryLeak(f: MemoryLeak, ctx: FaultContext): void {
  const touched = ctx.target.startMemoryLeak(f.workload, f.bytesPerMinute, f.duration);
  ctx.recorder.record('fault.memory_leak', { workload: f.workload, bytesPerMinute: f.bytesPerMinute, duration: f.duration, containers: touched });
}
