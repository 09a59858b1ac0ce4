/**
 * An unusable output path (`--out` under a regular file, onto a folder, in a read-only folder) is
 * bad input: one line naming the flag, the value and the reason, exit 2, no replay line, and no
 * work done first. Real child processes, as a user runs them.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

function slipway(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/slipway.js', ...args], { encoding: 'utf8', env: { ...process.env, SLIPWAY_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
let file: string;
let traces: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-out-'));
  file = join(dir, 'regular-file');
  writeFileSync(file, 'x\n');
  traces = join(dir, 'traces');
  mkdirSync(traces);
  writeFileSync(join(traces, 'openb_node_list_gpu_node.csv'), 'sn,cpu_milli,memory_mib,gpu,model\nnode-0,32000,131072,2,T4\n');
  writeFileSync(join(traces, 'openb_pod_list_default.csv'), 'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec\npod-0,2000,4096,1,1000,\n');
});

function expectBadOut(r: ReturnType<typeof slipway>, value: string, reason: string) {
  expect(r.stderr).toBe(`--out ${value}: ${reason}\n`);
  expect(r.code).toBe(2);
  expect(r.stdout).not.toContain('replay');
}

describe('an unusable --out is bad input (exit 2, one line)', () => {
  it('run: a folder under a regular file', () => {
    const out = join(file, 'sub');
    expectBadOut(slipway('run', 'scenarios/crash-loop-backoff.yaml', '--out', out), out, `not a directory: ${file}`);
  });

  it('compare: the folder is a regular file', () => {
    expectBadOut(slipway('compare', 'scenarios/default.yaml', '--policies', 'round-robin', '--seeds', '1', '--out', file), file, `not a directory: ${file}`);
  });

  it('experiment fgd: a folder two levels under a regular file', () => {
    const out = join(file, 'a', 'b');
    const r = slipway('experiment', 'fgd', '--workload', 'default', '--traces', traces, '--seeds', '1', '--policies', 'fgd', '--workers', '1', '--out', out);
    expectBadOut(r, out, `not a directory: ${file}`);
  });

  it('import alibaba-gpu: a file under a regular file, and a file that is a folder', () => {
    const out = join(file, 'x.yaml');
    expectBadOut(slipway('import', 'alibaba-gpu', '--workload', 'default', '--traces', traces, '--window', '1h', '--out', out), out, `not a directory: ${file}`);
    expectBadOut(slipway('import', 'alibaba-gpu', '--workload', 'default', '--traces', traces, '--window', '1h', '--out', traces), traces, `is a directory: ${traces}`);
  });

  it.skipIf(process.getuid?.() === 0)('run: a read-only folder', () => {
    const ro = join(dir, 'read-only');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    const out = join(ro, 'sub');
    expectBadOut(slipway('run', 'scenarios/crash-loop-backoff.yaml', '--out', out), out, `permission denied: ${out}`);
  });
});
