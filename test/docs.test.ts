/**
 * The documentation: the README is a front door whose links (and the reference pages' links) all
 * resolve to a file and a heading that exist, every page under docs/ is reachable from the README
 * in one hop, and the scenario format's complete example is a real scenario that runs and passes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../src/run/parse-scenario.js';
import { simulate } from '../src/run/simulate.js';

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Lines outside fenced code blocks, with their 1-based numbers. */
function prose(text: string): { line: string; n: number }[] {
  const out: { line: string; n: number }[] = [];
  let fenced = false;
  text.split('\n').forEach((line, i) => {
    if (line.startsWith('```')) fenced = !fenced;
    else if (!fenced) out.push({ line, n: i + 1 });
  });
  return out;
}

function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { line } of prose(readFileSync(file, 'utf8'))) {
    const m = /^#{1,6} (.*)$/.exec(line);
    if (!m) continue;
    const base = anchorOf(m[1]!);
    const k = seen.get(base) ?? 0;
    anchors.add(k === 0 ? base : `${base}-${k}`);
    seen.set(base, k + 1);
  }
  return anchors;
}

const pages = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];

describe('documentation', () => {
  it('every relative link in the README and docs/ names a file and a heading that exist', () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const { line, n } of prose(readFileSync(page, 'utf8'))) {
        for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
          const target = m[1]!;
          if (/^(https?:|mailto:)/.test(target)) continue;
          const [path, anchor] = target.split('#') as [string, string | undefined];
          const file = path === '' ? page : normalize(join(dirname(page), path));
          if (!existsSync(file)) broken.push(`${page}:${n}: no such file: ${target}`);
          else if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(file).has(anchor))
            broken.push(`${page}:${n}: no heading #${anchor} in ${file}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('every reference page is one hop from the README', () => {
    const readme = readFileSync('README.md', 'utf8');
    const missing = pages.filter((p) => p !== 'README.md' && !readme.includes(`](${p}`));
    expect(missing).toEqual([]);
  });

  it("the scenario format's complete example runs and passes", async () => {
    const doc = readFileSync('docs/scenario-format.md', 'utf8');
    const at = doc.indexOf('## A complete example');
    expect(at).toBeGreaterThan(0);
    const start = doc.indexOf('```yaml\n', at) + '```yaml\n'.length;
    const yaml = doc.slice(start, doc.indexOf('```', start));
    const summary = await simulate(parseScenario(yaml, 'docs/scenario-format.md#example'));
    expect(summary.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(summary.expectations).toHaveLength(5);
  });
});
