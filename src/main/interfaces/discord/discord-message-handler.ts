/**
 * What the Discord adapter does with one message, apart from discord.js so it can be tested with a
 * message-like object: answer in DMs, and in server channels only when the bot is mentioned (or a
 * message replies to it); strip the mention; ask the hub; show "typing…" meanwhile; send the reply
 * split within Discord's 2000-character limit with code blocks kept intact, and with every mention
 * in the reply disabled (an LLM reply must not ping @everyone).
 */
import type { ChatInterfaceBase } from '../chat-interface.js';
import { replyForError } from '../chat-interface.js';
import { splitMessage } from '../split-message.js';
import { balanceCodeFences, FENCE_RESERVE } from '../code-fences.js';
import { KeyedQueue } from '../keyed-queue.js';
import { keepTyping } from '../typing-indicator.js';

export const DISCORD_MESSAGE_LIMIT = 2000;

/** No pings from the bot's replies, not even the person it answers. */
export const NO_MENTIONS = { parse: [] as never[], repliedUser: false };

export interface OutgoingMessage {
  content: string;
  allowedMentions: typeof NO_MENTIONS;
}

/** The parts of a discord.js Message this handler uses. */
export interface DiscordMessageLike {
  content: string;
  author: { id: string; bot: boolean };
  /** null in DMs. */
  guildId: string | null;
  channelId: string;
  mentions: { users: { has(id: string): boolean }; repliedUser: { id: string } | null };
  channel: { sendTyping(): Promise<unknown>; send(msg: OutgoingMessage): Promise<unknown> };
  reply(msg: OutgoingMessage): Promise<unknown>;
}

export interface DiscordHandlerOptions extends ChatInterfaceBase {
  /** The bot's own user id (known once logged in). */
  botUserId: () => string | undefined;
  typingIntervalMs?: number;
}

export interface DiscordMessageHandler {
  /** Resolves when the message is queued (not answered): the gateway is never held up. */
  (message: DiscordMessageLike): void;
  /** Replies in flight; resolves true when all are done within `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean>;
}

export function createDiscordMessageHandler(opts: DiscordHandlerOptions): DiscordMessageHandler {
  const queue = new KeyedQueue();

  const handle = (message: DiscordMessageLike): void => {
    const botId = opts.botUserId();
    if (!botId || message.author.bot || message.author.id === botId) return;
    const dm = message.guildId === null;
    const addressed = dm || message.mentions.users.has(botId) || message.mentions.repliedUser?.id === botId;
    if (!addressed) return;
    const text = stripMention(message.content, botId);
    void queue.push(message.channelId, () => answer(message, text, dm));
  };

  async function answer(message: DiscordMessageLike, text: string, dm: boolean): Promise<void> {
    let reply: string;
    if (!text) reply = 'Hi! I am your Wactorz hub. Ask me anything, mention an agent with @name, or send /help.';
    else {
      const stopTyping = keepTyping(() => message.channel.sendTyping(), opts.typingIntervalMs ?? 8000, (e) =>
        opts.log('debug', `discord: typing indicator: ${(e as Error).message}`),
      );
      try {
        reply = await opts.processUserInput(text, { interface: 'discord', user: `discord:${message.author.id}` });
      } catch (e) {
        reply = replyForError(e);
      } finally {
        stopTyping();
      }
    }
    const parts = formatForDiscord(reply);
    for (const [i, content] of parts.entries()) {
      try {
        // In a server channel the first part replies to the question (a thread of context); DMs need none.
        if (i === 0 && !dm) await message.reply({ content, allowedMentions: NO_MENTIONS });
        else await message.channel.send({ content, allowedMentions: NO_MENTIONS });
      } catch (e) {
        opts.log('error', `discord: could not send the reply in channel ${message.channelId}: ${(e as Error).message}`);
        return;
      }
    }
  }

  return Object.assign(handle, { drain: (timeoutMs: number) => queue.drain(timeoutMs) });
}

/** Discord messages for a reply: within 2000 characters each, code blocks closed and reopened. */
export function formatForDiscord(reply: string): string[] {
  const parts = balanceCodeFences(splitMessage(reply, DISCORD_MESSAGE_LIMIT - FENCE_RESERVE));
  return parts.length ? parts : ['(no reply)'];
}

/** `<@123> hello` / `<@!123> hello` → `hello` (only this bot's mention). */
export function stripMention(content: string, botId: string): string {
  return content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ').replace(/\s+/g, (s) => (s.includes('\n') ? '\n' : ' ')).trim();
}
