/**
 * Slipway's sweep kinds (src/sweep/kind.ts): compare, fuzz, experiment fgd and experiment
 * membership. Each spec is the JSON that fixes a sweep's run list and everything its outputs
 * show (the scenario's text, not its path alone; the trace files' hashes); `prepare` turns it
 * into a runner of one run, the same function the command's own worker threads call, so a row
 * from a shard, a queue worker or a local run is the same row.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOne, type RunResult } from '../compare/run-one.js';
import { InputError } from '../core/errors.js';
import { caseFromSeed, type Profile } from '../fuzz/case.js';
import { runSeed } from '../fuzz/fuzz.js';
import { runCase, type CaseOutcome } from '../fuzz/run-case.js';
import { GPU_NODE_FILE, workloadFile } from '../gpu/trace-csv.js';
import { parsePolicies as parseFgdPolicies, parseSeeds as parseFgdSeeds, parseWorkloads, runJob, studyJobs, type JobResult } from '../gpu/study.js';
import { runMembership } from '../membership/experiment.js';
import { studyRuns, type StudyOptions, type StudyRow } from '../membership/study.js';
import type { ScenarioLimits } from '../scenario/limits.js';
import { parseScenario } from '../run/parse-scenario.js';
import type { Scenario } from '../scenario/types.js';
import { contentHash, type SweepKind } from '../sweep/kind.js';
import type { GpuPodSpec } from '../gpu/types.js';
import { readGpuNodes, readWorkload } from './traces.js';

/** `slipway compare`: the scenario file's text and name, policies × seeds. */
export interface CompareSpec {
  /** The file as named on the command line (it appears in the report's commands). */
  readonly file: string;
  readonly text: string;
  readonly limits: Partial<ScenarioLimits>;
  readonly policies: readonly string[];
  readonly seeds: readonly number[];
  /** `--seeds` as given (it appears in the report's command). */
  readonly seedSpec: string;
  /** The manifest files the scenario's `manifests:` names, by entry, as read when the sweep began. */
  readonly manifestFiles?: Readonly<Record<string, { readonly file: string; readonly text: string }>>;
}

export function compareScenario(spec: CompareSpec): Scenario {
  return parseScenario(spec.text, spec.file, {
    limits: spec.limits,
    readManifestFile: (ref) => {
      const read = spec.manifestFiles?.[ref];
      if (read === undefined) throw new InputError(`${ref}: not in the sweep's spec (the scenario names a manifest file the sweep did not read)`);
      return read;
    },
  });
}

export const compareKind: SweepKind<CompareSpec, RunResult> = {
  name: 'compare',
  keys: (spec) => spec.policies.flatMap((p) => spec.seeds.map((s) => `${p} seed ${s}`)),
  async prepare(spec) {
    const scenario = compareScenario(spec);
    const tasks = spec.policies.flatMap((policy) => spec.seeds.map((seed) => ({ policy, seed })));
    return (i) => runOne(scenario, tasks[i]);
  },
};

/** `slipway fuzz`: runs, root seed, profile, and whether failures are shrunk. */
export interface FuzzSpec {
  readonly runs: number;
  readonly seed: number;
  readonly profile: Profile;
  readonly shrink: boolean;
}

export const fuzzKind: SweepKind<FuzzSpec, CaseOutcome> = {
  name: 'fuzz',
  keys: (spec) => Array.from({ length: spec.runs }, (_, i) => `run ${i} case seed ${runSeed(spec.seed, i)}`),
  async prepare(spec) {
    return (i) => {
      const seed = runSeed(spec.seed, i);
      return runCase(caseFromSeed(seed, spec.profile), spec.profile, `fuzz-${seed}`, { invariants: true });
    };
  },
};

/** `slipway experiment fgd`: the flags as given (they appear in the report's command), the trace folder and its files' hashes. */
export interface FgdSpec {
  readonly workload: string;
  readonly policies: string | null;
  readonly seeds: string;
  readonly tracesDir: string;
  /** sha256 of each trace file the study reads, by file name. */
  readonly traceFiles: Readonly<Record<string, string>>;
  readonly capacityGpus: number;
}

export function fgdJobs(spec: FgdSpec) {
  return studyJobs(parseWorkloads(spec.workload), parseFgdPolicies(spec.policies ?? undefined), parseFgdSeeds(spec.seeds));
}

/** The trace files a study reads and their hashes. */
export function traceFileHashes(tracesDir: string, workloads: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of [GPU_NODE_FILE, ...workloads.map(workloadFile)]) {
    try {
      out[f] = contentHash(readFileSync(join(tracesDir, f)));
    } catch {
      throw new InputError(`${join(tracesDir, f)}: no such file in the trace folder`);
    }
  }
  return out;
}

export const fgdKind: SweepKind<FgdSpec, JobResult> = {
  name: 'experiment fgd',
  keys: (spec) => fgdJobs(spec).map((j) => `${j.workload} ${j.policy} seed ${j.seed}`),
  async prepare(spec) {
    const jobs = fgdJobs(spec);
    // A worker on another machine must read the very trace the submitter hashed.
    const here = traceFileHashes(spec.tracesDir, parseWorkloads(spec.workload));
    for (const [f, h] of Object.entries(spec.traceFiles)) {
      if (here[f] !== h) throw new InputError(`${join(spec.tracesDir, f)}: differs from the trace the sweep was started with (sha256 ${here[f]?.slice(0, 12)} vs ${h.slice(0, 12)})`);
    }
    const nodes = readGpuNodes(spec.tracesDir);
    const pods = new Map<string, GpuPodSpec[]>();
    return async (i) => {
      const job = jobs[i];
      let p = pods.get(job.workload);
      if (!p) pods.set(job.workload, (p = readWorkload(spec.tracesDir, job.workload)));
      return runJob(job, { nodes, pods: p });
    };
  },
};

/** `slipway experiment membership`: the flags as given, and the parsed study options. */
export interface MembershipSpec {
  readonly flags: { readonly study: string; readonly seeds: string; readonly members?: string; readonly detectors?: string; readonly duration?: string };
  readonly options: StudyOptions;
}

export const membershipKind: SweepKind<MembershipSpec, StudyRow> = {
  name: 'experiment membership',
  keys: (spec) => studyRuns(spec.options).map((r) => `${r.study} ${r.spec.detector} N=${r.spec.members} seed ${r.spec.seed}`),
  async prepare(spec) {
    const runs = studyRuns(spec.options);
    return async (i) => ({ study: runs[i].study, ...(await runMembership(runs[i].spec)) });
  },
};

/** Every kind, for `slipway merge` and `slipway worker`. */
export const SWEEP_KINDS: readonly SweepKind[] = [compareKind, fuzzKind, fgdKind, membershipKind] as readonly SweepKind<never, unknown>[] as readonly SweepKind[];
