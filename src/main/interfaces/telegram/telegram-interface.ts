/**
 * Telegram (`--interface telegram`): long polling with grammY. Each text message is answered by
 * main through processUserInput; the reply goes back as plain text (LLM Markdown would trip
 * Telegram's parser), split within Telegram's 4096-character limit, with "typing…" shown while
 * the hub thinks. Chats outside TELEGRAM_ALLOWED_CHAT_IDS (when set), and users other than the
 * allowed user (--telegram-allowed-user-id, when set), are ignored — logged once, never answered.
 */
import type { Context } from 'grammy';
import { importPackage } from '../import-package.js';
import type { ChatInterfaceBase, RunningChatInterface } from '../chat-interface.js';
import { replyForError } from '../chat-interface.js';
import { splitMessage } from '../split-message.js';
import { KeyedQueue } from '../keyed-queue.js';
import { keepTyping } from '../typing-indicator.js';
import type { TelegramSettings } from './telegram-config.js';

export const TELEGRAM_MESSAGE_LIMIT = 4096;

export interface TelegramInterfaceOptions extends ChatInterfaceBase, TelegramSettings {
  /** Seconds a getUpdates call waits for news (Telegram's long-polling timeout). */
  pollTimeoutSeconds?: number;
  typingIntervalMs?: number;
  /** How long stop() waits for replies in flight. */
  drainMs?: number;
}

export async function startTelegramInterface(opts: TelegramInterfaceOptions): Promise<RunningChatInterface> {
  const apiRoot = opts.apiRoot ?? 'https://api.telegram.org';
  const grammy = await importPackage<Grammy>('grammy');
  const bot = new grammy.Bot(opts.token, { client: { apiRoot } });
  const describe = (e: unknown) => describeTelegramError(grammy, e, apiRoot);
  try {
    bot.botInfo = await bot.api.getMe(); // no retries: a wrong token or an unreachable API is reported at once
  } catch (e) {
    throw new Error(`telegram: ${describe(e)}`);
  }
  const username = bot.botInfo.username;
  const queue = new KeyedQueue();
  const ignored = new Set<string>();

  bot.on('message', (ctx) => {
    const chatId = String(ctx.chat.id);
    if (opts.allowedChatIds.size > 0 && !opts.allowedChatIds.has(chatId)) {
      if (!ignored.has(chatId)) {
        ignored.add(chatId);
        opts.log('warning', `telegram: ignoring chat ${chatId} (${ctx.chat.type}), which is not in TELEGRAM_ALLOWED_CHAT_IDS`);
      }
      return;
    }
    const userId = String(ctx.from?.id ?? '');
    if (opts.allowedUserIds?.size && !opts.allowedUserIds.has(userId)) {
      if (!ignored.has(`user:${userId}`)) {
        ignored.add(`user:${userId}`);
        opts.log('warning', `telegram: ignoring user ${userId || '(unknown)'}, who is not the allowed user (--telegram-allowed-user-id)`);
      }
      return;
    }
    void queue.push(chatId, () => answer(ctx));
  });
  bot.catch((err) => opts.log('error', `telegram: ${err.message}`));

  async function answer(ctx: Context): Promise<void> {
    const msg = ctx.message!;
    const chatId = msg.chat.id;
    const group = msg.chat.type !== 'private';
    const text = msg.text === undefined ? undefined : normalizeText(msg.text, username);
    let reply: string;
    if (text === undefined) reply = 'I can only read text messages.';
    else if (text === '' || text === '/start') reply = `Hi! I am your Wactorz hub. Ask me anything, mention an agent with @name, or send /help.`;
    else {
      const stopTyping = keepTyping(() => ctx.api.sendChatAction(chatId, 'typing'), opts.typingIntervalMs ?? 4000, (e) =>
        opts.log('debug', `telegram: typing indicator: ${(e as Error).message}`),
      );
      try {
        reply = await opts.processUserInput(text, { interface: 'telegram', user: `telegram:${msg.from?.id ?? chatId}` });
      } catch (e) {
        reply = replyForError(e);
      } finally {
        stopTyping();
      }
    }
    const parts = splitMessage(reply, TELEGRAM_MESSAGE_LIMIT);
    if (parts.length === 0) parts.push('(no reply)');
    for (const [i, part] of parts.entries()) {
      try {
        // In a group the first part quotes the question, so it is clear whom the bot answers.
        await ctx.api.sendMessage(chatId, part, group && i === 0 ? { reply_parameters: { message_id: msg.message_id, allow_sending_without_reply: true } } : {});
      } catch (e) {
        opts.log('error', `telegram: could not send the reply to chat ${chatId}: ${(e as Error).message}`);
        return;
      }
    }
  }

  // bot.start resolves only when polling stops; onStart tells us it is up (webhook removed).
  let polling!: Promise<void>;
  await new Promise<void>((resolve, reject) => {
    polling = bot.start({ timeout: opts.pollTimeoutSeconds ?? 30, allowed_updates: ['message'], onStart: () => resolve() });
    polling.catch(reject);
  });
  polling.catch((e: unknown) => opts.log('error', `telegram: polling stopped: ${describe(e)}`));

  let stopping: Promise<void> | undefined;
  return {
    description: `Telegram: polling as @${username}${opts.allowedChatIds.size ? ` (chats: ${[...opts.allowedChatIds].join(', ')})` : ' (any chat — set TELEGRAM_ALLOWED_CHAT_IDS to restrict)'}${opts.allowedUserIds?.size ? ` (user: ${[...opts.allowedUserIds].join(', ')})` : ''}`,
    stop: () =>
      (stopping ??= (async () => {
        // bot.stop confirms the last update offset with one more getUpdates, and the polling loop
        // ends: once stop() resolves no request goes out. Don't hang on a dead network.
        const guard = new Promise((r) => setTimeout(r, 5000).unref());
        await Promise.race([bot.stop().then(() => polling).catch(() => {}), guard]);
        if (!(await queue.drain(opts.drainMs ?? 10_000))) opts.log('warning', 'telegram: stopped with replies still in flight');
      })()),
  };
}

/** `/help@my_bot` → `/help`; a leading `@my_bot` mention in a group is dropped. */
export function normalizeText(text: string, botUsername: string): string {
  const at = `@${botUsername}`;
  let t = text.trim();
  const cmd = /^(\/[A-Za-z0-9_]+)@([A-Za-z0-9_]+)/.exec(t);
  if (cmd && cmd[2]!.toLowerCase() === botUsername.toLowerCase()) t = cmd[1]! + t.slice(cmd[0].length);
  if (t.toLowerCase().startsWith(at.toLowerCase())) t = t.slice(at.length).replace(/^[\s,:]+/, '');
  return t.trim();
}

type Grammy = typeof import('grammy');

function describeTelegramError({ GrammyError, HttpError }: Grammy, e: unknown, apiRoot: string): string {
  if (e instanceof GrammyError) {
    if (e.error_code === 401 || e.error_code === 404) return 'Telegram rejected the bot token — check TELEGRAM_BOT_TOKEN / --telegram-token.';
    if (e.error_code === 409) return 'another program is polling with this bot token (or a webhook is set); stop it first.';
    return e.message;
  }
  if (e instanceof HttpError) return `the Telegram Bot API at ${apiRoot} is not reachable (${(e.error as Error)?.message ?? e.message}).`;
  return e instanceof Error ? e.message : String(e);
}
