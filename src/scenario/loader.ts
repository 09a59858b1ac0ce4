/**
 * Scenario files (format v1) → `Scenario`. Pure: text in, value out, no I/O.
 *
 * Three stages, each stopping at its first failure: YAML syntax (the yaml library), structure and
 * leaf values (zod, `schema.ts`), then the rules that relate fields (names, references, times,
 * `limits ≥ requests`). Every failure is an `InputError` whose message is ONE line,
 * `FILE:LINE:COL: message`, pointing at the offending key or value. When a stage finds several
 * problems, the one earliest in the file is reported (a missing key last: it is often the
 * consequence of a misspelt one).
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import { checkYamlDepth } from './yaml-depth.js';
import { InputError } from '../core/errors.js';
import { DurationError, formatDuration, parseDuration } from '../core/duration.js';
import { formatCpu } from '../core/quantity.js';
import { podRequests } from '../core/pod-requests.js';
import { add as addResources, firstShortfall, formatBytes, resources, zeroRequestsOf, type Resources } from '../core/resources.js';
import { normalizedImageName } from '../core/images.js';
import { GPU_MILLI, type ContainerSimBehavior, type ContainerSpec, type Distribution, type GpuRequest, type Taint, type UpdateStrategy } from '../core/types.js';
import { profileFromInput } from '../scheduler/profile-input.js';
import type { PodDisruptionBudget } from '../core/disruption-budget.js';
import type { PluginRegistry } from '../scheduler/plugins/registry.js';
import type { Gang, LabelSelector, Placement } from '../core/placement.js';
import { DEFAULT_NAMESPACE, type NamespaceDef, type ServiceDef, type WorkloadController } from '../core/namespace.js';
import { matchesLabelSelector } from '../core/label-selector.js';
import type { FaultLoadContext } from '../faults/fault-definition.js';
import { faultDefinition } from '../faults/registry.js';
import { toPlacement, type PlacementInput } from './placement-schema.js';
import { MAX_DURATION_MS, checkLimits, limitsWith, type ScenarioLimits } from './limits.js';
import { ManifestError, expandManifests, toManifestProblem, type ExpandedManifests } from './kubernetes.js';
import { manifestObjectName, parseManifestFile, type ManifestObject } from './manifest-files.js';
import { firstAliasOffset, foreignTagMessage, fromZodIssue, offsetOf, pathOfMessage, prefix, valueAt, type Problem } from './yaml-errors.js';

import {
  DEFAULT_SCHEDULER,
  FAULT_KINDS,
  HUGEPAGES_NAME,
  PATCH_FIELDS,
  describeValue,
  didYouMean,
  formatPath,
  isMapping,
  scenarioSchema,
  workloadSchema,
  type AddNodeInput,
  type ContainerInput,
  type IntOrPercent,
  type NodeInput,
  type PathSegment,
  type ResourceInput,
  type ScenarioInput,
  type SimInput,
  type WorkloadInput,
} from './schema.js';
import { MEMBERLIST_LAN } from '../membership/config.js';
import { MAX_NODE_MASK_DIFF } from '../net/cidr-set.js';
import { overlaps, parseCidr, type Cidr } from '../net/ipv4.js';
import type {
  ClusterConfig,
  ContainerPatch,
  ControlPlaneConfig,
  HaConfig,
  Expectation,
  Fault,
  FaultRate,
  NodeDef,
  NodeEndpoint,
  Operation,
  RunningInstance,
  Scenario,
  WorkloadDef,
} from './types.js';

/** Kubernetes' built-in PriorityClasses. */
export const BUILT_IN_PRIORITY_CLASSES: Readonly<Record<string, number>> = {
  'system-cluster-critical': 2_000_000_000,
  'system-node-critical': 2_000_001_000,
};

type Path = readonly PathSegment[];

/** A manifest file a scenario's `manifests:` names: the name to show in messages and its text. */
export interface ManifestFileText {
  /** The file as messages name it (`FILE:LINE:COL`), e.g. relative to the working directory. */
  readonly file: string;
  readonly text: string;
}

/** Options of `parseScenario`. */
export interface ParseOptions {
  /**
   * The scheduler names `scheduler: NAME` may use: the caller's registry (`schedulerNames()` of
   * src/scheduler/registry.ts), handed in so the loader depends on no registry.
   */
  readonly schedulers: readonly string[];
  /** The plugins a `scheduler:` profile may name (default `BUILT_IN_PLUGINS`; `--plugin` files add to it). */
  readonly plugins?: PluginRegistry;
  /** Bounds on nodes, instances and faults (default `DEFAULT_LIMITS`); crossing one is an InputError. */
  readonly limits?: Partial<ScenarioLimits>;
  /**
   * Reads a manifest file named by a string entry of `manifests:` (as written, relative to the
   * scenario file: the caller resolves it). Called once per entry, before anything is validated;
   * throws InputError with a one-line message (`k8s/app.yaml: cannot read: no such file`) that the
   * loader places at the entry. Without it, a file entry is bad input (the parser does no I/O).
   */
  readonly readManifestFile?: (ref: string) => ManifestFileText;
  /**
   * The document `text` was written from, by a caller that generated the file (simulate_change
   * writes its scenario with the yaml library's `stringify`): it is validated as it is and `text`
   * is parsed only to place a problem at its FILE:LINE:COL. It must be what parsing `text` gives
   * (plain JSON data: strings, finite numbers, booleans, null, arrays, objects).
   */
  readonly document?: unknown;
}

/** An object of a manifest file, at its index in the flattened `manifests:` list. */
interface FileManifest extends ManifestObject {
  /** Index of the string entry that named the file in the scenario's own `manifests:`. */
  readonly entry: number;
}

/**
 * Parses and validates a scenario file's text against the schedulers and plugins in `options`.
 * Throws `InputError` (`FILE:LINE:COL: message`). Most callers want `parseScenario` of
 * src/run/parse-scenario.ts, which hands in this build's schedulers.
 */
