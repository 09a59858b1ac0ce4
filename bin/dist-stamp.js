// Whether dist/ (the compiled JavaScript) was built from the sources as they are now.
// Shared by bin/slipway.js (which runs dist/ only when it is current) and scripts/build.mjs
// (which records the stamp). Plain JavaScript: it runs before anything is compiled.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (the folder holding package.json, bin/, src/ and dist/). */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the build writes, and the file it writes last. */
export const DIST = join(ROOT, 'dist');
export const STAMP = join(DIST, 'build-stamp.json');
/** Everything the compiled output is made from. */
const INPUT_DIRS = ['src', 'backends'];
const INPUT_FILES = ['scripts/build.mjs', 'bin/dist-stamp.js', 'package.json'];

/**
 * A fingerprint of the build's inputs: every file's path, size and modification time (as make
 * and git's index do), hashed. Any edit, touch, new or deleted file changes it. Returns
 * undefined when the sources are not there (an installed package ships dist/ alone).
 */
export function sourceFingerprint() {
  if (!existsSync(join(ROOT, 'src'))) return undefined;
  const rows = [];
  const add = (path) => {
    const s = statSync(path);
    rows.push(`${relative(ROOT, path)}\t${s.size}\t${s.mtimeMs}`);
  };
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile()) add(path);
    }
  };
  for (const d of INPUT_DIRS) if (existsSync(join(ROOT, d))) walk(join(ROOT, d));
  for (const f of INPUT_FILES) if (existsSync(join(ROOT, f))) add(join(ROOT, f));
  rows.sort();
  return createHash('sha256').update(rows.join('\n')).digest('hex');
}

/**
 * 'current' when dist/ was built from the sources as they are now (or there are no sources to
 * compare with), 'stale' when a source changed since, 'missing' when dist/ was never (fully) built.
 */
export function distState() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return 'missing';
  }
  const now = sourceFingerprint();
  return now === undefined || now === stamp.fingerprint ? 'current' : 'stale';
}
