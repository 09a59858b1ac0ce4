/**
 * Issue #19 item 9: output paths that pass a naive pre-check and fail later. `export --out` to a
 * FIFO, a device or a folder that refuses new files used to crash with an unhandled 'error'
 * event (a stack trace), or — as root — rename its temporary over the device itself;
 * `explain --snapshot-out` under a path whose folder is a file exited 1 with a raw EEXIST. Each is
 * one line now: exit 2 for a bad path (before any work), exit 1 for an I/O failure.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoStack, slipway } from './cli.js';

const SCENARIO = 'scenarios/steady-service.yaml';
let dir: string;
let trace: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-outpaths-'));
  const r = slipway(['run', SCENARIO, '--out', join(dir, 'run')]);
  expect(r.code).toBe(0);
  trace = join(dir, 'run', 'trace.jsonl');
});

/** One line on stderr, nothing on stdout, no stack, the exit code given. */
function expectOneLine(r: ReturnType<typeof slipway>, code: number, pattern: RegExp): void {
  expectNoStack(r);
  expect(r.code).toBe(code);
  const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.includes(': warning: '));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

/** No temporary or probe file left beside the outputs. */
function expectNoDebris(folder: string): void {
  expect(readdirSync(folder).filter((f) => /\.(tmp|probe)-\d+/.test(f))).toEqual([]);
}

describe('export --out to a path that is not a file it can write', () => {
  it('a FIFO: exit 2, one line, the FIFO left as it was', () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = slipway(['export', trace, '--out', fifo]);
    expectOneLine(r, 2, /^--out .*fifo: not a regular file \(a FIFO\)/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expectNoDebris(dir);
  });

  it('a link to a device (/dev/full): exit 2, the link not replaced by a regular file', () => {
    const link = join(dir, 'full');
    symlinkSync('/dev/full', link);
    const r = slipway(['export', trace, '--out', link]);
    expectOneLine(r, 2, /^--out .*full: not a regular file \(a character device\)/);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expectNoDebris(dir);
  });

  it('a folder: exit 2, one line', () => {
    mkdirSync(join(dir, 'folder'));
    expectOneLine(slipway(['export', trace, '--out', join(dir, 'folder')]), 2, /^--out .*folder: is a directory/);
  });

  it('a folder that refuses new files (/proc): exit 2 naming it, not an unhandled stream error', () => {
    if (!existsSync('/proc/version')) return; // Linux only: no /proc to refuse
    expectOneLine(slipway(['export', trace, '--out', '/proc/version']), 2, /^--out \/proc\/version: cannot create a file in \/proc/);
  });

  it('stdout on a full device: exit 1, "no space left", no stack', () => {
    if (!existsSync('/dev/full')) return; // Linux only
    const fd = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, ['bin/slipway.js', 'export', trace], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      const res = { code: r.status, signal: r.signal, stdout: '', stderr: r.stderr };
      expectOneLine(res, 1, /^no space left on the device writing stdout$/);
    } finally {
      closeSync(fd);
    }
  });

  it('a plain file still works: the whole Perfetto JSON, no temporary left', () => {
    const out = join(dir, 'trace.perfetto.json');
    expect(slipway(['export', trace, '--out', out]).code).toBe(0);
    expect(() => JSON.parse(readFileSync(out, 'utf8'))).not.toThrow();
    expectNoDebris(dir);
  });
});

describe('explain --snapshot-out', () => {
  const explain = (out: string) => slipway(['explain', 'scenarios/kubernetes-manifests.yaml', '--at', '1m', '--workload', 'web', '--snapshot-out', out]);

  it('under a path whose folder is a file (EEXIST): exit 2, one line naming the file in the way', () => {
    const file = join(dir, 'plain.yaml');
    writeFileSync(file, 'x\n');
    expectOneLine(explain(join(file, 'snap.yaml')), 2, /^--snapshot-out .*plain\.yaml\/snap\.yaml: not a directory: .*plain\.yaml$/);
    expect(readFileSync(file, 'utf8')).toBe('x\n');
  });

  it('onto a folder: exit 2 before the simulation, one line', () => {
    mkdirSync(join(dir, 'snapdir'));
    expectOneLine(explain(join(dir, 'snapdir')), 2, /^--snapshot-out .*snapdir: is a directory/);
  });

  it('onto an existing file: replaced whole by the snapshot (explain reads it back)', () => {
    const file = join(dir, 'old-snap.yaml');
    writeFileSync(file, 'old\n');
    expect(explain(file).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^# slipway explain snapshot: /);
    expect(slipway(['explain', file]).code).toBe(0);
    expectNoDebris(dir);
  });
});
