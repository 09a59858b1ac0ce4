/**
 * One signal path (issue #11.3, docs/architecture.md#signals): only src/cli/signals.ts installs
 * SIGINT/SIGTERM handlers; everything else (run, serve, the pool's commands, worker, watch) takes
 * its AbortSignal. A second path is how a listener got removed inside a handler while
 * write-file-atomic's signal-exit listened, and the process died by the signal.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const HANDLER = /process\s*\.\s*(on|once|addListener|prependListener|prependOnceListener)\s*\(\s*['"`]SIG(INT|TERM)['"`]/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|js)$/.test(p) ? [p] : [];
  });
}

describe('signal handlers', () => {
  it('are installed only by src/cli/signals.ts', () => {
    const found = ['src', 'backends'].flatMap((d) => files(join(ROOT, d))).filter((f) => HANDLER.test(readFileSync(f, 'utf8')));
    expect(found.map((f) => f.slice(ROOT.length + 1)).sort()).toEqual(['src/cli/signals.ts']);
  });

  it('the check sees a handler', () => {
    expect(HANDLER.test("process.once('SIGINT', () => stop.abort());")).toBe(true);
    expect(HANDLER.test('process.on("SIGTERM", onTerm)')).toBe(true);
    expect(HANDLER.test("process.emit('SIGTERM')")).toBe(false);
  });
});
