#!/usr/bin/env node
// `npm start` (and `npm run dev` with --dev): the desktop app through electron-vite, where the
// Electron binary is installed. Where it is not, one clear line and exit code 1.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinaryPath } from './electron-binary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');
// Electron ≥ 45 fetches its binary on first use rather than at `npm install`: try that once
// (quietly) unless downloads are switched off, then give up with one line.
if (!electronBinaryPath() && !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD && !process.env.CI) {
  spawnSync(process.execPath, [join(root, 'node_modules/electron/install.js')], { cwd: root, stdio: 'ignore', timeout: 300_000 });
}
if (!electronBinaryPath()) {
  console.error('No Electron binary is installed here (it could not be downloaded) — run the headless hub with `npm run wactorz` instead.');
  process.exit(1);
}
const args = dev ? ['dev', '--watch'] : ['preview'];
const r = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), ...args, ...process.argv.slice(2).filter((a) => a !== '--dev')], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
