/**
 * What a live run shows while it waits (#18.2: "prints progress while it waits (phase, ready
 * instances) on a TTY and a line every few seconds otherwise, instead of 30 s of silence").
 * The plain lines are also checked end to end in test/live/shared-engines.test.ts (a pipe); the
 * terminal's bar only here.
 */
import { describe, expect, it } from 'vitest';
import { liveProgress, progressLine } from '../../src/cli/live-progress.js';
import type { LiveProgress } from '../../src/run/live.js';

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { written, s: { isTTY, columns: 200, write: (c: string) => written.push(c) > 0 } as unknown as NodeJS.WriteStream };
}

const at = (elapsedMs: number, phase: LiveProgress['phase'], running = 1, pending = 0): LiveProgress => ({
  phase,
  elapsedMs,
  untilMs: 24_000,
  nodes: 2,
  nodesReady: 2,
  desired: 3,
  running,
  pending,
});

describe('live progress', () => {
  it('on a pipe: a line at each change of phase and every 5 s between', () => {
    const p = stream(false);
    const sink = liveProgress(p.s);
    for (const [ms, phase, running, pending] of [
      [0, 'starting', 0, 0],
      [1_000, 'running', 0, 3],
      [2_000, 'running', 1, 2], // < 5 s after the last line: quiet
      [6_000, 'running', 3, 0],
      [9_000, 'running', 3, 0],
      [11_000, 'running', 3, 0],
      [24_000, 'tearing down', 3, 0],
    ] as const)
      sink.onProgress(at(ms, phase, running, pending));
    sink.stop();
    expect(p.written.join('')).toBe(
      [
        'live: starting, 0s of 24s; nodes 2/2 Ready; instances 0/3 running',
        'live: running, 1s of 24s; nodes 2/2 Ready; instances 0/3 running, 3 pending',
        'live: running, 6s of 24s; nodes 2/2 Ready; instances 3/3 running',
        'live: running, 11s of 24s; nodes 2/2 Ready; instances 3/3 running',
        'live: tearing down, 24s of 24s; nodes 2/2 Ready; instances 3/3 running',
        '',
      ].join('\n'),
    );
    expect(progressLine(at(1_000, 'adopting containers'))).toBe('live: adopting containers, 1s of 24s; nodes 2/2 Ready; instances 1/3 running');
  });

  it('on a terminal: a bar with the phase, Ready nodes and running instances, cleared at the end', () => {
    const t = stream(true);
    const sink = liveProgress(t.s);
    sink.onProgress(at(12_000, 'running', 2, 1));
    const drawn = t.written.join('');
    expect(drawn).toContain('live ');
    expect(drawn).toContain(' 12s/24s running · nodes 2/2 Ready · instances 2/3 running, 1 pending');
    expect(drawn).not.toContain('\n');
    sink.stop();
    expect(t.written.join('')).not.toContain('live: ');
  });
});
