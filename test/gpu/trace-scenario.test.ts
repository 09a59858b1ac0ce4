/**
 * A window of the GPU trace as a scenario: it loads with the real loader and runs through the real
 * control plane (pods start at their creation time, stop at their deletion time, GPUs per device).
 */
import { describe, expect, it } from 'vitest';
import type { TracePod } from '../../src/gpu/trace-csv.js';
import { traceScenario } from '../../src/gpu/trace-scenario.js';
import type { GpuNodeSpec } from '../../src/gpu/types.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { simulate } from '../../src/run/simulate.js';
import { traceParts } from '../support/trace-parts.js';

const nodes: GpuNodeSpec[] = [
  { name: 'node-b', cpuMilli: 16_000, memoryMiB: 65_536, gpuCount: 2, model: 'T4' },
  { name: 'node-a', cpuMilli: 16_000, memoryMiB: 65_536, gpuCount: 1, model: 'P100' },
];
const pod = (name: string, creationTime: number, deletionTime: number | undefined, numGpu = 1, gpuMilli = 500): TracePod => ({
  name,
  cpuMilli: 2000,
  memoryMiB: 4096,
  numGpu,
  gpuMilli,
  gpuSpec: [],
  creationTime,
  deletionTime,
});
const pods = [
  pod('gone-before', 0, 900), // deleted before the window: left out
  pod('alive', 500, 5000), // alive when the window opens at 1000: submitted at 0s, deleted at 4000s
  { ...pod('later', 1600, undefined, 2, 1000), gpuSpec: ['T4', 'V100M16'] }, // created 600 s into the window, never deleted
  pod('cpu-only', 2000, 2500, 0, 0),
  pod('after', 9000, undefined), // created after the window: left out
];

describe('traceScenario', () => {
  const s = traceScenario(nodes, pods, { name: 'gpu-window', fromS: 1000, windowS: 3600, source: 'test' });
  const scenario = parseScenario(s.yaml, 'gpu-window.yaml');

  it('keeps the pods alive in the window, at their offsets, with deletions as operations', () => {
    expect({ nodes: s.nodes, workloads: s.workloads, alive: s.alive, deletions: s.deletions }).toEqual({ nodes: 2, workloads: 3, alive: 1, deletions: 1 });
    expect(scenario.durationMs).toBe(3_600_000);
    expect(scenario.nodes.map((n) => n.name)).toEqual(['node-a', 'node-b']);
    expect(scenario.nodes[1].capacity.extended).toEqual({});
    expect(scenario.nodes.map((n) => n.gpus)).toEqual([{ model: 'P100', count: 1 }, { model: 'T4', count: 2 }]);
    expect(scenario.nodes[1].labels).toEqual({ 'alibabacloud.com/gpu-card-model': 'T4' });
    expect(scenario.workloads.map((w) => [w.name, w.at])).toEqual([
      ['alive', 0],
      ['later', 600_000],
      ['cpu-only', 1_000_000],
    ]);
    const later = scenario.workloads[1].containers[0].requests;
    expect(later.cpu).toBe(2000);
    expect(later.memory).toBe(4096 * 1024 * 1024);
    expect(later.extended).toEqual({});
    expect(scenario.workloads.map((w) => w.gpus)).toEqual([
      { count: 1, milli: 500, models: [] },
      { count: 2, milli: 1000, models: ['T4', 'V100M16'] },
      undefined,
    ]);
    // cpu-only is deleted at 2500 − 1000 s; 'alive' at 5000 s, after the window closes (4600 s); 'later' never
    expect(scenario.operations.map((o) => [o.at, o.kind === 'delete' ? o.workload : o.kind])).toEqual([[1_500_000, 'cpu-only']]);
  });

  it('runs through the control plane: the 2-GPU pod lands on the only node with 2 free devices', async () => {
    const placed: Record<string, string> = {};
    const devices: Record<string, unknown> = {};
    const summary = await simulate(scenario, {
      onEvent: traceParts((type, f) => {
        if (type === 'instance.scheduled') {
          placed[String(f.workload)] = String(f.node);
          devices[String(f.workload)] = f.gpus;
        }
      }),
    });
    expect(summary.ok).toBe(true);
    expect(placed.later).toBe('node-b'); // node-a has 1 GPU only
    // the default profile (the importer's): 'alive' (500 milli) on node-a's device; 'later' takes both of b's
    expect(scenario.scheduler.name).toBe('default');
    expect(placed.alive).toBe('node-a');
    expect(devices).toEqual({ alive: [0], later: [0, 1] });
    const byName = Object.fromEntries(summary.workloads.map((w) => [w.name, w]));
    expect(byName.later.running).toBe(1);
    expect(byName['cpu-only']).toMatchObject({ desired: 0, running: 0, pending: 0 }); // deleted at 1500 s
  });
});
