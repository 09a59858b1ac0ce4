/**
 * Three `slipway serve --state etcd://...` replicas (real processes) on a 3-member etcd of this
 * file's own (scripts/start-etcd.sh on private ports) and the two CI Docker engines, through the
 * failures of issue #14 item 3. Each step ends by checking safety against Docker's own container
 * list: no (slot, generation) ever runs two containers, and at rest every container belongs to the
 * workload's current instances (nothing orphaned, nothing doubled).
 *
 * The lease TTL is 5 s here (docs/ha.md: failover takes about one TTL; shorter TTLs flap on a loaded 2-core CI machine).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_HOSTS, engineContainers, LIVE, LIVE_SKIP_REASON, removeEngineContainers, TEST_IMAGE } from '../support/backends.js';
import { raftLeader } from '../support/etcd-status.js';
import { BIN, sleep, until as poll, within } from '../support/processes.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ETCD_SCRIPT = join(ROOT, 'scripts', 'start-etcd.sh');
const RUN = `ha${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const NODES = [`${RUN}-a`, `${RUN}-b`];
const ETCD_PORT = Number(process.env.SLIPWAY_HA_TEST_ETCD_PORT ?? 32479);
const ENDPOINTS = [0, 1, 2].map((k) => `127.0.0.1:${ETCD_PORT + 2 * k}`);
const TTL = 5;
const TOKEN = `ha-${RUN}-0123456789abcdef`;
const WORKLOAD = `${RUN}-web`;
const REPLICAS = 20;

interface Seen {
  readonly id: string;
  readonly slot: string;
  readonly generation: string;
  readonly running: boolean;
}

/** This run's containers on both engines, as Docker lists them. */
const OURS = (engine: number) => [`slipway.node=${NODES[engine]}`];
async function containers(): Promise<Seen[]> {
  return (await engineContainers(OURS)).map((c) => ({ id: c.id, slot: c.labels['slipway.slot'], generation: c.labels['slipway.generation'], running: c.running }));
}

/** Polls every 250 ms; a poll that throws (a replica being killed) is one more poll. */
const until = <T>(f: () => Promise<T | undefined | false>, ms: number, what: string): Promise<T> => poll(() => f().catch(() => undefined), ms, what, 250);

/** Watches Docker all along: a (slot, generation) running twice at any poll is a safety violation. */
class SafetyMonitor {
  readonly violations: string[] = [];
  private stopped = false;
  private loop: Promise<void> | undefined;
  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        const seen = new Map<string, string[]>();
        for (const c of await containers().catch(() => [])) {
          if (!c.running) continue;
          const k = `slot ${c.slot} generation ${c.generation}`;
          seen.set(k, [...(seen.get(k) ?? []), c.id.slice(0, 12)]);
        }
        for (const [k, ids] of seen) if (ids.length > 1) this.violations.push(`${k} runs ${ids.length} containers: ${ids.join(', ')}`);
        await sleep(300);
      }
    })();
  }
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

/** At rest: exactly one running container per slot, all of `generation`, and no other container. */
async function settled(generation: number): Promise<Seen[] | undefined> {
  const all = await containers();
  const ok = all.length === REPLICAS && all.every((c) => c.running && c.generation === String(generation)) && new Set(all.map((c) => c.slot)).size === REPLICAS;
  return ok ? all : undefined;
}

