/**
 * The structure of a scenario file (format v1), as zod schemas.
 *
 * This layer checks shapes and leaf values and normalizes units on the way (durations to ms, cpu
 * to millicores, memory and disk to bytes). Rules that relate several fields (references, unique
 * names, `limits ≥ requests`, times within the run) live in the loader, which also turns issues into
 * `FILE:LINE:COL: message` lines. Leaf messages are complete sentences without the field path; the
 * loader prefixes the path.
 *
 * Objects are strict: an unknown key is an issue (`unrecognized_keys`) whose message carries the
 * known keys as `known:a,b,c`, for the loader's "did you mean" (see `knownKeysOf`).
 */
import { z } from 'zod';
import { closest, distance as levenshtein } from 'fastest-levenshtein';
import { DurationError, parseDuration } from '../core/duration.js';
import { QuantityError, parseBytes, parseCount, parseCpu } from '../core/quantity.js';
import { placementSchema } from './placement-schema.js';
import { KNOWN_PREFIX, obj } from './strict-object.js';
import type { Distribution, NodeStatus, RestartPolicy, TaintEffect, WorkloadKind } from '../core/types.js';

// ---------------------------------------------------------------------------------------------
// Helpers shared with the loader
// ---------------------------------------------------------------------------------------------

/** The nearest candidate when it is close enough to be a likely typo (distance ≤ max(2, len/3), < len). */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(word, candidates as string[]);
  const d = levenshtein(word.toLowerCase(), best.toLowerCase());
  // Also require something in common: `db` is two edits from `web`, but not a typo of it.
  return d <= Math.max(2, Math.floor(word.length / 3)) && d < word.length ? best : undefined;
}

/** `; did you mean "x"?` or the empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const s = suggest(word, candidates);
  return s === undefined ? '' : `; did you mean ${JSON.stringify(s)}?`;
}

/** How a YAML value reads in a message: `"three"`, `1.5`, `true`, `an empty value`, `a list`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return `the date ${v.toISOString()}`;
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

export type PathSegment = string | number;

/** `workloads[0].containers[1].env.A`, `nodes[0].capacity["example.com/gpu"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export { obj };

/** The known keys encoded in an `unrecognized_keys` issue message by `obj`. */
export function knownKeysOf(message: string): string[] | undefined {
  return message.startsWith(KNOWN_PREFIX) ? message.slice(KNOWN_PREFIX.length).split(',') : undefined;
}

export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

// ---------------------------------------------------------------------------------------------
// Leaf checks
// ---------------------------------------------------------------------------------------------

/** Where an issue points: the key of the field (unknown keys, duplicates) or its value (default). */
export type IssueTarget = 'key' | 'value';

/** Extra data carried on custom issues (`params`), read by the loader. */
export interface IssueParams {
  readonly at?: IssueTarget;
  /** The message is about the containing mapping (its path prefixes the message), but points here. */
  readonly labelParent?: boolean;
  /** A required key is absent: the loader says `missing required key` at the parent. */
  readonly missing?: boolean;
}

const BAD: unique symbol = Symbol('bad');
type Bad = typeof BAD;

interface CheckContext {
  /** Records an issue (optionally below the checked value) and returns the failure marker. */
  fail(message: string, opts?: { path?: PathSegment[]; params?: IssueParams }): Bad;
  /** Forwards issues of a nested zod parse (their paths are relative to the checked value). */
  forward(issues: readonly z.core.$ZodIssue[]): Bad;
}

type Check<T> = (v: unknown, c: CheckContext) => T | Bad;

function run<T>(check: Check<T>, v: unknown, ctx: z.core.$RefinementCtx<unknown>): T | Bad {
  let failed = false;
  const c: CheckContext = {
    fail(message, opts) {
      failed = true;
      ctx.issues.push({ code: 'custom', message, input: v, path: opts?.path ?? [], params: opts?.params ?? {} });
      return BAD;
    },
    forward(issues) {
      failed = true;
      for (const iss of issues) ctx.issues.push({ ...iss } as z.core.$ZodRawIssue);
      return BAD;
    },
  };
  const out = check(v, c);
  return failed ? BAD : out;
}

