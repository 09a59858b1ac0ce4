/**
 * `slipway import alibaba-dlrm` on a hand-written CSV: workloads per app shape, replicas scaled at
 * the trace's creation and deletion times, requests, the per-node cap, the synthesized pools, bad
 * input (exit 2), and a run of the scenario through the control plane.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultDlrmTracesDir } from '../../src/cli/import-alibaba-dlrm.js';
import { DLRM_TRACE_FILE, parseDlrmTrace } from '../../src/dlrm/trace-csv.js';
import { NODE_SHAPES, RDMA_RESOURCE, ROLE_LABEL, dlrmScenario } from '../../src/dlrm/trace-scenario.js';
import { GPU_MILLI_RESOURCE } from '../../src/gpu/trace-scenario.js';
import { MAX_INSTANCES_LABEL } from '../../src/scheduler/plugins/max-instances-per-node/index.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { simulate } from '../../src/run/simulate.js';
import { traceParts } from '../support/trace-parts.js';

const HEADER =
  'instance_sn,role,app_name,cpu_request,cpu_limit,gpu_request,gpu_limit,rdma_request,rdma_limit,memory_request,memory_limit,disk_request,disk_limit,max_instance_per_node,creation_time,scheduled_time,deletion_time';
const cn = (sn: string, app: string, cap: number, c: string, d: string) => `${sn},CN,${app},48,48,0,0,1,1,240.0,240.0,255.0,300.0,${cap},${c},${c},${d}`;
const hn = (sn: string, app: string, cap: number, c: string, d: string) => `${sn},HN,${app},8,8,1,1,25,25,40.0,40.0,85.0,100.0,${cap},${c},${c},${d}`;
const CSV = [
  HEADER,
  cn('i0', 'app_1', 2, '', ''), // alive before the trace and after it
  cn('i1', 'app_1', 2, '', '4000.5'), // deleted 3000 s into the window (rounded to 3001 s)
  cn('i2', 'app_1', 2, '1600', ''), // created 600 s into the window
  cn('i3', 'app_1', 2, '1600.2', '9000'), // created in the same second: one scale to 4
  hn('i4', 'app_1', 8, '', ''), // another shape of the same app (HN)
  hn('i5', 'app_2', -1, '500', '900'), // gone before the window: left out
  hn('i6', 'app_2', -1, '1200', '1300'), // created and deleted within the window
  cn('i7', 'app_3', -1, '9000', ''), // created after the window: left out
].join('\n');

const FROM = 1000;
const WINDOW = 3600;

describe('parseDlrmTrace', () => {
  it('reads every column: vCPU → millicores, GiB → MiB, empty times', () => {
    const rows = parseDlrmTrace(CSV, 't.csv');
    expect(rows).toHaveLength(8);
    expect(rows[0]).toEqual({
      sn: 'i0',
      role: 'CN',
      app: 'app_1',
      request: { cpuMilli: 48_000, memoryMiB: 240 * 1024, diskMiB: 255 * 1024, gpu: 0, rdma: 1 },
      limit: { cpuMilli: 48_000, memoryMiB: 240 * 1024, diskMiB: 300 * 1024, gpu: 0, rdma: 1 },
      maxPerNode: 2,
    });
    expect(rows[1].deletionTime).toBe(4000.5);
    expect(rows[5].maxPerNode).toBeUndefined();
  });

  const badRow = (row: string) => () => parseDlrmTrace(`${HEADER}\n${cn('ok', 'a', 2, '', '')}\n${row}`, 'bad.csv');
  it.each([
    [cn('x', 'a', 2, '', '').replace(',CN,', ',GN,'), 'bad.csv:3: role must be CN or HN, got "GN"'],
    [cn('x', 'a', 2, '', '').replace(',48,48,', ',lots,48,'), 'bad.csv:3: cpu_request must be a number in [0, 100000], got "lots"'],
    [cn('x', 'a', 0, '', ''), 'bad.csv:3: max_instance_per_node must be -1 (no cap) or ≥ 1, got "0"'],
    [cn('x', 'a', 2, '100', '50'), 'bad.csv:3: deletion_time must be ≥ creation_time 100, got "50"'],
    [cn('x', 'a', 2, 'soon', ''), 'bad.csv:3: creation_time must be empty or a number of seconds ≥ 0, got "soon"'],
    [cn('x', 'a', 2, '', '').replace('255.0,300.0', '255.0,200.0'), 'bad.csv:3: disk_limit must be ≥ disk_request 255.0, got "200.0"'],
    [cn('ok', 'a', 2, '', ''), 'bad.csv:3: instance_sn must be unique (it appears twice), got "ok"'],
  ])('rejects a bad row with FILE:LINE, the column and the value (%#)', (row, message) => {
    expect(badRow(row)).toThrow(message);
  });

  it('rejects a missing column', () => {
    expect(() => parseDlrmTrace('instance_sn,role\ni0,CN\n', 'h.csv')).toThrow('h.csv:1: missing column "app_name"');
  });
});

describe('dlrmScenario', () => {
  const s = dlrmScenario(parseDlrmTrace(CSV, 't.csv'), { name: 'dlrm', fromS: FROM, windowS: WINDOW, source: 'test' });
  const scenario = parseScenario(s.yaml, 'dlrm.yaml');
  const doc = parse(s.yaml) as { nodes: { name: string; count: number }[] };

  it('one service per app shape, replicas alive when the window opens', () => {
    expect({ workloads: s.workloads, apps: s.apps, instances: s.instances, alive: s.alive, created: s.created, deleted: s.deleted }).toEqual({
      workloads: 3,
      apps: 2,
      instances: 6,
      alive: 3,
      created: 3,
      deleted: 2,
    });
    expect(scenario.durationMs).toBe(WINDOW * 1000);
    expect(scenario.workloads.map((w) => [w.name, w.replicas, w.at])).toEqual([
      ['app-1-cn-1', 2, 0],
      ['app-1-hn-1', 1, 0],
      ['app-2-hn-1', 0, 0],
    ]);
  });

  it('scale operations at the creation and deletion seconds', () => {
    expect(scenario.operations.map((o) => [o.at / 1000, o.kind === 'scale' ? `${o.workload}=${o.replicas}` : o.kind])).toEqual([
      [200, 'app-2-hn-1=1'],
      [300, 'app-2-hn-1=0'],
      [600, 'app-1-cn-1=4'],
      [3001, 'app-1-cn-1=3'],
    ]);
  });

  it('requests, limits, the cap label and the pool selector', () => {
    const [cnW, hnW, uncapped] = scenario.workloads;
    expect(cnW.containers[0].requests).toMatchObject({ cpu: 48_000, memory: 240 * 2 ** 30, disk: 255 * 2 ** 30, extended: { [RDMA_RESOURCE]: 1 } });
    expect(cnW.containers[0].limits).toMatchObject({ cpu: 48_000, disk: 300 * 2 ** 30 });
    expect(hnW.containers[0].requests.extended).toEqual({ [GPU_MILLI_RESOURCE]: 1000, [RDMA_RESOURCE]: 25 });
    expect(cnW.labels).toEqual({ app: 'app-1', [ROLE_LABEL]: 'CN', [MAX_INSTANCES_LABEL]: '2' });
    expect(hnW.labels[MAX_INSTANCES_LABEL]).toBe('8');
    expect(uncapped.labels[MAX_INSTANCES_LABEL]).toBeUndefined();
    expect(cnW.placement?.nodeSelector).toEqual({ [ROLE_LABEL]: 'CN' });
  });

  it('two pools sized for the peak: CN needs 2 nodes for 4 instances capped at 2 per node', () => {
    expect(doc.nodes.map((n) => [n.name, n.count])).toEqual([
      ['cn-{i:3}', 2],
      ['hn-{i:3}', 1],
    ]);
    expect(scenario.nodes[0].capacity.cpu).toBe(NODE_SHAPES.CN.cpuMilli);
    expect(scenario.nodes[2].capacity.extended).toEqual({ [GPU_MILLI_RESOURCE]: 8000, [RDMA_RESOURCE]: 200 });
    expect(scenario.nodes[2].labels[ROLE_LABEL]).toBe('HN');
    expect(s.pools.CN?.peakInstances).toBe(4);
    const more = dlrmScenario(parseDlrmTrace(CSV, 't.csv'), { name: 'dlrm', fromS: FROM, windowS: WINDOW, nodes: 10, source: 'test' });
    expect((more.pools.CN?.nodes ?? 0) + (more.pools.HN?.nodes ?? 0)).toBe(10);
  });

  it('--apps keeps the busiest apps', () => {
    const one = dlrmScenario(parseDlrmTrace(CSV, 't.csv'), { name: 'dlrm', fromS: FROM, windowS: WINDOW, apps: 1, source: 'test' });
    expect(one.apps).toBe(1);
    expect(parseScenario(one.yaml, 'one.yaml').workloads.map((w) => w.name)).toEqual(['app-1-cn-1', 'app-1-hn-1']);
  });

  it('runs through the reconciler under best-fit: the cap spreads app-1 2-2 over the CN pool', async () => {
    const packed = parseScenario(s.yaml.replace(/^seed: 1$/m, 'seed: 1\nscheduler: best-fit'), 'dlrm.yaml');
    const cnPlaced: Record<string, number> = {};
    const summary = await simulate(packed, {
      onEvent: traceParts((type, f) => {
        if (type === 'instance.scheduled' && f.workload === 'app-1-cn-1') cnPlaced[String(f.node)] = (cnPlaced[String(f.node)] ?? 0) + 1;
      }),
    });
    expect(summary.ok).toBe(true);
    expect(Math.max(...Object.values(cnPlaced))).toBeLessThanOrEqual(2);
    expect(Object.keys(cnPlaced).sort()).toEqual(['cn-001', 'cn-002']);
    const byName = Object.fromEntries(summary.workloads.map((w) => [w.name, w]));
    expect(byName['app-1-cn-1']).toMatchObject({ desired: 3, running: 3, pending: 0 });
    expect(byName['app-2-hn-1']).toMatchObject({ desired: 0, running: 0 });
  });
});

describe('slipway import alibaba-dlrm (CLI)', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, ['bin/slipway.js', 'import', 'alibaba-dlrm', ...args], { encoding: 'utf8', env: { ...process.env, SLIPWAY_DEBUG: '' } });

  it('writes the scenario from --traces DIR', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlrm-'));
    writeFileSync(join(dir, DLRM_TRACE_FILE), CSV);
    const out = join(dir, 'out.yaml');
    const r = cli(['--traces', dir, '--from', '1000s', '--window', '1h', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('3 workloads (shapes of 2 apps)');
    expect(readFileSync(out, 'utf8')).toMatch(/^# Generated by: slipway import alibaba-dlrm --from 16m40s --window 1h\n/);
  });

  it('bad input: one line naming FILE:LINE, the column and the value, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlrm-bad-'));
    writeFileSync(join(dir, DLRM_TRACE_FILE), `${HEADER}\n${cn('i0', 'a', 2, '', '').replace(',CN,', ',XN,')}\n`);
    const r = cli(['--traces', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${join(dir, DLRM_TRACE_FILE)}:2: role must be CN or HN, got "XN"`);
    expect(cli(['--traces', dir, '--nodes', 'many']).status).toBe(2);
    expect(cli(['--traces', join(dir, 'nope')]).status).toBe(2);
  });
});

const real = defaultDlrmTracesDir();
describe.skipIf(!real)('the real DLRM trace (skipped: ../shared/traces/alibaba-dlrm-v2025 is absent)', () => {
  it('parses all 23,871 rows and turns the first 6 h into a loadable scenario', () => {
    const rows = parseDlrmTrace(readFileSync(join(real!, DLRM_TRACE_FILE), 'utf8'), DLRM_TRACE_FILE);
    expect(rows).toHaveLength(23_871);
    expect(new Set(rows.map((r) => r.app)).size).toBe(156);
    const s = dlrmScenario(rows, { name: 'real', fromS: 0, windowS: 6 * 3600, apps: 5, source: 'real' });
    expect(parseScenario(s.yaml, 'real.yaml').workloads.length).toBe(s.workloads);
  });
});
