/**
 * The daemon's durable StateStore: desired state (workloads) plus the API's bookkeeping (each
 * workload's revisions and the spec as it was sent, cordoned nodes, the revision ceiling).
 * Instance records stay in memory: after a restart they are rebuilt from the containers' labels
 * (Orchestrator adoption), which is the ground truth.
 *
 * On disk, two files beside each other in the state directory:
 * - `state.json`, the snapshot, in the file store's format (version 1, `meta` free-form) plus the
 *   last journal entry it holds: `{"version":1,"journal":S,"workloads":[...],"meta":{"serve":{...}}}`,
 *   written atomically (temporary file, fsync, rename, fsync of the folder: src/engine/durable-file.ts);
 * - `state.journal`, the changes since: one JSON line per commit,
 *   `{"seq":N,"ops":[["put",Workload],["del",ID],["meta",NAME,WorkloadMeta|null],["cordoned",[...]],["ceiling",N]]}`,
 *   appended through a descriptor opened with O_DSYNC (a write returns once its data is durable;
 *   where the platform lacks the flag, the write is followed by fdatasync).
 *
 * Writes are group-committed: a change marks the store dirty and one commit soon after covers
 * every change made until it starts. The API answers a mutation only after `flush()` resolved,
 * i.e. once a commit that includes it is on disk, so an acknowledged change survives kill -9;
 * hundreds of concurrent applies cost a few commits, not hundreds. A commit appends only what
 * changed (O(change), not O(workloads)); when the journal has grown past the snapshot's size (at
 * least `COMPACT_MIN_BYTES`), the commit writes a new snapshot instead and empties the journal, so
 * the amortised cost stays O(change) and opening replays a bounded journal.
 *
 * Opening reads the snapshot, then applies the journal's entries above S in file order. A last
 * line without its newline, or one that does not parse, was cut short by a crash during its
 * append (kill -9, power loss): that commit was never acknowledged, so it is dropped and cut off
 * the file. A damaged line anywhere else is refused (InputError naming FILE:LINE).
 */
import { closeSync, constants, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync, write } from 'node:fs';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { commitFiles, temporaryName, trackTemporary, untrackTemporary, writeFileDurable } from '../engine/durable-file.js';
import { InputError } from '../core/errors.js';
import { unreadable } from '../core/read-failure.js';
import { InMemoryStateStore } from '../core/state-store.js';
import type { Workload, WorkloadId } from '../core/types.js';

/** What the API keeps about a workload besides the orchestrator's Workload. */
export interface WorkloadMeta {
  /** Revision of its last change through the API. */
  readonly revision: number;
  readonly createdRevision: number;
  /** The spec as it was last sent (scenario workload format). */
  readonly spec: Record<string, unknown>;
}

export interface ServeMeta {
  /** Revisions up to this may have been handed out: a restarted daemon continues above it. */
  revisionCeiling: number;
  workloads: Record<string, WorkloadMeta>;
  /** Nodes cordoned through the API (re-applied at start). */
  cordoned: string[];
}

/** What the daemon needs of its store, whichever holds it (this file store, or etcd: etcd-serve-store.ts). */
export type DaemonStore = InMemoryStateStore & {
  readonly meta: ServeMeta;
  readonly lastError: string | undefined;
  /** Records a change of the API's bookkeeping (written with the next commit). */
  markDirty(): void;
  /** Resolves once everything changed before the call is durable; rejects if that write failed. */
  flush(): Promise<void>;
  /** Writes now (the file store: synchronously; a KV: with the next commit). */
  saveNow(): void;
  /** The commit's write in flight, if any (settles when it ends, whether or not it failed). */
  inFlight?(): Promise<void> | undefined;
  /** A control-plane record happened (a KV store writes what it names, e.g. its instance, with the next commit). */
  noteRecord?(fields: Readonly<Record<string, unknown>>): void;
};

interface StoreFile {
  readonly version: 1;
  readonly journal?: number;
  readonly workloads: Workload[];
  readonly meta: { readonly serve?: ServeMeta } & Record<string, unknown>;
}

