/** Bad input to the live-related commands: one line naming the file or flag, exit 2 (no engine needed). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/run/parse-scenario.js';

const slipway = (args: string[]) => spawnSync(process.execPath, ['bin/slipway.js', ...args], { encoding: 'utf8' });

describe('live node endpoints in scenarios', () => {
  const base = 'name: s\nduration: 1m\nnodes:\n';
  it('a docker node may leave its capacity to the engine; others must give one', () => {
    const s = parseScenario(`${base}  - {name: e1, docker: {host: "unix:///run/x.sock", network: none}}\n`, 'f.yaml');
    expect(s.nodes[0]).toMatchObject({ capacityFromEngine: true, endpoint: { kind: 'docker', host: 'unix:///run/x.sock', network: 'none' } });
    expect(() => parseScenario(`${base}  - {name: n1}\n`, 'f.yaml')).toThrow(/f\.yaml:4:5: nodes\[0\]: missing required key "capacity"/);
  });
  it('an oci node defaults to youki and needs root and rootfs; docker and oci together is an error', () => {
    const s = parseScenario(`${base}  - {name: o1, capacity: {cpu: 1, memory: 1Gi}, oci: {root: /r, rootfs: /fs}}\n`, 'f.yaml');
    expect(s.nodes[0].endpoint).toEqual({ kind: 'oci', runtime: 'youki', root: '/r', rootfs: '/fs' });
    expect(() => parseScenario(`${base}  - {name: o1, capacity: {cpu: 1, memory: 1Gi}, oci: {root: /r}}\n`, 'f.yaml')).toThrow(/rootfs/);
    expect(() =>
      parseScenario(`${base}  - {name: o1, capacity: {cpu: 1, memory: 1Gi}, oci: {root: /r, rootfs: /fs}, docker: {host: x}}\n`, 'f.yaml'),
    ).toThrow(/either docker or oci, not both/);
  });
});

describe('CLI bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('simulating a node whose capacity comes from its engine', () => {
    const f = join(dir, 'engine-cap.yaml');
    writeFileSync(f, 'name: s\nduration: 1m\nnodes:\n  - {name: e1, docker: {host: "unix:///run/x.sock"}}\n');
    const r = slipway(['run', f, '--out', join(dir, 'o')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`${f}: node e1 takes its capacity from its Docker engine; give it a capacity to simulate it, or run with --backend docker`);
  });

  it('--state on the simulator; a latency file with a bad value (its own line and column)', () => {
    const r = slipway(['run', 'scenarios/steady-service.yaml', '--state', join(dir, 's.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const lat = join(dir, 'lat.yaml');
    writeFileSync(lat, '# comment\nlatency:\n  start: {lognormal: {median: 5ms, sigma: -1}}\n');
    const l = slipway(['run', 'scenarios/steady-service.yaml', '--latency', lat, '--out', join(dir, 'o2')]);
    expect(l.status).toBe(2);
    expect(l.stderr).toMatch(new RegExp(`^${lat.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: latency\\.start`));
  });

  it('a state file of a finished run is refused, naming it', () => {
    const st = join(dir, 'done.json');
    writeFileSync(st, JSON.stringify({ version: 1, workloads: [], meta: { origin: 1, finished: true } }));
    const r = slipway(['run', 'scenarios/live-docker.yaml', '--backend', 'docker', '--state', st, '--out', join(dir, 'o3')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`--state ${st}: this run finished (and was torn down); remove the file or name another to start a new run`);
  });

  it('a cluster file with a bad key, or missing a node, names the place', () => {
    const c = join(dir, 'cluster.yaml');
    writeFileSync(c, 'nodes:\n  node-1:\n    docker: {hots: "unix:///x.sock"}\n');
    const r = slipway(['run', 'scenarios/steady-service.yaml', '--backend', 'docker', '--cluster', c]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`${c}:3:14: nodes.node-1.docker: unknown key "hots"; did you mean "host"? (known: host, network, pidFile)`);
    writeFileSync(c, 'nodes:\n  node-1: {docker: {host: "unix:///x.sock"}}\n');
    const m = slipway(['run', 'scenarios/steady-service.yaml', '--backend', 'docker', '--cluster', c]);
    expect(m.status).toBe(2);
    expect(m.stderr.trim()).toBe(`${c}: no endpoint for node node-2 (add it, or a "*" entry)`);
  });

  it('diff of a file that is not a trace names the line', () => {
    const t = join(dir, 't.jsonl');
    writeFileSync(t, '{"t":0,"seq":0,"type":"run.end","reason":"until","expectationsFailed":0}\nnope\n');
    const r = slipway(['diff', t, t]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`${t}:2: not a JSON trace record (the trace is cut short or corrupt): "nope"`);
  });

  it('calibrate without a docker backend', () => {
    const r = slipway(['calibrate', '--backend', 'oci']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('--backend: calibrate supports docker, got "oci"');
  });
});
