/**
 * The dashboard window: sandboxed, context-isolated, no Node in the page, the preload as the only
 * bridge. Closing it hides it to the tray (the hub keeps running) unless the app is quitting.
 */
import { BrowserWindow, nativeTheme } from 'electron';

export interface AppWindowOptions {
  preloadPath: string;
  iconPath: string;
  /** True once the app is quitting: then close really closes. */
  isQuitting: () => boolean;
}

export function createAppWindow(o: AppWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 840,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Wactorz',
    icon: o.iconPath,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#0f1115' : '#ffffff',
    autoHideMenuBar: true,
    webPreferences: {
      preload: o.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      // The renderer's live view keeps running (MQTT, frame batching) while hidden in the tray.
      backgroundThrottling: true,
    },
  });
  win.on('close', (event) => {
    if (o.isQuitting()) return;
    event.preventDefault();
    win.hide();
  });
  return win;
}

/** Shows and focuses the window (tray click, second launch, notification click). */
export function revealWindow(win: BrowserWindow | null): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
