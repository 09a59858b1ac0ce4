/**
 * `npm run bench -- api`: the daemon's HTTP API under load, on the sim backend.
 *
 * A real `slipway serve` runs in a child process (its own core) on an ephemeral loopback port with
 * 200 simulated nodes; this process is the load generator (keep-alive HTTP, C requests in flight).
 * 1. create W workloads of R replicas (default 1,000 × 10 = 10,000 instances): applies/s (create);
 * 2. wait until every instance runs;
 * 3. GET one workload, N times, names in a fixed order: GETs/s, p50, p99;
 * 4. list all workloads (W items) and one workload's instances: p50, p99;
 * 5. U spec updates (a new generation each, rolled out by the daemon while the bench runs): applies/s, p50, p99;
 *    then how long after the last acknowledged update every rollout is complete (the control plane
 *    runs behind the API: an apply is answered once durable, as Kubernetes' API server does);
 * 6. K what-ifs (POST /v1/simulate: drain one node, 10-minute horizon) on that cluster: wall time each.
 * 7. once the control plane has caught up with its clock (slipway_control_plane_lag_seconds), at
 *    a fixed rate R (default 500/s, open loop, see `paced`): U (or --paced-updates) more spec
 *    updates on the same cluster, then W/2 creates of new workloads: p50 and p99 at that rate (and
 *    the worst second's p99), the issue's target (≥ 500 applies/s with p99 < 50 ms), where 1–5
 *    measure the daemon flat out. Every phase prints how far the control plane was behind its
 *    clock when it started and ended: one that did not keep up with a phase ends far behind.
 * Besides wall-clock figures each phase prints the CPU time the daemon's process spent per request
 * (from /proc/PID/stat: every thread, including the fsync, GC and what-if worker threads), the
 * CPU time of the daemon's thread alone (/proc/PID/task/TID/stat: HTTP, the API and the control
 * plane share that one thread, so it is what bounds the daemon's rate), and the
 * load average when it started, since the machine may be shared: on a loaded machine CPU time is
 * the steadier figure. Before the timed phases the daemon's idle CPU (the sim pump keeping 10,000
 * instances running) is measured over 2 s, 2 s after every instance runs.
 * Before the timed phases the client opens its C keep-alive connections (3 rounds of GET /readyz).
 * Latencies are measured by the client from sending a request to the end of its answer, with C
 * requests in flight (a closed loop: a stalled daemon also delays the next requests, so stalls
 * count once per waiting request, not per request that would have been sent meanwhile).
 * Every loop is bounded by its count; the whole run by --timeout.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ApiBenchOptions {
  readonly workloads: number;
  readonly replicas: number;
  readonly gets: number;
  readonly lists: number;
  readonly updates: number;
  readonly concurrency: number;
  /** What-ifs (POST /v1/simulate) timed at the end (HTTP bench only). */
  readonly simulates?: number;
  readonly timeoutS: number;
  /** --in-process: one CPU profile per phase here; over HTTP: the daemon's profile of its whole run (chrome://inspect, speedscope). */
  readonly profileDir?: string;
  /** --latencies DIR: each phase's latencies, in the order the requests were sent, to DIR/PHASE.txt (where in a phase the slow requests were). */
  readonly latenciesDir?: string;
  /** Applies per second of the paced (open-loop) phases at the end; 0 skips them. */
  readonly rate?: number;
  /** Updates in the paced phase (default `updates`): `rate` × seconds, to hold the rate for longer than the flat-out phase's count. */
  readonly pacedUpdates?: number;
  /** The daemon's `--speed` (virtual time × N; default 20, so 10,000 instances converge in seconds). */
  readonly speed?: number;
  /** Node.js/V8 flags for the daemon's process (--node-flag; e.g. a GC setting to compare). */
  readonly nodeFlags?: readonly string[];
  /** Where the daemon's stdout goes (e.g. V8's `--trace-gc` lines, with nodeFlags); else nowhere. */
  readonly daemonStdout?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The paced phases' bound on requests waiting at once (the loop stays bounded if the daemon stops answering). */
const PACED_IN_FLIGHT = 512;
/**
 * A request unanswered this long (its connection silent; the slowest, a what-if, takes seconds)
 * fails the run with what the daemon says about it, instead of waiting for --timeout or the
 * caller's kill (which left the daemon running and said nothing).
 */
