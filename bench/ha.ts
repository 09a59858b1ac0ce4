/**
 * `npm run bench -- ha`: the highly available control plane on a real etcd (docs/ha.md).
 *
 * Starts its own 3-member etcd (scripts/start-etcd.sh on --etcd-port, a temporary data dir,
 * stopped at the end) and `slipway serve` processes on the sim backend (nothing else installed):
 * 1. applies per second and their p50/p99: A workload creations (R replicas each, default 1; C in
 *    flight) against one daemon on the file store, then against one replica on etcd (it leads
 *    alone) — every apply answered only once durable (fsync'd file / fenced etcd transaction); the
 *    etcd leader also keeps each instance in etcd (followers' reads), so R × A instance keys;
 * 2. failover, K times: three replicas; kill -9 the leader; the time until another replica's
 *    /readyz says it leads and is ready (its control plane started: keyspace read, adoption done,
 *    first reconcile queued), polled every 20 ms;
 * 3. etcd member kills, M times: three replicas; kill -9 the member that is etcd's raft leader and at
 *    once apply a workload through the Slipway leader; whether that leader stepped down (it should
 *    ride through etcd's election: docs/ha.md, "one etcd member of three down"), the apply's answer
 *    and time; then the member is restarted and rejoins.
 * Every loop is bounded by its count; the whole run by --timeout.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { raftLeader } from '../test/support/etcd-status.js';

export interface HaBenchOptions {
  readonly applies: number;
  readonly concurrency: number;
  /** Replicas per workload. */
  readonly replicas: number;
  readonly failovers: number;
  readonly memberKills: number;
  readonly ttl: number;
  readonly etcdPort: number;
  readonly timeoutS: number;
}

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'bin', 'slipway.js');
const TOKEN = 'bench-token-0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Replica {
  readonly child: ChildProcess;
  readonly url: string;
  /** "stepped down" lines in its log so far. */
  readonly stepDowns: () => number;
}

