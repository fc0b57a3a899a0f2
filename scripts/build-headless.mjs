#!/usr/bin/env node
// Builds what the headless hub runs: src/main → out/headless (esbuild, one ESM bundle per entry),
// and the dashboard → out/renderer (Vite). Pure-JS dependencies are bundled in: resolving and
// loading thousands of small files was most of the hub's start time (≈1.1 s → 0.55 s here).
// Native modules and the TypeScript compiler (loaded only to transpile agent code) stay external. Each part is rebuilt only
// when its sources are newer than its output, so `npm run wactorz` starts fast after the first run.
// Usage: node scripts/build-headless.mjs [--force] [--quiet]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const quiet = process.argv.includes('--quiet');
const say = (msg) => quiet || process.stderr.write(`${msg}\n`);

function newestMtime(paths) {
  let newest = 0;
  const walk = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) if (name !== 'node_modules') walk(join(p, name));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  paths.forEach((p) => walk(join(root, p)));
  return newest;
}

// pdfjs-dist (imported by the manual agent's PDF worker, a copied file) loads its own worker module by
// a path next to its file, and @napi-rs/canvas is native: external.
const EXTERNAL = ['better-sqlite3', 'typescript', 'electron', 'bufferutil', 'utf-8-validate', 'isolated-vm', 'quickjs-emscripten', '@jitl/*', 'pdfjs-dist', 'pdfjs-dist/*', '@napi-rs/canvas'];

const stampTime = (stamp) => (existsSync(stamp) ? statSync(stamp).mtimeMs : 0);

/** Entry points: the CLI, the Node-only entries, and every worker (`*.worker.ts`) kept as its own file. */
function mainEntries() {
  const entries = { cli: join(root, 'src/main/cli.ts') };
  for (const extra of ['src/main/mcp/mcp-cli.ts', 'src/main/nodes/node-cli.ts']) {
    if (existsSync(join(root, extra))) entries[extra.split('/').pop().replace(/\.ts$/, '')] = join(root, extra);
  }
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.worker.ts')) entries[`workers/${name.replace(/\.ts$/, '')}`] = p;
    }
  };
  walk(join(root, 'src/main'));
  return entries;
}

export async function buildMain() {
  const out = join(root, 'out/headless');
  const stamp = join(out, '.stamp');
  if (!force && stampTime(stamp) > newestMtime(['src/main', 'src/shared', 'package.json'])) return false;
  const t0 = Date.now();
  await build({
    entryPoints: mainEntries(),
    outdir: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    sourcemap: true,
    logLevel: 'warning',
    // Bundled ESM has no require(); some of our deps' CJS helpers need it.
    banner: { js: "import { createRequire as __wzCreateRequire } from 'node:module'; const require = __wzCreateRequire(import.meta.url);" },
  });
  // The DynamicAgent sandbox's worker is a plain module loaded from a file beside the code
  // (quickjs-assets.ts looks for ./worker/ next to the bundle), so it is copied, not bundled.
  cpSync(join(root, 'src/main/agents/dynamic/sandbox/worker'), join(out, 'worker'), { recursive: true });
  // Likewise the manual agent's PDF text worker (src/main/agents/manual/pdf-text.ts looks in ./worker/).
  cpSync(join(root, 'src/main/agents/manual/worker'), join(out, 'worker'), { recursive: true });
  writeFileSync(stamp, new Date().toISOString());
  say(`built ${relative(root, out)} in ${Date.now() - t0} ms`);
  return true;
}

export function buildRenderer() {
  const out = join(root, 'out/renderer');
  const stamp = join(out, '.stamp');
  const config = join(root, 'vite.renderer.config.ts');
  if (!existsSync(config)) return false;
  if (!force && stampTime(stamp) > newestMtime(['src/renderer', 'src/shared', 'vite.renderer.config.ts'])) return false;
  say('building the dashboard (first run or sources changed)…');
  const r = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', config, '--logLevel', quiet ? 'error' : 'warn'], {
    cwd: root,
    // A NODE_ENV inherited from a test runner (vitest sets "test") would bundle React's development
    // JSX runtime, which the production React build does not have: the page would not start.
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error('dashboard build failed (see above)');
  writeFileSync(stamp, new Date().toISOString());
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildMain();
  buildRenderer();
}
