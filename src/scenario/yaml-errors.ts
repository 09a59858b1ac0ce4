/**
 * YAML text → plain values with `FILE:LINE:COL` places: what every file format Slipway reads
 * (scenarios, explain's snapshots, profiles) shares for its error messages. A YAML syntax error is
 * one InputError line; a zod issue becomes one problem placed at its key or value.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { checkYamlDepth } from './yaml-depth.js';
import type { z } from 'zod';
import { InputError } from '../core/errors.js';
import { describeValue, didYouMean, formatPath, isMapping, knownKeysOf, type IssueParams, type PathSegment } from './schema.js';

type Path = readonly PathSegment[];

/** The field path a message starts with (`scheduler.plugins[0].args.x: ...` → segments), to place it. */
export function pathOfMessage(message: string): PathSegment[] | undefined {
  const m = /^([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\])*): /.exec(message);
  if (!m) return undefined;
  return [...m[1].matchAll(/([A-Za-z_][\w-]*)|\[(\d+)\]/g)].map((x) => (x[2] !== undefined ? Number(x[2]) : x[1]));
}

/** One problem, before it is placed in the file. `message` already carries its field path. */
export interface Problem {
  readonly path: Path;
  readonly message: string;
  readonly at: 'key' | 'value';
  /** Reported only when nothing else is wrong in the same stage (missing keys). */
  readonly late?: boolean;
}

/**
 * Parses YAML (or JSON) text for a file format other than scenarios (snapshots, profiles): the
 * plain value, and `where(path)` placing a field as `FILE:LINE:COL`. Syntax errors are InputErrors.
 */
export function parseYamlDocument(text: string, file: string): { raw: unknown; where: (path: readonly PathSegment[], at?: 'key' | 'value') => string } {
  checkYamlDepth(text, file, (line) => {
    throw new InputError(line);
  });
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const pos = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const raw = documentValue(doc, text, pos);
  return { raw, where: (path, at = 'value') => pos(offsetOf(doc, [...path], at)) };
}

/**
 * One parsed YAML document's plain value, or an InputError at `pos(offset)` for its first syntax
 * error, a tag Slipway does not accept, or an alias bomb (more than 100 alias expansions).
 */
