import { describe, expect, it } from 'vitest';
import { ociConfig, WRAPPER_SCRIPT } from '../../backends/oci/oci-config.js';
import { resources } from '../../src/core/resources.js';

describe('OCI config.json from a ContainerSpec', () => {
  const spec = {
    name: 'app',
    image: 'busybox',
    command: ['sh', '-c'],
    args: ['exit 3'],
    env: { Z: '1', A: 'x y' },
    ports: [],
    requests: resources({ cpu: 100 }),
    limits: resources({ cpu: 250, memory: 128 * 2 ** 20 }),
  };
  const cfg = ociConfig(spec, { hostname: 'app-1', statusDir: '/b/app/slipway' }) as {
    process: { args: string[]; env: string[]; cwd: string; terminal: boolean };
    hostname: string;
    mounts: Array<{ destination: string; source: string; type: string }>;
    linux: { resources: { cpu?: { quota: number; period: number }; memory?: { limit: number } } };
  };

  it('runs command ++ args under the exit-code wrapper, with PATH then env sorted by name', () => {
    expect(cfg.process.args).toEqual(['/.slipway/busybox', 'sh', '-c', WRAPPER_SCRIPT, 'slipway-init', 'sh', '-c', 'exit 3']);
    expect(cfg.process.env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=x y', 'Z=1']);
    expect(cfg.process).toMatchObject({ cwd: '/', terminal: false });
    expect(cfg.hostname).toBe('app-1');
  });

  it('maps limits: 250 millicores → quota 25000 µs per 100000 µs period; memory in bytes', () => {
    expect(cfg.linux.resources.cpu).toEqual({ period: 100_000, quota: 25_000 });
    expect(cfg.linux.resources.memory).toEqual({ limit: 128 * 2 ** 20 });
  });

  it('no limits, no cpu or memory section', () => {
    const c = ociConfig({ ...spec, limits: resources() }, { hostname: 'h', statusDir: '/s' }) as typeof cfg;
    expect(c.linux.resources.cpu).toBeUndefined();
    expect(c.linux.resources.memory).toBeUndefined();
  });

  it('bind-mounts the status directory at /.slipway', () => {
    expect(cfg.mounts).toContainEqual(expect.objectContaining({ destination: '/.slipway', source: '/b/app/slipway', type: 'bind' }));
  });

  it('joins the instance network namespace when given one; a fresh, empty one otherwise', () => {
    type Ns = { linux: { namespaces: Array<{ type: string; path?: string }> } };
    const joined = ociConfig(spec, { hostname: 'h', statusDir: '/s', netns: '/run/netns/swab-app-1' }) as Ns;
    expect(joined.linux.namespaces.filter((n) => n.type === 'network')).toEqual([{ type: 'network', path: '/run/netns/swab-app-1' }]);
    expect((cfg as unknown as Ns).linux.namespaces.filter((n) => n.type === 'network')).toEqual([{ type: 'network' }]);
  });
});
