/**
 * TLS to etcd (SLIPWAY_LIVE=1): a 1-member etcd started by scripts/start-etcd.sh --tls with
 * certificates made here with openssl (a CA, etcd's server certificate for 127.0.0.1, a client
 * certificate; etcd requires client certificates). A replica started with
 * `--state etcds://... --etcd-ca --etcd-cert --etcd-key` leads and stores an applied workload in
 * etcd; a client without a client certificate, one trusting another CA and one speaking plain gRPC
 * are all refused.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdKv } from '../../backends/store/etcd-kv.js';
import { loadConfig } from '../../src/serve/config.js';
import { startReplica, type Replica } from '../../src/serve/replica.js';
import { StoreUnavailableError } from '../../src/store/kv.js';
import { LIVE, LIVE_SKIP_REASON } from '../support/backends.js';

const here = dirname(fileURLToPath(import.meta.url));
const START_ETCD = join(here, '..', '..', 'scripts', 'start-etcd.sh');
// Clear of the 3-member test cluster (32379..32384) and of the Debian service (2379).
const PORT = 23_811;
const TOKEN = 'etcd-tls-test-token-0123456789';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function run(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
}

/** A CA and, signed by it, a certificate for `name` with `usage` (serverAuth and/or clientAuth). */
function makeCerts(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'other-ca']) {
    run('openssl', ['req', '-x509', ...ec, '-keyout', join(dir, `${ca}-key.pem`), '-out', join(dir, `${ca}.pem`), '-days', '2', '-subj', `/CN=slipway-test-${ca}`]);
  }
  const sign = (name: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    run('openssl', ['req', ...ec, '-keyout', join(dir, `${name}-key.pem`), '-out', join(dir, `${name}.csr`), '-subj', `/CN=${name}`]);
    run('openssl', ['x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', join(dir, 'ca.pem'), '-CAkey', join(dir, 'ca-key.pem'), '-CAcreateserial', '-out', join(dir, `${name}.pem`), '-days', '2', '-extfile', join(dir, `${name}.ext`)]);
  };
  sign('server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  sign('client', 'extendedKeyUsage=clientAuth\n');
}

const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!LIVE)(`TLS to etcd${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-etcd-tls-'));
  const certs = join(dir, 'certs');
  const etcdArgs = ['--members', '1', '--port', String(PORT), '--data', join(dir, 'etcd'), '--tls', certs];
  const endpoint = `127.0.0.1:${PORT}`;
  const pem = (f: string) => readFileSync(join(certs, f));

  beforeAll(() => {
    if (!openssl) throw new Error('openssl not found: .ci/run installs it (the TLS test makes its certificates with it)');
    mkdirSync(certs, { recursive: true });
    makeCerts(certs);
    run(START_ETCD, etcdArgs);
  }, 60_000);
  afterAll(() => {
    spawnSync(START_ETCD, [...etcdArgs, '--stop', '--wipe']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a client with the CA and a client certificate reads and writes; the others are refused', async () => {
    const kv = new EtcdKv({ endpoints: [endpoint], tls: { ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client-key.pem') } });
    try {
      const key = `/slipway-test/tls/${process.pid}`;
      await kv.txn({ compare: [], success: [{ type: 'put', key, value: 'over TLS' }] });
      expect((await kv.get(key))?.value).toBe('over TLS');
    } finally {
      await kv.close();
    }
    const refused = [
      new EtcdKv({ endpoints: [endpoint], requestTimeoutMs: 2000, tls: { ca: pem('ca.pem') } }), // no client certificate
      new EtcdKv({ endpoints: [endpoint], requestTimeoutMs: 2000, tls: { ca: pem('other-ca.pem'), cert: pem('client.pem'), key: pem('client-key.pem') } }), // etcd's certificate not trusted
      new EtcdKv({ endpoints: [endpoint], requestTimeoutMs: 2000 }), // plain gRPC
    ];
    for (const c of refused) {
      try {
        await expect(c.get('/slipway-test/tls/x')).rejects.toBeInstanceOf(StoreUnavailableError);
      } finally {
        await c.close();
      }
    }
  });

  it('slipway serve --state etcds://... with --etcd-ca/--etcd-cert/--etcd-key leads and keeps its state in etcd', async () => {
    const config = loadConfig({
      env: {},
      flags: { listen: '127.0.0.1:0', state: `etcds://${endpoint}`, token: TOKEN, leaseTtl: '2', etcdCa: join(certs, 'ca.pem'), etcdCert: join(certs, 'client.pem'), etcdKey: join(certs, 'client-key.pem') },
    });
    const replica: Replica = await startReplica(config, { log: () => {} });
    try {
      let ready: { role?: string; ready?: boolean } = {};
      for (let i = 0; i < 100 && !(ready.role === 'leader' && ready.ready); i++) {
        await sleep(100);
        ready = (await (await fetch(`${replica.url}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as typeof ready;
      }
      expect(ready).toMatchObject({ role: 'leader', ready: true });
      const name = `tls-${process.pid}`;
      const res = await fetch(`${replica.url}/v1/workloads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ spec: { name, replicas: 1, containers: [{ name: 'c', image: 'busybox', requests: { cpu: '10m', memory: '8Mi' } }] } }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      const kv = new EtcdKv({ endpoints: [endpoint], tls: { ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client-key.pem') } });
      try {
        const stored = await kv.get(`/slipway/v1/workloads/${name}`);
        expect(stored, 'the workload is in etcd').toBeDefined();
      } finally {
        await kv.close();
      }
    } finally {
      await replica.close();
    }
  });

});

describe('TLS to etcd: configuration', () => {
  it('etcd.* keys without etcds:// and a certificate without its key are one-line input errors', () => {
    expect(() => loadConfig({ env: {}, flags: { state: 'etcd://127.0.0.1:2379', etcdCa: 'ca.pem' } })).toThrow(/--etcd-ca: etcd\.ca is for TLS to etcd: give the state as etcds:\/\//);
    expect(() => loadConfig({ env: {}, flags: { state: 'etcds://127.0.0.1:2379', etcdCert: 'client.pem' } })).toThrow(/--etcd-cert: etcd\.cert needs etcd\.key too/);
    expect(loadConfig({ env: {}, flags: { state: 'etcds://127.0.0.1:2379', etcdCa: 'ca.pem' } }).etcdTls).toEqual({ ca: 'ca.pem' });
  });
});
