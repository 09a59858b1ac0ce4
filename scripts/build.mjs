#!/usr/bin/env node
// Compiles Slipway to JavaScript in dist/ (run by `npm install` and `npm ci` through the
// `prepare` script, and by `npm test` through `pretest`):
//   - esbuild transpiles every .ts file of src/ and backends/ one to one (no bundling, so each
//     command's modules still load only when it runs, and worker files keep their paths);
//   - other files there (the report's client script and CSS, the worker bootstrap) are copied;
//   - tsc writes the .d.ts files of the library entry points (src/index.ts, src/testing.ts);
//     `--no-types` skips this (the CLI does not need them);
//   - dist/build-stamp.json records a fingerprint of the inputs, taken before they are read:
//     bin/slipway.js runs dist/ only while the fingerprint still matches.
// `--out DIR` builds into DIR instead of dist/.
// The output is built in a temporary folder and renamed into place, so a concurrent
// `slipway` sees either the old dist/ or the new one, never half of one.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { DIST, ROOT, STAMP, sourceFingerprint } from '../bin/dist-stamp.js';

const withTypes = !process.argv.includes('--no-types');
// `--out DIR`: build there instead of dist/ (test/library stages a package without touching dist/).
const outAt = process.argv.indexOf('--out');
const OUT = outAt > 0 && process.argv[outAt + 1] ? resolve(process.argv[outAt + 1]) : DIST;
const started = performance.now();
const fingerprint = sourceFingerprint();
const tmp = `${OUT}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });

const files = [];
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) walk(path);
    else if (e.isFile()) files.push(path);
  }
};
for (const d of ['src', 'backends']) walk(join(ROOT, d));

const ts = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
try {
  await build({
    entryPoints: ts,
    outdir: tmp,
    outbase: ROOT,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    tsconfig: join(ROOT, 'tsconfig.json'),
  });
  for (const f of files.filter((f) => !f.endsWith('.ts'))) {
    const to = join(tmp, relative(ROOT, f));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(f, to);
  }
  if (withTypes && existsSync(join(ROOT, 'tsconfig.build.json'))) {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', tmp], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('tsc (declarations) failed');
  }
  writeFileSync(join(tmp, 'build-stamp.json'), JSON.stringify({ fingerprint, files: ts.length }) + '\n');
  const old = `${OUT}.old.tmp-${process.pid}`;
  if (existsSync(OUT)) renameSync(OUT, old);
  renameSync(tmp, OUT);
  rmSync(old, { recursive: true, force: true });
} catch (e) {
  rmSync(tmp, { recursive: true, force: true });
  process.stderr.write(`build: ${e instanceof Error ? e.message : e}\n`);
  process.exit(1);
}
process.stdout.write(`build: ${ts.length} modules to ${relative(process.cwd(), OUT) || '.'}${withTypes ? ' (with .d.ts)' : ''} in ${Math.round(performance.now() - started)} ms; ${relative(process.cwd(), join(OUT, relative(DIST, STAMP)))} written\n`);
