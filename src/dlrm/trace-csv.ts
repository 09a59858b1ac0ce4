/**
 * Parser of the Alibaba GPU-disaggregated DLRM inference trace (github.com/alibaba/clusterdata,
 * cluster-trace-gpu-v2025/disaggregated_DLRM_trace.csv; Yang et al., NSDI '25). Parses text (the
 * caller reads the file), so this module does no I/O. A bad row is an InputError naming
 * `FILE:LINE`, the column and the value.
 *
 *   instance_sn, role (CN|HN), app_name, cpu_request, cpu_limit (vCPU), gpu_request, gpu_limit
 *   (GPUs), rdma_request, rdma_limit (% of one RNIC), memory_request, memory_limit, disk_request,
 *   disk_limit (GiB), max_instance_per_node (-1 = none), creation_time, scheduled_time,
 *   deletion_time (seconds from the trace's start; creation empty = existed before the trace
 *   began, deletion empty = alive at its end)
 */
import { parseCsvRecords } from '../gpu/csv-records.js';
import { InputError } from '../core/errors.js';

export const DLRM_TRACE_FILE = 'disaggregated_DLRM_trace.csv';
export const DLRM_ROLES = ['CN', 'HN'] as const;
export type DlrmRole = (typeof DLRM_ROLES)[number];

export interface DlrmInstance {
  readonly sn: string;
  readonly role: DlrmRole;
  readonly app: string;
  /** Requests and limits: cpu in millicores, memory and disk in MiB, gpu in GPUs, rdma in percent. */
  readonly request: DlrmResources;
  readonly limit: DlrmResources;
  /** undefined = no cap (-1 in the trace). */
  readonly maxPerNode?: number;
  /** Seconds; undefined = existed before the trace began. */
  readonly creationTime?: number;
  /** Seconds; undefined = alive at the end. */
  readonly deletionTime?: number;
}

export interface DlrmResources {
  readonly cpuMilli: number;
  readonly memoryMiB: number;
  readonly diskMiB: number;
  readonly gpu: number;
  readonly rdma: number;
}

const COLUMNS = [
  'instance_sn',
  'role',
  'app_name',
  'cpu_request',
  'cpu_limit',
  'gpu_request',
  'gpu_limit',
  'rdma_request',
  'rdma_limit',
  'memory_request',
  'memory_limit',
  'disk_request',
  'disk_limit',
  'max_instance_per_node',
  'creation_time',
  'scheduled_time',
  'deletion_time',
] as const;

type Get = (column: string) => string;

function bad(file: string, line: number, column: string, raw: string, what: string): InputError {
  return new InputError(`${file}:${line}: ${column} must be ${what}, got ${JSON.stringify(raw)}`);
}

function number(get: Get, file: string, line: number, column: string, min: number, max: number): number {
  const raw = get(column);
  const v = Number(raw);
  if (raw === '' || !Number.isFinite(v) || v < min || v > max) throw bad(file, line, column, raw, `a number in [${min}, ${max}]`);
  return v;
}

function integer(get: Get, file: string, line: number, column: string, min: number, max: number): number {
  const raw = get(column);
  const v = Number(raw);
  if (raw === '' || !Number.isSafeInteger(v) || v < min || v > max) throw bad(file, line, column, raw, `an integer in [${min}, ${max}]`);
  return v;
}

function time(get: Get, file: string, line: number, column: string): number | undefined {
  const raw = get(column);
  if (raw === '') return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) throw bad(file, line, column, raw, 'empty or a number of seconds ≥ 0');
  return v;
}

const GIB_MAX = 1024 * 1024; // 1 PiB in GiB: far above any node
const CPU_MAX = 100_000;

function resources(get: Get, file: string, line: number, kind: 'request' | 'limit'): DlrmResources {
  return {
    cpuMilli: Math.ceil(number(get, file, line, `cpu_${kind}`, 0, CPU_MAX) * 1000),
    memoryMiB: Math.ceil(number(get, file, line, `memory_${kind}`, 0, GIB_MAX) * 1024),
    diskMiB: Math.ceil(number(get, file, line, `disk_${kind}`, 0, GIB_MAX) * 1024),
    gpu: integer(get, file, line, `gpu_${kind}`, 0, 64),
    rdma: integer(get, file, line, `rdma_${kind}`, 0, 100_000),
  };
}

/** Parses the whole trace; checks every column of every row. */
export function parseDlrmTrace(text: string, file: string): DlrmInstance[] {
  const records = parseCsvRecords(text, file);
  if (records.length === 0) return [];
  const header = Object.keys(records[0].record);
  for (const col of COLUMNS) if (!header.includes(col)) throw new InputError(`${file}:1: missing column ${JSON.stringify(col)}`);
  const seen = new Set<string>();
  return records.map(({ record, info }) => {
    const line = info.lines;
    const get: Get = (c) => record[c] ?? '';
    const sn = get('instance_sn');
    if (sn === '') throw bad(file, line, 'instance_sn', sn, 'non-empty');
    if (seen.has(sn)) throw bad(file, line, 'instance_sn', sn, 'unique (it appears twice)');
    seen.add(sn);
    const role = get('role');
    if (role !== 'CN' && role !== 'HN') throw bad(file, line, 'role', role, 'CN or HN');
    const app = get('app_name');
    if (app === '') throw bad(file, line, 'app_name', app, 'non-empty');
    const request = resources(get, file, line, 'request');
    const limit = resources(get, file, line, 'limit');
    for (const [k, col] of [
      ['cpuMilli', 'cpu_limit'],
      ['memoryMiB', 'memory_limit'],
      ['diskMiB', 'disk_limit'],
      ['gpu', 'gpu_limit'],
      ['rdma', 'rdma_limit'],
    ] as const) {
      if (limit[k] < request[k]) throw bad(file, line, col, get(col), `≥ ${col.replace('_limit', '_request')} ${get(col.replace('_limit', '_request'))}`);
    }
    const cap = integer(get, file, line, 'max_instance_per_node', -1, 1_000_000);
    if (cap === 0) throw bad(file, line, 'max_instance_per_node', get('max_instance_per_node'), '-1 (no cap) or ≥ 1');
    const creationTime = time(get, file, line, 'creation_time');
    time(get, file, line, 'scheduled_time');
    const deletionTime = time(get, file, line, 'deletion_time');
    if (creationTime !== undefined && deletionTime !== undefined && deletionTime < creationTime) {
      throw bad(file, line, 'deletion_time', get('deletion_time'), `≥ creation_time ${get('creation_time')}`);
    }
    return {
      sn,
      role,
      app,
      request,
      limit,
      ...(cap > 0 ? { maxPerNode: cap } : {}),
      ...(creationTime !== undefined ? { creationTime } : {}),
      ...(deletionTime !== undefined ? { deletionTime } : {}),
    };
  });
}
