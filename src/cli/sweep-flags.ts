/**
 * The sweep flags of compare, fuzz and experiment (declared once; see sweep-run.ts for what they
 * do). Kept apart so that registering them loads nothing but commander.
 */
import type { Command } from 'commander';
import { SLIPWAY_VERSION } from '../version.js';

export interface SweepFlags {
  readonly shard?: string;
  readonly queue?: string;
  readonly emitK8sJob?: string;
  readonly k8sShards?: string;
  readonly k8sParallelism?: string;
  readonly k8sBackoffLimitPerIndex?: string;
  readonly k8sImage?: string;
  readonly k8sClaim?: string;
  readonly k8sName?: string;
}

/** Adds the sweep flags to compare, fuzz or an experiment. */
export function addSweepOptions(cmd: Command): Command {
  return cmd
    .option('--shard <I/N>', 'run only shard I of N (1 ≤ I ≤ N; I may name an environment variable holding a 0-based index, e.g. JOB_COMPLETION_INDEX) and write its result bundle to --out; join the shards with slipway merge')
    .option('--queue <url>', 'run the sweep on a Redis work queue (redis://HOST:PORT/DB): enqueue its runs, wait for slipway worker --queue processes to run them, write --out as a local run would')
    .option('--emit-k8s-job <file>', 'write the sweep as Kubernetes Indexed Jobs (shards + a merge Job) to this YAML file instead of running it')
    .option('--k8s-shards <n>', 'with --emit-k8s-job: completions, one shard each (default 4)')
    .option('--k8s-parallelism <n>', 'with --emit-k8s-job: pods running at once (default: all shards)')
    .option('--k8s-backoff-limit-per-index <n>', 'with --emit-k8s-job: retries of a failed shard (default 2)')
    .option('--k8s-image <image>', `with --emit-k8s-job: container image with slipway on its PATH (default slipway:${SLIPWAY_VERSION})`)
    .option('--k8s-claim <name>', 'with --emit-k8s-job: PersistentVolumeClaim holding the inputs and the bundles (default slipway-sweep)')
    .option('--k8s-name <name>', 'with --emit-k8s-job: name of the Job (default slipway-<command>-<inputs hash>)');
}

