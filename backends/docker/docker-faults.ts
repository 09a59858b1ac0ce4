/**
 * Live fault injection on Docker engines (see src/faults/live-injector.ts for the semantics).
 * Freezing an engine needs its pid file (`docker.pidFile` in the scenario) and the right to
 * signal it (same user, or root).
 */
import { readFileSync } from 'node:fs';
import type { LiveFaultResult, LiveFaultTarget } from '../../src/faults/live-injector.js';
import type { NodeId } from '../../src/core/types.js';
import { LABEL, type DockerRuntime } from './docker-runtime.js';

export class DockerFaults implements LiveFaultTarget {
  constructor(
    private readonly runtime: DockerRuntime,
    private readonly nodes: ReadonlyArray<{ readonly id: NodeId; readonly pidFile?: string }>,
  ) {}

  async crashContainer(workload: string, slot: number): Promise<LiveFaultResult> {
    for (const n of [...this.nodes].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      let list;
      try {
        list = await this.runtime.listContainers(n.id);
      } catch {
        continue;
      }
      const c = list.find(
        (x) => x.state === 'running' && x.labels?.[LABEL.workload] === workload && x.labels?.[LABEL.slot] === String(slot),
      );
      if (c) {
        await this.runtime.kill(c.id, 'KILL');
        return { applied: true, detail: `docker kill --signal KILL on ${n.id}`, container: c.id, exitCode: 137 };
      }
    }
    return { applied: false, detail: `no running container of ${workload} slot ${slot}` };
  }

  crashNode(name: string): Promise<LiveFaultResult> {
    return Promise.resolve(this.signal(name, 'SIGSTOP', 'froze'));
  }

  bootNode(name: string): Promise<LiveFaultResult> {
    return Promise.resolve(this.signal(name, 'SIGCONT', 'thawed'));
  }

  private signal(name: string, sig: NodeJS.Signals, verb: string): LiveFaultResult {
    const n = this.nodes.find((x) => x.id === name);
    if (!n) return { applied: false, detail: `unknown node ${name}` };
    if (n.pidFile === undefined) return { applied: false, detail: `node ${name} has no docker.pidFile; cannot freeze its engine` };
    let pid: number;
    try {
      pid = Number(readFileSync(n.pidFile, 'utf8').trim());
    } catch (e) {
      return { applied: false, detail: `cannot read ${n.pidFile}: ${(e as Error).message}` };
    }
    try {
      process.kill(pid, sig);
    } catch (e) {
      return { applied: false, detail: `${sig} to pid ${pid}: ${(e as Error).message}` };
    }
    return { applied: true, detail: `${verb} dockerd (pid ${pid}, ${sig})` };
  }
}
