/**
 * ConsistentKv (src/store/kv.ts) on a real etcd v3 cluster, through the `etcd3` client (Microsoft's,
 * maintained, typed, the one the issue names; it also pools connections over several endpoints and
 * fails a call over to another member). Only the raw RPC clients are used (KV, Lease, Watch), so each
 * contract operation is exactly one etcd request and its semantics are etcd's own:
 *
 * - `txn` is one etcd Txn (compares, then the success or failure ops), atomic at one revision.
 * - `leaseKeepAlive` sends one LeaseKeepAlive on a short-lived stream and reads its answer; a TTL of 0
 *   there is etcd's "this lease is gone" ⇒ LeaseExpiredError.
 * - `watch` opens its own Watch stream from `fromRevision`; etcd cancelling it with a compact revision
 *   is CompactedError, any other end is StoreUnavailableError (the caller lists again and re-watches).
 *
 * Every request carries etcd's `hasleader` metadata: a member that has lost its raft leader (no quorum)
 * answers at once with "no leader" instead of queueing the request until its own timeout, and cancels
 * watch streams — so a replica learns "the store is unavailable" within `requestTimeoutMs` at most.
 * Unary calls also carry a deadline of `requestTimeoutMs` (write transactions a shorter one,
 * `writeTimeoutMs`: a write lost in a raft election is retried rather than waited out); a call refused by one member (connection
 * refused, no leader) is retried once on each other endpoint.
 */
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { ConsecutiveBreaker, ConstantBackoff, circuitBreaker, handleWhen, isBrokenCircuitError, retry } from 'cockatiel';
import {
  CompareResult,
  CompareTarget,
  Etcd3,
  EtcdLeaseInvalidError,
  GRPCGenericError,
  GRPCUnavailableError,
  isRecoverableError,
  type ICompare,
  type IKeyValue,
  type IRequestOp,
  type IResponseOp,
  type IWatchResponse,
} from 'etcd3';
import {
  CompactedError,
  LeaseExpiredError,
  StoreUnavailableError,
  type ConsistentKv,
  type KvCompare,
  type KvEntry,
  type KvEvent,
  type KvOp,
  type KvRange,
  type KvTxn,
  type KvTxnResult,
  type KvWatchHandlers,
  type LeaseId,
} from '../../src/store/kv.js';

export interface EtcdKvOptions {
  /** Client endpoints, `HOST:PORT` (an `http://` prefix is accepted). */
  readonly endpoints: readonly string[];
  /** Deadline of every unary request and of a keep-alive, in ms (default 5000). */
  readonly requestTimeoutMs?: number;
  /**
   * Deadline of a write transaction, in ms (default the smaller of 2000 and `requestTimeoutMs`).
   * A write that reaches a member which has not yet noticed that etcd's raft leader died is
   * forwarded to the dead leader and lost; etcd answers it only when the request's deadline passes
   * (measured: every write sent in the second after a kill -9 of the raft leader waited out the
   * whole 5 s, while the next one went through). A shorter deadline turns that lost proposal into a
   * quick retry by the caller. Callers' writes are conditioned transactions, so a retry of one that
   * was applied after all fails its compare instead of applying twice.
   */
  readonly writeTimeoutMs?: number;
  /**
   * TLS to etcd (etcd's `--cert-file`/`--key-file`; with `--client-cert-auth`, a client certificate):
   * `ca` the PEM of the CA that signed etcd's certificates (absent: the system's CAs), `cert` and
   * `key` this client's certificate chain and private key (PEM).
   */
  readonly tls?: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
}

/** The default request timeout: a write without quorum fails (503) within this. */
export const DEFAULT_ETCD_REQUEST_TIMEOUT_MS = 5000;

/** The default deadline of a write transaction (see `EtcdKvOptions.writeTimeoutMs`). */
export const DEFAULT_ETCD_WRITE_TIMEOUT_MS = 2000;

/** etcd's gRPC metadata asking a member to refuse requests while it has no raft leader. */
const requireLeader: Interceptor = (options, nextCall) =>
  new InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      metadata.set('hasleader', 'true');
      next(metadata, listener);
    },
  });

const compareTargets = { mod: CompareTarget.Mod, create: CompareTarget.Create, version: CompareTarget.Version, value: CompareTarget.Value, lease: CompareTarget.Lease } as const;
const compareResults = { '=': CompareResult.Equal, '!=': CompareResult.NotEqual, '<': CompareResult.Less, '>': CompareResult.Greater } as const;

/** The first key after every key starting with `prefix` (etcd's range_end for a prefix). */
function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // every key (etcd's "\0" range end)
}

function toEntry(kv: IKeyValue): KvEntry {
  const lease = kv.lease !== undefined && kv.lease !== '0' ? String(kv.lease) : undefined;
  return {
    key: kv.key.toString(),
    value: kv.value.toString(),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    version: Number(kv.version),
    ...(lease !== undefined ? { lease } : {}),
  };
}

