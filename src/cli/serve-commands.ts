/**
 * The daemon and its client: `serve`, `config print`, and the kubectl-style commands that talk to
 * a running daemon (`apply`, `get`, `describe`, `scale`, `delete`, `cordon`, `uncordon`, `drain`,
 * `logs`, `watch`) and `mcp` (the MCP server over stdio). Each command's code is imported only when it runs.
 */
import type { Command } from 'commander';
import { guardCommand } from './errors.js';

const serverOptions = (c: Command): Command =>
  c
    .option('--server <url>', 'the daemon (default: $SLIPWAY_SERVER, the config\'s server, else http://<listen>)')
    .option('--token <token>', 'bearer token (default: $SLIPWAY_TOKEN, the config\'s token, else <state>/token)')
    .option('--config <file>', 'configuration file (default: $SLIPWAY_CONFIG)');

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('run the orchestrator as a daemon with an HTTP API (sim backend by default: no Docker needed)')
    .option('--config <file>', 'configuration file (YAML; default: $SLIPWAY_CONFIG)')
    .option('--listen <host:port>', 'address to listen on (default 127.0.0.1:7420)')
    .option('--state <dir|etcd://...>', 'state directory (default .slipway), or etcd://HOST:PORT[,HOST:PORT...] (etcds:// for TLS) to run as one of several replicas')
    .option('--lease-ttl <s>', 'replicas on etcd: leader lease TTL in seconds (default 10)')
    .option('--backend <kind>', 'sim (default), docker or oci')
    .option('--speed <n>', 'sim: run virtual time N times faster than real time (default 1)')
    .option('--seed <n>', 'sim: seed of the simulated cluster (default 1)')
    .option('--token <token>', 'bearer token (default: generated into <state>/token)')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--etcd-ca <file>', "etcds://: PEM CA certificate that signed etcd's certificates (default: the system's CAs)")
    .option('--etcd-cert <file>', 'etcds://: PEM client certificate for etcd (with --etcd-key)')
    .option('--etcd-key <file>', 'etcds://: PEM private key for --etcd-cert')
    .option('--identity <name>', "docker/oci: the cluster's identity on shared engines (default slipway-serve)")
    .option('--force', "docker/oci: break another Slipway's lock on the engines (only when that process is gone)")
    .action(async (flags) => {
      const { runServe } = await import('./serve.js');
      await guardCommand(() => runServe(flags));
    });

  const config = program.command('config').description('the daemon\'s configuration');
  config
    .command('print')
    .description('show the effective configuration and where each value came from (flag, env, file, default)')
    .option('--config <file>', 'configuration file (default: $SLIPWAY_CONFIG)')
    .option('--listen <host:port>', 'as serve')
    .option('--state <dir>', 'as serve')
    .option('--backend <kind>', 'as serve')
    .option('--speed <n>', 'as serve')
    .option('--identity <name>', 'as serve')
    .option('--json', 'print JSON')
    .option('--keys', 'list every key with its environment variable, flag, default and meaning')
    .action(async (flags) => {
      const { runConfigPrint } = await import('./serve.js');
      await guardCommand(() => runConfigPrint(flags));
    });

  serverOptions(
    program
      .command('apply')
      .description('create or update workloads on a daemon from a file: one workload, a list, or a scenario\'s workloads:')
      .requiredOption('-f, --file <file>', 'YAML or JSON file (- for stdin)')
      .option('--dry-run <mode>', 'client: check the file and print what would be sent; sim: simulate applying it on a snapshot of the cluster (nothing is applied)')
      .option('--horizon <duration>', '--dry-run=sim: simulated time after the apply (default 10m)')
      .option('--seed <n>', '--dry-run=sim: the simulation\'s seed (default 1)')
      .option('--json', '--dry-run=sim: print the whole result as JSON'),
  ).action(async (flags) => {
    const { runApply } = await import('./client/apply.js');
    await guardCommand(() => runApply(flags));
  });

  serverOptions(
    program
      .command('get')
      .description('list workloads, nodes, instances or endpoints on a daemon')
      .argument('<kind>', 'workloads, nodes, instances or endpoints (singular and short forms: wl, no, inst, ep)')
      .argument('[name]', 'one object by name (instance id)')
      .option('-o, --output <format>', 'table (default), wide, json or yaml')
      .option('-l, --selector <selector>', 'label selector: app=web,tier!=db')
      .option('--workload <name>', 'instances: of this workload')
      .option('--node <name>', 'instances: on this node'),
  ).action(async (kind: string, name: string | undefined, flags) => {
    const { runGet } = await import('./client/get.js');
    await guardCommand(() => runGet(kind, name, flags));
  });

  serverOptions(
    program
      .command('describe')
      .description('a workload in detail: status, rollout, instances, recent events, why pending')
      .argument('<kind>', 'workload')
      .argument('<name>', 'its name'),
  ).action(async (kind: string, name: string, flags) => {
    const { runDescribe } = await import('./client/describe.js');
    await guardCommand(() => runDescribe(kind, name, flags));
  });

  serverOptions(
    program.command('scale').description('set a workload\'s replicas').argument('<name>', 'workload').argument('<replicas>', 'replicas (0 or more)').option('--revision <n>', 'only if the workload is still at this revision'),
  ).action(async (name: string, replicas: string, flags) => {
    const { runScale } = await import('./client/simple.js');
    await guardCommand(() => runScale(name, replicas, flags));
  });

  serverOptions(
    program.command('delete').description('delete a workload (its instances stop)').argument('<name>', 'workload').option('--revision <n>', 'only if the workload is still at this revision'),
  ).action(async (name: string, flags) => {
    const { runDelete } = await import('./client/simple.js');
    await guardCommand(() => runDelete(name, flags));
  });

  for (const action of ['cordon', 'uncordon', 'drain'] as const) {
    const what = action === 'cordon' ? 'mark a node unschedulable' : action === 'uncordon' ? 'make a node schedulable again' : 'cordon a node and evict its instances (replaced elsewhere)';
    serverOptions(program.command(action).description(what).argument('<node>', 'node name')).action(async (node: string, flags) => {
      const { runNodeAction } = await import('./client/simple.js');
      await guardCommand(() => runNodeAction(action, node, flags));
    });
  }

  serverOptions(
    program
      .command('logs')
      .description('an instance\'s container output (docker backend)')
      .argument('<instance>', 'instance id (slipway get instances)')
      .option('-c, --container <name>', 'container (default: the first)')
      .option('--tail <n>', 'only the last N lines'),
  ).action(async (instance: string, flags) => {
    const { runLogs } = await import('./client/simple.js');
    await guardCommand(() => runLogs(instance, flags));
  });

  serverOptions(
    program
      .command('watch')
      .description('stream the daemon\'s events as they happen (resumes after --since)')
      .option('--since <revision>', 'start after this revision (default: now)')
      .option('--workload <name>', 'only events about this workload')
      .option('-o, --output <format>', 'text (default) or json (one event per line)')
      .option('--count <n>', 'stop after N events'),
  ).action(async (flags) => {
    const { runWatch } = await import('./client/watch.js');
    await guardCommand(() => runWatch(flags));
  });

  serverOptions(
    program
      .command('mcp')
      .description('serve MCP (Model Context Protocol) over stdio for AI agents: the daemon\'s API as tools and resources')
      .option('--read-only', 'only the tools that change nothing (lists, explain, simulate_change)'),
  ).action(async (flags) => {
    const { mcpCommand } = await import('./mcp.js');
    await guardCommand(() => mcpCommand(flags));
  });
}
