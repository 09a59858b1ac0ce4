import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/core/trace-events.js';
import { TraceWriter } from '../../src/engine/trace.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-trace-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** Writes the same records, with a simple clock, into `trace`. */
function writeSample(trace: TraceWriter, clock: { t: number }, n = 5): void {
  for (let i = 0; i < n; i++) {
    clock.t = i * 10 + (i % 2);
    if (i % 2) trace.record('node.init_failed', { node: `n-${i % 3}`, error: `ü✓ ${i}` });
    else trace.record('node.removed', { node: `n-${i % 3}` });
  }
}

describe('TraceWriter', () => {
  it('writes one {"t","seq","type",...} JSON object per line, in order', () => {
    const clock = { t: 0 };
    const path = join(dir, 'trace.jsonl');
    const trace = new TraceWriter(() => clock.t, path);
    clock.t = 3;
    trace.record('node.removed', { node: 'n1' });
    trace.record('node.taints', { node: 'two', taints: ['a=1:NoSchedule', 'b:NoExecute'] });
    clock.t = 8;
    trace.record('workload.removed', { workload: 'w' });
    const res = trace.close();
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines).toEqual([
      '{"t":3,"seq":0,"type":"node.removed","node":"n1"}',
      '{"t":3,"seq":1,"type":"node.taints","node":"two","taints":["a=1:NoSchedule","b:NoExecute"]}',
      '{"t":8,"seq":2,"type":"workload.removed","workload":"w"}',
    ]);
    // key order: t, seq, type first
    for (const l of lines) expect(Object.keys(JSON.parse(l)).slice(0, 3)).toEqual(['t', 'seq', 'type']);
    expect(res.lines).toBe(3);
    expect(res.path).toBe(path);
  });

  it('reports the sha256 of the file bytes and its byte count', () => {
    const clock = { t: 0 };
    const path = join(dir, 'trace.jsonl');
    const trace = new TraceWriter(() => clock.t, path);
    writeSample(trace, clock, 50);
    const res = trace.close();
    const bytes = readFileSync(path);
    expect(res.hash).toBe(sha256(bytes));
    expect(res.bytes).toBe(bytes.length);
    expect(res.lines).toBe(50);
  });

  it('hashes correctly across chunk flushes (more than 1 MiB of trace)', () => {
    const clock = { t: 0 };
    const path = join(dir, 'big.jsonl');
    const trace = new TraceWriter(() => clock.t, path);
    const pad = 'x'.repeat(200);
    for (let i = 0; i < 20_000; i++) {
      clock.t = i;
      trace.record('node.init_failed', { node: `n${i}`, error: pad });
    }
    const res = trace.close();
    const bytes = readFileSync(path);
    expect(bytes.length).toBeGreaterThan(2 << 20);
    expect(res.hash).toBe(sha256(bytes));
    expect(res.bytes).toBe(bytes.length);
    const lines = bytes.toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(20_000);
    lines.forEach((l, i) => {
      const o = JSON.parse(l) as { t: number; seq: number };
      if (o.seq !== i || o.t !== i) throw new Error(`line ${i} out of order: ${l.slice(0, 40)}`);
    });
  });

  it('only has a temporary file before close(), and the final file after', () => {
    const clock = { t: 0 };
    const path = join(dir, 'sub', 'trace.jsonl');
    const trace = new TraceWriter(() => clock.t, path);
    writeSample(trace, clock);
    expect(existsSync(path)).toBe(false);
    const before = readdirSync(join(dir, 'sub'));
    expect(before).toHaveLength(1);
    expect(before[0]).not.toBe('trace.jsonl');
    expect(before[0].startsWith('trace.jsonl.tmp')).toBe(true);
    trace.close();
    expect(existsSync(path)).toBe(true);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['trace.jsonl']);
  });

  it('abort() removes the temporary file and leaves no trace', () => {
    const clock = { t: 0 };
    const path = join(dir, 'trace.jsonl');
    const trace = new TraceWriter(() => clock.t, path);
    writeSample(trace, clock);
    expect(readdirSync(dir)).toHaveLength(1);
    trace.abort();
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(path)).toBe(false);
    trace.abort(); // idempotent
  });

  it('refuses records after close() and a second close()', () => {
    const trace = new TraceWriter(() => 0);
    trace.record('node.removed', { node: 'a' });
    trace.close();
    expect(() => trace.record('node.removed', { node: 'b' })).toThrow(/closed/);
    expect(() => trace.close()).toThrow(/closed/);
  });

  it('hash-only mode (no path) gives the same hash as a file with identical content', () => {
    const c1 = { t: 0 };
    const c2 = { t: 0 };
    const path = join(dir, 'trace.jsonl');
    const file = new TraceWriter(() => c1.t, path);
    const mem = new TraceWriter(() => c2.t);
    writeSample(file, c1, 30);
    writeSample(mem, c2, 30);
    const a = file.close();
    const b = mem.close();
    expect(b.path).toBeUndefined();
    expect(b.hash).toBe(a.hash);
    expect(b.bytes).toBe(a.bytes);
    expect(b.lines).toBe(30);
    expect(readdirSync(dir)).toEqual(['trace.jsonl']);
  });

  it('a different record gives a different hash', () => {
    const a = new TraceWriter(() => 0);
    const b = new TraceWriter(() => 0);
    a.record('op.scale', { workload: 'w', replicas: 1, applied: true });
    b.record('op.scale', { workload: 'w', replicas: 2, applied: true });
    expect(a.close().hash).not.toBe(b.close().hash);
  });

  it('the hash of an empty trace is the sha256 of nothing', () => {
    expect(new TraceWriter(() => 0).close()).toMatchObject({ hash: sha256(''), lines: 0, bytes: 0 });
  });

  it('listeners see every record as the typed event its line holds', () => {
    const clock = { t: 0 };
    const trace = new TraceWriter(() => clock.t);
    const events: TraceEvent[] = [];
    const lines: string[] = [];
    trace.listenEvents((e) => events.push(e));
    trace.listenEvents((e) => lines.push(JSON.stringify(e)));
    writeSample(trace, clock, 4);
    trace.close();
    // What a listener sees serializes to the line written (replay compares these byte for byte).
    expect(lines[1]).toBe('{"t":11,"seq":1,"type":"node.init_failed","node":"n-1","error":"ü✓ 1"}');
    // The typed listeners see each line's object: t, seq, type, then the fields.
    expect(events).toEqual([
      { t: 0, seq: 0, type: 'node.removed', node: 'n-0' },
      { t: 11, seq: 1, type: 'node.init_failed', node: 'n-1', error: 'ü✓ 1' },
      { t: 20, seq: 2, type: 'node.removed', node: 'n-2' },
      { t: 31, seq: 3, type: 'node.init_failed', node: 'n-0', error: 'ü✓ 3' },
    ]);
  });
});
