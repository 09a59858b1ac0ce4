/**
 * Named network namespaces, as iproute2 keeps them: `ip netns add NAME` creates a namespace and
 * bind-mounts it at /run/netns/NAME (so it lives without a process in it), `ip netns delete NAME`
 * unmounts and removes it. Slipway uses `ip` (spawned with an argument array, never a shell)
 * rather than unshare(1) because the bind mount is what lets a namespace outlive Slipway and be
 * found again by name after a kill -9 (the garbage collector lists /run/netns).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const NETNS_DIR = '/run/netns';

export function netnsPath(name: string): string {
  return join(NETNS_DIR, name);
}

function ip(args: readonly string[], timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('ip', [...args], { timeout: timeoutMs }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'ENOENT' ? 'ip (iproute2) not found' : String(stderr).trim() || e.message;
      reject(new Error(`ip ${args.join(' ')}: ${why}`));
    });
  });
}

/** Creates the namespace unless it exists. */
export async function createNetns(name: string): Promise<string> {
  const path = netnsPath(name);
  if (!existsSync(path)) {
    try {
      await ip(['netns', 'add', name]);
    } catch (e) {
      if (!existsSync(path)) throw e; // created concurrently is fine
    }
  }
  return path;
}

/** Deletes the namespace; a missing one is not an error. */
export async function deleteNetns(name: string): Promise<void> {
  if (!existsSync(netnsPath(name))) return;
  try {
    await ip(['netns', 'delete', name]);
  } catch (e) {
    if (existsSync(netnsPath(name))) throw e;
  }
}

/** Names of the namespaces under /run/netns starting with `prefix`, sorted. */
export function listNetns(prefix: string): string[] {
  let names: string[];
  try {
    names = readdirSync(NETNS_DIR);
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith(prefix)).sort();
}

/** The host-side links (veths, bridges) whose name starts with `prefix`, from /sys/class/net. */
export function listLinks(prefix = ''): string[] {
  try {
    return readdirSync('/sys/class/net')
      .filter((n) => n.startsWith(prefix))
      .sort();
  } catch {
    return [];
  }
}

/** Deletes a host link (a bridge Slipway made); a missing one is not an error. */
export async function deleteLink(name: string): Promise<void> {
  if (!existsSync(join('/sys/class/net', name))) return;
  await ip(['link', 'delete', name]);
}

/**
 * The devices the host routes `cidr` through (`ip -json route show exact CIDR`, every table's
 * main entry): empty when nothing routes it yet.
 */
export function routesTo(cidr: string): string[] {
  let out: string;
  try {
    out = execFileSync('ip', ['-json', 'route', 'show', 'exact', cidr], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return [];
  }
  try {
    return (JSON.parse(out) as Array<{ dev?: string }>).flatMap((r) => (r.dev !== undefined ? [r.dev] : []));
  } catch {
    return [];
  }
}
