/**
 * The daemon's state file: group-committed writes whose text is built from per-object JSON
 * remembered between commits. After any sequence of changes the file must hold exactly what a
 * fresh JSON.stringify of the state gives, and load back to the same state.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Workload } from '../../src/core/types.js';
import { ServeStore } from '../../src/serve/serve-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function workload(name: string, replicas: number, image = 'nginx:1', generation = 1): Workload {
  return {
    id: name,
    name,
    kind: 'service',
    replicas,
    completions: 1,
    backoffLimit: 6,
    containers: [{ name: 'c', image, env: { A: 'b' }, ports: [], requests: { cpu: 100, memory: 64 * 2 ** 20, disk: 0, extended: {} }, limits: { cpu: 0, memory: 0, disk: 0, extended: {} } }],
    labels: { app: name },
    priority: 0,
    restartPolicy: 'Always',
    updateStrategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 },
    generation,
  } as Workload;
}

const expected = (s: ServeStore) => JSON.stringify({ version: 1, workloads: [...s.listWorkloads()], meta: { serve: s.meta } }) + '\n';

describe('ServeStore', () => {
  it('writes exactly the current state after every change, and loads it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-serve-store-'));
    dirs.push(dir);
    const path = join(dir, 'state.json');
    const s = new ServeStore(path);
    for (let i = 0; i < 5; i++) {
      s.putWorkload(workload(`w${i}`, i + 1));
      s.meta.workloads[`w${i}`] = { revision: i + 1, createdRevision: i + 1, spec: { name: `w${i}`, replicas: i + 1 } };
    }
    s.meta.revisionCeiling = 100;
    await s.flush();
    expect(readFileSync(path, 'utf8')).toBe(expected(s));

    // Change some (new objects), delete one, cordon a node: the next commit reflects each change.
    s.putWorkload(workload('w1', 7, 'nginx:2', 2));
    s.meta.workloads.w1 = { revision: 6, createdRevision: 2, spec: { name: 'w1', replicas: 7, labels: { x: 'y' } } };
    s.deleteWorkload('w3');
    delete s.meta.workloads.w3;
    s.meta.cordoned = ['node-2'];
    s.markDirty();
    await s.flush();
    const text = readFileSync(path, 'utf8');
    expect(text).toBe(expected(s));
    expect(JSON.parse(text).workloads.find((w: Workload) => w.name === 'w1').containers[0].image).toBe('nginx:2');

    const back = new ServeStore(path);
    expect(back.listWorkloads()).toEqual(s.listWorkloads());
    expect(back.meta).toEqual(s.meta);
    back.saveNow();
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});