function missing(ctx: z.core.$RefinementCtx<unknown>): never {
  ctx.issues.push({ code: 'custom', message: 'missing', input: undefined, path: [], params: { missing: true } });
  return z.NEVER;
}

/** A required field. */
function req<T>(check: Check<T>): z.ZodType<T> {
  return z.unknown().transform((v, ctx) => {
    if (v === undefined) return missing(ctx);
    const out = run(check, v, ctx);
    return out === BAD ? z.NEVER : out;
  }) as unknown as z.ZodType<T>;
}

/** An optional field (undefined when absent). */
function opt<T>(check: Check<T>): z.ZodType<T | undefined> {
  return z
    .unknown()
    .transform((v, ctx) => {
      const out = run(check, v, ctx);
      return out === BAD ? z.NEVER : out;
    })
    .optional() as unknown as z.ZodType<T | undefined>;
}

/** A field with a default (a fresh copy each time). */
function def<T>(check: Check<T>, fallback: T): z.ZodType<T> {
  return z
    .unknown()
    .transform((v, ctx) => {
      const out = run(check, v, ctx);
      return out === BAD ? z.NEVER : out;
    })
    .default(() => structuredClone(fallback) as never) as unknown as z.ZodType<T>;
}

function list<T extends z.ZodType>(item: T, nonEmpty = false) {
  const a = z.array(item, { error: 'expected a list' });
  return nonEmpty ? a.min(1, { error: 'needs at least one entry' }) : a;
}

/**
 * Items that carry exactly one of `kinds` (operations, faults, expectations, distributions). With
 * none, the issue is on the item; with several, on the second kind's key.
 */
function exactlyOne<T extends object>(kinds: readonly string[], noun: string) {
  return (o: T, ctx: z.core.$RefinementCtx<T>): T => {
    // An unknown key (still in `issues`) says more than "needs one ...": it may be a misspelt kind.
    if (ctx.issues.length > 0) return o;
    const given = kinds.filter((k) => (o as Record<string, unknown>)[k] !== undefined);
    if (given.length === 0) {
      ctx.issues.push({ code: 'custom', input: o, path: [], message: `needs one ${noun}: ${kinds.join(', ')}` });
    } else if (given.length > 1) {
      ctx.issues.push({
        code: 'custom',
        input: o,
        path: [given[1]],
        params: { at: 'key', labelParent: true },
        message: `has both ${JSON.stringify(given[0])} and ${JSON.stringify(given[1])}; give one ${noun} per item`,
      });
    }
    return o;
  };
}

const str: Check<string> = (v, c) => (typeof v === 'string' ? v : c.fail(`expected a string, got ${describeValue(v)}`));

const nonEmptyStr: Check<string> = (v, c) => {
  if (typeof v !== 'string') return c.fail(`expected a string, got ${describeValue(v)}`);
  return v === '' ? c.fail('must not be empty') : v;
};

