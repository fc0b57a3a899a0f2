/**
 * Electron main entry (electron-vite builds it to out/main/index.js). One instance per user data
 * directory: a second launch hands over to the first (which shows its window) and exits.
 * WACTORZ_USER_DATA_DIR moves all state (portable installs, tests) and must be applied before the
 * single-instance lock, which is per user data directory.
 */
import { app } from 'electron';
import { resolve } from 'node:path';
import { DesktopApp, log } from './desktop-app.js';

app.setName('Wactorz');
if (process.env.WACTORZ_USER_DATA_DIR) app.setPath('userData', resolve(process.env.WACTORZ_USER_DATA_DIR));

if (!app.requestSingleInstanceLock()) {
  log('info', 'Wactorz is already running; showing its window');
  app.quit();
} else {
  new DesktopApp().run();
}
