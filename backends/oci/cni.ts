/**
 * A CNI runtime (the caller side of the Container Network Interface, spec 1.0.0), enough for
 * Slipway's OCI backend: it runs plugin binaries as the spec says and chains a network
 * configuration list the way libcni does.
 *
 * One plugin call: the binary `<cniPath>/<type>` is spawned (an argument-less exec, no shell) with
 *   CNI_COMMAND=ADD|DEL|CHECK  CNI_CONTAINERID  CNI_NETNS (a path, may be empty for DEL)
 *   CNI_IFNAME  CNI_PATH
 * and the plugin's network configuration as JSON on stdin; it answers with a result JSON on stdout
 * (exit 0) or an error JSON `{cniVersion, code, msg, details?}` (non-zero exit).
 *
 * A list (`{cniVersion, name, plugins: [...]}`):
 *   ADD   each plugin in order, `name` and `cniVersion` injected, `prevResult` = the previous
 *         plugin's result (none for the first); the last result is the list's result and is cached
 *   CHECK each plugin in order with `prevResult` = the cached ADD result
 *   DEL   each plugin in REVERSE order with `prevResult` = the cached ADD result (when there is
 *         one); the cache entry is removed after
 * The cache entry also keeps the capability arguments of the ADD, which CHECK and DEL pass again
 * (as libcni does: portmap's DEL finds its rules from them).
 * `runtimeConfig` carries capability arguments (`portMappings`) to plugins whose `capabilities`
 * enable them, and to no other.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One plugin's configuration inside a list (the fields Slipway reads; the rest passes through). */
export interface CniPluginConf {
  readonly type: string;
  readonly capabilities?: Readonly<Record<string, boolean>>;
  readonly [key: string]: unknown;
}

export interface CniConfList {
  readonly cniVersion: string;
  readonly name: string;
  readonly plugins: readonly CniPluginConf[];
}

/** What the caller knows about one attachment (the spec's "runtime configuration"). */
export interface CniRuntimeConf {
  readonly containerId: string;
  /** The network namespace path; '' when it is gone (DEL only). */
  readonly netns: string;
  readonly ifName: string;
  /** Capability arguments (e.g. `portMappings`), passed only to plugins that declare them. */
  readonly capabilityArgs?: Readonly<Record<string, unknown>>;
}

/** The part of a CNI 1.0 result Slipway reads. */
export interface CniResult {
  readonly cniVersion?: string;
  readonly interfaces?: ReadonlyArray<{ readonly name: string; readonly mac?: string; readonly sandbox?: string }>;
  readonly ips?: ReadonlyArray<{ readonly address: string; readonly gateway?: string; readonly interface?: number }>;
  readonly [key: string]: unknown;
}

/** A plugin answered with an error (or could not be run): `msg` is the plugin's own message. */
export class CniError extends Error {
  constructor(
    readonly plugin: string,
    readonly command: string,
    readonly code: number,
    readonly msg: string,
    readonly details?: string,
  ) {
    super(`CNI ${plugin} ${command} failed: ${msg}${details ? ` (${details})` : ''}`);
    this.name = 'CniError';
  }
}

/** A cached attachment (the fields of libcni's cachedInfo that Slipway needs). */
interface CacheEntry {
  readonly kind: typeof CACHE_KIND;
  readonly containerId: string;
  readonly ifName: string;
  readonly networkName: string;
  readonly netns: string;
  readonly capabilityArgs?: Readonly<Record<string, unknown>>;
  readonly result: CniResult;
}
const CACHE_KIND = 'cniCacheV1';
/** Suffix of a cache entry being written (renamed into place when complete). */
export const CACHE_TMP = '.tmp';

/** A cache entry's file name in `<cacheDir>/results` (libcni's `<network>-<container>-<ifname>`). */
export function cacheName(network: string, containerId: string, ifName: string): string {
  return `${network}-${containerId}-${ifName}`;
}

/** The container id in a cache entry's file name (`.tmp` already cut) of `network` and `ifName`, or undefined when it is another's. */
export function cacheOwner(name: string, network: string, ifName: string): string | undefined {
  const head = `${network}-`;
  const tail = `-${ifName}`;
  return name.startsWith(head) && name.endsWith(tail) && name.length > head.length + tail.length ? name.slice(head.length, -tail.length) : undefined;
}

export interface CniOptions {
  /** Directories searched for plugin binaries, in order (CNI_PATH). */
  readonly path: readonly string[];
  /** Where ADD results are cached (`<cacheDir>/results/<network>-<container>-<ifname>`). */
  readonly cacheDir: string;
  /** Bound on each plugin run. Default 20 s. */
  readonly timeoutMs?: number;
}

/** Runs CNI plugins and network configuration lists. */
export class Cni {
  private readonly timeout: number;
  constructor(private readonly opts: CniOptions) {
    this.timeout = opts.timeoutMs ?? 20_000;
  }

  /** The binary for a plugin type, or undefined when no CNI_PATH directory has it. */
  findPlugin(type: string): string | undefined {
    for (const dir of this.opts.path) {
      const file = join(dir, type);
      if (existsSync(file)) return file;
    }
    return undefined;
  }

  /** ADD through the list; resolves with the last plugin's result (cached for CHECK and DEL). */
  async add(list: CniConfList, rt: CniRuntimeConf): Promise<CniResult> {
    let prev: CniResult | undefined;
    for (const plugin of list.plugins) prev = await this.run('ADD', list, plugin, prev, rt);
    const result = prev ?? {};
    this.writeCache(list.name, rt, result);
    return result;
  }