/** DNS-1123 label: what Kubernetes accepts as a container or Deployment name. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function dnsLabel(what: string): Check<string> {
  return (v, c) => {
    if (typeof v !== 'string') return c.fail(`expected a string, got ${describeValue(v)}`);
    if (v.length > 63 || !DNS_LABEL.test(v)) {
      return c.fail(
        `invalid ${what} name ${JSON.stringify(v)}: use at most 63 lower-case letters, digits and '-', ` +
          'starting and ending with a letter or digit',
      );
    }
    return v;
  };
}

function int(min: number | undefined, max?: number): Check<number> {
  const what =
    max !== undefined
      ? `an integer from ${min} to ${max}`
      : min === 0
        ? 'a non-negative integer'
        : min === 1
          ? 'a positive integer'
          : 'an integer';
  return (v, c) => {
    const ok =
      typeof v === 'number' &&
      Number.isSafeInteger(v) &&
      (min === undefined || v >= min) &&
      (max === undefined || v <= max);
    return ok ? (v as number) : c.fail(`expected ${what}, got ${describeValue(v)}`);
  };
}

const bool: Check<boolean> = (v, c) => (typeof v === 'boolean' ? v : c.fail(`expected true or false, got ${describeValue(v)}`));

const nonNegNumber: Check<number> = (v, c) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0
    ? v
    : c.fail(`expected a non-negative number, got ${describeValue(v)}`);

function oneOf<T extends string>(values: readonly T[]): Check<T> {
  const listed = values.map((x) => JSON.stringify(x)).join(', ');
  return (v, c) => {
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    const hint = typeof v === 'string' ? didYouMean(v, values) : '';
    return c.fail(`expected one of ${listed}, got ${describeValue(v)}${hint}`);
  };
}

function duration(positive = false): Check<number> {
  return (v, c) => {
    if (typeof v !== 'string' && typeof v !== 'number') {
      return c.fail(`expected a duration such as 30s or 1h30m, got ${describeValue(v)}`);
    }
    let ms: number;
    try {
      ms = parseDuration(v);
    } catch (e) {
      if (e instanceof DurationError) return c.fail(e.message);
      throw e;
    }
    if (positive && ms <= 0) return c.fail(`must be greater than 0, got ${describeValue(v)}`);
    return ms;
  };
}

function quoteHint(x: unknown, key?: string): string {
  if (typeof x !== 'number' && typeof x !== 'boolean') return '';
  const q = JSON.stringify(String(x));
  return key === undefined ? `; quote it: ${q}` : `; quote it: ${key}: ${q}`;
}

/** A string→string mapping; YAML numbers and booleans must be quoted. */
const stringMap: Check<Record<string, string>> = (v, c) => {
  if (!isMapping(v)) return c.fail(`expected a mapping of strings, got ${describeValue(v)}`);
  const out: Record<string, string> = {};
  let ok = true;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') out[k] = x;
    else {
      ok = false;
      c.fail(`expected a string, got ${describeValue(x)}${quoteHint(x, k)}`, { path: [k] });
    }
  }
  return ok ? out : BAD;
};

function listOf<T>(item: Check<T>, nonEmpty = false): Check<T[]> {
  return (v, c) => {
    if (!Array.isArray(v)) return c.fail(`expected a list, got ${describeValue(v)}`);
    if (nonEmpty && v.length === 0) return c.fail('needs at least one entry');
    const out: T[] = [];
    let ok = true;
    v.forEach((x, i) => {
      const r = item(x, { ...c, fail: (m, o) => c.fail(m, { ...o, path: [i, ...(o?.path ?? [])] }) });
      if (r === BAD) ok = false;
      else out.push(r);
    });
    return ok ? out : BAD;
  };
}

const listString: Check<string> = (v, c) =>
  typeof v === 'string' ? v : c.fail(`expected a string, got ${describeValue(v)}${quoteHint(v)}`);

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

/** Resource amounts as written (only the keys given), in base units (millicores, bytes, counts). */
export interface ResourceInput {
  readonly cpu?: number;
  readonly memory?: number;
  readonly disk?: number;
  readonly extended: Readonly<Record<string, number>>;
}

/** A Kubernetes extended resource name: `DOMAIN/NAME`. */
const EXTENDED_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const BASE_RESOURCES = ['cpu', 'memory', 'disk'] as const;