const etcd = (...args: string[]) => {
  const r = spawnSync(ETCD_SCRIPT, ['--members', '3', '--port', String(ETCD_PORT), '--data', etcdDir, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`start-etcd.sh ${args.join(' ')} failed: ${r.stderr}`);
};
let etcdDir = '';
const memberPid = (k: number) => Number(readFileSync(join(etcdDir, `m${k}.pid`), 'utf8'));

/** The etcd member (1-based) that is raft leader now (asked for up to 10 s). */
async function leaderMember(): Promise<number> {
  const k = await raftLeader(ENDPOINTS, Date.now() + 10_000, 200);
  if (k === undefined) throw new Error('no etcd member says it is the raft leader');
  return k;
}

interface ReplicaProc {
  child: ChildProcess;
  url: string;
  log: string;
}

describe.skipIf(!LIVE)(`three serve replicas on etcd and docker${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, { timeout: 900_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-ha-live-'));
  etcdDir = join(dir, 'etcd');
  const config = join(dir, 'slipway.yaml');
  const replicas: ReplicaProc[] = [];
  const monitor = new SafetyMonitor();

  const startReplica = (): Promise<ReplicaProc> =>
    within(new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'serve', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      const r: ReplicaProc = { child, url: '', log: '' };
      child.stderr!.on('data', (b: Buffer) => {
        r.log += b.toString();
        const m = /replica listening on (http:\/\/\S+)/.exec(r.log);
        if (m && r.url === '') {
          r.url = m[1];
          resolve(r);
        }
      });
      child.once('exit', (code, signal) => {
        if (r.url === '') reject(new Error(`serve exited ${code ?? signal}: ${r.log}`));
      });
    }), 120_000, 'a serve replica to print "replica listening on"');
  const alive = () => replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
  const get = async (url: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(url + path, { headers: { authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(15_000) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const send = async (url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown>; ms: number }> => {
    const t0 = Date.now();
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, ms: Date.now() - t0 };
  };
  /** The replica every live replica names as leader, once they agree and it says so itself. */
  const leader = async (only?: ReplicaProc[]): Promise<ReplicaProc> =>
    until(
      async () => {
        const among = (only ?? alive()).filter((r) => r.child.exitCode === null && r.child.signalCode === null);
        const views = await Promise.all(among.map((r) => get(r.url, '/readyz').then((x) => x.body)));
        const named = new Set(views.map((v) => v.leader));
        if (named.size !== 1) return undefined;
        const l = among.find((r) => r.url === views[0].leader);
        const own = l ? views[among.indexOf(l)] : undefined;
        return own?.role === 'leader' && own.ready ? l : undefined;
      },
      60_000,
      'one leader every replica agrees on',
    );
  const spec = (version: string) => ({
    name: WORKLOAD,
    replicas: REPLICAS,
    containers: [
      {
        name: 'main',
        image: TEST_IMAGE,
        command: ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"],
        env: { VERSION: version },
        requests: { cpu: '10m', memory: '8Mi' },
      },
    ],
  });
  /** Applies through whichever replica, following a follower's redirect to the leader. */
  const apply = async (version: string) => {
    let url = alive()[0].url;
    for (let i = 0; i < 5; i++) {
      const r = await send(url, 'POST', '/v1/workloads', { spec: spec(version) });
      if (r.status === 307 && typeof r.body.leader === 'string') {
        url = r.body.leader;
        continue;
      }
      return r;
    }
    throw new Error('redirected too often');
  };

  beforeAll(async () => {
    etcd();
    writeFileSync(
      config,
      [
        'listen: 127.0.0.1:0',
        `state: etcd://${ENDPOINTS.join(',')}`,
        `leaseTtl: ${TTL}`,
        'backend: docker',
        `token: ${TOKEN}`,
        'nodes:',
        `  - {name: ${NODES[0]}, capacity: {cpu: 8, memory: 8Gi}, docker: {host: "${DOCKER_HOSTS[0]}", network: none}}`,
        `  - {name: ${NODES[1]}, capacity: {cpu: 8, memory: 8Gi}, docker: {host: "${DOCKER_HOSTS[1]}", network: none}}`,
        'controlPlane: {heartbeatInterval: 1s, nodeMonitorPeriod: 1s, notReadyAfter: 5s, downAfter: 15s, resyncInterval: 2s, reconcileInterval: 2s, rpcTimeout: 5s}',
        '',
      ].join('\n'),
    );
    for (let i = 0; i < 3; i++) replicas.push(await startReplica());
    monitor.start();
  });

  afterAll(async () => {
    await monitor.stop();
    // SLIPWAY_HA_TEST_LOGS=DIR keeps each replica's log there (for a failed run).
    const keep = process.env.SLIPWAY_HA_TEST_LOGS;
    if (keep) replicas.forEach((r, i) => writeFileSync(join(keep, `ha-replica-${i}.log`), r.log));
    for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await removeEngineContainers(OURS);
    try {
      etcd('--stop', '--wipe');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('kill -9 of the leader mid rolling update: another leads, the rollout completes, nothing runs twice or is orphaned', async () => {
    const first = await leader();
    // The CLI pointed at a follower: the follower answers 307 and the client follows it to the
    // leader with its token (fetch alone would drop the token on the other origin: 401).
    const via = alive().find((r) => r !== first)!;
    const file = join(dir, 'web-v1.json');
    writeFileSync(file, JSON.stringify(spec('v1')));
    const applied = spawnSync(process.execPath, [BIN, 'apply', '-f', file, '--server', via.url, '--token', TOKEN], { encoding: 'utf8', timeout: 60_000 });
    expect({ code: applied.status, out: applied.stdout, err: applied.stderr }).toEqual({ code: 0, out: `workload/${WORKLOAD} created\n`, err: '' });
    await until(() => settled(1), 300_000, `${REPLICAS} containers of generation 1 running`);
    // Followers read the workload from etcd.
    const follower = alive().find((r) => r !== first)!;
    const seen = await get(follower.url, `/v1/workloads/${WORKLOAD}`);
    expect(seen.body).toMatchObject({ name: WORKLOAD, generation: 1, status: { desired: REPLICAS } });

    expect(await apply('v2')).toMatchObject({ status: 200 });
    await until(async () => (await containers()).some((c) => c.generation === '2' && c.running), 120_000, 'the rolling update under way');
    const killedAt = Date.now();
    const gone = new Promise((r) => first.child.once('exit', r));
    first.child.kill('SIGKILL');
    await within(gone, 30_000, 'the killed leader to exit');
    const next = await leader();
    const failoverMs = Date.now() - killedAt;
    expect(next).not.toBe(first);
    process.stderr.write(`ha-etcd: failover after kill -9 took ${failoverMs} ms (lease TTL ${TTL} s)\n`);
    const done = await until(() => settled(2), 300_000, `the rollout to generation 2 completed by the new leader`);
    expect(done).toHaveLength(REPLICAS);
    const rollout = await get(next.url, `/v1/workloads/${WORKLOAD}/rollout`);
    expect(rollout.body).toMatchObject({ generation: 2, complete: true, updated: REPLICAS });
    expect(monitor.violations).toEqual([]);
    replicas.push(await startReplica()); // back to three
  });

  it('SIGSTOP the leader past its lease, then SIGCONT: another leads meanwhile, and the paused one steps down without acting', async () => {
    const paused = await leader();
    const before = (await containers()).map((c) => c.id).sort();
    paused.child.kill('SIGSTOP');
    const others = alive().filter((r) => r !== paused);
    const next = await leader(others);
    // The new leader changes the desired state while the old one sleeps: a scale-down to 18, then back.
    const down = await send(next.url, 'POST', `/v1/workloads/${WORKLOAD}/scale`, { replicas: REPLICAS - 2 });
    expect(down.status).toBe(200);
    await until(async () => (await containers()).filter((c) => c.running).length === REPLICAS - 2, 120_000, 'scaled down to 18 by the new leader');
    paused.child.kill('SIGCONT');
    const view = await until(async () => {
      const r = await get(paused.url, '/readyz');
      return r.body.role === 'follower' && r.body.leader === next.url ? r.body : undefined;
    }, 60_000, 'the resumed replica follows the new leader');
    expect(view).toMatchObject({ role: 'follower', leader: next.url });
    // Its log line is written before /readyz says follower, but the pipe and the HTTP socket are
    // read in whichever order they come: wait for the line rather than read the log at once.
    await until(async () => /stepped down/.test(paused.log), 10_000, 'the resumed replica logs that it stepped down');
    // Its writes would be refused: a write sent to it now is redirected, not applied.
    const r = await send(paused.url, 'POST', `/v1/workloads/${WORKLOAD}/scale`, { replicas: 1 });
    expect(r.status).toBe(307);
    expect(r.body.leader).toBe(next.url);
    const up = await send(next.url, 'POST', `/v1/workloads/${WORKLOAD}/scale`, { replicas: REPLICAS });
    expect(up.status).toBe(200);
    const after = await until(() => settled(2), 300_000, 'back to 20 of generation 2');
    expect(after.length).toBe(REPLICAS);
    expect(before.length).toBe(REPLICAS);
    expect(monitor.violations).toEqual([]);
  });

  it('one etcd member down: no interruption; two down: 503 within the request timeout; quorum back: work resumes, nothing lost', async () => {
    let l = await leader();
    // The member that leads raft: the others wait out an election, and a write meanwhile must wait
    // too, not fail (it did: three immediate retries, 503).
    const first = await leaderMember();
    const second = first === 1 ? 2 : 1;
    process.kill(memberPid(first), 'SIGKILL');
    const one = await send(l.url, 'POST', `/v1/workloads/${WORKLOAD}/scale`, { replicas: REPLICAS - 1 });
    expect(one.status, `${JSON.stringify(one.body)}\nthe leader's log:\n${l.log.slice(-4000)}`).toBe(200);
    await until(async () => (await containers()).filter((c) => c.running).length === REPLICAS - 1, 120_000, 'scaled to 19 with one member down');

    process.kill(memberPid(second), 'SIGKILL');
    const two = await send(l.url, 'POST', `/v1/workloads/${WORKLOAD}/scale`, { replicas: REPLICAS });
    expect([503, 307]).toContain(two.status);
    // The answer comes from the store's request deadline (5 s), not from the client giving up
    // (fetch aborts at 30 s): the 503 names the unavailable store. The time is printed, not
    // asserted (a loaded machine stretches it; docs/ha.md has the figure).
    if (two.status === 503) expect(String(two.body.detail)).toMatch(/^(state store unavailable: |this replica no longer leads)/);
    process.stderr.write(`ha-etcd: a write with two of three etcd members down answered ${two.status} after ${two.ms} ms\n`);
    const stuck = await get(l.url, '/readyz');
    expect(stuck.status).toBeGreaterThanOrEqual(200);

    etcd('--only', String(second));
    etcd('--only', String(first));
    l = await leader();
    const back = await send(l.url, 'POST', `/v1/workloads/${WORKLOAD}/scale`, { replicas: REPLICAS });
    expect(back.status).toBe(200);
    const done = await until(() => settled(2), 300_000, 'back to 20 after quorum returned');
    expect(done.length).toBe(REPLICAS);
    expect(monitor.violations).toEqual([]);
  });

  it('restart every process (replicas and etcd): the same state, the same containers', async () => {
    const l = await leader();
    // "Before" is taken with the leader at rest, not only Docker: settled() can hold while a
    // container is being replaced (its stop requested, the new one not yet created: 20 running
    // containers, one about to go). The quorum case leaves exactly that behind at times: its
    // 503'd scale to 20 was applied in memory before the store refused it, so the next leader
    // adopts a container the stored desired state does not want and scales it away while the
    // scale to 20 that follows makes a new one. A snapshot in that window listed a container
    // that was gone after the restart, read as "one container replaced after adoption".
    const before = (
      await until(async () => {
        const docker = await settled(2);
        const st = (await get(l.url, `/v1/workloads/${WORKLOAD}`)).body.status as Record<string, number> | undefined;
        const again = await settled(2);
        const rest = st?.desired === REPLICAS && st.running === REPLICAS && st.pending === 0 && st.terminating === 0;
        return rest && docker && again && docker.map((c) => c.id).sort().join() === again.map((c) => c.id).sort().join() ? again : undefined;
      }, 120_000, 'the leader at rest (20 running, none pending or terminating) with the same 20 containers on Docker')
    )
      .map((c) => c.id)
      .sort();
    const wBefore = (await get(l.url, `/v1/workloads/${WORKLOAD}`)).body;
    for (const r of alive()) {
      const exited = new Promise((res) => r.child.once('exit', res));
      r.child.kill('SIGTERM');
      await within(exited, 60_000, `replica ${r.url} to stop after SIGTERM`);
    }
    etcd('--stop');
    etcd();
    for (let i = 0; i < 3; i++) replicas.push(await startReplica());
    const l2 = await leader();
    const wAfter = (await get(l2.url, `/v1/workloads/${WORKLOAD}`)).body;
    expect(wAfter).toMatchObject({ name: WORKLOAD, revision: wBefore.revision, generation: wBefore.generation, spec: wBefore.spec });
    const after = await until(async () => {
      const s = await settled(2);
      return s && (await get(l2.url, `/v1/workloads/${WORKLOAD}`)).body.status ? s : undefined;
    }, 120_000, 'the containers adopted');
    expect(after.map((c) => c.id).sort()).toEqual(before);
    expect(monitor.violations).toEqual([]);
  });
});
