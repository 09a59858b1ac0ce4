import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../backends/store/file-state-store.js';
import { toWorkload } from '../../src/run/simulate.js';
import { service } from '../support/scenario-builder.js';

describe('FileStateStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-store-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps workloads and meta across instances of the store (a restarted process)', () => {
    const path = join(dir, 'a', 'state.json');
    const s1 = new FileStateStore(path);
    expect(s1.resumed).toBe(false);
    s1.putWorkload(toWorkload(service('web', 3)));
    s1.putWorkload({ ...toWorkload(service('api', 2)), generation: 4 });
    s1.setMeta('origin', 1234);
    s1.deleteWorkload('web');
    const s2 = new FileStateStore(path);
    expect(s2.resumed).toBe(true);
    expect(s2.listWorkloads().map((w) => [w.name, w.generation])).toEqual([['api', 4]]);
    expect(s2.getMeta('origin')).toBe(1234);
    // Instance records are not persisted: adoption rebuilds them from the containers.
    expect(JSON.parse(readFileSync(path, 'utf8'))).not.toHaveProperty('instances');
  });

  it('refuses a file that is not a state file, naming it', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{"version": 9, "workloads": []}');
    expect(() => new FileStateStore(path)).toThrow(/bad\.json: not a Slipway state file \(expected \{"version":1,"workloads":\[\.\.\.\],"meta":\{\.\.\.\}\}, got version 9\)/);
    writeFileSync(path, 'not json');
    expect(() => new FileStateStore(path)).toThrow(/bad\.json: not a Slipway state file/);
  });
});
