/** Live fault injection on an OCI runtime: containers can be killed; nodes cannot be frozen. */
import type { LiveFaultResult, LiveFaultTarget } from '../../src/faults/live-injector.js';
import type { OciRuntime } from './oci-runtime.js';

export class OciFaults implements LiveFaultTarget {
  constructor(private readonly runtime: OciRuntime, private readonly nodeIds: readonly string[] = []) {}

  async crashContainer(workload: string, slot: number): Promise<LiveFaultResult> {
    for (const nodeId of [...this.nodeIds].sort()) {
      const list = await this.runtime.listContainers(nodeId).catch(() => []);
      const c = list.find((x) => x.state === 'running' && x.labels?.['slipway.workload'] === workload && x.labels?.['slipway.slot'] === String(slot));
      if (c) {
        await this.runtime.kill(c.id, 'KILL');
        return { applied: true, detail: `${nodeId}: kill ${c.id} KILL`, container: c.id, exitCode: 137 };
      }
    }
    return { applied: false, detail: `no running container of ${workload} slot ${slot}` };
  }

  crashNode(name: string): Promise<LiveFaultResult> {
    return Promise.resolve({ applied: false, detail: `node ${name}: an OCI runtime has no daemon to stop; nodeCrash is not supported on --backend oci` });
  }

  bootNode(name: string): Promise<LiveFaultResult> {
    return Promise.resolve({ applied: false, detail: `node ${name}: not supported on --backend oci` });
  }
}
