/**
 * The Telegram adapter with the real grammY client against a local server that speaks the Bot API
 * (long polling with offsets, sendMessage, sendChatAction), and end to end with a real hub.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTelegramApiServer, type TelegramApiServer } from './testing/telegram-api-server.js';
import { normalizeText, startTelegramInterface, TELEGRAM_MESSAGE_LIMIT } from './telegram-interface.js';
import { parseChatIds, telegramSettingsFrom } from './telegram-config.js';
import type { ChatContext, ProcessUserInput, RunningChatInterface } from '../chat-interface.js';
import { InterfaceConfigError } from '../chat-interface.js';
import { silentLogger, type Logger } from '../../base/logger.js';
import { startTestHub } from '../../testing/hub-fixture.js';
import { waitUntil } from '../../testing/wait.js';

const TOKEN = '123456:TEST-token';
let api: TelegramApiServer;
let running: RunningChatInterface | undefined;

beforeEach(async () => {
  api = await startTelegramApiServer({ token: TOKEN });
});
afterEach(async () => {
  vi.useRealTimers();
  await running?.stop();
  running = undefined;
  await api.close();
});

const start = async (processUserInput: ProcessUserInput, extra: { allowed?: string[]; allowedUsers?: string[]; log?: Logger } = {}) =>
  (running = await startTelegramInterface({
    processUserInput,
    token: TOKEN,
    apiRoot: api.apiRoot,
    allowedChatIds: new Set(extra.allowed ?? []),
    ...(extra.allowedUsers ? { allowedUserIds: new Set(extra.allowedUsers) } : {}),
    log: extra.log ?? silentLogger,
    pollTimeoutSeconds: 2,
    typingIntervalMs: 50,
  }));

describe('Telegram interface (grammY against a local Bot API server)', () => {
  it('answers a message through processUserInput, shows typing while waiting, and advances the offset', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] }); // the typing interval runs on virtual time
    const seen: [string, ChatContext][] = [];
    let release!: (reply: string) => void;
    const iface = await start((text, ctx) => {
      seen.push([text, ctx]);
      return new Promise((resolve) => (release = resolve));
    });
    expect(iface.description).toMatch(/@wactorz_test_bot/);
    const id = api.pushText({ id: 77 }, { id: 5001, username: 'ada' }, 'hello hub');
    await waitUntil(() => seen.length === 1, 'processUserInput', 10_000);
    expect(seen[0]).toEqual(['hello hub', { interface: 'telegram', user: 'telegram:5001' }]);
    // Typing is shown (and repeated) while the hub has not answered yet.
    await waitUntil(() => api.chatActions.length >= 2, 'repeated typing', 10_000);
    expect(api.chatActions[0]).toEqual({ chat_id: 77, action: 'typing' });
    expect(api.sent).toEqual([]);
    release('hi Ada');
    await waitUntil(() => api.sent.length === 1, 'reply', 10_000);
    expect(api.sent[0]).toEqual({ chat_id: 77, text: 'hi Ada' });
    // The update is confirmed by the next poll's offset, and typing stops with the reply: its
    // interval is gone, so however far virtual time moves on, no "typing" goes out.
    await waitUntil(() => api.offsets.includes(id + 1), 'offset past the update', 10_000);
    expect(vi.getTimerCount(), 'the typing interval is still scheduled').toBe(0);
    const typingAfterReply = api.chatActions.length;
    await vi.advanceTimersByTimeAsync(300); // at a 50 ms interval, ~6 more if it kept going
    expect(api.chatActions.length).toBe(typingAfterReply);
  });

  it('splits a long reply within 4096 characters on paragraph boundaries, in order', async () => {
    const paragraphs = Array.from({ length: 12 }, (_, i) => `Paragraph ${i}: ` + 'lorem ipsum '.repeat(90).trim());
    const long = paragraphs.join('\n\n');
    expect(long.length).toBeGreaterThan(3 * TELEGRAM_MESSAGE_LIMIT);
    await start(async () => long);
    api.pushText({ id: 9 }, { id: 9 }, 'tell me a lot');
    await waitUntil(() => api.sent.join('').length > 0 && api.sent.map((s) => s.text).join('\n\n') === long, 'every part', 10_000);
    expect(api.sent.length).toBeGreaterThanOrEqual(4);
    for (const s of api.sent) {
      expect(s.text.length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);
      expect(s.text).toMatch(/^Paragraph \d+:/); // every part starts at a paragraph
    }
  });

  it('ignores chats outside the allowlist', async () => {
    const asked: string[] = [];
    const warnings: string[] = [];
    await start(async (text, ctx) => (asked.push(ctx.user), `echo ${text}`), {
      allowed: ['111', '-100500'],
      log: (level, msg) => level === 'warning' && warnings.push(msg),
    });
    api.pushText({ id: 222 }, { id: 222 }, 'let me in');
    api.pushText({ id: 111 }, { id: 111 }, 'I am allowed');
    api.pushText({ id: -100500, type: 'supergroup' }, { id: 333 }, 'group allowed');
    await waitUntil(() => api.sent.length === 2, 'two replies', 10_000);
    expect(api.sent.map((s) => s.chat_id).sort()).toEqual([-100500, 111]);
    expect(asked.sort()).toEqual(['telegram:111', 'telegram:333']);
    expect(warnings.join('\n')).toMatch(/ignoring chat 222/);
    // The ignored update is still confirmed, so Telegram will not deliver it again.
    await waitUntil(() => api.pending() === 0, 'all updates confirmed', 10_000);
  });

  it('answers only the allowed user (the original --telegram-allowed-user-id), in any chat', async () => {
    const asked: string[] = [];
    const warnings: string[] = [];
    const iface = await start(async (text, ctx) => (asked.push(ctx.user), `echo ${text}`), {
      allowedUsers: ['5001'],
      log: (level, msg) => level === 'warning' && warnings.push(msg),
    });
    expect(iface.description).toMatch(/user: 5001/);
    api.pushText({ id: 42 }, { id: 6002 }, 'a stranger in a private chat');
    api.pushText({ id: -100700, type: 'group' }, { id: 6002 }, 'a stranger in a group');
    api.pushText({ id: -100700, type: 'group' }, { id: 5001 }, 'the owner in the group');
    api.pushText({ id: 5001 }, { id: 5001 }, 'the owner in private');
    await waitUntil(() => api.sent.length === 2, 'two replies', 10_000);
    await waitUntil(() => api.pending() === 0, 'all updates confirmed', 10_000);
    expect(asked).toEqual(['telegram:5001', 'telegram:5001']);
    expect(api.sent.map((s) => s.chat_id).sort()).toEqual([-100700, 5001]);
    expect(warnings.filter((w) => /ignoring user 6002/.test(w))).toHaveLength(1); // logged once
  });

  it('keeps order within a chat while another chat is answered meanwhile', async () => {
    const gates = new Map<string, () => void>();
    await start(
      (text) =>
        new Promise((resolve) => {
          if (text === 'slow') gates.set(text, () => resolve('slow done'));
          else resolve(`${text} done`);
        }),
    );
    api.pushText({ id: 1 }, { id: 1 }, 'slow');
    api.pushText({ id: 1 }, { id: 1 }, 'second');
    api.pushText({ id: 2 }, { id: 2 }, 'other');
    await waitUntil(() => api.sent.length === 1, 'the other chat', 10_000);
    expect(api.sent[0]).toEqual({ chat_id: 2, text: 'other done' });
    gates.get('slow')!();
    await waitUntil(() => api.sent.length === 3, 'chat 1 in order', 10_000);
    expect(api.sent.slice(1).map((s) => s.text)).toEqual(['slow done', 'second done']);
  });

  it('greets /start locally, strips the bot name from commands, quotes in groups, and reports hub errors', async () => {
    const asked: string[] = [];
    await start(async (text) => {
      asked.push(text);
      if (text === 'fail') throw new Error('main is not running');
      return `ok ${text}`;
    });
    api.pushText({ id: 5 }, { id: 5 }, '/start');
    api.pushText({ id: 5 }, { id: 5 }, '/help@wactorz_test_bot');
    const groupMsg = api.pushText({ id: -42, type: 'group' }, { id: 6 }, '@wactorz_test_bot what time is it');
    api.pushText({ id: 5 }, { id: 5 }, 'fail');
    api.pushUpdate({ chat: { id: 5, type: 'private' }, from: { id: 5, is_bot: false, first_name: 'x' }, photo: [] });
    await waitUntil(() => api.sent.length === 5, 'five replies', 10_000);
    expect(asked.sort()).toEqual(['/help', 'fail', 'what time is it']);
    const to5 = api.sent.filter((s) => s.chat_id === 5).map((s) => s.text);
    expect(to5[0]).toMatch(/^Hi! I am your Wactorz hub/);
    expect(to5.slice(1)).toEqual(['ok /help', 'Sorry — Wactorz could not answer: main is not running', 'I can only read text messages.']);
    const group = api.sent.find((s) => s.chat_id === -42)!;
    expect(group.text).toBe('ok what time is it');
    expect(group.reply_to).toBeTypeOf('number');
    expect(groupMsg).toBeGreaterThan(0);
  });

  it('refuses to start with a token Telegram rejects, and says what to check', async () => {
    await expect(
      startTelegramInterface({ processUserInput: async () => '', token: 'wrong', apiRoot: api.apiRoot, allowedChatIds: new Set(), log: silentLogger }),
    ).rejects.toThrow(/rejected the bot token.*TELEGRAM_BOT_TOKEN/);
  });

  it('stops polling on stop() and confirms the last update', async () => {
    const iface = await start(async (t) => t);
    const id = api.pushText({ id: 3 }, { id: 3 }, 'ping');
    await waitUntil(() => api.sent.length === 1, 'reply', 10_000);
    await iface.stop();
    running = undefined;
    expect(api.offsets.at(-1)).toBe(id + 1);
    // stop() resolves once the polling loop has ended: from here on nothing asks for updates.
    const calls = api.calls.length;
    api.pushText({ id: 3 }, { id: 3 }, 'after stop');
    expect(api.calls.length).toBe(calls);
    expect(api.pending()).toBe(1);
    expect(api.sent).toHaveLength(1);
  });
});

describe('Telegram interface end to end with a real hub', () => {
  it('answers /agents from the real main actor', { timeout: 60_000 }, async () => {
    const testHub = await startTestHub({ interface: 'telegram' });
    const hub = testHub.handle;
    try {
      await start((text, ctx) => hub.processUserInput(text, ctx));
      api.pushText({ id: 8 }, { id: 8 }, '/agents');
      await waitUntil(() => api.sent.length === 1, 'reply from main', 15_000);
      expect(api.sent[0]!.text).toMatch(/main\s+running/);
    } finally {
      await running?.stop();
      running = undefined;
      await testHub.stop();
    }
  });
});

describe('Telegram settings', () => {
  it('takes the token from the flag or TELEGRAM_BOT_TOKEN and parses the allowlist', () => {
    expect(telegramSettingsFrom(undefined, { TELEGRAM_BOT_TOKEN: 'abc', TELEGRAM_ALLOWED_CHAT_IDS: '1, -1002 ,3' })).toEqual({ token: 'abc', allowedChatIds: new Set(['1', '-1002', '3']), apiRoot: undefined });
    expect(telegramSettingsFrom('flag', { TELEGRAM_BOT_TOKEN: 'env', TELEGRAM_API_ROOT: 'http://127.0.0.1:9/' }).apiRoot).toBe('http://127.0.0.1:9');
    expect(() => telegramSettingsFrom(undefined, {})).toThrow(InterfaceConfigError);
    expect(() => parseChatIds('12, @alice')).toThrow(/"@alice" is not a chat id/);
  });

  it('takes the allowed user from --telegram-allowed-user-id or TELEGRAM_ALLOWED_USER_ID (0 = anyone)', () => {
    expect(telegramSettingsFrom('t', { TELEGRAM_ALLOWED_USER_ID: '123' }).allowedUserIds).toEqual(new Set(['123']));
    expect(telegramSettingsFrom('t', { TELEGRAM_ALLOWED_USER_ID: '123' }, 456).allowedUserIds).toEqual(new Set(['456']));
    expect(telegramSettingsFrom('t', { TELEGRAM_ALLOWED_USER_ID: '0' }).allowedUserIds).toBeUndefined();
    expect(() => telegramSettingsFrom('t', { TELEGRAM_ALLOWED_USER_ID: 'alice' })).toThrow(InterfaceConfigError);
  });

  it('normalizes commands and mentions addressed to this bot only', () => {
    expect(normalizeText('/agents@Wactorz_Bot', 'wactorz_bot')).toBe('/agents');
    expect(normalizeText('/agents@other_bot', 'wactorz_bot')).toBe('/agents@other_bot');
    expect(normalizeText('@wactorz_bot, hello', 'wactorz_bot')).toBe('hello');
    expect(normalizeText('  plain  ', 'wactorz_bot')).toBe('plain');
  });
});
