/**
 * The daemon's (and the CLI client's) configuration: one YAML file + `SLIPWAY_*` environment
 * variables + command-line flags, with the precedence flags > env > file > defaults. Every key is
 * declared once in `KEYS` (its zod schema, default, environment variable and flag); the effective
 * configuration remembers where each value came from (`slipway config print`).
 *
 * Errors are bad input (InputError, exit 2), one line each:
 *   `FILE:LINE:COL: key: message` for the file, `SLIPWAY_X: message` for the environment,
 *   `--flag: message` for flags.
 * The cluster keys (`nodes`, `controlPlane`, `scheduler`) use the scenario format and are checked
 * by the scenario loader (see cluster-spec.ts), placed in the config file the same way.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { unreadable } from '../core/read-failure.js';
import { parseYamlDocument } from '../scenario/yaml-errors.js';
import { didYouMean, describeValue, isMapping, type PathSegment } from '../scenario/schema.js';

export const DEFAULT_LISTEN = '127.0.0.1:7420';
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const SERVE_BACKENDS = ['sim', 'docker', 'oci'] as const;
export type ServeBackend = (typeof SERVE_BACKENDS)[number];

const hostPort = z.string().refine((s) => parseListen(s) !== undefined, { message: 'expected HOST:PORT, e.g. 127.0.0.1:7420 or [::1]:7420 (port 0 = any free port)' });

/** One configuration key: how it is validated, its default, and where else it may come from. */
interface KeyDef {
  readonly schema: z.ZodType;
  readonly default?: unknown;
  readonly env?: string;
  readonly flag?: string;
  /** One line for `config print` and the docs. */
  readonly doc: string;
  /** Environment values are strings: how to turn one into the key's type. */
  readonly fromEnv?: (s: string) => unknown;
}

const num = (s: string): unknown => (s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : s);

/** The scalar keys. `nodes`, `controlPlane` and `scheduler` (scenario format) are file-only, in CLUSTER_KEYS. */
export const KEYS = {
  listen: { schema: hostPort, default: DEFAULT_LISTEN, env: 'SLIPWAY_LISTEN', flag: '--listen', doc: 'HOST:PORT the daemon listens on (loopback by default; port 0 picks a free port)' },
  state: { schema: z.string().min(1), default: '.slipway', env: 'SLIPWAY_STATE', flag: '--state', doc: 'state directory (state.json and the generated token), or etcd://HOST:PORT[,HOST:PORT...] (etcds:// for TLS): run as one of several replicas on etcd' },
  leaseTtl: { schema: z.number().int().min(1).max(3600), default: 10, env: 'SLIPWAY_LEASE_TTL', flag: '--lease-ttl', fromEnv: num, doc: 'replicas on etcd: the leader lease TTL in seconds (a dead leader is replaced within about this)' },
  backend: { schema: z.enum(SERVE_BACKENDS), default: 'sim', env: 'SLIPWAY_BACKEND', flag: '--backend', doc: 'sim (virtual nodes on the wall clock), docker or oci (the nodes\' endpoints)' },
  speed: { schema: z.number().positive().max(10_000), default: 1, env: 'SLIPWAY_SPEED', flag: '--speed', fromEnv: num, doc: 'sim: virtual time runs this many times faster than real time' },
  seed: { schema: z.number().int().min(0), default: 1, env: 'SLIPWAY_SEED', flag: '--seed', fromEnv: num, doc: 'sim: seed of the simulated cluster\'s latencies and ids' },
  token: { schema: z.string().min(16, { message: 'must be at least 16 characters' }).optional(), env: 'SLIPWAY_TOKEN', flag: '--token', doc: 'bearer token clients must send (default: generated into STATE/token on first start)' },
  'tls.cert': { schema: z.string().min(1).optional(), env: 'SLIPWAY_TLS_CERT', flag: '--tls-cert', doc: 'PEM certificate file: serve HTTPS (with tls.key)' },
  'tls.key': { schema: z.string().min(1).optional(), env: 'SLIPWAY_TLS_KEY', flag: '--tls-key', doc: 'PEM private key file (with tls.cert)' },
  'etcd.ca': { schema: z.string().min(1).optional(), env: 'SLIPWAY_ETCD_CA', flag: '--etcd-ca', doc: 'replicas on etcds://: PEM file of the CA that signed etcd\'s certificates (default: the system\'s CAs)' },
  'etcd.cert': { schema: z.string().min(1).optional(), env: 'SLIPWAY_ETCD_CERT', flag: '--etcd-cert', doc: 'replicas on etcds://: PEM client certificate file for etcd\'s --client-cert-auth (with etcd.key)' },
  'etcd.key': { schema: z.string().min(1).optional(), env: 'SLIPWAY_ETCD_KEY', flag: '--etcd-key', doc: 'replicas on etcds://: PEM private key file of etcd.cert' },
  bodyLimit: { schema: z.number().int().min(1024).max(64 * 1024 * 1024), default: DEFAULT_BODY_LIMIT, env: 'SLIPWAY_BODY_LIMIT', fromEnv: num, doc: 'largest request body in bytes (larger: 413)' },
  eventsRetained: { schema: z.number().int().min(100).max(10_000_000), default: 100_000, env: 'SLIPWAY_EVENTS_RETAINED', fromEnv: num, doc: 'events kept for /v1/events and watches (older: 410 Gone)' },
  identity: { schema: z.string().trim().min(1, { message: 'expected a name of 1 to 200 characters' }).max(200, { message: 'expected a name of 1 to 200 characters' }), default: 'slipway-serve', env: 'SLIPWAY_IDENTITY', flag: '--identity', doc: "docker/oci: the cluster's identity on shared engines (its containers' slipway.cluster label and the engine lock): daemons of different identities share engines without touching each other's containers" },
  server: { schema: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(), env: 'SLIPWAY_SERVER', flag: '--server', doc: 'CLI client: the daemon\'s URL (default: http://LISTEN)' },
} as const satisfies Record<string, KeyDef>;

