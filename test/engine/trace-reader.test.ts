/**
 * The one trace reader (src/engine/trace-reader.ts): every line a run writes reads back as its
 * typed event, and a bad line is one message naming FILE:LINE.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeTraceLine, parseTrace } from '../../src/engine/trace-reader.js';
import { InputError } from '../../src/core/errors.js';
import { simulate } from '../../src/run/simulate.js';
import { readScenario } from '../../src/cli/read-scenario.js';

const GOOD = '{"t":5,"seq":1,"type":"node.status","node":"n1","from":"Ready","to":"NotReady"}';

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('the trace reader', () => {
  it('decodes a line into its typed event, keeping the line’s field order', () => {
    const e = decodeTraceLine(GOOD, 't.jsonl', 1);
    expect(e).toEqual({ t: 5, seq: 1, type: 'node.status', node: 'n1', from: 'Ready', to: 'NotReady' });
    expect(JSON.stringify(e)).toBe(GOOD);
  });

  it.each([
    ['a line that is not JSON', '{"t":5,"seq":1,"ty', 't.jsonl:3: not a JSON trace record (the trace is cut short or corrupt): "{\\"t\\":5,\\"seq\\":1,\\"ty"'],
    ['a JSON value that is not an object', '[1,2]', 't.jsonl:3: expected a JSON object, got a list'],
    ['no type', '{"t":5,"seq":1}', 't.jsonl:3: a trace record needs a string "type", got undefined'],
    ['an unknown event type', GOOD.replace('node.status', 'node.statsu'), 't.jsonl:3: unknown trace event type "node.statsu"; did you mean "node.status"?'],
    ['a missing field', GOOD.replace(',"to":"NotReady"', ''), 't.jsonl:3: node.status: to: missing'],
    ['a field of the wrong type', GOOD.replace('"n1"', '7'), 't.jsonl:3: node.status: node: expected string, received number, got 7'],
    ['a field its event does not have', GOOD.replace('}', ',"zone":"a"}'), 't.jsonl:3: node.status: unknown field zone'],
    ['a negative seq', GOOD.replace('"seq":1', '"seq":-1'), 't.jsonl:3: node.status: seq: Too small: expected number to be >=0, got -1'],
  ])('%s is one line naming FILE:LINE', (_what, line, message) => {
    expect(messageOf(() => parseTrace(`${GOOD}\n${GOOD}\n${line}\n`, 't.jsonl'))).toBe(message);
  });

  it('skips blank lines but counts them in line numbers', () => {
    expect(parseTrace(`${GOOD}\n\n${GOOD}\n`, 't.jsonl')).toHaveLength(2);
    expect(messageOf(() => parseTrace(`${GOOD}\n\nnope\n`, 't.jsonl'))).toMatch(/^t\.jsonl:3: /);
  });

  // Every field a run records must be declared in src/core/trace-events.ts (a field added through
  // a conditional spread escapes the compiler's excess-property check): every example scenario's
  // trace reads back. --until 10m keeps it short; expectations past it are recorded NOT CHECKED.
  const scenarios = readdirSync('scenarios').filter((f) => f.endsWith('.yaml') && !/^(large-|live-|compare-500)/.test(f));
  it.each(scenarios)('the trace of scenarios/%s reads back, line by line', async (file) => {
    const lines: string[] = [];
    await simulate(readScenario(`scenarios/${file}`), { untilMs: 10 * 60_000, allowUnchecked: true, onEvent: (e) => lines.push(JSON.stringify(e)) });
    const events = parseTrace(lines.join('\n'), file);
    expect(events.length).toBe(lines.length);
    expect(events[0].type).toBe('run.start');
    expect(events[events.length - 1].type).toBe('run.end');
  });
});
