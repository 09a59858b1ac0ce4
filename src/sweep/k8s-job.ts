/**
 * A sweep as Kubernetes Indexed Jobs (batch/v1): one Job of N completions whose pod i runs the
 * sweep's command with `--shard JOB_COMPLETION_INDEX/N`, writing its bundle to a volume, and a
 * second Job, created suspended, that merges the bundles once the first has completed
 * (`kubectl wait` then resume it: Kubernetes has no dependency between Jobs).
 */
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import { stringify } from 'yaml';

export interface K8sJobOptions {
  /** Name of the sweep Job (`NAME-merge` is the merge Job); a DNS-1123 label. */
  readonly name: string;
  readonly image: string;
  /** A PersistentVolumeClaim (ReadWriteMany for parallelism > 1 on several nodes) mounted at `workDir`. */
  readonly claim: string;
  /** Where the volume is mounted and the containers run; inputs are read relative to it. */
  readonly workDir: string;
  readonly completions: number;
  readonly parallelism: number;
  readonly backoffLimitPerIndex: number;
  /** The sweep's command without its output: `['slipway', 'compare', 'x.yaml', '--policies', ...]`. */
  readonly command: readonly string[];
  /** Folder (relative to workDir) the shards write their bundles to. */
  readonly bundlesDir: string;
  /** Folder (relative to workDir) the merge writes the results to. */
  readonly resultsDir: string;
  /** Labels put on both Jobs (e.g. the sweep's inputs hash). */
  readonly labels: Readonly<Record<string, string>>;
}

/** The environment variable Kubernetes sets to a pod's completion index (0-based). */
export const INDEX_ENV = 'JOB_COMPLETION_INDEX';

function podSpec(o: K8sJobOptions, args: string[]) {
  return {
    restartPolicy: 'Never' as const,
    containers: [
      {
        name: 'slipway',
        image: o.image,
        command: args,
        workingDir: o.workDir,
        volumeMounts: [{ name: 'sweep', mountPath: o.workDir }],
      },
    ],
    volumes: [{ name: 'sweep', persistentVolumeClaim: { claimName: o.claim } }],
  };
}

/** The shard container's command: the sweep's, with the shard from the pod's index. */
export function shardCommand(o: Pick<K8sJobOptions, 'command' | 'completions' | 'bundlesDir'>): string[] {
  return [...o.command, '--shard', `${INDEX_ENV}/${o.completions}`, '--out', o.bundlesDir];
}

/** The merge container's command. */
export function mergeCommand(o: Pick<K8sJobOptions, 'command' | 'bundlesDir' | 'resultsDir'>): string[] {
  return [o.command[0], 'merge', o.bundlesDir, '--out', o.resultsDir];
}

/** The two Jobs: the Indexed sweep and the (suspended) merge. */
export function sweepJobs(o: K8sJobOptions): [IJob, IJob] {
  const metadata = (name: string) => ({ name, labels: { ...o.labels, 'app.kubernetes.io/name': 'slipway', 'app.kubernetes.io/component': 'sweep' } });
  const sweep: IJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(o.name),
    spec: {
      completionMode: 'Indexed',
      completions: o.completions,
      parallelism: o.parallelism,
      // A failing index is retried alone, up to this many times; the others go on.
      backoffLimitPerIndex: o.backoffLimitPerIndex,
      template: { metadata: { labels: { ...o.labels } }, spec: podSpec(o, shardCommand(o)) },
    },
  };
  const merge: IJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(`${o.name}-merge`),
    spec: {
      suspend: true,
      completions: 1,
      backoffLimit: 0,
      template: { metadata: { labels: { ...o.labels } }, spec: podSpec(o, mergeCommand(o)) },
    },
  };
  return [sweep, merge];
}

/** The Jobs as one YAML stream, with the commands that run them as a leading comment. */
export function sweepJobsYaml(o: K8sJobOptions): string {
  const [sweep, merge] = sweepJobs(o);
  const head = [
    `# Slipway sweep as Kubernetes Jobs: ${o.completions} shards of \`${o.command.join(' ')}\`.`,
    `# The image must have \`${o.command[0]}\` on its PATH; the PersistentVolumeClaim ${o.claim} (mounted at ${o.workDir})`,
    `# must hold the sweep's input files at the paths the command names. Run:`,
    `#   kubectl apply -f THIS_FILE`,
    `#   kubectl wait --for=condition=complete --timeout=24h job/${o.name}`,
    `#   kubectl patch job ${o.name}-merge --type=merge -p '{"spec":{"suspend":false}}'`,
    `#   kubectl wait --for=condition=complete job/${o.name}-merge`,
    `# Results: ${o.workDir}/${o.resultsDir}/ on the volume (the bundles stay in ${o.workDir}/${o.bundlesDir}/).`,
  ];
  return head.join('\n') + '\n' + stringify(sweep) + '---\n' + stringify(merge);
}