/** `capacity`: cpu and memory required, every amount > 0. Otherwise every key optional and ≥ 0. */
function resourceMap(mode: 'capacity' | 'other'): Check<ResourceInput> {
  return (v, c) => {
    if (!isMapping(v)) return c.fail(`expected a mapping of resources (cpu, memory, ...), got ${describeValue(v)}`);
    let ok = true;
    const out: { cpu?: number; memory?: number; disk?: number; extended: Record<string, number> } = { extended: {} };
    for (const [key, raw] of Object.entries(v)) {
      const isBase = (BASE_RESOURCES as readonly string[]).includes(key);
      if (!isBase && !EXTENDED_NAME.test(key)) {
        ok = false;
        const why = key.includes('/')
          ? `invalid extended resource name ${JSON.stringify(key)}: expected DOMAIN/NAME, e.g. example.com/gpu`
          : `unknown resource ${JSON.stringify(key)}${didYouMean(key, BASE_RESOURCES)} ` +
            '(known: cpu, memory, disk; extended resources need a domain prefix, e.g. example.com/gpu)';
        c.fail(why, { path: [key], params: { at: 'key', labelParent: true } });
        continue;
      }
      if (typeof raw !== 'string' && typeof raw !== 'number') {
        ok = false;
        c.fail(`expected a quantity such as 500m, 2 or 256Mi, got ${describeValue(raw)}`, { path: [key] });
        continue;
      }
      let n: number;
      try {
        n = key === 'cpu' ? parseCpu(raw) : key === 'memory' || key === 'disk' ? parseBytes(raw) : parseCount(raw);
      } catch (e) {
        if (!(e instanceof QuantityError)) throw e;
        ok = false;
        c.fail(e.message, { path: [key] });
        continue;
      }
      if (mode === 'capacity' && n <= 0) {
        ok = false;
        c.fail(`must be greater than 0, got ${describeValue(raw)}`, { path: [key] });
        continue;
      }
      if (key === 'cpu' || key === 'memory' || key === 'disk') out[key] = n;
      else out.extended[key] = n;
    }
    if (mode === 'capacity') {
      for (const key of ['cpu', 'memory'] as const) {
        if (!(key in v)) {
          ok = false;
          c.fail('missing', { path: [key], params: { missing: true } });
        }
      }
    }
    return ok ? out : BAD;
  };
}

/** A memory quantity such as 256Mi, in bytes. */
const bytes: Check<number> = (v, c) => {
  if (typeof v !== 'string' && typeof v !== 'number') return c.fail(`expected a quantity such as 256Mi, got ${describeValue(v)}`);
  try {
    return parseBytes(v);
  } catch (e) {
    if (!(e instanceof QuantityError)) throw e;
    return c.fail(e.message);
  }
};

/** Image name → size (a quantity such as 190Mi), what kubelet reports in node.status.images. */
const imageSizes: Check<Record<string, number>> = (v, c) => {
  if (!isMapping(v)) return c.fail(`expected a mapping of image names to sizes such as 190Mi, got ${describeValue(v)}`);
  const out: Record<string, number> = {};
  let ok = true;
  for (const [k, x] of Object.entries(v)) {
    const r = bytes(x, { ...c, fail: (m, o) => c.fail(m, { ...o, path: [k, ...(o?.path ?? [])] }) });
    if (r === BAD) ok = false;
    else out[k] = r;
  }
  return ok ? out : BAD;
};

// ---------------------------------------------------------------------------------------------
// Distributions
// ---------------------------------------------------------------------------------------------

const uniformPair: Check<[number, number]> = (v, c) => {
  if (!Array.isArray(v) || v.length !== 2) {
    return c.fail(`expected [min, max], two durations, got ${describeValue(v)}`);
  }
  const bounds = listOf(duration())(v, c);
  if (bounds === BAD) return BAD;
  const [a, b] = bounds;
  if (a > b) return c.fail(`min ${describeValue(v[0])} is greater than max ${describeValue(v[1])}`);
  return [a, b];
};

const DISTRIBUTION_KINDS = ['uniform', 'exponential', 'normal', 'lognormal'] as const;

const distributionObject = obj({
  uniform: opt(uniformPair),
  exponential: opt(duration()),
  normal: obj({ mean: req(duration()), stddev: req(duration()) }).optional(),
  lognormal: obj({ median: req(duration()), sigma: req(nonNegNumber) }).optional(),
}).transform(exactlyOne(DISTRIBUTION_KINDS, 'distribution kind'));

