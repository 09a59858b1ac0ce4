/**
 * A real daemon in this process (sim backend, ephemeral port, temporary state dir) and a client
 * that checks every response against the daemon's own /openapi.json; a leader's control plane
 * committing to the simulated consistent store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { SimKvStore } from '../../backends/sim/sim-kv.js';
import { Simulation } from '../../src/engine/simulation.js';
import { loadConfig, type ConfigFlags } from '../../src/serve/config.js';
import { startControlPlane, startDaemon, type ControlPlane, type Daemon } from '../../src/serve/daemon.js';
import { EtcdServeStore, KEYSPACE, LEADER_KEY } from '../../src/serve/etcd-serve-store.js';
import { publishForFollowers, type FollowerPublisher } from '../../src/serve/follower-publish.js';
import { Election } from '../../src/store/election.js';

export interface TestDaemon {
  readonly daemon: Daemon;
  readonly url: string;
  readonly token: string;
  readonly stateDir: string;
  /** Calls the API with the token; returns status, parsed body and headers. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers; text: string }>;
  stop(): Promise<void>;
}

export async function startTestDaemon(options: { flags?: ConfigFlags; file?: string; env?: NodeJS.ProcessEnv; stateDir?: string } = {}): Promise<TestDaemon> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'slipway-serve-'));
  const config = loadConfig({ ...(options.file ? { file: options.file } : {}), env: options.env ?? {}, flags: { listen: '127.0.0.1:0', state: stateDir, speed: '50', ...options.flags } });
  const daemon = await startDaemon(config, { log: () => {} });
  const token = daemon.token.token;
  const call: TestDaemon['call'] = async (method, path, body, headers = {}) => {
    const res = await fetch(daemon.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed, headers: res.headers, text };
  };
  return {
    daemon,
    url: daemon.url,
    token,
    stateDir,
    call,
    stop: async () => {
      await daemon.close();
      if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export { until } from '../support/processes.js';

/** Status of requests a fast path leaves alone, on `fastPathServer`. */
export const NOT_TAKEN = 599;

/**
 * A server that runs only a fast path (src/serve/api/fast-*.ts) on loopback: what it answers is its
 * answer; whatever it leaves (returns false) gets NOT_TAKEN, its body read and dropped.
 */
export async function fastPathServer(fast: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    if (fast(req, res)) return;
    req.resume();
    res.writeHead(NOT_TAKEN);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Validates responses against an OpenAPI 3.1 document; remembers which operations were checked. */
export class OpenApiChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: false });
  private readonly cache = new Map<string, ValidateFunction>();
  readonly seen = new Set<string>();

  constructor(readonly doc: any) {
    const components = JSON.parse(JSON.stringify({ components: doc.components }).replaceAll('"#/components/', '"openapi#/components/'));
    this.ajv.addSchema({ $id: 'openapi', ...components });
  }

  /** Every `METHOD path` the document declares. */
  operations(): string[] {
    const out: string[] = [];
    for (const [p, item] of Object.entries<any>(this.doc.paths)) for (const m of Object.keys(item)) out.push(`${m.toUpperCase()} ${p}`);
    return out.sort();
  }

  /** Throws unless the document declares this status for the operation and the body matches its schema. */
  check(method: string, template: string, res: { status: number; body: unknown; headers: Headers }): void {
    const op = this.doc.paths[template]?.[method.toLowerCase()];
    if (!op) throw new Error(`${method} ${template} is not in the OpenAPI document`);
    const r = op.responses[String(res.status)];
    if (!r) throw new Error(`${method} ${template}: status ${res.status} is not documented (${Object.keys(op.responses).join(', ')}): ${JSON.stringify(res.body)}`);
    this.seen.add(`${method.toUpperCase()} ${template}`);
    const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
    const content = r.content?.[type];
    if (!content) throw new Error(`${method} ${template} ${res.status}: content type ${type} is not documented (${Object.keys(r.content ?? {}).join(', ')})`);
    if (type !== 'application/json' && type !== 'application/problem+json') return;
    const key = `${method} ${template} ${res.status} ${type}`;
    let v = this.cache.get(key);
    if (!v) {
      const schema = JSON.parse(JSON.stringify(content.schema).replaceAll('"#/components/', '"openapi#/components/'));
      v = this.ajv.compile(schema);
      this.cache.set(key, v);
    }
    if (!v(res.body)) throw new Error(`${method} ${template} ${res.status}: body does not match the schema: ${this.ajv.errorsText(v.errors)}\n${JSON.stringify(res.body).slice(0, 500)}`);
  }
}

export interface SimKvLeader {
  readonly kv: SimKvStore;
  readonly store: EtcdServeStore;
  readonly cp: ControlPlane;
  /** Stops publishing, the store, the control plane, the election and the store's clock. */
  stop(): Promise<void>;
}

/**
 * A leader's control plane (sim backend, ×20) committing through an EtcdServeStore to a simulated
 * consistent store (backends/sim/sim-kv.ts, 1 ms per request, its virtual clock pumped in the
 * background) and publishing for followers' reads (retaining `retained` events, node status every
 * 200 ms), as a replica on etcd does.
 */
export async function startSimKvLeader(o: { token: string; whatIfDir: string; retained: number; seed: number; fullCheckMs?: number }): Promise<SimKvLeader> {
  const sim = new Simulation(o.seed);
  const kv = new SimKvStore(sim, { latency: { kind: 'constant', ms: 1 } });
  let pumping = true;
  const pump = (async () => {
    while (pumping) {
      sim.at(sim.now() + 5, () => {});
      await sim.run({ until: sim.now() + 5, guard: false });
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  const leaderKv = kv.client('leader');
  const election = new Election({ kv: leaderKv, clock: sim }, { key: LEADER_KEY, candidate: 'http://leader', ttlSeconds: 600 });
  const term = (await election.campaign())!;
  const snap = await leaderKv.range(KEYSPACE);
  const store = new EtcdServeStore({ kv: leaderKv, term, entries: snap.entries, revision: snap.revision, onFenced: () => {}, ...(o.fullCheckMs !== undefined ? { fullCheckMs: o.fullCheckMs } : {}) });
  const config = loadConfig({ env: {}, flags: { listen: '127.0.0.1:0', state: 'etcd://127.0.0.1:1', token: o.token, speed: '20' } });
  const cp = await startControlPlane(config, store, { log: () => {}, token: o.token, address: () => 'leader', selfUrl: () => 'http://leader', persistRecords: true, whatIfDir: o.whatIfDir });
  const publisher: FollowerPublisher = publishForFollowers({ control: cp.control, store, retained: o.retained, statusEveryMs: 200 });
  store.markDirty();
  return {
    kv,
    store,
    cp,
    stop: async () => {
      publisher.close();
      store.close();
      await cp.stop();
      election.stop();
      pumping = false;
      await pump;
    },
  };
}
