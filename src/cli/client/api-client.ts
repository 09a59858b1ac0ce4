/**
 * The CLI's HTTP client for a running daemon. Where it connects, in order: --server, then
 * SLIPWAY_SERVER, then the config's `server`, else http://<listen> (the config's, default
 * 127.0.0.1:7420). The token: --token, SLIPWAY_TOKEN, the config's `token`, else the token file in
 * the state directory (a daemon on this machine).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError } from '../../core/errors.js';
import { loadConfig } from '../../serve/config.js';
import { readTokenFile } from '../../serve/token.js';

export interface ClientFlags {
  readonly server?: string;
  readonly token?: string;
  readonly config?: string;
}

/** The daemon answered with an error (RFC 9457 problem). */
export class ApiFailure extends Error {
  constructor(readonly status: number, readonly problem: { title?: string; detail?: string; field?: string; currentRevision?: number }) {
    super(problem.detail ?? `HTTP ${status}`);
    this.name = 'ApiFailure';
  }
}

export class ApiClient {
  constructor(
    /** The daemon's base URL; becomes the leader's once a follower redirected there. */
    public url: string,
    private readonly token: string | undefined,
    /** Where a retry is announced (one line each; default stderr). */
    private readonly notice: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token !== undefined ? { authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  /** Sends a request; resolves with the parsed JSON body of a 2xx answer, throws ApiFailure otherwise. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.raw(method, path, body);
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!res.ok) throw new ApiFailure(res.status, (parsed as ApiFailure['problem']) ?? { detail: `HTTP ${res.status}` });
    return parsed as T;
  }

  /**
   * The raw response (streams: watch, logs). Connection failures become a one-line Error.
   * An answer 429 or 503 with `Retry-After` (a daemon refusing new work while its control plane
   * catches up, docs/serve.md) is retried after that long, up to MAX_RETRIES times — as
   * Kubernetes' client-go does: such a request was refused, not applied, so sending it again is
   * safe for every method. Each wait is announced on `notice` and ends early with `signal`.
   */
  async raw(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.followed(method, path, body, headers, signal);
      const wait = retryAfterS(res);
      if (wait === undefined || attempt > MAX_RETRIES) return res;
      await res.body?.cancel();
      this.notice(`the daemon answered ${res.status}${res.statusText ? ` ${safe(res.statusText)}` : ''} with Retry-After: retrying ${method} ${safe(path)} in ${wait} s (${attempt} of ${MAX_RETRIES})`);
      await sleep(wait * 1000, undefined, signal ? { signal } : {});
    }
  }

  /**
   * One request, redirects followed.
   * A 307/308 (a follower replica naming its leader, docs/ha.md) is followed here, up to
   * MAX_REDIRECTS hops, with the same method, body and token: fetch's own redirect handling drops
   * the Authorization header when the leader is on another origin (another port is one), so the
   * leader would answer 401. Later requests of the same command go straight to the leader.
   */
  private async followed(method: string, path: string, body: unknown, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<Response> {
    let base = this.url;
    for (let hop = 0; ; hop++) {
      const res = await this.once(base, method, path, body, headers, signal);
      if (res.status !== 307 && res.status !== 308) return res;
      const location = res.headers.get('location');
      if (location === null) return res;
      let next: URL;
      try {
        next = new URL(location, base + path);
      } catch {
        return res;
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new UnreachableError(`${base} redirected to ${safe(location)}, which is not an http(s) address`);
      if (hop >= MAX_REDIRECTS) throw new UnreachableError(`${this.url} redirected more than ${MAX_REDIRECTS} times (last to ${next.origin}): no replica says it leads`);
      await res.body?.cancel();
      const suffix = next.pathname + next.search;
      // The leader's base URL: Location is the leader's address plus the same path.
      base = suffix.endsWith(path) ? next.href.slice(0, next.href.length - path.length).replace(/\/+$/, '') : next.origin;
      this.url = base;
    }
  }

  private async once(base: string, method: string, path: string, body: unknown, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<Response> {
    try {
      return await fetch(base + path, {
        method,
        headers: this.headers({ ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(signal ? { signal } : {}),
        redirect: 'manual',
      });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new UnreachableError(`cannot reach the daemon at ${base}: ${cause?.code ?? cause?.message ?? (e as Error).message} (is slipway serve running? --server, SLIPWAY_SERVER)`);
    }
  }
}

/** Redirects followed per request (a follower names the leader: one hop; an election in between: more). */
export const MAX_REDIRECTS = 5;

/** Retries of a request answered 429/503 with Retry-After (client-go's default), each wait at most MAX_RETRY_WAIT_S. */
export const MAX_RETRIES = 10;
export const MAX_RETRY_WAIT_S = 60;

/** Seconds to wait before sending again, for a 429 or 503 carrying Retry-After (delay-seconds or an IMF-fixdate); undefined otherwise. */
export function retryAfterS(res: Response): number | undefined {
  if (res.status !== 429 && res.status !== 503) return undefined;
  const v = res.headers.get('retry-after')?.trim();
  if (v === undefined || v === '') return undefined;
  if (/^\d+$/.test(v)) return Math.min(Number(v), MAX_RETRY_WAIT_S);
  // An HTTP date in its preferred form (IMF-fixdate, RFC 9110 5.6.7: `Sun, 06 Nov 1994 08:49:37 GMT`).
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, Math.ceil((at - Date.now()) / 1000)), MAX_RETRY_WAIT_S);
}

export class UnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreachableError';
  }
}

export function connect(flags: ClientFlags): ApiClient {
  const config = loadConfig({
    ...(flags.config !== undefined ? { file: flags.config } : {}),
    flags: { ...(flags.server !== undefined ? { server: flags.server } : {}), ...(flags.token !== undefined ? { token: flags.token } : {}) },
  });
  let url = config.server;
  if (url === undefined) {
    const m = /^(.*):(\d+)$/.exec(config.listen)!;
    const host = m[1] === '0.0.0.0' ? '127.0.0.1' : m[1] === '[::]' ? '[::1]' : m[1];
    url = `${config.tls ? 'https' : 'http'}://${host}:${m[2]}`;
  }
  return new ApiClient(url.replace(/\/+$/, ''), config.token ?? readTokenFile(config.state));
}

/**
 * Runs a client command: an error from the daemon prints kubectl-style
 * `Error from server (Conflict): detail` and exits 1 (2 for a request the daemon found invalid);
 * an unreachable daemon exits 1 with one line.
 */
export async function clientCommand(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof ApiFailure) {
      if (e.status === 400 || e.status === 413 || e.status === 422) throw new InputError(`Error from server (${e.problem.title ?? e.status}): ${e.message}`);
      process.stderr.write(`Error from server (${e.problem.title ?? e.status}): ${e.message}\n`);
      return 1;
    }
    if (e instanceof UnreachableError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** Shows untrusted text on a terminal: control characters as \xNN (no escape sequences reach it). */
export function safe(s: unknown): string {
  // eslint-disable-next-line no-control-regex
  return String(s).replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Columns padded to their widest cell (the last one unpadded). */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const all = [header, ...rows].map((r) => r.map(safe));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('   ').trimEnd()).join('\n') + '\n';
}
