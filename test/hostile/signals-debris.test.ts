/**
 * Issue #19 items 2 and 8 on simulated runs: SIGTERM (what `timeout`, systemd and `docker stop`
 * send) and SIGINT stop the run cleanly with exit 143/130; nothing is left behind (the trace's
 * temporary used to stay as `trace.jsonl.tmp-PID`), and the previous run's outputs are untouched
 * (never a new trace beside an old report).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { slipway } from './cli.js';

/** Starts a long simulated run; sends `sig` once it has started writing; resolves with its outcome. */
function interrupt(args: string[], sig: NodeJS.Signals, marker: RegExp): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/slipway.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let sent = false;
    const out = args[args.indexOf('--out') + 1];
    const poll = setInterval(() => {
      // Wait until the trace's temporary exists: the run is under way.
      let files: string[] = [];
      try {
        files = readdirSync(out);
      } catch {
        /* not yet */
      }
      if (!sent && files.some((f) => marker.test(f))) {
        sent = true;
        child.kill(sig);
      }
    }, 50);
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, stderr });
    });
  });
}

describe('a simulated run stopped by a signal', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s: exit %i, one line, no temporary left, the previous outputs untouched', async (sig, code) => {
    const out = mkdtempSync(join(tmpdir(), 'slipway-signal-'));
    const first = slipway(['run', 'scenarios/steady-service.yaml', '--out', out]);
    expect(first.code).toBe(0);
    const before = Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
    const r = await interrupt(['run', 'scenarios/large-1000-nodes.yaml', '--out', out], sig, /^trace\.jsonl\..*tmp/);
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(`${sig}: stopping the simulation`);
    expect(r.stderr).toMatch(new RegExp(`interrupted \\(${sig}\\) .*no output written\\n$`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const after = Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
    expect(after).toEqual(before);
  });
});
