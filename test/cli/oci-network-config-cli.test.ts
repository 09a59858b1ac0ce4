/**
 * A bad CNI configuration is bad input (issue #16 item 1): one line naming the field, exit 2,
 * before any runtime, namespace or plugin is touched (no engine, no root needed).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const slipway = (args: string[]) => spawnSync(process.execPath, ['bin/slipway.js', ...args], { encoding: 'utf8' });
const SCENARIO = readFileSync('scenarios/live-oci-network.yaml', 'utf8');

describe('bad CNI configuration on the OCI backend → exit 2, the field named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-cni-cfg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (name: string, text: string) => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return { f, r: slipway(['run', f, '--backend', 'oci', '--out', join(dir, `${name}.out`)]) };
  };

  it('a cniPath without the plugins', () => {
    const { f, r } = run('nopath.yaml', SCENARIO.replace('rootfs: /var/lib/slipway/rootfs}', 'rootfs: /var/lib/slipway/rootfs, cniPath: /nonexistent/cni}'));
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      `${f}: nodes[0].oci.cniPath: "/nonexistent/cni" lacks the CNI plugin(s) bridge, host-local, portmap, loopback (install containernetworking-plugins, or point cniPath at them)`,
    );
  });

  it('a bridge name longer than a Linux interface name may be', () => {
    const { f, r } = run('bridge.yaml', SCENARIO.replace('rootfs: /var/lib/slipway/rootfs}', 'rootfs: /var/lib/slipway/rootfs, bridge: this-name-is-too-long}'));
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: nodes\\[0\\]\\.oci\\.bridge: invalid bridge name "this-name-is-too-long"`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a pod CIDR too small to give every node a subnet', () => {
    const { f, r } = run('small.yaml', SCENARIO.replace('podCidr: 10.213.16.0/20', 'podCidr: 10.213.16.0/24'));
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`${f}: cluster.network.podCidr: 10.213.16.0/24 has no /24 left for node oci-2 (a live node needs a subnet)`);
  });
});
