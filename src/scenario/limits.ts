/**
 * Upper bounds on what one scenario may ask for. Without them `replicas: 1e9` passes validation
 * and then exhausts the heap of `run` (a V8 fatal error with a native stack), and a fault rate of
 * 1000/s writes gigabytes of trace. Each limit is checked by the loader (so `validate` reports it,
 * exit 2, naming the limit and the flag that raises it) before anything is expanded or run.
 *
 * Pure: values in, problems out.
 */
import { formatPath, type PathSegment } from '../core/path.js';
import type { ScenarioInput } from './schema.js';

/** The bounds a scenario is checked against; every one has a command-line flag that overrides it. */
export interface ScenarioLimits {
  /** Instances (replicas, job completions) the scenario may ask for at once, summed over workloads. */
  readonly maxInstances: number;
  /** Nodes, summed over every `nodes` entry (with its `count`) and every `addNode`. */
  readonly maxNodes: number;
  /** Fault entries plus the expected firings of rate faults (rate × window), over the run. */
  readonly maxFaults: number;
  /** Bytes of a scenario file (YAML parsing takes ~100–150× the file size in memory). */
  readonly maxFileBytes: number;
  /** Bytes of one run's trace; a run that would write more stops with an error (exit 2). */
  readonly maxTraceBytes: number;
}

export const DEFAULT_LIMITS: ScenarioLimits = {
  maxInstances: 200_000,
  maxNodes: 100_000,
  maxFaults: 100_000,
  maxFileBytes: 16 * 1024 * 1024,
  maxTraceBytes: 4 * 1024 * 1024 * 1024,
};

/** The longest run a scenario (`duration`), `--until` or a replayed trace may ask for: 366 days. */
export const MAX_DURATION_MS = 366 * 86_400_000;

/** The flag that overrides each limit (the same on every command that takes it). */
export const LIMIT_FLAGS: Readonly<Record<keyof ScenarioLimits, string>> = {
  maxInstances: '--max-instances',
  maxNodes: '--max-nodes',
  maxFaults: '--max-faults',
  maxFileBytes: '--max-file-size',
  maxTraceBytes: '--max-trace-size',
};

/** A problem with a scenario's size: the field path it is about, and a message without the path. */
export interface LimitProblem {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

const num = (n: number): string => (Number.isSafeInteger(n) ? n.toLocaleString('en-US') : String(n));

function over(what: string, limit: number, key: keyof ScenarioLimits): string {
  return `over the limit of ${num(limit)} ${what} per scenario (raise it with ${LIMIT_FLAGS[key]} N)`;
}

/** Expected firings of a rate fault: rate per hour × the hours of its window. */
function expectedFirings(perHour: number, fromMs: number, untilMs: number): number {
  return (perHour * Math.max(0, untilMs - fromMs)) / 3_600_000;
}

/**
 * Checks a scenario (after its structure is validated, before it is expanded) against `limits`.
 * Returns at most one problem per limit: the first entry, in file order, that crosses it.
 */
export function checkLimits(input: ScenarioInput, limits: ScenarioLimits): LimitProblem[] {
  const problems: LimitProblem[] = [];
  const at = (path: readonly PathSegment[], message: string) => problems.push({ path, message: `${formatPath(path)}: ${message}` });

  if (input.duration > MAX_DURATION_MS) at(['duration'], `${num(input.duration)} ms is over the limit of 366d per run`);

  // Nodes: each entry with its count, then nodes added by operations.
  let nodes = 0;
  let nodesDone = false;
  input.nodes.forEach((n, i) => {
    if (nodesDone) return;
    const count = n.count ?? 1;
    nodes += count;
    if (nodes > limits.maxNodes) {
      nodesDone = true;
      at(n.count !== undefined ? ['nodes', i, 'count'] : ['nodes', i], `${num(nodes)} nodes so far: ${over('nodes', limits.maxNodes, 'maxNodes')}`);
    }
  });
  input.operations.forEach((op, i) => {
    if (nodesDone || op.addNode === undefined) return;
    nodes += 1;
    if (nodes > limits.maxNodes) {
      nodesDone = true;
      at(['operations', i, 'addNode'], `${num(nodes)} nodes so far: ${over('nodes', limits.maxNodes, 'maxNodes')}`);
    }
  });

  // Instances: the most each workload ever asks for (its replicas or completions, or a later
  // scale), summed; reported at the field that crosses the limit.
  const most = new Map<string, number>();
  let total = 0;
  let instancesDone = false;
  const ask = (workload: string, n: number, path: readonly PathSegment[]) => {
    if (instancesDone) return;
    if (n > limits.maxInstances) {
      instancesDone = true;
      at(path, `${num(n)} instances is ${over('instances', limits.maxInstances, 'maxInstances')}`);
      return;
    }
    const before = most.get(workload) ?? 0;
    if (n <= before) return;
    most.set(workload, n);
    total += n - before;
    if (total > limits.maxInstances) {
      instancesDone = true;
      at(path, `the workloads ask for ${num(total)} instances: ${over('instances', limits.maxInstances, 'maxInstances')}`);
    }
  };
  input.workloads.forEach((w, i) => {
    ask(w.name, w.replicas, ['workloads', i, 'replicas']);
    if (w.completions !== undefined && w.completions > limits.maxInstances) ask(w.name, w.completions, ['workloads', i, 'completions']);
  });
  input.operations.forEach((op, i) => {
    if (op.scale) ask(op.scale.workload, op.scale.replicas, ['operations', i, 'scale', 'replicas']);
  });

  // Faults: entries, plus what rate faults are expected to fire over their windows.
  let faults = 0;
  let faultsDone = false;
  input.faults.forEach((f, i) => {
    if (faultsDone) return;
    if (f.rate === undefined) {
      faults += 1;
      if (faults > limits.maxFaults) {
        faultsDone = true;
        at(['faults', i], `${num(faults)} faults so far: ${over('faults', limits.maxFaults, 'maxFaults')}`);
      }
      return;
    }
    const fired = expectedFirings(f.rate, f.from ?? 0, f.until ?? input.duration);
    faults += fired;
    if (faults > limits.maxFaults) {
      faultsDone = true;
      at(['faults', i, 'rate'], `about ${num(Math.round(fired))} firings over its window (${num(Math.round(faults))} faults so far): ${over('faults', limits.maxFaults, 'maxFaults')}`);
    }
  });
  return problems;
}

/** Merges command-line overrides into the defaults. */
export function limitsWith(overrides: Partial<ScenarioLimits> | undefined): ScenarioLimits {
  return { ...DEFAULT_LIMITS, ...(overrides ?? {}) };
}

/** `1.5G`, `512M`, `4096`: a size in bytes (K/M/G/T are powers of 1024; a trailing B or iB is allowed). */
export function parseSize(v: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?$/i.exec(v.trim());
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const n = Math.floor(Number(m[1]) * mult);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** A byte count as people read it: `16 MiB`, `4 GiB`, `900 B`. */
export function formatSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const text = v.toFixed(1);
  return `${text.endsWith('.0') ? text.slice(0, -2) : text} ${units[i]}`;
}