export type ScalarKey = keyof typeof KEYS;
export const CLUSTER_KEYS = ['nodes', 'controlPlane', 'scheduler', 'cluster'] as const;
const CLUSTER_DOCS: Record<(typeof CLUSTER_KEYS)[number], string> = {
  nodes: 'the cluster\'s nodes in the scenario format (sim: capacities; docker/oci: endpoints); default 4 simulated nodes',
  controlPlane: 'control-plane timings in the scenario format (heartbeats, back-off, resync, ...)',
  scheduler: 'scheduler or profile name, or a profile mapping (scenario format); default "default"',
  cluster: 'the scenario format\'s cluster block: network: {podCidr, nodeCidrMaskSize} gives instances addresses (docs/networking.md), membership',
};

export type Source = { readonly kind: 'default' } | { readonly kind: 'file'; readonly where: string } | { readonly kind: 'env'; readonly name: string } | { readonly kind: 'flag'; readonly name: string };

export interface ServeConfig {
  readonly listen: string;
  readonly state: string;
  readonly leaseTtl: number;
  readonly backend: ServeBackend;
  readonly speed: number;
  readonly seed: number;
  readonly token?: string;
  readonly tls?: { readonly cert: string; readonly key: string };
  /** `etcds://`: TLS to etcd — the CA file (absent: the system's CAs) and the client certificate and key files. */
  readonly etcdTls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  readonly bodyLimit: number;
  readonly eventsRetained: number;
  /** docker/oci: the cluster identity on the engines (labels, engine lock). */
  readonly identity: string;
  readonly server?: string;
  /** The cluster keys as given in the file (raw; checked by cluster-spec.ts), and where the file is. */
  readonly cluster: { readonly raw: Record<string, unknown>; readonly file?: string; readonly where?: (path: readonly PathSegment[]) => string };
  /** Where each scalar key's value came from. */
  readonly sources: Readonly<Record<string, Source>>;
}

/** Flag values as commander gives them (strings; numbers parsed here). */
export type ConfigFlags = Partial<Record<'listen' | 'state' | 'leaseTtl' | 'backend' | 'speed' | 'seed' | 'token' | 'tlsCert' | 'tlsKey' | 'etcdCa' | 'etcdCert' | 'etcdKey' | 'server' | 'identity', string>>;

