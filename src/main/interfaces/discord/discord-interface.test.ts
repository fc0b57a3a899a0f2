/**
 * The Discord adapter with the real discord.js client against a local server that speaks Discord's
 * REST API and gateway (HELLO/IDENTIFY/READY/GUILD_CREATE/MESSAGE_CREATE), and with a real hub.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayIntentBits } from 'discord.js';
import { startDiscordApiServer, type DiscordApiServer } from './testing/discord-api-server.js';
import { startDiscordInterface } from './discord-interface.js';
import { discordSettingsFrom } from './discord-config.js';
import { InterfaceConfigError, type ProcessUserInput, type RunningChatInterface } from '../chat-interface.js';
import { silentLogger } from '../../base/logger.js';
import { startTestHub } from '../../testing/hub-fixture.js';
import { waitUntil } from '../../testing/wait.js';

const TOKEN = 'MTIz.test.discord-token';
let discord: DiscordApiServer;
let running: RunningChatInterface | undefined;

beforeEach(async () => {
  discord = await startDiscordApiServer({ token: TOKEN });
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await discord.close();
});

const start = async (processUserInput: ProcessUserInput) =>
  (running = await startDiscordInterface({ processUserInput, log: silentLogger, token: TOKEN, apiUrl: discord.apiUrl, typingIntervalMs: 50, readyTimeoutMs: 20_000 }));

describe('Discord interface (discord.js against a local REST + gateway server)', () => {
  it('logs in with non-privileged intents and answers a DM', async () => {
    const iface = await start(async (t, ctx) => `${ctx.user} said ${t}`);
    expect(iface.description).toMatch(/logged in as wactorz-test/);
    const intents = discord.identifiedIntents();
    expect(intents & GatewayIntentBits.DirectMessages).toBeTruthy();
    expect(intents & GatewayIntentBits.GuildMessages).toBeTruthy();
    expect(intents & GatewayIntentBits.MessageContent).toBe(0);
    discord.pushMessage({ channelId: '5550001', author: { id: '31337', username: 'ada' }, content: 'hello bot' });
    await waitUntil(() => discord.posted.length === 1, 'DM reply', 15_000);
    expect(discord.posted[0]).toMatchObject({ channel_id: '5550001', content: 'discord:31337 said hello bot', allowed_mentions: { parse: [] } });
    expect(discord.posted[0]!.reply_to).toBeUndefined();
    expect(discord.typing).toContain('5550001');
  });

  it('answers a mention in a server channel as a reply, and ignores unaddressed chatter', async () => {
    const asked: string[] = [];
    await start(async (t) => (asked.push(t), `answer to ${t}`));
    const { id: guildId, channelId } = discord.guild;
    discord.pushMessage({ channelId, guildId, author: { id: '1', username: 'a' }, content: 'just chatting' });
    const q = discord.pushMessage({ channelId, guildId, author: { id: '2', username: 'b' }, content: `<@${discord.bot.id}> what agents run?`, mentions: [discord.bot.id] });
    discord.pushMessage({ channelId, guildId, author: { id: '9', username: 'otherbot', bot: true }, content: `<@${discord.bot.id}> ping`, mentions: [discord.bot.id] });
    await waitUntil(() => discord.posted.length === 1, 'reply', 15_000);
    expect(asked).toEqual(['what agents run?']);
    expect(discord.posted[0]).toMatchObject({ channel_id: channelId, content: 'answer to what agents run?', reply_to: q });
  });

  it('splits a long reply within 2000 characters, in order', async () => {
    const long = Array.from({ length: 8 }, (_, i) => `Part ${i}: ` + 'words '.repeat(120).trim()).join('\n\n');
    await start(async () => long);
    discord.pushMessage({ channelId: '5550002', author: { id: '3', username: 'c' }, content: 'essay' });
    await waitUntil(() => discord.posted.map((p) => p.content).join('\n\n') === long, 'all parts', 15_000);
    expect(discord.posted.length).toBeGreaterThanOrEqual(4);
    expect(discord.posted.every((p) => p.content.length <= 2000 && /^Part \d+:/.test(p.content))).toBe(true);
  });

  it('refuses a token Discord rejects, saying what to check', async () => {
    await expect(startDiscordInterface({ processUserInput: async () => '', log: silentLogger, token: 'wrong', apiUrl: discord.apiUrl })).rejects.toThrow(
      /rejected the bot token.*DISCORD_BOT_TOKEN/,
    );
  });
});

describe('Discord interface end to end with a real hub', () => {
  it('answers /agents in a DM from the real main actor', { timeout: 60_000 }, async () => {
    const testHub = await startTestHub({ interface: 'discord' });
    const hub = testHub.handle;
    try {
      await start((text, ctx) => hub.processUserInput(text, ctx));
      discord.pushMessage({ channelId: '5550003', author: { id: '4', username: 'd' }, content: '/agents' });
      await waitUntil(() => discord.posted.length === 1, 'reply from main', 15_000);
      expect(discord.posted[0]!.content).toMatch(/main\s+running/);
    } finally {
      await running?.stop();
      running = undefined;
      await testHub.stop();
    }
  });
});

describe('Discord settings', () => {
  it('takes the token from the flag or DISCORD_BOT_TOKEN', () => {
    expect(discordSettingsFrom('flag', { DISCORD_BOT_TOKEN: 'env' }).token).toBe('flag');
    expect(discordSettingsFrom(undefined, { DISCORD_BOT_TOKEN: 'env', DISCORD_API_URL: 'http://127.0.0.1:1/api/' })).toEqual({ token: 'env', apiUrl: 'http://127.0.0.1:1/api' });
    expect(() => discordSettingsFrom(undefined, {})).toThrow(InterfaceConfigError);
  });
});
