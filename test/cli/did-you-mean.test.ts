/**
 * "Unknown names get 'did you mean' everywhere" (#18.9): every flag or file field that takes one
 * of a fixed set of names suggests the nearest when the given one is a likely typo. One line on
 * stderr, exit 2. (Scenario fields, --scheduler, --policies, --profile, --backend, --format and
 * --workload are covered beside their commands; these are the ones that lacked it.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/slipway.js');

function slipway(args: readonly string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('did you mean', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-did-you-mean-'));
  const cluster = (body: string) => {
    const f = join(dir, `cluster-${body.length}.yaml`);
    writeFileSync(f, `nodes:\n  engine-1: ${body}\n`);
    return f;
  };
  const cases: ReadonlyArray<readonly [args: readonly string[], line: string, env?: Record<string, string>]> = [
    [['experiment', 'membership', '--study', 'swimm', '--out', dir], '--study: unknown study "swimm"; did you mean "swim"? (known: swim, lifeguard, all)'],
    [['experiment', 'membership', '--detectors', 'lifeguad', '--out', dir], '--detectors: unknown detector "lifeguad"; did you mean "lifeguard"? (known: swim, lha-probe, lha-suspicion, buddy, lifeguard)'],
    [['get', 'workloadz'], 'kind: expected workloads, nodes, instances or endpoints, got "workloadz"; did you mean "workloads"?'],
    [['get', 'nodes', '-o', 'jsn'], '-o: expected one of table, wide, json, yaml, got "jsn"; did you mean "json"?'],
    [['describe', 'wrkload', 'web'], 'kind: describe supports workload, got "wrkload"; did you mean "workload"?'],
    [['watch', '-o', 'jsno'], '-o: expected text or json, got "jsno"; did you mean "json"?'],
    [['serve', '--backend', 'dokcer'], '--backend: expected one of "sim", "docker", "oci", got "dokcer"; did you mean "docker"?'],
    [['config', 'print'], 'SLIPWAY_BACKEND: expected one of "sim", "docker", "oci", got "dokcer"; did you mean "docker"?', { SLIPWAY_BACKEND: 'dokcer' }],
    [['apply', '-f', 'scenarios/default.yaml', '--dry-run=smi'], '--dry-run: unknown mode "smi"; did you mean "sim"? (client, sim)'],
  ];

  for (const [args, line, env] of cases) {
    it(`slipway ${args.filter((a) => a !== dir).join(' ')}`, () => {
      const r = slipway(args, env);
      expect(r.stderr).toBe(`${line}\n`);
      expect(r.code).toBe(2);
    });
  }

  it('a --cluster file: a backend or key misspelt', () => {
    const backend = slipway(['run', 'scenarios/live-docker.yaml', '--backend', 'docker', '--cluster', cluster('{dockr: {host: "unix:///x.sock"}}')]);
    expect(backend.stderr).toMatch(/^\S+cluster-\d+\.yaml:2:14: nodes\.engine-1: unknown backend "dockr"; did you mean "docker"\? \(docker or oci\)\n$/);
    expect(backend.code).toBe(2);
    const key = slipway(['run', 'scenarios/live-docker.yaml', '--backend', 'docker', '--cluster', cluster('{docker: {hots: "unix:///x.sock"}}')]);
    expect(key.stderr).toMatch(/^\S+cluster-\d+\.yaml:2:23: nodes\.engine-1\.docker: unknown key "hots"; did you mean "host"\? \(known: host, network, pidFile\)\n$/);
    expect(key.code).toBe(2);
  });
});
