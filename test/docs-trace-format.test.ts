/**
 * docs/trace-format.md against the trace union (src/core/trace-events.ts): every event type has a
 * row, every row names an event that exists, and every field of an event is named in its row
 * (as `field`, or `field?` when it is optional). A new event or field fails here until documented.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TRACE_EVENTS, TRACE_EVENT_TYPES } from '../src/core/trace-events.js';

const doc = readFileSync('docs/trace-format.md', 'utf8');
/** Event rows: `| \`type\` | description |`. */
const rows = new Map<string, string>();
for (const line of doc.split('\n')) {
  const m = /^\| `([a-z_]+(?:\.[a-z_]+)*)` \|(.*)$/.exec(line);
  if (m && ["t", "seq", "type"].includes(m[1]!)) continue;
  if (m) rows.set(m[1]!, m[2]!);
}

describe('docs/trace-format.md', () => {
  it('has one row per trace event, and no row for an event that does not exist', () => {
    expect(TRACE_EVENT_TYPES.filter((t) => !rows.has(t)), 'events without a row').toEqual([]);
    expect([...rows.keys()].filter((t) => !(TRACE_EVENT_TYPES as readonly string[]).includes(t)), 'rows without an event').toEqual([]);
  });

  it("names every field of every event in the event's row", () => {
    const missing: string[] = [];
    for (const type of TRACE_EVENT_TYPES) {
      const row = rows.get(type);
      if (row === undefined) continue;
      for (const field of Object.keys(TRACE_EVENTS[type] as Record<string, unknown>))
        if (!row.includes(`\`${field}\``) && !row.includes(`\`${field}?\``)) missing.push(`${type}.${field}`);
    }
    expect(missing, 'fields not named in their event row').toEqual([]);
  });
});
