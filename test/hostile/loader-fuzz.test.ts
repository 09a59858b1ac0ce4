/**
 * Issue #19 "Also": a fuzz of the scenario loader through the function `slipway validate` runs
 * (runValidate, read from a file as the CLI reads it), with the CLI's outcome rules
 * (guardCommand: an InputError is one line and exit 2, anything else is a bug). Two sources of
 * input: random YAML structures built from the scenario vocabulary, and random mutations (of the
 * parsed document and of its text) of every shipped scenario. The properties: exit 0 or 2,
 * every line printed names the file, never a stack trace, memory bounded.
 *
 * A failure prints fast-check's seed, path and counterexample, and the command that replays it:
 * `SLIPWAY_FUZZ_SEED=S SLIPWAY_FUZZ_PATH=P npx vitest run test/hostile/loader-fuzz.test.ts`.
 * SLIPWAY_FUZZ_RUNS raises the number of cases (default: a few seconds' worth).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { isMap, isSeq, parseDocument, stringify, visit } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { runValidate } from '../../src/cli/validate.js';
import { InputError } from '../../src/core/errors.js';
import { expectNoStack, slipway } from './cli.js';

/** Cases per property: SLIPWAY_FUZZ_RUNS, or a few seconds' worth (a validation takes ~20–100 ms). */
const RUNS = process.env.SLIPWAY_FUZZ_RUNS !== undefined ? Number(process.env.SLIPWAY_FUZZ_RUNS) : undefined;
const dir = mkdtempSync(join(tmpdir(), 'slipway-loader-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHIPPED = readdirSync('scenarios')
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => ({ name: f, text: readFileSync(join('scenarios', f), 'utf8') }));

/** Every mapping key used by a shipped scenario: the vocabulary random structures are made of. */
const KEYS = (() => {
  const keys = new Set<string>();
  for (const { text } of SHIPPED) {
    visit(parseDocument(text), {
      Pair(_, pair) {
        const k = (pair.key as { value?: unknown } | null)?.value;
        if (typeof k === 'string') keys.add(k);
      },
    });
  }
  return [...keys].sort();
})();

/** Scalars that broke parsers before: huge, negative, non-finite, quantities, durations, controls. */
const HOSTILE_SCALARS = [
  '1e309', '-1e309', '.inf', '-.inf', '.nan', 'NaN', '-0', '0x1F', '0o17', '1_000', 9007199254740993, -1, 0, 1e9, 2 ** 31, 1e21,
  '', ' ', '\u0000', '\u001b[2J', '\u202e', '\r', 'ÿ', '🙂', 'a'.repeat(300),
  '{i}', '{i:3}', 'node-{i}', '{i:99}', '100Mi', '1.5Gi', '999999999Ei', '1e3m', '-5', '0.0001', '1h', '-5s', '0s', '1e400s', '99999d', 'P1D',
  'Always', 'Never', 'OnFailure', 'RollingUpdate', 'Recreate', 'NoExecute', 'In', 'Exists', 'sim', 'docker', 'oci', 'leader',
  true, false, null,
];

const scalar = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_SCALARS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
);

/** JSON-shaped values whose keys come mostly from the scenario vocabulary. */
const value = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 2, arbitrary: fc.dictionary(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), tie('value'), { maxKeys: 5 }) },
  ),
})).value;

/** A scenario-shaped random document: the top-level keys, each with a random value. */
const structure = fc.dictionary(fc.constantFrom(...KEYS), value, { minKeys: 1, maxKeys: 10 });

/** Text fragments that are hostile to YAML parsers, inserted at a random place. */
const FRAGMENTS = [
  '&a ', '*a', '*nope', '!!set ', '!!binary ', '!foo ', '!!str ', '<<: *a\n', ': ', '- ', '? ', '{', '}', '[', ']', '"', "'", '\t', '\r',
  '\n---\n', '\n...\n', '%YAML 1.1\n', '%TAG ! tag:x,2000:\n', '\uFEFF', '\u0000', '#', '|\n', '>-\n', ',', '\n  ', '@', '`',
  '[[[[[[[[[[[[[[[[', 'a: &x [*x]\n', 'k: &b [1,2,3]\nl: [*b,*b,*b,*b,*b,*b,*b,*b]\n',
];