function toCompare(c: KvCompare): ICompare {
  const base = { key: Buffer.from(c.key), target: compareTargets[c.target], result: compareResults[c.op] };
  switch (c.target) {
    case 'mod':
      return { ...base, mod_revision: c.value };
    case 'create':
      return { ...base, create_revision: c.value };
    case 'version':
      return { ...base, version: c.value };
    case 'value':
      return { ...base, value: Buffer.from(c.value) };
    case 'lease':
      return { ...base, lease: c.value };
  }
}

function toRequestOp(op: KvOp): IRequestOp {
  switch (op.type) {
    case 'put':
      return { request_put: { key: Buffer.from(op.key), value: Buffer.from(op.value), ...(op.lease !== undefined ? { lease: op.lease } : {}) } };
    case 'delete':
      return { request_delete_range: { key: Buffer.from(op.key) } };
    case 'get':
      return { request_range: { key: Buffer.from(op.key) } };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * True for errors that say "no member that can answer was reached" (down, no leader, deadline, circuit
 * open) — never for a refusal by etcd's logic (invalid argument, duplicate key, lease not found).
 */
/** etcd's refusal from a member without a raft leader (the `hasleader` metadata, see requireLeader). */
function isNoLeader(error: Error): boolean {
  return /no leader/.test(error.message);
}

function isUnavailable(error: unknown): boolean {
  return isBrokenCircuitError(error) || (error instanceof Error && isRecoverableError(error));
}

export class EtcdKv implements ConsistentKv {
  private readonly client: Etcd3;
  private readonly timeoutMs: number;
  private readonly writeTimeoutMs: number;
  private readonly stops = new Set<() => void>();
  private closed = false;

  constructor(options: EtcdKvOptions) {
    if (options.endpoints.length === 0) throw new Error('EtcdKv: at least one endpoint is required');
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_ETCD_REQUEST_TIMEOUT_MS;
    this.writeTimeoutMs = options.writeTimeoutMs ?? Math.min(DEFAULT_ETCD_WRITE_TIMEOUT_MS, this.timeoutMs);
    const tls = options.tls;
    // etcd3 speaks TLS when given credentials, or for https:// hosts (the system's CAs).
    const hosts = options.endpoints.map((e) => (tls ? 'https://' : '') + e.replace(/^https?:\/\//, ''));
    this.client = new Etcd3({
      hosts,
      // gRPC's createSsl takes a null root certificate as "the system's CAs"; etcd3's type says Buffer.
      ...(tls && (tls.ca || tls.cert) ? { credentials: { rootCertificate: tls.ca ?? (null as unknown as Buffer), ...(tls.key ? { privateKey: tls.key } : {}), ...(tls.cert ? { certChain: tls.cert } : {}) } } : {}),
      dialTimeout: this.timeoutMs,
      grpcOptions: { interceptors: [requireLeader], 'grpc.keepalive_time_ms': 10_000, 'grpc.keepalive_timeout_ms': 5_000 },
      defaultCallOptions: (context) =>
        context.isStream ? {} : { deadline: Date.now() + (context.service === 'KV' && context.method === 'txn' ? this.writeTimeoutMs : this.timeoutMs) },
      faultHandling: {
        // One try on each member: "refused" (down, or no leader) is safe to send elsewhere; a deadline is not retried.
        global: retry(handleWhen((e) => e instanceof GRPCUnavailableError || isBrokenCircuitError(e)), {
          maxAttempts: hosts.length - 1,
          backoff: new ConstantBackoff(20),
        }),
        // A member failing three calls in a row is skipped for a second (etcd3's default is 5 s).
        // "No leader" does not count: the member answers, the cluster is electing; skipping the
        // live members for a second after an election blocked the leader's lease keep-alives
        // until its replica stepped down (seen in CI: one etcd member killed, a 503).
        host: () => circuitBreaker(handleWhen((e) => isRecoverableError(e) && !isNoLeader(e)), { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(3) }),
      },
    });
  }

  async get(key: string): Promise<KvEntry | undefined> {
    const res = await this.call(() => this.client.kv.range({ key: Buffer.from(key) }));
    const kv = res.kvs[0];
    return kv ? toEntry(kv) : undefined;
  }

  async range(prefix: string): Promise<KvRange> {
    const res = await this.call(() => this.client.kv.range({ key: Buffer.from(prefix), range_end: prefixEnd(prefix) }));
    return { entries: res.kvs.map(toEntry), revision: Number(res.header.revision) };
  }

  async txn(txn: KvTxn): Promise<KvTxnResult> {
    const res = await this.call(
      () =>
        this.client.kv.txn({
          compare: txn.compare.map(toCompare),
          success: txn.success.map(toRequestOp),
          failure: (txn.failure ?? []).map(toRequestOp),
        }),
      'txn',
    );
    const reads: (KvEntry | undefined)[] = [];
    for (const r of res.responses as (IResponseOp & { response?: string })[]) {
      if (r.response_range) {
        const kv = r.response_range.kvs[0];
        reads.push(kv ? toEntry(kv) : undefined);
      }
    }
    return { succeeded: res.succeeded, revision: Number(res.header.revision), reads };
  }

  async leaseGrant(ttlSeconds: number): Promise<LeaseId> {
    if (!(Number.isInteger(ttlSeconds) && ttlSeconds > 0)) throw new RangeError(`lease TTL must be a positive whole number of seconds, got ${ttlSeconds}`);
    const res = await this.call(() => this.client.leaseClient.leaseGrant({ TTL: ttlSeconds }));
    if (res.error) throw new StoreUnavailableError(`etcd lease grant failed: ${res.error}`);
    return String(res.ID);
  }

  async leaseKeepAlive(lease: LeaseId): Promise<number> {
    const ttl = await this.call(async () => {
      const stream = await this.client.leaseClient.leaseKeepAlive({ deadline: Date.now() + this.timeoutMs });
      return new Promise<number>((resolve, reject) => {
        let done = false;
        const finish = (f: () => void): void => {
          if (done) return;
          done = true;
          stream.cancel();
          f();
        };
        stream.on('data', (res) => finish(() => resolve(Number(res.TTL))));
        stream.on('error', (err) => finish(() => reject(new StoreUnavailableError(`etcd keep-alive failed: ${describe(err)}`))));
        stream.on('end', () => finish(() => reject(new StoreUnavailableError('etcd closed the keep-alive stream'))));
        stream.write({ ID: lease });
      });
    }, 'lease');
    if (ttl <= 0) throw new LeaseExpiredError(`lease ${lease} has expired`);
    return ttl;
  }

  async leaseRevoke(lease: LeaseId): Promise<void> {
    try {
      await this.call(() => this.client.leaseClient.leaseRevoke({ ID: lease }), 'lease');
    } catch (error) {
      if (!(error instanceof LeaseExpiredError)) throw error; // revoking a lease that is already gone is done
    }
  }

  watch(prefix: string, fromRevision: number, handlers: KvWatchHandlers): () => void {
    let stopped = false;
    let stream: { cancel(): void } | undefined;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      this.stops.delete(stop);
      stream?.cancel();
    };
    const fail = (error: Error): void => {
      if (stopped) return;
      stop();
      handlers.onError(error);
    };
    this.stops.add(stop);
    this.client.watchClient
      .watch()
      .then((s) => {
        stream = s;
        if (stopped) {
          s.cancel();
          return;
        }
        s.on('data', (res: IWatchResponse) => {
          if (stopped) return;
          if (res.canceled) {
            const compact = Number(res.compact_revision);
            if (compact > 0) fail(new CompactedError(`revision ${fromRevision} has been compacted (compacted up to ${compact})`, compact));
            else fail(new StoreUnavailableError(`etcd cancelled the watch on ${prefix}: ${res.cancel_reason || 'no reason given'}`));
            return;
          }
          // One response may carry several revisions: deliver them one revision at a time.
          let batch: KvEvent[] = [];
          let batchRevision = 0;
          for (const ev of res.events) {
            const modRevision = Number(ev.kv.mod_revision);
            if (batch.length > 0 && modRevision !== batchRevision) {
              handlers.onEvents(batch, batchRevision);
              if (stopped) return;
              batch = [];
            }
            batchRevision = modRevision;
            batch.push(
              ev.type === 'Delete'
                ? { type: 'delete', key: ev.kv.key.toString(), modRevision }
                : { type: 'put', key: ev.kv.key.toString(), value: ev.kv.value.toString(), modRevision },
            );
          }
          if (batch.length > 0) handlers.onEvents(batch, batchRevision);
        });
        s.on('error', (err) => fail(new StoreUnavailableError(`etcd watch on ${prefix} failed: ${describe(err)}`)));
        s.on('end', () => fail(new StoreUnavailableError(`etcd ended the watch on ${prefix}`)));
        s.write({ create_request: { key: Buffer.from(prefix), range_end: prefixEnd(prefix), start_revision: fromRevision } });
      })
      .catch((err: unknown) => fail(new StoreUnavailableError(`etcd watch on ${prefix} could not start: ${describe(err)}`)));
    return stop;
  }

  /**
   * Compacts etcd's history up to `revision` (not part of ConsistentKv: an operator's maintenance
   * step, and the contract suite's way to make a watch fall behind a compaction).
   */
  async compact(revision: number): Promise<void> {
    await this.call(() => this.client.kv.compact({ revision, physical: true }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of [...this.stops]) stop();
    this.client.close();
  }

  /** Runs one request, mapping the client's errors onto the contract's (see the module comment). */
  private async call<T>(run: () => Promise<T>, kind?: 'txn' | 'lease'): Promise<T> {
    if (this.closed) throw new StoreUnavailableError('the etcd client is closed');
    try {
      return await run();
    } catch (error) {
      if (error instanceof StoreUnavailableError || error instanceof LeaseExpiredError) throw error;
      if (error instanceof EtcdLeaseInvalidError && (kind === 'lease' || kind === 'txn')) throw new LeaseExpiredError(error.message);
      if (isUnavailable(error)) throw new StoreUnavailableError(`etcd did not answer: ${describe(error)}`);
      if (error instanceof GRPCGenericError) throw new Error(`etcd refused the request: ${error.message}`);
      throw error;
    }
  }
}
