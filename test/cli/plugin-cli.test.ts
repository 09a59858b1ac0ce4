/**
 * `--plugin FILE` as issue #3 gives it (`--plugin ./my-plugin.ts`), run from a folder outside the
 * Slipway checkout with no package.json: tsx alone would load such a .ts/.js as CommonJS and the
 * ESM plugin failed to load. Real child processes, cwd in the plugin's folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/slipway.js');

/** The example plugin's logic; the .ts form keeps a type-only import and annotations. */
const PLUGIN_TS = `import type { CycleContext, Plugin } from 'slipway/src/scheduler/framework/types.js';
import { score } from './helper.ts';
export const name = 'PreferEvenNodes';
export function create(args: unknown): Plugin {
  const invert = (args as { invert?: boolean } | undefined)?.invert === true;
  return { name, score: (cx: CycleContext, i: number) => score(cx.table.names[i], invert) };
}
`;
const HELPER_TS = `export const score = (node: string, invert: boolean): number => (/[02468]$/.test(node) !== invert ? 100 : 0);\n`;
const PLUGIN_JS = `import { score } from './helper.js';
export const name = 'PreferEvenNodes';
export function create(args) {
  const invert = args?.invert === true;
  return { name, score: (cx, i) => score(cx.table.names[i], invert) };
}
`;
const HELPER_JS = `export const score = (node, invert) => (/[02468]$/.test(node) !== invert ? 100 : 0);\n`;

const SNAPSHOT = `nodes:
  - {name: node1, capacity: {cpu: "4", memory: 8Gi}}
  - {name: node2, capacity: {cpu: "4", memory: 8Gi}}
pending: {name: p, containers: [{requests: {cpu: 100m}}]}
profile: {plugins: [{name: PreferEvenNodes, weight: 2, args: {invert: true}}]}
`;

const SCENARIO = `name: plugin-run
duration: 2m
scheduler:
  plugins: [{name: NodeResourcesFit, weight: 0}, {name: PreferEvenNodes, weight: 1, args: {invert: true}}]
nodes:
  - {name: node1, capacity: {cpu: 4, memory: 8Gi}}
  - {name: node2, capacity: {cpu: 4, memory: 8Gi}}
workloads:
  - name: app
    replicas: 3
    containers: [{name: app, image: "nginx:1.25", requests: {cpu: 100m, memory: 64Mi}}]
`;

/** A folder outside the repository (the OS temp dir), no package.json, holding the plugin. */
function pluginDir(ext: 'ts' | 'js'): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-plugin-'));
  writeFileSync(join(dir, `my-plugin.${ext}`), ext === 'ts' ? PLUGIN_TS : PLUGIN_JS);
  writeFileSync(join(dir, `helper.${ext}`), ext === 'ts' ? HELPER_TS : HELPER_JS);
  writeFileSync(join(dir, 'snap.yaml'), SNAPSHOT);
  writeFileSync(join(dir, 'scenario.yaml'), SCENARIO);
  return dir;
}

function slipway(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('--plugin ./my-plugin.{ts,js} from a folder outside the repository', () => {
  it.each(['ts', 'js'] as const)('explain loads a .%s plugin (and its relative import) and scores with it', (ext) => {
    const dir = pluginDir(ext);
    const r = slipway(dir, 'explain', 'snap.yaml', '--json', '--plugin', `./my-plugin.${ext}`);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.chosen).toBe('node1');
    expect(out.nodes.map((n: { total: number }) => n.total)).toEqual([200, 0]);
  });

  it.each(['ts', 'js'] as const)('run loads a .%s plugin and places every replica by its score', (ext) => {
    const dir = pluginDir(ext);
    const r = slipway(dir, 'run', 'scenario.yaml', '--out', 'out', '--plugin', `./my-plugin.${ext}`);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const placed = readFileSync(join(dir, 'out', 'trace.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'instance.scheduled');
    expect(placed.map((e) => e.node)).toEqual(['node1', 'node1', 'node1']);
    // Without the plugin the scenario's profile names an unknown plugin.
    const missing = slipway(dir, 'run', 'scenario.yaml', '--out', 'out2');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/unknown plugin "PreferEvenNodes"/);
  });

  it('a syntax error: one line FILE:LINE:COL with the message, exit 2', () => {
    const dir = pluginDir('ts');
    writeFileSync(join(dir, 'bad.ts'), `export const name = 'Bad';\nexport function create() {\n  return { name: };\n}\n`);
    const r = slipway(dir, 'explain', 'snap.yaml', '--plugin', './bad.ts');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(`${join(dir, 'bad.ts')}:3:17: --plugin ./bad.ts: cannot load: Unexpected "}"\n`);
  });

  it('a missing file says so, exit 2', () => {
    const dir = pluginDir('js');
    const r = slipway(dir, 'explain', 'snap.yaml', '--plugin', './nope.js');
    expect(r.code).toBe(2);
    expect(r.err).toBe('--plugin ./nope.js: cannot load: no such file\n');
  });
});