function start(config: string): Promise<Replica> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let downs = 0;
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (b: Buffer) => {
      const text = b.toString();
      downs += text.split('stepped down').length - 1;
      if (err.length < 100_000) err += text;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve({ child, url: m[1], stepDowns: () => downs });
    });
    child.once('exit', (code) => reject(new Error(`slipway serve exited ${code}: ${err}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function readyz(url: string): Promise<{ role?: string; ready?: boolean; leader?: string }> {
  try {
    const res = await fetch(url + '/readyz', { headers: { authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(2000) });
    return (await res.json()) as { role?: string; ready?: boolean; leader?: string };
  } catch {
    return {};
  }
}

/**
 * Applies per second over the whole loop. A 503 while no leader is elected (a replica on a loaded
 * machine can miss its lease and step down for a moment) is retried after 100 ms, at most 50 times
 * per apply, and counted: the time spent waiting stays in the figure.
 */
async function applies(url: string, o: HaBenchOptions, tag: string, deadline: number): Promise<{ rate: number; retries: number; p50: number; p99: number }> {
  let next = 0;
  let retries = 0;
  const took: number[] = [];
  const t0 = performance.now();
  const worker = async () => {
    while (next < o.applies && Date.now() < deadline) {
      const i = next++;
      const sent = performance.now();
      for (let attempt = 0; ; attempt++) {
        const res = await fetch(url + '/v1/workloads', {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ spec: { name: `${tag}-${i}`, replicas: o.replicas, containers: [{ name: 'c', image: 'busybox', requests: { cpu: '10m', memory: '8Mi' } }] } }),
        });
        if (res.status === 201) {
          await res.body?.cancel();
          took.push(performance.now() - sent);
          break;
        }
        const text = await res.text();
        if (res.status !== 503 || attempt >= 50 || Date.now() >= deadline) throw new Error(`apply ${tag}-${i}: HTTP ${res.status}: ${text}`);
        retries++;
        await sleep(100);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const rate = o.applies / ((performance.now() - t0) / 1000);
  took.sort((a, b) => a - b);
  const at = (q: number) => took[Math.min(took.length - 1, Math.floor(q * took.length))] ?? NaN;
  return { rate, retries, p50: at(0.5), p99: at(0.99) };
}

export async function benchHa(o: HaBenchOptions): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-ha-'));
  const deadline = Date.now() + o.timeoutS * 1000;
  const etcdArgs = ['--members', '3', '--port', String(o.etcdPort), '--data', join(dir, 'etcd')];
  const endpoints = [0, 1, 2].map((k) => `127.0.0.1:${o.etcdPort + 2 * k}`).join(',');
  const children: ChildProcess[] = [];
  const nodes = 'nodes:\n  - {name: "node-{i:2}", count: 20, capacity: {cpu: 64, memory: 256Gi}}\n';
  try {
    const up = spawnSync(join(here, '..', 'scripts', 'start-etcd.sh'), etcdArgs, { encoding: 'utf8' });
    if (up.status !== 0) throw new Error(`start-etcd.sh: ${up.stderr}`);

    // 1. Applies per second: file store, then etcd.
    const fileCfg = join(dir, 'file.yaml');
    writeFileSync(fileCfg, `listen: 127.0.0.1:0\nstate: ${join(dir, 'state')}\nbackend: sim\ntoken: ${TOKEN}\n${nodes}`);
    const f = await start(fileCfg);
    children.push(f.child);
    const fileRate = await applies(f.url, o, 'file', deadline);
    await stop(f.child);
    const etcdCfg = join(dir, 'etcd.yaml');
    writeFileSync(etcdCfg, `listen: 127.0.0.1:0\nstate: etcd://${endpoints}\nleaseTtl: ${o.ttl}\nbackend: sim\ntoken: ${TOKEN}\n${nodes}`);
    const one = await start(etcdCfg);
    children.push(one.child);
    for (let z = await readyz(one.url); !(z.role === 'leader' && z.ready) && Date.now() < deadline; z = await readyz(one.url)) await sleep(50);
    const etcdRate = await applies(one.url, o, 'etcd', deadline);
    await stop(one.child);
    const retried = (r: { retries: number }) => (r.retries > 0 ? ` (${r.retries} retried 503s while no leader)` : '');
    const lat = (r: { p50: number; p99: number }) => `p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms`;
    console.log(
      `applies/s (${o.applies} creations of ${o.replicas} replica${o.replicas === 1 ? '' : 's'}, ${o.concurrency} in flight): file store ${fileRate.rate.toFixed(0)} (${lat(fileRate)})${retried(fileRate)}, etcd (3 members) ${etcdRate.rate.toFixed(0)} (${lat(etcdRate)})${retried(etcdRate)} (${(etcdRate.rate / fileRate.rate).toFixed(2)}×)`,
    );

    // 2. Failover.
    let replicas: Replica[] = [];
    if (o.failovers === 0 && o.memberKills === 0) return;
    for (let i = 0; i < 3; i++) replicas.push(await start(etcdCfg));
    children.push(...replicas.map((r) => r.child));
    const leaderOf = async (among: readonly Replica[]): Promise<Replica | undefined> => {
      while (Date.now() < deadline) {
        for (const r of among) {
          const z = await readyz(r.url);
          if (z.role === 'leader' && z.ready) return r;
        }
        await sleep(50);
      }
      return undefined;
    };
    const times: number[] = [];
    for (let k = 0; k < o.failovers && Date.now() < deadline; k++) {
      const leader = await leaderOf(replicas);
      if (!leader) break;
      const t0 = performance.now();
      leader.child.kill('SIGKILL');
      const rest = replicas.filter((r) => r !== leader);
      let took: number | undefined;
      while (took === undefined && Date.now() < deadline) {
        for (const r of rest) {
          const z = await readyz(r.url);
          if (z.role === 'leader' && z.ready) took = performance.now() - t0;
        }
        if (took === undefined) await sleep(20);
      }
      if (took !== undefined) times.push(took);
      const fresh = await start(etcdCfg);
      children.push(fresh.child);
      replicas = [...rest, fresh];
    }
    if (times.length > 0) {
      const sorted = [...times].sort((a, b) => a - b);
      console.log(
        `failover (kill -9 the leader → another leads and is ready), lease TTL ${o.ttl} s, ${times.length} runs: median ${(sorted[Math.floor(sorted.length / 2)] / 1000).toFixed(2)} s, min ${(sorted[0] / 1000).toFixed(2)} s, max ${(sorted[sorted.length - 1] / 1000).toFixed(2)} s`,
      );
    }

    // 3. etcd member kills.
    const kills: Array<{ stepDowns: number; status: number; ms: number }> = [];
    for (let k = 0; k < o.memberKills && Date.now() < deadline; k++) {
      const leader = await leaderOf(replicas);
      const member = await raftLeader([0, 1, 2].map((k) => `127.0.0.1:${o.etcdPort + 2 * k}`), deadline);
      if (!leader || member === undefined) break;
      await sleep(300 + ((k * 577) % 1000)); // a different phase of the leader's keep-alive period each time
      const downs = leader.stepDowns();
      process.kill(Number(readFileSync(join(dir, 'etcd', `m${member}.pid`), 'utf8')), 'SIGKILL');
      const sent = performance.now();
      const res = await fetch(leader.url + '/v1/workloads', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ spec: { name: `kill-${k}`, replicas: 1, containers: [{ name: 'c', image: 'busybox', requests: { cpu: '10m', memory: '8Mi' } }] } }),
        signal: AbortSignal.timeout(30_000),
      });
      await res.body?.cancel();
      const ms = performance.now() - sent;
      await sleep(o.ttl * 1000); // past the lease: a step-down the kill caused has shown by now
      kills.push({ stepDowns: leader.stepDowns() - downs, status: res.status, ms });
      const back = spawnSync(join(here, '..', 'scripts', 'start-etcd.sh'), [...etcdArgs, '--only', String(member)], { encoding: 'utf8' });
      if (back.status !== 0) throw new Error(`start-etcd.sh --only ${member}: ${back.stderr}`);
    }
    if (kills.length > 0) {
      const ms = kills.map((x) => x.ms).sort((a, b) => a - b);
      const ok = kills.filter((x) => x.status === 201).length;
      console.log(
        `etcd raft leader killed ${kills.length} times, lease TTL ${o.ttl} s: the Slipway leader stepped down after ${kills.filter((x) => x.stepDowns > 0).length}; the apply sent at the kill answered 201 ${ok} times (others: ${kills.filter((x) => x.status !== 201).map((x) => x.status).join(', ') || 'none'}), in median ${(ms[Math.floor(ms.length / 2)] / 1000).toFixed(2)} s, max ${(ms[ms.length - 1] / 1000).toFixed(2)} s`,
      );
    }
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    spawnSync(join(here, '..', 'scripts', 'start-etcd.sh'), [...etcdArgs, '--stop', '--wipe']);
    rmSync(dir, { recursive: true, force: true });
  }
}
