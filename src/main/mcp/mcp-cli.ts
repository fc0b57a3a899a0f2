/**
 * `wactorz-mcp` (`npm run wactorz-mcp -- --url http://127.0.0.1:8000`): serves the Wactorz tools
 * over stdio to an MCP client. stdout carries the protocol only; diagnostics go to stderr. It needs
 * no running hub to start — each tool call says clearly when the hub is not reachable.
 */
import { pathToFileURL } from 'node:url';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { parseMcpArgs } from './mcp-args.js';
import { HubClient } from './hub-client.js';
import { createWactorzMcpServer } from './mcp-server.js';

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const parsed = parseMcpArgs(argv, env);
  if (parsed.kind === 'exit') {
    // Help and usage errors go to stderr too: stdout belongs to the protocol.
    process.stderr.write(parsed.output);
    process.exitCode = parsed.code;
    return;
  }
  const { url, apiKey, timeout } = parsed.flags;
  const hub = new HubClient({ url, apiKey, timeoutMs: timeout * 1000 });
  const server = createWactorzMcpServer(hub, process.env.npm_package_version ?? '0.1.0');
  const transport = new StdioServerTransport();
  transport.onclose = () => process.exit(0);
  await server.connect(transport);
  process.stdin.on('end', () => void server.close());
  process.stderr.write(`wactorz-mcp: serving Wactorz at ${hub.url} over stdio\n`);
}

// Run directly (`node out/headless/mcp-cli.js …`, `tsx src/main/mcp/mcp-cli.ts …`) and through bin/wactorz-mcp.mjs.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main(process.argv.slice(2));
