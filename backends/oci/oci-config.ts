/**
 * config.json for an OCI bundle, generated from a ContainerSpec (OCI runtime spec 1.0.2, the
 * defaults of `runc spec` / `youki spec` plus):
 *   process.args  = the exit-code wrapper + command ++ args   (see `wrapperArgs`)
 *   process.env   = PATH + spec.env (sorted by name);  process.cwd = "/";  hostname = the instance id
 *   linux.resources.cpu    = { period: 100000 µs, quota: limits.cpu × 100000 / 1000 }   (millicores → µs per period)
 *   linux.resources.memory = { limit: limits.memory }                                   (bytes)
 * and a bind mount of the bundle's `slipway/` directory at `/.slipway`, where the wrapper finds
 * a static busybox and writes the exit code.
 */
import type { ContainerSpec } from '../../src/core/types.js';

/** CPU period of the CFS quota, µs. */
export const CPU_PERIOD_US = 100_000;

/**
 * The wrapper runs as the container's pid 1: it starts the command, forwards SIGTERM/SIGINT to
 * it, waits for it, and writes its exit status to /.slipway/exit — OCI runtimes do not report
 * exit codes in `state`, so this file is how Slipway reads them after the process is gone.
 */
export const WRAPPER_SCRIPT = [
  '"$@" &',
  'c=$!',
  "trap 'kill -TERM $c 2>/dev/null' TERM",
  "trap 'kill -INT $c 2>/dev/null' INT",
  'while :; do wait $c; s=$?; kill -0 $c 2>/dev/null || break; done',
  'echo $s > /.slipway/exit',
  'exit $s',
].join('\n');

export function wrapperArgs(command: readonly string[]): string[] {
  return ['/.slipway/busybox', 'sh', '-c', WRAPPER_SCRIPT, 'slipway-init', ...command];
}

/** `statusDir`: absolute path of the bundle's `slipway/` directory (bind-mounted at /.slipway). */
/**
 * `netns`: a network namespace path to join (the instance's, made by CNI); without it the
 * container gets a new, empty one (loopback down, no address).
 */
export function ociConfig(spec: ContainerSpec, opts: { hostname: string; statusDir: string; netns?: string }): Record<string, unknown> {
  const { hostname, statusDir } = opts;
  const command = [...(spec.command ?? []), ...(spec.args ?? [])];
  const env = [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ...Object.keys(spec.env)
      .sort()
      .map((k) => `${k}=${spec.env[k]}`),
  ];
  const caps = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
  const resources: Record<string, unknown> = { devices: [{ allow: false, access: 'rwm' }] };
  if (spec.limits.cpu > 0) resources.cpu = { period: CPU_PERIOD_US, quota: Math.round((spec.limits.cpu * CPU_PERIOD_US) / 1000) };
  if (spec.limits.memory > 0) resources.memory = { limit: spec.limits.memory };
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: wrapperArgs(command),
      env,
      cwd: '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, ambient: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: false },
    hostname,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/.slipway', type: 'bind', source: statusDir, options: ['rbind', 'rw'] },
    ],
    linux: {
      resources,
      namespaces: [{ type: 'pid' }, opts.netns !== undefined ? { type: 'network', path: opts.netns } : { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}