/** A duration (constant) or `{uniform: [a, b]}`, `{exponential: mean}`, `{normal: {...}}`, `{lognormal: {...}}`. */
const distribution: Check<Distribution> = (v, c) => {
  if (!isMapping(v)) {
    const ms = duration()(v, c);
    return ms === BAD ? BAD : { kind: 'constant', ms };
  }
  const r = distributionObject.safeParse(v);
  if (!r.success) return c.forward(r.error.issues);
  const d = r.data;
  if (d.uniform) return { kind: 'uniform', minMs: d.uniform[0], maxMs: d.uniform[1] };
  if (d.exponential !== undefined) return { kind: 'exponential', meanMs: d.exponential };
  if (d.normal) return { kind: 'normal', meanMs: d.normal.mean, stddevMs: d.normal.stddev };
  if (d.lognormal) return { kind: 'lognormal', medianMs: d.lognormal.median, sigma: d.lognormal.sigma };
  return c.fail('expected a duration or one of uniform, exponential, normal, lognormal');
};

// ---------------------------------------------------------------------------------------------
// Scenario
// ---------------------------------------------------------------------------------------------

/** An int or a percentage string (`25%`), as written. */
export interface IntOrPercent {
  readonly value: number;
  readonly percent: boolean;
}

function intOrPercent(maxPercent?: number): Check<IntOrPercent> {
  return (v, c) => {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return { value: v, percent: false };
    const m = typeof v === 'string' ? /^(\d+)%$/.exec(v) : null;
    if (m) {
      const value = Number(m[1]);
      if (maxPercent !== undefined && value > maxPercent) {
        return c.fail(`must be at most ${maxPercent}%, got ${describeValue(v)}`);
      }
      return { value, percent: true };
    }
    return c.fail(`expected a non-negative integer or a percentage such as 25%, got ${describeValue(v)}`);
  };
}

export const TAINT_EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
export const NODE_STATUSES: readonly NodeStatus[] = ['Ready', 'NotReady', 'Unknown', 'Down'];
export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['service', 'job'];
export const RESTART_POLICIES: readonly RestartPolicy[] = ['Always', 'OnFailure', 'Never'];

/** The most nodes one `nodes` entry may expand to. */
export const MAX_NODE_COUNT = 100_000;

const taintSchema = obj({
  key: req(nonEmptyStr),
  value: opt(str),
  effect: req(oneOf(TAINT_EFFECTS)),
});

/** Live backends: the node is a Docker engine (`docker`) or a host running an OCI runtime (`oci`). */
const dockerEndpointSchema = obj({
  host: req(nonEmptyStr),
  network: opt(nonEmptyStr),
  pidFile: opt(nonEmptyStr),
});
const ociEndpointSchema = obj({
  runtime: def(nonEmptyStr, 'youki'),
  root: req(nonEmptyStr),
  // One of the two (the loader checks): a directory, or a Docker engine to export images from.
  rootfs: opt(nonEmptyStr),
  exportFrom: opt(nonEmptyStr),
  bundles: opt(nonEmptyStr),
});

/** Most GPU devices a node has (and a pod asks for): the Alibaba trace's 8-GPU nodes. */
export const MAX_GPUS = 8;

/** A node's GPU devices: `count` devices of one `model`. */
const nodeGpuSchema = obj({
  model: req(nonEmptyStr),
  count: req(int(1, MAX_GPUS)),
});

/** Allowed GPU models: a list, or the trace's `|`-separated string (`V100M16|V100M32`). */
const gpuModels: Check<string[]> = (v, c) => {
  const list = typeof v === 'string' ? v.split('|') : Array.isArray(v) ? v : undefined;
  if (list === undefined) return c.fail(`expected a list of GPU models or a "|"-separated string, got ${describeValue(v)}`);
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (typeof m !== 'string' || m.trim() === '') {
      return c.fail(`expected a non-empty GPU model name, got ${describeValue(m)}`, Array.isArray(v) ? { path: [i] } : undefined);
    }
  }
  return list.map((m: string) => m.trim());
};

/** A workload's GPU request per instance (the loader checks milli < 1000 only with count 1). */
const workloadGpuSchema = obj({
  count: def(int(1, MAX_GPUS), 1),
  milli: def(int(1, 1000), 1000),
  models: def(gpuModels, []),
});

