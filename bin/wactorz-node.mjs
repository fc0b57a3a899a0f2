#!/usr/bin/env node
// `wactorz-node` / `npm run wactorz -- node …`: a Wactorz node that hosts agents for a hub on another
// machine (src/main/nodes). In a source checkout it first builds whatever is stale
// (scripts/build-headless.mjs); an installed package runs its built output.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(join(root, 'src/main/nodes/node-cli.ts')) && existsSync(join(root, 'node_modules/esbuild'))) {
  const { buildMain } = await import(pathToFileURL(join(root, 'scripts/build-headless.mjs')).href);
  await buildMain();
}
const { main } = await import(pathToFileURL(join(root, 'out/headless/node-cli.js')).href);
await main(process.argv.slice(2));