type Mutation =
  | { readonly op: 'delete' | 'replace' | 'wrap' | 'duplicate'; readonly at: number; readonly value: unknown }
  | { readonly op: 'line-delete' | 'line-duplicate' | 'line-indent' | 'line-dedent' | 'truncate'; readonly at: number }
  | { readonly op: 'insert'; readonly at: number; readonly text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom('delete', 'replace', 'wrap', 'duplicate'), at: fc.nat(), value }),
  fc.record({ op: fc.constantFrom('line-delete', 'line-duplicate', 'line-indent', 'line-dedent', 'truncate'), at: fc.nat() }),
  fc.record({ op: fc.constant('insert'), at: fc.nat(), text: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 })) }),
) as fc.Arbitrary<Mutation>;

/** Applies one mutation to a scenario's text: on its parsed structure (a node at index `at`) or on its lines. */
function mutate(text: string, m: Mutation): string {
  if (m.op === 'insert') {
    const at = m.at % (text.length + 1);
    return text.slice(0, at) + m.text + text.slice(at);
  }
  if (m.op === 'truncate') return text.slice(0, m.at % (text.length + 1));
  if (m.op.startsWith('line-')) {
    const lines = text.split('\n');
    const i = m.at % lines.length;
    if (m.op === 'line-delete') lines.splice(i, 1);
    else if (m.op === 'line-duplicate') lines.splice(i, 0, lines[i]);
    else if (m.op === 'line-indent') lines[i] = `  ${lines[i]}`;
    else lines[i] = lines[i].replace(/^ {1,2}/, '');
    return lines.join('\n');
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return text;
  // The collections' entries, in document order; the mutation hits entry number `at`.
  const slots: Array<{ parent: { items: unknown[] }; index: number }> = [];
  visit(doc, {
    Map(_, node) {
      node.items.forEach((_item, index) => slots.push({ parent: node as unknown as { items: unknown[] }, index }));
    },
    Seq(_, node) {
      node.items.forEach((_item, index) => slots.push({ parent: node as unknown as { items: unknown[] }, index }));
    },
  });
  if (slots.length === 0) return text;
  const { parent, index } = slots[m.at % slots.length];
  const v = 'value' in m ? m.value : undefined;
  const item = parent.items[index] as { value?: unknown } | undefined;
  const isPairItem = item !== null && typeof item === 'object' && 'key' in item;
  const node = doc.createNode(v);
  switch (m.op) {
    case 'delete':
      parent.items.splice(index, 1);
      break;
    case 'duplicate':
      parent.items.splice(index, 0, item);
      break;
    case 'replace':
      if (isPairItem) (item as { value: unknown }).value = node;
      else parent.items[index] = node;
      break;
    case 'wrap': {
      // The entry's value put one level deeper: a list or mapping where a scalar was, and back.
      const inner = isPairItem ? (item as { value: unknown }).value : item;
      const wrapped = isMap(inner) || isSeq(inner) ? doc.createNode([inner]) : doc.createNode({ value: v });
      if (isPairItem) (item as { value: unknown }).value = wrapped;
      else parent.items[index] = wrapped;
      break;
    }
  }
  try {
    return doc.toString();
  } catch {
    return text; // the mutation made something yaml will not print: keep the text as it was
  }
}

let n = 0;
/** Runs `slipway validate FILE` in-process as the CLI does; returns the exit code and what it printed. */
function validate(text: string): { code: number; out: string; err: string; file: string } {
  const file = join(dir, `case-${++n}.yaml`);
  writeFileSync(file, text);
  const r = validateFile(file);
  rmSync(file, { force: true });
  return r;
}

function validateFile(file: string): { code: number; out: string; err: string; file: string } {
  let out = '';
  let err = '';
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((s: string | Uint8Array) => ((out += String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => ((err += String(s)), true)) as typeof process.stderr.write;
  let code: number;
  try {
    code = runValidate(file);
  } catch (e) {
    // guardCommand: an InputError is its message and exit 2; anything else is a bug (exit 1, "error: ...").
    if (!(e instanceof InputError)) throw new Error(`validate threw ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
    err += `${e.message}\n`;
    code = 2;
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
  return { code, out, err, file };
}

/** Room for SLIPWAY_FUZZ_RUNS cases (a case takes up to ~0.2 s on a loaded machine). */
const TIMEOUT = Math.max(120_000, (RUNS ?? 0) * 200);

const HEAP_BOUND = 512 * 1024 * 1024;

/** The properties every input must keep. */
function holds(text: string): void {
  const before = process.memoryUsage().heapUsed;
  const r = validate(text);
  expect([0, 2]).toContain(r.code);
  expectNoStack({ code: r.code, signal: null, stdout: r.out, stderr: r.err });
  const lines = (r.out + r.err).split('\n').filter((l) => l !== '');
  expect(lines.length).toBeGreaterThan(0);
  // Every line names the file (FILE: ok, FILE:LINE:COL: problem, FILE: warning: ...).
  for (const l of lines) expect(l.startsWith(`${r.file}:`), l).toBe(true);
  if (r.code === 0) expect(r.out).toMatch(/: ok — /);
  expect(process.memoryUsage().heapUsed - before).toBeLessThan(HEAP_BOUND);
}

/** fc.assert with the replay command in the failure message. */
function fuzz<T>(name: string, runs: number, arb: fc.Arbitrary<T>, body: (v: T) => void): void {
  const seed = process.env.SLIPWAY_FUZZ_SEED !== undefined ? Number(process.env.SLIPWAY_FUZZ_SEED) : undefined;
  const path = process.env.SLIPWAY_FUZZ_PATH;
  const details = fc.check(fc.property(arb, body), { numRuns: RUNS ?? runs, ...(seed !== undefined ? { seed } : {}), ...(path !== undefined ? { path } : {}) });
  if (details.failed) {
    const replay = `SLIPWAY_FUZZ_SEED=${details.seed} SLIPWAY_FUZZ_PATH=${details.counterexamplePath ?? ''} npx vitest run test/hostile/loader-fuzz.test.ts -t '${name}'`;
    throw new Error(`${fc.defaultReportMessage(details) ?? 'the property failed'}\nreplay: ${replay}`);
  }
}

describe('scenario loader fuzz (validate, in-process)', () => {
  it('random YAML structures: exit 0 or 2, one line per problem naming the file, no stack', () => {
    fuzz('random YAML structures', 100, fc.tuple(structure, fc.boolean()), ([doc, asJson]) => {
      holds(asJson ? JSON.stringify(doc) : stringify(doc));
    });
  }, TIMEOUT);

  it('mutations of every shipped scenario: exit 0 or 2, one line per problem naming the file, no stack', () => {
    fuzz('mutations of every shipped scenario', 60, fc.tuple(fc.nat(SHIPPED.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 })), ([i, ms]) => {
      holds(ms.reduce(mutate, SHIPPED[i].text));
    });
  }, TIMEOUT);

  it('every shipped scenario is valid as it is (the mutations start from valid files)', () => {
    // In place: a scenario may name manifest files relative to itself.
    for (const s of SHIPPED) expect(validateFile(join('scenarios', s.name)).code, s.name).toBe(0);
  });
});

describe('found by the fuzz, through the real command', () => {
  // why: 20,000 nested `[` (40 KB) was a V8 fatal error with a native stack; 3,000 nested
  // mappings printed "Maximum call stack size exceeded" as the problem.
  it.each([
    ['nested lists', `name: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`, /^x\.yaml:1:106: nested more than 100 levels deep/],
    ['nested mappings', Array.from({ length: 3_000 }, (_, i) => `${' '.repeat(i)}a:\n`).join(''), /^x\.yaml:101:101: nested more than 100 levels deep/],
  ])('%s: one line, exit 2', (_name, text, message) => {
    const d = mkdtempSync(join(dir, 'deep-'));
    writeFileSync(join(d, 'x.yaml'), text);
    const r = slipway(['validate', 'x.yaml'], { cwd: d });
    expectNoStack(r);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.code).toBe(2);
  });
});
