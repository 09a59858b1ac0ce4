/**
 * Fenced writes (issue #14): every write of a leader is one transaction conditioned on
 *
 * 1. the object's mod revision (optimistic concurrency: 0 = the key must not exist), and
 * 2. the leader key's create revision still being the term's (`Term.revision`) — fencing.
 *
 * A leader that was deposed without knowing it (paused past its lease, partitioned, its clock
 * slow) therefore cannot write: the store refuses, and the refusal says which condition failed.
 * Kubernetes' client-go leader election does not do (2); Slipway does.
 */
import type { Term } from './election.js';
import type { ConsistentKv, KvCompare, KvEntry, KvOp, KvTxn } from './kv.js';

/** One write under fencing: put (with optional lease) or delete of `key`. */
export interface FencedWrite {
  readonly key: string;
  /** The mod revision the writer last saw (0 = the key must be absent); omit to write unconditionally on the object. */
  readonly expectedModRevision?: number;
  /** The new value, or undefined to delete. */
  readonly value?: string;
}

export type FencedResult =
  | { readonly ok: true; readonly revision: number }
  /** The leader key is no longer this term's: the writer is deposed and must step down. */
  | { readonly ok: false; readonly reason: 'fenced'; readonly leader?: KvEntry }
  /** The object changed since the writer read it: re-read and decide again. */
  | { readonly ok: false; readonly reason: 'conflict'; readonly current?: KvEntry };

/** The compare that fences a transaction to `term` on `leaderKey`. */
export function fenceCompare(leaderKey: string, term: Term): KvCompare {
  return { key: leaderKey, target: 'create', op: '=', value: term.revision };
}

/**
 * Writes through fencing. `fencing: false` drops the leader compare — only planted-bug tests do
 * that, to show the checks catch a deposed leader's accepted write.
 */
export class FencedWriter {
  constructor(
    private readonly kv: ConsistentKv,
    readonly leaderKey: string,
    private readonly fencing = true,
  ) {}

  /** The transaction `write` sends under `term` (exposed for checks that map commits to terms). */
  txnFor(term: Term, writes: readonly FencedWrite[]): KvTxn {
    const compare: KvCompare[] = this.fencing ? [fenceCompare(this.leaderKey, term)] : [];
    const success: KvOp[] = [];
    for (const w of writes) {
      if (w.expectedModRevision !== undefined) compare.push({ key: w.key, target: 'mod', op: '=', value: w.expectedModRevision });
      success.push(w.value === undefined ? { type: 'delete', key: w.key } : { type: 'put', key: w.key, value: w.value });
    }
    const failure: KvOp[] = [{ type: 'get', key: this.leaderKey }, ...writes.map((w): KvOp => ({ type: 'get', key: w.key }))];
    return { compare, success, failure };
  }

  /**
   * Writes every item in one transaction, all or nothing. Rejects with StoreUnavailableError when
   * the store cannot be reached (the effect is then unknown).
   */
  async write(term: Term, writes: readonly FencedWrite[], observe?: (txn: KvTxn) => void): Promise<FencedResult> {
    const txn = this.txnFor(term, writes);
    observe?.(txn);
    const r = await this.kv.txn(txn);
    if (r.succeeded) return { ok: true, revision: r.revision };
    const leader = r.reads[0];
    if (this.fencing && leader?.createRevision !== term.revision) return { ok: false, reason: 'fenced', ...(leader ? { leader } : {}) };
    const stale = writes.findIndex((w, i) => w.expectedModRevision !== undefined && (r.reads[i + 1]?.modRevision ?? 0) !== w.expectedModRevision);
    const current = r.reads[stale + 1];
    return { ok: false, reason: 'conflict', ...(current ? { current } : {}) };
  }
}
