/**
 * Telegram settings from flags and the environment: the bot token (--telegram-token or
 * TELEGRAM_BOT_TOKEN), an optional allowlist of chat ids (TELEGRAM_ALLOWED_CHAT_IDS, comma or
 * space separated; group ids are negative), the original's one allowed *user*
 * (--telegram-allowed-user-id or TELEGRAM_ALLOWED_USER_ID: only that person is answered, in any
 * chat) and the Bot API root (TELEGRAM_API_ROOT, for a local Bot API server). Both allowlists
 * apply when both are set.
 */
import { InterfaceConfigError } from '../chat-interface.js';

export interface TelegramSettings {
  token: string;
  /** Empty → every chat may talk to the bot. */
  allowedChatIds: ReadonlySet<string>;
  /** Empty → every user may; else only these `from.id`s (the original's TELEGRAM_ALLOWED_USER_ID). */
  allowedUserIds?: ReadonlySet<string>;
  apiRoot?: string;
}

export function telegramSettingsFrom(flagToken: string | undefined, env: NodeJS.ProcessEnv, allowedUserId?: number): TelegramSettings {
  const token = (flagToken ?? env.TELEGRAM_BOT_TOKEN ?? '').trim();
  if (!token) {
    throw new InterfaceConfigError('the telegram interface needs a bot token: set TELEGRAM_BOT_TOKEN or pass --telegram-token (ask @BotFather for one).');
  }
  const userId = allowedUserId ?? parseUserId(env.TELEGRAM_ALLOWED_USER_ID);
  return {
    token,
    allowedChatIds: parseChatIds(env.TELEGRAM_ALLOWED_CHAT_IDS ?? ''),
    ...(userId ? { allowedUserIds: new Set([String(userId)]) } : {}),
    apiRoot: env.TELEGRAM_API_ROOT?.replace(/\/+$/, '') || undefined,
  };
}

/** TELEGRAM_ALLOWED_USER_ID; the original's 0 (or nothing) means anyone. */
function parseUserId(raw: string | undefined): number | undefined {
  const v = raw?.trim();
  if (!v) return undefined;
  if (!/^\d+$/.test(v)) throw new InterfaceConfigError(`TELEGRAM_ALLOWED_USER_ID: "${v}" is not a Telegram user id (a number, e.g. 123456789).`);
  return Number(v) || undefined;
}

export function parseChatIds(list: string): Set<string> {
  const ids = list.split(/[\s,]+/).filter(Boolean);
  const bad = ids.filter((id) => !/^-?\d+$/.test(id));
  if (bad.length) throw new InterfaceConfigError(`TELEGRAM_ALLOWED_CHAT_IDS: "${bad.join('", "')}" ${bad.length > 1 ? 'are not chat ids' : 'is not a chat id'} (numbers, e.g. 123456789 or -1001234567890).`);
  return new Set(ids);
}
