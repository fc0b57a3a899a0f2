/** Start at login: Electron's login items on macOS and Windows, an XDG autostart entry on Linux. */
import { app } from 'electron';
import { homedir } from 'node:os';
import { autostartDir, isAutostartEnabled, setAutostart } from './linux-autostart.js';

/** Started by the login item: stay in the tray, no window. */
export const HIDDEN_FLAG = '--hidden';

export interface LoginItem {
  get(): Promise<boolean>;
  set(openAtLogin: boolean): Promise<boolean>;
}

/** The command that starts this app (an AppImage runs from its own file, not the mounted copy). */
function launchCommand(): string[] {
  const exe = process.env.APPIMAGE || process.execPath;
  return app.isPackaged ? [exe, HIDDEN_FLAG] : [exe, app.getAppPath(), HIDDEN_FLAG];
}

export function createLoginItem(): LoginItem {
  if (process.platform === 'linux') {
    const dir = autostartDir(process.env, homedir());
    return {
      get: () => isAutostartEnabled(dir),
      set: async (on) => {
        await setAutostart(dir, on, launchCommand());
        return isAutostartEnabled(dir);
      },
    };
  }
  const args = app.isPackaged ? [HIDDEN_FLAG] : [app.getAppPath(), HIDDEN_FLAG];
  return {
    get: async () => app.getLoginItemSettings({ args }).openAtLogin,
    set: async (on) => {
      app.setLoginItemSettings({ openAtLogin: on, args, ...(app.isPackaged ? {} : { path: process.execPath }) });
      return app.getLoginItemSettings({ args }).openAtLogin;
    },
  };
}

/** True when this launch came from the login item (start hidden in the tray). */
export function launchedAtLogin(): boolean {
  if (process.argv.includes(HIDDEN_FLAG)) return true;
  return process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true;
}
