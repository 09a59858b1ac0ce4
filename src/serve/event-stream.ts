/**
 * The SSE stream of `GET /v1/events/watch`, the same on the leader (src/serve/api/routes-cluster.ts,
 * from the event log) and on a follower (src/serve/follower-reads.ts, from its copy of the
 * keyspace): each event once, in revision order, as `id: REVISION` and `data: EVENT` (JSON), a
 * keep-alive comment every 15 s, until the client goes or the daemon shuts down.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';

/** SSE keep-alive comment interval (ms), so proxies keep idle watches open. */
const KEEPALIVE_MS = 15_000;

export interface EventStreamOptions<E extends { readonly revision: number }> {
  /** Events after this revision are sent. */
  readonly since: number;
  /** The events after `since` held when the watch began, oldest first. */
  readonly backlog: readonly E[];
  /** Which events the client asked for (the others are skipped, not sent). */
  readonly want: (e: E) => boolean;
  /**
   * Called once the stream is open: passes newer events to `push` as they come (events at or
   * below the last revision taken are ignored; `last()` is that revision). Returns what stops it.
   */
  readonly follow: (push: (events: Iterable<E>) => void, last: () => number) => () => void;
  /** Aborted when the daemon shuts down: the stream ends. */
  readonly shutdown: AbortSignal;
}

/** Streams the backlog and then every newer event (see the file comment). */
export function streamEvents<E extends { readonly revision: number }>(c: Context, o: EventStreamOptions<E>): Response {
  return streamSSE(c, async (stream) => {
    let last = o.since;
    const queue: E[] = [];
    let wake: (() => void) | undefined;
    const push = (events: Iterable<E>) => {
      for (const e of events) {
        if (e.revision <= last) continue;
        last = e.revision;
        if (o.want(e)) queue.push(e);
      }
      if (queue.length > 0) wake?.();
    };
    push(o.backlog);
    const unsubscribe = o.follow(push, () => last);
    const onStop = () => wake?.();
    o.shutdown.addEventListener('abort', onStop);
    stream.onAbort(() => wake?.());
    const keepalive = setInterval(() => void stream.write(': keepalive\n\n'), KEEPALIVE_MS);
    try {
      while (!stream.aborted && !stream.closed && !o.shutdown.aborted) {
        while (queue.length > 0) {
          const e = queue.shift()!;
          await stream.writeSSE({ id: String(e.revision), data: JSON.stringify(e) });
        }
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      clearInterval(keepalive);
      unsubscribe();
      o.shutdown.removeEventListener('abort', onStop);
    }
  });
}
