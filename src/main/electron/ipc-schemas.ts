/**
 * Validation of every IPC message from the page: one zod schema per channel for the argument
 * tuple, and a check that the sender is a frame of the app's own origin. Anything else is
 * refused with a clear error before a handler runs.
 */
import { z } from 'zod';
import type { DesktopIpcChannel, DesktopIpcContract } from '../../shared/desktop-api.js';
import { desktopSettingsPatchSchema } from './desktop-settings.js';
import { secretNameSchema } from './secret-names.js';
import { secretValueSchema } from './secret-store.js';

const notificationSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    body: z.string().max(2000),
  })
  .strict();

/** http(s) only: `file:`, `javascript:`, custom protocol handlers and the like never reach the OS. */
export const externalUrlSchema = z
  .string()
  .max(4096)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
    } catch {
      return false;
    }
  }, 'only http(s) URLs can be opened');

/** The argument tuple of each channel. `satisfies` keeps it in step with the shared contract. */
export const ipcArgSchemas = {
  'wactorz:get-info': z.tuple([]),
  'wactorz:get-version': z.tuple([]),
  'wactorz:notify': z.tuple([notificationSchema]),
  'wactorz:open-external': z.tuple([externalUrlSchema]),
  'wactorz:get-login-item': z.tuple([]),
  'wactorz:set-login-item': z.tuple([z.boolean()]),
  'wactorz:list-secrets': z.tuple([]),
  // A key a person types: known name, one line, bounded (the store itself takes any name and value).
  'wactorz:set-secret': z.tuple([secretNameSchema, secretValueSchema]),
  'wactorz:delete-secret': z.tuple([secretNameSchema]),
  'wactorz:get-settings': z.tuple([]),
  'wactorz:update-settings': z.tuple([desktopSettingsPatchSchema]),
} satisfies { [C in DesktopIpcChannel]: z.ZodType<DesktopIpcContract[C]['args'], unknown> };

export const IPC_CHANNELS = Object.keys(ipcArgSchemas) as DesktopIpcChannel[];

export class IpcValidationError extends Error {
  override name = 'IpcValidationError';
}

/** The validated arguments of a message on `channel`, or an IpcValidationError that says what is wrong. */
export function validateIpcArgs<C extends DesktopIpcChannel>(channel: C, args: unknown[]): DesktopIpcContract[C]['args'] {
  const schema = (ipcArgSchemas as Record<string, z.ZodType | undefined>)[channel];
  if (!schema) throw new IpcValidationError(`unknown IPC channel "${String(channel)}"`);
  const r = schema.safeParse(args);
  // The message names the fields, never echoes values (a secret may be among them).
  if (!r.success) {
    const where = r.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; ');
    throw new IpcValidationError(`${channel}: invalid arguments — ${where}`);
  }
  return r.data as DesktopIpcContract[C]['args'];
}

/** True when a message comes from a frame showing one of the trusted origins (the hub's dashboard). */
export function isTrustedSender(frameUrl: string | undefined | null, trustedOrigins: readonly string[]): boolean {
  if (!frameUrl) return false;
  try {
    return trustedOrigins.includes(new URL(frameUrl).origin);
  } catch {
    return false;
  }
}
