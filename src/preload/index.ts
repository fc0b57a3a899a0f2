/**
 * The preload: exposes `window.wactorz` (WactorzDesktopApi) to the dashboard through
 * contextBridge. Runs sandboxed, so it imports only `electron` and types; every call is a plain
 * IPC message with JSON-like arguments (validated again in the main process), and only plain
 * values come back — no Node object, no ipcRenderer, no callbacks cross into the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type {
  DesktopConnection,
  DesktopConnectionChannel,
  DesktopIpcChannel,
  DesktopIpcContract,
  WactorzDesktopApi,
} from '../shared/desktop-api.js';

function invoke<C extends DesktopIpcChannel>(channel: C, ...args: DesktopIpcContract[C]['args']): Promise<DesktopIpcContract[C]['result']> {
  return ipcRenderer.invoke(channel, ...args) as Promise<DesktopIpcContract[C]['result']>;
}

const connectionChannel: DesktopConnectionChannel = 'wactorz:connection';

/** Asked once, synchronously, when the page loads: the dashboard needs it before its first request. */
function readConnection(): DesktopConnection {
  const c = ipcRenderer.sendSync(connectionChannel) as DesktopConnection | null;
  // Not the dashboard (or the hub is not up yet): talk to the page's own origin, no token.
  return c ?? { baseUrl: (globalThis as { location?: { origin: string } }).location?.origin ?? '', token: null };
}
const connection = Object.freeze(readConnection());

const api: WactorzDesktopApi = {
  isDesktop: true,
  platform: process.platform,
  connection: () => ({ ...connection }),
  getInfo: () => invoke('wactorz:get-info'),
  getVersion: () => invoke('wactorz:get-version'),
  notify: (n) => invoke('wactorz:notify', { title: String(n?.title ?? ''), body: String(n?.body ?? '') }),
  openExternal: (url) => invoke('wactorz:open-external', String(url)),
  getLoginItem: () => invoke('wactorz:get-login-item'),
  setLoginItem: (on) => invoke('wactorz:set-login-item', on),
  listSecrets: () => invoke('wactorz:list-secrets'),
  setSecret: (name, value) => invoke('wactorz:set-secret', name, value),
  deleteSecret: (name) => invoke('wactorz:delete-secret', name),
  getSettings: () => invoke('wactorz:get-settings'),
  updateSettings: (patch) => invoke('wactorz:update-settings', patch),
};

contextBridge.exposeInMainWorld('wactorz', api);
