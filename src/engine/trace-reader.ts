/**
 * The one trace reader: decodes a trace file (JSONL, see trace.ts) into the `TraceEvent` union,
 * validating every line against its type's fields (src/core/trace-events.ts). A line that is not
 * JSON, has an unknown type, or a field of the wrong type or unknown to its event is bad input:
 * an `InputError` whose message starts with `FILE:LINE: `.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { didYouMean, formatPath } from '../core/fields.js';
import { TRACE_EVENTS, TRACE_EVENT_TYPES, type TraceEvent, type TraceEventType } from '../core/trace-events.js';

/** Each type's whole line, strict: `t`, `seq`, `type` and exactly its fields. */
const LINE_SCHEMAS = new Map<string, z.ZodType>(
  TRACE_EVENT_TYPES.map((type) => [
    type,
    z.strictObject({ t: z.number(), seq: z.number().int().min(0), type: z.literal(type), ...TRACE_EVENTS[type] }),
  ]),
);

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'a list' : 'an object';
}

function issueText(iss: z.core.$ZodIssue, rec: Record<string, unknown>): string {
  if (iss.code === 'unrecognized_keys') {
    return `unknown field${iss.keys.length > 1 ? 's' : ''} ${iss.keys.join(', ')}`;
  }
  const path = formatPath(iss.path.filter((p): p is string | number => typeof p !== 'symbol'));
  let value: unknown = rec;
  for (const p of iss.path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[p] : undefined;
  if (value === undefined) return `${path}: missing`;
  return `${path}: ${iss.message.replace(/^Invalid input: /, '')}, got ${describe(value)}`;
}

/**
 * Decodes one line (`lineNo` is 1-based, for the message). Throws `InputError`
 * `FILE:LINE: ...` for malformed JSON, an unknown type, or fields that do not match the type.
 */
export function decodeTraceLine(line: string, file: string, lineNo: number): TraceEvent {
  const where = `${file}:${lineNo}`;
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    throw new InputError(`${where}: not a JSON trace record (the trace is cut short or corrupt): ${JSON.stringify(line.length > 60 ? `${line.slice(0, 57)}...` : line)}`);
  }
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) throw new InputError(`${where}: expected a JSON object, got ${describe(rec)}`);
  const obj = rec as Record<string, unknown>;
  const type = obj.type;
  if (typeof type !== 'string') throw new InputError(`${where}: a trace record needs a string "type", got ${describe(type)}`);
  const schema = LINE_SCHEMAS.get(type);
  if (schema === undefined) throw new InputError(`${where}: unknown trace event type ${JSON.stringify(type)}${didYouMean(type, TRACE_EVENT_TYPES)}`);
  const r = schema.safeParse(obj);
  if (!r.success) throw new InputError(`${where}: ${type}: ${issueText(r.error.issues[0], obj)}`);
  // The validated object itself (not zod's copy): field order is the file's, for diff and export.
  return obj as TraceEvent;
}

/** Decodes trace text; blank lines are skipped (a trailing newline). */
export function parseTrace(text: string, file: string): TraceEvent[] {
  const out: TraceEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    out.push(decodeTraceLine(lines[i], file, i + 1));
  }
  return out;
}

/** Reads and decodes a whole trace file. */
export function readTrace(path: string): TraceEvent[] {
  return parseTrace(readFileSync(path, 'utf8'), path);
}

/** Streams a trace file's events (memory bounded by one line), decoding each. */
export async function* streamTrace(path: string): AsyncGenerator<TraceEvent> {
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    n++;
    if (line.trim() === '') continue;
    yield decodeTraceLine(line, path, n);
  }
}

/** Narrows an event to one type (for `find`/`filter`). */
export function isEvent<K extends TraceEventType>(type: K) {
  return (e: TraceEvent): e is Extract<TraceEvent, { type: K }> => e.type === type;
}
