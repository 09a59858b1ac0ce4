/**
 * The trace: one JSON object per line, `{"t":<ms>,"seq":<n>,"type":"...",...fields}`, in the order
 * events happened. Lines are streamed to disk in chunks (never held whole in memory) and hashed
 * with SHA-256 as they are written; the file appears under its final name only when the run closes
 * it (written to a temporary file, then renamed), so a crashed run leaves no half trace behind.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Recorder } from '../core/interfaces.js';
import type { FieldsOf, TraceEvent, TraceEventType } from '../core/trace-events.js';
import { InputError } from '../core/errors.js';
import { outputError, temporaryName, trackTemporary, untrackTemporary, writeAllSync } from './durable-file.js';

const CHUNK = 1 << 20;

export interface TraceResult {
  /** SHA-256 of the trace's bytes, hex. */
  readonly hash: string;
  readonly lines: number;
  readonly bytes: number;
  /** Where the trace was written, if anywhere. */
  readonly path?: string;
}

/** A run's trace grew past its size limit (`--max-trace-size`): bad input, the run stops. */
export class TraceLimitError extends InputError {
  constructor(readonly limitBytes: number, readonly t: number, what: string) {
    super(`the trace is over its limit of ${what} at t=${t}ms (raise it with --max-trace-size SIZE, or shorten the run with --until)`);
    this.name = 'TraceLimitError';
  }
}

/** Options of a TraceWriter. */
export interface TraceOptions {
  /** Stop the run (TraceLimitError) when the trace would grow past this many bytes. */
  readonly maxBytes?: number;
  /** How `maxBytes` reads in the message (e.g. `4 GiB`). */
  readonly maxBytesText?: string;
}

/** Sees each record as the typed event its trace line holds (metrics, invariants, replay). */
export type TraceEventListener = (e: TraceEvent) => void;

export class TraceWriter implements Recorder {
  private readonly hash: Hash = createHash('sha256');
  private buf = '';
  private fd: number | undefined;
  private readonly tmpPath: string | undefined;
  private seq = 0;
  private bytes = 0;
  private closed = false;
  private readonly eventListeners: TraceEventListener[] = [];

  /**
   * @param now the clock the trace stamps lines with.
   * @param path where to write; when absent the trace is only hashed (fuzzing, property tests).
   */
  private overLimit: TraceLimitError | undefined;
  private failed: Error | undefined;

  constructor(
    private readonly now: () => number,
    private readonly path?: string,
    private readonly options: TraceOptions = {},
  ) {
    if (path) {
      try {
        mkdirSync(dirname(path), { recursive: true });
        this.tmpPath = temporaryName(path);
        trackTemporary(this.tmpPath);
        this.fd = openSync(this.tmpPath, 'w');
      } catch (e) {
        if (this.tmpPath) untrackTemporary(this.tmpPath);
        throw outputError(e, path);
      }
    }
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
    if (this.overLimit) throw this.overLimit;
    if (this.failed) throw this.failed;
    const t = this.now();
    const seq = this.seq++;
    // The line's object is the event listeners see (built once, as before the typed trace).
    const event = { t, seq, type, ...fields };
    const line = JSON.stringify(event) + '\n';
    this.buf += line;
    // UTF-16 length ≤ UTF-8 bytes: past the limit in code units, flush() measures exactly.
    const max = this.options.maxBytes;
    if (this.buf.length >= CHUNK || (max !== undefined && this.bytes + this.buf.length > max)) this.flush();
    // K is one event type, so `event` is that member of the union (TypeScript cannot see it through K).
    for (const l of this.eventListeners) l(event as unknown as TraceEvent);
  }

  private flush(): void {
    if (this.buf.length === 0) return;
    const data = Buffer.from(this.buf, 'utf8');
    this.buf = '';
    const max = this.options.maxBytes;
    if (max !== undefined && this.bytes + data.length > max) {
      this.overLimit = new TraceLimitError(max, this.now(), this.options.maxBytesText ?? `${max} bytes`);
      throw this.overLimit;
    }
    this.hash.update(data);
    this.bytes += data.length;
    if (this.fd !== undefined) {
      try {
        writeAllSync(this.fd, data);
      } catch (e) {
        this.failed = outputError(e, this.path!);
        throw this.failed;
      }
    }
  }

  /** Flushes, hashes and (when writing a file) moves it into place. */
  close(): TraceResult {
    if (this.closed) throw new Error('trace already closed');
    this.flush();
    if (this.fd !== undefined) {
      // On disk before it has its final name: a crash after the rename finds the whole trace.
      try {
        fsyncSync(this.fd);
        closeSync(this.fd);
        this.fd = undefined;
        renameSync(this.tmpPath!, this.path!);
        untrackTemporary(this.tmpPath!);
      } catch (e) {
        this.abort();
        throw outputError(e, this.path!);
      }
    }
    this.closed = true;
    return { hash: this.hash.digest('hex'), lines: this.seq, bytes: this.bytes, path: this.path };
  }

  /** Discards a trace that will not be completed (the temporary file is removed). */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (this.tmpPath !== undefined) {
      rmSync(this.tmpPath, { force: true });
      untrackTemporary(this.tmpPath);
    }
  }
}
