#!/usr/bin/env node
// `wactorz` / `npm run wactorz -- [flags]`: the headless hub. In a source checkout it first builds
// whatever is stale (scripts/build-headless.mjs); an installed package runs its built output.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (existsSync(join(root, 'src/main/cli.ts')) && existsSync(join(root, 'node_modules/esbuild'))) {
  const { buildMain, buildRenderer } = await import(pathToFileURL(join(root, 'scripts/build-headless.mjs')).href);
  await buildMain();
  // A remote node (`wactorz node …`) and --help need no dashboard.
  if (args[0] !== 'node' && !args.includes('--no-monitor') && !args.includes('--help') && !args.includes('-h')) {
    try {
      buildRenderer();
    } catch (e) {
      // The hub still runs; the dashboard URL says the page is not built.
      process.stderr.write(`wactorz: ${e.message}; starting without the dashboard page\n`);
    }
  }
}
const { main } = await import(pathToFileURL(join(root, 'out/headless/cli.js')).href);
await main(args);
