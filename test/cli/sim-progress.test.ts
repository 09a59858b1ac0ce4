/**
 * A long simulated run shows its progress on a terminal (#18.4: "long runs (the 1,000-node hour)
 * show progress on a TTY"): one line redrawn in place on stderr, erased before the summary, and
 * the run's trace is the same with or without it. Not on a pipe.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simProgress, simProgressLine } from '../../src/cli/sim-progress.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { simulate } from '../../src/run/simulate.js';

/** A stand-in for process.stderr: a terminal or a pipe that keeps what is written. */
function stream(isTTY: boolean) {
  const written: string[] = [];
  return { written, s: { isTTY, write: (c: string) => written.push(c) > 0 } as unknown as NodeJS.WriteStream };
}

const scenario = () => parseScenario(readFileSync('scenarios/default.yaml', 'utf8'), 'scenarios/default.yaml');

describe('progress of a simulated run', () => {
  it('the line: simulated time of the run, percent, events', () => {
    expect(simProgressLine({ nowMs: 720_000, untilMs: 3_600_000, events: 234_567 })).toBe('run: 12m of 1h simulated (20%), 234,567 events');
    expect(simProgressLine({ nowMs: 3_600_000, untilMs: 3_600_000, events: 0 })).toBe('run: 1h of 1h simulated (100%), 0 events');
  });

  it('on a terminal: redrawn in place while the guard runs, erased at the end; the trace is unchanged', async () => {
    const plain = await simulate(scenario());
    const tty = stream(true);
    // every 1 ms: the default scenario's run (tens of ms, hundreds of engine drains) sees several redraws.
    const bar = simProgress(720_000, tty.s, 1)!;
    let summary;
    try {
      summary = await simulate(scenario(), { observe: bar.observe });
    } finally {
      bar.stop();
    }
    expect(summary.traceHash).toBe(plain.traceHash);
    const draws = tty.written.slice(0, -1);
    expect(draws.length).toBeGreaterThan(0);
    for (const d of draws) expect(d).toMatch(/^\r\x1b\[Krun: \S+ of 12m simulated \(\d+%\), [\d,]+ events$/);
    expect(tty.written.at(-1)).toBe('\r\x1b[K');
  });

  it('not on a pipe', () => {
    expect(simProgress(720_000, stream(false).s)).toBeUndefined();
  });
});
