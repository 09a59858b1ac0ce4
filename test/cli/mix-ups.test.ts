/**
 * A file of the wrong kind (a snapshot given to run, a scenario given to explain without --at, a
 * trace given to either) is named as such, one line, exit 2, instead of the first field the
 * command's own schema does not know.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/slipway.js');
const SNAPSHOT = 'examples/explain/least-allocated.yaml';
let trace: string;

function slipway(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-mixup-'));
  trace = join(dir, 'trace.jsonl');
  // The first record of every trace `slipway run` writes.
  writeFileSync(trace, `${JSON.stringify({ t: 0, seq: 0, type: 'run.start', file: 'x.yaml', seed: 1, durationMs: 60000, untilMs: 60000, scheduler: 'default', document: {} })}\n`);
});

describe('files of the wrong kind', () => {
  it.each([
    ['run', [SNAPSHOT], `${SNAPSHOT}: this is an explain snapshot, not a scenario: slipway explain ${SNAPSHOT} reads it (without --at and --workload)`],
    ['validate', [SNAPSHOT], `${SNAPSHOT}: this is an explain snapshot, not a scenario`],
    ['explain', [SNAPSHOT, '--at', '1m', '--workload', 'web'], `${SNAPSHOT}: this is an explain snapshot, not a scenario`],
    // a scenario of manifests has no workloads: key, and used to fail with "missing required key nodes"
    ['explain', ['scenarios/kubernetes-manifests.yaml'], 'scenarios/kubernetes-manifests.yaml: this is a scenario, not a snapshot: explain it at a point of its run with --at DURATION --workload NAME'],
    ['explain', ['scenarios/default.yaml'], 'scenarios/default.yaml: this is a scenario, not a snapshot'],
  ])('%s %j names the mix-up', (command, args, message) => {
    const r = slipway(command, ...args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });

  it('a trace given to run or explain says it is a trace and how to re-run it', () => {
    for (const command of ['run', 'explain']) {
      const r = slipway(command, trace);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(`${trace}: this is a trace, not a ${command === 'run' ? 'scenario' : 'snapshot'}: slipway replay ${trace} re-runs it (diff, export read it too)`);
    }
  });
});
