/** /v1/nodes (list, get, cordon, uncordon, drain), /v1/instances, /v1/endpoints, /v1/events (+ SSE watch), /v1/explain. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ApiError } from '../control.js';
import type { ServeEvent } from '../events.js';
import { streamEvents } from '../event-stream.js';
import { SpecError } from '../cluster-spec.js';
import type { ApiContext } from './app.js';
import { errorProblem, problem } from './problem.js';
import { selectorOf } from './routes-workloads.js';
import { DrainResult, Endpoints, EndpointsList, EventList, ExplainRequest, ExplainResult, IdParam, Instance, InstanceList, NameParam, Node, NodeActionRequest, NodeList, Problem, queryWholeNumber } from './schemas.js';

const problemContent = { 'application/problem+json': { schema: Problem } };
const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });
const e400 = { description: 'invalid request (problem names the field)', content: problemContent };
const e401 = { description: 'no or wrong token', content: problemContent };
const e404 = { description: 'not found', content: problemContent };
const e409 = { description: 'stale revision (problem carries currentRevision)', content: problemContent };
const e410 = { description: 'events after `since` are no longer held: list again and watch from its revision', content: problemContent };
const e413 = { description: 'body too large', content: problemContent };
const e503 = { description: 'replicas on etcd: the change could not be made durable (the store has no quorum, or this replica no longer leads: retry against the leader)', content: problemContent };

/** Most events one GET returns. */
const MAX_EVENTS = 10_000;

