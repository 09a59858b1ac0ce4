/**
 * `slipway mcp [--server URL] [--token T] [--read-only]`: the MCP server over stdio, for desktop
 * agents. It is a client of a running daemon's HTTP API (server and token found like every client
 * command: flags, SLIPWAY_SERVER/SLIPWAY_TOKEN, the config, the local state directory's token).
 * stdout carries only MCP messages; diagnostics go to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMcpServer } from '../serve/mcp/mcp-server.js';
import { connect, type ClientFlags } from './client/api-client.js';

export interface McpFlags extends ClientFlags {
  readonly readOnly?: boolean;
}

/** Serves MCP on stdin/stdout until stdin closes. */
export async function mcpCommand(flags: McpFlags): Promise<number> {
  const client = connect(flags);
  const server = createMcpServer(client, { readOnly: flags.readOnly ?? false });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  process.stderr.write(`slipway mcp: serving over stdio for ${client.url}${flags.readOnly ? ' (read-only)' : ''}\n`);
  await closed;
  await server.close();
  return 0;
}
