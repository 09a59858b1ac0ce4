/**
 * A sweep on a Redis work queue (BullMQ). The submitter stores the sweep's spec once (key
 * `slipway-sweep:spec:<inputs hash>:<version>`) and enqueues one job per run, id
 * `<inputs hash>-v<version>-<index>`;
 * `slipway worker`s pull jobs, run them and return the run's row as the job's result; the
 * submitter collects one row per run. Because a job's id is (sweep, run) and its row a pure
 * function of them, at-least-once delivery (a stalled run taken over by another worker, a
 * submitter started twice) never changes the result: the submitter keeps one row per run. The
 * submitter's Slipway version is part of the sweep's identity in the queue: a row's meaning can
 * change between versions, so a worker of another version refuses the run, and a submission by
 * another version never reuses the rows of an earlier one (the merge of bundles refuses the same).
 *
 * A worker that dies mid-run stops renewing its job's lock (renewed every lockDuration/2); once
 * the lock expires, the stalled-job check of any live worker (every stalledInterval) moves the
 * job back to waiting and another worker runs it. A run that stalls more than MAX_STALLED times
 * fails (a run that keeps killing its workers must not loop forever).
 *
 * Nothing here runs inside a simulation: the submitter only waits, and the worker runs its runs in
 * worker threads (src/pool/threads.ts), so BullMQ's timers never meet the determinism guard.
 */
import { Queue, QueueEvents, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { hostname } from 'node:os';
import { SLIPWAY_VERSION } from '../version.js';
import type { QueueConnection } from './queue-url.js';

export { parseQueueUrl, queueUrlText, type QueueConnection } from './queue-url.js';

/** The one queue every sweep uses; each job names its sweep (kind and inputs hash). */
export const QUEUE_NAME = 'slipway-sweep';

/** Stalls (lock lost: its worker died or froze) after which a run fails instead of going back to waiting. */
export const MAX_STALLED = 3;

/** Default lock of a running run, ms: a killed worker's run is taken over within about 2× this. */
export const DEFAULT_LOCK_MS = 10_000;

/**
 * The submitter takes rows from the queue's completed events; when no event came for QUIET_MS it
 * re-reads every job it has no row for (an event lost to a reconnection, a job that vanished).
 * Checked every POLL_MS.
 */
const POLL_MS = 2_000;
const QUIET_MS = 5_000;

/** Events kept in the queue's event stream (BullMQ's default 10,000; each completed event holds its row). */
const MAX_EVENTS = 2_000;

/** Jobs per Redis round of adds, reads and removes. */
const BATCH = 200;

/** How long closing the queue's connections may wait for Redis before they are dropped instead. */
const CLOSE_MS = 2_000;

/**
 * Closes BullMQ clients cleanly, or drops their connections when Redis does not answer within
 * CLOSE_MS: a close waits for the commands queued for Redis, and a Redis that is down may never
 * come back (a Ctrl-C during an outage must end the command at once).
 */
async function closeOrDrop(parts: ReadonlyArray<{ close(): Promise<void>; disconnect(): Promise<void> }>, closing?: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closed = Promise.all([closing, ...parts.map((p) => (closing ? undefined : p.close()))]).then(
    () => true,
    () => true,
  );
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_MS)));
  const ok = await Promise.race([closed, late]);
  clearTimeout(timer);
  // Not awaited: with Redis gone, BullMQ's disconnect can wait for an event that never comes
  // (and a process waiting on nothing else exits with code 13, unsettled top-level await).
  if (!ok) for (const p of parts) p.disconnect().catch(() => undefined);
}

/** What a job carries: which sweep and which run. The spec is stored once per sweep (`specKey`). */
export interface RunJobData {
  readonly kind: string;
  /** `inputsHash` of the sweep (`sha256:` + hex). */
  readonly hash: string;
  readonly index: number;
  readonly key: string;
  /** The submitter's Slipway version: a worker of another version refuses the run. */
  readonly slipway: string;
}

/** The version as a key part: BullMQ ids may not contain ':' (its key separator). */
function versionPart(version: string): string {
  return version.replace(/[^A-Za-z0-9._+-]/g, '_');
}

/** The Redis key holding the `{kind, slipway (version), spec}` of a sweep submitted by `version`, as JSON. */
export function specKey(hash: string, version: string): string {
  return `slipway-sweep:spec:${hash.replace(/^sha256:/, '')}:${versionPart(version)}`;
}

/** The job id of run `index` of a sweep submitted by `version`. */
export function jobId(hash: string, version: string, index: number): string {
  return `${hash.replace(/^sha256:/, '')}-v${versionPart(version)}-${index}`;
}

