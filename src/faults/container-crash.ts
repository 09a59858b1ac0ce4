import { def, int, obj, workloadRef } from '../core/fields.js';
import { defineFault } from './fault-definition.js';

/** One running container of the workload's instance in `slot` exits with `exitCode`. */
export interface ContainerCrash {
  readonly kind: 'containerCrash';
  readonly workload: string;
  readonly slot: number;
  readonly exitCode: number;
}

/**
 * Container crash: a running container of the workload's instance in `slot` exits with `exitCode`.
 *
 * Live (Docker, OCI): the running container of the slot is killed (SIGKILL, exit 137); the
 * scenario's exitCode cannot be imposed on a real process and is recorded next to the real one.
 */
export const containerCrash = defineFault({
  kind: 'containerCrash',
  summary: "one running container of the workload's instance in slot exits with exitCode",
  schema: obj({
    workload: workloadRef,
    slot: def(int(0), 0),
    exitCode: def(int(0, 255), 137),
  }),
  load(c, ctx): ContainerCrash {
    ctx.workload(c.workload, { submitted: true });
    return { kind: 'containerCrash', workload: c.workload, slot: c.slot, exitCode: c.exitCode };
  },
  targeting: 'workload',
  inject(f, _nodes, ctx) {
    const id = ctx.target.crashContainer(f.workload, f.slot, f.exitCode);
    ctx.recorder.record('fault.container_crash', {
      workload: f.workload,
      slot: f.slot,
      exitCode: f.exitCode,
      applied: id !== undefined,
      ...(id !== undefined ? { container: id } : {}),
    });
  },
  backends: ['sim', 'docker', 'oci'],
  live: {
    async inject(f, target, _clock, recorder) {
      const r = await target.crashContainer(f.workload, f.slot);
      recorder.record('fault.container_crash', {
        workload: f.workload,
        slot: f.slot,
        exitCode: r.exitCode ?? f.exitCode,
        applied: r.applied,
        ...(r.container !== undefined ? { container: r.container } : {}),
        detail: r.detail,
      });
    },
  },
  fuzz: (d) => ({ workload: d.workload, slot: d.p % 3, exitCode: d.q % 2 === 0 ? 137 : 1 }),
});
