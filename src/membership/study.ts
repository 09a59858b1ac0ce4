/**
 * The membership experiment's grid and results: two studies, each a list of runs (a pure function
 * of its spec, so runs can go to workers or shards in any order and the rows come back sorted).
 *
 * - `swim`: SWIM's analysis (Das, Gupta, Motivala, DSN 2002). Detector swim, N = 10, 100, 1,000,
 *   one crash every 20 s (restarted 15 s later): the mean number of protocol periods to first
 *   detection against 1 / (1 − e^(−q_f)), and the message load per member, which should not
 *   grow with N.
 * - `lifeguard`: Lifeguard's evaluation (Dadgar, Phillips, Currey, 2018). N = 100, every 30 s four
 *   members turn slow for 20 s (every message they receive is processed 10 s late, their timers
 *   keep running), and one crash every 30 s (restarted 20 s later): false positives, detection
 *   latency and message load for SWIM, each Lifeguard component alone, and full Lifeguard.
 */
import { DETECTORS, type DetectorName } from './config.js';
import { roundRobinExpectedPeriods, swimExpectedPeriods, type MembershipRunResult, type MembershipRunSpec } from './experiment.js';

export type StudyName = 'swim' | 'lifeguard';
export const STUDIES: readonly StudyName[] = ['swim', 'lifeguard'];

export interface StudyRun {
  readonly study: StudyName;
  readonly spec: MembershipRunSpec;
}

export interface StudyOptions {
  readonly studies: readonly StudyName[];
  readonly seeds: readonly number[];
  /** Group sizes of the swim study (default 10, 100, 1,000). */
  readonly members?: readonly number[];
  /** Detectors of the lifeguard study (default all five). */
  readonly detectors?: readonly DetectorName[];
  /** Simulated time of each run (default 10 minutes). */
  readonly durationMs?: number;
}

export const DEFAULT_MEMBERS: readonly number[] = [10, 100, 1000];
export const LIFEGUARD_MEMBERS = 100;
export const SLOW_ANOMALY = { everyMs: 30_000, concurrent: 4, durationMs: 20_000, delayMs: 10_000 } as const;

/**
 * Simulated time of each run unless `--duration` says otherwise. The SWIM study runs 30 minutes:
 * one crash every 20 s gives 89 crashes per size over seeds 1..3 in 10 minutes, whose sampling
 * error (about ±0.1 period, 6%) is too coarse for a 10% check; 30 minutes give 269.
 */
export const DEFAULT_DURATION_MS: Readonly<Record<StudyName, number>> = { swim: 1_800_000, lifeguard: 600_000 };

/** Every run of the chosen studies, in a fixed order: study, then size or detector, then seed. */
export function studyRuns(o: StudyOptions): StudyRun[] {
  const durationOf = (study: StudyName) => o.durationMs ?? DEFAULT_DURATION_MS[study];
  const runs: StudyRun[] = [];
  for (const study of STUDIES) {
    if (!o.studies.includes(study)) continue;
    if (study === 'swim') {
      for (const members of o.members ?? DEFAULT_MEMBERS)
        for (const seed of o.seeds) runs.push({ study, spec: { detector: 'swim', members, seed, durationMs: durationOf(study), crashes: { everyMs: 20_000, downMs: 15_000 } } });
    } else {
      for (const detector of o.detectors ?? DETECTORS)
        for (const seed of o.seeds)
          runs.push({
            study,
            spec: { detector, members: LIFEGUARD_MEMBERS, seed, durationMs: durationOf(study), crashes: { everyMs: 30_000, downMs: 20_000 }, slow: SLOW_ANOMALY },
          });
    }
  }
  return runs;
}

export interface StudyRow extends MembershipRunResult {
  readonly study: StudyName;
}

export const CSV_COLUMNS = [
  'study',
  'detector',
  'members',
  'seed',
  'crashes',
  'false_positives',
  'false_positives_slow',
  'detections',
  'detection_mean_ms',
  'detection_p99_ms',
  'first_detection_mean_periods',
  'expected_periods',
  'messages_per_member_per_s',
  'suspicions',
  'refutations',
] as const;

function num(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '';
}