/** Why a worker refuses a run another Slipway version submitted (a row's meaning can change between versions). */
export function versionRefusal(hash: string, submitter: string | undefined): string {
  return `sweep ${hash.slice(0, 19)}… was submitted by Slipway ${submitter ?? '(unknown)'}, this worker (${hostname()} pid ${process.pid}) is Slipway ${SLIPWAY_VERSION}`;
}

/** Redis could not be reached or refused us: one line naming the address. */
export class QueueUnreachable extends Error {
  constructor(connection: QueueConnection, detail: string) {
    super(`cannot reach Redis at ${connection.host}:${connection.port} (db ${connection.db}): ${detail}`);
    this.name = 'QueueUnreachable';
  }
}

/** A run failed on a worker (it threw, or stalled more than MAX_STALLED times). */
export class QueueRunError extends Error {
  constructor(
    readonly index: number,
    readonly key: string,
    detail: string,
  ) {
    super(`run ${index} (${key}) failed on a worker: ${detail}`);
    this.name = 'QueueRunError';
  }
}

/**
 * Connects once, without retrying, and sends PING: QueueUnreachable with the reason when that
 * fails (refused, timed out, wrong password, no such database). BullMQ's own clients retry
 * forever, which is right once running and wrong for a first connection to a mistyped address.
 */