const FLAG_PROPS: Readonly<Record<string, keyof ConfigFlags>> = {
  listen: 'listen',
  state: 'state',
  leaseTtl: 'leaseTtl',
  backend: 'backend',
  speed: 'speed',
  seed: 'seed',
  token: 'token',
  'tls.cert': 'tlsCert',
  'tls.key': 'tlsKey',
  'etcd.ca': 'etcdCa',
  'etcd.cert': 'etcdCert',
  'etcd.key': 'etcdKey',
  server: 'server',
  identity: 'identity',
};

/** `HOST:PORT` → parts; `[::1]:7420` for IPv6. Undefined when malformed. */
export function parseListen(s: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(s);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? m[2], port };
}

/**
 * `etcd://HOST:PORT[,HOST:PORT...]` (or `etcds://`, TLS) → the endpoints; undefined when `state` is
 * not an etcd URL. Throws InputError for an etcd URL that is malformed.
 */
export function parseEtcdState(state: string): string[] | undefined {
  const scheme = etcdScheme(state);
  if (scheme === undefined) return undefined;
  const list = state.slice(`${scheme}://`.length).replace(/\/+$/, '');
  const endpoints = list.split(',');
  for (const e of endpoints) {
    if (parseListen(e) === undefined || parseListen(e)!.port === 0) throw new InputError(`--state ${state}: expected ${scheme}://HOST:PORT[,HOST:PORT...], and ${JSON.stringify(e)} is not a HOST:PORT with a port`);
  }
  return endpoints;
}

/** `etcd` (plain gRPC), `etcds` (TLS) or undefined (a state directory). */
export function etcdScheme(state: string): 'etcd' | 'etcds' | undefined {
  return state.startsWith('etcd://') ? 'etcd' : state.startsWith('etcds://') ? 'etcds' : undefined;
}

/** True for 127.0.0.0/8, ::1 and localhost: addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function issueText(e: z.ZodError): { path: PathSegment[]; message: string } {
  const iss = e.issues[0];
  let message = iss.message;
  if (iss.code === 'invalid_value' && 'values' in iss) message = `expected one of ${(iss.values as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (iss.code === 'invalid_type') message = `expected ${iss.expected}`;
  return { path: iss.path as PathSegment[], message };
}

function check(key: ScalarKey, value: unknown, at: (message: string) => string): unknown {
  const r = KEYS[key].schema.safeParse(value);
  if (r.success) return r.data;
  const { message } = issueText(r.error);
  const iss = r.error.issues[0];
  const hint = iss.code === 'invalid_value' && 'values' in iss && typeof value === 'string' ? didYouMean(value, (iss.values as unknown[]).map(String)) : '';
  throw new InputError(at(`${message}, got ${describeValue(value)}${hint}`));
}

/** Reads a key out of the nested file mapping (`tls.cert` → raw.tls.cert). */
function fileValue(raw: Record<string, unknown>, key: string): unknown {
  let v: unknown = raw;
  for (const seg of key.split('.')) v = isMapping(v) ? v[seg] : undefined;
  return v;
}

export interface LoadConfigOptions {
  /** The config file (`--config`), else `SLIPWAY_CONFIG`, else none. */
  readonly file?: string;
  readonly flags?: ConfigFlags;
  readonly env?: NodeJS.ProcessEnv;
}

