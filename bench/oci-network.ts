/**
 * `npm run bench -- oci-network`: what CNI networking costs an OCI instance on runc. For N
 * instances in turn (alternating: one without networking, one with), the time from
 * `createContainer` to the runtime reporting `running` (wall clock, one node, busybox rootfs);
 * the container is then stopped and removed (not timed). Prints both medians and
 *   overhead_ms = median_with − median_without.
 * Networking = namespace + loopback ADD + bridge/host-local/portmap ADD (oci-network.ts).
 * Addresses: 10.213.40.0/24 on a bridge the bench makes and deletes.
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { deleteLink } from '../backends/oci/netns.js';
import { OciRuntime } from '../backends/oci/oci-runtime.js';
import { resources } from '../src/core/resources.js';
import { WallClock } from '../src/engine/wall-clock.js';

export interface OciNetworkBenchOptions {
  readonly runs: number;
  readonly runtime: string;
  readonly rootfs: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function benchOciNetwork(o: OciNetworkBenchOptions): Promise<void> {
  const clock = new WallClock();
  const base = `/tmp/slipway-bench-oci-net-${process.pid}`;
  const mk = (net: boolean) =>
    new OciRuntime({
      clock,
      cluster: `bench-oci-net-${process.pid}`,
      pollIntervalMs: 20,
      nodes: [{ id: 'n', runtime: o.runtime, root: `${base}/${net ? 'net' : 'plain'}`, rootfs: o.rootfs, ...(net ? { network: { subnet: '10.213.40.0/24' } } : {}) }],
    });
  const plain = mk(false);
  const net = mk(true);
  const times: Record<'plain' | 'net', number[]> = { plain: [], net: [] };
  try {
    await plain.initNode('n');
    await net.initNode('n');
    const spec = { name: 'c', image: 'busybox', command: ['sleep', '60'], env: {}, ports: [], requests: resources(), limits: resources() };
    for (let k = 0; k < 2 * o.runs; k++) {
      const kind = k % 2 === 0 ? 'plain' : 'net';
      const rt = kind === 'plain' ? plain : net;
      const t0 = performance.now();
      const id = await rt.createContainer(spec, { nodeId: 'n', workloadId: 'w', instanceId: `b-${k}`, labels: {} });
      while ((await rt.getContainerStatus(id)).state !== 'running') await clock.sleep(5);
      times[kind].push(performance.now() - t0);
      await rt.stopContainer(id);
      await rt.removeContainer(id);
    }
  } finally {
    plain.close();
    net.close();
    await deleteLink(net.network('n')!.bridge).catch(() => undefined);
    clock.cancelAll();
    rmSync(base, { recursive: true, force: true });
  }
  const a = median(times.plain);
  const b = median(times.net);
  console.log(
    `oci-network runtime=${o.runtime} runs=${o.runs} create_to_running_ms without=${a.toFixed(0)} with=${b.toFixed(0)} overhead_ms=${(b - a).toFixed(0)} overhead_pct=${((b / a - 1) * 100).toFixed(0)}`,
  );
}
