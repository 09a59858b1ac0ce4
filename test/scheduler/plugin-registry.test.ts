/**
 * The plugin registry is a value handed to whoever builds a framework (kube-scheduler's Registry
 * passed to NewFramework), and the scenario loader is handed the scheduler names: no module-level
 * registry, so a user's plugin in one run (a test, a daemon request) is invisible to the next.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { parseScenario as parseWith } from '../../src/scenario/loader.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import type { Plugin } from '../../src/scheduler/framework/types.js';
import { BUILT_IN_PLUGINS } from '../../src/scheduler/plugins/registry.js';
import { createScheduler, schedulerNames } from '../../src/scheduler/registry.js';
import { simulate } from '../../src/run/simulate.js';

/** Scores node names ending in an even digit 100, the others 0. */
const preferEven = (): Plugin => ({ name: 'PreferEven', score: (cx, i) => (/[02468]$/.test(cx.table.names[i]) ? 100 : 0) });

const scenario = (scheduler: string): string => `name: registry
duration: 5m
scheduler: ${scheduler}
nodes: [{name: "node-{i}", count: 4, capacity: {cpu: 4, memory: 8Gi}}]
workloads: [{name: web, replicas: 4, containers: [{name: app, image: nginx, requests: {cpu: 100m, memory: 64Mi}}]}]
`;
const WITH_PLUGIN = scenario('{name: even, plugins: [{name: NodeResourcesFit, weight: 0}, {name: PreferEven, weight: 1}]}');

describe('PluginRegistry', () => {
  it('with() returns a new registry and leaves the one it came from unchanged', () => {
    const mine = BUILT_IN_PLUGINS.with('PreferEven', preferEven);
    expect(mine.factory('PreferEven')).toBe(preferEven);
    expect(mine.names()).toEqual([...BUILT_IN_PLUGINS.names(), 'PreferEven'].sort());
    expect(BUILT_IN_PLUGINS.factory('PreferEven')).toBeUndefined();
    expect(BUILT_IN_PLUGINS.names()).not.toContain('PreferEven');
  });

  it('refuses a name it already holds (a user plugin never replaces a built-in one)', () => {
    expect(() => BUILT_IN_PLUGINS.with('NodeResourcesFit', preferEven)).toThrow('plugin "NodeResourcesFit" is already registered');
    const mine = BUILT_IN_PLUGINS.with('PreferEven', preferEven);
    expect(() => mine.with('PreferEven', preferEven)).toThrow('plugin "PreferEven" is already registered');
  });

  it('a scenario profile naming a user plugin loads only with the registry that holds it', () => {
    const plugins = BUILT_IN_PLUGINS.with('PreferEven', preferEven);
    expect(parseScenario(WITH_PLUGIN, 's.yaml', { plugins }).scheduler.profile?.plugins.map((p) => p.name)).toEqual(['NodeResourcesFit', 'PreferEven']);
    // The same process, another parse without it: nothing leaked from the first.
    expect(() => parseScenario(WITH_PLUGIN, 's.yaml')).toThrow(InputError);
    expect(() => parseScenario(WITH_PLUGIN, 's.yaml')).toThrow(/scheduler\.plugins\[1\]\.name: unknown plugin "PreferEven"/);
  });

  it('the simulation schedules with the registry it is handed', async () => {
    const plugins = BUILT_IN_PLUGINS.with('PreferEven', preferEven);
    const s = parseScenario(WITH_PLUGIN, 's.yaml', { plugins });
    const nodes: string[] = [];
    await simulate(s, { plugins, onEvent: (e) => void (e.type === 'instance.scheduled' && e.node !== undefined && nodes.push(e.node)) });
    expect(nodes).toHaveLength(4);
    // PreferEven is the only scorer: every replica on a node whose name ends in an even digit.
    expect(nodes.filter((n) => !/[02468]$/.test(n))).toEqual([]);
    // Without it, the scheduler cannot be built for that profile.
    expect(() => createScheduler('even', { ...(s.scheduler.profile ? { profile: s.scheduler.profile } : {}) })).toThrow(/unknown plugin "PreferEven"/);
  });
});

describe('the loader is handed the scheduler names', () => {
  it('accepts exactly the names it is given', () => {
    expect(parseWith(scenario('mine'), 's.yaml', { schedulers: ['mine'] }).scheduler.name).toBe('mine');
    expect(() => parseWith(scenario('default'), 's.yaml', { schedulers: ['mine', 'yours'] })).toThrow(
      's.yaml:3:12: scheduler: unknown scheduler "default" (known: mine, yours)',
    );
  });

  it("parseScenario of src/run hands in this build's names", () => {
    for (const name of schedulerNames()) expect(parseScenario(scenario(name), 's.yaml').scheduler.name).toBe(name);
    expect(() => parseScenario(scenario('mine'), 's.yaml')).toThrow(/unknown scheduler "mine"/);
  });
});
