/**
 * Issue #19 item 11, the small ones: escape sequences in names reach the terminal as text; a
 * fault that hits nothing leaves an `applied: false` record; `!!set` (and every tag a JSON value
 * cannot express) is bad input at its FILE:LINE:COL instead of silently becoming `{}`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { parseSnapshot } from '../../src/scheduler/explain/snapshot.js';
import { simulate } from '../../src/run/simulate.js';
import { traceParts } from '../support/trace-parts.js';
import { escapeControls } from '../../src/cli/terminal.js';
import { expectNoStack, slipway } from './cli.js';

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('control characters in names reach the terminal escaped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-controls-'));
  const file = join(dir, 'evil.yaml');
  // ESC [2J clears the screen, OSC 0 sets the window title, \r lets "FAIL" be overwritten, U+202E reverses text.
  writeFileSync(
    file,
    `name: "evil\\e[2J\\e]0;pwned\\a"
description: "d\\u202e"
duration: 2m
nodes: [{name: n1, capacity: {cpu: 2, memory: 1Gi}}]
workloads: [{name: web, replicas: 1, containers: [{name: c, image: busybox}]}]
expectations:
  - name: "\\rPASS  fake \\x9b31m"
    running: {workload: web, count: 1, at: 1m}
`,
  );

  it('run and validate print \\u escapes, never the raw characters', () => {
    for (const args of [
      ['run', file, '--out', join(dir, 'out')],
      ['validate', file],
    ]) {
      const r = slipway(args);
      expectNoStack(r);
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL);
      expect(r.stdout).toContain('evil\\u001b[2J\\u001b]0;pwned\\u0007');
    }
  });

  it('--json stays valid JSON holding the exact names', () => {
    const r = slipway(['run', file, '--out', join(dir, 'out-json'), '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    const summary = JSON.parse(r.stdout) as { scenario: string; expectations: Array<{ name: string }> };
    expect(JSON.stringify(summary)).toContain('evil\\u001b[2J');
    expect(summary.expectations[0].name).toBe('\rPASS  fake \u009b31m');
  });

  it('a manifest key or name with ESC in an error message is escaped too', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: x\nduration: 2m\nnodes: [{name: n1, capacity: {cpu: 2, memory: 1Gi}}]\nmanifests:\n  - {apiVersion: v1, kind: Pod, metadata: {name: "p\\e[31m"}, spec: {containers: [{name: c, image: i}]}}\n');
    const r = slipway(['validate', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain('Pod/p\\u001b[31m');
  });

  it('escapeControls keeps newlines and tabs and escapes the rest as JSON does', () => {
    expect(escapeControls('a\tb\nc\u001bd\u007f\u202e')).toBe('a\tb\nc\\u001bd\\u007f\\u202e');
    expect(JSON.parse(escapeControls(JSON.stringify('x\u009by')))).toBe('x\u009by');
  });
});

describe('a fault that hits nothing records applied: false', () => {
  const yaml = `name: faults-on-nothing
duration: 5m
nodes:
  - {name: n1, capacity: {cpu: 2, memory: 1Gi}, labels: {zone: a}}
  - {name: n2, capacity: {cpu: 2, memory: 1Gi}, labels: {zone: a}}
workloads: [{name: web, replicas: 1, containers: [{name: c, image: i}]}]
operations:
  - {at: 1m, removeNode: {node: n2}}
faults:
  - {at: 2m, nodeCrash: {node: n2}}
  - {at: 2m, partition: {selector: {zone: b}, duration: 1m}}
  - {at: 3m, nodeFreeze: {nodes: [n1, n2], duration: 1m}}
  - {at: 3m, zoneOutage: {node: n1, selector: {zone: b}, duration: 1m}}
`;

  it('a removed node and a selector matching none each leave a fault.not_applied record with the reason', async () => {
    const records: Array<Record<string, unknown>> = [];
    await simulate(parseScenario(yaml, 'f.yaml'), {
      onEvent: traceParts((type, f) => {
        if (type.startsWith('fault.')) records.push({ type, ...f });
      }),
    });
    expect(records.filter((r) => r.type === 'fault.not_applied')).toEqual([
      { type: 'fault.not_applied', fault: 'nodeCrash', node: 'n2', applied: false, reason: 'node n2 is not in the cluster (removed)' },
      { type: 'fault.not_applied', fault: 'partition', selector: 'zone=b', applied: false, reason: 'no node has labels zone=b' },
      { type: 'fault.not_applied', fault: 'nodeFreeze', node: 'n2', applied: false, reason: 'node n2 is not in the cluster (removed)' },
      { type: 'fault.not_applied', fault: 'zoneOutage', selector: 'zone=b', applied: false, reason: 'none of n1 has labels zone=b' },
    ]);
    // n1, still there, is frozen as before
    expect(records).toContainEqual(expect.objectContaining({ type: 'fault.node_freeze', node: 'n1', applied: true }));
  });
});

describe('YAML tags a JSON value cannot express are bad input', () => {
  const scenario = (labels: string) => `name: t\nduration: 2m\nnodes: [{name: n1, capacity: {cpu: 2, memory: 1Gi}, labels: ${labels}}]\n`;

  it.each([
    ['!!set {a, b}', '!!set'],
    ['!!omap [{a: x}]', '!!omap'],
    ['!!binary aGVsbG8=', '!!binary'],
    ['!local {a: b}', '!local'],
  ])('labels: %s → FILE:LINE:COL at the tag', (labels, tag) => {
    let thrown: unknown;
    try {
      parseScenario(scenario(labels), 's.yaml');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as Error).message).toBe(`s.yaml:3:61: nodes[0].labels: YAML tag ${tag} is not supported: write plain mappings, lists, strings and numbers (labels are a mapping, e.g. {app: web})`);
  });

  it('plain tags (!!str, !!map) still work', () => {
    expect(parseScenario(scenario('!!map {a: !!str 1}'), 's.yaml').nodes[0].labels).toEqual({ a: '1' });
  });

  it('explain snapshots refuse them the same way', () => {
    expect(() => parseSnapshot('nodes: [{name: n1, labels: !!set {a}, allocatable: {cpu: 1, memory: 1Gi}}]\n', 'snap.yaml')).toThrow(/^snap\.yaml:1:28: nodes\[0\]\.labels: YAML tag !!set is not supported/);
  });

  it('the CLI prints that one line, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-tags-'));
    writeFileSync(join(dir, 's.yaml'), scenario('!!set {a, b}'));
    const r = slipway(['validate', join(dir, 's.yaml')]);
    expectNoStack(r);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
