/**
 * Where the Alibaba GPU trace lives. Every command that reads it takes `--traces DIR` (the folder
 * holding the CSVs); without it, `../shared/traces/alibaba-gpu-v2023` is used when it exists
 * (relative to the working directory, then to the Slipway checkout). The trace is never copied
 * into the project: the public copy is github.com/alibaba/clusterdata, cluster-trace-gpu-v2023/csv.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { packageRoot } from '../module-url.js';
import { GPU_NODE_FILE, parseNodeList, parsePodList, workloadFile, type TracePod } from '../gpu/trace-csv.js';
import type { GpuNodeSpec } from '../gpu/types.js';

export const DEFAULT_TRACES = '../shared/traces/alibaba-gpu-v2023';
const FROM_CHECKOUT = join(packageRoot(), '..', 'shared', 'traces', 'alibaba-gpu-v2023');

/** The default trace folder, or undefined when neither candidate exists. */
export function defaultTracesDir(): string | undefined {
  for (const dir of [resolve(DEFAULT_TRACES), FROM_CHECKOUT]) if (existsSync(join(dir, GPU_NODE_FILE))) return dir;
  return undefined;
}

/** `--traces DIR` checked, or the default; InputError (exit 2) when there is no trace to read. */
export function resolveTracesDir(flag: string | undefined): string {
  if (flag !== undefined) {
    if (!existsSync(join(flag, GPU_NODE_FILE))) {
      throw new InputError(`--traces: ${JSON.stringify(flag)} does not hold ${GPU_NODE_FILE} (point it at the folder with the trace CSVs)`);
    }
    return resolve(flag);
  }
  const dir = defaultTracesDir();
  if (!dir) {
    throw new InputError(
      `no GPU trace found at ${DEFAULT_TRACES}: pass --traces DIR, the folder holding ${GPU_NODE_FILE} ` +
        `(download cluster-trace-gpu-v2023/csv from github.com/alibaba/clusterdata)`,
    );
  }
  return dir;
}

function read(dir: string, file: string): string {
  const path = join(dir, file);
  if (!existsSync(path)) throw new InputError(`${path}: no such file in the trace folder`);
  return readFileSync(path, 'utf8');
}

/** The paper's cluster: the GPU nodes of the trace. */
export function readGpuNodes(dir: string): GpuNodeSpec[] {
  return parseNodeList(read(dir, GPU_NODE_FILE), join(dir, GPU_NODE_FILE));
}

/** The pods of workload `w` (openb_pod_list_<w>.csv). */
export function readWorkload(dir: string, w: string): TracePod[] {
  return parsePodList(read(dir, workloadFile(w)), join(dir, workloadFile(w)));
}