  /** CHECK through the list against the cached ADD result; rejects with the first plugin's error. */
  async check(list: CniConfList, rt: CniRuntimeConf): Promise<void> {
    const entry = this.entry(list.name, rt);
    if (entry === undefined) throw new CniError(list.name, 'CHECK', 0, `no cached ADD result for ${rt.containerId}/${rt.ifName}`);
    const withArgs = { ...rt, capabilityArgs: rt.capabilityArgs ?? entry.capabilityArgs };
    for (const plugin of list.plugins) await this.run('CHECK', list, plugin, entry.result, withArgs);
  }

  /** DEL through the list in reverse order. Idempotent: deleting what is not there succeeds. */
  async del(list: CniConfList, rt: CniRuntimeConf): Promise<void> {
    const entry = this.entry(list.name, rt);
    const withArgs = { ...rt, capabilityArgs: rt.capabilityArgs ?? entry?.capabilityArgs };
    for (let k = list.plugins.length - 1; k >= 0; k--) await this.run('DEL', list, list.plugins[k], entry?.result, withArgs);
    const file = this.cacheFile(list.name, rt);
    rmSync(file, { force: true });
    // a process killed inside writeCache leaves its half-made `.tmp`: it goes with the attachment
    rmSync(`${file}${CACHE_TMP}`, { force: true });
  }

  /** The cached ADD result of an attachment, if any. */
  cached(network: string, rt: Pick<CniRuntimeConf, 'containerId' | 'ifName'>): CniResult | undefined {
    return this.entry(network, rt)?.result;
  }

  private entry(network: string, rt: Pick<CniRuntimeConf, 'containerId' | 'ifName'>): CacheEntry | undefined {
    try {
      const e = JSON.parse(readFileSync(this.cacheFile(network, rt), 'utf8')) as CacheEntry;
      return e.kind === CACHE_KIND ? e : undefined;
    } catch {
      return undefined;
    }
  }

  private cacheFile(network: string, rt: Pick<CniRuntimeConf, 'containerId' | 'ifName'>): string {
    return join(this.opts.cacheDir, 'results', cacheName(network, rt.containerId, rt.ifName));
  }

  private writeCache(network: string, rt: CniRuntimeConf, result: CniResult): void {
    const file = this.cacheFile(network, rt);
    mkdirSync(join(this.opts.cacheDir, 'results'), { recursive: true });
    const entry: CacheEntry = {
      kind: CACHE_KIND,
      containerId: rt.containerId,
      ifName: rt.ifName,
      networkName: network,
      netns: rt.netns,
      ...(rt.capabilityArgs !== undefined ? { capabilityArgs: rt.capabilityArgs } : {}),
      result,
    };
    writeFileSync(`${file}${CACHE_TMP}`, JSON.stringify(entry));
    renameSync(`${file}${CACHE_TMP}`, file);
  }

  /** Builds one plugin's stdin (libcni's buildOneConfig) and runs it. */
  private run(command: 'ADD' | 'DEL' | 'CHECK', list: CniConfList, plugin: CniPluginConf, prev: CniResult | undefined, rt: CniRuntimeConf): Promise<CniResult> {
    const conf: Record<string, unknown> = { ...plugin, name: list.name, cniVersion: list.cniVersion };
    if (prev !== undefined) conf.prevResult = prev;
    const runtimeConfig: Record<string, unknown> = {};
    for (const [cap, on] of Object.entries(plugin.capabilities ?? {}))
      if (on && rt.capabilityArgs?.[cap] !== undefined) runtimeConfig[cap] = rt.capabilityArgs[cap];
    if (Object.keys(runtimeConfig).length > 0) conf.runtimeConfig = runtimeConfig;
    return this.exec(plugin.type, command, conf, rt);
  }

  /** Runs one plugin binary with the CNI environment; parses the result or the error JSON. */
  exec(type: string, command: 'ADD' | 'DEL' | 'CHECK', conf: Record<string, unknown>, rt: CniRuntimeConf): Promise<CniResult> {
    const binary = this.findPlugin(type);
    if (binary === undefined) return Promise.reject(new CniError(type, command, 0, `plugin ${type} not found in CNI_PATH ${this.opts.path.join(':')}`));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      CNI_COMMAND: command,
      CNI_CONTAINERID: rt.containerId,
      CNI_NETNS: rt.netns,
      CNI_IFNAME: rt.ifName,
      CNI_PATH: this.opts.path.join(':'),
    };
    return new Promise((resolve, reject) => {
      const child = spawn(binary, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), this.timeout);
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new CniError(type, command, 0, e.message));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) {
          if (out.trim() === '') return resolve({});
          try {
            return resolve(JSON.parse(out) as CniResult);
          } catch {
            return reject(new CniError(type, command, 0, `unreadable result: ${out.trim().slice(0, 200)}`));
          }
        }
        let parsed: { code?: number; msg?: string; details?: string } = {};
        try {
          parsed = JSON.parse(out) as typeof parsed;
        } catch {
          // not the error JSON: use stderr
        }
        const msg = parsed.msg ?? (signal !== null ? `killed by ${signal} after ${this.timeout} ms` : (err.trim().split('\n').pop() ?? `exited with ${code}`));
        reject(new CniError(type, command, parsed.code ?? code ?? 0, msg, parsed.details));
      });
      child.stdin.on('error', () => undefined); // a plugin may exit before reading stdin
      child.stdin.end(JSON.stringify(conf));
    });
  }
}

/** The first IPv4 address of a result, without its prefix length. */
export function resultIp(result: CniResult): string | undefined {
  for (const ip of result.ips ?? []) {
    const addr = ip.address.split('/')[0];
    if (/^\d+\.\d+\.\d+\.\d+$/.test(addr)) return addr;
  }
  return undefined;
}
