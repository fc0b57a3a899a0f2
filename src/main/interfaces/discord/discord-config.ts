/** Discord settings: the bot token from --discord-token or DISCORD_BOT_TOKEN; DISCORD_API_URL overrides the REST base (tests, proxies). */
import { InterfaceConfigError } from '../chat-interface.js';

export interface DiscordSettings {
  token: string;
  /** REST base, default https://discord.com/api (the gateway URL comes from GET /gateway/bot). */
  apiUrl?: string;
}

export function discordSettingsFrom(flagToken: string | undefined, env: NodeJS.ProcessEnv): DiscordSettings {
  const token = (flagToken ?? env.DISCORD_BOT_TOKEN ?? '').trim();
  if (!token) {
    throw new InterfaceConfigError('the discord interface needs a bot token: set DISCORD_BOT_TOKEN or pass --discord-token (Discord Developer Portal → your app → Bot).');
  }
  return { token, apiUrl: env.DISCORD_API_URL?.trim().replace(/\/+$/, '') || undefined };
}
