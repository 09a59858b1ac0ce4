/**
 * What a live run shows while it waits: on a terminal a cli-progress bar (elapsed of the run's
 * length, phase, Ready nodes, running instances), refreshed every second; otherwise (a pipe, CI
 * logs) one plain line every `everyMs` (5 s) and at each change of phase. Written to stderr, so
 * stdout stays the summary (or --json).
 */
import { SingleBar } from 'cli-progress';
import { formatDuration } from '../core/duration.js';
import type { LiveProgress } from '../run/live.js';
import { rawStream } from './terminal.js';

/** The plain line for a progress report. */
export function progressLine(p: LiveProgress): string {
  const pending = p.pending > 0 ? `, ${p.pending} pending` : '';
  return `live: ${p.phase}, ${formatDuration(p.elapsedMs)} of ${formatDuration(p.untilMs)}; nodes ${p.nodesReady}/${p.nodes} Ready; instances ${p.running}/${p.desired} running${pending}`;
}

export interface ProgressSink {
  readonly onProgress: (p: LiveProgress) => void;
  /** Clears the bar (call before printing the summary). */
  stop(): void;
}

/** A progress display on `stream`: a bar on a TTY, a line every `everyMs` otherwise. */
export function liveProgress(stream: NodeJS.WriteStream = process.stderr, everyMs = 5_000): ProgressSink {
  if (stream.isTTY) {
    const bar = new SingleBar(
      { format: 'live {bar} {elapsed}/{until} {phase} · nodes {nodes} Ready · instances {instances} running{pending}', stream: rawStream(stream), hideCursor: true, clearOnComplete: true, barsize: 24 },
    );
    let started = false;
    return {
      onProgress: (p) => {
        const payload = {
          elapsed: formatDuration(p.elapsedMs),
          until: formatDuration(p.untilMs),
          phase: p.phase,
          nodes: `${p.nodesReady}/${p.nodes}`,
          instances: `${p.running}/${p.desired}`,
          pending: p.pending > 0 ? `, ${p.pending} pending` : '',
        };
        const value = Math.min(p.elapsedMs, p.untilMs);
        if (!started) {
          bar.start(p.untilMs, value, payload);
          started = true;
        } else bar.update(value, payload);
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  let lastAt = -Infinity;
  let lastPhase = '';
  return {
    onProgress: (p) => {
      if (p.phase === lastPhase && p.elapsedMs - lastAt < everyMs) return;
      lastAt = p.elapsedMs;
      lastPhase = p.phase;
      stream.write(progressLine(p) + '\n');
    },
    stop: () => undefined,
  };
}
