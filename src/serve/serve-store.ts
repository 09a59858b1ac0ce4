/**
 * The daemon's durable StateStore: desired state (workloads) plus the API's bookkeeping (each
 * workload's revisions and the spec as it was sent, cordoned nodes, the revision ceiling) in one
 * JSON file, `STATE/state.json`, in the file store's format (version 1, `meta` free-form).
 *
 * Writes are group-committed: a change marks the store dirty and one atomic write
 * (write-file-atomic: temporary file, fsync, rename) soon after covers every change made
 * until it starts. The API answers a mutation only after `flush()` resolved, i.e. once a write
 * that includes it is on disk, so an acknowledged change survives kill -9; hundreds of concurrent
 * applies cost a few writes, not hundreds. Instance records stay in memory: after a restart they
 * are rebuilt from the containers' labels (Orchestrator adoption), which is the ground truth.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
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
};

interface StoreFile {
  readonly version: 1;
  readonly workloads: Workload[];
  readonly meta: { readonly serve?: ServeMeta } & Record<string, unknown>;
}

export class ServeStore extends InMemoryStateStore {
  readonly meta: ServeMeta = { revisionCeiling: 0, workloads: {}, cordoned: [] };
  private dirty = false;
  private writing: Promise<void> | undefined;
  private scheduled = false;
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  /** Each workload's and workload record's JSON, by object (see serialize). */
  private readonly jsonOf = new WeakMap<object, string>();
  /** The last write's failure (the daemon reports it on /readyz). */
  lastError: string | undefined;

  /** Opens `path`; a missing file is an empty store. Throws InputError for an unreadable or foreign file. */
  constructor(readonly path: string) {
    super();
    let text: string | undefined;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadable(path, e);
    }
    if (text === undefined) return;
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
  }

  override putWorkload(workload: Workload): void {
    super.putWorkload(workload);
    this.markDirty();
  }

  override deleteWorkload(id: WorkloadId): void {
    super.deleteWorkload(id);
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

  /** Writes at once, synchronously (the revision ceiling; shutdown). */
  saveNow(): void {
    this.dirty = false;
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileAtomic.sync(this.path, this.serialize());
  }

  /**
   * The file's text: exactly `JSON.stringify({version: 1, workloads, meta: {serve: meta}})`, built
   * from each workload's and each workload record's JSON, remembered per object. Workloads and
   * records are immutable (a change puts a new object), so a commit re-serialises only what
   * changed since the last one, not all W workloads (W × the group-commit rate would dominate the
   * daemon's CPU under applies).
   */
  private serialize(): string {
    const json = (o: object): string => {
      let t = this.jsonOf.get(o);
      if (t === undefined) this.jsonOf.set(o, (t = JSON.stringify(o)));
      return t;
    };
    const workloads = this.listWorkloads().map(json).join(',');
    const meta = Object.entries(this.meta)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => {
        const value = k !== 'workloads' ? JSON.stringify(v) : `{${Object.entries(v as ServeMeta['workloads']).map(([name, m]) => `${JSON.stringify(name)}:${json(m)}`).join(',')}}`;
        return `${JSON.stringify(k)}:${value}`;
      })
      .join(',');
    return `{"version":1,"workloads":[${workloads}],"meta":{"serve":{${meta}}}}\n`;
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
    const text = this.serialize();
    this.writing = (async () => {
      mkdirSync(dirname(this.path), { recursive: true });
      await writeFileAtomic(this.path, text);
    })();
    try {
      await this.writing;
      this.lastError = undefined;
      for (const w of waiters) w.resolve();
    } catch (e) {
      this.lastError = (e as Error).message;
      this.dirty = true;
      for (const w of waiters) w.reject(e);
    } finally {
      this.writing = undefined;
    }
    if (this.dirty || this.waiters.length > 0) void this.commit();
  }
}
