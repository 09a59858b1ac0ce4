/**
 * Host ports for the live tests that publish one (a container's hostPort through Docker or CNI
 * portmap): the kernel picks a port free on every address, rather than a number derived from the
 * pid, which another service (or a NAT rule a killed earlier run left) may already hold.
 */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';

/** A TCP port the kernel just gave out on 0.0.0.0 (so nothing listens on it) and no iptables NAT rule names. */
export async function freeHostPort(): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '0.0.0.0', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    if (!natRules().includes(`--dport ${port} `) || attempt >= 20) return port;
  }
}

/** `iptables -t nat -S` with a space after each line, or '' where iptables cannot be read. */
function natRules(): string {
  try {
    return execFileSync('iptables', ['-t', 'nat', '-S'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).replace(/\n/g, ' \n');
  } catch {
    return '';
  }
}
