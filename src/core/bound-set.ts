import type { BoundInstance } from './interfaces.js';
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
 *   changed since `last` — the Orchestrator marks them where it changes those fields.
 */
export class BoundSet extends Set<string> {
  readonly known = new Map<string, BoundEntry>();
  last: readonly BoundInstance[] | undefined;
  added: string[] = [];
  readonly removed = new Set<string>();
  readonly changed = new Set<string>();

  override add(id: string): this {
    if (super.has(id)) return this;
    if (this.known !== undefined) {
      this.known.delete(id);
      if (this.last !== undefined) {
        if (this.removed.has(id)) this.last = undefined;
        else this.added.push(id);
      }
    }
    return super.add(id);
  }

  override delete(id: string): boolean {
    if (!super.delete(id)) return false;
    this.known.delete(id);
    if (this.last !== undefined) this.removed.add(id);
    return true;
  }

  override clear(): void {
    this.known.clear();
    this.last = undefined;
    super.clear();
  }

  /** The instance's bound fields may have changed. */
  touch(id: string): void {
    if (this.last !== undefined && super.has(id)) this.changed.add(id);
  }

  /** Records the list just handed out (undefined: the next one is computed in full). */
  settle(list: readonly BoundInstance[] | undefined): void {
    this.last = list;
    this.added = [];
    this.removed.clear();
    this.changed.clear();
  }
}
