import type { BoundChanges, BoundInstance } from './interfaces.js';
import type { WorkloadState } from './control-plane-state.js';
import type { Resources } from './resources.js';
import type { Instance } from './types.js';

/** What NodeView.bound reads for one instance, found once per stay on the node. */
export interface BoundEntry {
  readonly inst: Instance;
  readonly ws: WorkloadState;
  readonly request: Resources;
  /** The last BoundInstance handed out for it (the same object while its fields are unchanged). */
  bound?: BoundInstance;
}

/**
 * A node's instance ids (insertion order), plus what lets the Orchestrator compute the node's
 * bound list from the last one and the changes since, instead of from every instance:
 * - `known`: each id's record, workload state and request, remembered while the id stays in the
 *   set (adding or deleting an id forgets its entry; they do not change during a stay);
 * - `last`: the list last handed out (undefined: compute it in full next time);
 * - `added` (in order), `removed`: membership changes since `last` (an id removed and added again
 *   moves to the end of the set: `last` is dropped then);
 * - `changed`: instances whose scheduler-visible fields (start, stop, end, workload) may have
 *   changed since `last` — the Orchestrator marks them where it changes those fields;
 * - `reader` and its `since` changes: the same, kept for the one reader of NodeView.boundChanges
 *   (the scheduler), which is handed the changes themselves instead of a list.
 *
 * Changes nobody reads are dropped once they outnumber the instances (the next read is in full),
 * so a node whose list is never read again holds no more than its instances.
 */
export class BoundSet extends Set<string> {
  readonly known = new Map<string, BoundEntry>();
  last: readonly BoundInstance[] | undefined;
  added: string[] = [];
  readonly removed = new Set<string>();
  readonly changed = new Set<string>();
  /** The reader NodeView.boundChanges describes changes to (undefined: its next call reads in full). */
  reader: object | undefined;
  /** Since `reader` last read: ids added (in order: an id removed and added again moves to the end, as in the set), removed, changed. */
  readonly since = { added: new Set<string>(), removed: new Set<string>(), changed: new Set<string>() };

  override add(id: string): this {
    if (super.has(id)) return this;
    // `known` is undefined while Set's constructor runs (it adds nothing here, but calls add).
    if (this.known !== undefined) {
      this.known.delete(id);
      if (this.last !== undefined) {
        if (this.removed.has(id) || this.added.length > this.size + 64) this.last = undefined;
        else this.added.push(id);
      }
      if (this.reader !== undefined) {
        this.since.added.add(id);
        this.capSince();
      }
    }
    return super.add(id);
  }

  override delete(id: string): boolean {
    if (!super.delete(id)) return false;
    this.known.delete(id);
    if (this.last !== undefined) this.removed.add(id);
    if (this.reader !== undefined) {
      const s = this.since;
      s.added.delete(id);
      s.changed.delete(id);
      s.removed.add(id);
      this.capSince();
    }
    return true;
  }

  override clear(): void {
    this.known.clear();
    this.last = undefined;
    this.follow(undefined);
    super.clear();
  }

  /** The instance's bound fields may have changed. */
  touch(id: string): void {
    if (!super.has(id)) return;
    if (this.last !== undefined) this.changed.add(id);
    if (this.reader !== undefined && !this.since.added.has(id)) this.since.changed.add(id);
  }

  /**
   * NodeView.boundChanges: the changes since `reader` last called (the ids removed, the instances
   * whose bound fields may have changed, those added in order), or the whole list (`full()`) when
   * `reader` is not the one followed or an instance cannot be read (`entry` gives undefined: its
   * record, workload or request missing). A full list missing an instance is not followed, so the
   * next call reads in full again and finds it. The changes are good until the next call (their
   * lists are refilled).
   */
  changesFor(reader: object, entry: (id: string) => BoundInstance | undefined, full: () => readonly BoundInstance[]): BoundChanges {
    // A list handed to a full reader (explain) is not kept while changes are described: it would track every change twice.
    if (this.last !== undefined) this.settle(undefined);
    if (this.reader === reader) {
      const { added, removed, changed } = this.since;
      // One answer object per node, refilled: a scheduler call reads every changed node (hundreds a call under load).
      const out = this.answer;
      out.removed.length = 0;
      out.changed.length = 0;
      out.added.length = 0;
      for (const id of removed) out.removed.push(id);
      let complete = true;
      for (const id of changed) {
        const b = entry(id);
        if (b) out.changed.push(b);
        else complete = false;
      }
      for (const id of added) {
        const b = entry(id);
        if (b) out.added.push(b);
        else complete = false;
      }
      if (complete) {
        this.follow(reader);
        return out;
      }
    }
    const list = full();
    this.settle(undefined);
    this.follow(list.length === this.size ? reader : undefined);
    return { full: list };
  }

  private readonly answer = { removed: new Array<string>(), changed: new Array<BoundInstance>(), added: new Array<BoundInstance>() };

  /** Starts describing changes to `reader` from now (undefined: to nobody). */
  follow(reader: object | undefined): void {
    this.reader = reader;
    this.since.added.clear();
    this.since.removed.clear();
    this.since.changed.clear();
  }

  /** Changes unread for long (more than the instances, plus slack) are dropped: the reader reads in full next. */
  private capSince(): void {
    if (this.since.added.size + this.since.removed.size > 2 * this.size + 64) this.follow(undefined);
  }

  /** Records the list just handed out (undefined: the next one is computed in full). */
  settle(list: readonly BoundInstance[] | undefined): void {
    this.last = list;
    this.added = [];
    this.removed.clear();
    this.changed.clear();
  }
}
