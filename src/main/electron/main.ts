/**
 * Electron main entry (electron-vite builds it to out/main/index.js). One instance per user data
 * directory: a second launch hands over to the first (which shows its window) and exits.
 * WACTORZ_USER_DATA_DIR moves all state (portable installs, tests) and must be applied before the
 * single-instance lock, which is per user data directory.
 */
import { app } from 'electron';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DesktopApp, log } from './desktop-app.js';

app.setName('Wactorz');
// Windows shows notifications only for an app with a user model id (the installer's appId).
if (process.platform === 'win32') app.setAppUserModelId('dev.wactorz.app');
if (process.env.WACTORZ_USER_DATA_DIR) app.setPath('userData', resolve(process.env.WACTORZ_USER_DATA_DIR));

// The DynamicAgent sandbox worker, copied next to this bundle by electron.vite.config.ts
// (unpacked from the asar in a packaged app: worker threads load real files).
const sandboxWorker = fileURLToPath(new URL('./worker/sandbox-worker.mjs', import.meta.url)).replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
if (!process.env.WACTORZ_SANDBOX_WORKER && existsSync(sandboxWorker)) process.env.WACTORZ_SANDBOX_WORKER = sandboxWorker;

if (!app.requestSingleInstanceLock()) {
  log('info', 'Wactorz is already running; showing its window');
  app.quit();
} else {
  new DesktopApp().run();
}
