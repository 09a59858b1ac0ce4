/**
 * `--emit-k8s-job FILE`: the manifest is two batch/v1 Jobs valid under the Kubernetes Job schema
 * (kubernetes-models' validators, generated from the Kubernetes OpenAPI spec), and running the
 * exact container command of every index here — with JOB_COMPLETION_INDEX set as the Job
 * controller sets it, in a folder standing for the volume — then the merge Job's command gives
 * the unsharded run's files byte for byte. (`slipway`, the command's first word, is this
 * checkout's bin/slipway.js.)
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'slipway.js');
const base = mkdtempSync(join(tmpdir(), 'slipway-k8s-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function slipway(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, SLIPWAY_DEBUG: '', ...env } });
}

/** A folder standing for the volume, holding the scenario at the path the command names. */
function volume(name: string): string {
  const dir = join(base, name);
  mkdirSync(join(dir, 'input'), { recursive: true });
  copyFileSync(join(ROOT, 'scenarios', 'default.yaml'), join(dir, 'input', 'default.yaml'));
  return dir;
}

const SWEEP = ['compare', 'input/default.yaml', '--policies', 'round-robin,best-fit', '--seeds', '1..4'];

describe('slipway compare --emit-k8s-job', () => {
  it('writes an Indexed Job and a suspended merge Job that pass the Job schema; every index run locally, then merged, gives the unsharded files', () => {
    const vol = volume('vol');
    const e = slipway(vol, [...SWEEP, '--workers', '1', '--emit-k8s-job', 'job.yaml', '--k8s-shards', '4', '--k8s-parallelism', '2', '--k8s-image', 'registry.example/slipway:test', '--k8s-claim', 'sweeps']);
    expect(e.stderr).toBe('');
    expect(e.status).toBe(0);
    const docs = parseAllDocuments(readFileSync(join(vol, 'job.yaml'), 'utf8')).map((d) => d.toJS());
    expect(docs).toHaveLength(2);
    const [sweep, merge] = docs;
    for (const d of docs) expect(() => new Job(d).validate()).not.toThrow();
    // The validator is not vacuous: a wrong type is caught.
    expect(() => new Job({ ...sweep, spec: { ...sweep.spec, completions: 'four' } }).validate()).toThrow(/completions must be integer/);

    expect(sweep.apiVersion).toBe('batch/v1');
    expect(sweep.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 2, backoffLimitPerIndex: 2 });
    const pod = sweep.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.volumes).toEqual([{ name: 'sweep', persistentVolumeClaim: { claimName: 'sweeps' } }]);
    const c = pod.containers[0];
    expect(c.image).toBe('registry.example/slipway:test');
    expect(c.workingDir).toBe('/sweep');
    expect(c.volumeMounts).toEqual([{ name: 'sweep', mountPath: '/sweep' }]);
    expect(c.command.slice(0, 7)).toEqual(['slipway', ...SWEEP]);
    expect(c.command).toContain('JOB_COMPLETION_INDEX/4');
    expect(c.command).not.toContain('--workers');
    expect(merge.spec.suspend).toBe(true);
    const m = merge.spec.template.spec.containers[0];
    expect(m.command.slice(0, 2)).toEqual(['slipway', 'merge']);

    // Every index, as the Job controller runs it: same command, JOB_COMPLETION_INDEX = 0..3.
    for (let i = 0; i < 4; i++) {
      const r = slipway(vol, c.command.slice(1), { JOB_COMPLETION_INDEX: String(i) });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const mr = slipway(vol, m.command.slice(1));
    expect(mr.stderr).toBe('');
    expect(mr.status).toBe(0);
    const resultsDir = m.command[m.command.indexOf('--out') + 1];

    // The unsharded run with the same --out, in another folder holding the same input.
    const whole = volume('whole');
    const w = slipway(whole, [...SWEEP, '--workers', '1', '--out', resultsDir]);
    expect(w.status).toBe(0);
    for (const f of ['results.csv', 'results.json', 'report.html']) {
      expect(readFileSync(join(vol, resultsDir, f), 'utf8'), f).toBe(readFileSync(join(whole, resultsDir, f), 'utf8'));
    }
  });

  it('refuses --k8s-* flags without --emit-k8s-job, and --shard with it (exit 2)', () => {
    const vol = volume('bad');
    const a = slipway(vol, [...SWEEP, '--k8s-shards', '4']);
    expect(a.stderr).toBe('--k8s-shards: only with --emit-k8s-job\n');
    expect(a.status).toBe(2);
    const b = slipway(vol, [...SWEEP, '--shard', '1/2', '--emit-k8s-job', 'j.yaml']);
    expect(b.stderr).toBe('--shard and --emit-k8s-job: choose one\n');
    expect(b.status).toBe(2);
  });
});