/** Loads, validates and merges the configuration. Throws InputError (one line) on bad input. */
export function loadConfig(options: LoadConfigOptions = {}): ServeConfig {
  const env = options.env ?? process.env;
  const flags = options.flags ?? {};
  const file = options.file ?? (env.SLIPWAY_CONFIG || undefined);
  let raw: Record<string, unknown> = {};
  let where: ((path: readonly PathSegment[], at?: 'key' | 'value') => string) | undefined;
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw unreadable(file, e);
    }
    const doc = parseYamlDocument(text, file);
    where = doc.where;
    if (doc.raw === null || doc.raw === undefined) raw = {};
    else if (!isMapping(doc.raw)) throw new InputError(`${where([])}: expected a mapping of configuration keys, got ${describeValue(doc.raw)}`);
    else raw = doc.raw;
    const known = new Set<string>([...Object.keys(KEYS).map((k) => k.split('.')[0]), ...CLUSTER_KEYS]);
    for (const k of Object.keys(raw)) {
      if (!known.has(k)) throw new InputError(`${where([k], 'key')}: ${k}: unknown key${didYouMean(k, [...known])} (keys: ${[...known].sort().join(', ')})`);
    }
    if (raw.tls !== undefined) {
      if (!isMapping(raw.tls)) throw new InputError(`${where(['tls'])}: tls: expected a mapping with cert and key, got ${describeValue(raw.tls)}`);
      for (const k of Object.keys(raw.tls)) {
        if (k !== 'cert' && k !== 'key') throw new InputError(`${where(['tls', k], 'key')}: tls.${k}: unknown key${didYouMean(k, ['cert', 'key'])} (keys: cert, key)`);
      }
    }
    if (raw.etcd !== undefined) {
      const keys = ['ca', 'cert', 'key'];
      if (!isMapping(raw.etcd)) throw new InputError(`${where(['etcd'])}: etcd: expected a mapping with ca, cert and key, got ${describeValue(raw.etcd)}`);
      for (const k of Object.keys(raw.etcd)) {
        if (!keys.includes(k)) throw new InputError(`${where(['etcd', k], 'key')}: etcd.${k}: unknown key${didYouMean(k, keys)} (keys: ca, cert, key)`);
      }
    }
  }

  const values: Record<string, unknown> = {};
  const sources: Record<string, Source> = {};
  for (const key of Object.keys(KEYS) as ScalarKey[]) {
    const def: KeyDef = KEYS[key];
    const flagProp = FLAG_PROPS[key];
    const flagValue = flagProp !== undefined ? flags[flagProp] : undefined;
    const envValue = def.env !== undefined ? env[def.env] : undefined;
    const fv = fileValue(raw, key);
    if (flagValue !== undefined) {
      const v = def.fromEnv ? def.fromEnv(flagValue) : flagValue;
      values[key] = check(key, v, (m) => `${def.flag}: ${m}`);
      sources[key] = { kind: 'flag', name: def.flag! };
    } else if (envValue !== undefined && envValue !== '') {
      const v = def.fromEnv ? def.fromEnv(envValue) : envValue;
      values[key] = check(key, v, (m) => `${def.env}: ${m}`);
      sources[key] = { kind: 'env', name: def.env! };
    } else if (fv !== undefined) {
      const path = key.split('.');
      values[key] = check(key, fv, (m) => `${where!(path)}: ${key}: ${m}`);
      sources[key] = { kind: 'file', where: where!(path) };
    } else {
      values[key] = def.default;
      sources[key] = { kind: 'default' };
    }
  }
  const cert = values['tls.cert'] as string | undefined;
  const key = values['tls.key'] as string | undefined;
  if ((cert === undefined) !== (key === undefined)) {
    const given = cert !== undefined ? 'tls.cert' : 'tls.key';
    const missing = cert !== undefined ? 'tls.key' : 'tls.cert';
    throw new InputError(`${describeSource(sources[given])}: ${given} needs ${missing} too (HTTPS needs a certificate and its key)`);
  }
  const etcdCa = values['etcd.ca'] as string | undefined;
  const etcdCert = values['etcd.cert'] as string | undefined;
  const etcdKey = values['etcd.key'] as string | undefined;
  if ((etcdCert === undefined) !== (etcdKey === undefined)) {
    const given = etcdCert !== undefined ? 'etcd.cert' : 'etcd.key';
    const missing = etcdCert !== undefined ? 'etcd.key' : 'etcd.cert';
    throw new InputError(`${describeSource(sources[given])}: ${given} needs ${missing} too (a client certificate needs its key)`);
  }
  const scheme = etcdScheme(values.state as string);
  const etcdGiven = (['etcd.ca', 'etcd.cert', 'etcd.key'] as const).find((k) => values[k] !== undefined);
  if (etcdGiven !== undefined && scheme !== 'etcds') {
    throw new InputError(`${describeSource(sources[etcdGiven])}: ${etcdGiven} is for TLS to etcd: give the state as etcds://HOST:PORT[,...] (got ${scheme === 'etcd' ? values.state as string : 'a state directory'})`);
  }
  const cluster: Record<string, unknown> = {};
  for (const k of CLUSTER_KEYS) if (raw[k] !== undefined) cluster[k] = raw[k];
  return {
    listen: values.listen as string,
    state: values.state as string,
    leaseTtl: values.leaseTtl as number,
    backend: values.backend as ServeBackend,
    speed: values.speed as number,
    seed: values.seed as number,
    ...(values.token !== undefined ? { token: values.token as string } : {}),
    ...(cert !== undefined && key !== undefined ? { tls: { cert, key } } : {}),
    ...(scheme === 'etcds' ? { etcdTls: { ...(etcdCa !== undefined ? { ca: etcdCa } : {}), ...(etcdCert !== undefined && etcdKey !== undefined ? { cert: etcdCert, key: etcdKey } : {}) } } : {}),
    bodyLimit: values.bodyLimit as number,
    eventsRetained: values.eventsRetained as number,
    identity: values.identity as string,
    ...(values.server !== undefined ? { server: values.server as string } : {}),
    cluster: { raw: cluster, ...(file !== undefined ? { file } : {}), ...(where ? { where } : {}) },
    sources,
  };
}