const nodeFields = {
  name: req(nonEmptyStr),
  // Required unless `docker` is given (then `docker info` supplies it); the loader checks.
  capacity: opt(resourceMap('capacity')),
  docker: dockerEndpointSchema.optional(),
  oci: ociEndpointSchema.optional(),
  allocatable: opt(resourceMap('other')),
  labels: def(stringMap, {}),
  taints: list(taintSchema).prefault([]),
  /** The node starts cordoned: Ready, but the scheduler places nothing new on it (NodeUnschedulable). */
  unschedulable: def(bool, false),
  /** Simulation: images in the node's cache from the start (each needs a size in the top-level `images`). */
  images: opt(listOf(nonEmptyStr)),
  gpus: nodeGpuSchema.optional(),
};

const nodeSchema = obj({ ...nodeFields, count: opt(int(1, MAX_NODE_COUNT)) });
const addNodeSchema = obj(nodeFields);

const portSchema = obj({
  containerPort: req(int(1, 65535)),
  hostPort: opt(int(1, 65535)),
  protocol: def(oneOf(['tcp', 'udp'] as const), 'tcp'),
});

const simSchema = obj({
  runFor: opt(distribution),
  exitCode: opt(int(0, 255)),
  memory: opt(bytes),
});

const containerSchema = obj({
  name: req(dnsLabel('container')),
  image: req(nonEmptyStr),
  command: opt(listOf(listString)),
  args: opt(listOf(listString)),
  env: def(stringMap, {}),
  ports: list(portSchema).prefault([]),
  requests: opt(resourceMap('other')),
  limits: opt(resourceMap('other')),
  sim: simSchema.optional(),
});

const updateStrategySchema = obj({
  type: def(oneOf(['RollingUpdate', 'Recreate'] as const), 'RollingUpdate'),
  maxSurge: opt(intOrPercent()),
  maxUnavailable: opt(intOrPercent(100)),
});

const workloadSchema = obj({
  name: req(dnsLabel('workload')),
  kind: def(oneOf(WORKLOAD_KINDS), 'service'),
  replicas: def(int(0), 1),
  completions: opt(int(1)),
  backoffLimit: opt(int(0)),
  at: def(duration(), 0),
  priority: def(int(undefined), 0),
  restartPolicy: opt(oneOf(RESTART_POLICIES)),
  updateStrategy: updateStrategySchema.optional(),
  labels: def(stringMap, {}),
  containers: list(containerSchema, true),
  placement: placementSchema.optional(),
  gpus: workloadGpuSchema.optional(),
});

const workloadRef = req(nonEmptyStr);

/** The fields an `update` may change (besides `workload` and `container`). */
export const PATCH_FIELDS = ['image', 'command', 'args', 'env', 'requests', 'limits', 'sim'] as const;

export const OPERATION_KINDS = ['scale', 'update', 'delete', 'addNode', 'removeNode', 'taint', 'untaint'] as const;

const operationSchema = obj({
  at: req(duration()),
  scale: obj({ workload: workloadRef, replicas: req(int(0)) }).optional(),
  update: obj({
    workload: workloadRef,
    container: opt(nonEmptyStr),
    image: opt(nonEmptyStr),
    command: opt(listOf(listString)),
    args: opt(listOf(listString)),
    env: opt(stringMap),
    requests: opt(resourceMap('other')),
    limits: opt(resourceMap('other')),
    sim: simSchema.optional(),
  }).optional(),
  delete: obj({ workload: workloadRef }).optional(),
  addNode: addNodeSchema.optional(),
  removeNode: obj({ node: req(nonEmptyStr) }).optional(),
  taint: obj({ node: req(nonEmptyStr), key: req(nonEmptyStr), value: opt(str), effect: req(oneOf(TAINT_EFFECTS)) }).optional(),
  untaint: obj({ node: req(nonEmptyStr), key: req(nonEmptyStr), effect: opt(oneOf(TAINT_EFFECTS)) }).optional(),
}).transform(exactlyOne(OPERATION_KINDS, 'action'));

export const FAULT_KINDS = [
  'nodeCrash',
  'zoneOutage',
  'nodeFreeze',
  'partition',
  'messages',
  'containerCrash',
  'crashLoop',
  'imagePullFailure',
  'slowImagePull',
  'memoryLeak',
  'drain',
  'clockSkew',
] as const;

