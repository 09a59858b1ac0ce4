/**
 * The API checks a workload spec with the scenario format's own workload schema and rules
 * (parseWorkloadEntry), without building a scenario per request. This pins it to the scenario
 * loader: for every spec below, wrapping it in a scenario and loading it gives the same workload,
 * or fails at the same field.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { parseWorkloadSpec, SpecError } from '../../src/serve/cluster-spec.js';

const c = (x: object = {}) => ({ name: 'c', image: 'i', ...x });
const SPECS: unknown[] = [
  { name: 'x', containers: [{ name: 'c' }] },
  { name: 'x', replica: 2, containers: [c()] },
  { name: 'Bad_Name', containers: [c()] },
  { name: 'x', containers: [c({ requests: { cpu: 'lots' } })] },
  { containers: [c()] },
  { name: 'x' },
  { name: 'x', containers: [] },
  { name: 'x', containers: 'nope' },
  { name: 'x', containers: [c({ foo: 1 })] },
  { name: 'x', containers: [c({ imag: 1 })] },
  { name: 'x', containers: [c(), c()] },
  { name: 'x', containers: [c({ requests: { cpu: '2' }, limits: { cpu: '1' } })] },
  { name: 'x', kind: 'job', restartPolicy: 'Always', containers: [c()] },
  { name: 'x', kind: 'job', updateStrategy: { type: 'Recreate' }, containers: [c()] },
  { name: 'x', completions: 3, containers: [c()] },
  { name: 'x', replicas: -1, containers: [c()] },
  { name: 'x', replicas: 300000, containers: [c()] },
  { name: 'x', replicas: 1.5, containers: [c()] },
  { name: 'x', kind: 'cron', containers: [c()] },
  { name: 'x', updateStrategy: { maxSurge: 0, maxUnavailable: 0 }, containers: [c()] },
  { name: 'x', updateStrategy: { maxSurge: '50%', maxUnavailable: 2 }, replicas: 7, containers: [c()] },
  { name: 'x', placement: { priorityClassName: 'nope' }, containers: [c()] },
  { name: 'x', placement: { priorityClassName: 'system-node-critical' }, containers: [c()] },
  { name: 'x', placement: { gang: { name: 'g', minMember: 2, timeout: 'soon' } }, containers: [c()] },
  { name: 'x', placement: { nodeSelector: { a: 'b' }, bogus: 1 }, containers: [c()] },
  { name: 'x', gpus: { count: 2, milli: 500 }, containers: [c()] },
  { name: 'x', gpus: { count: 1, milli: 500, models: 'A|B' }, containers: [c()] },
  { name: 'x', containers: [c({ sim: { exitCode: 3 } })] },
  { name: 'x', containers: [c({ sim: { runFor: '10s', exitCode: 3, memory: '1Gi' } })] },
  { name: 'x', containers: [c({ env: { A: 1 } })] },
  { name: 'x', containers: [c({ env: { A: 'x' }, ports: [{ containerPort: 80, hostPort: 8080 }], command: ['a'], args: ['b'] })] },
  { name: 'x', labels: { app: 'web' }, priority: 5, containers: [c({ requests: { cpu: '100m', memory: '64Mi', 'example.com/gpu': 1 } })] },
  { name: 'x', labels: 'nope', containers: [c()] },
  { name: 'x', containers: [c({ name: 'BAD' })] },
  { name: 'x', containers: [c({ ports: [{ containerPort: 0 }] })] },
  { name: 'x', kind: 'job', completions: 5, backoffLimit: 2, restartPolicy: 'Never', containers: [c({ sim: { runFor: '1s' } })] },
  { name: 'x', containers: [c({ requests: { disk: '1Gi', foo: 'x' } })] },
  { name: 'x', placement: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['b'] }] }] } } } }, containers: [c()] },
  { name: 'x', placement: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { a: 'b' } } }] }, containers: [c()] },
  { name: 'x', placement: { tolerations: [{ key: 'k', operator: 'Exists' }] }, containers: [c()] },
  { name: 'x', placement: { tolerations: [{ key: 'k', operator: 'Wrong' }] }, containers: [c()] },
];

/** The scenario loader's verdict on the spec as a scenario's only workload. */
function viaScenario(spec: unknown): { def: unknown } | { message: string } {
  const doc = { name: 'api', duration: '1h', nodes: [{ name: 'n', capacity: { cpu: 1, memory: '1Gi' } }], scheduler: 'round-robin', workloads: [spec] };
  try {
    return { def: parseScenario(JSON.stringify(doc), '<body>').workloads[0] };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    // `<body>:1:2: workloads[0].containers[0].image: ...` → `containers[0].image: ...`
    return { message: e.message.replace(/^<body>:\d+:\d+: /, '').replace(/workloads\[0\]\.?/g, '') };
  }
}

describe('parseWorkloadSpec', () => {
  it.each(SPECS.map((s) => [JSON.stringify(s), s]))('agrees with the scenario loader: %s', (_, spec) => {
    const want = viaScenario(spec);
    let got: { def: unknown } | { error: SpecError };
    try {
      got = { def: parseWorkloadSpec(spec) };
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      got = { error: e };
    }
    if ('def' in want) {
      expect(got).toEqual({ def: want.def });
      return;
    }
    expect('error' in got, `the loader refuses it (${want.message}); so must the API`).toBe(true);
    const { error } = got as { error: SpecError };
    // The message names the field first, and that field is where the loader points.
    expect(error.message.startsWith(error.field)).toBe(true);
    const key = /^unknown key "([^"]+)"/.exec(want.message);
    if (key) expect(error.field.endsWith(key[1])).toBe(true);
    else expect(want.message.startsWith(error.field)).toBe(true);
  });

  it('refuses `at` and non-mappings with one line', () => {
    expect(() => parseWorkloadSpec({ name: 'x', at: '1m', containers: [c()] })).toThrow(/^at: not used by the API/);
    for (const v of ['text', 42, null, [1]]) expect(() => parseWorkloadSpec(v)).toThrow(/^expected a workload mapping \(name, containers, \.\.\.\), got /);
  });
});
