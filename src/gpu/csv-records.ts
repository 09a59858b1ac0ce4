/** CSV files of the public traces, parsed with csv-parse; a malformed file is one InputError line. */
import { parse } from 'csv-parse/sync';
import { InputError } from '../core/errors.js';

export interface CsvRecord {
  readonly record: Record<string, string>;
  readonly info: { readonly lines: number };
}

/** Records keyed by the header row, each with the line it ends on (for `FILE:LINE` messages). */
export function parseCsvRecords(text: string, file: string): CsvRecord[] {
  try {
    return parse(text, { columns: true, skip_empty_lines: true, trim: true, info: true, bom: true }) as never;
  } catch (e) {
    const err = e as { message: string; lines?: number };
    throw new InputError(`${file}${err.lines ? `:${err.lines}` : ''}: ${err.message}`);
  }
}

/**
 * Control-plane timing for scenarios imported from traces: windows last hours to days, so slower
 * periodic work keeps runs of thousands of nodes tractable.
 */
export const TRACE_CONTROL_PLANE = {
  reconcileInterval: '1m',
  resyncInterval: '10m',
  heartbeatInterval: '1m',
  nodeMonitorPeriod: '30s',
  notReadyAfter: '5m',
  downAfter: '30m',
} as const;
