/** The `faults:` forms of the scenario format: every kind, targets, rates, and one-line errors. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { parseScenario } from '../../src/run/parse-scenario.js';

const base = (faults: string) => `name: s
duration: 10m
nodes:
  - {name: n1, capacity: {cpu: 1, memory: 1Gi}, labels: {zone: a}}
workloads:
  - {name: web, containers: [{name: c, image: x}]}
faults:
${faults}`;

const load = (faults: string) => parseScenario(base(faults), 's.yaml').faults;
const error = (faults: string) => {
  try {
    parseScenario(base(faults), 's.yaml');
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  return 'no error';
};

describe('fault kinds', () => {
  it('normalizes every kind with its defaults', () => {
    expect(
      load(`  - {at: 1m, zoneOutage: {selector: {zone: a}, duration: 2m}}
  - {at: 1m, nodeFreeze: {node: n1, duration: 30s}}
  - {at: 1m, partition: {nodes: [n1], duration: 1m}}
  - {at: 1m, messages: {duration: 1m, drop: 0.5}}
  - {at: 1m, crashLoop: {workload: web, duration: 2m}}
  - {at: 1m, imagePullFailure: {image: x, duration: 1m}}
  - {at: 1m, slowImagePull: {duration: 1m}}
  - {at: 1m, memoryLeak: {workload: web, perMinute: 64Mi, duration: 5m}}
  - {at: 1m, drain: {node: n1, duration: 2m}}
  - {at: 1m, clockSkew: {node: n1, offset: 5m, duration: 2m}}`),
    ).toEqual([
      { kind: 'zoneOutage', at: 60_000, selector: { zone: 'a' }, duration: 120_000 },
      { kind: 'nodeFreeze', at: 60_000, node: 'n1', duration: 30_000 },
      { kind: 'partition', at: 60_000, nodes: ['n1'], duration: 60_000, direction: 'both' },
      { kind: 'messages', at: 60_000, duration: 60_000, kinds: ['heartbeat', 'status', 'rpc', 'gossip'], drop: 0.5, duplicate: 0 },
      { kind: 'crashLoop', at: 60_000, workload: 'web', duration: 120_000, exitAfter: 5_000, exitCode: 1 },
      { kind: 'imagePullFailure', at: 60_000, image: 'x', duration: 60_000 },
      { kind: 'slowImagePull', at: 60_000, factor: 10, duration: 60_000 },
      { kind: 'memoryLeak', at: 60_000, workload: 'web', bytesPerMinute: 64 * 2 ** 20, duration: 300_000 },
      { kind: 'drain', at: 60_000, node: 'n1', duration: 120_000 },
      { kind: 'clockSkew', at: 60_000, node: 'n1', offsetMs: 300_000, duration: 120_000 },
    ]);
  });

  it('rate faults: per hour, with from and until (default: the whole run)', () => {
    expect(load('  - {rate: 2/m, nodeCrash: {recoverAfter: 1m}}')).toEqual([
      { kind: 'nodeCrash', at: 0, recoverAfter: 60_000, rate: { perHour: 120, from: 0, until: 600_000 } },
    ]);
    expect(load('  - {rate: 3/h, from: 1m, until: 5m, containerCrash: {workload: web}}')[0]).toMatchObject({ rate: { perHour: 3, from: 60_000, until: 300_000 } });
  });
});

describe('fault errors name the place and the bad value', () => {
  it.each([
    ['  - {at: 1m, rate: 2/h, drain: {node: n1, duration: 1m}}', 's.yaml:8:6: faults[0].at: give either at or rate, not both'],
    ['  - {drain: {node: n1, duration: 1m}}', 's.yaml:8:5: faults[0]: needs at (a time) or rate (such as 3/h)'],
    ['  - {rate: often, drain: {node: n1, duration: 1m}}', 's.yaml:8:12: faults[0].rate: expected a rate such as 3/h, 0.5/m or 10/d, got "often"'],
    ['  - {at: 1m, partition: {node: n2, duration: 1m}}', 's.yaml:8:32: faults[0].partition.node: unknown node "n2"; did you mean "n1"? (known: n1)'],
    ['  - {at: 1m, messages: {duration: 1m, drop: 2}}', 's.yaml:8:45: faults[0].messages.drop: expected a probability from 0 to 1, got 2'],
    ['  - {at: 1m, partition: {node: n1, duration: 1m, direction: in}}', 's.yaml:8:61: faults[0].partition.direction: expected one of "both", "toControlPlane", "fromControlPlane", got "in"'],
    ['  - {at: 1m, drain: {node: n1}}', 's.yaml:8:21: faults[0].drain: missing required key "duration"'],
    ['  - {at: 1m, until: 5m, drain: {node: n1, duration: 1m}}', 's.yaml:8:14: faults[0].until: until needs rate; a fault with at happens once'],
  ])('%s', (fault, message) => {
    expect(error(fault)).toBe(message);
  });
});
