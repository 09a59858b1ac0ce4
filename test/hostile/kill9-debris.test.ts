/**
 * Issue #19: a run killed with `kill -9` runs no exit handler, so its staged trace
 * (`trace.jsonl.run-PID-1` and the writer's `.tmp-PID-2` inside it) stays in the output folder.
 * The next command writing the same file removes temporaries whose process is gone, and leaves
 * those of a live process alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeStaleTemporaries, writeFileDurable } from '../../src/engine/durable-file.js';
import { expectNoStack, slipway } from './cli.js';

const TEMP = /\.(tmp|run|probe)-\d+-\d+/;
const dirs: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Starts a long simulated run, SIGKILLs it once its trace temporary exists; resolves with its pid. */
function killMidWrite(out: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/slipway.js', 'run', 'scenarios/large-1000-nodes.yaml', '--out', out], { stdio: 'ignore' });
    let sent = false;
    const poll = setInterval(() => {
      let files: string[] = [];
      try {
        files = readdirSync(out);
      } catch {
        /* not yet */
      }
      if (!sent && files.some((f) => /^trace\.jsonl\.run-.*\.tmp-/.test(f))) {
        sent = true;
        child.kill('SIGKILL');
      }
    }, 50);
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearInterval(poll);
      if (signal !== 'SIGKILL') reject(new Error(`the run ended by itself (${signal ?? 'exit'}) before it was killed`));
      else resolve(child.pid!);
    });
  });
}

describe('temporaries left by kill -9', () => {
  it('the next run into the same folder removes them; a live process\'s temporary stays', async () => {
    const out = tmp('slipway-kill9-');
    const pid = await killMidWrite(out);
    const debris = readdirSync(out).filter((f) => TEMP.test(f));
    // why: the kill left the staged trace behind (nothing ran to remove it)
    expect(debris.length).toBeGreaterThan(0);
    expect(debris.every((f) => f.includes(`-${pid}-`))).toBe(true);
    // A temporary of a process that is alive (this test's): another writer's work in progress.
    const live = `summary.json.tmp-${process.pid}-7`;
    writeFileSync(join(out, live), 'in progress');

    const r = slipway(['run', 'scenarios/steady-service.yaml', '--out', out]);
    expectNoStack(r);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['report.html', 'summary.json', 'trace.jsonl', live].sort());
  }, 120_000);

  it('writeFileDurable (state files, export, bundles) removes a dead process\'s temporaries of that file only', () => {
    const dir = tmp('slipway-stale-');
    const dead = spawnDeadPid();
    const stale = [`state.json.tmp-${dead}-3`, `state.json.run-${dead}-1.tmp-${dead}-2`];
    for (const f of stale) writeFileSync(join(dir, f), '{');
    mkdirSync(join(dir, `state.json.tmp-${dead}-4`)); // a folder of that name goes too
    const other = [`other.json.tmp-${dead}-1`, `state.json.tmp-${process.pid}-999999`, 'state.json.tmp-x-1', 'state.json.bak'];
    for (const f of other) writeFileSync(join(dir, f), 'keep');
    writeFileDurable(join(dir, 'state.json'), '{}\n');
    expect(readdirSync(dir).sort()).toEqual(['state.json', ...other].sort());
    // Nothing else to remove the second time; a missing folder is no error.
    expect(removeStaleTemporaries(join(dir, 'state.json'))).toEqual([]);
    expect(removeStaleTemporaries(join(dir, 'missing', 'x.json'))).toEqual([]);
  });
});

/**
 * The PID of a process that has exited: spawnSync reaps the child before returning, so
 * `kill(pid, 0)` fails with ESRCH (a PID can be reused, but not this quickly).
 */
function spawnDeadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}