export const MESSAGE_KINDS = ['heartbeat', 'status', 'rpc'] as const;
export const PARTITION_DIRECTIONS = ['both', 'toControlPlane', 'fromControlPlane'] as const;

/** `3/h`, `0.5/m`, `10/d`: a mean number of arrivals per unit of time, returned per hour. */
const rate: Check<number> = (v, c) => {
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)\s*\/\s*(s|m|h|d)$/.exec(v) : null;
  if (!m) return c.fail(`expected a rate such as 3/h, 0.5/m or 10/d, got ${describeValue(v)}`);
  const n = Number(m[1]);
  const perHour = n * { s: 3600, m: 60, h: 1, d: 1 / 24 }[m[2] as 's' | 'm' | 'h' | 'd'];
  if (!(perHour > 0)) return c.fail(`must be more than 0, got ${describeValue(v)}`);
  return perHour;
};

/** A probability from 0 to 1. */
const probability: Check<number> = (v, c) =>
  typeof v === 'number' && v >= 0 && v <= 1 ? v : c.fail(`expected a probability from 0 to 1, got ${describeValue(v)}`);

const positiveNumber: Check<number> = (v, c) =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : c.fail(`expected a number greater than 0, got ${describeValue(v)}`);

/** Node targeting shared by node faults: by name, names, or label selector. */
const targetFields = {
  node: opt(nonEmptyStr),
  nodes: opt(listOf(nonEmptyStr, true)),
  selector: opt(stringMap),
};

const faultSchema = obj({
  at: opt(duration()),
  rate: opt(rate),
  from: opt(duration()),
  until: opt(duration()),
  nodeCrash: obj({ ...targetFields, recoverAfter: opt(duration(true)) }).optional(),
  zoneOutage: obj({ ...targetFields, duration: req(duration(true)) }).optional(),
  nodeFreeze: obj({ ...targetFields, duration: req(duration(true)) }).optional(),
  partition: obj({
    ...targetFields,
    duration: req(duration(true)),
    direction: def(oneOf(PARTITION_DIRECTIONS), 'both'),
  }).optional(),
  messages: obj({
    ...targetFields,
    duration: req(duration(true)),
    kinds: def(listOf(oneOf(MESSAGE_KINDS), true), [...MESSAGE_KINDS]),
    drop: def(probability, 0),
    duplicate: def(probability, 0),
    delay: opt(distribution),
  }).optional(),
  containerCrash: obj({
    workload: workloadRef,
    slot: def(int(0), 0),
    exitCode: def(int(0, 255), 137),
  }).optional(),
  crashLoop: obj({
    workload: workloadRef,
    duration: req(duration(true)),
    exitAfter: def(duration(), 5_000),
    exitCode: def(int(1, 255), 1),
  }).optional(),
  imagePullFailure: obj({ ...targetFields, image: opt(nonEmptyStr), duration: req(duration(true)) }).optional(),
  slowImagePull: obj({ ...targetFields, factor: def(positiveNumber, 10), duration: req(duration(true)) }).optional(),
  memoryLeak: obj({
    workload: workloadRef,
    perMinute: req(bytes),
    duration: req(duration(true)),
  }).optional(),
  drain: obj({ ...targetFields, duration: req(duration(true)) }).optional(),
  clockSkew: obj({ ...targetFields, offset: req(duration()), duration: req(duration(true)) }).optional(),
}).transform(exactlyOne(FAULT_KINDS, 'fault'));

/**
 * An instance already running when the run starts (a snapshot of a live cluster): its containers
 * run on `node` from time 0 and the control plane adopts them, as a restarted control plane does.
 */
const runningSchema = obj({
  workload: workloadRef,
  node: req(nonEmptyStr),
  slot: req(int(0)),
  id: opt(nonEmptyStr),
  /** The node's GPU devices the instance holds (its workload requests GPUs). */
  gpus: opt(listOf(int(0, MAX_GPUS - 1))),
});

