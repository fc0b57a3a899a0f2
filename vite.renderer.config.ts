/**
 * Build of the dashboard (src/renderer). The same output is served by the headless hub at
 * http://<host>:8888/ and loaded by the Electron window, so paths are relative (base './') and
 * everything — Monaco and its workers included — is bundled: the dashboard works fully offline.
 * electron.vite.config.ts imports `rendererConfig` for its renderer section.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type UserConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export const rendererRoot = resolve(here, 'src/renderer');

export const rendererConfig: UserConfig = {
  root: rendererRoot,
  base: './',
  plugins: [
    react(),
    {
      // A build run from a test process inherits NODE_ENV=test, which would bundle React's slow
      // development build; a production-mode build always gets the production one.
      name: 'wactorz:production-react',
      config: (_config, env) => (env.command === 'build' && env.mode === 'production' ? { define: { 'process.env.NODE_ENV': JSON.stringify('production') } } : undefined),
    },
  ],
  // No public/ folder and no CDN: every asset is imported from the bundle.
  publicDir: false,
  worker: { format: 'es' },
  build: {
    outDir: resolve(here, 'out/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Monaco's language services are large by nature; they load lazily with the editor view.
    chunkSizeWarningLimit: 8_000,
    rollupOptions: {
      input: resolve(rendererRoot, 'index.html'),
      // Monaco's worker transform is slow by nature; the timing report says nothing actionable.
      checks: { bundlerTimings: false },
    },
  },
  server: {
    // `npx vite --config vite.renderer.config.ts` against a running hub: proxy the API and the broker.
    proxy: {
      '/api': { target: process.env.WACTORZ_HUB_URL ?? 'http://127.0.0.1:8888', changeOrigin: true },
      '/mqtt': { target: process.env.WACTORZ_HUB_URL ?? 'http://127.0.0.1:8888', ws: true, changeOrigin: true },
    },
  },
};

export default defineConfig(rendererConfig);
