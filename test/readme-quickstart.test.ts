/**
 * The quick-start output shown in the README is what `npm start` prints, byte for byte (the trace
 * hash included), so it cannot drift (#18.8). The start script's own arguments are run, with only
 * the output folder moved to a temporary one (and its path written back as the README shows it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The fenced block after the sentence introducing `npm start`'s output. */
function readmeQuickStart(): string {
  const text = readFileSync('README.md', 'utf8');
  const intro = text.indexOf('`npm start` prints a summary like this');
  expect(intro, 'README.md introduces the output of npm start').toBeGreaterThan(0);
  const open = text.indexOf('```\n', intro);
  const close = text.indexOf('\n```', open + 4);
  return text.slice(open + 4, close + 1);
}

describe('README quick start', () => {
  it('shows exactly what npm start prints', () => {
    const script = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
    const m = /^node (bin\/slipway\.js run \S+) --out (\S+)$/.exec(script);
    expect(m, `package.json start script: ${script}`).not.toBeNull();
    const [, args, shownOut] = m!;
    const out = join(mkdtempSync(join(tmpdir(), 'slipway-start-')), 'default');
    const r = spawnSync(process.execPath, [...args.split(' '), '--out', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.replaceAll(out, shownOut)).toBe(readmeQuickStart());
  });
});
