/**
 * Measures a Docker engine's container latencies, for the simulator's latency model:
 *   create = the create API call;  start = the start call (returns once the process runs);
 *   stop = the stop call of a container that exits on SIGTERM;  network = half a /_ping round trip.
 * Each is fitted with a lognormal distribution (latencies are positive and right-skewed):
 *   median = the sample median;  sigma = the standard deviation of ln(sample).
 */
import { performance } from 'node:perf_hooks';
import { connectDocker } from './docker-api.js';

export interface CalibrateOptions {
  readonly host: string;
  readonly image: string;
  readonly samples: number;
  readonly network?: string;
  /** Called after each sample (progress). */
  readonly onSample?: (done: number) => void;
}

export interface LatencyFit {
  readonly samples: readonly number[];
  readonly medianMs: number;
  readonly sigma: number;
  readonly minMs: number;
  readonly p90Ms: number;
  readonly maxMs: number;
}

export interface Calibration {
  readonly host: string;
  readonly image: string;
  readonly create: LatencyFit;
  readonly start: LatencyFit;
  readonly stop: LatencyFit;
  readonly network: LatencyFit;
}

export function fit(samples: readonly number[]): LatencyFit {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  const logs = s.map((x) => Math.log(Math.max(x, 0.001)));
  const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
  const variance = logs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, logs.length - 1);
  return { samples: s, medianMs: q(0.5), sigma: Math.sqrt(variance), minMs: s[0], p90Ms: q(0.9), maxMs: s[s.length - 1] };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function calibrateDocker(opts: CalibrateOptions): Promise<Calibration> {
  const api = connectDocker(opts.host, 60_000);
  await api.ping();
  const create: number[] = [];
  const start: number[] = [];
  const stop: number[] = [];
  const network: number[] = [];
  for (let i = 0; i < opts.samples; i++) {
    network.push((await timed(() => api.ping())) / 2);
    let id = '';
    create.push(
      await timed(async () => {
        id = (
          await api.createContainer({
            Image: opts.image,
            Entrypoint: ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"],
            Labels: { 'slipway.calibrate': '1' },
            HostConfig: { RestartPolicy: { Name: 'no' }, ...(opts.network !== undefined ? { NetworkMode: opts.network } : {}) },
          })
        ).id;
      }),
    );
    const c = api.getContainer(id);
    try {
      start.push(await timed(() => c.start()));
      stop.push(await timed(() => c.stop({ t: 10 })));
    } finally {
      await c.remove({ force: true }).catch(() => undefined);
    }
    opts.onSample?.(i + 1);
  }
  return { host: opts.host, image: opts.image, create: fit(create), start: fit(start), stop: fit(stop), network: fit(network) };
}

const r = (x: number) => Math.max(1, Math.round(x));

/** The calibration as a YAML file whose `latency:` block is a scenario's latency model. */
export function calibrationYaml(c: Calibration, when = new Date().toISOString()): string {
  const line = (name: string, f: LatencyFit) =>
    `#   ${name.padEnd(7)} min ${f.minMs.toFixed(1)}ms  median ${f.medianMs.toFixed(1)}ms  p90 ${f.p90Ms.toFixed(1)}ms  max ${f.maxMs.toFixed(1)}ms  (${f.samples.length} samples)`;
  const dist = (f: LatencyFit) => `{lognormal: {median: ${r(f.medianMs)}ms, sigma: ${f.sigma.toFixed(3)}}}`;
  return [
    `# Latency model measured by \`slipway calibrate --backend docker\` on ${c.host} (image ${c.image}) at ${when}.`,
    '# Use it with `slipway run SCENARIO --latency THIS_FILE`, or paste the block into a scenario.',
    '# imagePull: the image was already on the engine, as in a live run of the same scenario: no pull.',
    line('create', c.create),
    line('start', c.start),
    line('stop', c.stop),
    line('network', c.network),
    'latency:',
    '  imagePull: 0ms',
    `  create: ${dist(c.create)}`,
    `  start: ${dist(c.start)}`,
    `  stop: ${dist(c.stop)}`,
    `  network: ${dist(c.network)}`,
    '',
  ].join('\n');
}
