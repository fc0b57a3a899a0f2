#!/usr/bin/env node
// `wactorz-mcp` / `npm run wactorz-mcp -- --url http://127.0.0.1:8000`: the MCP server (stdio) for a
// running hub. In a source checkout it first builds whatever is stale (scripts/build-headless.mjs,
// which reports on stderr: stdout is the MCP protocol); an installed package runs its built output.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(join(root, 'src/main/mcp/mcp-cli.ts')) && existsSync(join(root, 'node_modules/esbuild'))) {
  const { buildMain } = await import(pathToFileURL(join(root, 'scripts/build-headless.mjs')).href);
  await buildMain();
}
const { main } = await import(pathToFileURL(join(root, 'out/headless/mcp-cli.js')).href);
await main(process.argv.slice(2));
