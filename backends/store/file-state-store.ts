/**
 * A durable StateStore: the desired state (workloads) lives in one JSON file, rewritten
 * atomically (write-file-atomic: temporary file, fsync, rename) on every change, so a control
 * plane killed at any instant (kill -9) leaves either the old or the new file, never half of one.
 * Instance records stay in memory: after a restart they are rebuilt from the containers' labels
 * (Orchestrator adoption), which is the ground truth.
 *
 * File format (version 1):
 *   {"version":1,"workloads":[Workload...],"meta":{...}}
 * `meta` is free-form data for the process that owns the store (the live runner keeps its run's
 * start time and which scenario steps it has applied there).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { OrchestrationError } from '../../src/core/errors.js';
import { InMemoryStateStore } from '../../src/core/state-store.js';
import type { Workload, WorkloadId } from '../../src/core/types.js';

interface StoreFile {
  readonly version: 1;
  readonly workloads: Workload[];
  readonly meta: Record<string, unknown>;
}

export class FileStateStore extends InMemoryStateStore {
  private meta: Record<string, unknown> = {};

  /** Opens `path`, loading what it holds; a missing file is an empty store. */
  constructor(readonly path: string) {
    super();
    let text: string | undefined;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new OrchestrationError('State', `cannot read ${path}: ${(e as Error).message}`);
    }
    if (text !== undefined) {
      let data: StoreFile;
      try {
        data = JSON.parse(text) as StoreFile;
      } catch (e) {
        throw new OrchestrationError('State', `${path}: not a Slipway state file: ${(e as Error).message}`);
      }
      if (data.version !== 1 || !Array.isArray(data.workloads))
        throw new OrchestrationError('State', `${path}: unsupported state file (version ${String(data.version)})`);
      for (const w of data.workloads) super.putWorkload(w);
      this.meta = data.meta ?? {};
    }
  }

  /** True when the file held state from an earlier run. */
  get resumed(): boolean {
    return Object.keys(this.meta).length > 0 || this.listWorkloads().length > 0;
  }

  getMeta<T>(key: string): T | undefined {
    return this.meta[key] as T | undefined;
  }

  setMeta(key: string, value: unknown): void {
    this.meta = { ...this.meta, [key]: value };
    this.save();
  }

  override putWorkload(workload: Workload): void {
    super.putWorkload(workload);
    this.save();
  }

  override deleteWorkload(id: WorkloadId): void {
    if (!this.getWorkload(id)) return;
    super.deleteWorkload(id);
    this.save();
  }

  private save(): void {
    const data: StoreFile = { version: 1, workloads: [...this.listWorkloads()], meta: this.meta };
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileAtomic.sync(this.path, JSON.stringify(data) + '\n');
  }
}
