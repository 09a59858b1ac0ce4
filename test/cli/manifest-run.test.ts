/**
 * `slipway run FILE.yaml --nodes N` on a plain kubectl file, and scenarios naming manifest files,
 * through the CLI (#18.6); `slipway replay` reproducing a framework-profile run (it built the
 * scheduler without the run's seeded stream, so ties broke differently and the default scenario's
 * own trace "diverged").
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/slipway.js');
const WEB_APP = join(ROOT, 'scenarios/k8s/web-app.yaml');

function slipway(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'slipway-manifest-run-'));

const BIG = `apiVersion: apps/v1
kind: Deployment
metadata: {name: big}
spec:
  replicas: 2
  selector: {matchLabels: {app: big}}
  template:
    metadata: {labels: {app: big}}
    spec:
      containers: [{name: c, image: busybox, resources: {requests: {cpu: "3"}}}]
---
apiVersion: v1
kind: Service
metadata: {name: big}
spec: {selector: {app: big}, ports: [{port: 80}]}
`;

describe('slipway run FILE.yaml --nodes N', () => {
  it('runs a kubectl file on N default nodes; its services converge; the trace replays', () => {
    const out = tmp();
    const r = slipway(['run', WEB_APP, '--nodes', '3', '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('nodes: 3 (3 Ready, 0 NotReady, 0 Down)');
    expect(r.out).toMatch(/^ {2}web +service +3 +3 +0 /m);
    expect(r.out).toContain('PASS  every Deployment, ReplicaSet, StatefulSet and Pod runs its replicas');
    expect(r.err).toContain('warning: Service/web: spec.ports is not modelled; ignored');
    const replay = slipway(['replay', join(out, 'trace.jsonl')]);
    expect(replay.code, replay.out).toBe(0);
    expect(replay.out).toContain(': identical (');
  });

  it('fails (exit 1) when its pods do not fit, with a replay command that has --nodes', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'big.yaml'), BIG);
    const r = slipway(['run', 'big.yaml', '--nodes', '1', '--out', 'o'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL  every Deployment, ReplicaSet, StatefulSet and Pod runs its replicas');
    expect(`${r.out}${r.err}`).toContain('npx slipway run big.yaml --seed 1 --nodes 1');
    expect(slipway(['run', 'big.yaml', '--nodes', '2', '--out', 'o'], dir).code).toBe(0);
  });

  it('bad input: no nodes, --nodes on a scenario, a bad count', () => {
    const r = slipway(['run', WEB_APP, '--out', tmp()]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${WEB_APP}: no Node in the file: give --nodes N to run its objects on N nodes of 4 CPU and 16Gi memory\n`);
    expect(slipway(['run', 'scenarios/default.yaml', '--nodes', '2', '--out', tmp()]).err).toBe(
      '--nodes: scenarios/default.yaml is a scenario (its nodes are in the file); --nodes is for a Kubernetes manifest file\n',
    );
    expect(slipway(['run', WEB_APP, '--nodes', '0']).err).toBe('--nodes: expected a whole number of nodes from 1 to 100000, got "0"\n');
  });

  it('validate takes --nodes too', () => {
    const r = slipway(['validate', WEB_APP, '--nodes', '2']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`${WEB_APP}: ok — web-app: 2 nodes, 2 workloads, 0 operations, 0 faults, 1 expectation\n`);
  });
});

describe('a scenario whose manifests: name files', () => {
  it('reads them relative to the scenario file, whatever the working directory', () => {
    const r = slipway(['run', join(ROOT, 'scenarios/kubernetes-manifest-files.yaml'), '--out', 'o'], tmp());
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('ok: 4 expectation(s) hold');
  });

  it('compare runs it in worker threads (the files travel in the sweep spec)', () => {
    const out = join(tmp(), 'c');
    const r = slipway(['compare', 'scenarios/kubernetes-manifest-files.yaml', '--policies', 'default,best-fit', '--seeds', '1..2', '--workers', '1', '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    const results = JSON.parse(r.out) as { policies: Array<{ policy: string }> };
    expect(JSON.stringify(results)).toContain('best-fit');
  });

  it('explain --at reads them too, and prints each manifest warning once', () => {
    const r = slipway(['explain', 'scenarios/kubernetes-manifest-files.yaml', '--at', '2m', '--workload', 'debug']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('worker-a');
    const warnings = r.err.split('\n').filter((l) => l.includes(': warning: '));
    expect(warnings).toContain('scenarios/kubernetes-manifest-files.yaml: warning: Service/web: spec.ports is not modelled; ignored');
    expect(warnings).toEqual([...new Set(warnings)]);
  });

  it('a missing file and a problem inside one are placed', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'k8s'));
    const s = join(dir, 's.yaml');
    writeFileSync(s, 'name: s\nduration: 5m\nnodes: [{name: n, capacity: {cpu: 4, memory: 8Gi}}]\nmanifests:\n  - k8s/app.yaml\n');
    const missing = slipway(['run', s, '--out', join(dir, 'o')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(`${s}:5:5: manifests[0]: ${join(dir, 'k8s/app.yaml')}: cannot read: no such file\n`);
    writeFileSync(join(dir, 'k8s/app.yaml'), BIG.replace('cpu: "3"', 'cpu: "3x"'));
    const bad = slipway(['validate', s]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(new RegExp(`^${join(dir, 'k8s/app.yaml').replaceAll('/', '\\/')}:1:1: document 1 \\(Deployment/big\\)\\.containers\\[0\\]\\.requests\\.cpu: invalid quantity "3x"`));
  });
});

describe('slipway replay', () => {
  it('reproduces a run of a framework profile (the default scenario)', () => {
    const out = tmp();
    expect(slipway(['run', 'scenarios/default.yaml', '--out', out]).code).toBe(0);
    const r = slipway(['replay', join(out, 'trace.jsonl')]);
    expect(r.out).toMatch(/^replay .*: identical \(269 records; scenario default, seed 42\)$/m);
    expect(r.code).toBe(0);
  });
});