/** The journal is folded into a new snapshot once it is larger than the snapshot and than this. */
export const COMPACT_MIN_BYTES = 256 * 1024;
/** After a failed commit with no request waiting, the first retry's delay (ms); it doubles per failure up to RETRY_MAX_MS. */
export const RETRY_MIN_MS = 50;
export const RETRY_MAX_MS = 5000;

/** The journal beside a snapshot `DIR/state.json`: `DIR/state.journal`. */
export function journalPathOf(snapshotPath: string): string {
  return join(dirname(snapshotPath), 'state.journal');
}

type Op = readonly ['put', Workload] | readonly ['del', string] | readonly ['meta', string, WorkloadMeta | null] | readonly ['cordoned', string[]] | readonly ['ceiling', number];

export class ServeStore extends InMemoryStateStore {
  readonly meta: ServeMeta = this.trackedMeta();
  /**
   * Names whose workload record was set or deleted since the last commit (`meta.workloads` is a
   * proxy that notes them), so a commit looks at those, not at every workload's record: with
   * 1,500 workloads the scan of all of them was half of the store's time on the daemon's thread
   * at 500 applies/s (docs/performance.md).
   */
  private readonly changedMeta = new Set<string>();
  /** `meta.workloads` was replaced as a whole: the next commit compares every record. */
  private metaReplaced = false;
  readonly journalPath: string;
  private dirty = false;
  private writing: Promise<void> | undefined;
  private scheduled = false;
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = RETRY_MIN_MS;
  /** Each workload's and workload record's JSON, by object (objects are immutable: a change puts a new one). */
  private readonly jsonOf = new WeakMap<object, string>();
  /** Workload puts and deletions since the last commit, in order, as JSON. */
  private pendingOps: string[] = [];
  /** The API's bookkeeping as of the last commit (to tell what changed since). */
  private readonly committedMeta = new Map<string, WorkloadMeta>();
  private committedCordoned = '[]';
  private committedCeiling = 0;
  /** The last journal entry written (or folded into the snapshot). */
  private seq = 0;
  /** The last entry the snapshot on disk holds. */
  private snapshotSeq = 0;
  private snapshotBytes = 0;
  private journalBytes = 0;
  /** The journal's file descriptor (opened for appending at the first commit). */
  private journal: number | undefined;
  /** A failed commit lost track of what changed: the next one writes a whole snapshot. */
  private mustCompact = false;
  /** The last write's failure (the daemon reports it on /readyz). */
  lastError: string | undefined;

  /** Opens `path` and its journal; a missing file is an empty store. Throws InputError for an unreadable or foreign file. */
  constructor(readonly path: string) {
    super();
    this.journalPath = journalPathOf(path);
    const text = readIfAny(path);
    if (text !== undefined) {
      let data: StoreFile;
      try {
        data = JSON.parse(text) as StoreFile;
      } catch (e) {
        throw new InputError(`--state: ${path} is not a Slipway state file: ${(e as Error).message}`);
      }
      if (data?.version !== 1 || !Array.isArray(data.workloads)) throw new InputError(`--state: ${path}: unsupported state file (version ${String(data?.version)})`);
      for (const w of data.workloads) super.putWorkload(w);
      const m = data.meta?.serve;
      if (m) {
        this.meta.revisionCeiling = m.revisionCeiling ?? 0;
        this.meta.workloads = m.workloads ?? {};
        this.meta.cordoned = m.cordoned ?? [];
      }
      this.seq = this.snapshotSeq = Number.isSafeInteger(data.journal) ? data.journal! : 0;
      this.snapshotBytes = Buffer.byteLength(text);
    }
    this.replayJournal();
    for (const [name, m] of Object.entries(this.meta.workloads)) this.committedMeta.set(name, m);
    this.changedMeta.clear();
    this.metaReplaced = false;
    this.committedCordoned = JSON.stringify(this.meta.cordoned);
    this.committedCeiling = this.meta.revisionCeiling;
  }

