/**
 * Registers the IPC channels with ipcMain. Every invoke goes through dispatchIpc (sender check +
 * zod validation); the one synchronous channel hands the page its connection details.
 */
import { ipcMain } from 'electron';
import type { DesktopConnection, DesktopConnectionChannel } from '../../shared/desktop-api.js';
import { dispatchIpc, type IpcHandlers } from './ipc-handlers.js';
import { isTrustedSender, IPC_CHANNELS } from './ipc-schemas.js';

const CONNECTION_CHANNEL: DesktopConnectionChannel = 'wactorz:connection';

export function registerIpc(handlers: IpcHandlers, trustedOrigins: () => readonly string[], connection: () => DesktopConnection | null): () => void {
  for (const channel of IPC_CHANNELS) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => dispatchIpc(handlers, channel, args, event.senderFrame?.url, trustedOrigins()));
  }
  ipcMain.on(CONNECTION_CHANNEL, (event) => {
    // Only the dashboard learns the token; anything else gets null (and no API works for it anyway).
    event.returnValue = isTrustedSender(event.senderFrame?.url, trustedOrigins()) ? connection() : null;
  });
  return () => {
    for (const channel of IPC_CHANNELS) ipcMain.removeHandler(channel);
    ipcMain.removeAllListeners(CONNECTION_CHANNEL);
  };
}
