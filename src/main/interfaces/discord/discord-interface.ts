/**
 * Discord (`--interface discord`): a discord.js bot that answers in DMs and wherever it is
 * mentioned (see discord-message-handler.ts). It asks only for the non-privileged intents: Discord
 * delivers the content of messages that mention the bot and of DMs without the Message Content
 * intent, so nothing has to be enabled in the Developer Portal.
 */
import { importPackage } from '../import-package.js';
import type { ChatInterfaceBase, RunningChatInterface } from '../chat-interface.js';
import { createDiscordMessageHandler } from './discord-message-handler.js';
import type { DiscordSettings } from './discord-config.js';

export interface DiscordInterfaceOptions extends ChatInterfaceBase, DiscordSettings {
  typingIntervalMs?: number;
  drainMs?: number;
  /** How long to wait for the gateway's READY. */
  readyTimeoutMs?: number;
}

export async function startDiscordInterface(opts: DiscordInterfaceOptions): Promise<RunningChatInterface> {
  const { Client, Events, GatewayIntentBits, Partials } = await importPackage<typeof import('discord.js')>('discord.js');
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
    // DM channels are not cached before their first message; without this, DMs would be dropped.
    partials: [Partials.Channel],
    ...(opts.apiUrl ? { rest: { api: opts.apiUrl } } : {}),
  });
  const handler = createDiscordMessageHandler({
    processUserInput: opts.processUserInput,
    log: opts.log,
    botUserId: () => client.user?.id,
    typingIntervalMs: opts.typingIntervalMs,
  });
  client.on(Events.MessageCreate, (message) => handler(message));
  client.on(Events.Error, (e) => opts.log('error', `discord: ${e.message}`));
  client.on(Events.Warn, (m) => opts.log('warning', `discord: ${m}`));

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  try {
    await client.login(opts.token);
    await Promise.race([
      ready,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('the Discord gateway did not become ready')), opts.readyTimeoutMs ?? 60_000))),
    ]);
  } catch (e) {
    await client.destroy().catch(() => {});
    throw new Error(`discord: ${describeLoginError(e, opts.apiUrl ?? 'https://discord.com/api')}`);
  } finally {
    clearTimeout(timer);
  }

  let stopping: Promise<void> | undefined;
  return {
    description: `Discord: logged in as ${client.user?.tag ?? 'the bot'} — answers DMs and mentions`,
    stop: () =>
      (stopping ??= (async () => {
        client.removeAllListeners(Events.MessageCreate);
        if (!(await handler.drain(opts.drainMs ?? 10_000))) opts.log('warning', 'discord: stopped with replies still in flight');
        await client.destroy();
      })()),
  };
}

function describeLoginError(e: unknown, apiUrl: string): string {
  const err = e as { code?: string; message?: string };
  if (err.code === 'TokenInvalid') return 'Discord rejected the bot token — check DISCORD_BOT_TOKEN / --discord-token.';
  if (err.code === 'DisallowedIntents') return 'Discord refused the requested intents for this bot.';
  const message = err.message ?? String(e);
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|fetch failed/.test(`${err.code ?? ''} ${message}`)) return `the Discord API at ${apiUrl} is not reachable (${message}).`;
  return message;
}
