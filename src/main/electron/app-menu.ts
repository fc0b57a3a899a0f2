/**
 * The application menu: standard edit roles (copy/paste in the editor and chat, required on
 * macOS), Hide window (Ctrl/Cmd+W, back to the tray) and Quit (Ctrl/Cmd+Q) — Quit is reachable
 * even on desktops without a tray area. Reload and DevTools only in development.
 */
import { Menu, type MenuItemConstructorOptions } from 'electron';

export function installAppMenu(o: { dev: boolean; hideWindow: () => void; quit: () => void }): void {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Hide window', accelerator: 'CmdOrCtrl+W', click: o.hideWindow },
        { type: 'separator' },
        { label: 'Quit Wactorz', accelerator: 'CmdOrCtrl+Q', click: o.quit },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...(o.dev ? [{ role: 'reload' as const }, { role: 'toggleDevTools' as const }, { type: 'separator' as const }] : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
