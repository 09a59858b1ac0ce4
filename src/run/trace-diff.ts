/**
 * Semantic comparison of two traces (JSONL records `{"t","seq","type",...}`): the first record
 * where they differ, described as a decision that changed ("instance.scheduled of web-1: node
 * node-2 → node-3"), with the records that led up to it.
 */
import { fieldsOf, type TraceEvent } from '../core/trace-events.js';
import { decodeTraceLine } from '../engine/trace-reader.js';

export interface Divergence {
  /** Index (= seq) of the first differing record. */
  readonly seq: number;
  readonly expected?: TraceEvent;
  readonly actual?: TraceEvent;
  /** One line: which decision changed and how. */
  readonly summary: string;
  /** Fields that differ: `field: old → new`. */
  readonly changes: readonly string[];
  /** The last records both runs agree on, oldest first. */
  readonly context: readonly TraceEvent[];
  /** Earlier records about the same instance or workload (what led to the decision), oldest first. */
  readonly related: readonly TraceEvent[];
}

const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));

/** The record's subject, for messages: its instance, workload, node or container. */
function subject(r: TraceEvent): string {
  const f = fieldsOf(r);
  for (const k of ['instance', 'container', 'workload', 'node', 'nodes']) if (f[k] !== undefined) return ` of ${typeof f[k] === 'string' ? f[k] : JSON.stringify(f[k])}`;
  return '';
}

function describe(r: TraceEvent): string {
  return `${r.type}${subject(r)} at t=${r.t}ms`;
}

/** Where the lines come from, for the reader's FILE:LINE when one is not a trace event. */
export interface TraceSources {
  readonly expected: string;
  readonly actual: string;
}

/**
 * Compares `expected` (the recorded run) with `actual` (the new one), line by line; returns
 * undefined when they are identical. The lines around the first difference are decoded with the
 * trace reader (an InputError naming `sources`' FILE:LINE when one is not a trace event).
 */
export function diffTraces(
  expected: readonly string[],
  actual: readonly string[],
  contextSize = 3,
  sources: TraceSources = { expected: 'the recorded trace', actual: 'the new trace' },
): Divergence | undefined {
  const n = Math.max(expected.length, actual.length);
  const decode = (lines: readonly string[], k: number, file: string) => decodeTraceLine(lines[k], file, k + 1);
  for (let i = 0; i < n; i++) {
    if (expected[i] === actual[i]) continue;
    const e = expected[i] !== undefined ? decode(expected, i, sources.expected) : undefined;
    const a = actual[i] !== undefined ? decode(actual, i, sources.actual) : undefined;
    const context = expected.slice(Math.max(0, i - contextSize), i).map((_, j) => decode(expected, Math.max(0, i - contextSize) + j, sources.expected));
    const changes: string[] = [];
    let summary: string;
    if (!e) summary = `the new run continues after the recorded trace ended: ${describe(a!)}`;
    else if (!a) summary = `the new run ended early; the recorded run went on with ${describe(e)}`;
    else if (e.type !== a.type) {
      summary = `a different event at record ${i}: recorded ${describe(e)}, now ${describe(a)}`;
    } else {
      const fe = fieldsOf(e);
      const fa = fieldsOf(a);
      const keys = [...new Set([...Object.keys(fe), ...Object.keys(fa)])].filter((k) => k !== 'seq');
      for (const k of keys) if (JSON.stringify(fe[k]) !== JSON.stringify(fa[k])) changes.push(`${k}: ${show(fe[k])} → ${show(fa[k])}`);
      summary = `${e.type}${subject(e)} changed: ${changes.join(', ')}`;
    }
    const related = relatedBefore(expected, i, e ?? a!, contextSize, (k) => decode(expected, k, sources.expected));
    return { seq: i, ...(e ? { expected: e } : {}), ...(a ? { actual: a } : {}), summary, changes, context, related };
  }
  return undefined;
}

/** The last `n` records before `i` that name the same instance (else workload) as `r`. */
function relatedBefore(lines: readonly string[], i: number, r: TraceEvent, n: number, decode: (k: number) => TraceEvent): TraceEvent[] {
  const f = fieldsOf(r);
  const key = f.instance !== undefined ? 'instance' : f.workload !== undefined ? 'workload' : undefined;
  if (key === undefined) return [];
  const needle = `"${key}":${JSON.stringify(f[key])}`;
  const out: TraceEvent[] = [];
  for (let k = i - 1; k >= 0 && out.length < n; k--) if (lines[k].includes(needle)) out.push(decode(k));
  return out.reverse();
}

/** Lines of a divergence report for the terminal. */
export function formatDivergence(d: Divergence): string[] {
  const lines = [`first divergence at record ${d.seq}: ${d.summary}`];
  if (d.related.length > 0) {
    lines.push('  what led to it (earlier records about the same subject):');
    for (const r of d.related) lines.push(`    ${JSON.stringify(r)}`);
  }
  if (d.context.length > 0) {
    lines.push('  after (both runs agree):');
    for (const r of d.context) lines.push(`    ${JSON.stringify(r)}`);
  }
  if (d.expected) lines.push(`  recorded: ${JSON.stringify(d.expected)}`);
  if (d.actual) lines.push(`  new run:  ${JSON.stringify(d.actual)}`);
  return lines;
}
