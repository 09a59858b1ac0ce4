/**
 * Shell blocks of the README and `docs/*.md` that a test runs as a user would paste them
 * (docs/testing.md, "Runnable shell blocks"). A block is runnable when the line before its
 * ```` ```sh ```` fence is `<!-- runnable -->` (runs in `npm test`) or `<!-- runnable: live -->`
 * (runs only under SLIPWAY_LIVE=1, on the engines CI starts). Each line is one simple command,
 * split into words by shell-quote (no `sh -c`): operators (`&&`, `|`, `>`, `;`), globs and `$VAR`
 * are refused, so what the test spawns is exactly the words a shell would pass. A trailing
 * comment `# exit N` says the command is expected to exit N (default 0).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'shell-quote';

export interface RunnableCommand {
  /** The words of the command, as a shell would pass them. */
  readonly argv: readonly string[];
  /** The exit status the block expects (`# exit N`, default 0). */
  readonly exit: number;
  /** The line as written (for messages). */
  readonly text: string;
  /** 1-based line in the page. */
  readonly line: number;
}

export interface RunnableBlock {
  /** Page and line of the fence, `docs/live-backends.md:8`. */
  readonly where: string;
  readonly live: boolean;
  readonly commands: readonly RunnableCommand[];
}

const MARKER = /^<!--\s*runnable(?::\s*(live))?\s*-->\s*$/;
const FENCE = /^```(sh|bash|shell)\s*$/;

/** The words of one command line; throws naming the construct a runnable block may not use. */
export function commandWords(line: string, where: string): { argv: string[]; exit: number } {
  const vars: string[] = [];
  const parts = parse(line, (name: string) => {
    vars.push(name);
    return '';
  });
  if (vars.length > 0) throw new Error(`${where}: runnable blocks take no variables ($${vars[0]}): ${line}`);
  const argv: string[] = [];
  let exit = 0;
  for (const p of parts) {
    if (typeof p === 'string') {
      argv.push(p);
      continue;
    }
    if ('comment' in p) {
      const m = /^\s*exit (\d+)\b/.exec(p.comment);
      if (m) exit = Number(m[1]);
      break;
    }
    const what = 'op' in p ? (p.op === 'glob' ? `glob ${(p as { pattern: string }).pattern}` : `operator ${p.op}`) : JSON.stringify(p);
    throw new Error(`${where}: runnable blocks hold one simple command per line (found ${what}): ${line}`);
  }
  return { argv, exit };
}

/** The runnable blocks of one Markdown page (`file` relative to the repository root). */
export function runnableBlocks(file: string, text: string): RunnableBlock[] {
  const lines = text.split('\n');
  const blocks: RunnableBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const marker = MARKER.exec(lines[i]);
    if (!marker) continue;
    const where = `${file}:${i + 2}`;
    if (!FENCE.test(lines[i + 1] ?? '')) throw new Error(`${file}:${i + 1}: a runnable marker must be followed directly by a \`\`\`sh fence`);
    const commands: RunnableCommand[] = [];
    let j = i + 2;
    let pending = '';
    let start = j;
    for (; j < lines.length && !lines[j].startsWith('```'); j++) {
      const raw = lines[j];
      if (pending === '') start = j;
      // a line ending in `\` continues on the next one, as in a shell
      if (/\\\s*$/.test(raw) && !/#/.test(raw)) {
        pending += raw.replace(/\\\s*$/, ' ');
        continue;
      }
      const full = pending + raw;
      pending = '';
      if (full.trim() === '' || full.trim().startsWith('#')) continue;
      const { argv, exit } = commandWords(full, `${file}:${start + 1}`);
      commands.push({ argv, exit, text: full.trim(), line: start + 1 });
    }
    if (j >= lines.length) throw new Error(`${where}: the runnable block is not closed`);
    if (commands.length === 0) throw new Error(`${where}: the runnable block holds no command`);
    blocks.push({ where, live: marker[1] === 'live', commands });
    i = j;
  }
  return blocks;
}

/** README.md and every page under docs/, relative to `root`. */
export function documentationPages(root: string): string[] {
  return ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
}

/** Every runnable block of the documentation. */
export function allRunnableBlocks(root: string): RunnableBlock[] {
  return documentationPages(root).flatMap((f) => runnableBlocks(f, readFileSync(join(root, f), 'utf8')));
}
