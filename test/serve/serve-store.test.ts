/**
 * The daemon's state: a snapshot (state.json) plus a journal of commits (state.journal). A commit
 * appends only what changed; the journal is folded into a new snapshot once it outgrows it; a
 * restart replays the journal; a crash in the middle of an append (kill -9) loses nothing that was
 * acknowledged and leaves a store that opens.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryStateStore } from '../../src/core/state-store.js';
import type { Workload } from '../../src/core/types.js';
import { COMPACT_MIN_BYTES, RETRY_MIN_MS, ServeStore, type ServeMeta } from '../../src/serve/serve-store.js';
import { round } from './fixtures/journal-rounds.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempState(): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-serve-store-'));
  dirs.push(dir);
  return join(dir, 'state.json');
}

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

const journalOf = (path: string) => join(path, '..', 'state.journal');
const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);

/** The state as a restarted daemon sees it. */
function reopened(path: string): { workloads: readonly Workload[]; meta: ServeMeta } {
  const s = new ServeStore(path);
  return { workloads: s.listWorkloads(), meta: s.meta };
}

describe('ServeStore', () => {
  it('a restart sees every committed change (puts, deletes, meta, cordons); saveNow writes exactly the state as one snapshot', async () => {
    const path = tempState();
    const s = new ServeStore(path);
    for (let i = 0; i < 5; i++) {
      s.putWorkload(workload(`w${i}`, i + 1));
      s.meta.workloads[`w${i}`] = { revision: i + 1, createdRevision: i + 1, spec: { name: `w${i}`, replicas: i + 1 } };
    }
    s.meta.revisionCeiling = 100;
    await s.flush();
    expect(reopened(path)).toEqual({ workloads: s.listWorkloads(), meta: s.meta });

    // Change some (new objects), delete one, cordon a node: the next commit carries each change.
    s.putWorkload(workload('w1', 7, 'nginx:2', 2));
    s.meta.workloads.w1 = { revision: 6, createdRevision: 2, spec: { name: 'w1', replicas: 7, labels: { x: 'y' } } };
    s.deleteWorkload('w3');
    delete s.meta.workloads.w3;
    s.meta.cordoned = ['node-2'];
    s.markDirty();
    await s.flush();
    const back = reopened(path);
    expect(back).toEqual({ workloads: s.listWorkloads(), meta: s.meta });
    expect(back.workloads.map((w) => w.name)).toEqual(['w0', 'w1', 'w2', 'w4']);
    expect(back.workloads[1].containers[0].image).toBe('nginx:2');
    expect(back.meta.workloads.w3).toBeUndefined();

    s.saveNow();
    const text = readFileSync(path, 'utf8');
    const { journal } = JSON.parse(text) as { journal: number };
    expect(text).toBe(JSON.stringify({ version: 1, journal, workloads: [...s.listWorkloads()], meta: { serve: s.meta } }) + '\n');
    expect(size(journalOf(path))).toBe(0);
    s.close();
    expect(reopened(path)).toEqual({ workloads: s.listWorkloads(), meta: s.meta });
  });

  it('a commit appends what changed, not the whole state', async () => {
    const path = tempState();
    const s = new ServeStore(path);
    for (let i = 0; i < 200; i++) {
      s.putWorkload(workload(`w${i}`, 1));
      s.meta.workloads[`w${i}`] = { revision: i + 1, createdRevision: i + 1, spec: { name: `w${i}`, replicas: 1 } };
    }
    s.saveNow();
    const snapshot = readFileSync(path, 'utf8');
    expect(snapshot.length).toBeGreaterThan(60_000);

    s.putWorkload(workload('w17', 3));
    s.meta.workloads.w17 = { revision: 201, createdRevision: 18, spec: { name: 'w17', replicas: 3 } };
    await s.flush();
    // The snapshot is untouched; the journal holds one line with the one workload and its record.
    expect(readFileSync(path, 'utf8')).toBe(snapshot);
    const lines = readFileSync(journalOf(path), 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0].length).toBeLessThan(1_000);
    expect(JSON.parse(lines[0]).ops.map((o: unknown[]) => o.slice(0, 2).map((x) => (typeof x === 'string' ? x : (x as Workload).name)))).toEqual([
      ['put', 'w17'],
      ['meta', 'w17'],
    ]);
    s.close();
    const back = reopened(path);
    expect(back.workloads.find((w) => w.name === 'w17')?.replicas).toBe(3);
    expect(back.meta).toEqual(s.meta);
  });

  it.runIf(process.platform === 'linux')('the journal is written synchronised (O_DSYNC): an acknowledged commit is on the disk, not in the page cache', async () => {
    const path = tempState();
    const s = new ServeStore(path);
    s.putWorkload(workload('w1', 1));
    await s.flush();
    // The descriptor open on state.journal, and its open flags as the kernel holds them.
    const fds = readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === journalOf(path);
      } catch {
        return false; // closed meanwhile
      }
    });
    expect(fds).toHaveLength(1);
    const flags = parseInt(/^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fds[0]}`, 'utf8'))![1], 8);
    expect(flags & constants.O_DSYNC).toBe(constants.O_DSYNC);
    expect(flags & constants.O_APPEND).toBe(constants.O_APPEND);
    s.close();
    expect(reopened(path).workloads.map((w) => w.name)).toEqual(['w1']);
  });

  it('a commit carries each workload record set or deleted since the last one, a record replaced as a whole object too', async () => {
    // A commit looks only at the names changed since the last one (meta.workloads notes them).
    const path = tempState();
    const s = new ServeStore(path);
    const rec = (name: string, revision: number) => ({ revision, createdRevision: 1, spec: { name } });
    s.meta.workloads.a = rec('a', 1);
    s.meta.workloads.b = rec('b', 2);
    await s.flush();
    // Set then deleted before the next commit (never written), set twice (the last one counts).
    s.meta.workloads.c = rec('c', 3);
    delete s.meta.workloads.c;
    s.meta.workloads.a = rec('a', 4);
    s.meta.workloads.a = rec('a', 5);
    s.markDirty();
    await s.flush();
    expect(reopened(path).meta.workloads).toEqual({ a: rec('a', 5), b: rec('b', 2) });
    // The whole object replaced: b goes, d comes, a stays as it is.
    s.meta.workloads = { a: s.meta.workloads.a, d: rec('d', 6) };
    s.markDirty();
    await s.flush();
    expect(reopened(path).meta.workloads).toEqual({ a: rec('a', 5), d: rec('d', 6) });
    // ... and the new object is watched too.
    s.meta.workloads.e = rec('e', 7);
    s.markDirty();
    await s.flush();
    s.close();
    expect(reopened(path).meta.workloads).toEqual({ a: rec('a', 5), d: rec('d', 6), e: rec('e', 7) });
  });

  it('a commit that fails before its write (building what it writes) answers its waiters with the error; the change is written by the next commit', async () => {
    const path = tempState();
    const s = new ServeStore(path);
    s.putWorkload(workload('w0', 1));
    await s.flush();
    // Private: the ops are built synchronously, before the write; a throw there once left the
    // request waiting for a write that never came.
    const collect = vi.spyOn(s as unknown as { collectOps(): string[] }, 'collectOps').mockImplementationOnce(() => {
      throw new Error('cannot build the commit');
    });
    s.putWorkload(workload('w1', 2));
    await expect(s.flush()).rejects.toThrow('cannot build the commit');
    expect(s.lastError).toBe('cannot build the commit');
    collect.mockRestore();
    s.putWorkload(workload('w2', 3));
    await s.flush();
    expect(s.lastError).toBeUndefined();
    s.close();
    expect(reopened(path).workloads.map((w) => [w.name, w.replicas])).toEqual([
      ['w0', 1],
      ['w1', 2],
      ['w2', 3],
    ]);
  });

  it('a write that keeps failing (a full disk) is retried with a growing backoff, not in a loop; a new request tries at once; nothing is lost', async () => {
    const path = tempState();
    const s = new ServeStore(path);
    type Writes = { append(line: string): Promise<void>; compact(seq: number, text: string): Promise<void> };
    const w = s as unknown as Writes;
    let attempts = 0;
    // Fails as a full disk does: asynchronously, after a trip to the thread pool.
    const failing = (): Promise<void> => {
      attempts++;
      return new Promise((_, reject) => setImmediate(() => reject(new Error('ENOSPC: no space left on device, write'))));
    };
    const append = vi.spyOn(w, 'append').mockImplementation(failing);
    const compact = vi.spyOn(w, 'compact').mockImplementation(failing);
    s.putWorkload(workload('w0', 1));
    await expect(s.flush()).rejects.toThrow('ENOSPC');
    const t0 = performance.now();
    const after = attempts;
    await new Promise((r) => setTimeout(r, 12 * RETRY_MIN_MS));
    const waited = performance.now() - t0;
    // Retries at RETRY_MIN_MS, then 2x, 4x, 8x...: within `waited`, at most log2(waited/RETRY_MIN_MS + 1) + 1 of them (a loop made thousands).
    const retries = attempts - after;
    expect(retries).toBeGreaterThanOrEqual(1);
    expect(retries).toBeLessThanOrEqual(Math.floor(Math.log2(waited / RETRY_MIN_MS + 1)) + 1);
    expect(s.lastError).toContain('ENOSPC');
    // The disk has room again: the next request's flush writes at once, whatever the backoff.
    append.mockRestore();
    compact.mockRestore();
    s.putWorkload(workload('w1', 2));
    await s.flush();
    expect(s.lastError).toBeUndefined();
    // It did not wait for the backoff's next retry (still pending; close() cancels it).
    expect((s as unknown as { retryTimer?: unknown }).retryTimer).toBeDefined();
    s.close();
    expect(reopened(path).workloads.map((x) => x.name)).toEqual(['w0', 'w1']);
  });

  it('folds the journal into a new snapshot once it outgrows it, and the state survives', async () => {
    const path = tempState();
    const s = new ServeStore(path);
    let compacted = false;
    for (let n = 1; n <= 2_000 && !compacted; n++) {
      const before = size(journalOf(path));
      round(s, n);
      await s.flush();
      compacted = size(journalOf(path)) < before;
    }
    expect(compacted).toBe(true);
    expect(size(journalOf(path))).toBeLessThan(COMPACT_MIN_BYTES);
    s.close();
    expect(reopened(path)).toEqual({ workloads: s.listWorkloads(), meta: s.meta });
  });

  it('drops a last journal line cut short by a crash, cuts it off, and keeps appending after it', async () => {
    const path = tempState();
    const s = new ServeStore(path);
    s.putWorkload(workload('a', 1));
    await s.flush();
    s.close();
    // A crash in the middle of the next append: half a line, no newline (never acknowledged).
    appendFileSync(journalOf(path), '{"seq":2,"ops":[["put",{"id":"b","na');
    const s2 = new ServeStore(path);
    expect(s2.listWorkloads().map((w) => w.name)).toEqual(['a']);
    expect(readFileSync(journalOf(path), 'utf8').endsWith('\n')).toBe(true);
    s2.putWorkload(workload('c', 2));
    await s2.flush();
    s2.close();
    expect(reopened(path).workloads.map((w) => w.name)).toEqual(['a', 'c']);
  });

  it('refuses a journal damaged before its last line, naming FILE:LINE', async () => {
    const path = tempState();
    const s = new ServeStore(path);
    s.putWorkload(workload('a', 1));
    await s.flush();
    s.putWorkload(workload('b', 1));
    await s.flush();
    s.close();
    const lines = readFileSync(journalOf(path), 'utf8').split('\n');
    // The first line damaged, the second intact: not a torn append.
    writeFileSync(journalOf(path), `${lines[0].slice(0, 20)}\n${lines[1]}\n`);
    expect(() => new ServeStore(path)).toThrow(`--state: ${journalOf(path)}:1: damaged journal entry`);
  });

  it('kill -9 at arbitrary moments: every acknowledged commit is there after the restart, and the store opens', async () => {
    const path = tempState();
    const fixture = join(import.meta.dirname, 'fixtures', 'journal-writer.ts');
    let next = 1;
    // Kill after these many acknowledgements (the write under way at that moment varies).
    for (const acks of [150, 420, 90, 300]) {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, path, String(next)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      const lastAck = await new Promise<number>((resolve, reject) => {
        let seen = 0;
        let last = 0;
        let buf = '';
        child.stdout.on('data', (b: Buffer) => {
          buf += b.toString();
          const lines = buf.split('\n');
          buf = lines.pop()!;
          for (const l of lines) {
            last = Number(l.slice(4));
            if (++seen === acks) child.kill('SIGKILL');
          }
        });
        child.once('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(last) : reject(new Error(`writer exited ${code}: ${err}`))));
      });
      const back = reopened(path);
      // Everything acknowledged is there; at most the commits under way at the kill are beyond it.
      const reached = back.meta.revisionCeiling;
      expect(reached).toBeGreaterThanOrEqual(lastAck);
      const model = Object.assign(new InMemoryStateStore(), { meta: { revisionCeiling: 0, workloads: {}, cordoned: [] } as ServeMeta, markDirty: () => {} });
      for (let n = 1; n <= reached; n++) round(model, n);
      expect(back).toEqual({ workloads: model.listWorkloads(), meta: model.meta });
      next = reached + 1;
    }
  }, 120_000);
});
