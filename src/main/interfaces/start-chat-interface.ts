/**
 * Starts the chat-service interface the user chose (`--interface telegram|discord|whatsapp`). Each
 * adapter — and its SDK — is imported only when chosen, so the hub never loads discord.js to run
 * Telegram. Used by the headless CLI; the Electron app can call it the same way.
 */
import type { Logger } from '../base/logger.js';
import type { ProcessUserInput, RunningChatInterface } from './chat-interface.js';
import { telegramSettingsFrom } from './telegram/telegram-config.js';
import { discordSettingsFrom } from './discord/discord-config.js';
import { whatsappSettingsFrom } from './whatsapp/whatsapp-config.js';

export const CHAT_INTERFACES = ['telegram', 'discord', 'whatsapp'] as const;
export type ChatInterfaceName = (typeof CHAT_INTERFACES)[number];

export const isChatInterface = (name: string): name is ChatInterfaceName => (CHAT_INTERFACES as readonly string[]).includes(name);

export interface ChatInterfaceLaunch {
  processUserInput: ProcessUserInput;
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** --telegram-token / --discord-token (each falls back to its environment variable). */
  telegramToken?: string;
  /** --telegram-allowed-user-id (the original's flag; TELEGRAM_ALLOWED_USER_ID is read by the CLI). */
  telegramAllowedUserId?: number;
  discordToken?: string;
  /** Where the WhatsApp webhook server listens (--host, --port). */
  host: string;
  port: number;
}

/**
 * Throws InterfaceConfigError (before loading anything) when a token or setting is missing, and a
 * plain Error when the service refuses (bad token, unreachable, port in use).
 */
export async function startChatInterface(name: ChatInterfaceName, launch: ChatInterfaceLaunch): Promise<RunningChatInterface> {
  const { processUserInput, log, env } = launch;
  switch (name) {
    case 'telegram': {
      const settings = telegramSettingsFrom(launch.telegramToken, env, launch.telegramAllowedUserId);
      const { startTelegramInterface } = await import('./telegram/telegram-interface.js');
      return startTelegramInterface({ processUserInput, log, ...settings });
    }
    case 'discord': {
      const settings = discordSettingsFrom(launch.discordToken, env);
      const { startDiscordInterface } = await import('./discord/discord-interface.js');
      return startDiscordInterface({ processUserInput, log, ...settings });
    }
    case 'whatsapp': {
      const settings = whatsappSettingsFrom(env);
      const { startWhatsAppInterface } = await import('./whatsapp/whatsapp-interface.js');
      return startWhatsAppInterface({ processUserInput, log, ...settings, host: launch.host, port: launch.port });
    }
  }
}
