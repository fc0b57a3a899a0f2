/**
 * The dashboard build the e2e hub serves. Built with the project's own Vite config into
 * out/e2e/renderer (so a run never races `npm run build` on out/renderer), and only when the
 * renderer's or the shared contracts' sources are newer than the last build.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const e2eRendererDir = join(repoRoot, 'out', 'e2e', 'renderer');

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) if (name !== 'node_modules') newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

const isFresh = (dir: string, sources: number) => {
  const index = join(dir, 'index.html');
  return existsSync(index) && statSync(index).mtimeMs > sources;
};

/** A dashboard build at least as new as its sources: out/renderer when `npm run build` made one, else our own. */
export async function ensureRendererBuilt(): Promise<string> {
  const sources = Math.max(newestMtime(join(repoRoot, 'src', 'renderer')), newestMtime(join(repoRoot, 'src', 'shared')), newestMtime(join(repoRoot, 'vite.renderer.config.ts')));
  const mainBuild = join(repoRoot, 'out', 'renderer');
  if (isFresh(mainBuild, sources)) return mainBuild;
  if (isFresh(e2eRendererDir, sources)) return e2eRendererDir;
  const { build } = await import('vite');
  // vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: join(repoRoot, 'vite.renderer.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir: e2eRendererDir, emptyOutDir: true, sourcemap: false },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return e2eRendererDir;
}
