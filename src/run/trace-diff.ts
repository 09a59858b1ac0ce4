/**
 * Semantic comparison of two traces (JSONL records `{"t","seq","type",...}`): the first record
 * where they differ, described as a decision that changed ("instance.scheduled of web-1: node
 * node-2 → node-3"), with the records that led up to it.
 */

export interface TraceRecord {
  readonly t: number;
  readonly seq: number;
  readonly type: string;
  readonly [field: string]: unknown;
}

export interface Divergence {
  /** Index (= seq) of the first differing record. */
  readonly seq: number;
  readonly expected?: TraceRecord;
  readonly actual?: TraceRecord;
  /** One line: which decision changed and how. */
  readonly summary: string;
  /** Fields that differ: `field: old → new`. */
  readonly changes: readonly string[];
  /** The last records both runs agree on, oldest first. */
  readonly context: readonly TraceRecord[];
  /** Earlier records about the same instance or workload (what led to the decision), oldest first. */
  readonly related: readonly TraceRecord[];
}

const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));

/** The record's subject, for messages: its instance, workload, node or container. */
function subject(r: TraceRecord): string {
  for (const k of ['instance', 'container', 'workload', 'node', 'nodes']) if (r[k] !== undefined) return ` of ${typeof r[k] === 'string' ? r[k] : JSON.stringify(r[k])}`;
  return '';
}

function describe(r: TraceRecord): string {
  return `${r.type}${subject(r)} at t=${r.t}ms`;
}

/**
 * Compares `expected` (the recorded run) with `actual` (the new one), line by line; returns
 * undefined when they are identical.
 */
export function diffTraces(expected: readonly string[], actual: readonly string[], contextSize = 3): Divergence | undefined {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    if (expected[i] === actual[i]) continue;
    const e = expected[i] !== undefined ? (JSON.parse(expected[i]) as TraceRecord) : undefined;
    const a = actual[i] !== undefined ? (JSON.parse(actual[i]) as TraceRecord) : undefined;
    const context = expected.slice(Math.max(0, i - contextSize), i).map((l) => JSON.parse(l) as TraceRecord);
    const changes: string[] = [];
    let summary: string;
    if (!e) summary = `the new run continues after the recorded trace ended: ${describe(a!)}`;
    else if (!a) summary = `the new run ended early; the recorded run went on with ${describe(e)}`;
    else if (e.type !== a.type) {
      summary = `a different event at record ${i}: recorded ${describe(e)}, now ${describe(a)}`;
    } else {
      const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].filter((k) => k !== 'seq');
      for (const k of keys) if (JSON.stringify(e[k]) !== JSON.stringify(a[k])) changes.push(`${k}: ${show(e[k])} → ${show(a[k])}`);
      summary = `${e.type}${subject(e)} changed: ${changes.join(', ')}`;
    }
    const related = relatedBefore(expected, i, e ?? a!, contextSize);
    return { seq: i, ...(e ? { expected: e } : {}), ...(a ? { actual: a } : {}), summary, changes, context, related };
  }
  return undefined;
}

/** The last `n` records before `i` that name the same instance (else workload) as `r`. */
function relatedBefore(lines: readonly string[], i: number, r: TraceRecord, n: number): TraceRecord[] {
  const key = r.instance !== undefined ? 'instance' : r.workload !== undefined ? 'workload' : undefined;
  if (key === undefined) return [];
  const needle = `"${key}":${JSON.stringify(r[key])}`;
  const out: TraceRecord[] = [];
  for (let k = i - 1; k >= 0 && out.length < n; k--) if (lines[k].includes(needle)) out.push(JSON.parse(lines[k]) as TraceRecord);
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