export function parseScenario(text: string, file: string, options: ParseOptions): Scenario {
  let lineCounter: LineCounter | undefined;
  let yaml: Document.Parsed | undefined;
  /** `text`'s YAML document: parsed at once, or (given `options.document`) only to place a problem. */
  const yamlDoc = (): Document.Parsed => {
    if (yaml !== undefined) return yaml;
    checkYamlDepth(text, file, (line) => {
      throw new InputError(line);
    });
    lineCounter = new LineCounter();
    yaml = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
    return yaml;
  };
  const linePos = (offset: number) => {
    yamlDoc();
    return lineCounter!.linePos(offset);
  };
  const where = (offset: number): string => {
    const { line, col } = linePos(offset);
    return `${file}:${line}:${col}`;
  };

  let raw: unknown = options.document;
  if (raw === undefined) {
    const doc = yamlDoc();
    if (doc.errors.length > 0) {
      const lines = doc.errors.map((err) => {
        let message = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        const { line } = linePos(err.pos[0]);
        const lineText = text.split('\n')[line - 1] ?? '';
        if (/\{[^"'{}]*\{i(:\d+)?\}/.test(lineText)) {
          // `{name: node-{i}, ...}`: braces inside a flow mapping end it early.
          message += ' (inside {...}, quote a name with {i}: name: "node-{i}")';
        }
        return `${where(err.pos[0])}: ${message}`;
      });
      throw new InputError(lines[0], [...new Set(lines)]);
    }

    // `labels: !!set {a, b}` became {} silently: a tag a JSON value cannot express is bad input.
    const tagged = foreignTagMessage(doc, text, where);
    if (tagged !== undefined) throw new InputError(tagged);

    try {
      raw = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      // Unresolvable aliases (`*nope`) and alias bombs surface here, not as parse errors.
      throw new InputError(`${where(firstAliasOffset(doc))}: ${(e as Error).message.split('\n')[0]}`);
    }
  }

  let origins: ExpandedManifests['origins'] = [];
  // Manifests read from files, by their index in the flattened `manifests:` list; inline entries'
  // flattened index → their index in the scenario (they differ once a file entry came before).
  const fromFiles = new Map<number, FileManifest>();
  const inlineIndex = new Map<number, number>();
  /** A problem placed: in the scenario, or in the document of a manifest file it is about. */
  const place = (p: Problem): { line: string; offset: number; inner: number } => {
    const [top, k] = p.path;
    const m = top === 'manifests' && typeof k === 'number' ? fromFiles.get(k) : undefined;
    const generated = `manifests[${String(k)}]`;
    if (m !== undefined) {
      const rest = p.path.slice(2);
      let message = p.message;
      if (message.startsWith(`${generated}.`)) message = `${manifestObjectName(m)}: ${message.slice(generated.length + 1)}`;
      else if (message.startsWith(generated)) message = `${manifestObjectName(m)}${message.slice(generated.length)}`;
      return { line: `${m.where(rest, p.at)}: ${message}`, offset: offsetOf(yamlDoc(), ['manifests', m.entry], 'value'), inner: m.offset(rest, p.at) };
    }
    let path = p.path;
    let message = p.message;
    const j = top === 'manifests' && typeof k === 'number' ? inlineIndex.get(k) : undefined;
    if (j !== undefined && j !== k) {
      path = ['manifests', j, ...p.path.slice(2)];
      if (message.startsWith(generated)) message = `manifests[${j}]${message.slice(generated.length)}`;
    }
    const offset = offsetOf(yamlDoc(), path, p.at);
    return { line: `${where(offset)}: ${message}`, offset, inner: 0 };
  };
  const fail = (raw: readonly Problem[]): never => {
    // Problems in entries generated from Kubernetes manifests point at the manifest.
    const problems = raw.map((p) => (origins.length ? { ...p, ...toManifestProblem(p.path, p.message, origins) } : p));
    const placed = problems.map((p, order) => ({ p, order, ...place(p) }));
    placed.sort((a, b) => Number(a.p.late ?? false) - Number(b.p.late ?? false) || a.offset - b.offset || a.inner - b.inner || a.order - b.order);
    const lines = [...new Set(placed.map(({ line }) => line))];
    throw new InputError(lines[0], lines);
  };

  if (!isMapping(raw)) {
    const message =
      raw === null || raw === undefined
        ? 'the file is empty; a scenario is a mapping with at least name, duration and nodes'
        : `expected a mapping (name, duration, nodes, ...) at the top level, got ${describeValue(raw)}`;
    throw new InputError(`${where(yamlDoc().contents?.range?.[0] ?? 0)}: ${message}`);
  }

  // `manifests:` entries naming files (kubectl's multi-document YAML) become their objects.
  const document: Record<string, unknown> = Array.isArray(raw.manifests) && raw.manifests.some((m) => typeof m === 'string') ? { ...raw, manifests: readManifestFiles(raw.manifests, options.readManifestFile, fromFiles, inlineIndex, fail) } : raw;

  let doc2: Record<string, unknown> = document;
  let warnings: readonly string[] = [];
  try {
    const expanded = expandManifests(document);
    ({ origins, warnings } = expanded);
    doc2 = expanded.raw;
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    fail([{ path: e.path, at: 'value', message: e.message }]);
  }

  const parsed = scenarioSchema.safeParse(doc2);
  if (!parsed.success) fail(parsed.error.issues.map((iss) => fromZodIssue(iss, doc2)));
  const input = parsed.data as ScenarioInput;
  // Before anything is expanded (a node count, replicas): a scenario over a limit is refused here.
  const tooBig = checkLimits(input, limitsWith(options.limits));
  if (tooBig.length > 0) fail(tooBig.map((p) => ({ ...p, at: 'value' as const })));

  const checker = new Checker(input, doc2);
  const built = checker.build(file, options);
  if (checker.problems.length > 0) fail(checker.problems);
  const scenario: Scenario = { ...built, source: { file, document } };
  if (scenario.scheduler.name === 'round-robin' && !scenario.scheduler.profile) {
    const constrained = scenario.workloads.filter((w) => w.placement !== undefined).map((w) => w.name);
    if (constrained.length > 0) {
      warnings = [...warnings, `scheduler round-robin ignores placement (workloads ${constrained.join(', ')}); use a profile such as default`];
    }
  }
  warnings = [...warnings, ...gangWarnings(scenario)];
  return warnings.length > 0 ? { ...scenario, warnings } : scenario;
}

/**
 * The `manifests:` list with every string entry (a manifest file) replaced by the file's objects,
 * in order. Fills `fromFiles` (flattened index → object and its place) and `inlineIndex`
 * (flattened index of an inline entry → its index in the scenario). A file that cannot be read
 * or holds no object is a problem at its entry; a problem inside the file is the file's own
 * `FILE:LINE:COL` InputError.
 */
function readManifestFiles(
  entries: readonly unknown[],
  read: ParseOptions['readManifestFile'],
  fromFiles: Map<number, FileManifest>,
  inlineIndex: Map<number, number>,
  fail: (problems: readonly Problem[]) => never,
): unknown[] {
  const flat: unknown[] = [];
  entries.forEach((m, entry) => {
    if (typeof m !== 'string') {
      inlineIndex.set(flat.length, entry);
      flat.push(m);
      return;
    }
    const at = (message: string): never => fail([{ path: ['manifests', entry], at: 'value', message: `manifests[${entry}]: ${message}` }]);
    if (read === undefined) at(`a manifest file (${JSON.stringify(m)}) can only be read when the scenario is read from a file; inline its objects instead`);
    let file: ManifestFileText | undefined;
    try {
      file = read!(m);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      at(e.message);
    }
    const objects = parseManifestFile(file!.text, file!.file);
    if (objects.length === 0) at(`${file!.file}: no Kubernetes object in the file`);
    for (const o of objects) {
      fromFiles.set(flat.length, { ...o, entry });
      flat.push(o.value);
    }
  });
  return flat;
}

/** A workload entry checked on its own was refused: the first problem, its path inside the entry. */
export class WorkloadEntryError extends Error {
  constructor(
    readonly path: readonly PathSegment[],
    /** `key` when the problem is the key itself (an unknown key), else `value`. */
    readonly at: 'key' | 'value',
    message: string,
  ) {
    super(message);
    this.name = 'WorkloadEntryError';
  }
}

/** Options of `parseWorkloadEntry`. */
export interface WorkloadEntryOptions {
  /** PriorityClass names `placement.priorityClassName` may use (besides the built-in ones). */
  readonly priorityClasses?: Readonly<Record<string, number>>;
  readonly limits?: Partial<ScenarioLimits>;
}

/**
 * Checks ONE `workloads:` entry, already parsed (JSON or YAML), with the same schema and rules as
 * a scenario's: the daemon's API takes workload specs in the scenario format and must not build a
 * whole scenario per request. Rules that relate a workload to the rest of a scenario (duplicate
 * names, gangs across workloads, `at` within the duration) do not apply. Paths and messages are
 * relative to the entry (`containers[0].image: ...`). Throws WorkloadEntryError (the first problem,
 * ordered as the loader orders them: a missing key last).
 */
export function parseWorkloadEntry(raw: unknown, options: WorkloadEntryOptions = {}): WorkloadDef {
  const fail = (problems: readonly Problem[]): never => {
    const first = problems.map((p, order) => ({ p, order })).sort((a, b) => Number(a.p.late ?? false) - Number(b.p.late ?? false) || a.order - b.order)[0].p;
    throw new WorkloadEntryError(first.path, first.at, first.message);
  };
  if (!isMapping(raw)) fail([{ path: [], at: 'value', message: `expected a workload mapping (name, containers, ...), got ${describeValue(raw)}` }]);
  const parsed = workloadSchema.safeParse(raw);
  if (!parsed.success) fail(parsed.error.issues.map((iss) => fromZodIssue(iss, raw)));
  const w = parsed.data as WorkloadInput;
  const input = { name: 'workload', seed: 1, duration: MAX_DURATION_MS, nodes: [], workloads: [w], operations: [], faults: [], expectations: [], running: [], ...(options.priorityClasses ? { priorityClasses: { ...options.priorityClasses } } : {}) } as unknown as ScenarioInput;
  const tooBig = checkLimits(input, limitsWith(options.limits));
  if (tooBig.length > 0) fail(tooBig.map((p) => ({ path: p.path.slice(2), at: 'value' as const, message: p.message.replace(/^workloads\[0\]\.?/, '') })));
  const checker = new Checker(input, raw as Record<string, unknown>);
  const def = checker.workload(w, []);
  if (checker.problems.length > 0) fail(checker.problems);
  return def;
}

/**
 * A gang whose workloads never have `minMember` instances together can never bind: its members
 * would reserve room, wait and time out over and over. Counted per workload as the most replicas
 * it ever asks for (its own, or a later `scale`).
 */
function gangWarnings(scenario: Scenario): string[] {
  const most = new Map<string, number>();
  for (const w of scenario.workloads) most.set(w.name, w.replicas);
  for (const op of scenario.operations) if (op.kind === 'scale') most.set(op.workload, Math.max(most.get(op.workload) ?? 0, op.replicas));
  const gangs = new Map<string, { minMember: number; workloads: string[]; total: number }>();
  for (const w of scenario.workloads) {
    const g = w.placement?.gang;
    if (!g) continue;
    let e = gangs.get(g.name);
    if (!e) gangs.set(g.name, (e = { minMember: g.minMember, workloads: [], total: 0 }));
    e.workloads.push(w.name);
    e.total += most.get(w.name) ?? 0;
  }
  return [...gangs]
    .filter(([, e]) => e.total < e.minMember)
    .map(([name, e]) => `gang ${JSON.stringify(name)} needs minMember ${e.minMember} but its workloads (${e.workloads.join(', ')}) never ask for more than ${e.total} instances together: it can never bind`);
}

// ---------------------------------------------------------------------------------------------
// Positions
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Cross-field rules and normalization
// ---------------------------------------------------------------------------------------------

/** DNS-1123 subdomain: what Kubernetes accepts as a node name. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** `{i}` or `{i:3}` (zero-padded to 3 digits) in a node name. */
const PLACEHOLDER = /\{i(?::(\d{1,2}))?\}/g;

const fmt = formatDuration;

function formatAmount(resource: string, n: number): string {
  if (resource === 'cpu') return formatCpu(n);
  if (resource === 'memory' || resource === 'disk' || HUGEPAGES_NAME.test(resource)) return formatBytes(n);
  return String(n);
}

function toResources(r: ResourceInput | undefined): Resources {
  return resources({ cpu: r?.cpu ?? 0, memory: r?.memory ?? 0, disk: r?.disk ?? 0, extended: { ...(r?.extended ?? {}) } });
}

/** `{ zeroRequests }` when cpu or memory is given as 0 (scored as 0, not as the non-zero default), else nothing. */
function zeroRequestsField(r: ResourceInput | undefined): { zeroRequests?: Array<'cpu' | 'memory'> } {
  const z = zeroRequestsOf(r);
  return z ? { zeroRequests: z } : {};
}

function amounts(r: ResourceInput | undefined): Array<[string, number]> {
  if (!r) return [];
  const out: Array<[string, number]> = [];
  for (const k of ['cpu', 'memory', 'disk'] as const) if (r[k] !== undefined) out.push([k, r[k] as number]);
  for (const [k, v] of Object.entries(r.extended)) out.push([k, v]);
  return out;
}

function amountOf(r: ResourceInput | undefined, key: string): number | undefined {
  if (!r) return undefined;
  return key === 'cpu' || key === 'memory' || key === 'disk' ? r[key] : r.extended[key];
}

/** `a, b, c` or `a, b, ... (40 in all)`. */
function listNames(names: readonly string[]): string {
  const max = 10;
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, ... (${names.length} in all)`;
}

interface NodeOrigin {
  readonly path: Path;
  /** When the node joins the cluster (0 for `nodes`, the operation's time for `addNode`). */
  readonly addedAt: number;
}

interface ContainerState {
  requests?: ResourceInput;
  limits?: ResourceInput;
}

class Checker {
  readonly problems: Problem[] = [];
  private readonly nodeOrigins = new Map<string, NodeOrigin>();
  private readonly workloads = new Map<string, { def: WorkloadDef; index: number }>();
  /** Each gang's minMember and timeout as the first workload naming it gave them. */
  private readonly gangs = new Map<string, { minMember: number; timeoutMs: number; index: number; workload: string }>();

  constructor(
    private readonly input: ScenarioInput,
    private readonly raw: Record<string, unknown>,
  ) {}

  private report(path: Path, message: string, at: 'key' | 'value' = 'value'): void {
    this.problems.push({ path, message: `${prefix(path)}${message}`, at });
  }

  private given(path: Path): boolean {
    return valueAt(this.raw, path) !== undefined;
  }

  private withinRun(path: Path, ms: number | undefined): void {
    if (ms !== undefined && ms > this.input.duration) {
      this.report(path, `${fmt(ms)} is after the end of the run (duration ${fmt(this.input.duration)})`);
    }
  }

  build(file: string, known: Pick<ParseOptions, 'schedulers' | 'plugins'>): Scenario {
    const input = this.input;
    const names = [...known.schedulers].sort();
    let scheduler: Scenario['scheduler'] = { name: DEFAULT_SCHEDULER };
    if (typeof input.scheduler === 'string') {
      scheduler = { name: input.scheduler };
      if (!names.includes(input.scheduler)) {
        this.report(
          ['scheduler'],
          `unknown scheduler ${JSON.stringify(input.scheduler)}${didYouMean(input.scheduler, names)} (known: ${names.join(', ')})`,
        );
      }
    } else {
      try {
        const { profile, ignored } = profileFromInput(input.scheduler, 'scheduler', known.plugins ? { plugins: known.plugins } : {});
        scheduler = { name: profile.name, profile, ...(ignored.length > 0 ? { ignored } : {}) };
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        this.problems.push({ path: pathOfMessage(e.message) ?? ['scheduler'], at: 'value', message: e.message });
      }
    }

    const images = this.images();
    const nodes: NodeDef[] = [];
    // One push per node: a spread of a large entry (150,000 nodes) overflows the call stack.
    input.nodes.forEach((n, i) => {
      for (const d of this.expandNodes(n, ['nodes', i])) nodes.push(d);
    });
    const workloads = input.workloads.map((w, i) => this.workload(w, ['workloads', i]));

    // addNode first: faults and earlier operations may refer to nodes added later in the file.
    const added = new Map<number, NodeDef>();
    input.operations.forEach((op, i) => {
      if (op.addNode) {
        const path: Path = ['operations', i, 'addNode'];
        const node = this.node(op.addNode, op.addNode.name, path);
        this.nameNode(op.addNode.name, [...path, 'name'], op.at);
        added.set(i, node);
      }
    });
    const operations = input.operations.map((op, i) => this.operation(op, i, added.get(i)));
    this.checkUpdates();
    const faults = input.faults.map((f, i) => this.fault(f, i));
    const expectations = input.expectations.map((e, i) => this.expectation(e, i));
    const controlPlane = this.controlPlane();
    const cluster = this.cluster();
    this.checkPodCidrs(nodes, [...added.entries()]);
    const running = this.running(nodes, workloads);
    const budgets = this.disruptionBudgets();
    const namespaces = this.namespaces();
    const services = this.services();

    return {
      name: input.name,
      ...(input.description !== undefined ? { description: input.description } : {}),
      seed: input.seed,
      durationMs: input.duration,
      nodes,
      workloads,
      operations,
      faults,
      latency: { ...input.latency },
      scheduler,
      images,
      controlPlane,
      ...(cluster ? { cluster } : {}),
      expectations,
      ...(budgets.length > 0 ? { podDisruptionBudgets: budgets } : {}),
      ...(namespaces.length > 0 ? { namespaces } : {}),
      ...(services.length > 0 ? { services } : {}),
      ...(running.length > 0 ? { running } : {}),
      source: { file, document: this.raw },
    };
  }

  /** `podDisruptionBudgets`: names unique, exactly one of minAvailable and maxUnavailable. */
  private disruptionBudgets(): PodDisruptionBudget[] {
    const seen = new Set<string>();
    const out: PodDisruptionBudget[] = [];
    this.input.podDisruptionBudgets.forEach((b, i) => {
      const path: Path = ['podDisruptionBudgets', i];
      if (seen.has(b.name)) this.report([...path, 'name'], `duplicate PodDisruptionBudget ${JSON.stringify(b.name)}`);
      seen.add(b.name);
      if ((b.minAvailable === undefined) === (b.maxUnavailable === undefined)) {
        this.report(b.minAvailable === undefined ? path : [...path, 'maxUnavailable'], 'give exactly one of minAvailable and maxUnavailable', b.minAvailable === undefined ? 'value' : 'key');
        return;
      }
      out.push({
        name: b.name,
        namespace: b.namespace ?? DEFAULT_NAMESPACE,
        ...(b.selector ? { selector: b.selector } : {}),
        ...(b.minAvailable !== undefined ? { minAvailable: b.minAvailable } : {}),
        ...(b.maxUnavailable !== undefined ? { maxUnavailable: b.maxUnavailable } : {}),
      });
    });
    return out;
  }

  // --- nodes ---------------------------------------------------------------------------------

  /** The top-level image sizes by normalized name; two names for one image are an error. */
  private images(): Record<string, number> {
    const out: Record<string, number> = {};
    const given = new Map<string, string>();
    for (const [name, size] of Object.entries(this.input.images ?? {})) {
      const norm = normalizedImageName(name);
      const first = given.get(norm);
      if (first !== undefined) {
        this.report(['images', name], `${JSON.stringify(name)} is the same image as ${JSON.stringify(first)} (${norm})`, 'key');
        continue;
      }
      given.set(norm, name);
      out[norm] = size;
    }
    return out;
  }

  private expandNodes(n: NodeInput, path: Path): NodeDef[] {
    const namePath = [...path, 'name'];
    const hasPlaceholder = new RegExp(PLACEHOLDER.source).test(n.name);
    let names: string[];
    if (n.count === undefined) {
      if (hasPlaceholder) {
        this.report(namePath, `${JSON.stringify(n.name)} has an {i} placeholder but no count; add count: N`);
        return [];
      }
      names = [n.name];
    } else {
      if (n.count > 1 && n.podCidr !== undefined) {
        this.report([...path, 'podCidr'], `one podCidr cannot serve ${n.count} nodes (count: ${n.count}); give each node its own entry, or leave podCidr out so each gets a block of cluster.network.podCidr`);
        return [];
      }
      if (n.count > 1 && !hasPlaceholder) {
        this.report(namePath, `with count: ${n.count} the name needs an {i} placeholder (e.g. node-{i}) to tell the nodes apart`);
        return [];
      }
      names = [];
      for (let i = 1; i <= n.count; i++) {
        names.push(n.name.replace(PLACEHOLDER, (_, width?: string) => String(i).padStart(Number(width ?? 0), '0')));
      }
    }
    const node = this.node(n, names[0], path);
    const out: NodeDef[] = [];
    for (const name of names) {
      if (!this.nameNode(name, namePath, 0)) break;
      out.push({ ...node, name, labels: { ...node.labels }, taints: node.taints.map((t) => ({ ...t })) });
    }
    return out;
  }

  /** Validates and registers a node name; false after reporting a problem. */
  private nameNode(name: string, path: Path, addedAt: number): boolean {
    if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
      const hint = name.includes('{') ? ' (placeholders: {i}, {i:3})' : '';
      this.report(
        path,
        `invalid node name ${JSON.stringify(name)}: use lower-case letters, digits, '-' and '.', ` +
          `starting and ending with a letter or digit${hint}`,
      );
      return false;
    }
    const first = this.nodeOrigins.get(name);
    if (first) {
      this.report(path, `duplicate node name ${JSON.stringify(name)} (first defined at ${formatPath(first.path)})`);
      return false;
    }
    this.nodeOrigins.set(name, { path, addedAt });
    return true;
  }

  private node(n: NodeInput | AddNodeInput, name: string, path: Path): NodeDef {
    if (n.docker !== undefined && n.oci !== undefined) this.report(path, 'give either docker or oci, not both');
    if (n.oci !== undefined && (n.oci.rootfs === undefined) === (n.oci.exportFrom === undefined))
      this.report([...path, 'oci'], 'give either rootfs (a directory) or exportFrom (a Docker engine to export images from)');
    // A Linux interface name: at most 15 bytes (IFNAMSIZ - 1), no '/', ':' or whitespace.
    if (n.oci?.bridge !== undefined && !/^[a-zA-Z0-9_.-]{1,15}$/.test(n.oci.bridge))
      this.report([...path, 'oci', 'bridge'], `invalid bridge name ${JSON.stringify(n.oci.bridge)}: at most 15 letters, digits, '_', '.' or '-' (a Linux interface name)`);
    const fromEngine = n.capacity === undefined && n.docker !== undefined;
    if (n.capacity === undefined && !fromEngine) this.report(path, 'missing required key "capacity" (only docker nodes may leave it to the engine)');
    const capacity = n.capacity === undefined ? resources() : toResources(n.capacity);
    const endpoint: NodeEndpoint | undefined =
      n.docker !== undefined
        ? {
            kind: 'docker',
            host: n.docker.host,
            ...(n.docker.network !== undefined ? { network: n.docker.network } : {}),
            ...(n.docker.pidFile !== undefined ? { pidFile: n.docker.pidFile } : {}),
          }
        : n.oci !== undefined
          ? {
              kind: 'oci',
              runtime: n.oci.runtime,
              root: n.oci.root,
              ...(n.oci.rootfs !== undefined ? { rootfs: n.oci.rootfs } : {}),
              ...(n.oci.exportFrom !== undefined ? { exportFrom: n.oci.exportFrom } : {}),
              ...(n.oci.bundles !== undefined ? { bundles: n.oci.bundles } : {}),
              ...(n.oci.cniPath !== undefined ? { cniPath: n.oci.cniPath } : {}),
              ...(n.oci.bridge !== undefined ? { bridge: n.oci.bridge } : {}),
            }
          : undefined;
    const alloc = n.allocatable;
    for (const [key, value] of fromEngine ? [] : amounts(alloc)) {
      const cap = amountOf(n.capacity, key) ?? 0;
      if (value > cap) {
        this.report(
          [...path, 'allocatable', key],
          `${formatAmount(key, value)} is more than the capacity ${formatAmount(key, cap)}`,
        );
      }
    }
    const allocatable = resources({
      cpu: alloc?.cpu ?? capacity.cpu,
      memory: alloc?.memory ?? capacity.memory,
      disk: alloc?.disk ?? capacity.disk,
      extended: { ...capacity.extended, ...(alloc?.extended ?? {}) },
    });
    const taints: Taint[] = n.taints.map((t) =>
      t.value === undefined ? { key: t.key, effect: t.effect } : { key: t.key, value: t.value, effect: t.effect },
    );
    const sizes = this.input.images ?? {};
    const known = new Set(Object.keys(sizes).map(normalizedImageName));
    (n.images ?? []).forEach((img, k) => {
      if (!known.has(normalizedImageName(img))) {
        const names = Object.keys(sizes);
        this.report(
          [...path, 'images', k],
          `no size for image ${JSON.stringify(img)} in the top-level images${didYouMean(img, names)}`,
        );
      }
    });
    return {
      name,
      capacity,
      allocatable,
      labels: { ...n.labels },
      taints,
      ...(n.unschedulable ? { unschedulable: true } : {}),
      ...(n.images !== undefined ? { images: [...new Set(n.images.map(normalizedImageName))] } : {}),
      ...(n.gpus ? { gpus: { model: n.gpus.model, count: n.gpus.count } } : {}),
      ...(n.podCidr !== undefined ? { podCidr: n.podCidr } : {}),
      ...(fromEngine ? { capacityFromEngine: true } : {}),
      ...(endpoint !== undefined ? { endpoint } : {}),
    };
  }

  // --- workloads -----------------------------------------------------------------------------

  /** One workload entry at `path` (`[]`: checked on its own, see parseWorkloadEntry). */
  workload(w: WorkloadInput, path: Path): WorkloadDef {
    const first = this.workloads.get(w.name);
    if (first) {
      this.report([...path, 'name'], `duplicate workload name ${JSON.stringify(w.name)} (first defined at workloads[${first.index}])`);
    }
    this.withinRun([...path, 'at'], w.at);

    const isJob = w.kind === 'job';
    if (!isJob) {
      for (const key of ['completions', 'backoffLimit'] as const) {
        if (w[key] !== undefined) {
          this.report([...path, key], `only jobs have ${key}; this workload is a service (add kind: job)`, 'key');
        }
      }
    } else if (w.updateStrategy !== undefined) {
      this.report([...path, 'updateStrategy'], 'only services have an updateStrategy; this workload is a job', 'key');
    }
    if (isJob && w.restartPolicy === 'Always') {
      this.report([...path, 'restartPolicy'], 'a job cannot use Always; use OnFailure or Never');
    }

    // Kubernetes: container names are unique across containers and initContainers.
    const containerNames = new Map<string, string>();
    const container = (c: ContainerInput & { restartPolicy?: 'Always' }, j: number, list: 'containers' | 'initContainers'): ContainerSpec => {
      const cpath: Path = [...path, list, j];
      const other = containerNames.get(c.name);
      if (other !== undefined) {
        this.report([...cpath, 'name'], `duplicate container name ${JSON.stringify(c.name)} (also ${other})`);
      } else containerNames.set(c.name, `${list}[${j}]`);
      this.checkLimits(c.requests, c.limits, cpath, '');
      const sim = this.sim(c.sim, [...cpath, 'sim'], list === 'initContainers' && c.restartPolicy === undefined);
      return {
        name: c.name,
        image: c.image,
        ...(c.command !== undefined ? { command: c.command } : {}),
        ...(c.args !== undefined ? { args: c.args } : {}),
        env: { ...c.env },
        ports: c.ports.map((p) =>
          p.hostPort === undefined
            ? { containerPort: p.containerPort, protocol: p.protocol }
            : { containerPort: p.containerPort, hostPort: p.hostPort, protocol: p.protocol },
        ),
        requests: toResources(c.requests),
        ...zeroRequestsField(c.requests),
        limits: toResources(c.limits),
        ...(c.restartPolicy !== undefined ? { restartPolicy: c.restartPolicy } : {}),
        ...(sim !== undefined ? { sim } : {}),
      };
    };
    const containers = w.containers.map((c, j) => container(c, j, 'containers'));
    const initContainers = w.initContainers?.map((c, j) => container(c, j, 'initContainers'));

    const controller = this.controller(w, path);
    const def: WorkloadDef = {
      name: w.name,
      ...(w.namespace !== undefined ? { namespace: w.namespace } : {}),
      ...(controller !== undefined ? { controller } : {}),
      kind: w.kind,
      replicas: w.replicas,
      completions: w.completions ?? 1,
      backoffLimit: w.backoffLimit ?? 6,
      at: w.at,
      priority: w.priority,
      restartPolicy: w.restartPolicy ?? (isJob ? 'OnFailure' : 'Always'),
      updateStrategy: this.updateStrategy(w, [...path, 'updateStrategy']),
      labels: { ...w.labels },
      containers,
      ...(initContainers && initContainers.length > 0 ? { initContainers } : {}),
      ...(w.overhead !== undefined ? { overhead: toResources(w.overhead) } : {}),
    };
    if (w.gpus) {
      if (w.gpus.milli < GPU_MILLI && w.gpus.count > 1) {
        this.report([...path, 'gpus', 'milli'], `${w.gpus.milli} milli-GPU per device is a shared GPU: only with count 1 (count is ${w.gpus.count})`);
      }
      (def as { gpus?: GpuRequest }).gpus = { count: w.gpus.count, milli: w.gpus.milli, models: [...w.gpus.models] };
    }
    if (w.placement) {
      const placed = this.placement(w.placement, [...path, 'placement']);
      (def as { placement?: Placement }).placement = placed.placement;
      if (placed.placement.gang) this.sameGang(placed.placement.gang, w.name, path);
      if (placed.priority !== undefined) (def as { priority: number }).priority = placed.priority;
    }
    if (!first) this.workloads.set(w.name, { def, index: path[1] as number });
    return def;
  }

  /**
   * `controller:` as Kubernetes validates it: a ReplicaSet, StatefulSet or ReplicationController
   * needs a non-empty selector that matches the workload's labels (the pod template's); a Pod or a
   * Job takes none.
   */
  private controller(w: WorkloadInput, path: Path): WorkloadController | undefined {
    const c = w.controller;
    if (c === undefined) return undefined;
    const at: Path = [...path, 'controller'];
    if (c.kind === 'Pod' || c.kind === 'Job') {
      if (c.selector !== undefined) this.report([...at, 'selector'], `a ${c.kind} has no selector of its own (only ReplicaSet, StatefulSet and ReplicationController take one)`, 'key');
      return { kind: c.kind };
    }
    const sel = c.selector as LabelSelector | undefined;
    if (sel === undefined || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
      this.report(sel === undefined ? at : [...at, 'selector'], `a ${c.kind} needs a non-empty selector`);
      return undefined;
    }
    if (!matchesLabelSelector(sel, w.labels)) {
      this.report([...at, 'selector'], `selector does not match the workload's labels ${JSON.stringify(w.labels)} (Kubernetes rejects such a ${c.kind})`);
      return undefined;
    }
    return { kind: c.kind, selector: sel };
  }

  /** `namespaces:` names unique (`default` may be given, to label it). */
  private namespaces(): NamespaceDef[] {
    const seen = new Set<string>();
    return this.input.namespaces.flatMap((n, i) => {
      if (seen.has(n.name)) {
        this.report(['namespaces', i, 'name'], `duplicate namespace ${JSON.stringify(n.name)}`);
        return [];
      }
      seen.add(n.name);
      return [{ name: n.name, labels: { ...n.labels } }];
    });
  }

  /** `services:` names unique per namespace. */
  private services(): ServiceDef[] {
    const seen = new Set<string>();
    return this.input.services.flatMap((v, i) => {
      const namespace = v.namespace ?? DEFAULT_NAMESPACE;
      if (seen.has(`${namespace}/${v.name}`)) {
        this.report(['services', i, 'name'], `duplicate Service ${JSON.stringify(v.name)} in namespace ${namespace}`);
        return [];
      }
      seen.add(`${namespace}/${v.name}`);
      return [{ name: v.name, namespace, selector: { ...v.selector } }];
    });
  }

  /**
   * A gang may span several workloads (the same `gang.name`); they must agree on its minMember
   * and timeout, else it is bad input naming the field and both values.
   */
  private sameGang(gang: Gang, workload: string, path: Path): void {
    const first = this.gangs.get(gang.name);
    if (!first) {
      this.gangs.set(gang.name, { minMember: gang.minMember, timeoutMs: gang.timeoutMs, index: path[1] as number, workload });
      return;
    }
    const where = `workloads[${first.index}] (${first.workload})`;
    const gpath: Path = [...path, 'placement', 'gang'];
    if (gang.minMember !== first.minMember) {
      this.report([...gpath, 'minMember'], `gang ${JSON.stringify(gang.name)} has minMember ${first.minMember} in ${where}; every workload of a gang must give the same minMember, got ${gang.minMember}`);
    }
    if (gang.timeoutMs !== first.timeoutMs) {
      this.report(this.given([...gpath, 'timeout']) ? [...gpath, 'timeout'] : [...gpath, 'name'], `gang ${JSON.stringify(gang.name)} has timeout ${fmt(first.timeoutMs)} in ${where}; every workload of a gang must give the same timeout (default 1m), got ${fmt(gang.timeoutMs)}`);
    }
  }

  /** A workload's placement block: the gang timeout as a duration, priorityClassName resolved. */
  private placement(p: PlacementInput, path: Path): { placement: Placement; priority?: number } {
    let timeoutMs = 60_000;
    if (p.gang?.timeout !== undefined) {
      try {
        timeoutMs = parseDuration(p.gang.timeout);
      } catch (e) {
        if (!(e instanceof DurationError)) throw e;
        this.report([...path, 'gang', 'timeout'], e.message);
      }
    }
    let priority: number | undefined;
    if (p.priorityClassName !== undefined) {
      const classes: Record<string, number> = { ...BUILT_IN_PRIORITY_CLASSES, ...(this.input.priorityClasses ?? {}) };
      priority = classes[p.priorityClassName];
      if (priority === undefined) {
        const names = Object.keys(classes).sort();
        this.report(
          [...path, 'priorityClassName'],
          `unknown PriorityClass ${JSON.stringify(p.priorityClassName)}${didYouMean(p.priorityClassName, names)} (known: ${names.join(', ')}; define more under priorityClasses)`,
        );
      }
    }
    return { placement: toPlacement(p, timeoutMs), ...(priority !== undefined ? { priority } : {}) };
  }

  /** Kubernetes' rules: surge rounds up, unavailable down; both 0 is an error as written, and
   *  when both only resolve to 0, one instance may be unavailable. */
  private updateStrategy(w: WorkloadInput, path: Path): UpdateStrategy {
    const us = w.updateStrategy;
    if (us?.type === 'Recreate') return { type: 'Recreate', maxSurge: 0, maxUnavailable: 0 };
    const surge: IntOrPercent = us?.maxSurge ?? { value: 25, percent: true };
    const unavailable: IntOrPercent = us?.maxUnavailable ?? { value: 25, percent: true };
    if (surge.value === 0 && unavailable.value === 0) {
      const at = us?.maxUnavailable !== undefined ? [...path, 'maxUnavailable'] : [...path, 'maxSurge'];
      this.problems.push({
        path: at,
        at: 'value',
        message: `${prefix(path)}maxSurge and maxUnavailable cannot both be 0 (an update could never make progress)`,
      });
    }
    const maxSurge = surge.percent ? Math.ceil((surge.value * w.replicas) / 100) : surge.value;
    let maxUnavailable = unavailable.percent ? Math.floor((unavailable.value * w.replicas) / 100) : unavailable.value;
    if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
    return { type: 'RollingUpdate', maxSurge, maxUnavailable };
  }

  /** `runsToCompletion`: an init container (not a sidecar), which exits after DEFAULT_INIT_RUN_MS without runFor. */
  private sim(s: SimInput | undefined, path: Path, runsToCompletion = false): ContainerSimBehavior | undefined {
    if (s === undefined) return undefined;
    if (s.runFor === undefined && s.exitCode !== undefined && !runsToCompletion) {
      this.report([...path, 'exitCode'], 'exitCode needs runFor (the container exits by itself only after runFor)', 'key');
    }
    const runFor: Distribution | undefined = s.runFor;
    const base = runFor === undefined ? { exitCode: s.exitCode ?? 0 } : { runFor, exitCode: s.exitCode ?? 0 };
    return s.memory === undefined ? base : { ...base, memory: s.memory };
  }

  /** Each limit ≥ the request for that resource (Kubernetes' rule). */
  private checkLimits(requests: ResourceInput | undefined, limits: ResourceInput | undefined, path: Path, ofWhat: string): void {
    for (const [key, limit] of amounts(limits)) {
      const request = amountOf(requests, key);
      if (request !== undefined && limit < request) {
        this.report(
          [...path, 'limits', key],
          `limit ${formatAmount(key, limit)} is less than the request ${formatAmount(key, request)}${ofWhat}`,
        );
      }
    }
  }

  // --- running instances ---------------------------------------------------------------------

  /**
   * Instances running from the start: each names a workload submitted at 0, a node of `nodes`, and
   * a slot of the workload (services: below replicas; jobs: below completions), once; together
   * they fit every node's allocatable (they run there already), and a GPU workload's instance names
   * its devices.
   */
  private running(nodes: readonly NodeDef[], workloads: readonly WorkloadDef[]): RunningInstance[] {
    const out: RunningInstance[] = [];
    const byName = new Map(nodes.map((n) => [n.name, n]));
    const defs = new Map(workloads.map((w) => [w.name, w]));
    const used = new Map<string, Resources>();
    const gpuUsed = new Map<string, number[]>();
    const slots = new Set<string>();
    const ids = new Map<string, number>();
    this.input.running.forEach((r, i) => {
      const path: Path = ['running', i];
      const w = this.refWorkload(r.workload, [...path, 'workload']);
      if (!w) return;
      if (w.at !== 0) {
        this.report([...path, 'workload'], `workload ${JSON.stringify(r.workload)} is submitted at ${fmt(w.at)}; an instance running from the start needs its workload submitted at 0`);
        return;
      }
      const node = byName.get(r.node);
      if (!node) {
        const known = [...byName.keys()];
        this.report([...path, 'node'], `unknown node ${JSON.stringify(r.node)}${didYouMean(r.node, known)} (nodes at the start: ${listNames(known)})`);
        return;
      }
      const bound = w.kind === 'job' ? w.completions : w.replicas;
      if (r.slot >= bound) {
        this.report([...path, 'slot'], `workload ${JSON.stringify(r.workload)} has ${w.kind === 'job' ? `${bound} completions` : `${bound} replicas`}, so slots 0..${bound - 1}; got ${r.slot}`);
        return;
      }
      const key = `${r.workload}\u0000${r.slot}`;
      if (slots.has(key)) {
        this.report([...path, 'slot'], `slot ${r.slot} of workload ${JSON.stringify(r.workload)} is already running (one instance per slot)`);
        return;
      }
      slots.add(key);
      const id = r.id ?? `${r.workload}-s${r.slot}`;
      const first = ids.get(id);
      if (first !== undefined) {
        this.report([...path, r.id !== undefined ? 'id' : 'slot'], `instance id ${JSON.stringify(id)} is already used by running[${first}]`);
        return;
      }
      ids.set(id, i);
      const request = podRequests(w);
      const before = used.get(node.name) ?? resources();
      used.set(node.name, addResources(before, request));
      const short = firstShortfall(request, before, node.allocatable);
      if (short !== undefined) {
        this.report(path, `node ${JSON.stringify(node.name)} cannot run it: the instances running there from the start need more ${short} than its allocatable`);
        return;
      }
      if (w.gpus) {
        const devices = r.gpus ?? [];
        const count = node.gpus?.count ?? 0;
        const taken = gpuUsed.get(node.name) ?? new Array<number>(count).fill(0);
        gpuUsed.set(node.name, taken);
        if (devices.length !== w.gpus.count || new Set(devices).size !== devices.length) {
          this.report([...path, 'gpus'], `workload ${JSON.stringify(r.workload)} needs ${w.gpus.count} distinct GPU device(s) per instance; list the node's devices it holds (gpus: [0${w.gpus.count > 1 ? ', 1' : ''}])`);
          return;
        }
        for (const d of devices) {
          if (d >= count || taken[d] + w.gpus.milli > GPU_MILLI) {
            this.report([...path, 'gpus'], d >= count ? `node ${JSON.stringify(node.name)} has ${count} GPU device(s); there is no device ${d}` : `GPU device ${d} of node ${JSON.stringify(node.name)} has no ${w.gpus.milli} milli-GPU left`);
            return;
          }
        }
        for (const d of devices) taken[d] += w.gpus.milli;
      } else if (r.gpus !== undefined) {
        this.report([...path, 'gpus'], `workload ${JSON.stringify(r.workload)} requests no GPUs`, 'key');
        return;
      }
      out.push({ workload: r.workload, node: r.node, slot: r.slot, id, ...(w.gpus ? { gpus: [...(r.gpus ?? [])] } : {}) });
    });
    return out;
  }

  // --- references ----------------------------------------------------------------------------

  private refWorkload(name: string, path: Path, at?: number): WorkloadDef | undefined {
    const w = this.workloads.get(name);
    if (!w) {
      const known = [...this.workloads.keys()];
      this.report(
        path,
        known.length === 0
          ? `unknown workload ${JSON.stringify(name)}; the scenario defines no workloads`
          : `unknown workload ${JSON.stringify(name)}${didYouMean(name, known)} (known: ${listNames(known)})`,
      );
      return undefined;
    }
    if (at !== undefined && at < w.def.at) {
      this.report(path, `workload ${JSON.stringify(name)} is submitted only at ${fmt(w.def.at)}, after this (${fmt(at)})`);
    }
    return w.def;
  }

  private refNode(name: string, path: Path, at: number): void {
    const origin = this.nodeOrigins.get(name);
    if (!origin) {
      const known = [...this.nodeOrigins.keys()];
      this.report(path, `unknown node ${JSON.stringify(name)}${didYouMean(name, known)} (known: ${listNames(known)})`);
      return;
    }
    if (at < origin.addedAt) {
      this.report(
        path,
        `node ${JSON.stringify(name)} is added only at ${fmt(origin.addedAt)} (${formatPath(origin.path.slice(0, -2))}), after this (${fmt(at)})`,
      );
    }
  }

  // --- operations ----------------------------------------------------------------------------

  private operation(op: ScenarioInput['operations'][number], i: number, addedNode: NodeDef | undefined): Operation {
    const path: Path = ['operations', i];
    this.withinRun([...path, 'at'], op.at);
    const at = op.at;
    if (op.scale) {
      this.refWorkload(op.scale.workload, [...path, 'scale', 'workload'], at);
      return { kind: 'scale', at, workload: op.scale.workload, replicas: op.scale.replicas };
    }
    if (op.update) {
      const u = op.update;
      const upath: Path = [...path, 'update'];
      const w = this.refWorkload(u.workload, [...upath, 'workload'], at);
      if (w && u.container !== undefined && !w.containers.some((c) => c.name === u.container)) {
        const known = w.containers.map((c) => c.name);
        this.report(
          [...upath, 'container'],
          `workload ${JSON.stringify(u.workload)} has no container ${JSON.stringify(u.container)}${didYouMean(u.container, known)} (known: ${listNames(known)})`,
        );
      }
      if (PATCH_FIELDS.every((f) => u[f] === undefined)) {
        this.report(upath, `nothing to change; give at least one of ${PATCH_FIELDS.join(', ')}`);
      }
      this.checkLimits(u.requests, u.limits, upath, '');
      const sim = this.sim(u.sim, [...upath, 'sim']);
      const patch: ContainerPatch = {
        ...(u.container !== undefined ? { container: u.container } : {}),
        ...(u.image !== undefined ? { image: u.image } : {}),
        ...(u.command !== undefined ? { command: u.command } : {}),
        ...(u.args !== undefined ? { args: u.args } : {}),
        ...(u.env !== undefined ? { env: { ...u.env } } : {}),
        ...(u.requests !== undefined ? { requests: toResources(u.requests), ...zeroRequestsField(u.requests) } : {}),
        ...(u.limits !== undefined ? { limits: toResources(u.limits) } : {}),
        ...(sim !== undefined ? { sim } : {}),
      };
      return { kind: 'update', at, workload: u.workload, patch };
    }
    if (op.delete) {
      this.refWorkload(op.delete.workload, [...path, 'delete', 'workload'], at);
      return { kind: 'delete', at, workload: op.delete.workload };
    }
    if (op.addNode && addedNode) return { kind: 'addNode', at, node: addedNode };
    if (op.taint) {
      const t = op.taint;
      this.refNode(t.node, [...path, 'taint', 'node'], at);
      const taint = t.value === undefined ? { key: t.key, effect: t.effect } : { key: t.key, value: t.value, effect: t.effect };
      return { kind: 'taint', at, node: t.node, taint };
    }
    if (op.untaint) {
      const u = op.untaint;
      this.refNode(u.node, [...path, 'untaint', 'node'], at);
      return { kind: 'untaint', at, node: u.node, key: u.key, ...(u.effect !== undefined ? { effect: u.effect } : {}) };
    }
    const node = op.removeNode?.node ?? '';
    this.refNode(node, [...path, 'removeNode', 'node'], at);
    return { kind: 'removeNode', at, node };
  }

  /**
   * Replays the updates in time order, so that a patch is checked against the requests and limits
   * its container will have then (a patch's `limits` must still cover the current requests).
   */
  private checkUpdates(): void {
    const state = new Map<string, Map<string, ContainerState>>();
    for (const w of this.input.workloads) {
      if (state.has(w.name)) continue;
      state.set(w.name, new Map(w.containers.map((c) => [c.name, { requests: c.requests, limits: c.limits }])));
    }
    const updates = this.input.operations
      .map((op, i) => ({ op, i }))
      .filter(({ op }) => op.update !== undefined)
      .sort((a, b) => a.op.at - b.op.at || a.i - b.i);
    for (const { op, i } of updates) {
      const u = op.update!;
      const containers = state.get(u.workload);
      if (!containers || (u.requests === undefined && u.limits === undefined)) continue;
      const targets = u.container === undefined ? [...containers.entries()] : [[u.container, containers.get(u.container)] as const];
      for (const [name, cur] of targets) {
        if (!cur) continue;
        const requests = u.requests ?? cur.requests;
        const limits = u.limits ?? cur.limits;
        const ofWhat = ` of container ${JSON.stringify(name)}`;
        // Only cross checks: a patch that sets both was checked on its own already.
        if (u.limits !== undefined && u.requests === undefined) {
          this.checkLimits(requests, limits, ['operations', i, 'update'], ofWhat);
        } else if (u.requests !== undefined && u.limits === undefined) {
          for (const [key, request] of amounts(requests)) {
            const limit = amountOf(limits, key);
            if (limit !== undefined && limit < request) {
              this.report(
                ['operations', i, 'update', 'requests', key],
                `request ${formatAmount(key, request)} is more than the limit ${formatAmount(key, limit)}${ofWhat}`,
              );
            }
          }
        }
        cur.requests = requests;
        cur.limits = limits;
      }
    }
  }

  // --- faults --------------------------------------------------------------------------------

  private fault(f: ScenarioInput['faults'][number], i: number): Fault {
    const path: Path = ['faults', i];
    const kind = FAULT_KINDS.find((k) => f[k] !== undefined)!;
    const kpath: Path = [...path, kind];
    let at = f.at ?? 0;
    let rate: FaultRate | undefined;
    if (f.rate !== undefined) {
      if (f.at !== undefined) this.report([...path, 'at'], 'give either at or rate, not both', 'key');
      const from = f.from ?? 0;
      const until = f.until ?? this.input.duration;
      this.withinRun([...path, 'from'], from);
      this.withinRun([...path, 'until'], until);
      if (until <= from) this.report([...path, 'until'], `must be after from (${fmt(from)}), got ${fmt(until)}`);
      rate = { perHour: f.rate, from, until };
      at = from;
    } else {
      if (f.at === undefined) this.report(path, 'needs at (a time) or rate (such as 3/h)');
      for (const k of ['from', 'until'] as const) {
        if (f[k] !== undefined) this.report([...path, k], `${k} needs rate; a fault with at happens once`, 'key');
      }
      this.withinRun([...path, 'at'], at);
    }
    const ctx: FaultLoadContext = {
      isRate: rate !== undefined,
      target: (t) => {
        if (t.node !== undefined) this.refNode(t.node, [...kpath, 'node'], at);
        t.nodes?.forEach((n, k) => this.refNode(n, [...kpath, 'nodes', k], at));
        return {
          ...(t.node !== undefined ? { node: t.node } : {}),
          ...(t.nodes !== undefined ? { nodes: t.nodes } : {}),
          ...(t.selector !== undefined ? { selector: t.selector } : {}),
        };
      },
      workload: (name, opts) => {
        this.refWorkload(name, [...kpath, 'workload'], opts?.submitted && !rate ? at : undefined);
      },
    };
    const action = faultDefinition(kind).load(f[kind], ctx);
    return (rate ? { ...action, at, rate } : { ...action, at }) as Fault;
  }

  // --- expectations --------------------------------------------------------------------------

  private expectation(e: ScenarioInput['expectations'][number], i: number): Expectation {
    const path: Path = ['expectations', i];
    if (e.converged) {
      const { by, workloads } = e.converged;
      this.withinRun([...path, 'converged', 'by'], by);
      workloads?.forEach((w, k) => this.refWorkload(w, [...path, 'converged', 'workloads', k]));
      const name = e.name ?? (workloads ? `${workloads.join(', ')} converged by ${fmt(by)}` : `converged by ${fmt(by)}`);
      return workloads ? { kind: 'converged', name, by, workloads } : { kind: 'converged', name, by };
    }
    if (e.noInstancesOn) {
      const { statuses, at } = e.noInstancesOn;
      this.withinRun([...path, 'noInstancesOn', 'at'], at);
      const name = e.name ?? `no instances on ${statuses.join('/')} nodes ${at === undefined ? 'at the end' : `at ${fmt(at)}`}`;
      return at === undefined
        ? { kind: 'noInstancesOn', name, statuses }
        : { kind: 'noInstancesOn', name, at, statuses };
    }
    if (e.running) {
      const { workload, count, at } = e.running;
      this.withinRun([...path, 'running', 'at'], at);
      this.refWorkload(workload, [...path, 'running', 'workload']);
      return { kind: 'running', name: e.name ?? `${workload} running ${count} at ${fmt(at)}`, at, workload, count };
    }
    if (e.jobCompleted) {
      const { workload, by } = e.jobCompleted;
      this.withinRun([...path, 'jobCompleted', 'by'], by);
      const w = this.refWorkload(workload, [...path, 'jobCompleted', 'workload']);
      if (w && w.kind !== 'job') {
        this.report([...path, 'jobCompleted', 'workload'], `${JSON.stringify(workload)} is a service; jobCompleted needs a job`);
      }
      return { kind: 'jobCompleted', name: e.name ?? `${workload} completed by ${fmt(by)}`, by, workload };
    }
    const { workload, min, max } = e.restarts!;
    const rpath: Path = [...path, 'restarts'];
    this.refWorkload(workload, [...rpath, 'workload']);
    if (min === undefined && max === undefined) this.report(rpath, 'needs min, max or both');
    if (min !== undefined && max !== undefined && max < min) this.report([...rpath, 'max'], `${max} is less than min ${min}`);
    const name =
      e.name ??
      (min !== undefined && max !== undefined
        ? `${workload} restarts between ${min} and ${max}`
        : min !== undefined
          ? `${workload} restarts at least ${min}`
          : `${workload} restarts at most ${max}`);
    return {
      kind: 'restarts',
      name,
      workload,
      ...(min !== undefined ? { min } : {}),
      ...(max !== undefined ? { max } : {}),
    };
  }

  // --- control plane -------------------------------------------------------------------------

  /**
   * `cluster.network` and the nodes' `podCidr`s: a node mask host-local can allocate from (≤ /30)
   * and kube-controller-manager accepts (at most 16 bits longer than the cluster's, not shorter);
   * node CIDRs only with a network, of /30 or larger, not overlapping one another.
   */
  private checkPodCidrs(nodes: readonly NodeDef[], added: ReadonlyArray<readonly [number, NodeDef]>): void {
    const net = this.input.cluster.network;
    const withCidr: Array<{ node: NodeDef; path: Path; cidr: Cidr }> = [];
    const pathOf = (name: string): Path => [...(this.nodeOrigins.get(name)?.path.slice(0, -1) ?? ['nodes']), 'podCidr'];
    for (const node of nodes) if (node.podCidr !== undefined) withCidr.push({ node, path: pathOf(node.name), cidr: parseCidr(node.podCidr) as Cidr });
    for (const [i, node] of added) if (node.podCidr !== undefined) withCidr.push({ node, path: ['operations', i, 'addNode', 'podCidr'], cidr: parseCidr(node.podCidr) as Cidr });
    if (net === undefined) {
      for (const n of withCidr) this.report(n.path, 'a node podCidr needs the pod network: add cluster.network: {podCidr: 10.244.0.0/16} (docs/networking.md)');
      return;
    }
    const cluster = parseCidr(net.podCidr) as Cidr;
    const maskPath: Path = ['cluster', 'network', 'nodeCidrMaskSize'];
    if (net.nodeCidrMaskSize < cluster.prefix) {
      this.report(maskPath, `/${net.nodeCidrMaskSize} is larger than the cluster's pod CIDR ${net.podCidr}; give a prefix length from ${cluster.prefix} to 30`);
    } else if (net.nodeCidrMaskSize - cluster.prefix > MAX_NODE_MASK_DIFF) {
      this.report(maskPath, `/${net.nodeCidrMaskSize} cuts ${net.podCidr} into 2^${net.nodeCidrMaskSize - cluster.prefix} node blocks; kube-controller-manager allows at most ${MAX_NODE_MASK_DIFF} bits more than the cluster's /${cluster.prefix} (use ${cluster.prefix + MAX_NODE_MASK_DIFF} or less)`);
    }
    if (net.nodeCidrMaskSize > 30) this.report(maskPath, `/${net.nodeCidrMaskSize} is too small to allocate from (host-local needs /30 or larger)`);
    for (let i = 0; i < withCidr.length; i++) {
      const a = withCidr[i];
      if (a.cidr.prefix > 30) {
        this.report(a.path, `${a.node.podCidr} is too small to allocate from (host-local needs /30 or larger)`);
        continue;
      }
      for (let j = 0; j < i; j++) {
        const b = withCidr[j];
        if (overlaps(a.cidr, b.cidr)) {
          this.report(a.path, `${a.node.podCidr} of node ${JSON.stringify(a.node.name)} overlaps ${b.node.podCidr} of node ${JSON.stringify(b.node.name)} (${formatPath(b.path)})`);
          break;
        }
      }
    }
  }

  /** `cluster:`; absent (heartbeats, default knobs) unless the file says otherwise. */
  private cluster(): ClusterConfig | undefined {
    const c = this.input.cluster;
    if (!this.given(['cluster'])) return undefined;
    const g = c.gossip;
    if (g.probeTimeout >= g.probeInterval) {
      const key = this.given(['cluster', 'gossip', 'probeTimeout']) ? 'probeTimeout' : 'probeInterval';
      this.report(['cluster', 'gossip', key], `probeTimeout (${g.probeTimeout}ms) must be shorter than probeInterval (${g.probeInterval}ms)`);
    }
    if (this.given(['cluster', 'serf']) && c.membership !== 'serf')
      this.report(['cluster', 'serf'], `applies to membership: serf only (membership is ${c.membership})`);
    if (!/^[^:\s]+:\d{1,5}$/.test(c.serf.rpc)) this.report(['cluster', 'serf', 'rpc'], `must be HOST:PORT, got ${JSON.stringify(c.serf.rpc)}`);
    return {
      membership: c.membership,
      serf: { rpc: c.serf.rpc, tag: c.serf.tag },
      ...(c.network !== undefined ? { network: { podCidr: c.network.podCidr, nodeCidrMaskSize: c.network.nodeCidrMaskSize } } : {}),
      gossip: {
        probeIntervalMs: g.probeInterval,
        probeTimeoutMs: g.probeTimeout,
        indirectChecks: g.indirectChecks,
        suspicionMult: g.suspicionMult,
        suspicionMaxTimeoutMult: g.suspicionMaxTimeoutMult,
        retransmitMult: g.retransmitMult,
        gossipIntervalMs: g.gossipInterval,
        gossipNodes: g.gossipNodes,
        gossipToTheDeadMs: g.gossipToTheDead,
        pushPullIntervalMs: g.pushPullInterval,
        awarenessMaxMultiplier: g.awarenessMaxMultiplier,
        maxPiggyback: MEMBERLIST_LAN.maxPiggyback,
      },
    };
  }

  private controlPlane(): ControlPlaneConfig {
    const c = this.input.controlPlane;
    this.ordered('notReadyAfter', 'downAfter', c.notReadyAfter, c.downAfter, true);
    this.ordered('backoffInitial', 'backoffMax', c.backoffInitial, c.backoffMax, false);
    return {
      reconcileIntervalMs: c.reconcileInterval,
      reconcileMinGapMs: c.reconcileMinGap,
      resyncIntervalMs: c.resyncInterval,
      heartbeatIntervalMs: c.heartbeatInterval,
      nodeMonitorPeriodMs: c.nodeMonitorPeriod,
      notReadyAfterMs: c.notReadyAfter,
      downAfterMs: c.downAfter,
      evictionGraceMs: c.evictionGrace,
      backoffInitialMs: c.backoffInitial,
      backoffMaxMs: c.backoffMax,
      backoffResetMs: c.backoffReset,
      unschedulableRetryMs: c.unschedulableRetry,
      rpcTimeoutMs: c.rpcTimeout,
      ...(c.replicas !== undefined || c.store !== undefined ? { ha: this.ha(c.replicas ?? 1, c.store) } : {}),
    };
  }

  private ha(replicas: number, st: typeof this.input.controlPlane.store): HaConfig {
    const ttlMs = st?.ttl ?? 10_000;
    if (ttlMs % 1000 !== 0) this.report(['controlPlane', 'store', 'ttl'], `must be whole seconds (an etcd lease TTL), got ${fmt(ttlMs)}`);
    if (st?.safetyMargin !== undefined && st.safetyMargin >= ttlMs) this.report(['controlPlane', 'store', 'safetyMargin'], `must be shorter than ttl (${fmt(ttlMs)}), got ${fmt(st.safetyMargin)}`);
    if (st?.keepAlive !== undefined && st.keepAlive >= ttlMs) this.report(['controlPlane', 'store', 'keepAlive'], `must be shorter than ttl (${fmt(ttlMs)}), got ${fmt(st.keepAlive)}`);
    return {
      replicas,
      ttlMs,
      ...(st?.keepAlive !== undefined ? { keepAliveMs: st.keepAlive } : {}),
      ...(st?.safetyMargin !== undefined ? { safetyMarginMs: st.safetyMargin } : {}),
      latency: st?.latency ?? { kind: 'constant', ms: 1 },
      requestTimeoutMs: st?.requestTimeout ?? 2_000,
    };
  }

  /** `low < high` (strict) or `low ≤ high`; reported on `high` when it was given, else on `low`. */
  private ordered(lowKey: string, highKey: string, low: number, high: number, strict: boolean): void {
    if (strict ? low < high : low <= high) return;
    const relation = strict ? 'longer than' : 'at least';
    if (this.given(['controlPlane', highKey])) {
      this.report(['controlPlane', highKey], `must be ${relation} ${lowKey} (${fmt(low)}), got ${fmt(high)}`);
    } else {
      const inverse = strict ? 'shorter than' : 'at most';
      this.report(['controlPlane', lowKey], `must be ${inverse} ${highKey} (${fmt(high)}), got ${fmt(low)}`);
    }
  }
}
