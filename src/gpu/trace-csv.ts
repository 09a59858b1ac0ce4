/**
 * Importer for the Alibaba GPU cluster trace v2023 ("openb", github.com/alibaba/clusterdata, folder
 * cluster-trace-gpu-v2023), the data of the FGD paper. Parses text (the caller reads the files), so
 * this module does no I/O. Bad rows are InputErrors naming `FILE:LINE`, the column and the value.
 *
 *   node list: sn, cpu_milli, memory_mib, gpu, model
 *   pod list:  name, cpu_milli, memory_mib, num_gpu, gpu_milli[, gpu_spec, qos, pod_phase,
 *              creation_time, deletion_time, scheduled_time]   (the multigpu* files stop at gpu_milli)
 */
import { parseCsvRecords } from './csv-records.js';
import { InputError } from '../core/errors.js';
import { MAX_GPUS_PER_NODE, MILLI, type GpuNodeSpec, type GpuPodSpec } from './types.js';

/** The cluster of the paper: GPU nodes only (1,213 nodes, 6,212 GPUs). */
export const GPU_NODE_FILE = 'openb_node_list_gpu_node.csv';

/** The 17 workloads of the paper's experiments (FGD artifact, generate_run_scripts.py). */
export const WORKLOADS = [
  'default',
  'cpu050',
  'cpu100',
  'cpu200',
  'cpu250',
  'gpushare40',
  'gpushare60',
  'gpushare80',
  'gpushare100',
  'gpuspec10',
  'gpuspec20',
  'gpuspec25',
  'gpuspec33',
  'multigpu20',
  'multigpu30',
  'multigpu40',
  'multigpu50',
] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export function workloadFile(w: string): string {
  return `openb_pod_list_${w}.csv`;
}

/** A pod row with its time columns, for importers that replay arrivals (absent in multigpu files). */
export interface TracePod extends GpuPodSpec {
  readonly creationTime?: number;
  readonly deletionTime?: number;
}

interface Row {
  readonly line: number;
  readonly get: (column: string) => string | undefined;
}

function rows(text: string, file: string, required: readonly string[]): Row[] {
  const records = parseCsvRecords(text, file);
  const header = records.length > 0 ? Object.keys(records[0].record) : [];
  for (const col of required) {
    if (records.length > 0 && !header.includes(col)) throw new InputError(`${file}:1: missing column ${JSON.stringify(col)}`);
  }
  return records.map((r) => ({ line: r.info.lines, get: (c: string) => r.record[c] }));
}

function integer(row: Row, file: string, column: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = row.get(column) ?? '';
  const v = Number(raw);
  if (raw === '' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new InputError(`${file}:${row.line}: ${column} must be an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  }
  return v;
}

function optionalNumber(row: Row, file: string, column: string): number | undefined {
  const raw = row.get(column);
  if (raw === undefined || raw === '') return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new InputError(`${file}:${row.line}: ${column} must be a number, got ${JSON.stringify(raw)}`);
  return v;
}

/** Parses a node list (`sn,cpu_milli,memory_mib,gpu,model`). */
export function parseNodeList(text: string, file: string): GpuNodeSpec[] {
  return rows(text, file, ['sn', 'cpu_milli', 'memory_mib', 'gpu', 'model']).map((r) => {
    const name = r.get('sn') ?? '';
    if (name === '') throw new InputError(`${file}:${r.line}: sn must not be empty`);
    const gpuCount = integer(r, file, 'gpu', 0, MAX_GPUS_PER_NODE);
    const model = r.get('model') ?? '';
    if (gpuCount > 0 && model === '') throw new InputError(`${file}:${r.line}: model must be set on a node with ${gpuCount} GPUs`);
    return { name, cpuMilli: integer(r, file, 'cpu_milli', 0, 2 ** 31 - 1), memoryMiB: integer(r, file, 'memory_mib', 0, 2 ** 31 - 1), gpuCount, model };
  });
}

/** Parses a pod list; checks `gpu_milli < 1000 ⇒ num_gpu = 1`. */
export function parsePodList(text: string, file: string): TracePod[] {
  return rows(text, file, ['name', 'cpu_milli', 'memory_mib', 'num_gpu', 'gpu_milli']).map((r) => {
    const name = r.get('name') ?? '';
    if (name === '') throw new InputError(`${file}:${r.line}: name must not be empty`);
    const numGpu = integer(r, file, 'num_gpu', 0, MAX_GPUS_PER_NODE);
    const gpuMilli = integer(r, file, 'gpu_milli', 0, MILLI);
    if (gpuMilli > 0 && gpuMilli < MILLI && numGpu !== 1) {
      throw new InputError(`${file}:${r.line}: gpu_milli ${gpuMilli} (a GPU share) needs num_gpu 1, got ${numGpu}`);
    }
    const spec = r.get('gpu_spec') ?? '';
    return {
      name,
      cpuMilli: integer(r, file, 'cpu_milli', 0, 2 ** 31 - 1),
      memoryMiB: integer(r, file, 'memory_mib', 0, 2 ** 31 - 1),
      numGpu: gpuMilli === 0 ? 0 : numGpu,
      gpuMilli: numGpu === 0 ? 0 : gpuMilli,
      gpuSpec: spec === '' ? [] : spec.split('|').filter((s) => s !== ''),
      creationTime: optionalNumber(r, file, 'creation_time'),
      deletionTime: optionalNumber(r, file, 'deletion_time'),
    };
  });
}
