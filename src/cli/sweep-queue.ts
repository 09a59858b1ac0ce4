/**
 * `--queue redis://...` on compare, fuzz and experiment: enqueues the sweep's runs for
 * `slipway worker`s (src/sweep/queue.ts), waits for every row with a progress bar (a line per 10%
 * when stderr is not a terminal), then writes the outputs from the rows with the local run's
 * writer. Redis unreachable, or a run that failed on a worker: one line, exit 1. Ctrl-C: stops
 * waiting, leaves the runs queued (the same command collects them), exits 130.
 */
import cliProgress from 'cli-progress';
import { InterruptedError } from '../core/errors.js';
import { inputsHash, type SweepKind } from '../sweep/kind.js';
import { probeRedis, QueueRunError, QueueUnreachable, QueueWaitStopped, submitSweep } from '../sweep/queue.js';
import { parseQueueUrl, queueUrlText } from '../sweep/queue-url.js';
import { EXIT_FAILED } from './errors.js';
import { prepareOutput } from './output.js';
import { watchSignals } from './signals.js';
import { writeSweepOutputs } from './sweep-outputs.js';
import { rawStream } from './terminal.js';

export async function queueSweep<S, R>(o: { url: string; kind: SweepKind<S, R>; spec: S; out: string; json?: boolean }): Promise<number> {
  const connection = parseQueueUrl(o.url);
  prepareOutput('--out', o.out, 'dir');
  const keys = o.kind.keys(o.spec);
  const hash = inputsHash({ kind: o.kind.name, spec: o.spec });
  const where = queueUrlText(connection);
  const err = process.stderr;
  try {
    await probeRedis(connection);
  } catch (e) {
    if (!(e instanceof QueueUnreachable)) throw e;
    err.write(`error: ${e.message}\n`);
    return EXIT_FAILED;
  }
  const queued = (_added: number, reused: number) => {
    err.write(`queue: ${keys.length} runs of ${o.kind.name} ${hash.slice(0, 19)}… queued on ${where}${reused ? ` (${reused} already done)` : ''}; run them with: slipway worker --queue ${where}\n`);
    collected = reused;
    bar?.start(keys.length, reused);
  };
  const bar = err.isTTY
    ? new cliProgress.SingleBar({ format: `queue [{bar}] {value}/{total} runs | {duration_formatted}`, stream: rawStream(err), hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  let tenth = 0;
  let collected = 0;
  const progress = (done: number, total: number) => {
    collected = done;
    if (bar) return bar.update(done);
    const t = Math.floor((done * 10) / total);
    if (t > tenth) {
      tenth = t;
      err.write(`queue: ${done}/${total} runs\n`);
    }
  };
  // On a terminal the bar stops while the line is printed and starts again once Redis is back.
  const onConnection = (error?: string) => {
    if (error !== undefined) {
      bar?.stop();
      err.write(`queue: lost Redis at ${where}: ${error} (retrying; Ctrl-C leaves the runs queued)\n`);
    } else {
      err.write(`queue: Redis at ${where} is back\n`);
      bar?.start(keys.length, collected);
    }
  };
  const signals = watchSignals('waiting for the queue (the runs stay queued)');
  const t0 = performance.now();
  let r: Awaited<ReturnType<typeof submitSweep<R>>>;
  try {
    r = await submitSweep<R>({ connection, kind: o.kind.name, hash, spec: o.spec, keys, onQueued: queued, onProgress: progress, stop: signals.signal, onConnection });
  } catch (e) {
    bar?.stop();
    if (e instanceof QueueWaitStopped) throw new InterruptedError(signals.received ?? 'SIGINT', `interrupted: ${e.message}`);
    if (e instanceof QueueUnreachable || e instanceof QueueRunError) {
      err.write(`error: ${e.message}\n`);
      return EXIT_FAILED;
    }
    throw e;
  } finally {
    bar?.stop();
    signals.dispose();
  }
  const s = (performance.now() - t0) / 1000;
  const notes = [r.reused > 0 && `${r.reused} already done by an earlier submission`, r.takenOver > 0 && `${r.takenOver} taken over from a worker that stopped, each counted once`].filter(Boolean);
  return writeSweepOutputs(o.kind.name, o.spec, r.rows, o.out, { json: o.json, how: `on the queue ${where} in ${s.toFixed(1)} s wall${notes.length ? ` (${notes.join('; ')})` : ''}` });
}
