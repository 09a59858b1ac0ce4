/**
 * Which kind of Slipway file a text is, judged by the keys only one kind has, so a command handed
 * the wrong kind can name the mix-up ("this is a snapshot, not a scenario") instead of reporting
 * the first field its own schema does not know.
 */
import { parse } from 'yaml';

export type DocumentKind = 'scenario' | 'snapshot' | 'trace';

/** Top-level keys of a scenario that a snapshot never has (docs/scenario-format.md). */
const SCENARIO_KEYS = ['workloads', 'manifests', 'duration', 'operations', 'faults', 'expectations', 'scheduler', 'running', 'controlPlane'];
/** Top-level keys of an explain snapshot that a scenario never has (docs/scheduling.md). */
const SNAPSHOT_KEYS = ['pending', 'pods', 'profile'];

/** The kind of `text`, or undefined when it is none of them recognisably (or not parseable). */
export function documentKind(text: string): DocumentKind | undefined {
  const first = text.slice(0, text.indexOf('\n') >>> 0);
  if (first.startsWith('{')) {
    try {
      if ((JSON.parse(first) as { type?: unknown }).type === 'run.start') return 'trace';
    } catch {
      // not a JSONL trace: fall through to YAML (a JSON snapshot is YAML too)
    }
  }
  let raw: unknown;
  try {
    raw = parse(text, { uniqueKeys: false, logLevel: 'silent' });
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const keys = Object.keys(raw);
  const snapshot = SNAPSHOT_KEYS.filter((k) => keys.includes(k)).length;
  const scenario = SCENARIO_KEYS.filter((k) => keys.includes(k)).length;
  if (snapshot > scenario) return 'snapshot';
  if (scenario > snapshot) return 'scenario';
  return undefined;
}

/**
 * The one-line message for a `kind` file given where a `wanted` one was expected, or undefined
 * when the kinds agree (or the kind is unknown).
 */
export function mixUpMessage(file: string, kind: DocumentKind | undefined, wanted: 'scenario' | 'snapshot'): string | undefined {
  if (kind === undefined || kind === wanted) return undefined;
  if (kind === 'trace') return `${file}: this is a trace, not a ${wanted}: slipway replay ${file} re-runs it (diff, export read it too)`;
  if (kind === 'snapshot') return `${file}: this is an explain snapshot, not a scenario: slipway explain ${file} reads it (without --at and --workload)`;
  return `${file}: this is a scenario, not a snapshot: explain it at a point of its run with --at DURATION --workload NAME`;
}