export async function probeRedis(connection: QueueConnection): Promise<void> {
  const client = new Redis({ ...connection, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  // connect() rejects with a bare "Connection is closed."; the reason comes as an 'error' event.
  let cause: NodeJS.ErrnoException | undefined;
  client.on('error', (e: NodeJS.ErrnoException) => (cause ??= e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    const err = cause ?? (e as NodeJS.ErrnoException);
    throw new QueueUnreachable(connection, err.code === 'ETIMEDOUT' ? `no answer in ${connection.connectTimeout} ms` : err.message);
  } finally {
    client.disconnect();
  }
}

function bullConnection(c: QueueConnection): ConnectionOptions {
  // BullMQ's blocking commands need maxRetriesPerRequest null; a lost connection is retried.
  return { ...c, maxRetriesPerRequest: null };
}

export interface SubmitOptions {
  readonly connection: QueueConnection;
  readonly kind: string;
  readonly hash: string;
  readonly spec: unknown;
  readonly keys: readonly string[];
  /** Once every run is in the queue: (runs added now, rows already there from an earlier submission). */
  readonly onQueued?: (added: number, reused: number) => void;
  /** After each newly collected row: (rows collected, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Aborted when the submitter should stop waiting (Ctrl-C): the jobs stay queued. */
  readonly stop?: AbortSignal;
  /**
   * The connection to Redis was lost (`error`: the first error of the outage; BullMQ retries) or
   * is back (`error` undefined). Called once per outage each way, not per retry.
   */
  readonly onConnection?: (error?: string) => void;
}

export interface SubmitResult<R> {
  /** One row per run, in run order. */
  readonly rows: R[];
  /** Runs whose row came from a worker other than the first that took them (stalled and taken over). */
  readonly takenOver: number;
  /** Rows already in the queue when this submission started (an earlier submission's). */
  readonly reused: number;
}

/** The submitter stopped waiting (Ctrl-C); `remaining` runs stay queued. */
export class QueueWaitStopped extends Error {
  constructor(
    readonly remaining: number,
    readonly total: number,
  ) {
    super(`stopped waiting; ${remaining} of ${total} runs are still queued (the same command collects them)`);
    this.name = 'QueueWaitStopped';
  }
}

/**
 * Enqueues every run of the sweep (ids already in the queue, from an earlier or concurrent
 * submission of the same sweep, are not added again; their rows are used) and waits for all rows.
 * Runs that failed in an earlier submission are retried. A job that vanishes before its row is in
 * (another submitter of the same sweep finished and cleaned up) is enqueued again. Once every row
 * is in, the sweep's jobs and spec are removed from Redis.
 * Rejects with QueueUnreachable, QueueRunError (the first failed run), or QueueWaitStopped.
 */
export async function submitSweep<R>(o: SubmitOptions): Promise<SubmitResult<R>> {
  await probeRedis(o.connection);
  const connection = bullConnection(o.connection);
  const queue = new Queue<RunJobData, R>(QUEUE_NAME, { connection, streams: { events: { maxLen: MAX_EVENTS } } });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  const total = o.keys.length;
  const rows: Array<R | undefined> = new Array(total).fill(undefined);
  const ids = o.keys.map((_, i) => jobId(o.hash, SLIPWAY_VERSION, i));
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const job = (i: number) => ({
    name: o.kind,
    data: { kind: o.kind, hash: o.hash, index: i, key: o.keys[i], slipway: SLIPWAY_VERSION } satisfies RunJobData,
    opts: { jobId: ids[i], attempts: 1, removeOnComplete: false, removeOnFail: false },
  });
  let done = 0;
  let reused = 0;
  let starting = true;
  let lost = false;
  const onError = (e: Error) => {
    if (lost) return;
    lost = true;
    o.onConnection?.(e.message);
  };
  queue.on('error', onError);
  events.on('error', onError);
  let settle!: (e?: Error) => void;
  const finished = new Promise<void>((resolve, reject) => (settle = (e) => (e ? reject(e) : resolve())));
  // A run can fail (an event) while the jobs are still being added, before `await finished`:
  // handled here so it is not an unhandled rejection; the await below still throws it.
  finished.catch(() => {});
  const client = await queue.client;
  client.on('ready', () => {
    if (!lost) return;
    lost = false;
    o.onConnection?.();
  });
  const specText = JSON.stringify({ kind: o.kind, slipway: SLIPWAY_VERSION, spec: o.spec });

  /** Runs that stalled (their worker stopped) and went back to waiting. */
  const stalled = new Set<number>();
  const take = (i: number, row: R) => {
    if (rows[i] !== undefined || row === null || row === undefined) return;
    rows[i] = row;
    if (starting) reused++;
    done++;
    if (!starting) o.onProgress?.(done, total);
    if (done === total) settle();
  };
  /** Looks at run i's job: takes its row when completed, fails the sweep when it failed, re-adds it when gone. */
  const check = async (i: number): Promise<void> => {
    if (rows[i] !== undefined) return;
    const state = await queue.getJobState(ids[i]);
    if (rows[i] !== undefined) return;
    if (state === 'completed') {
      const j = (await queue.getJob(ids[i])) as Job<RunJobData, R> | undefined;
      if (j && j.stalledCounter > 0) stalled.add(i);
      if (j) take(i, j.returnvalue);
    } else if (state === 'failed') {
      const j = await queue.getJob(ids[i]);
      settle(new QueueRunError(i, o.keys[i], j?.failedReason ?? 'unknown reason'));
    } else if (state === 'unknown' && !starting) {
      await client.set(specKey(o.hash, SLIPWAY_VERSION), specText);
      await queue.add(job(i).name, job(i).data, job(i).opts);
    }
  };
  const checkAll = async () => {
    const missing = rows.flatMap((r, i) => (r === undefined ? [i] : []));
    for (let s = 0; s < missing.length; s += BATCH) await Promise.all(missing.slice(s, s + BATCH).map(check));
  };
  let lastEvent = performance.now();
  // A completed event carries the job's return value, parsed: the row, with no round trip.
  events.on('completed', ({ jobId: id, returnvalue }) => {
    lastEvent = performance.now();
    const i = indexOf.get(id);
    if (i !== undefined && !starting) take(i, returnvalue as unknown as R);
  });
  events.on('failed', ({ jobId: id }) => {
    lastEvent = performance.now();
    const i = indexOf.get(id);
    if (i !== undefined && !starting) check(i).catch((e: Error) => settle(e));
  });
  events.on('stalled', ({ jobId: id }) => {
    const i = indexOf.get(id);
    if (i !== undefined) stalled.add(i);
  });
  let poll: NodeJS.Timeout | undefined;
  const onStop = () => settle(new QueueWaitStopped(total - done, total));
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    await client.set(specKey(o.hash, SLIPWAY_VERSION), specText);
    // Rows of an earlier submission of this sweep; its failed runs are tried again.
    for (let s = 0; s < total; s += BATCH) {
      await Promise.all(
        ids.slice(s, s + BATCH).map(async (id, k) => {
          const state = await queue.getJobState(id);
          if (state === 'failed') await (await queue.getJob(id))?.retry('failed');
          else if (state === 'completed') await check(s + k);
        }),
      );
    }
    starting = false;
    let added = 0;
    for (let s = 0; s < total; s += BATCH) {
      const batch = ids.slice(s, s + BATCH).flatMap((_, k) => (rows[s + k] === undefined ? [job(s + k)] : []));
      if (batch.length > 0) await queue.addBulk(batch);
      added += batch.length;
    }
    o.onQueued?.(added, reused);
    if (done === total) settle();
    else await checkAll();
    let polling = false;
    poll = setInterval(() => {
      if (polling || performance.now() - lastEvent < QUIET_MS) return;
      polling = true;
      checkAll()
        .catch((e: Error) => settle(e))
        .finally(() => {
          polling = false;
          lastEvent = performance.now();
        });
    }, POLL_MS);
    o.stop?.addEventListener('abort', onStop, { once: true });
    await finished;
    // Every row is in: the sweep's jobs and spec have served their purpose.
    for (let s = 0; s < total; s += BATCH) await Promise.all(ids.slice(s, s + BATCH).map((id) => queue.remove(id).catch(() => 0)));
    await client.del(specKey(o.hash, SLIPWAY_VERSION));
    return { rows: rows as R[], takenOver: stalled.size, reused };
  } finally {
    if (poll) clearInterval(poll);
    o.stop?.removeEventListener('abort', onStop);
    await closeOrDrop([events, queue]);
  }
}

export interface QueueWorkerOptions {
  readonly connection: QueueConnection;
  /** Runs one run of a sweep (kind, spec, index); its result is the run's row. */
  readonly run: (data: RunJobData, spec: unknown) => Promise<unknown>;
  /** Runs at once. */
  readonly concurrency: number;
  /** A run whose lock is not renewed for this long is taken over by another worker. */
  readonly lockDurationMs: number;
  readonly onStart?: (data: RunJobData) => void;
  readonly onDone?: (data: RunJobData, ms: number, error?: string) => void;
  /** Errors of the Redis connection (BullMQ keeps retrying). */
  readonly onError?: (e: Error) => void;
}

export interface QueueWorker {
  readonly worker: Worker<RunJobData>;
  /** Runs running now. */
  active(): number;
  /** Stops taking runs; waits for the running ones unless `force`. */
  close(force?: boolean): Promise<void>;
}

/**
 * Starts a queue worker: lockDuration as given, lock renewed every lockDuration/2 (BullMQ's
 * default), stalled check every lockDuration/2, MAX_STALLED stalls before a run fails.
 */
export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  await probeRedis(o.connection);
  let active = 0;
  const specs = new Map<string, Promise<unknown>>();
  let redis: Awaited<Worker['client']> | undefined;
  const specOf = (data: RunJobData): Promise<unknown> => {
    const { hash } = data;
    // A row's meaning can change between versions: a mixed fleet must not mix rows.
    if (data.slipway !== SLIPWAY_VERSION) return Promise.reject(new Error(versionRefusal(hash, data.slipway)));
    let p = specs.get(hash);
    if (!p) {
      p = (async () => {
        const text = await redis!.get(specKey(hash, SLIPWAY_VERSION));
        if (text === null) throw new Error(`the inputs of sweep ${hash.slice(0, 19)}… are not in Redis (its submitter finished or removed them)`);
        const stored = JSON.parse(text) as { slipway?: string; spec: unknown };
        if (stored.slipway !== SLIPWAY_VERSION) throw new Error(versionRefusal(hash, stored.slipway));
        return stored.spec;
      })();
      p.catch(() => specs.delete(hash));
      specs.set(hash, p);
      if (specs.size > 8) specs.delete(specs.keys().next().value!);
    }
    return p;
  };
  const worker = new Worker<RunJobData>(
    QUEUE_NAME,
    async (job) => {
      active++;
      const t0 = performance.now();
      o.onStart?.(job.data);
      try {
        const row = await o.run(job.data, await specOf(job.data));
        o.onDone?.(job.data, performance.now() - t0);
        return row;
      } catch (e) {
        o.onDone?.(job.data, performance.now() - t0, e instanceof Error ? e.message : String(e));
        throw e;
      } finally {
        active--;
      }
    },
    {
      connection: bullConnection(o.connection),
      concurrency: o.concurrency,
      lockDuration: o.lockDurationMs,
      stalledInterval: Math.max(500, Math.floor(o.lockDurationMs / 2)),
      maxStalledCount: MAX_STALLED,
      autorun: false,
    },
  );
  worker.on('error', (e) => o.onError?.(e));
  redis = await worker.client;
  void worker.run();
  await worker.waitUntilReady();
  return {
    worker,
    active: () => active,
    async close(force) {
      // BullMQ's close waits for the running runs (unless force), then for Redis: the runs may
      // take long, Redis (down) no more than CLOSE_MS.
      const closing = worker.close(force);
      while (!force && active > 0) await new Promise((r) => setTimeout(r, 100));
      await closeOrDrop([worker], closing);
    },
  };
}