  /** Applies the journal's entries above the snapshot; cuts off a torn last line. */
  private replayJournal(): void {
    let buf: Buffer;
    try {
      buf = readFileSync(this.journalPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw unreadable(this.journalPath, e);
    }
    let at = 0;
    let line = 0;
    while (at < buf.length) {
      line++;
      const nl = buf.indexOf(0x0a, at);
      const end = nl < 0 ? buf.length : nl;
      let entry: { seq: number; ops: Op[] } | undefined;
      try {
        const e = JSON.parse(buf.toString('utf8', at, end)) as { seq?: unknown; ops?: unknown };
        if (typeof e === 'object' && e !== null && Number.isSafeInteger(e.seq) && Array.isArray(e.ops)) entry = e as { seq: number; ops: Op[] };
      } catch {
        /* damaged: below */
      }
      if (entry === undefined || nl < 0) {
        const last = nl < 0 || buf.subarray(nl + 1).every((b) => b === 0x0a || b === 0x20 || b === 0);
        if (!last) throw new InputError(`--state: ${this.journalPath}:${line}: damaged journal entry (not the last line, so not a write cut short by a crash); restore the state directory from a backup`);
        break; // the append a crash cut short: never acknowledged
      }
      if (entry.seq > this.snapshotSeq) {
        for (const op of entry.ops) this.applyOp(op, line);
        this.seq = Math.max(this.seq, entry.seq);
      }
      at = nl + 1;
    }
    if (at < buf.length) {
      // Cut the torn tail off, so the next append starts on a line of its own.
      const fd = openSync(this.journalPath, 'r+');
      try {
        ftruncateSync(fd, at);
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    this.journalBytes = at;
  }

  private applyOp(op: Op, line: number): void {
    switch (op[0]) {
      case 'put':
        super.putWorkload(op[1]);
        return;
      case 'del':
        super.deleteWorkload(op[1]);
        return;
      case 'meta':
        if (op[2] === null) delete this.meta.workloads[op[1]];
        else this.meta.workloads[op[1]] = op[2];
        return;
      case 'cordoned':
        this.meta.cordoned = op[1];
        return;
      case 'ceiling':
        this.meta.revisionCeiling = op[1];
        return;
      default:
        throw new InputError(`--state: ${this.journalPath}:${line}: unknown journal operation ${JSON.stringify((op as unknown[])[0])}`);
    }
  }

  override putWorkload(workload: Workload): void {
    super.putWorkload(workload);
    this.pendingOps.push(`["put",${this.json(workload)}]`);
    this.markDirty();
  }

  override deleteWorkload(id: WorkloadId): void {
    super.deleteWorkload(id);
    this.pendingOps.push(`["del",${JSON.stringify(id)}]`);
    this.markDirty();
  }

  /** Records a change of the API's bookkeeping (written with the next commit). */
  markDirty(): void {
    this.dirty = true;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.commit();
    });
  }

  /** Resolves once everything changed before the call is on disk; rejects if that write failed. */
  flush(): Promise<void> {
    if (!this.dirty && !this.writing) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.scheduled && !this.writing) void this.commit();
    });
  }

  inFlight(): Promise<void> | undefined {
    return this.writing;
  }

  /** Writes a whole snapshot at once, synchronously, and empties the journal (the revision ceiling; shutdown). */
  saveNow(): void {
    this.dirty = false;
    this.collectOps();
    const seq = ++this.seq;
    mkdirSync(dirname(this.path), { recursive: true });
    const text = this.serialize(seq);
    writeFileDurable(this.path, text);
    this.snapshotSeq = seq;
    this.snapshotBytes = Buffer.byteLength(text);
    this.truncateJournal();
    this.mustCompact = false;
  }

  /** Closes the journal (after the last flush or saveNow; a later commit opens it again). */
  close(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const fd = this.journal;
    this.journal = undefined;
    if (fd !== undefined) closeSync(fd);
  }

  private json(o: object): string {
    let t = this.jsonOf.get(o);
    if (t === undefined) this.jsonOf.set(o, (t = JSON.stringify(o)));
    return t;
  }

  /** The meta object, its `workloads` a proxy noting each name set or deleted (and a new `workloads` object wrapped again). */
  private trackedMeta(): ServeMeta {
    const track = (target: Record<string, WorkloadMeta>): Record<string, WorkloadMeta> =>
      new Proxy(target, {
        set: (t, name, value, receiver) => {
          if (typeof name === 'string') this.changedMeta.add(name);
          return Reflect.set(t, name, value, receiver);
        },
        deleteProperty: (t, name) => {
          if (typeof name === 'string') this.changedMeta.add(name);
          return Reflect.deleteProperty(t, name);
        },
      });
    const replaced = (): void => {
      this.metaReplaced = true;
    };
    let workloads = track({});
    return {
      revisionCeiling: 0,
      get workloads() {
        return workloads;
      },
      set workloads(v: Record<string, WorkloadMeta>) {
        workloads = track(v);
        replaced();
      },
      cordoned: [],
    };
  }

  /** The operations since the last commit (workload puts and deletions, then what changed in meta); marks them committed. */
  private collectOps(): string[] {
    const ops = this.pendingOps;
    this.pendingOps = [];
    const now = this.meta.workloads;
    const names = this.metaReplaced ? new Set([...Object.keys(now), ...this.committedMeta.keys()]) : this.changedMeta;
    for (const name of names) {
      const m = Object.hasOwn(now, name) ? now[name] : undefined;
      if (m === undefined) {
        if (this.committedMeta.delete(name)) ops.push(`["meta",${JSON.stringify(name)},null]`);
      } else if (this.committedMeta.get(name) !== m) {
        ops.push(`["meta",${JSON.stringify(name)},${this.json(m)}]`);
        this.committedMeta.set(name, m);
      }
    }
    this.changedMeta.clear();
    this.metaReplaced = false;
    const cordoned = JSON.stringify(this.meta.cordoned);
    if (cordoned !== this.committedCordoned) {
      ops.push(`["cordoned",${cordoned}]`);
      this.committedCordoned = cordoned;
    }
    if (this.meta.revisionCeiling !== this.committedCeiling) {
      ops.push(`["ceiling",${JSON.stringify(this.meta.revisionCeiling)}]`);
      this.committedCeiling = this.meta.revisionCeiling;
    }
    return ops;
  }

  /**
   * The snapshot's text: exactly `JSON.stringify({version: 1, journal: seq, workloads, meta: {serve: meta}})`,
   * built from each workload's and each workload record's JSON, remembered per object, so a
   * snapshot re-serialises only what changed since the last one.
   */
  private serialize(seq: number): string {
    const workloads = this.listWorkloads()
      .map((w) => this.json(w))
      .join(',');
    const meta = Object.entries(this.meta)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => {
        const value = k !== 'workloads' ? JSON.stringify(v) : `{${Object.entries(v as ServeMeta['workloads']).map(([name, m]) => `${JSON.stringify(name)}:${this.json(m)}`).join(',')}}`;
        return `${JSON.stringify(k)}:${value}`;
      })
      .join(',');
    return `{"version":1,"journal":${seq},"workloads":[${workloads}],"meta":{"serve":{${meta}}}}\n`;
  }

  private async commit(): Promise<void> {
    // A write is under way: this change is written by the next one, started when it ends.
    if (this.writing !== undefined) return;
    if (!this.dirty) {
      for (const w of this.waiters.splice(0)) w.resolve();
      return;
    }
    const waiters = this.waiters.splice(0);
    this.dirty = false;
    // Whatever fails from here (the write, or building what it writes) is answered to these
    // waiters: none is left waiting for a write that never comes. Ops collected but not written are
    // not lost: a failure makes the next commit write a whole snapshot.
    let write: Promise<void> | undefined;
    try {
      const ops = this.collectOps();
      const compact = this.mustCompact || this.journalBytes > Math.max(COMPACT_MIN_BYTES, this.snapshotBytes);
      if (ops.length > 0 || compact) {
        const seq = ++this.seq;
        // Taken now, synchronously: the snapshot holds exactly the state the ops lead to.
        write = compact ? this.compact(seq, this.serialize(seq)) : this.append(`{"seq":${seq},"ops":[${ops.join(',')}]}\n`);
        this.writing = write;
      }
      await write;
      this.lastError = undefined;
      this.retryMs = RETRY_MIN_MS;
      for (const w of waiters) w.resolve();
    } catch (e) {
      this.lastError = (e as Error).message;
      this.dirty = true;
      this.mustCompact = true;
      for (const w of waiters) w.reject(e);
    } finally {
      // Only this commit's own write: a commit with nothing to write must not clear another's.
      if (this.writing === write) this.writing = undefined;
    }
    if (this.lastError !== undefined) this.retryLater();
    else if (this.dirty || this.waiters.length > 0) void this.commit();
  }

  /**
   * After a failed commit (a full disk, say) the changes are written again later: at once for
   * requests already waiting (each gets its answer: a 500 if that write fails too), otherwise after a
   * backoff that doubles up to RETRY_MAX_MS, so a disk that stays full is not asked in a loop. A new
   * request's flush still tries at once.
   */
  private retryLater(): void {
    if (this.retryTimer !== undefined) return;
    const ms = this.waiters.length > 0 ? 0 : this.retryMs;
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.commit();
    }, ms);
    this.retryTimer.unref();
  }

  private openJournal(): number {
    if (this.journal === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      // O_DSYNC where the platform has it: each write returns once its data is durable, as a write
      // then fdatasync would, in one trip to the thread pool instead of two (a trip waits for the
      // event loop, which the control plane shares: half the trips, about half an apply's wait).
      this.journal = openSync(this.journalPath, JOURNAL_FLAGS, 0o644);
    }
    return this.journal;
  }

  /** Appends one entry and makes it durable; on failure the journal is cut back to before it. */
  private async append(line: string): Promise<void> {
    const data = Buffer.from(line, 'utf8');
    const fd = this.openJournal();
    const before = this.journalBytes;
    const snapshot = this.snapshotSeq;
    try {
      let off = 0;
      while (off < data.length) off += await writeAsync(fd, data, off, data.length - off);
      if (!DSYNC) await fdatasyncAsync(fd);
      // A saveNow during the write emptied the journal (this entry, below its snapshot, is skipped at replay).
      this.journalBytes = this.snapshotSeq === snapshot ? before + data.length : fstatSync(fd).size;
    } catch (e) {
      // Cut back to before this entry (unless a saveNow emptied the journal meanwhile).
      if (this.snapshotSeq === snapshot) {
        try {
          ftruncateSync(fd, before);
        } catch {
          /* the next commit writes a whole snapshot and empties the journal anyway */
        }
      }
      throw e;
    }
  }

  /** Writes a new snapshot holding entries up to `seq` (asynchronously), then empties the journal. */
  private async compact(seq: number, text: string): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = temporaryName(this.path);
    trackTemporary(tmp);
    try {
      const f = await open(tmp, 'w', 0o644);
      try {
        await f.writeFile(text, 'utf8');
        await f.sync();
      } finally {
        await f.close();
      }
    } catch (e) {
      rmSync(tmp, { force: true });
      untrackTemporary(tmp);
      throw e;
    }
    // saveNow wrote a newer snapshot meanwhile: this one is stale.
    if (this.snapshotSeq >= seq) {
      rmSync(tmp, { force: true });
      untrackTemporary(tmp);
      return;
    }
    commitFiles([[tmp, this.path]]);
    this.snapshotSeq = seq;
    this.snapshotBytes = Buffer.byteLength(text);
    this.mustCompact = false;
    this.truncateJournal();
  }

  /** Empties the journal (everything in it is in the snapshot now). */
  private truncateJournal(): void {
    if (this.journal !== undefined) {
      ftruncateSync(this.journal, 0);
      fdatasyncSync(this.journal);
    } else if (this.journalBytes > 0 || readIfAny(this.journalPath) !== undefined) {
      const fd = openSync(this.journalPath, 'r+');
      try {
        ftruncateSync(fd, 0);
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    this.journalBytes = 0;
  }
}

const writeAsync = promisify((fd: number, data: Buffer, off: number, len: number, cb: (e: NodeJS.ErrnoException | null, n: number) => void) => write(fd, data, off, len, null, (e, n) => cb(e, n)));
const fdatasyncAsync = promisify(fdatasync);
/** Whether journal writes are synchronised by the open flags (O_DSYNC: Linux, macOS, the BSDs; not Windows). */
const DSYNC = typeof constants.O_DSYNC === 'number' && constants.O_DSYNC !== 0;
const JOURNAL_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (DSYNC ? constants.O_DSYNC : 0);

function readIfAny(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadable(path, e);
    return undefined;
  }
}
