/**
 * The desktop app's own controls through the preload (start at login, notifications, app info),
 * validated like any other boundary. Absent in a browser: the Settings view then hides them.
 */
import { z } from 'zod';
import { getBridge } from './bridge.js';

interface DesktopBridge {
  isDesktop: true;
  getInfo(): Promise<unknown>;
  getLoginItem(): Promise<unknown>;
  setLoginItem(on: boolean): Promise<unknown>;
  getSettings(): Promise<unknown>;
  updateSettings(patch: unknown): Promise<unknown>;
}

export const desktopInfoSchema = z.looseObject({
  appVersion: z.string(),
  electronVersion: z.string(),
  platform: z.string(),
  secretStorage: z.enum(['keychain', 'session-only']),
});
export type DesktopInfo = z.infer<typeof desktopInfoSchema>;

export const desktopNotificationsSchema = z.looseObject({
  notifications: z.looseObject({ alerts: z.boolean(), jobs: z.boolean() }),
});

export function desktopBridge(): DesktopBridge | null {
  const b = getBridge() as (Partial<DesktopBridge> & object) | undefined;
  if (!b || b.isDesktop !== true) return null;
  for (const fn of ['getInfo', 'getLoginItem', 'setLoginItem', 'getSettings', 'updateSettings'] as const) if (typeof b[fn] !== 'function') return null;
  return b as DesktopBridge;
}
