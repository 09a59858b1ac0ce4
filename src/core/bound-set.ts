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
 * A node's instance ids (insertion order), with what computing its bound list needs of each,
 * remembered while the id stays in the set: adding or deleting an id forgets its entry, so an
 * entry never outlives the instance's stay on the node (an instance's record, workload state and
 * request do not change during it). Saves the orchestrator-wide map lookups per instance each time
 * a scheduler re-reads a changed node.
 */
export class BoundSet extends Set<string> {
  readonly known = new Map<string, BoundEntry>();

  override add(id: string): this {
    this.known?.delete(id);
    return super.add(id);
  }

  override delete(id: string): boolean {
    this.known.delete(id);
    return super.delete(id);
  }

  override clear(): void {
    this.known.clear();
    super.clear();
  }
}
