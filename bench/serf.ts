/**
 * `npm run bench -- serf`: live failure detection by HashiCorp Serf beside the simulator's
 * prediction for the same group (issue #15 item 3).
 *
 * Live: scripts/start-serf.sh starts the control plane's agent and N−1 node agents on loopback
 * (ports 28846+/28273+); K times, one node agent (round-robin) is killed with SIGKILL and the time
 * until the control plane's agent reports `member-failed` on its RPC stream is measured; the agent
 * is restarted and rejoins before the next kill.
 * Simulated: the same N members, memberlist's LAN parameters with Lifeguard (Serf's twin), crash
 * failures; detection = crash → the first member declaring it dead (src/membership/experiment.ts).
 * The live figure also contains gossip of the verdict to the control plane's agent and Serf's
 * event delivery (up to about a second), which the simulated one does not.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerfRpc } from '../backends/serf/serf-rpc.js';
import { runMembership } from '../src/membership/experiment.js';

export interface SerfBenchOptions {
  readonly members: number;
  readonly kills: number;
  readonly seeds: number;
}

const BASE = 28846;
const RPC = 28273;

function stats(xs: readonly number[]): { mean: number; p50: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { mean: s.reduce((a, b) => a + b, 0) / s.length, p50: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
}

export async function benchSerf(o: SerfBenchOptions): Promise<void> {
  const nodes = Array.from({ length: o.members - 1 }, (_, i) => `node-${i + 1}`);
  const dir = mkdtempSync(join(tmpdir(), 'slipway-serf-bench-'));
  const script = (...args: string[]) => {
    const r = spawnSync('scripts/start-serf.sh', ['--dir', dir, '--base-port', String(BASE), '--rpc-base-port', String(RPC), '--nodes', nodes.join(','), ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`start-serf.sh ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  };
  const live: number[] = [];
  script();
  const rpc = await SerfRpc.connect(`127.0.0.1:${RPC}`);
  try {
    const waiters = new Map<string, { status: string; resolve: (t: number) => void }>();
    await rpc.stream('member-join,member-failed', (e) => {
      for (const m of e.members) {
        const w = waiters.get(m.name);
        if (w && (e.event === 'member-failed' ? 'failed' : 'alive') === w.status) {
          waiters.delete(m.name);
          w.resolve(performance.now());
        }
      }
    });
    const when = (name: string, status: string, timeoutMs: number) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} not ${status} after ${timeoutMs} ms`)), timeoutMs);
        waiters.set(name, { status, resolve: (t) => (clearTimeout(timer), resolve(t)) });
      });
    // Let the group settle (every member has probed every other a few times).
    await new Promise((r) => setTimeout(r, 5_000));
    for (let k = 0; k < o.kills; k++) {
      const name = nodes[k % nodes.length]!;
      const pid = Number(readFileSync(join(dir, `${name}.pid`), 'utf8'));
      const failed = when(name, 'failed', 60_000);
      const t0 = performance.now();
      process.kill(pid, 'SIGKILL');
      const t1 = await failed;
      live.push(t1 - t0);
      console.log(`live kill ${k + 1}/${o.kills}: ${name} failed after ${(t1 - t0).toFixed(0)} ms`);
      const back = when(name, 'alive', 30_000);
      script('--restart', name);
      await back;
      await new Promise((r) => setTimeout(r, 3_000));
    }
  } finally {
    rpc.close();
    script('--stop');
    rmSync(dir, { recursive: true, force: true });
  }
  const sim: number[] = [];
  for (let seed = 1; seed <= o.seeds; seed++) {
    const r = await runMembership({ detector: 'lifeguard', members: o.members, seed, durationMs: 20 * 60_000, crashes: { everyMs: 30_000, downMs: 20_000 } });
    for (let i = 0; i < r.detections; i++) sim.push(r.detectionMeanMs);
    console.log(`sim seed ${seed}: ${r.detections} crashes detected, mean ${r.detectionMeanMs.toFixed(0)} ms, p99 ${r.detectionP99Ms.toFixed(0)} ms`);
  }
  const l = stats(live);
  const s = sim.reduce((a, b) => a + b, 0) / sim.length;
  console.log(`\n${o.members} members (control plane + ${o.members - 1} nodes), memberlist LAN parameters, Lifeguard:`);
  console.log(`  live Serf ${o.kills} kills: mean ${(l.mean / 1000).toFixed(2)} s, median ${(l.p50 / 1000).toFixed(2)} s, max ${(l.max / 1000).toFixed(2)} s`);
  console.log(`  simulator, ${o.seeds} seeds:  mean ${(s / 1000).toFixed(2)} s (crash → first member declares it dead)`);
}