const REQUEST_SILENT_MS = 60_000;

interface Res {
  status: number;
  body: string;
}

interface Phase {
  readonly s: number;
  readonly lat: number[];
  /** The daemon's garbage-collection pauses during the phase: total ms, and how many lasted over 25 ms (they hold every request). */
  readonly gcMs: number;
  readonly gcLong: number;
  /** The longest this process's own event loop was held up during the phase (its requests went out that much late). */
  readonly clientStallMs: number;
  /** This process's own longest GC pause during the phase, and how often the OS took its CPU away (involuntary context switches): what a client stall was. */
  readonly clientGcMaxMs: number;
  readonly clientPreempted: number;
  /** Paced phases: each latency counted from when the request was actually sent, not from when it was due (sorted). */
  readonly fromSend?: number[];
  /** The latencies in the order the requests were sent (for --latencies). */
  readonly inOrder: number[];
  /** How far the daemon's simulated cluster was behind the wall clock (slipway_control_plane_lag_seconds) when the phase started and ended: a control plane that did not keep up with the phase ends far behind. */
  readonly lag0S: number;
  readonly lag1S: number;
  /** Paced phases: requests the daemon refused with 503 (overload: its control plane too far behind to take more work). */
  readonly refused?: number;
  readonly serverCpuS: number;
  /** The daemon's main thread only: HTTP, the API and the control plane share it (GC helpers and fsync run beside it). */
  readonly mainCpuS: number;
  readonly clientCpuS: number;
  readonly load1: number;
}

/**
 * CPU seconds (user + system) of a process so far, every thread, from /proc (Linux); NaN
 * elsewhere. `thread`: of that one thread only (the main thread's id is the process id).
 */
export function processCpuS(pid: number, thread?: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
/** The thread of `pid` that has used the most CPU so far (Linux); the pid itself elsewhere. */
export function busiestThread(pid: number): number {
  try {
    let best = pid;
    let most = -1;
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const cpu = processCpuS(pid, Number(t));
      if (cpu > most) [best, most] = [Number(t), cpu];
    }
    return best;
  } catch {
    return pid;
  }
}

/** sysconf(_SC_CLK_TCK): 100 on Linux (every architecture Node supports). */
const CLOCK_TICKS = 100;

/** How close (wall s) the daemon's simulated cluster must be to its clock before the paced phases (twice API_SHARE.behindMs). */
const CAUGHT_UP_S = 0.2;

