/**
 * Slipway as a library (#18.10), used the way a user's project uses it: the package is packed
 * (`npm pack` of the package staged with its `files` and dist/ built with the .d.ts files), unpacked into node_modules/slipway
 * of a fresh project in the temporary folder (outside the repository), given its declared
 * `dependencies` (linked from this checkout's node_modules, so no registry is needed and an
 * undeclared runtime dependency fails), and then:
 *   - docs/library.md's example runs as written, importing `slipway` and `slipway/testing` by
 *     name, and prints what the page shows;
 *   - the example and a types check compile with tsc against the package's declarations;
 *   - the exports map hides everything but the two entry points.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const NODE_MODULES = join(ROOT, 'node_modules');

/** A fenced block of docs/library.md: the first after `after` opening with "```" + lang. */
function docBlock(after: string, lang: string): string {
  const text = readFileSync(join(ROOT, 'docs/library.md'), 'utf8');
  const at = text.indexOf(after);
  expect(at, `docs/library.md has "${after}"`).toBeGreaterThan(0);
  const open = text.indexOf('```' + lang + '\n', at);
  const close = text.indexOf('\n```', open + 4 + lang.length);
  return text.slice(open + 4 + lang.length, close + 1);
}

function run(cmd: string, args: readonly string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const link = (project: string, name: string) => {
  const to = join(project, 'node_modules', name);
  mkdirSync(dirname(to), { recursive: true });
  symlinkSync(join(NODE_MODULES, name), to, 'dir');
};

let project = '';
let tmp = '';

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'slipway-library-'));
  // The package staged as `npm pack` in the checkout would pack it (package.json, its `files`,
  // dist/ built with declarations), but built into the stage: the checkout's dist/ is not touched.
  const stage = join(tmp, 'stage');
  mkdirSync(join(stage, 'docs'), { recursive: true });
  for (const f of ['package.json', 'README.md', 'LICENSE', 'docs/library.md']) if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(stage, f));
  for (const d of ['bin', 'scenarios']) cpSync(join(ROOT, d), join(stage, d), { recursive: true });
  const build = run(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--out', join(stage, 'dist')], ROOT);
  expect(build.code, build.err).toBe(0);
  const pack = run('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp, '--json'], stage);
  expect(pack.code, pack.err).toBe(0);
  const [{ filename }] = JSON.parse(pack.out.slice(pack.out.indexOf('['))) as Array<{ filename: string }>;
  project = join(tmp, 'consumer');
  const pkg = join(project, 'node_modules', 'slipway');
  mkdirSync(pkg, { recursive: true });
  const untar = run('tar', ['-xzf', join(tmp, filename), '-C', pkg, '--strip-components=1'], tmp);
  expect(untar.code, untar.err).toBe(0);
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  // What `npm install` would put beside it: the declared dependencies (hoisted, with their own
  // dependencies reachable from this checkout's flat node_modules), plus the project's own dev
  // tools: TypeScript and Node's types for the type check, tsx to run the TypeScript example.
  for (const name of Object.keys(manifest.dependencies)) link(project, name);
  for (const name of ['typescript', '@types/node']) link(project, name);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] } }),
  );
  writeFileSync(join(project, 'example.ts'), docBlock('## Example', 'ts'));
  // The declarations are real types, not `any` (an `any` would make each expected error vanish).
  writeFileSync(
    join(project, 'types.ts'),
    `import { runScenario, loadScenario, type RunSummary } from 'slipway';
import { scenarioArbitrary, fc } from 'slipway/testing';
const r = await runScenario(loadScenario('x.yaml'));
// @ts-expect-error ok is a boolean
const s: string = r.ok;
// @ts-expect-error no such option
await runScenario(loadScenario('x.yaml'), { seeds: 3 });
const events: number = (r.summary satisfies RunSummary).events;
const arb: fc.Arbitrary<{ seed: number }> = scenarioArbitrary('tiny');
export { s, events, arb };
`,
  );
}, 600_000);

describe('slipway as a package (import by name from a project outside the repository)', () => {
  it('ships the entry points, their declarations and the CLI, and no sources or tests', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));
    const shipped = files(join(project, 'node_modules', 'slipway'));
    for (const f of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/testing.js', 'dist/src/testing.d.ts', 'bin/slipway.js', 'docs/library.md']) expect(shipped).toContain(f);
    expect(shipped.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
  });

  it("runs docs/library.md's example as written and prints what the page shows", () => {
    const r = run(process.execPath, ['--import', 'tsx', 'example.ts'], project);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(docBlock('It prints:', ''));
  }, 300_000);

  it('type-checks the example and the API against the shipped declarations', () => {
    const r = run(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', '.'], project);
    expect(r.out + r.err).toBe('');
    expect(r.code).toBe(0);
  }, 300_000);

  it('exports only slipway and slipway/testing (internals are not importable)', () => {
    const r = run(process.execPath, ['--input-type=module', '-e', "await import('slipway/dist/src/run/simulate.js')"], project);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
    const ok = run(process.execPath, ['--input-type=module', '-e', "const s = await import('slipway'); const t = await import('slipway/testing'); console.log(typeof s.runScenario, typeof t.scenarioArbitrary, s.SLIPWAY_VERSION)"], project);
    expect(ok.err).toBe('');
    expect(ok.out).toBe(`function function ${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n`);
  });

  it('the packed CLI runs from the project (npx slipway)', () => {
    const r = run(process.execPath, [join(project, 'node_modules/slipway/bin/slipway.js'), '--version'], project);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });
});
