/**
 * How `slipway` starts: bin/slipway.js runs the compiled JavaScript in dist/ only while it was
 * built from the sources as they are now (a stale build must never silently run old code), and
 * each command loads only its own modules (`--help` and `validate` load no dockerode, esbuild,
 * d3 or tsx). Checked on a private copy of the package, built here with scripts/build.mjs, so
 * editing its sources cannot disturb other tests.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '../..');
const MODULE_LOG = join(REPO, 'test/fixtures/module-log/register.mjs');
let pkg: string;

function slipway(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(pkg, 'bin/slipway.js'), ...args], {
    cwd: pkg,
    encoding: 'utf8',
    env: { ...process.env, SLIPWAY_FROM_SOURCE: '', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function build() {
  const r = spawnSync(process.execPath, [join(pkg, 'scripts/build.mjs'), '--no-types'], { cwd: pkg, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}

/** The package names a command's process resolved (node_modules/NAME/...), and whether it ran dist/ or src/. */
function modulesOf(args: string[]): { packages: Set<string>; fromDist: boolean; fromSource: boolean } {
  const log = join(pkg, 'modules.log');
  rmSync(log, { force: true });
  const r = spawnSync(process.execPath, ['--import', MODULE_LOG, join(pkg, 'bin/slipway.js'), ...args], {
    cwd: pkg,
    encoding: 'utf8',
    env: { ...process.env, SLIPWAY_FROM_SOURCE: '', MODULE_LOG: log },
  });
  expect(r.status, r.stderr).toBe(0);
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const packages = new Set(urls.map((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((p): p is string => p !== undefined));
  return {
    packages,
    fromDist: urls.some((u) => u.includes('/dist/src/cli/main.js')),
    fromSource: urls.some((u) => u.includes('/src/cli/main.ts')),
  };
}

beforeAll(() => {
  pkg = mkdtempSync(join(tmpdir(), 'slipway-startup-'));
  for (const p of ['src', 'backends', 'bin', 'scripts', 'scenarios', 'package.json', 'tsconfig.json']) {
    cpSync(join(REPO, p), join(pkg, p), { recursive: true });
  }
  symlinkSync(join(REPO, 'node_modules'), join(pkg, 'node_modules'));
  build();
});

afterAll(() => rmSync(pkg, { recursive: true, force: true }));

describe('slipway starts from compiled JavaScript', () => {
  it('--help and validate load only what they need: no dockerode, esbuild, d3 or tsx', () => {
    for (const args of [['--help'], ['--version'], ['validate', 'scenarios/default.yaml']]) {
      const m = modulesOf(args);
      expect(m.fromDist, args.join(' ')).toBe(true);
      expect(m.fromSource).toBe(false);
      for (const heavy of ['dockerode', 'esbuild', 'd3', 'tsx', 'cli-progress', 'jstat']) {
        expect([...m.packages], `${args.join(' ')} loads ${heavy}`).not.toContain(heavy);
      }
      // --help and --version need no scenario schema either
      if (args[0] !== 'validate') expect([...m.packages], `${args.join(' ')} loads zod`).not.toContain('zod');
    }
  });

  it('runs dist/ while it matches the sources', () => {
    // Change the compiled file only: the output shows that dist/ is what ran.
    const compiled = join(pkg, 'dist/src/version.js');
    writeFileSync(compiled, readFileSync(compiled, 'utf8').replace(/SLIPWAY_VERSION = "[^"]*"/, 'SLIPWAY_VERSION = "0.0.0-compiled"'));
    const r = slipway(['--version']);
    expect(r.stdout.trim()).toBe('0.0.0-compiled');
  });

  it('worker threads start from dist/ too (run --check-determinism)', () => {
    const r = slipway(['run', 'scenarios/steady-service.yaml', '--until', '2m', '--check-determinism', '--allow-unchecked', '--out', join(pkg, 'out-det')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/determinism: .*identical/i);
  });

  it('a source edited after the build runs from the sources, never the old build', () => {
    const source = join(pkg, 'src/version.ts');
    writeFileSync(source, readFileSync(source, 'utf8').replace(/SLIPWAY_VERSION = '[^']*'/, "SLIPWAY_VERSION = '0.0.0-edited'"));
    expect(slipway(['--version']).stdout.trim()).toBe('0.0.0-edited');
    expect(modulesOf(['--version']).fromSource).toBe(true);
  });

  it('a new source file makes the build stale as well; building again makes it current', () => {
    build();
    expect(modulesOf(['--version']).fromDist).toBe(true);
    writeFileSync(join(pkg, 'src/added.ts'), 'export const added = 1;\n');
    expect(modulesOf(['--version']).fromSource).toBe(true);
    build();
    expect(modulesOf(['--version']).fromDist).toBe(true);
  });

  it('without dist/ it runs the sources', () => {
    rmSync(join(pkg, 'dist'), { recursive: true });
    const r = slipway(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('0.0.0-edited');
  });
});
