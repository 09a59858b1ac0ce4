/**
 * The consistent key-value store the highly available control plane runs on (issue #14): the part
 * of etcd v3's API Slipway uses — revisions, conditional transactions, leases and watches.
 *
 * Two implementations sit behind it: the real etcd (backends/store, through a maintained client)
 * and the simulated store on the virtual clock (backends/sim), so the *same* election and fencing
 * code (src/store) runs live and in simulation. Semantics follow etcd v3:
 *
 * - Every successful write advances the store's one `revision` by one (a transaction with several
 *   writes advances it once). A key's `modRevision` is the revision of its last write;
 *   `createRevision` of its creation. An absent key has modRevision = createRevision = 0 in compares.
 * - `txn` evaluates every compare at one revision; all true ⇒ `success` ops, else `failure` ops,
 *   atomically.
 * - A lease expires `ttl` seconds after its grant or last keep-alive; its keys are then deleted
 *   (one revision). Keep-alive on an expired lease fails with LeaseExpiredError.
 * - A watch delivers every change after `fromRevision`, in revision order, grouped by revision;
 *   when `fromRevision` has been compacted it fails with CompactedError and the caller relists.
 *
 * Errors are the classes below so the election code can tell "the store said no" (fencing) from
 * "the store could not be reached" (unavailability).
 */

/** A lease's identifier (etcd's int64 lease ID, as a decimal string). */
export type LeaseId = string;

export interface KvEntry {
  readonly key: string;
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
  /** Writes since creation (1 after creation). */
  readonly version: number;
  /** The lease the key is attached to, if any. */
  readonly lease?: LeaseId;
}

/** One condition of a transaction (etcd's Compare). */
export type KvCompare =
  | { readonly key: string; readonly target: 'mod' | 'create' | 'version'; readonly op: '=' | '!=' | '<' | '>'; readonly value: number }
  | { readonly key: string; readonly target: 'value'; readonly op: '=' | '!='; readonly value: string }
  | { readonly key: string; readonly target: 'lease'; readonly op: '=' | '!='; readonly value: LeaseId };

/** One operation of a transaction (etcd's RequestOp). */
export type KvOp =
  | { readonly type: 'put'; readonly key: string; readonly value: string; readonly lease?: LeaseId }
  | { readonly type: 'delete'; readonly key: string }
  | { readonly type: 'get'; readonly key: string };

export interface KvTxn {
  readonly compare: readonly KvCompare[];
  readonly success: readonly KvOp[];
  readonly failure?: readonly KvOp[];
}

export interface KvTxnResult {
  readonly succeeded: boolean;
  /** The store's revision after the transaction. */
  readonly revision: number;
  /** The entries read by the executed branch's `get` ops, in order (undefined = absent). */
  readonly reads: readonly (KvEntry | undefined)[];
}

export interface KvRange {
  readonly entries: readonly KvEntry[];
  /** The revision the range was read at (a watch continues from revision + 1). */
  readonly revision: number;
}

export interface KvEvent {
  readonly type: 'put' | 'delete';
  readonly key: string;
  /** The new value (put) — absent for a delete. */
  readonly value?: string;
  readonly modRevision: number;
}

export interface KvWatchHandlers {
  /** Events of one revision, in revision order. */
  onEvents(events: readonly KvEvent[], revision: number): void;
  /** The watch ended: CompactedError (relist), StoreUnavailableError, or closed by the store. */
  onError(error: Error): void;
}

export interface ConsistentKv {
  get(key: string): Promise<KvEntry | undefined>;
  /** Every key starting with `prefix`, sorted by key, at one revision. */
  range(prefix: string): Promise<KvRange>;
  txn(txn: KvTxn): Promise<KvTxnResult>;
  /** Grants a lease of `ttlSeconds` (etcd rounds up to its minimum TTL). */
  leaseGrant(ttlSeconds: number): Promise<LeaseId>;
  /** Renews the lease; resolves with the remaining TTL in seconds; LeaseExpiredError once it has expired. */
  leaseKeepAlive(lease: LeaseId): Promise<number>;
  leaseRevoke(lease: LeaseId): Promise<void>;
  /** Watches keys with `prefix` from `fromRevision` (inclusive). Returns a function that stops it. */
  watch(prefix: string, fromRevision: number, handlers: KvWatchHandlers): () => void;
  close(): Promise<void>;
}

/** The store could not answer (no quorum, partition, timeout): nothing is known about the request's effect. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/** The lease no longer exists (expired or revoked). */
export class LeaseExpiredError extends Error {
  override readonly name = 'LeaseExpiredError';
}

/** A watch's start revision has been compacted away: list again and watch from the list's revision + 1. */
export class CompactedError extends Error {
  override readonly name = 'CompactedError';
  constructor(
    message: string,
    readonly compactRevision: number,
  ) {
    super(message);
  }
}
