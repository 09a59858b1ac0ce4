/**
 * A durable StateStore: the desired state (workloads) lives in one JSON file, rewritten
 * atomically (temporary file, every byte, fsync, rename: src/engine/durable-file.ts) on every change, so a control
 * plane killed at any instant (kill -9) leaves either the old or the new file, never half of one.
 * Instance records stay in memory: after a restart they are rebuilt from the containers' labels
 * (Orchestrator adoption), which is the ground truth.
 *
 * File format (version 1):
 *   {"version":1,"workloads":[Workload...],"meta":{...}}
 * `meta` is free-form data for the process that owns the store (the live runner keeps its run's
 * start time and which scenario steps it has applied there).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileDurable } from '../../src/engine/durable-file.js';
import { readStateFile } from './state-file.js';
import { InMemoryStateStore } from '../../src/core/state-store.js';
import type { Workload, WorkloadId } from '../../src/core/types.js';

interface StoreFile {
  readonly version: 1;
  readonly workloads: Workload[];
  readonly meta: Record<string, unknown>;
}

export class FileStateStore extends InMemoryStateStore {
  private meta: Record<string, unknown> = {};

  /**
   * Opens `path`, loading what it holds; a missing file is an empty store. A file that is not a
   * valid state file (empty, not JSON, wrong shape, a folder) is an InputError naming it and why.
   */
  constructor(readonly path: string) {
    super();
    const data = readStateFile(path);
    if (data !== undefined) {
      for (const w of data.workloads) super.putWorkload(w);
      this.meta = data.meta;
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
    writeFileDurable(this.path, JSON.stringify(data) + '\n');
  }
}