export function documentValue(doc: Document, text: string, pos: (offset: number) => string): unknown {
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    throw new InputError(`${pos(err.pos[0])}: ${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const tagged = foreignTagMessage(doc, text, pos);
  if (tagged !== undefined) throw new InputError(tagged);
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new InputError(`${pos(firstAliasOffset(doc))}: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** A zod issue as one line `FILE:LINE:COL: path: message`, worded like scenario errors. */
export function describeZodIssue(iss: z.core.$ZodIssue, raw: unknown, where: (path: readonly PathSegment[], at?: 'key' | 'value') => string): string {
  const p = fromZodIssue(iss, raw);
  return `${where(p.path, p.at)}: ${p.message}`;
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/**
 * The offset of the node at `path` (its key when `at` is 'key'). A path that leaves the document
 * (a default, a missing key) stops at the deepest node that exists.
 */
export function offsetOf(doc: Document, path: Path, at: 'key' | 'value'): number {
  let node: unknown = doc.contents;
  let key: YamlNode | undefined;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    let nextKey: YamlNode | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(seg));
      if (!pair) break;
      next = pair.value;
      nextKey = isScalar(pair.key) || isMap(pair.key) || isSeq(pair.key) ? (pair.key as YamlNode) : undefined;
      if (next === null || next === undefined) {
        // `key:` with nothing after it.
        return nextKey?.range?.[0] ?? rangeStart(node);
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
      if (next === undefined) break;
      nextKey = undefined;
    } else {
      break;
    }
    node = next;
    key = nextKey;
  }
  if (at === 'key' && key?.range) return key.range[0];
  // An empty value (`replicas:`) has a zero-width range after the colon; point at its key instead.
  if (isScalar(node) && node.value === null && node.range && node.range[0] === node.range[1] && key?.range) {
    return key.range[0];
  }
  return rangeStart(node);
}

function rangeStart(node: unknown): number {
  if (isPair(node)) return rangeStart(node.key);
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[0] : 0;
}

/** Explicit tags that change nothing a plain JSON value could not say. */
const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/**
 * The first explicit YAML tag other than the plain ones (`!!str`, `!!int`, `!!map`, ...): `!!set`
 * (which became `{}` as labels), `!!omap`, `!!binary`, `!!timestamp`, a local `!tag`. Slipway's
 * files are JSON-shaped, so such a tag is bad input, placed at the tag (`where` is the file's
 * FILE:LINE:COL for an offset). Undefined when every tag is plain.
 */
export function foreignTagMessage(doc: Document, text: string, where: (offset: number) => string): string | undefined {
  let found: string | undefined;
  visit(doc, {
    Node(_key, node, path) {
      const tag = (node as { tag?: string }).tag;
      if (tag === undefined || PLAIN_TAGS.has(tag)) return undefined;
      const start = node.range?.[0] ?? 0;
      let at = text.lastIndexOf('!', start);
      while (at > 0 && text[at - 1] === '!') at--; // the start of `!!set`, not its second `!`
      const field = fieldPath(path, node);
      const short = tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
      found = `${where(at >= 0 ? at : start)}: ${field.length > 0 ? `${formatPath(field)}: ` : ''}YAML tag ${short} is not supported: write plain mappings, lists, strings and numbers${/labels|selector|nodeSelector/i.test(String(field[field.length - 1] ?? '')) ? ' (labels are a mapping, e.g. {app: web})' : ''}`;
      return visit.BREAK;
    },
  });
  return found;
}

/** The field path of `node` from the ancestors `visit` passes (pairs give keys, sequences indexes). */
function fieldPath(ancestors: readonly unknown[], node: unknown): PathSegment[] {
  const out: PathSegment[] = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const a = chain[i];
    const next = chain[i + 1];
    if (isPair(a)) out.push(keyText(a.key));
    else if (isSeq(a)) out.push(a.items.indexOf(next as never));
  }
  return out;
}

export function firstAliasOffset(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias(_, node) {
      let target: unknown;
      try {
        target = node.resolve(doc);
      } catch {
        target = undefined;
      }
      if (target === undefined && node.range) {
        offset = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return offset;
}

export function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const seg of path) {
    if (Array.isArray(v) && typeof seg === 'number') v = v[seg];
    else if (isMapping(v) && typeof seg === 'string' && Object.prototype.hasOwnProperty.call(v, seg)) v = v[seg];
    else return undefined;
  }
  return v;
}

export const prefix = (path: Path): string => (path.length > 0 ? `${formatPath(path)}: ` : '');

export function fromZodIssue(iss: z.core.$ZodIssue, raw: unknown): Problem {
  const path = iss.path.filter((s): s is PathSegment => typeof s !== 'symbol');
  const params = (iss.code === 'custom' ? (iss.params ?? {}) : {}) as IssueParams;
  const parent = path.slice(0, -1);
  const last = path[path.length - 1];

  if (iss.code === 'unrecognized_keys') {
    const key = iss.keys[0];
    const known = knownKeysOf(iss.message) ?? [];
    const place = path.length > 0 ? `in ${formatPath(path)}` : 'at the top level';
    const hint = didYouMean(key, known) || ` (known keys: ${known.join(', ')})`;
    return { path: [...path, key], at: 'key', message: `unknown key ${JSON.stringify(key)} ${place}${hint}` };
  }
  if (params.missing || (path.length > 0 && valueAt(raw, path) === undefined && iss.code === 'invalid_type')) {
    return { path: parent, at: 'value', late: true, message: `${prefix(parent)}missing required key ${JSON.stringify(String(last))}` };
  }
  if (params.labelParent) {
    return { path, at: params.at ?? 'value', message: `${prefix(parent)}${iss.message}` };
  }
  const got = iss.code === 'invalid_type' ? `, got ${describeValue(valueAt(raw, path))}` : '';
  return { path, at: params.at ?? 'value', message: `${prefix(path)}${iss.message}${got}` };
}
