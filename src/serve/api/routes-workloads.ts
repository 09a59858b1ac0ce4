/** /v1/workloads: apply (create or update), get, list with a label selector, scale, delete, rollout status. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ApiError } from '../control.js';
import { SpecError } from '../cluster-spec.js';
import { parseSelector, type Selector } from '../selector.js';
import type { ApiContext } from './app.js';
import { errorProblem } from './problem.js';
import { ApplyRequest, Deleted, NameParam, Problem, Rollout, ScaleRequest, Workload, WorkloadList, queryWholeNumber } from './schemas.js';

const problemContent = { 'application/problem+json': { schema: Problem } };
const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });
const errors = {
  400: { description: 'invalid request (problem names the field)', content: problemContent },
  401: { description: 'no or wrong token', content: problemContent },
  404: { description: 'no such workload', content: problemContent },
  409: { description: 'stale revision (problem carries currentRevision), or the workload is being deleted', content: problemContent },
  413: { description: 'body too large', content: problemContent },
  422: { description: 'the change is not allowed (e.g. kind)', content: problemContent },
  503: {
    description:
      'replicas on etcd: the change could not be made durable (the store has no quorum, or this replica no longer leads: retry against the leader); or overload: the control plane is more than 5 s behind and takes no new work until it catches up (Retry-After says when to try again)',
    headers: { 'Retry-After': { description: 'overload: seconds to wait before trying again', schema: { type: 'integer' as const, minimum: 1 } } },
    content: problemContent,
  },
};

/** `?selector=app=web,tier!=db` → Selector; 400 naming the parameter when malformed. */
export function selectorOf(text: string | undefined): Selector | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return parseSelector(text);
  } catch (e) {
    throw new ApiError(400, 'Bad Request', `selector: ${(e as Error).message}`, { field: 'selector' });
  }
}

const SelectorQuery = z.object({
  selector: z.string().optional().meta({ description: 'label selector: app=web,tier!=db,canary,!legacy,env in (a,b)' }),
});
const RevisionQuery = z.object({
  revision: queryWholeNumber(0).optional().meta({ description: 'check-and-set: delete only at this revision' }),
});

export function registerWorkloadRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  const { control } = ctx;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/workloads',
      summary: 'List workloads (optionally by label selector)',
      request: { query: SelectorQuery },
      responses: { 200: { description: 'workloads, sorted by name', content: json(WorkloadList) }, 400: errors[400], 401: errors[401] },
    }),
    (c) => {
      try {
        const selector = selectorOf(c.req.valid('query').selector);
        return c.json({ revision: control.events.revision, items: control.listWorkloads(selector) }, 200);
      } catch (e) {
        return errorProblem(c, e) as never;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/workloads',
      summary: 'Apply a workload: create it, or update it (a spec change is a new generation, rolled out)',
      request: { body: { required: true, content: json(ApplyRequest) } },
      responses: {
        200: { description: 'updated (or unchanged)', content: json(Workload) },
        201: { description: 'created', content: json(Workload) },
        ...errors,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      let r;
      try {
        r = control.applyWorkload(body.spec, body.revision);
      } catch (e) {
        return errorProblem(c, e, e instanceof SpecError ? 'spec.' : '') as never;
      }
      await ctx.persist();
      return r.created ? c.json(r.resource, 201) : c.json(r.resource, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/workloads/{name}',
      summary: 'One workload: spec, revision, generation and status',
      request: { params: NameParam },
      responses: { 200: { description: 'the workload', content: json(Workload) }, 401: errors[401], 404: errors[404] },
    }),
    (c) => {
      try {
        return c.json(control.getWorkload(c.req.valid('param').name), 200);
      } catch (e) {
        return errorProblem(c, e) as never;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/workloads/{name}',
      summary: 'Delete a workload: its instances are stopped',
      request: { params: NameParam, query: RevisionQuery },
      responses: { 200: { description: 'deleted', content: json(Deleted) }, 400: errors[400], 401: errors[401], 404: errors[404], 409: errors[409], 503: errors[503] },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      let r;
      try {
        r = control.deleteWorkload(name, c.req.valid('query').revision);
      } catch (e) {
        return errorProblem(c, e) as never;
      }
      await ctx.persist();
      return c.json({ name, revision: r.revision }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/workloads/{name}/scale',
      summary: 'Set the number of replicas',
      request: { params: NameParam, body: { required: true, content: json(ScaleRequest) } },
      responses: { 200: { description: 'scaled', content: json(Workload) }, 400: errors[400], 401: errors[401], 404: errors[404], 409: errors[409], 413: errors[413], 503: errors[503] },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      const body = c.req.valid('json');
      let r;
      try {
        r = control.scaleWorkload(name, body.replicas, body.revision);
      } catch (e) {
        return errorProblem(c, e) as never;
      }
      await ctx.persist();
      return c.json(r, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/workloads/{name}/rollout',
      summary: 'Rollout status: how far the current generation has rolled out',
      request: { params: NameParam },
      responses: { 200: { description: 'rollout status', content: json(Rollout) }, 401: errors[401], 404: errors[404] },
    }),
    (c) => {
      try {
        return c.json(control.rollout(c.req.valid('param').name), 200);
      } catch (e) {
        return errorProblem(c, e) as never;
      }
    },
  );
}
