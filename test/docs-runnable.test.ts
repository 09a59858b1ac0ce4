/**
 * The documentation's runnable shell blocks work when pasted (#18.5): every block marked
 * `<!-- runnable -->` (or `<!-- runnable: live -->`, only under SLIPWAY_LIVE=1) is run command by
 * command, as a user would from a fresh checkout, in a temporary folder that sees the repository's
 * `scenarios/` and `docs/` (so outputs never land in the checkout). `npx slipway` runs this
 * checkout's `bin/slipway.js`; every command is spawned with its words as an argument array.
 * Each command must exit as its block says (0 unless `# exit N`), print something, never a stack
 * trace, and a `run` must leave its three files in its output folder. Statically, for every block
 * (live ones too): no two runs of one block write the same output folder, and a `diff` compares
 * traces that runs of its block wrote — the mistake that made the live walkthrough's `diff` fail.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, normalize, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LIVE, LIVE_SKIP_REASON } from './support/backends.js';
import { allRunnableBlocks, commandWords, runnableBlocks, type RunnableBlock, type RunnableCommand } from './support/runnable-blocks.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'slipway.js');
const blocks = allRunnableBlocks(ROOT);

/** The slipway sub-command and its words after `npx slipway` / `slipway`, or undefined. */
function slipwayArgs(argv: readonly string[]): string[] | undefined {
  if (argv[0] === 'npx' && argv[1] === 'slipway') return argv.slice(2);
  if (argv[0] === 'slipway') return argv.slice(1);
  return undefined;
}

/** The value of `--flag V` or `--flag=V`. */
function flag(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1];
    if (args[i].startsWith(`${name}=`)) return args[i].slice(name.length + 1);
  }
  return undefined;
}

/** The folder a `slipway run` writes to: `--out`, else `reports/<file name without extension>`. */
function runOut(args: readonly string[]): string {
  const file = args[1];
  return normalize(flag(args, '--out') ?? join('reports', basename(file, extname(file))));
}

const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;

describe('runnable blocks are found and parsed', () => {
  it('finds the live walkthrough', () => {
    const walkthrough = blocks.find((b) => b.where.startsWith('docs/live-backends.md'));
    expect(walkthrough?.live, 'docs/live-backends.md has a runnable: live block').toBe(true);
  });

  it('refuses what is not a simple command, and reads # exit N', () => {
    expect(() => commandWords('npx slipway run a.yaml && echo ok', 'x.md:3')).toThrow('x.md:3: runnable blocks hold one simple command per line (found operator &&)');
    expect(() => commandWords('rm -f reports/*.json', 'x.md:3')).toThrow('found glob reports/*.json');
    expect(() => commandWords('echo $HOME', 'x.md:3')).toThrow('take no variables ($HOME)');
    expect(commandWords('npx slipway validate "my file.yaml"   # exit 2 (bad input)', 'x.md:3')).toEqual({ argv: ['npx', 'slipway', 'validate', 'my file.yaml'], exit: 2 });
    const page = ['text', '<!-- runnable -->', '```sh', 'npx slipway run a.yaml \\', '  --out o   # exit 1', '', '# a comment', '```', ''].join('\n');
    expect(runnableBlocks('p.md', page)).toEqual([
      { where: 'p.md:3', live: false, commands: [{ argv: ['npx', 'slipway', 'run', 'a.yaml', '--out', 'o'], exit: 1, text: 'npx slipway run a.yaml    --out o   # exit 1', line: 4 }] },
    ]);
    expect(() => runnableBlocks('p.md', '<!-- runnable -->\n\n```sh\nls\n```\n')).toThrow('p.md:1: a runnable marker must be followed directly by a ```sh fence');
  });

  it.each(blocks.map((b) => [b.where, b] as const))('%s: each run writes its own folder and every diff reads traces its block wrote', (_where, block) => {
    const written = new Map<string, RunnableCommand>();
    for (const c of block.commands) {
      const args = slipwayArgs(c.argv);
      if (args?.[0] === 'run') {
        const out = runOut(args);
        const before = written.get(out);
        expect(before, `${block.where}: line ${c.line} "${c.text}" writes ${out}, which line ${before?.line} "${before?.text}" already wrote: the second run replaces the first one's files (give each its own --out)`).toBeUndefined();
        written.set(out, c);
      }
      if (args?.[0] === 'diff') {
        for (const trace of args.slice(1, 3)) {
          expect(written.has(normalize(dirname(trace))), `${block.where}: line ${c.line} diffs ${trace}, which no run of the block writes (runs write: ${[...written.keys()].join(', ') || 'nothing'})`).toBe(true);
        }
      }
    }
  });
});

function runBlock(block: RunnableBlock): void {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-docs-'));
  dirs.push(dir);
  for (const shared of ['scenarios', 'docs']) symlinkSync(join(ROOT, shared), join(dir, shared));
  for (const c of block.commands) {
    const args = slipwayArgs(c.argv);
    const [cmd, ...rest] = args ? [process.execPath, BIN, ...args] : c.argv;
    const r = spawnSync(cmd, rest, { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 240_000 });
    const shown = `${block.where}: line ${c.line}: ${c.text}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
    expect(r.error, shown).toBeUndefined();
    expect(r.status, shown).toBe(c.exit);
    expect(r.stderr, `${shown}\n(a stack trace)`).not.toMatch(STACK_TRACE);
    if (c.exit === 0) expect(r.stdout.trim(), `${shown}\n(prints nothing)`).not.toBe('');
    else expect(r.stderr.trim(), `${shown}\n(says nothing on stderr)`).not.toBe('');
    if (args?.[0] === 'run' && c.exit !== 2) {
      const out = join(dir, runOut(args));
      for (const f of ['trace.jsonl', 'summary.json', 'report.html']) expect(existsSync(join(out, f)), `${shown}\n(no ${f} in ${runOut(args)})`).toBe(true);
    }
  }
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('runnable blocks run as pasted', () => {
  const local = blocks.filter((b) => !b.live);
  it('there is at least one block npm test runs', () => expect(local.length).toBeGreaterThan(0));
  it.each(local.map((b) => [b.where, b] as const))('%s', (_where, block) => runBlock(block), 120_000);
});

describe.skipIf(!LIVE)(`live runnable blocks run as pasted${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, () => {
  it.each(blocks.filter((b) => b.live).map((b) => [b.where, b] as const))('%s', (_where, block) => runBlock(block), 600_000);
});
