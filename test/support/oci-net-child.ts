/**
 * A process that creates OCI instances with CNI networking one after another until it is killed
 * (test/live/oci-network.test.ts kills it with SIGKILL in the middle of a create).
 * argv: <json of {identity, root, rootfs, runtime, subnet}>
 */
import { OciRuntime } from '../../backends/oci/oci-runtime.js';
import { resources } from '../../src/core/resources.js';
import { WallClock } from '../../src/engine/wall-clock.js';

const o = JSON.parse(process.argv[2]) as { identity: string; root: string; rootfs: string; runtime: string; subnet: string };
const clock = new WallClock();
const rt = new OciRuntime({ clock, cluster: o.identity, nodes: [{ id: 'n', runtime: o.runtime, root: o.root, rootfs: o.rootfs, network: { subnet: o.subnet } }] });
await rt.initNode('n');
for (let k = 0; k < 1000; k++) {
  const spec = { name: 'c', image: 'busybox', command: ['sleep', '600'], env: {}, ports: [], requests: resources(), limits: resources() };
  await rt.createContainer(spec, { nodeId: 'n', workloadId: 'w', instanceId: `crash-${k}`, labels: {} });
  process.stdout.write(`created crash-${k}\n`);
}
