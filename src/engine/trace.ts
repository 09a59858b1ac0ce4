/**
 * The trace: one JSON object per line, `{"t":<ms>,"seq":<n>,"type":"...",...fields}`, in the order
 * events happened. Lines are streamed to disk in chunks (never held whole in memory) and hashed
 * with SHA-256 as they are written; the file appears under its final name only when the run closes
 * it (written to a temporary file, then renamed), so a crashed run leaves no half trace behind.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Recorder } from '../core/interfaces.js';
import type { FieldsOf, TraceEvent, TraceEventType } from '../core/trace-events.js';

const CHUNK = 1 << 20;

export interface TraceResult {
  /** SHA-256 of the trace's bytes, hex. */
  readonly hash: string;
  readonly lines: number;
  readonly bytes: number;
  /** Where the trace was written, if anywhere. */
  readonly path?: string;
}

/** Sees each record as its parts (tests, tools that only log). */
export type TraceListener = (type: string, fields: Record<string, unknown>, t: number, seq: number) => void;
/** Sees each record as the typed event its trace line holds (metrics, invariants). */
export type TraceEventListener = (e: TraceEvent) => void;

export class TraceWriter implements Recorder {
  private readonly hash: Hash = createHash('sha256');
  private buf = '';
  private fd: number | undefined;
  private readonly tmpPath: string | undefined;
  private seq = 0;
  private bytes = 0;
  private closed = false;
  private readonly listeners: TraceListener[] = [];
  private readonly eventListeners: TraceEventListener[] = [];

  /**
   * @param now the clock the trace stamps lines with.
   * @param path where to write; when absent the trace is only hashed (fuzzing, property tests).
   */
  constructor(private readonly now: () => number, private readonly path?: string) {
    if (path) {
      mkdirSync(dirname(path), { recursive: true });
      this.tmpPath = `${path}.tmp-${process.pid}`;
      this.fd = openSync(this.tmpPath, 'w');
    }
  }

  /** Calls `fn` for every record, as its parts. */
  listen(fn: TraceListener): void {
    this.listeners.push(fn);
  }

  /** Calls `fn` for every record, as the typed event (metrics, invariant checks). */
  listenEvents(fn: TraceEventListener): void {
    this.eventListeners.push(fn);
  }

  get lineCount(): number {
    return this.seq;
  }

  record<K extends TraceEventType>(type: K, fields: FieldsOf<K>): void {
    if (this.closed) throw new Error(`trace closed; cannot record ${type}`);
    const t = this.now();
    const seq = this.seq++;
    // The line's object is the event listeners see (built once, as before the typed trace).
    const event = { t, seq, type, ...fields };
    const line = JSON.stringify(event) + '\n';
    this.buf += line;
    if (this.buf.length >= CHUNK) this.flush();
    for (const l of this.listeners) l(type, fields, t, seq);
    // K is one event type, so `event` is that member of the union (TypeScript cannot see it through K).
    for (const l of this.eventListeners) l(event as unknown as TraceEvent);
  }

  private flush(): void {
    if (this.buf.length === 0) return;
    const data = Buffer.from(this.buf, 'utf8');
    this.buf = '';
    this.hash.update(data);
    this.bytes += data.length;
    if (this.fd !== undefined) writeSync(this.fd, data);
  }

  /** Flushes, hashes and (when writing a file) moves it into place. */
  close(): TraceResult {
    if (this.closed) throw new Error('trace already closed');
    this.flush();
    this.closed = true;
    if (this.fd !== undefined) {
      closeSync(this.fd);
      renameSync(this.tmpPath!, this.path!);
    }
    return { hash: this.hash.digest('hex'), lines: this.seq, bytes: this.bytes, path: this.path };
  }

  /** Discards a trace that will not be completed (the temporary file is removed). */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd !== undefined) {
      closeSync(this.fd);
      rmSync(this.tmpPath!, { force: true });
    }
  }
}
