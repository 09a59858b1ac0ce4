/**
 * Module locations that work both from the TypeScript sources (src/, run through tsx or vitest)
 * and from the compiled output (dist/src/, what bin/slipway.js runs): the two trees have the same
 * shape, one level apart, with .ts files in one and .js files in the other.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The module `name` (no extension) in the folder of the module at `base` (its import.meta.url),
 * with the caller's own extension: `./worker.ts` beside a .ts caller, `./worker.js` beside a
 * compiled one. For worker entries, which are loaded by URL rather than imported.
 */
export function siblingModule(name: string, base: string): URL {
  const ext = new URL(base).pathname.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, base);
}

/** Slipway's package root (the folder holding package.json), from src/ or dist/src/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}
