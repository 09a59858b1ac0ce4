/**
 * DESIGN.md rule 1, enforced: outside `src/engine/` (and the live backends and the CLI), no code
 * reads real time or real randomness, sets real timers, or does I/O. Time comes from a Clock,
 * randomness from a named seeded stream, identifiers from an IdSource.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** DESIGN.md's deterministic folders. */
const DETERMINISTIC_DIRS = ['src/core', 'src/scheduler', 'src/check', 'src/faults', 'src/scenario', 'src/gpu', 'src/run', 'backends/sim', 'src/membership'];

const FORBIDDEN: Array<[RegExp, string]> = [
  [/\bDate\.now\s*\(/, 'Date.now()'],
  [/\bnew Date\s*\(\s*\)/, 'new Date()'],
  [/\bMath\.random\s*\(/, 'Math.random()'],
  [/\b(setTimeout|setInterval|setImmediate)\s*\(/, 'real timers'],
  [/\bperformance\.now\s*\(/, 'performance.now()'],
  [/\bhrtime\b/, 'process.hrtime'],
  [/\brandomUUID\b|\brandomBytes\b|\bgetRandomValues\b/, 'crypto randomness'],
  [/from ['"](node:)?(fs|fs\/promises|child_process|net|http|https|dgram|worker_threads)['"]/, 'I/O modules'],
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Lines of code with comments removed (a comment may name what it avoids). */
function codeLines(text: string): string[] {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .split('\n')
    .map((l) => l.replace(/\/\/.*$/, ''));
}

describe('determinism rules', () => {
  const all = DETERMINISTIC_DIRS.flatMap(files);

  it('covers the control plane and the simulated backend', () => {
    expect(all.length).toBeGreaterThan(15);
    expect(all).toContain(join('src', 'core', 'orchestrator.ts'));
    expect(all).toContain(join('backends', 'sim', 'sim-cluster.ts'));
    expect(all).toContain(join('src', 'gpu', 'policies', 'fgd.ts'));
  });

  it.each(DETERMINISTIC_DIRS)('%s reads no real time or randomness and does no I/O', (dir) => {
    const hits: string[] = [];
    for (const f of files(dir)) {
      codeLines(readFileSync(f, 'utf8')).forEach((line, i) => {
        for (const [re, what] of FORBIDDEN) if (re.test(line)) hits.push(`${f}:${i + 1}: ${what}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it('the checker itself notices a violation', () => {
    const sample = 'const t = Date.now(); // fine in a comment: Math.random()\nimport { readFileSync } from "node:fs";';
    const found = codeLines(sample).filter((l) => FORBIDDEN.some(([re]) => re.test(l)));
    expect(found).toHaveLength(2);
  });
});