export function registerClusterRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  const { control } = ctx;

  // --- nodes -----------------------------------------------------------------------------------
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/nodes',
      summary: 'List nodes with status, capacity and allocation',
      request: { query: z.object({ selector: z.string().optional().meta({ description: 'label selector' }) }) },
      responses: { 200: { description: 'nodes, sorted by name', content: json(NodeList) }, 400: e400, 401: e401 },
    }),
    (c) => {
      try {
        return c.json({ revision: control.events.revision, items: control.listNodes(selectorOf(c.req.valid('query').selector)) }, 200);
      } catch (e) {
        return errorProblem(c, e) as never;
      }
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/nodes/{name}', summary: 'One node', request: { params: NameParam }, responses: { 200: { description: 'the node', content: json(Node) }, 401: e401, 404: e404 } }),
    (c) => {
      try {
        return c.json(control.getNode(c.req.valid('param').name), 200);
      } catch (e) {
        return errorProblem(c, e) as never;
      }
    },
  );
  for (const action of ['cordon', 'uncordon'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/nodes/{name}/${action}`,
        summary: action === 'cordon' ? 'Cordon: the node takes no new instances (kept across restarts)' : 'Uncordon: the node takes new instances again',
        request: { params: NameParam, body: { required: false, content: json(NodeActionRequest) } },
        responses: { 200: { description: 'the node', content: json(Node) }, 400: e400, 401: e401, 404: e404, 409: e409, 413: e413, 503: e503 },
      }),
      async (c) => {
        let r;
        try {
          r = control.cordon(c.req.valid('param').name, action === 'cordon', (c.req.valid('json') as { revision?: number } | undefined)?.revision);
        } catch (e) {
          return errorProblem(c, e) as never;
        }
        await ctx.persist();
        return c.json(r, 200);
      },
    );
  }
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/nodes/{name}/drain',
      summary: 'Drain: cordon the node and evict its instances (each is replaced elsewhere)',
      request: { params: NameParam, body: { required: false, content: json(NodeActionRequest) } },
      responses: { 200: { description: 'the node and how many instances were evicted', content: json(DrainResult) }, 400: e400, 401: e401, 404: e404, 409: e409, 413: e413, 503: e503 },
    }),
    async (c) => {
      let r;
      try {
        r = control.drain(c.req.valid('param').name, (c.req.valid('json') as { revision?: number } | undefined)?.revision);
      } catch (e) {
        return errorProblem(c, e) as never;
      }
      await ctx.persist();
      return c.json(r, 200);
    },
  );

  // --- instances -------------------------------------------------------------------------------
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/instances',
      summary: 'List instances with status, node, containers, restarts and last exit',
      request: {
        query: z.object({
          workload: z.string().optional(),
          node: z.string().optional(),
          status: z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown', 'Terminating']).optional(),
        }),
      },
      responses: { 200: { description: 'instances in creation order', content: json(InstanceList) }, 400: e400, 401: e401 },
    }),
    (c) => {
      const q = c.req.valid('query');
      return c.json({ revision: control.events.revision, items: control.listInstances({ ...(q.workload !== undefined ? { workload: q.workload } : {}), ...(q.node !== undefined ? { node: q.node } : {}), ...(q.status !== undefined ? { status: q.status } : {}) }) }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/instances/{id}', summary: 'One instance', request: { params: IdParam }, responses: { 200: { description: 'the instance', content: json(Instance) }, 401: e401, 404: e404 } }),
    (c) => {
      try {
        return c.json(control.getInstance(c.req.valid('param').id), 200);
      } catch (e) {
        return errorProblem(c, e) as never;
      }
    },
  );

  // --- endpoints (docs/networking.md) -----------------------------------------------------------
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/endpoints',
      summary: "Every workload's endpoints: IP:PORT of its running instances (with a pod network)",
      responses: { 200: { description: 'one entry per workload, by name', content: json(EndpointsList) }, 401: e401 },
    }),
    (c) => c.json({ revision: control.events.revision, items: control.listEndpoints() }, 200),
  );
  app.openapi(
    createRoute({ method: 'get', path: '/v1/endpoints/{name}', summary: "A workload's endpoints", request: { params: NameParam }, responses: { 200: { description: 'its endpoints', content: json(Endpoints) }, 401: e401, 404: e404 } }),
    (c) => {
      try {
        return c.json(control.getEndpoints(c.req.valid('param').name), 200);
      } catch (e) {
        return errorProblem(c, e) as never;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/instances/{id}/logs',
      summary: 'A container\'s output so far (docker and oci backends)',
      request: {
        params: IdParam,
        query: z.object({ container: z.string().optional().meta({ description: 'default: the first container' }), tail: queryWholeNumber(0, 100_000).optional() }),
      },
      responses: {
        200: { description: 'output lines', content: json(z.object({ instance: z.string(), container: z.string(), lines: z.array(z.string()) }).openapi('Logs')) },
        400: e400,
        401: e401,
        404: e404,
        409: { description: 'the container does not exist yet', content: problemContent },
        501: { description: 'the sim backend: simulated containers write no output', content: problemContent },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      try {
        return c.json(await control.logs(c.req.valid('param').id, q.container, q.tail), 200);
      } catch (e) {
        return errorProblem(c, e) as never;
      }
    },
  );

  // --- events ----------------------------------------------------------------------------------
  const EventsQuery = z.object({
    since: queryWholeNumber(0).optional().meta({ description: 'events after this revision (default 0: all held)' }),
    limit: queryWholeNumber(1, MAX_EVENTS).optional().meta({ description: `at most this many (default and max ${MAX_EVENTS})` }),
    workload: z.string().optional().meta({ description: 'only events about this workload' }),
  });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events',
      summary: 'Events after a revision, oldest first',
      request: { query: EventsQuery },
      responses: { 200: { description: 'events', content: json(EventList) }, 400: e400, 401: e401, 410: e410 },
    }),
    (c) => {
      const q = c.req.valid('query');
      const since = q.since ?? 0;
      const r = control.events.since(since, q.workload === undefined ? q.limit ?? MAX_EVENTS : Number.MAX_SAFE_INTEGER);
      if (r.gone) return gone(c, since) as never;
      const events = q.workload === undefined ? r.events : r.events.filter((e) => e.data.workload === q.workload).slice(0, q.limit ?? MAX_EVENTS);
      return c.json({ revision: control.events.revision, events }, 200);
    },
  );
  const gone = (c: Parameters<typeof problem>[0], since: number) =>
    problem(c, 410, `events after revision ${since} are no longer held (oldest: ${control.events.oldest}); list again and watch from its revision`, { oldestRevision: control.events.oldest, field: 'since' });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/watch',
      summary: 'Watch events as Server-Sent Events, resuming after `since` or the Last-Event-ID header; each event\'s SSE id is its revision',
      request: {
        query: z.object({
          since: queryWholeNumber(0).optional().meta({ description: 'resume after this revision (default: Last-Event-ID, else now)' }),
          workload: z.string().optional().meta({ description: 'only events about this workload' }),
        }),
      },
      responses: {
        200: { description: 'an SSE stream: `id: REV`, `data: Event` (JSON)', content: { 'text/event-stream': { schema: z.string() } } },
        400: e400,
        401: e401,
        410: e410,
      },
    }),
    (c) => {
      const q = c.req.valid('query');
      const lastId = c.req.header('last-event-id');
      const fromHeader = lastId !== undefined && /^\d+$/.test(lastId) ? Number(lastId) : undefined;
      const since = q.since ?? fromHeader ?? control.events.revision;
      const backlog = control.events.since(since, Number.MAX_SAFE_INTEGER);
      if (backlog.gone) return gone(c, since) as never;
      const want = (e: ServeEvent) => q.workload === undefined || e.data.workload === q.workload;
      return streamEvents(c, {
        since,
        backlog: backlog.events,
        want,
        follow: (push) => control.events.subscribe((e) => push([e])),
        shutdown: ctx.shutdown,
      }) as never;
    },
  );

  // --- explain ---------------------------------------------------------------------------------
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/explain',
      summary: 'Why is an instance pending, or where would a spec go: every filter verdict and score per node',
      request: { body: { required: true, content: json(ExplainRequest) } },
      responses: { 200: { description: 'the explain report', content: json(ExplainResult) }, 400: e400, 401: e401, 404: e404, 413: e413 },
    }),
    (c) => {
      const body = c.req.valid('json');
      try {
        if ((body.workload === undefined) === (body.spec === undefined)) throw new ApiError(400, 'Bad Request', 'give exactly one of workload (a name) and spec (a workload spec)', { field: 'workload' });
        return c.json(control.explain(body) as unknown as z.infer<typeof ExplainResult>, 200);
      } catch (e) {
        return errorProblem(c, e, e instanceof SpecError ? 'spec.' : '') as never;
      }
    },
  );
}
