/**
 * electron-vite: main (src/main/electron/main.ts → out/main/index.js, ESM, npm packages external),
 * preload (src/preload/index.ts → out/preload/index.cjs: sandboxed preloads must be one CommonJS
 * file), and the renderer from vite.renderer.config.ts — the very build the headless hub serves,
 * so the window and a browser show the same dashboard.
 */
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { rendererConfig } from './vite.renderer.config';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Worker entries (`*.worker.ts`) as their own files under out/main/workers/, like the headless build. */
function workerEntries(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.worker.ts')) out[`workers/${name.replace(/\.ts$/, '')}`] = p;
    }
  };
  walk(dir);
  return out;
}

/**
 * The DynamicAgent sandbox's worker is plain .mjs loaded by path next to its module
 * (`./worker/sandbox-worker.mjs`); in the bundle that is out/main/worker/. The desktop app also
 * points WACTORZ_SANDBOX_WORKER there (desktop-app.ts). The manual agent's PDF text worker
 * (`src/main/agents/manual/worker/`) goes to the same folder.
 */
function copySandboxWorker(): Plugin {
  const from = [resolve(root, 'src/main/agents/dynamic/sandbox/worker'), resolve(root, 'src/main/agents/manual/worker')];
  return {
    name: 'wactorz:copy-sandbox-worker',
    apply: 'build',
    writeBundle(options) {
      for (const dir of from) if (existsSync(dir) && options.dir) cpSync(dir, join(options.dir, 'worker'), { recursive: true });
    },
  };
}

export default defineConfig({
  main: {
    plugins: [copySandboxWorker()],
    build: {
      outDir: resolve(root, 'out/main'),
      // Every npm dependency stays in node_modules (native better-sqlite3 above all).
      externalizeDeps: true,
      sourcemap: true,
      rollupOptions: {
        input: {
          index: resolve(root, 'src/main/electron/main.ts'),
          ...workerEntries(resolve(root, 'src/main')),
        },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // Bundle everything into one file: a sandboxed preload can require nothing but 'electron'.
      externalizeDeps: false,
      sourcemap: 'inline',
      rollupOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    ...rendererConfig,
    build: { ...rendererConfig.build },
  },
});
