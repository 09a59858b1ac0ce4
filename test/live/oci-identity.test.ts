/**
 * Two cluster identities on one OCI node (#18.2 "adoption and orphan removal touch only containers
 * of their own identity"), on the OCI runtime: the two share a runtime root and a bundles folder,
 * as two live runs of different scenarios on the same machine do. Each lists, finds and removes
 * only its own containers; a cluster's teardown leaves the other's running. (Docker engines:
 * test/live/shared-engines.test.ts, whole `slipway run`s side by side.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OciRuntime } from '../../backends/oci/oci-runtime.js';
import { resources } from '../../src/core/resources.js';
import type { ContainerSpec } from '../../src/core/types.js';
import { WallClock } from '../../src/engine/wall-clock.js';
import { LIVE, LIVE_SKIP_REASON, OCI_RUNTIME, ROOTFS, TEST_IMAGE, waitFor } from '../support/backends.js';

const long: ContainerSpec = {
  name: 'main',
  image: TEST_IMAGE,
  env: {},
  ports: [],
  command: ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"],
  requests: resources({ cpu: 100, memory: 16 * 2 ** 20 }),
  limits: resources({ cpu: 500, memory: 64 * 2 ** 20 }),
};

describe.skipIf(!LIVE)(`two cluster identities on one OCI node${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, () => {
  const base = mkdtempSync(join(tmpdir(), 'slipway-oci-identity-'));
  const tag = `oid${process.pid}`;
  const clock = new WallClock();
  const node = { id: 'oci-1', runtime: OCI_RUNTIME, root: join(base, 'state'), rootfs: ROOTFS, bundles: join(base, 'bundles') };
  const a = new OciRuntime({ clock, nodes: [node], pollIntervalMs: 100, cluster: `${tag}-a` });
  const b = new OciRuntime({ clock, nodes: [node], pollIntervalMs: 100, cluster: `${tag}-b` });
  afterAll(async () => {
    for (const r of [a, b]) {
      for (const c of await r.listContainers('oci-1').catch(() => [])) {
        await r.stopContainer(c.id).catch(() => undefined);
        await r.removeContainer(c.id).catch(() => undefined);
      }
      r.close();
    }
    clock.cancelAll();
    rmSync(base, { recursive: true, force: true });
  });

  it('each lists, finds and removes only its own containers; one teardown leaves the other running', async () => {
    await a.initNode('oci-1');
    await b.initNode('oci-1');
    const labels = (cluster: string, instanceId: string) => ({ 'slipway.workload': 'web', 'slipway.instance': instanceId, 'slipway.slot': '0', 'slipway.generation': '1', cluster });
    const idA = await a.createContainer(long, { nodeId: 'oci-1', workloadId: 'web', instanceId: `web-${tag}a`, labels: labels('a', `web-${tag}a`) });
    const idB = await b.createContainer(long, { nodeId: 'oci-1', workloadId: 'web', instanceId: `web-${tag}b`, labels: labels('b', `web-${tag}b`) });
    for (const [r, id] of [[a, idA], [b, idB]] as const) await waitFor(clock, `${id} running`, async () => (await r.getContainerStatus(id)).state === 'running');

    // Each sees its own only (adoption lists a node's containers; orphans are what it lists and does not know).
    expect((await a.listContainers('oci-1')).map((c) => c.id)).toEqual([idA]);
    expect((await b.listContainers('oci-1')).map((c) => c.id)).toEqual([idB]);
    await expect(b.getContainerStatus(idA)).rejects.toThrow(idA);
    await expect(a.getContainerStatus(idB)).rejects.toThrow(idB);
    await expect(b.stopContainer(idA)).rejects.toThrow(idA);

    // B's teardown: everything it lists is stopped and removed; A's container keeps running.
    for (const c of await b.listContainers('oci-1')) {
      await b.stopContainer(c.id);
      await b.removeContainer(c.id);
    }
    expect(await b.listContainers('oci-1')).toEqual([]);
    expect((await a.getContainerStatus(idA)).state).toBe('running');
    expect((await a.getContainerStatus(idA)).labels?.['slipway.cluster']).toBe(`${tag}-a`);
  }, 120_000);
});
