import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../src/run/simulate.js';
import { readScenario } from '../../src/cli/read-scenario.js';
import { traceParts } from '../support/trace-parts.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-export-'));
const trace = join(dir, 'trace.jsonl');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ev {
  ph: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  name: string;
  s?: string;
  args?: Record<string, unknown>;
}

let scheduled = 0;
beforeAll(async () => {
  await simulate(readScenario('scenarios/default.yaml'), {
    tracePath: trace,
    onEvent: traceParts((type) => {
      if (type === 'instance.scheduled') scheduled++;
    }),
  });
});

describe('slipway export --format perfetto', () => {
  it('writes the Chrome trace event format: a track per node, a slice per instance, faults as instants', () => {
    const r = spawnSync(process.execPath, ['bin/slipway.js', 'export', '--format', 'perfetto', trace], { encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const events = (JSON.parse(r.stdout) as { traceEvents: Ev[] }).traceEvents;
    const processes = events.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.args!.name);
    expect(processes).toEqual([
      'cluster (faults, operations)',
      ...['zone-a-1', 'zone-a-2', 'zone-a-3', 'zone-b-1', 'zone-b-2', 'zone-b-3'].map((n) => `node ${n}`),
    ]);
    const slices = events.filter((e) => e.ph === 'X');
    expect(slices).toHaveLength(scheduled);
    expect(new Set(slices.map((s) => s.name))).toEqual(new Set(['frontend', 'orders', 'nightly-report']));
    // Slices on one lane never overlap (so every viewer draws them).
    const lanes = new Map<string, Ev[]>();
    for (const s of slices) lanes.set(`${s.pid}/${s.tid}`, [...(lanes.get(`${s.pid}/${s.tid}`) ?? []), s]);
    for (const list of lanes.values()) {
      list.sort((a, b) => a.ts! - b.ts!);
      for (let i = 1; i < list.length; i++) expect(list[i].ts!).toBeGreaterThanOrEqual(list[i - 1].ts! + list[i - 1].dur!);
    }
    const crash = events.find((e) => e.ph === 'i' && e.name === 'fault.node_crash zone-a-1')!;
    expect(crash).toMatchObject({ s: 'g', ts: 180_000_000 });
    expect(events.some((e) => e.ph === 'i' && e.name === 'fault.node_boot zone-a-1')).toBe(true);
  });

  it('writes --out atomically and rejects bad input with one line (exit 2)', () => {
    const out = join(dir, 'timeline.json');
    const ok = spawnSync(process.execPath, ['bin/slipway.js', 'export', '--format', 'perfetto', trace, '--out', out], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).traceEvents.length).toBeGreaterThan(100);

    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, readFileSync(trace, 'utf8').split('\n')[0] + '\nnot json\n');
    const r = spawnSync(process.execPath, ['bin/slipway.js', 'export', '--format', 'perfetto', bad], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${bad}:2: not a JSON trace record (the trace is cut short or corrupt): "not json"\n`);
    const f = spawnSync(process.execPath, ['bin/slipway.js', 'export', '--format', 'svg', trace], { encoding: 'utf8' });
    expect(f.status).toBe(2);
    expect(f.stderr).toBe('--format: unknown format "svg" (known: perfetto)\n');
    const typo = spawnSync(process.execPath, ['bin/slipway.js', 'export', '--format', 'Perfeto', trace], { encoding: 'utf8' });
    expect(typo.stderr).toBe('--format: unknown format "Perfeto"; did you mean "perfetto"? (known: perfetto)\n');
  });
});
