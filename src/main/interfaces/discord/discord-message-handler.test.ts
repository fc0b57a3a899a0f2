/** The Discord adapter at its boundary: the message handler given message-like objects. */
import { describe, expect, it, vi } from 'vitest';
import { createDiscordMessageHandler, DISCORD_MESSAGE_LIMIT, formatForDiscord, NO_MENTIONS, stripMention, type DiscordMessageLike, type OutgoingMessage } from './discord-message-handler.js';
import type { ChatContext, ProcessUserInput } from '../chat-interface.js';
import { silentLogger } from '../../base/logger.js';
import { waitUntil } from '../../testing/wait.js';

const BOT = '900';

interface Recorded {
  how: 'reply' | 'send';
  msg: OutgoingMessage;
}

function fakeMessage(opts: { content: string; authorId?: string; bot?: boolean; guildId?: string | null; mentions?: string[]; repliedTo?: string; channelId?: string }) {
  const out: Recorded[] = [];
  let typing = 0;
  const message: DiscordMessageLike = {
    content: opts.content,
    author: { id: opts.authorId ?? '42', bot: opts.bot ?? false },
    guildId: opts.guildId === undefined ? 'g1' : opts.guildId,
    channelId: opts.channelId ?? 'c1',
    mentions: { users: { has: (id) => (opts.mentions ?? []).includes(id) }, repliedUser: opts.repliedTo ? { id: opts.repliedTo } : null },
    channel: {
      sendTyping: async () => void typing++,
      send: async (msg) => void out.push({ how: 'send', msg }),
    },
    reply: async (msg) => void out.push({ how: 'reply', msg }),
  };
  return { message, out, typing: () => typing };
}

const handlerWith = (processUserInput: ProcessUserInput, typingIntervalMs = 20) =>
  createDiscordMessageHandler({ processUserInput, log: silentLogger, botUserId: () => BOT, typingIntervalMs });

describe('Discord message handler', () => {
  it('answers a DM without a mention, as a plain message', async () => {
    const seen: [string, ChatContext][] = [];
    const handle = handlerWith(async (t, ctx) => (seen.push([t, ctx]), `echo ${t}`));
    const dm = fakeMessage({ content: 'hello there', guildId: null });
    handle(dm.message);
    await handle.drain(5000);
    expect(seen).toEqual([['hello there', { interface: 'discord', user: 'discord:42' }]]);
    expect(dm.out).toEqual([{ how: 'send', msg: { content: 'echo hello there', allowedMentions: NO_MENTIONS } }]);
  });

  it('in a server channel answers only when mentioned (or replied to), quoting the question', async () => {
    const seen: string[] = [];
    const handle = handlerWith(async (t) => (seen.push(t), 'ok'));
    const quiet = fakeMessage({ content: 'people talking' });
    const mentioned = fakeMessage({ content: `<@${BOT}> list the agents`, mentions: [BOT] });
    const nick = fakeMessage({ content: `hey <@!${BOT}>,\nwhat now?`, mentions: [BOT] });
    const other = fakeMessage({ content: '<@777> not you', mentions: ['777'] });
    const replied = fakeMessage({ content: 'and then?', repliedTo: BOT });
    for (const m of [quiet, mentioned, nick, other, replied]) handle(m.message);
    await handle.drain(5000);
    expect(seen).toEqual(['list the agents', 'hey ,\nwhat now?', 'and then?']);
    expect(quiet.out).toEqual([]);
    expect(other.out).toEqual([]);
    expect(mentioned.out).toEqual([{ how: 'reply', msg: { content: 'ok', allowedMentions: NO_MENTIONS } }]);
  });

  it('ignores bots, itself, and anything before login', async () => {
    let asked = 0;
    const handle = handlerWith(async () => (asked++, 'x'));
    handle(fakeMessage({ content: 'beep', bot: true, guildId: null }).message);
    handle(fakeMessage({ content: 'me', authorId: BOT, guildId: null }).message);
    const early = createDiscordMessageHandler({ processUserInput: async () => (asked++, 'x'), log: silentLogger, botUserId: () => undefined });
    early(fakeMessage({ content: 'too soon', guildId: null }).message);
    await handle.drain(1000);
    expect(asked).toBe(0);
  });

  it('shows typing until the reply is ready, then splits it within 2000 characters', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] }); // the typing interval runs on virtual time
    try {
      let release!: (s: string) => void;
      const handle = handlerWith(() => new Promise((r) => (release = r)));
      const dm = fakeMessage({ content: 'long please', guildId: null });
      handle(dm.message);
      await waitUntil(() => dm.typing() >= 2, 'typing repeated', 5000);
      const long = Array.from({ length: 10 }, (_, i) => `Section ${i}\n` + 'text '.repeat(150).trim()).join('\n\n');
      release(long);
      await handle.drain(5000);
      const typingAfter = dm.typing();
      expect(dm.out.length).toBeGreaterThanOrEqual(4);
      expect(dm.out.every((o) => o.msg.content.length <= DISCORD_MESSAGE_LIMIT && o.how === 'send')).toBe(true);
      expect(dm.out.map((o) => o.msg.content).join('\n\n')).toBe(long);
      vi.advanceTimersByTime(100); // five typing intervals: a typing loop left running would show
      expect(dm.typing()).toBe(typingAfter);
    } finally {
      vi.useRealTimers();
    }
  });

  it('apologizes with the reason when the hub fails, and greets an empty mention', async () => {
    const handle = handlerWith(async () => {
      throw new Error('LLM timed out');
    });
    const failing = fakeMessage({ content: `<@${BOT}> hi`, mentions: [BOT] });
    const empty = fakeMessage({ content: `<@${BOT}>`, mentions: [BOT], channelId: 'c2' });
    handle(failing.message);
    handle(empty.message);
    await handle.drain(5000);
    expect(failing.out[0]!.msg.content).toBe('Sorry — Wactorz could not answer: LLM timed out');
    expect(empty.out[0]!.msg.content).toMatch(/^Hi! I am your Wactorz hub/);
  });
});

describe('formatForDiscord', () => {
  it('keeps a long code block valid across messages', () => {
    const code = Array.from({ length: 120 }, (_, i) => `const v${i} = ${i}; // line ${i}`).join('\n');
    const parts = formatForDiscord('Here is the agent:\n```ts\n' + code + '\n```\nDeploy it with /deploy.');
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(DISCORD_MESSAGE_LIMIT);
      expect((p.match(/^```/gm) ?? []).length % 2).toBe(0);
    }
    expect(parts[1]).toMatch(/^```ts\n/);
  });

  it('strips only this bot’s mention', () => {
    expect(stripMention(`<@${BOT}> hi <@123>`, BOT)).toBe('hi <@123>');
  });
});
