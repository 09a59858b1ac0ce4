/**
 * `slipway run --backend docker|oci` end to end, as a user runs it: the example scenarios on the
 * two local engines (or two runc state directories), and an engine going down for real.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCKER_HOSTS, engineContainers, LIVE, LIVE_SKIP_REASON, OCI_RUNTIME, ROOTFS, TEST_IMAGE } from '../support/backends.js';
import { within } from '../support/processes.js';

type Rec = Record<string, unknown> & { t: number; type: string };

function run(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['bin/slipway.js', 'run', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function trace(dir: string): Rec[] {
  return readFileSync(join(dir, 'trace.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
}

/** Slipway containers of one cluster identity (a scenario's name) on both engines; other tests' runs share them. */
async function slipwayContainers(identity: string): Promise<number> {
  return (await engineContainers(['slipway.instance', `slipway.cluster=${identity}`])).length;
}

describe.skipIf(!LIVE)(`slipway run on live backends${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-live-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scenarios/live-docker.yaml converges on both engines, replaces the crash, rolls, and leaves nothing behind', async () => {
    const out = join(dir, 'docker');
    const r = run(['scenarios/live-docker.yaml', '--backend', 'docker', '--out', out]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain('teardown: no containers left');
    const t = trace(out);
    expect(t[0]).toMatchObject({ type: 'run.start', backend: 'docker' });
    const nodes = new Set(t.filter((x) => x.type === 'instance.scheduled').map((x) => x.node));
    expect([...nodes].sort()).toEqual(['engine-1', 'engine-2']);
    const crash = t.find((x) => x.type === 'fault.container_crash');
    expect(crash).toMatchObject({ applied: true, exitCode: 137 });
    expect(t.some((x) => x.type === 'instance.status' && x.to === 'Failed' && x.exitCode === 137)).toBe(true);
    expect(await slipwayContainers('live-docker')).toBe(0);
  });

  it('an engine that stops answering goes NotReady then Down; its instances move to the other engine; its evicted containers are removed when it returns', async () => {
    const file = join(dir, 'node-down.yaml');
    writeFileSync(
      file,
      `
name: node-down
duration: 22s
nodes:
  - {name: engine-1, capacity: {cpu: 2, memory: 2Gi}, docker: {host: "${DOCKER_HOSTS[0]}", network: none, pidFile: /run/slipway/e1.pid}}
  - {name: engine-2, capacity: {cpu: 2, memory: 2Gi}, docker: {host: "${DOCKER_HOSTS[1]}", network: none, pidFile: /run/slipway/e2.pid}}
workloads:
  - name: api
    replicas: 4
    containers:
      - {name: main, image: ${TEST_IMAGE}, command: [sh, -c, "trap 'exit 0' TERM; sleep 3600 & wait"], requests: {cpu: 100m, memory: 16Mi}}
faults:
  - {at: 3s, nodeCrash: {node: engine-1, recoverAfter: 9s}}
controlPlane: {heartbeatInterval: 500ms, nodeMonitorPeriod: 500ms, notReadyAfter: 2s, downAfter: 4s, evictionGrace: 1s, rpcTimeout: 1s, resyncInterval: 2s, reconcileInterval: 2s}
expectations:
  - {name: moved off the frozen engine, converged: {by: 11s}}
  - {name: nothing on a Down node, noInstancesOn: {statuses: [Down], at: 11s}}
  - {name: all back, running: {workload: api, count: 4, at: 21s}}
`,
    );
    const out = join(dir, 'node-down');
    const r = run([file, '--backend', 'docker', '--out', out]);
    expect(r.code, r.out + r.err).toBe(0);
    const t = trace(out);
    const statuses = t.filter((x) => x.type === 'node.status' && x.node === 'engine-1').map((x) => x.to);
    expect(statuses.slice(0, 3)).toEqual(['NotReady', 'Down', 'Ready']);
    expect(t.find((x) => x.type === 'fault.node_crash')).toMatchObject({ applied: true });
    // After the eviction grace, replacements were scheduled on engine-2 while engine-1 was out.
    const notReady = t.find((x) => x.type === 'node.status' && x.to === 'NotReady')!;
    const moved = t.filter((x) => x.type === 'instance.created' && x.reason === 'replace-lost' && x.t > notReady.t);
    expect(moved.length).toBeGreaterThanOrEqual(1);
    for (const m of moved) expect(t.find((x) => x.type === 'instance.scheduled' && x.instance === m.instance)).toMatchObject({ node: 'engine-2' });
    // The evicted instances' containers kept running on the frozen engine: they are stopped and
    // removed once it answers again.
    const boot = t.find((x) => x.type === 'fault.node_boot')!;
    expect(t.filter((x) => x.type === 'instance.removed' && x.node === 'engine-1' && x.t > boot.t).length).toBeGreaterThanOrEqual(1);
    expect(await slipwayContainers('node-down')).toBe(0);
  });

  it(`scenarios/live-oci.yaml runs on ${OCI_RUNTIME} bundles, with exit codes and a clean teardown`, () => {
    const file = join(dir, 'live-oci.yaml');
    const text = readFileSync('scenarios/live-oci.yaml', 'utf8')
      .replaceAll('runtime: runc', `runtime: ${OCI_RUNTIME}`)
      .replaceAll('/var/lib/slipway/rootfs', ROOTFS)
      .replaceAll('/run/slipway/oci-', join(dir, 'oci-'));
    writeFileSync(file, text);
    const out = join(dir, 'oci');
    const r = run([file, '--backend', 'oci', '--out', out]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain('teardown: no containers left');
    const t = trace(out);
    expect(t.some((x) => x.type === 'container.state' && x.state === 'exited' && x.exitCode === 137)).toBe(true);
    const nodes = new Set(t.filter((x) => x.type === 'instance.scheduled').map((x) => x.node));
    expect([...nodes].sort()).toEqual(['oci-1', 'oci-2']);
  });

  it('a scenario written for the simulator runs live with --cluster; three nodes share two engines; slipway diff compares the runs', async () => {
    const file = join(dir, 'sim-only.yaml');
    writeFileSync(
      file,
      `
name: sim-only
duration: 8s
nodes:
  - {name: "node-{i}", count: 3, capacity: {cpu: 2, memory: 2Gi}}
workloads:
  - name: web
    replicas: 5
    containers:
      - {name: main, image: ${TEST_IMAGE}, command: [sh, -c, "trap 'exit 0' TERM; sleep 3600 & wait"], requests: {cpu: 100m, memory: 16Mi}}
controlPlane: {heartbeatInterval: 1s, nodeMonitorPeriod: 1s, notReadyAfter: 4s}
expectations:
  - converged: {by: 6s}
`,
    );
    const cluster = join(dir, 'engines.yaml');
    writeFileSync(
      cluster,
      `nodes:\n  node-1: {docker: {host: "${DOCKER_HOSTS[0]}", network: none}}\n  "*": {docker: {host: "${DOCKER_HOSTS[1]}", network: none}}\n`,
    );
    const sim = run([file, '--out', join(dir, 'sim-only-sim')]);
    expect(sim.code, sim.out + sim.err).toBe(0);
    const live = run([file, '--backend', 'docker', '--cluster', cluster, '--out', join(dir, 'sim-only-live')]);
    expect(live.code, live.out + live.err).toBe(0);
    expect(live.out).toContain('teardown: no containers left');
    const t = trace(join(dir, 'sim-only-live'));
    const placed = t.filter((x) => x.type === 'instance.scheduled').map((x) => x.node);
    expect(new Set(placed)).toEqual(new Set(['node-1', 'node-2', 'node-3']));
    // node-2 and node-3 share engine 2, yet no container was seen as an orphan of the other node.
    expect(t.some((x) => x.type === 'container.orphan')).toBe(false);
    const d = spawnSync(process.execPath, ['bin/slipway.js', 'diff', join(dir, 'sim-only-sim', 'trace.jsonl'), join(dir, 'sim-only-live', 'trace.jsonl'), '--json'], {
      encoding: 'utf8',
    });
    expect(d.status, d.stderr).toBe(0);
    const diff = JSON.parse(d.stdout) as { a: { backend: string }; b: { backend: string }; placements: unknown[]; placementsAgree: number };
    expect([diff.a.backend, diff.b.backend]).toEqual(['sim', 'docker']);
    // Same seed, same scheduler, same nodes: the placements agree.
    expect(diff.placements).toHaveLength(5);
    expect(diff.placementsAgree).toBe(5);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s ends a live run early with its teardown, the trace so far, exit %i (issue #19 item 2)', async (sig, code) => {
    const out = join(dir, `interrupted-${sig}`);
    const child = spawn(process.execPath, ['bin/slipway.js', 'run', 'scenarios/live-docker.yaml', '--backend', 'docker', '--out', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupt once its containers run (and before its crash fault at 8 s).
    let up = 0;
    for (let k = 0; k < 400 && (up = await slipwayContainers('live-docker')) < 3; k++) await new Promise((r) => setTimeout(r, 50));
    child.kill(sig);
    expect(up, 'its three containers ran before the signal').toBeGreaterThanOrEqual(3);
    expect(await within(done, 120_000, `the run to end after ${sig}`)).toBe(code);
    expect(text).toContain(`interrupted (${sig})`);
    // Never "ok: N expectation(s) hold"; the line that runs it again.
    expect(text).not.toMatch(/^ok: /m);
    expect(text).toMatch(new RegExp(`^FAILED: interrupted by ${sig}; .*replay: npx slipway run scenarios/live-docker\\.yaml`, 'm'));
    expect(text).toContain('teardown: no containers left');
    const t = trace(out);
    expect(t.some((x) => x.type === 'run.interrupted')).toBe(true);
    expect(t[t.length - 1]).toMatchObject({ type: 'run.end', reason: 'interrupted' });
    // Nothing scheduled after the interruption happened: no fault, no update.
    expect(t.some((x) => x.type === 'fault.container_crash' || x.type === 'op.update')).toBe(false);
    expect(await slipwayContainers('live-docker')).toBe(0);
  });

  it('a scenario without endpoints for the backend is bad input: one line, exit 2', () => {
    const r = run(['scenarios/steady-service.yaml', '--backend', 'docker', '--out', join(dir, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('node node-1 has no docker endpoint');
    const b = run(['scenarios/steady-service.yaml', '--backend', 'kubernetes']);
    expect(b.code).toBe(2);
    expect(b.err).toContain('--backend: unknown backend "kubernetes" (known: sim, docker, oci)');
  });
});
