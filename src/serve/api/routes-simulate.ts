/**
 * POST /v1/simulate: simulate_change on the API. The daemon snapshots its cluster (nodes, bound
 * instances, workloads), and the change runs in the deterministic simulator in a worker thread
 * (a simulation cannot share the daemon's thread: it forbids real time while it runs). The
 * scenario file it writes goes to the state directory's `what-if/` folder.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { InputError } from '../../core/errors.js';
import { isMapping } from '../../scenario/schema.js';
import { simulateRequestSchema, type ClusterSnapshot } from '../simulate-change.js';
import { simulateChangeInWorker } from '../simulate-change-thread.js';
import { snapshotOf } from '../snapshot.js';
import type { ControlView } from './agent-context.js';
import type { ApiContext } from './app.js';
import { problem } from './problem.js';
import { Problem } from './schemas.js';

const problemContent = { 'application/problem+json': { schema: Problem } };

export const SimulateResult = z
  .object({
    scenarioFile: z.string().meta({ description: 'the scenario file written (on the daemon\'s machine)' }),
    replay: z.string().meta({ description: 'the command replaying the run from that file: the same trace hash' }),
    seed: z.number().int(),
    traceHash: z.string().meta({ description: 'sha256 of the trace' }),
    changeAtMs: z.number().int().meta({ description: 'when the change happens in the run (after the snapshot is adopted)' }),
    horizonMs: z.number().int(),
    converged: z.boolean().meta({ description: 'every workload converged at the end of the horizon' }),
    convergedAfterMs: z.number().int().optional().meta({ description: 'how long after the change it converged for good' }),
    workloads: z.array(z.object({ name: z.string(), desired: z.number().int(), running: z.number().int(), pending: z.number().int(), status: z.string() })),
    pending: z.array(z.object({ workload: z.string(), pending: z.number().int(), reason: z.string() })).meta({ description: 'what stays pending at the end, and why' }),
    liveness: z.object({ failures: z.array(z.string()), capacity: z.array(z.string()) }),
    placements: z.array(z.object({ instance: z.string(), workload: z.string(), slot: z.number().int(), node: z.string().nullable(), status: z.string() })),
    stopped: z.array(z.string()).meta({ description: 'instances of the snapshot no longer alive at the end' }),
    started: z.array(z.string()).meta({ description: 'instances alive at the end that were not in the snapshot' }),
    violation: z.string().optional(),
  })
  .openapi('SimulateResult');

/** The snapshot a what-if starts from: the daemon's cluster now, with its scheduler and control-plane settings. */
export function daemonSnapshot(control: ControlView): ClusterSnapshot {
  const doc = control.scenario.source.document;
  const pick = (key: string) => (isMapping(doc) && isMapping(doc[key]) ? (doc[key] as Record<string, unknown>) : undefined);
  const scheduler = isMapping(doc) && doc.scheduler !== undefined ? doc.scheduler : control.scenario.scheduler.name;
  const controlPlane = pick('controlPlane');
  const latency = pick('latency');
  return {
    ...snapshotOf({ orchestrator: control.orchestrator, store: control.store, cluster: control.backend.cluster, scheduler: control.scenario.scheduler.name }),
    scheduler: scheduler as ClusterSnapshot['scheduler'],
    ...(controlPlane ? { controlPlane } : {}),
    ...(latency ? { latency } : {}),
  };
}

export function registerSimulateRoutes(app: OpenAPIHono, ctx: ApiContext, whatIfDir: string): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/simulate',
      summary: 'What if? Simulate changes (apply, scale, delete, drain, node or zone loss, faults) on a snapshot of the cluster; nothing in the cluster changes',
      request: { body: { required: true, content: { 'application/json': { schema: simulateRequestSchema } } } },
      responses: {
        200: { description: 'the outcome: convergence, pending and why, placements, trace hash, replay command', content: { 'application/json': { schema: SimulateResult } } },
        400: { description: 'invalid request (problem names the field)', content: problemContent },
        401: { description: 'no or wrong token', content: problemContent },
        413: { description: 'body too large', content: problemContent },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      try {
        const result = await simulateChangeInWorker(daemonSnapshot(ctx.control), body, { dir: whatIfDir });
        return c.json(result as z.infer<typeof SimulateResult>, 200);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        const m = /^([A-Za-z_][\w.[\]]*): /.exec(e.message);
        return problem(c, 400, e.message, m ? { field: m[1] } : {}) as never;
      }
    },
  );
}
