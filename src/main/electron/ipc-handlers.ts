/**
 * What each IPC channel does, over injected services (Electron's in the app, plain objects in
 * tests), and the one entry point that checks the sender and validates the arguments before any
 * handler runs. Errors reach the page as a message (Electron serialises only `message`), never
 * with a secret in it.
 */
import type { DesktopInfo, DesktopIpcChannel, DesktopIpcContract, DesktopNotification, DesktopSettings, DesktopSettingsPatch, SecretName } from '../../shared/desktop-api.js';
import { IpcValidationError, isTrustedSender, validateIpcArgs } from './ipc-schemas.js';
import { SECRET_NAMES } from './secret-names.js';
import type { SecretStore } from './secret-store.js';

export interface DesktopServices {
  info(): DesktopInfo;
  notify(n: DesktopNotification): void;
  openExternal(url: string): Promise<void>;
  getLoginItem(): Promise<boolean>;
  setLoginItem(openAtLogin: boolean): Promise<boolean>;
  secrets: SecretStore;
  /** A secret changed: the hub is restarted to use it. */
  secretChanged(name: SecretName): void;
  getSettings(): DesktopSettings;
  /** Validates, saves, applies (restarting the hub when needed); resolves with the new settings. */
  updateSettings(patch: DesktopSettingsPatch): Promise<DesktopSettings>;
}

type Handler<C extends DesktopIpcChannel> = (...args: DesktopIpcContract[C]['args']) => Promise<DesktopIpcContract[C]['result']>;
export type IpcHandlers = { [C in DesktopIpcChannel]: Handler<C> };

export function createIpcHandlers(s: DesktopServices): IpcHandlers {
  return {
    'wactorz:get-info': async () => s.info(),
    'wactorz:get-version': async () => s.info().appVersion,
    'wactorz:notify': async (n) => s.notify(n),
    'wactorz:open-external': async (url) => s.openExternal(url),
    'wactorz:get-login-item': async () => s.getLoginItem(),
    'wactorz:set-login-item': async (on) => s.setLoginItem(on),
    'wactorz:list-secrets': async () => {
      const set = new Set(await s.secrets.names());
      return SECRET_NAMES.map((name) => ({ name, set: set.has(name) }));
    },
    'wactorz:set-secret': async (name, value) => {
      await s.secrets.set(name, value);
      s.secretChanged(name);
    },
    'wactorz:delete-secret': async (name) => {
      const had = (await s.secrets.names()).includes(name);
      await s.secrets.delete(name);
      if (had) s.secretChanged(name);
    },
    'wactorz:get-settings': async () => s.getSettings(),
    'wactorz:update-settings': async (patch) => s.updateSettings(patch),
  };
}

export class IpcSenderError extends Error {
  override name = 'IpcSenderError';
}

/** Checks the sender, validates the arguments, runs the handler. Throws for anything refused. */
export async function dispatchIpc(
  handlers: IpcHandlers,
  channel: string,
  rawArgs: unknown[],
  senderUrl: string | null | undefined,
  trustedOrigins: readonly string[],
): Promise<unknown> {
  if (!isTrustedSender(senderUrl, trustedOrigins)) {
    throw new IpcSenderError(`${channel}: refused, the sender is not the Wactorz dashboard`);
  }
  if (!Object.hasOwn(handlers, channel)) throw new IpcValidationError(`unknown IPC channel "${channel}"`);
  const c = channel as DesktopIpcChannel;
  const args = validateIpcArgs(c, rawArgs);
  return (handlers[c] as (...a: unknown[]) => Promise<unknown>)(...args);
}
