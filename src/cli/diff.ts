/** `slipway diff A.jsonl B.jsonl [--json]`: a simulated and a live trace of one scenario, side by side. */
import { InputError } from '../core/errors.js';
import { readInputFile } from './input-file.js';
import { formatDuration } from '../core/duration.js';
import { diffTraces, type TraceDiff } from '../report/trace-diff.js';
import { parseTrace } from '../engine/trace-reader.js';
import type { TraceEvent } from '../core/trace-events.js';
import { EXIT_OK } from './errors.js';
import { statusWord, type ExpectationStatus } from '../check/expectations.js';

export interface DiffFlags {
  readonly json?: boolean;
}

/** A whole trace, decoded by the one trace reader (FILE:LINE on a bad line); an empty file is bad input. */
export function readTrace(file: string): TraceEvent[] {
  const out = parseTrace(readInputFile(file), file);
  if (out.length === 0) throw new InputError(`${file}: empty trace`);
  return out;
}

export function runDiff(fileA: string, fileB: string, flags: DiffFlags): number {
  const d = diffTraces(readTrace(fileA), readTrace(fileB));
  process.stdout.write(flags.json ? JSON.stringify(d, null, 2) + '\n' : formatDiff(d, fileA, fileB));
  return EXIT_OK;
}

const ms = (v: number | undefined) => (v === undefined ? 'never' : formatDuration(v));

export function formatDiff(d: TraceDiff, fileA: string, fileB: string): string {
  const L: string[] = [];
  L.push(`A: ${fileA} — ${d.a.scenario} on ${d.a.backend}, ${d.a.lines} lines, ends at ${formatDuration(d.a.endMs)}`);
  L.push(`B: ${fileB} — ${d.b.scenario} on ${d.b.backend}, ${d.b.lines} lines, ends at ${formatDuration(d.b.endMs)}`);
  if (d.a.scenario !== d.b.scenario) L.push(`warning: the traces are of different scenarios`);
  L.push(`placements: ${d.placementsAgree} of ${d.placements.length} agree (instances matched by workload, slot, generation and order)`);
  L.push(...table([['', 'instance', 'A', 'B'], ...d.placements.map((p) => [p.a === p.b ? ' ' : '*', p.key, p.a ?? '-', p.b ?? '-'])]));
  if (d.addresses.length > 0) {
    const differ = d.addresses.length - d.addressesAgree;
    L.push(`addresses: ${d.addressesAgree} of ${d.addresses.length} agree${differ > 0 ? ` — ${differ} instance(s) got a different address` : ''} (pod network; docs/networking.md)`);
    L.push(...table([['', 'instance', 'A', 'B'], ...d.addresses.map((p) => [p.a === p.b ? ' ' : '*', p.key, p.a ?? '-', p.b ?? '-'])]));
  }
  const longest = Math.max(d.milestonesA, d.milestonesB, 1);
  const alike = Math.round(100 * (1 - d.orderDistance / longest));
  L.push(`order of milestones: ${d.milestonesA} in A, ${d.milestonesB} in B; edit distance ${d.orderDistance} (${alike}% alike)`);
  if (d.firstDivergence)
    L.push(`  first difference at #${d.firstDivergence.index + 1}: A ${JSON.stringify(d.firstDivergence.a ?? '(end)')}, B ${JSON.stringify(d.firstDivergence.b ?? '(end)')}`);
  L.push('convergence (time from the trigger until the service runs all replicas of its generation):');
  L.push(...table([['workload', 'after', 'A', 'B'], ...d.convergence.map((c) => [c.workload, c.after, ms(c.aMs), ms(c.bMs)])]));
  if (d.expectations.length > 0) {
    const ok = (v: ExpectationStatus | undefined) => (v === undefined ? '-' : statusWord(v));
    L.push('expectations:');
    L.push(...table([['name', 'A', 'B'], ...d.expectations.map((e) => [e.name, ok(e.a), ok(e.b)])]));
  }
  return L.join('\n') + '\n';
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => '  ' + r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}
