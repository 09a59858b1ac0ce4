/**
 * `parseScenario(text, file, { document })`: a caller that generated `text` from a document (the
 * what-if of simulate_change) hands the document in; it is validated as it is, and `text` is parsed
 * only to place a problem, with the same FILE:LINE:COL message as a load of the text.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseScenario } from '../../src/run/parse-scenario.js';

const doc = (cpu: string) => ({
  name: 'doc',
  duration: '1m',
  nodes: [{ name: 'n-{i}', count: 2, capacity: { cpu: 4, memory: '8Gi' } }],
  workloads: [{ name: 'web', replicas: 2, containers: [{ name: 'c', image: 'nginx:1', requests: { cpu, memory: '64Mi' } }] }],
});

describe('parseScenario with the document given', () => {
  it('builds the same scenario as loading the text', () => {
    const d = doc('500m');
    const text = stringify(d);
    expect(parseScenario(text, 'w.yaml', { document: JSON.parse(JSON.stringify(d)) })).toEqual(parseScenario(text, 'w.yaml'));
  });

  it('does not parse the text when the document is valid', () => {
    expect(parseScenario('{ not: [yaml', 'w.yaml', { document: doc('500m') }).workloads[0].name).toBe('web');
  });

  it('places a problem in the text exactly as loading the text does', () => {
    const d = doc('lots');
    const text = stringify(d);
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    const fromText = message(() => parseScenario(text, 'w.yaml'));
    expect(fromText).toMatch(/^w\.yaml:\d+:\d+: workloads\[0\]\.containers\[0\]\.requests\.cpu/);
    expect(message(() => parseScenario(text, 'w.yaml', { document: d }))).toBe(fromText);
  });
});
