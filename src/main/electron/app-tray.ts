/**
 * The tray icon and its menu. The content comes from tray-menu-model.ts (plain data); here it is
 * only turned into Electron objects, with the icon chosen by state and by the panel's brightness.
 */
import { Menu, Tray, nativeImage, nativeTheme, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import type { HubSnapshot } from './hub-status.js';
import { buildTrayMenu, trayIconName, trayTooltip, type MenuItemModel, type TrayAction, type TrayMenuContext } from './tray-menu-model.js';

export type PanelTheme = 'light' | 'dark';

/**
 * macOS's menu bar follows the system appearance; Windows' taskbar and most Linux panels are dark
 * by default whatever the apps' theme. WACTORZ_TRAY_PANEL=light|dark overrides.
 */
export function panelTheme(): PanelTheme {
  const forced = process.env.WACTORZ_TRAY_PANEL;
  if (forced === 'light' || forced === 'dark') return forced;
  if (process.platform === 'darwin') return nativeTheme.shouldUseDarkColors ? 'dark' : 'light';
  return 'dark';
}

export class AppTray {
  private readonly tray: Tray;
  private lastIcon = '';

  constructor(
    private readonly iconDir: string,
    private readonly onAction: (action: TrayAction) => void,
  ) {
    this.tray = new Tray(this.image('offline'));
    this.tray.setToolTip('Wactorz — starting…');
    // Left click opens the dashboard on Windows/Linux; macOS shows the menu (its convention).
    if (process.platform !== 'darwin') this.tray.on('click', () => onAction('open-dashboard'));
    nativeTheme.on('updated', () => (this.lastIcon = ''));
  }

  update(snapshot: HubSnapshot, ctx: TrayMenuContext): void {
    const file = trayIconName(snapshot.trayState, panelTheme());
    if (file !== this.lastIcon) {
      this.tray.setImage(this.image(snapshot.trayState));
      this.lastIcon = file;
    }
    this.tray.setToolTip(trayTooltip(snapshot));
    this.tray.setContextMenu(Menu.buildFromTemplate(buildTrayMenu(snapshot, ctx).map((m) => this.toElectron(m))));
  }

  destroy(): void {
    this.tray.destroy();
  }

  private image(state: HubSnapshot['trayState']): Electron.NativeImage {
    // nativeImage picks tray-…@2x.png on HiDPI screens by itself.
    return nativeImage.createFromPath(join(this.iconDir, trayIconName(state, panelTheme())));
  }

  private toElectron(m: MenuItemModel): MenuItemConstructorOptions {
    switch (m.type) {
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { label: m.label, enabled: m.enabled, submenu: m.items.map((i) => this.toElectron(i)) };
      case 'checkbox':
        return { type: 'checkbox', label: m.label, checked: m.checked, enabled: m.enabled, click: () => this.onAction(m.action) };
      case 'normal': {
        const action = m.action;
        return { label: m.label, enabled: m.enabled, ...(action ? { click: () => this.onAction(action) } : {}) };
      }
    }
  }
}
