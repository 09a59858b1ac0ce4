/**
 * `slipway watch`: the daemon's events as they happen (Server-Sent Events). A dropped connection
 * is resumed after the last revision seen (Last-Event-ID), so no event is missed or repeated.
 */
import { InputError } from '../../core/errors.js';
import { didYouMean } from '../../core/suggest.js';
import { watchSignals } from '../signals.js';
import type { ServeEvent } from '../../serve/events.js';
import { ApiFailure, clientCommand, connect, safe, type ClientFlags } from './api-client.js';

export interface WatchFlags extends ClientFlags {
  readonly since?: string;
  readonly workload?: string;
  readonly output?: string;
  readonly count?: string;
}

export function formatEvent(e: ServeEvent): string {
  const fields = Object.entries(e.data)
    .filter(([, v]) => typeof v !== 'object' || v === null)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${String(e.revision).padStart(6)}  ${e.wallTime.slice(11, 23)}  ${safe(e.type).padEnd(22)}  ${safe(fields)}`;
}

export async function runWatch(flags: WatchFlags): Promise<number> {
  const int = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new InputError(`${flag}: expected a non-negative integer, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  let since = int('--since', flags.since);
  const count = int('--count', flags.count);
  const output = flags.output ?? 'text';
  if (output !== 'text' && output !== 'json') throw new InputError(`-o: expected text or json, got ${JSON.stringify(output)}${didYouMean(output, ['text', 'json'])}`);
  const client = connect(flags);
  return clientCommand(async () => {
    let seen = 0;
    const stop = new AbortController();
    // The CLI's one signal path (src/cli/signals.ts): SIGINT or SIGTERM ends the watch (exit 0).
    const signals = watchSignals('the watch');
    signals.signal.addEventListener('abort', () => stop.abort(), { once: true });
    try {
      for (let attempt = 0; !stop.signal.aborted; attempt++) {
        const q = new URLSearchParams();
        if (since !== undefined) q.set('since', String(since));
        if (flags.workload !== undefined) q.set('workload', flags.workload);
        let res: Response;
        try {
          res = await client.raw('GET', `/v1/events/watch${q.size ? `?${q}` : ''}`, undefined, { accept: 'text/event-stream' }, stop.signal);
        } catch (e) {
          if (stop.signal.aborted) break;
          if (attempt > 0) {
            // The daemon restarting: try again for a while.
            await new Promise((r) => setTimeout(r, Math.min(5000, 200 * attempt)));
            if (attempt < 50) continue;
          }
          throw e;
        }
        if (!res.ok) throw new ApiFailure(res.status, ((await res.json().catch(() => ({}))) as ApiFailure['problem']));
        attempt = 0;
        const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buf += value;
            let i: number;
            while ((i = buf.indexOf('\n\n')) >= 0) {
              const block = buf.slice(0, i);
              buf = buf.slice(i + 2);
              const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
              if (data === '') continue;
              const e = JSON.parse(data) as ServeEvent;
              since = e.revision;
              process.stdout.write((output === 'json' ? JSON.stringify(e) : formatEvent(e)) + '\n');
              if (count !== undefined && ++seen >= count) {
                stop.abort();
                await reader.cancel().catch(() => {});
                return 0;
              }
            }
          }
        } catch (e) {
          if (stop.signal.aborted) break;
          if ((e as Error).name !== 'TypeError' && (e as Error).name !== 'AbortError') throw e;
        }
      }
      return 0;
    } finally {
      signals.dispose();
    }
  });
}