/** `file slipway.yaml:3:9`, `env SLIPWAY_LISTEN`, `flag --listen`, `default`. */
export function describeSource(s: Source): string {
  switch (s.kind) {
    case 'default':
      return 'default';
    case 'file':
      return s.where;
    case 'env':
      return s.name;
    case 'flag':
      return s.name;
  }
}

/** The effective configuration as `config print` shows it: key, value, source, one per line (the token masked). */
export function formatConfig(c: ServeConfig): string {
  const rows: Array<[string, string, string]> = [];
  for (const key of Object.keys(KEYS) as ScalarKey[]) {
    const nested: Record<string, string | undefined> = { 'tls.cert': c.tls?.cert, 'tls.key': c.tls?.key, 'etcd.ca': c.etcdTls?.ca, 'etcd.cert': c.etcdTls?.cert, 'etcd.key': c.etcdTls?.key };
    const v = key in nested ? nested[key] : (c as unknown as Record<string, unknown>)[key];
    const shown = v === undefined ? '(unset)' : key === 'token' ? '(set, hidden)' : String(v);
    const s = c.sources[key];
    rows.push([key, shown, s.kind === 'file' ? `file ${s.where}` : s.kind === 'default' ? 'default' : `${s.kind} ${s.name}`]);
  }
  for (const k of CLUSTER_KEYS) {
    const given = c.cluster.raw[k] !== undefined;
    const shown = !given ? '(default)' : k === 'nodes' && Array.isArray(c.cluster.raw[k]) ? `${(c.cluster.raw[k] as unknown[]).length} entries` : k === 'scheduler' && typeof c.cluster.raw[k] === 'string' ? String(c.cluster.raw[k]) : '(mapping)';
    rows.push([k, shown, given && c.cluster.where ? `file ${c.cluster.where([k])}` : 'default']);
  }
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return ['KEY'.padEnd(w0) + '  ' + 'VALUE'.padEnd(w1) + '  SOURCE', ...rows.map((r) => `${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`)].join('\n') + '\n';
}

/** Every key with its environment variable, flag, default and meaning (docs and `config print --keys`). */
export function configKeyDocs(): Array<{ key: string; env?: string; flag?: string; default?: string; doc: string }> {
  return [
    ...(Object.entries(KEYS) as Array<[string, KeyDef]>).map(([key, d]) => ({
      key,
      ...(d.env ? { env: d.env } : {}),
      ...(d.flag ? { flag: d.flag } : {}),
      ...(d.default !== undefined ? { default: String(d.default) } : {}),
      doc: d.doc,
    })),
    ...CLUSTER_KEYS.map((key) => ({ key, doc: CLUSTER_DOCS[key] })),
  ];
}
