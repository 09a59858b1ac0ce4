/**
 * The folder graph, kept by a test (issue #11.4; the picture and the reasons: docs/architecture.md).
 *
 * dependency-cruiser reads every import of src/ and backends/ (type-only imports and dynamic
 * `import()` included, resolved as TypeScript resolves them); this test places each file in a
 * layer and fails on any import of a layer that is not strictly below the importer's. Folders of
 * one level are siblings: neither may import the other. A file in no layer fails too, so a new
 * folder is placed in the graph when it is made.
 */
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { describe, expect, it } from 'vitest';

/**
 * Bottom to top. A layer may import only layers of a lower level. The most specific prefix wins
 * (src/scheduler/explain/x.ts is in `src/scheduler/explain`, not `src/scheduler`).
 */
export const LAYERS: ReadonlyArray<readonly [level: number, prefix: string, holds: string]> = [
  [0, 'src/core', 'the orchestrator domain: types, interfaces (Clock, Recorder, IdSource, runtimes), reconciler, Orchestrator'],
  [0, 'src/version.ts', 'the version string'],
  [0, 'src/module-url.ts', 'module locations that work from the sources and from dist/'],
  [1, 'src/engine', "implements core's Clock, Recorder and IdSource: virtual clock, seeded streams, trace writer"],
  [2, 'src/gpu', 'the GPU device model: devices, fragmentation, FGD policies, the Alibaba GPU trace'],
  [3, 'src/scheduler', 'the scheduling framework, plugins, profiles, registries'],
  [4, 'src/faults', 'the fault registry: each kind with its schema, injector and generator'],
  [4, 'src/membership', 'the membership protocol (SWIM) and its knobs'],
  [4, 'src/store', 'the durable state store protocol'],
  [4, 'src/net', 'networking: address allocation'],
  [5, 'src/scenario', 'the scenario format: schema, loader, manifests, generators'],
  [6, 'src/scheduler/explain', "explain's snapshot format and verdicts (reads scenario placement blocks)"],
  [6, 'src/check', 'invariants and expectations'],
  [6, 'src/dlrm', 'the Alibaba DLRM trace importer'],
  [7, 'backends', 'implementations of the core interfaces: sim (the twins), docker, oci, live, store'],
  [8, 'src/run', 'one run of a scenario: simulated or live'],
  [8, 'src/pool', 'the worker-thread pool'],
  [9, 'src/report', 'metrics from the trace, statistics, the HTML reports'],
  [9, 'src/export', 'trace export (Perfetto)'],
  [10, 'src/compare', 'policies × seeds'],
  [10, 'src/fuzz', 'swarm testing and shrinking'],
  [11, 'src/sweep', 'sweeps beyond one machine: shards and their exact merge, Indexed Job manifests, the Redis work queue'],
  [12, 'src/serve', 'the daemon: HTTP API, MCP, dashboard'],
  [13, 'src/cli', 'the slipway command'],
  [14, 'src/index.ts', 'the library entry (re-exports)'],
  [14, 'src/testing.ts', 'the library entry for tests (re-exports)'],
];

/**
 * Edges the levels allow but the design does not (docs/architecture.md): registries are values
 * handed in, so the loader knows scheduler names only through `ParseOptions.schedulers` and plugins
 * only through `ParseOptions.plugins`.
 */
/** Type-only imports (`import type { PluginRegistry }`) are allowed: no registry is read. */
const FORBIDDEN: ReadonlyArray<readonly [from: RegExp, to: string, why: string]> = [
  [/^src\/scenario\//, 'src/scheduler/registry.ts', 'the loader is handed the scheduler names (ParseOptions.schedulers)'],
  [/^src\/scenario\//, 'src/scheduler/plugins/registry.ts', 'the loader is handed the plugin registry (ParseOptions.plugins)'],
];

/** Declarations only (no code): read by the compiler, imported by nobody. */
const IGNORED = /^src\/types\//;

function layerOf(path: string): (typeof LAYERS)[number] | undefined {
  let best: (typeof LAYERS)[number] | undefined;
  for (const l of LAYERS) {
    if ((path === l[1] || path.startsWith(`${l[1]}/`)) && (!best || l[1].length > best[1].length)) best = l;
  }
  return best;
}

async function importsOf(): Promise<Array<{ from: string; to: string; typeOnly: boolean }>> {
  const result = await cruise(
    ['src', 'backends'],
    {
      tsPreCompilationDeps: true,
      tsConfig: { fileName: 'tsconfig.json' },
      doNotFollow: { path: 'node_modules' },
      exclude: { path: 'node_modules' },
    },
    undefined,
    { tsConfig: extractTSConfig('tsconfig.json') },
  );
  const output = result.output as ICruiseResult;
  const edges: Array<{ from: string; to: string; typeOnly: boolean }> = [];
  for (const m of output.modules) {
    for (const d of m.dependencies) {
      if (!d.coreModule && !d.couldNotResolve && /^(src|backends)\//.test(d.resolved)) edges.push({ from: m.source, to: d.resolved, typeOnly: d.dependencyTypes.includes('type-only') });
    }
  }
  return edges;
}

describe('layers', () => {
  it('every import goes down the folder graph (docs/architecture.md)', async () => {
    const edges = await importsOf();
    expect(edges.length).toBeGreaterThan(500); // the cruise really read the sources
    const unplaced = new Set<string>();
    const upward: string[] = [];
    for (const { from, to } of edges) {
      if (IGNORED.test(from) || IGNORED.test(to)) continue;
      const a = layerOf(from);
      const b = layerOf(to);
      if (!a) unplaced.add(from);
      if (!b) unplaced.add(to);
      if (!a || !b || a === b) continue;
      if (b[0] >= a[0]) upward.push(`${from} → ${to}: ${a[1]} (level ${a[0]}) may not import ${b[1]} (level ${b[0]})`);
    }
    expect([...unplaced].sort(), 'files in no layer: add their folder to LAYERS and docs/architecture.md').toEqual([]);
    expect(upward.sort()).toEqual([]);
    const forbidden = edges.flatMap(({ from, to, typeOnly }) => (typeOnly ? [] : FORBIDDEN).filter(([f, t]) => f.test(from) && to === t).map(([, , why]) => `${from} → ${to}: ${why}`));
    expect(forbidden.sort()).toEqual([]);
  }, 120_000);

  it('places files by their most specific folder', () => {
    expect(layerOf('src/scheduler/explain/snapshot.ts')?.[1]).toBe('src/scheduler/explain');
    expect(layerOf('src/scheduler/plugins/registry.ts')?.[1]).toBe('src/scheduler');
    expect(layerOf('src/corey/x.ts')).toBeUndefined();
    expect(layerOf('backends/sim/sim-cluster.ts')?.[0]).toBe(7);
  });
});
