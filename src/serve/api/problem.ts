/**
 * RFC 9457 problem details: every error the API returns is `application/problem+json` with a
 * one-line `detail`, and `field` when a field is at fault. Never a stack trace.
 */
import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { ApiError } from '../control.js';
import { SpecError } from '../cluster-spec.js';

const TITLES: Readonly<Record<number, string>> = {
  307: 'Temporary Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  field?: string;
  currentRevision?: number;
  oldestRevision?: number;
  /** Replicas on etcd: the leader's URL (null while none is elected) on 307 and 503 from a follower. */
  leader?: string | null;
}

export function problemBody(status: number, detail: string, extra: Partial<ProblemBody> = {}, path?: string): ProblemBody {
  return { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, ...(path !== undefined ? { instance: path } : {}), ...extra };
}

export function problem(c: Context, status: number, detail: string, extra: Partial<ProblemBody> = {}, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problemBody(status, detail, extra, c.req.path)), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

/** `spec.containers[0].image` from a zod path. */
export function pathText(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? String(seg) : `.${String(seg)}`;
  return out;
}

/** A request that failed its schema: 400 naming the first field. */
export function validationProblem(c: Context, error: ZodError, where: string): Response {
  const iss = error.issues[0];
  const field = pathText(iss.path);
  const detail = field === '' ? `${where}: ${iss.message}` : `${field}: ${iss.message}`;
  return problem(c, 400, detail, field === '' ? {} : { field });
}

/** Maps errors thrown by handlers to problems; anything unexpected is a 500 without internals. */
/** What an ApiError adds to its problem (the field, the current or oldest revision). */
export function apiErrorExtra(e: ApiError): Partial<ProblemBody> {
  const { field, currentRevision, oldestRevision } = e.extra as { field?: string; currentRevision?: number; oldestRevision?: number };
  return {
    ...(field !== undefined ? { field } : {}),
    ...(currentRevision !== undefined ? { currentRevision } : {}),
    ...(oldestRevision !== undefined ? { oldestRevision } : {}),
  };
}

export function errorProblem(c: Context, e: unknown, fieldPrefix = ''): Response {
  if (e instanceof ApiError) {
    // An overloaded daemon says when to try again (RFC 9110 Retry-After, in seconds).
    const retryAfter = (e.extra as { retryAfter?: number }).retryAfter;
    return problem(c, e.status, e.message, apiErrorExtra(e), typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {});
  }
  if (e instanceof SpecError) {
    const field = e.field === '' ? fieldPrefix.replace(/\.$/, '') : `${fieldPrefix}${e.field}`;
    const detail = e.field !== '' ? `${fieldPrefix}${e.message}` : field !== '' ? `${field}: ${e.message}` : e.message;
    return problem(c, 400, detail, field !== '' ? { field } : {});
  }
  return problem(c, 500, 'internal error (see the daemon\'s log)');
}

/** What a query parameter that must be a whole number in [min, max] is told when it is not (the follower's reads say the same). */
export function wholeNumberExpected(min: number, max: number | undefined, got: string): string {
  return `expected an integer ${max === undefined ? `≥ ${min}` : `from ${min} to ${max}`}, got ${JSON.stringify(got)}`;
}