/** results.csv: one row per run, in run order. */
export function resultsCsv(rows: readonly StudyRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      [
        r.study,
        r.detector,
        r.members,
        r.seed,
        r.crashes,
        r.falsePositives,
        r.falsePositivesSlow,
        r.detections,
        num(r.detectionMeanMs, 1),
        num(r.detectionP99Ms, 1),
        num(r.firstDetectionMeanPeriods, 4),
        num(swimExpectedPeriods(1), 4),
        num(r.messagesPerMemberPerS, 3),
        r.suspicions,
        r.refutations,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface SwimSummary {
  readonly members: number;
  readonly runs: number;
  readonly firstDetections: number;
  /** Mean over every first detection of every seed. */
  readonly meanPeriods: number;
  readonly expectedPeriods: number;
  /** The same expectation for a finite group probing round-robin. */
  readonly roundRobinPeriods: number;
  readonly messagesPerMemberPerS: number;
  readonly detectionMeanMs: number;
}

export interface LifeguardSummary {
  readonly detector: DetectorName;
  readonly runs: number;
  readonly falsePositives: number;
  readonly falsePositivesSlow: number;
  readonly detectionMeanMs: number;
  readonly detectionP99Ms: number;
  readonly messagesPerMemberPerS: number;
}

const meanOf = (xs: readonly number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

export function summarizeSwim(rows: readonly StudyRow[]): SwimSummary[] {
  const out: SwimSummary[] = [];
  const sizes = [...new Set(rows.filter((r) => r.study === 'swim').map((r) => r.members))];
  for (const members of sizes) {
    const rs = rows.filter((r) => r.study === 'swim' && r.members === members);
    const total = rs.reduce((a, r) => a + r.firstDetections, 0);
    const weighted = rs.reduce((a, r) => a + (r.firstDetections > 0 ? r.firstDetectionMeanPeriods * r.firstDetections : 0), 0);
    out.push({
      members,
      runs: rs.length,
      firstDetections: total,
      meanPeriods: total === 0 ? NaN : weighted / total,
      expectedPeriods: swimExpectedPeriods(1),
      roundRobinPeriods: roundRobinExpectedPeriods(members, members - 1),
      messagesPerMemberPerS: meanOf(rs.map((r) => r.messagesPerMemberPerS)),
      detectionMeanMs: meanOf(rs.map((r) => r.detectionMeanMs).filter(Number.isFinite)),
    });
  }
  return out;
}

export function summarizeLifeguard(rows: readonly StudyRow[]): LifeguardSummary[] {
  const out: LifeguardSummary[] = [];
  const detectors = [...new Set(rows.filter((r) => r.study === 'lifeguard').map((r) => r.detector))];
  for (const detector of detectors) {
    const rs = rows.filter((r) => r.study === 'lifeguard' && r.detector === detector);
    out.push({
      detector,
      runs: rs.length,
      falsePositives: rs.reduce((a, r) => a + r.falsePositives, 0),
      falsePositivesSlow: rs.reduce((a, r) => a + r.falsePositivesSlow, 0),
      detectionMeanMs: meanOf(rs.map((r) => r.detectionMeanMs).filter(Number.isFinite)),
      detectionP99Ms: meanOf(rs.map((r) => r.detectionP99Ms).filter(Number.isFinite)),
      messagesPerMemberPerS: meanOf(rs.map((r) => r.messagesPerMemberPerS)),
    });
  }
  return out;
}

/** The plain-text summary the command prints. */
export function summaryText(rows: readonly StudyRow[]): string {
  const lines: string[] = [];
  const swim = summarizeSwim(rows);
  if (swim.length > 0) {
    lines.push("SWIM's analysis: protocol periods to first detection of a crashed member (expected 1/(1 − e^−1) = 1.582)");
    lines.push('  members  crashes  measured  expected  vs expected  round-robin(n)  msgs/member/s  detection');
    for (const s of swim)
      lines.push(
        `  ${String(s.members).padStart(7)}  ${String(s.firstDetections).padStart(7)}  ${s.meanPeriods.toFixed(3).padStart(8)}  ${s.expectedPeriods.toFixed(3).padStart(8)}  ${`${(((s.meanPeriods - s.expectedPeriods) / s.expectedPeriods) * 100).toFixed(1)}%`.padStart(11)}  ${s.roundRobinPeriods.toFixed(3).padStart(14)}  ${s.messagesPerMemberPerS.toFixed(2).padStart(13)}  ${(s.detectionMeanMs / 1000).toFixed(1).padStart(8)} s`,
      );
  }
  const lg = summarizeLifeguard(rows);
  if (lg.length > 0) {
    if (lines.length > 0) lines.push('');
    const base = lg.find((s) => s.detector === 'swim');
    lines.push(`Lifeguard: ${LIFEGUARD_MEMBERS} members, ${SLOW_ANOMALY.concurrent} slow at a time (messages processed ${SLOW_ANOMALY.delayMs / 1000} s late for ${SLOW_ANOMALY.durationMs / 1000} s), one crash every 30 s`);
    lines.push('  detector        false positives  vs swim  about slow members  detection mean  p99      msgs/member/s');
    for (const s of lg) {
      const ratio = base && s.falsePositives > 0 ? `${(base.falsePositives / s.falsePositives).toFixed(1)}x` : base && base.falsePositives > 0 ? '∞' : '–';
      lines.push(
        `  ${s.detector.padEnd(14)}  ${String(s.falsePositives).padStart(15)}  ${ratio.padStart(7)}  ${String(s.falsePositivesSlow).padStart(18)}  ${(s.detectionMeanMs / 1000).toFixed(1).padStart(12)} s  ${(s.detectionP99Ms / 1000).toFixed(1).padStart(5)} s  ${s.messagesPerMemberPerS.toFixed(2).padStart(13)}`,
      );
    }
  }
  return lines.join('\n');
}