/** The highest p99 of the consecutive windows of `perWindow` latencies (in send order; a paced phase's second each). */
export function worstWindowP99(inOrder: readonly number[], perWindow: number): number {
  let worst = NaN;
  for (let at = 0; at + perWindow <= inOrder.length; at += perWindow) {
    const p = percentile(inOrder.slice(at, at + perWindow).sort((a, b) => a - b), 99);
    if (!(p <= worst)) worst = p;
  }
  return worst;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function benchApi(o: ApiBenchOptions): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-api-'));
  const nodes = 200;
  const speed = o.speed ?? 20;
  writeFileSync(
    join(dir, 'slipway.yaml'),
    `listen: 127.0.0.1:0\nstate: ${join(dir, 'state')}\nbackend: sim\nspeed: ${speed}\ntoken: bench-token-0123456789abcdef\nnodes:\n  - {name: "node-{i:3}", count: ${nodes}, capacity: {cpu: 64, memory: 256Gi}}\n`,
  );
  // --cpu-profile DIR: the daemon writes a V8 CPU profile of its whole run there when it exits.
  const prof = o.profileDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', o.profileDir] : [];
  const stdout = o.daemonStdout !== undefined ? openSync(o.daemonStdout, 'w') : 'ignore';
  const child = spawn(process.execPath, [...(o.nodeFlags ?? []), ...prof, join(here, '..', 'bin', 'slipway.js'), 'serve', '--config', join(dir, 'slipway.yaml')], { stdio: ['ignore', stdout, 'pipe'] });
  if (typeof stdout === 'number') closeSync(stdout); // the child has its own copy
  // Also when this process dies without unwinding (an uncaught error in a request's callback):
  // the daemon must not outlive its bench (it holds a core and its temporary directory).
  // Or is stopped by a signal (`timeout`, kill): Ctrl-C reaches the daemon itself, SIGTERM only this.
  /** Set when this bench stops the daemon (an exit before that is a crash, reported). */
  let closing = false;
  const orphan = () => child.kill('SIGTERM');
  // SIGTERM: the daemon is stopped and, once it has exited (or after 5 s), the temporary directory goes too.
  const stopped = () => {
    closing = true;
    orphan();
    const done = () => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(143);
    };
    if (child.exitCode !== null || child.signalCode !== null) done();
    child.once('exit', done);
    setTimeout(done, 5_000).unref();
  };
  process.once('exit', orphan);
  process.once('SIGTERM', stopped);
  const deadline = Date.now() + o.timeoutS * 1000;
  try {
    let err = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr!.on('data', (b: Buffer) => {
        // What the daemon says is kept (its last 64 KiB) to be shown if it dies.
        err = (err + b.toString()).slice(-65_536);
        const m = /listening on (http:\/\/\S+)/.exec(err);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`slipway serve exited ${code}: ${err}`)));
    });
    // A daemon that dies mid-phase shows up as a reset connection: say why, once, before that error.
    child.once('exit', (code, signal) => {
      if (!closing) process.stderr.write(`bench api: the daemon exited (${signal ?? `code ${code}`}) while the bench ran; its stderr:\n${err}\n`);
    });
    const { hostname, port } = new URL(url);
    // `timeout`: a pooled socket idle for 4 s is closed by this side, before the daemon's keep-alive
    // timeout (Node's 5 s) closes it: a burst that takes a socket the daemon is closing at that
    // moment fails with ECONNRESET (seen as a bench crash at a paced phase's first stall).
    const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency, timeout: 4_000 });
    const headersOf = (data: string | undefined) => ({ authorization: 'Bearer bench-token-0123456789abcdef', ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}) });
    /**
     * What the daemon says while a request goes unanswered, on a connection of its own: how many
     * requests it counts in flight, and its whole /metrics saved beside the temporary directory.
     */
    const diagnose = (): Promise<string> =>
      new Promise((resolve) => {
        const req = request({ host: hostname, port: Number(port), method: 'GET', path: '/metrics', agent: false, headers: headersOf(undefined), timeout: 5000 }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            const file = `${dir}.hung-metrics.txt`;
            writeFileSync(file, text);
            const inFlight = /^slipway_api_requests_in_flight (\d+)$/m.exec(text)?.[1] ?? '?';
            resolve(`the daemon counts ${inFlight} requests in flight; its /metrics: ${file}`);
          });
        });
        req.on('timeout', () => req.destroy(new Error('no answer in 5 s')));
        req.on('error', (e) => resolve(`its /metrics did not answer either (${e.message}): the daemon is stuck`));
        req.end();
      });
    const call = (method: string, path: string, body?: unknown): Promise<Res> =>
      new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : JSON.stringify(body);
        const req = request({ host: hostname, port: Number(port), method, path, agent, headers: headersOf(data) }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        });
        req.on('error', reject);
        // The socket's own idle timer (no timer per request): it starts once the request has a connection.
        req.setTimeout(REQUEST_SILENT_MS, () => {
          const port = req.socket?.localPort;
          void diagnose().then((said) => req.destroy(new Error(`bench api: ${method} ${path}${data ? ` ${data.slice(0, 40)}…` : ''} unanswered after ${REQUEST_SILENT_MS / 1000} s on the connection from port ${port}; ${said}`)));
        });
        req.end(data);
      });
    const pid = child.pid!;
    // The daemon runs on a thread of the serve process (src/cli/serve-thread.ts); its main thread
    // only waits for signals. That thread is the busiest one once the daemon is up (it loaded the
    // daemon and built the cluster): its CPU is what bounds the daemon's rate.
    const tid = busiestThread(pid);
    /** Times `run` (which fills `lat`, n latencies in ms): wall seconds, the latencies sorted and in order, the daemon's and this process's CPU seconds, and the load average at the start. */
    /** The daemon's GC pauses so far (its /metrics, prom-client's nodejs_gc_duration_seconds, every kind): total seconds, and how many lasted over 25 ms. */
    const gcNow = async (): Promise<{ s: number; long: number; lagS: number }> => {
      const text = (await call('GET', '/metrics')).body;
      const lagS = Number(/^slipway_control_plane_lag_seconds ([\d.e+-]+)$/m.exec(text)?.[1] ?? NaN);
      let sum = 0;
      let count = 0;
      let short = 0;
      for (const m of text.matchAll(/^nodejs_gc_duration_seconds_(sum|count|bucket)\{(?:le="([^"]+)",)?kind="[^"]+"\} ([\d.e+-]+)$/gm)) {
        if (m[1] === 'sum') sum += Number(m[3]);
        else if (m[1] === 'count') count += Number(m[3]);
        else if (m[2] === '0.025') short += Number(m[3]);
      }
      return { s: sum, long: count - short, lagS };
    };
    const measure = async (n: number, run: (lat: number[], fromSend: number[]) => Promise<void>): Promise<Phase> => {
      const gc0 = await gcNow();
      const lat: number[] = new Array(n);
      const fromSend: number[] = [];
      const load1 = loadavg()[0];
      const server0 = processCpuS(pid);
      const main0 = processCpuS(pid, tid);
      const client0 = process.cpuUsage();
      const loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      let clientGcMaxMs = 0;
      const gcs = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) clientGcMaxMs = Math.max(clientGcMaxMs, e.duration);
      });
      gcs.observe({ entryTypes: ['gc'] });
      const switches0 = process.resourceUsage().involuntaryContextSwitches;
      const t0 = performance.now();
      await run(lat, fromSend);
      const s = (performance.now() - t0) / 1000;
      loop.disable();
      const clientPreempted = process.resourceUsage().involuntaryContextSwitches - switches0;
      // GC entries are delivered on a later turn.
      await new Promise((r) => setImmediate(r));
      gcs.disconnect();
      const c = process.cpuUsage(client0);
      const gc1 = await gcNow();
      return { s, gcMs: (gc1.s - gc0.s) * 1000, gcLong: gc1.long - gc0.long, clientStallMs: loop.max / 1e6, clientGcMaxMs, clientPreempted, ...(fromSend.length > 0 ? { fromSend: fromSend.sort((a, b) => a - b) } : {}), inOrder: [...lat], lag0S: gc0.lagS, lag1S: gc1.lagS, lat: lat.sort((a, b) => a - b), serverCpuS: processCpuS(pid) - server0, mainCpuS: processCpuS(pid, tid) - main0, clientCpuS: (c.user + c.system) / 1e6, load1 };
    };
    const check = (i: number, r: Res, want: number[]) => {
      if (!want.includes(r.status)) throw new Error(`request ${i}: HTTP ${r.status}: ${r.body.slice(0, 200)}`);
    };
    /** Runs `n` requests, `concurrency` at a time (a closed loop: each client sends its next request when its last one is answered); latency from send to answer. */
    const load = (n: number, make: (i: number) => Promise<Res>, want: number[], concurrency = o.concurrency): Promise<Phase> =>
      measure(n, async (lat) => {
        let next = 0;
        const worker = async () => {
          while (next < n) {
            if (Date.now() > deadline) throw new Error('bench api: --timeout reached');
            const i = next++;
            const t = performance.now();
            const r = await make(i);
            lat[i] = performance.now() - t;
            check(i, r, want);
          }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
      });
    /**
     * Runs `n` requests at `rate` per second on a fixed schedule (an open loop, as wrk2 and vegeta
     * load a server): request i is due at start + i/rate whatever the answers before it, and its
     * latency counts from when it was due, so a stalled daemon is charged for every request that
     * waited (no coordinated omission). The requests share the C keep-alive connections: one due
     * while all C are busy waits here for a free one, and that wait counts too. At most
     * PACED_IN_FLIGHT wait at once.
     */
    const paced = async (n: number, rate: number, make: (i: number) => Promise<Res>, want: number[]): Promise<Phase> => {
      // An overloaded daemon refuses work with 503 (ClusterControl.refuseWhileBehind): counted, not a failure.
      let refused = 0;
      const r = await measure(n, async (lat, fromSend) => {
        const start = performance.now();
        let inFlight = 0;
        let freed: (() => void) | undefined;
        let failed: unknown;
        const sent: Array<Promise<void>> = [];
        for (let i = 0; i < n; i++) {
          if (Date.now() > deadline) throw new Error('bench api: --timeout reached');
          const due = start + (i * 1000) / rate;
          const wait = due - performance.now();
          if (wait >= 1) await new Promise((res) => setTimeout(res, wait));
          while (inFlight >= PACED_IN_FLIGHT && failed === undefined) await new Promise<void>((res) => (freed = res));
          if (failed !== undefined) {
            // The requests still out are dropped (their failures too): the first failure is the run's.
            for (const p of sent) p.catch(() => {});
            throw failed;
          }
          inFlight++;
          const sentAt = performance.now();
          sent.push(
            make(i)
              .then((r) => {
                const now = performance.now();
                lat[i] = now - due;
                fromSend[i] = now - sentAt;
                if (r.status === 503 && /behind/.test(r.body)) refused++;
                else check(i, r, want);
              })
              .catch((e: unknown) => {
                failed ??= e;
                throw e;
              })
              .finally(() => {
                // Answered or failed, it no longer waits: the loop goes on (or stops at a failure).
                inFlight--;
                freed?.();
                freed = undefined;
              }),
          );
        }
        await Promise.all(sent);
      });
      return { ...r, refused };
    };
    const spec = (i: number, gen = 0) => ({
      name: `w${String(i).padStart(4, '0')}`,
      replicas: o.replicas,
      labels: { app: `a${i % 10}` },
      containers: [{ name: 'c', image: 'nginx:1', env: { GEN: String(gen) }, requests: { cpu: '100m', memory: '64Mi' } }],
    });
    /**
     * The idle daemon's CPU per wall second (measured once every instance runs): the sim pump and
     * control loops keeping the cluster, which run at `speed` × real time whatever the requests do.
     * `net` subtracts it from a phase, so requests are not charged for the ×20 background.
     */
    let idleCpuPerS: number | undefined;
    const rate = o.rate ?? 500;
    /** `load`: how the requests were sent (default: C in flight, closed loop). */
    const fmt = (what: string, r: Phase, n: number, load = `concurrency=${Math.min(n, o.concurrency)}`) => {
      if (o.latenciesDir !== undefined) {
        mkdirSync(o.latenciesDir, { recursive: true });
        writeFileSync(join(o.latenciesDir, `${what.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '')}.txt`), r.inOrder.map((x, i) => `${i} ${x.toFixed(2)}\n`).join(''));
      }
      const net = idleCpuPerS === undefined ? undefined : Math.max(0, r.serverCpuS - idleCpuPerS * r.s);
      console.log(
        `api ${what}: n=${n} ${load} wall_s=${r.s.toFixed(2)} per_s=${Math.round(n / r.s)} p50_ms=${percentile(r.lat, 50).toFixed(2)} p99_ms=${percentile(r.lat, 99).toFixed(2)}` +
          // Paced: the same counted from the actual send; far below p99_ms only when the client itself sent late (client_stall_max_ms).
          (r.fromSend !== undefined ? ` p99_from_send_ms=${percentile(r.fromSend, 99).toFixed(2)}` : '') +
          // Paced for 2 s or more: the worst p99 of any second of it (a phase's p99 over a minute hides a bad second).
          (r.fromSend !== undefined && rate > 0 && n >= 2 * rate ? ` worst_1s_p99_ms=${worstWindowP99(r.inOrder, rate).toFixed(2)}` : '') +
          ` control_plane_lag_s=${r.lag0S.toFixed(2)}->${r.lag1S.toFixed(2)}` +
          (r.refused !== undefined ? ` refused_503=${r.refused}` : '') +
          ` server_cpu_ms_per_req=${((r.serverCpuS * 1000) / n).toFixed(3)} (${Math.round(n / r.serverCpuS)}/s of daemon CPU)` +
          ` daemon_thread_cpu_ms_per_req=${((r.mainCpuS * 1000) / n).toFixed(3)} (${Math.round(n / r.mainCpuS)}/s of its thread)` +
          (net !== undefined ? ` net_cpu_ms_per_req=${((net * 1000) / n).toFixed(3)} (${Math.round(n / net)}/s above the idle daemon)` : '') +
          ` client_cpu_ms_per_req=${((r.clientCpuS * 1000) / n).toFixed(3)} daemon_gc_ms=${r.gcMs.toFixed(0)} daemon_gc_pauses_over_25ms=${r.gcLong} client_stall_max_ms=${r.clientStallMs.toFixed(0)} client_gc_max_ms=${r.clientGcMaxMs.toFixed(0)} client_preempted=${r.clientPreempted} load1=${r.load1.toFixed(1)}`,
      );
    };

    /** The daemon's CPU (all threads, main thread) now: a phase's cost through its convergence is taken from here. */
    const cpuNow = () => ({ all: processCpuS(pid), main: processCpuS(pid, tid), t: performance.now() });
    /**
     * CPU per apply from `at` (a phase's start) until now, the control plane's catching up
     * included (and the convergence polls: a list of every workload each); `net` subtracts the
     * idle daemon's background over that time, once it is known.
     */
    const through = (at: { all: number; main: number; t: number }, n: number) => {
      const c = cpuNow();
      const bg = idleCpuPerS === undefined ? undefined : (idleCpuPerS * (c.t - at.t)) / 1000;
      return (
        `daemon_cpu_ms_per_apply_through_convergence=${(((c.all - at.all) * 1000) / n).toFixed(3)} daemon_thread=${(((c.main - at.main) * 1000) / n).toFixed(3)}` +
        (bg !== undefined ? ` net_of_idle=${(((c.all - at.all - bg) * 1000) / n).toFixed(3)}` : '')
      );
    };
    // Not timed: the client opens its C keep-alive connections and runs its own request code once
    // (its first requests took up to 100 ms more on this side, connection setup and code not yet
    // compiled in this process, which the daemon's latency must not be charged with).
    for (let round = 0; round < 3; round++) await Promise.all(Array.from({ length: o.concurrency }, () => call('GET', '/readyz')));
    const createdAt = cpuNow();
    const created = await load(o.workloads, (i) => call('POST', '/v1/workloads', { spec: spec(i) }), [201]);
    fmt('apply(create)', created, o.workloads);
    const want = o.workloads * o.replicas;
    const t0 = performance.now();
    for (;;) {
      const r = JSON.parse((await call('GET', '/v1/workloads')).body) as { items: Array<{ status: { running: number } }> };
      const running = r.items.reduce((a, w) => a + w.status.running, 0);
      if (running >= want) break;
      if (Date.now() > deadline) throw new Error(`bench api: only ${running}/${want} instances running at --timeout`);
      await new Promise((res) => setTimeout(res, 500));
    }
    console.log(`api converge: instances=${want} nodes=${nodes} wall_s=${((performance.now() - t0) / 1000).toFixed(2)} (every instance running, counted from the last create's acknowledgement; sim ×${speed}) ${through(createdAt, o.workloads)}`);
    // The control plane's tail after the last instance runs (endpoints, the scheduler re-reading the
    // nodes in idle time) is not idle: it settles for 2 s first.
    await new Promise((res) => setTimeout(res, 2000));
    const idle0 = processCpuS(pid);
    const idleT0 = performance.now();
    await new Promise((res) => setTimeout(res, 2000));
    idleCpuPerS = (processCpuS(pid) - idle0) / ((performance.now() - idleT0) / 1000);
    console.log(`api idle: daemon_cpu_share=${(idleCpuPerS * 100).toFixed(1)}% of one core over 2 s (the sim pump and control loops with ${want} instances at ×${speed}; load1=${loadavg()[0].toFixed(1)})`);
    const gets = await load(o.gets, (i) => call('GET', `/v1/workloads/w${String((i * 7919) % o.workloads).padStart(4, '0')}`), [200]);
    fmt('get(workload)', gets, o.gets);
    const lists = await load(o.lists, () => call('GET', '/v1/workloads'), [200]);
    fmt(`list(${o.workloads} workloads)`, lists, o.lists);
    const instLists = await load(o.gets, (i) => call('GET', `/v1/instances?workload=w${String((i * 7919) % o.workloads).padStart(4, '0')}`), [200]);
    fmt(`list(instances of a workload)`, instLists, o.gets);
    const updatedAt = cpuNow();
    const updates = await load(o.updates, (i) => call('POST', '/v1/workloads', { spec: spec(i % o.workloads, 1 + Math.floor(i / o.workloads)) }), [200]);
    fmt('apply(update: new generation)', updates, o.updates);
    // How far the control plane is behind the acknowledged applies: every rollout complete.
    const u0 = performance.now();
    for (;;) {
      const r = JSON.parse((await call('GET', '/v1/workloads')).body) as { items: Array<{ status: { desired: number; updated: number; running: number; terminating: number } }> };
      const behind = r.items.filter((w) => w.status.updated !== w.status.desired || w.status.running !== w.status.desired || w.status.terminating > 0).length;
      if (behind === 0) break;
      if (Date.now() > deadline) throw new Error(`bench api: ${behind} rollouts unfinished at --timeout`);
      await new Promise((res) => setTimeout(res, 100));
    }
    console.log(`api converge(updates): every rollout complete ${((performance.now() - u0) / 1000).toFixed(2)} s after the last update was acknowledged (sim ×${speed}) ${through(updatedAt, o.updates)}`);
    const k = o.simulates ?? 0;
    if (k > 0) {
      const body = { changes: [{ kind: 'drain', node: 'node-001' }], horizon: '10m' };
      const walls: number[] = [];
      let cpu = 0;
      let last: { converged?: boolean; placements?: unknown[] } = {};
      for (let i = 0; i < k; i++) {
        const server0 = processCpuS(pid);
        const t = performance.now();
        const r = await call('POST', '/v1/simulate', body);
        walls.push(performance.now() - t);
        cpu += processCpuS(pid) - server0;
        if (r.status !== 200) throw new Error(`POST /v1/simulate: HTTP ${r.status}: ${r.body.slice(0, 200)}`);
        last = JSON.parse(r.body) as typeof last;
      }
      const sorted = [...walls].sort((a, b) => a - b);
      console.log(
        `api simulate(drain, 10m horizon, ${want} instances on ${nodes} nodes, while the rollouts above finish): n=${walls.length} wall_ms=${walls.map((w) => Math.round(w)).join(',')} median_ms=${Math.round(sorted[Math.floor(sorted.length / 2)])}` +
          ` server_cpu_ms_per_req=${((cpu * 1000) / walls.length).toFixed(0)} converged=${String(last.converged)} placements=${last.placements?.length ?? '-'}`,
      );
    }
    // The issue's target is a rate with a latency: applies at a fixed rate, open loop (see `paced`).
    // The closed-loop phases above run the daemon flat out, where latency is mostly queueing
    // (C requests in flight / requests per second); these ask for `rate` per second and time each.
    if (rate > 0) {
      // A steady rate from a steady state: the flat-out phases above leave the control plane behind
      // its clock (the backlog it works off after the API has answered); the paced phases start once
      // it has caught up, so they time the rate itself, not the rate on top of that backlog.
      const c0 = performance.now();
      let lag = NaN;
      for (;;) {
        lag = (await gcNow()).lagS;
        if (!(lag > CAUGHT_UP_S)) break;
        if (Date.now() > deadline) throw new Error(`bench api: the control plane still ${lag.toFixed(1)} s behind its clock at --timeout`);
        await new Promise((res) => setTimeout(res, 100));
      }
      console.log(`api caught up: the control plane within ${CAUGHT_UP_S} s of its clock after ${((performance.now() - c0) / 1000).toFixed(2)} s (control_plane_lag_s=${lag.toFixed(2)})`);
      const gen0 = 1 + Math.ceil(o.updates / o.workloads);
      const pacedUpdates = o.pacedUpdates ?? o.updates;
      const pu = await paced(pacedUpdates, rate, (i) => call('POST', '/v1/workloads', { spec: spec(i % o.workloads, gen0 + Math.floor(i / o.workloads)) }), [200]);
      fmt(`apply(update: new generation) at ${rate}/s`, pu, pacedUpdates, 'open_loop');
      const extra = Math.ceil(o.workloads / 2);
      const pc = await paced(extra, rate, (i) => call('POST', '/v1/workloads', { spec: spec(o.workloads + i) }), [201]);
      fmt(`apply(create) at ${rate}/s (${extra} more workloads, ${extra * o.replicas} more instances)`, pc, extra, 'open_loop');
    }
  } finally {
    process.removeListener('exit', orphan);
    process.removeListener('SIGTERM', stopped);
    closing = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