export const EXPECTATION_KINDS = ['converged', 'noInstancesOn', 'running', 'jobCompleted', 'restarts'] as const;

const expectationSchema = obj({
  name: opt(nonEmptyStr),
  converged: obj({ by: req(duration()), workloads: opt(listOf(nonEmptyStr, true)) }).optional(),
  noInstancesOn: obj({ statuses: req(listOf(oneOf(NODE_STATUSES), true)), at: opt(duration()) }).optional(),
  running: obj({ workload: workloadRef, count: req(int(0)), at: req(duration()) }).optional(),
  jobCompleted: obj({ workload: workloadRef, by: req(duration()) }).optional(),
  restarts: obj({ workload: workloadRef, min: opt(int(0)), max: opt(int(0)) }).optional(),
}).transform(exactlyOne(EXPECTATION_KINDS, 'expectation kind'));

const constant = (ms: number): Distribution => ({ kind: 'constant', ms });

const latencySchema = obj({
  imagePull: def(distribution, { kind: 'uniform', minMs: 1000, maxMs: 3000 }),
  create: def(distribution, constant(100)),
  start: def(distribution, { kind: 'uniform', minMs: 200, maxMs: 800 }),
  stop: def(distribution, constant(500)),
  network: def(distribution, constant(1)),
});

const controlPlaneSchema = obj({
  reconcileInterval: def(duration(true), 30_000),
  reconcileMinGap: def(duration(), 100),
  resyncInterval: def(duration(true), 60_000),
  heartbeatInterval: def(duration(true), 10_000),
  nodeMonitorPeriod: def(duration(true), 5_000),
  notReadyAfter: def(duration(true), 40_000),
  downAfter: def(duration(true), 300_000),
  evictionGrace: def(duration(true), 30_000),
  backoffInitial: def(duration(true), 10_000),
  backoffMax: def(duration(true), 300_000),
  backoffReset: def(duration(true), 600_000),
  unschedulableRetry: def(duration(true), 30_000),
  rpcTimeout: def(duration(true), 10_000),
});

export const DEFAULT_SCHEDULER = 'round-robin';

const schedulerValue: Check<string | Record<string, unknown>> = (v, c) =>
  isMapping(v) ? v : nonEmptyStr(v, c);

/** The whole file. Its output is the shape-checked, unit-normalized input of the loader. */
export const scenarioSchema = obj({
  name: req(nonEmptyStr),
  description: opt(str),
  seed: def(int(0), 1),
  duration: req(duration(true)),
  nodes: list(nodeSchema, true),
  workloads: list(workloadSchema).prefault([]),
  operations: list(operationSchema).prefault([]),
  faults: list(faultSchema).prefault([]),
  latency: latencySchema.prefault({} as z.input<typeof latencySchema>),
  /** A scheduler or profile name, a profile mapping, or a KubeSchedulerConfiguration (the loader checks it). */
  scheduler: def(schedulerValue, DEFAULT_SCHEDULER as string | Record<string, unknown>),
  /** PriorityClass name → priority, for workloads' placement.priorityClassName. */
  priorityClasses: z.record(z.string(), z.number().int()).optional(),
  /** Image name → size: simulated nodes report the images they hold with these sizes (ImageLocality). */
  images: opt(imageSizes),
  controlPlane: controlPlaneSchema.prefault({} as z.input<typeof controlPlaneSchema>),
  expectations: list(expectationSchema).prefault([]),
  /** Instances running from the start, adopted by the control plane (see `runningSchema`). */
  running: list(runningSchema).prefault([]),
});

export type ScenarioInput = z.output<typeof scenarioSchema>;
export type NodeInput = ScenarioInput['nodes'][number];
export type AddNodeInput = z.output<typeof addNodeSchema>;
export type WorkloadInput = ScenarioInput['workloads'][number];
export type ContainerInput = WorkloadInput['containers'][number];
export type OperationInput = ScenarioInput['operations'][number];
export type FaultInput = ScenarioInput['faults'][number];
export type ExpectationInput = ScenarioInput['expectations'][number];
export type SimInput = z.output<typeof simSchema>;
