/** The daemon's configuration: precedence, sources, and one-line errors that point at the input. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { clusterScenario } from '../../src/serve/cluster-spec.js';
import { configKeyDocs, formatConfig, isLoopback, loadConfig, parseListen } from '../../src/serve/config.js';
import { parseSelector, matchesSelector } from '../../src/serve/selector.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-config-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const fails = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
};

describe('serve configuration', () => {
  it('takes flags over env over file over defaults, and says where each value came from', () => {
    const f = file('a.yaml', 'listen: 127.0.0.1:8000\nspeed: 5\nbackend: sim\nstate: /tmp/from-file\n');
    const c = loadConfig({ file: f, env: { SLIPWAY_LISTEN: '127.0.0.1:9000', SLIPWAY_SPEED: '7' }, flags: { listen: '127.0.0.1:9100' } });
    expect(c.listen).toBe('127.0.0.1:9100');
    expect(c.speed).toBe(7);
    expect(c.state).toBe('/tmp/from-file');
    expect(c.seed).toBe(1);
    expect(c.sources.listen).toEqual({ kind: 'flag', name: '--listen' });
    expect(c.sources.speed).toEqual({ kind: 'env', name: 'SLIPWAY_SPEED' });
    expect(c.sources.state).toEqual({ kind: 'file', where: `${f}:4:8` });
    expect(c.sources.seed).toEqual({ kind: 'default' });
    const printed = formatConfig(c);
    expect(printed).toMatch(/^listen +127\.0\.0\.1:9100 +flag --listen$/m);
    expect(printed).toMatch(/^speed +7 +env SLIPWAY_SPEED$/m);
    expect(printed).toMatch(new RegExp(`^state +/tmp/from-file +file ${f}:4:8$`, 'm'));
    const secret = loadConfig({ env: { SLIPWAY_TOKEN: 'a-very-secret-token-value' } });
    expect(formatConfig(secret)).not.toContain('a-very-secret-token-value');
    expect(formatConfig(secret)).toMatch(/^token +\(set, hidden\) +env SLIPWAY_TOKEN$/m);
  });

  it('reports bad values as FILE:LINE:COL: key: message, SLIPWAY_X: message or --flag: message', () => {
    const f = file('b.yaml', 'listen: 127.0.0.1:8000\nspeed: fast\n');
    expect(fails(() => loadConfig({ file: f, env: {} }))).toBe(`${f}:2:8: speed: expected number, got "fast"`);
    const g = file('c.yaml', 'listne: 127.0.0.1:1\n');
    expect(fails(() => loadConfig({ file: g, env: {} }))).toMatch(new RegExp(`^${g}:1:1: listne: unknown key; did you mean "listen"\\?`));
    const t = file('t.yaml', 'tls:\n  cert: /x\n  kye: /y\n');
    expect(fails(() => loadConfig({ file: t, env: {} }))).toMatch(new RegExp(`^${t}:3:3: tls.kye: unknown key`));
    expect(fails(() => loadConfig({ env: { SLIPWAY_BACKEND: 'k8s' } }))).toBe('SLIPWAY_BACKEND: expected one of "sim", "docker", "oci", got "k8s"');
    expect(fails(() => loadConfig({ env: {}, flags: { listen: 'nope' } }))).toMatch(/^--listen: expected HOST:PORT/);
    expect(fails(() => loadConfig({ env: { SLIPWAY_TOKEN: 'short' } }))).toMatch(/^SLIPWAY_TOKEN: must be at least 16 characters/);
    expect(fails(() => loadConfig({ env: { SLIPWAY_TLS_CERT: '/c.pem' } }))).toMatch(/^SLIPWAY_TLS_CERT: tls.cert needs tls.key too/);
    expect(fails(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {} }))).toBe(`${join(dir, 'missing.yaml')}: cannot read: no such file`);
    expect(fails(() => loadConfig({ file: dir, env: {} }))).toBe(`${dir}: cannot read: is a directory`);
    const y = file('y.yaml', 'listen: [\n');
    expect(fails(() => loadConfig({ file: y, env: {} }))).toMatch(new RegExp(`^${y}:\\d+:\\d+: `));
  });

  it('checks the cluster keys with the scenario loader and places problems in the config file', () => {
    const f = file('n.yaml', 'nodes:\n  - name: a\n    capacity: {cpu: 4, memory: lots}\n');
    const c = loadConfig({ file: f, env: {} });
    expect(fails(() => clusterScenario(c))).toMatch(new RegExp(`^${f}:3:32: nodes\\[0\\]\\.capacity\\.memory: `));
    const ok = loadConfig({ file: file('ok.yaml', 'nodes:\n  - {name: "n-{i}", count: 3, capacity: {cpu: 2, memory: 4Gi}}\nscheduler: best-fit\n'), env: {} });
    const s = clusterScenario(ok);
    expect(s.nodes.map((n) => n.name)).toEqual(['n-1', 'n-2', 'n-3']);
    expect(s.scheduler.name).toBe('best-fit');
    expect(clusterScenario(loadConfig({ env: {} })).nodes).toHaveLength(4);
  });

  it('documents every key, here and in docs/serve.md', () => {
    const page = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'serve.md'), 'utf8');
    for (const k of configKeyDocs()) {
      const row = page.split('\n').find((l) => l.startsWith(`| \`${k.key}\` |`));
      expect(row, `docs/serve.md has a row for ${k.key}`).toBeDefined();
      if (k.env) expect(row).toContain(`\`${k.env}\``);
      if (k.flag) expect(row).toContain(`\`${k.flag}\``);
    }
    const docs = configKeyDocs();
    for (const k of ['listen', 'state', 'backend', 'speed', 'seed', 'token', 'tls.cert', 'tls.key', 'bodyLimit', 'eventsRetained', 'server', 'nodes', 'controlPlane', 'scheduler']) {
      expect(docs.find((d) => d.key === k)?.doc.length, k).toBeGreaterThan(10);
    }
  });

  it('parses listen addresses and knows loopback', () => {
    expect(parseListen('127.0.0.1:7420')).toEqual({ host: '127.0.0.1', port: 7420 });
    expect(parseListen('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseListen('host:99999')).toBeUndefined();
    expect(isLoopback('127.3.4.5')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(isLoopback('10.0.0.1')).toBe(false);
  });

  it('matches label selectors as Kubernetes does', () => {
    const l = { app: 'web', tier: 'front' };
    const m = (s: string) => matchesSelector(parseSelector(s), l);
    expect(m('app=web')).toBe(true);
    expect(m('app==web,tier=front')).toBe(true);
    expect(m('app!=web')).toBe(false);
    expect(m('db!=x')).toBe(true);
    expect(m('tier')).toBe(true);
    expect(m('!tier')).toBe(false);
    expect(m('app in (web, api)')).toBe(true);
    expect(m('app notin (web)')).toBe(false);
    expect(() => parseSelector('a=b=c')).toThrow(/bad selector term "a=b=c"/);
  });
});
