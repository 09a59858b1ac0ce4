/**
 * Tests that look at a run's trace record by record see each event as its parts:
 * `simulate(s, { onEvent: traceParts((type, fields, t, seq) => ...) })`.
 */
import { fieldsOf, type FieldsOf, type TraceEvent, type TraceEventOf, type TraceEventType } from '../../src/core/trace-events.js';

/** A record's parts: its type, its fields (without t, seq, type), its time and sequence number. */
export type PartsListener = (type: string, fields: Record<string, unknown>, t: number, seq: number) => void;

/** Adapts `fn` to `onEvent`. */
export function traceParts(fn: PartsListener): (e: TraceEvent) => void {
  return (e) => {
    const { t: _t, seq: _seq, type: _type, ...fields } = fieldsOf(e);
    fn(e.type, fields, e.t, e.seq);
  };
}

/**
 * A trace event as a trace line holds it (`{t, seq, type, ...fields}`), its fields checked
 * against the event's type at compile time: tests feed consumers (metrics, diff, export) with it.
 */
export function traceEvent<K extends TraceEventType>(t: number, type: K, fields: FieldsOf<K>, seq = 0): TraceEventOf<K> {
  return { t, seq, type, ...fields };
}

/** `traceEvent` as a member of the `TraceEvent` union (for lists of events of several types). */
export function anyEvent<K extends TraceEventType>(t: number, type: K, fields: FieldsOf<K>, seq = 0): TraceEvent {
  // K is one event type, so the event is that member of the union (as in TraceWriter.record).
  return traceEvent(t, type, fields, seq) as unknown as TraceEvent;
}

/** `feed(t, type, fields)`: hands `onEvent` one event after another, numbering them (seq 0, 1, ...). */
export function eventFeeder(onEvent: (e: TraceEvent) => void): <K extends TraceEventType>(t: number, type: K, fields: FieldsOf<K>) => void {
  let seq = 0;
  return (t, type, fields) => onEvent(anyEvent(t, type, fields, seq++));
}
