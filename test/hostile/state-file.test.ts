/**
 * Issue #19 item 5: a bad `--state` is bad input. A corrupt, empty or wrong-shaped state file, or a
 * folder, used to give exit 1 with a raw TypeError; a state file another scenario wrote was resumed
 * silently with that scenario's spec. The file is checked (schema + the scenario's identity hash)
 * before any engine is contacted, so these run without Docker.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readStateFile } from '../../backends/store/state-file.js';
import { InputError } from '../../src/core/errors.js';
import { expectNoStack, slipway } from './cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-state-'));
});

const workload = { id: 'web', name: 'web', kind: 'service', replicas: 1, completions: 1, backoffLimit: 0, containers: [{ name: 'c', image: 'busybox' }], labels: {}, priority: 0, restartPolicy: 'Always', updateStrategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 }, generation: 1 };

function reason(name: string, content: string | undefined): string {
  const path = join(dir, name);
  if (content === undefined) mkdirSync(path, { recursive: true });
  else writeFileSync(path, content);
  try {
    readStateFile(path);
  } catch (e) {
    if (e instanceof InputError) return e.message.replace(`--state ${path}: `, '');
    throw e;
  }
  return 'ok';
}

describe('the state file is checked before it is trusted', () => {
  it.each([
    ['empty', '', 'the file is empty (not a Slipway state file; remove it to start a new run)'],
    ['not-json', '{"version":1,"work', /^not a Slipway state file: not JSON \(/],
    ['array', '[1,2]', 'not a Slipway state file (expected {"version":1,"workloads":[...],"meta":{...}})'],
    ['version', '{"version":2,"workloads":[]}', 'not a Slipway state file (expected {"version":1,"workloads":[...],"meta":{...}}, got version 2)'],
    ['shape', JSON.stringify({ version: 1, workloads: [{ ...workload, replicas: 'three' }] }), /^not a valid state file: workloads\[0\]\.replicas: /],
    ['meta', JSON.stringify({ version: 1, workloads: [], meta: { origin: 'yesterday' } }), /^not a valid state file: meta\.origin: /],
    ['folder', undefined, 'is a directory, not a state file'],
  ])('%s', (name, content, expected) => {
    const r = reason(`${name}.json`, content as string | undefined);
    if (typeof expected === 'string') expect(r).toBe(expected);
    else expect(r).toMatch(expected);
  });

  it('a valid file reads back; a missing one is a new run', () => {
    expect(reason('good.json', JSON.stringify({ version: 1, workloads: [workload], meta: { origin: 5 } }))).toBe('ok');
    expect(readStateFile(join(dir, 'missing.json'))).toBeUndefined();
  });
});

describe('slipway run --state at the command line (exit 2, naming the file and the reason)', () => {
  it('a corrupt file', () => {
    const f = join(dir, 'corrupt.json');
    writeFileSync(f, '\u0000\u0001garbage');
    const r = slipway(['run', 'scenarios/live-docker.yaml', '--backend', 'docker', '--state', f, '--out', join(dir, 'out1')]);
    expect(r.stderr).toMatch(new RegExp(`^--state ${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not a Slipway state file: not JSON .*\\n$`));
    expect(r.code).toBe(2);
    expectNoStack(r);
  });

  it("another scenario's state is refused unless --force", () => {
    const f = join(dir, 'other.json');
    writeFileSync(f, JSON.stringify({ version: 1, workloads: [workload], meta: { origin: 1, scenario: { name: 'someone-else', hash: 'ab'.repeat(32) } } }));
    const r = slipway(['run', 'scenarios/live-docker.yaml', '--backend', 'docker', '--state', f, '--out', join(dir, 'out2')]);
    expect(r.stderr).toMatch(/^--state .*other\.json: written by scenario "someone-else" \(sha256 abababababab\), not by scenarios\/live-docker\.yaml \(".*", sha256 [0-9a-f]{12}\); pass --force to resume it anyway, or name another state file\n$/);
    expect(r.code).toBe(2);
  });
});
