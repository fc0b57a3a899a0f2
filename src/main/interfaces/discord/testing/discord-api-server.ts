/**
 * A local server that speaks as much of Discord's API as a discord.js bot uses to log in, receive a
 * message and answer it: REST (GET /gateway/bot, POST /channels/{id}/messages with Discord's 2000
 * character limit, POST /channels/{id}/typing) and the gateway over WebSocket (HELLO, heartbeats
 * and their ACKs, IDENTIFY → READY with one guild → GUILD_CREATE, then MESSAGE_CREATE dispatches
 * pushed by the test). The real discord.js client runs against it through its `rest.api` option.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface DiscordPosted {
  channel_id: string;
  content: string;
  reply_to?: string;
  allowed_mentions?: unknown;
}

export interface DiscordApiServer {
  /** For the client's `rest.api` option. */
  readonly apiUrl: string;
  readonly bot: { id: string; username: string };
  readonly guild: { id: string; channelId: string };
  readonly posted: DiscordPosted[];
  readonly typing: string[];
  /** Intents the client identified with (0 before IDENTIFY). */
  readonly identifiedIntents: () => number;
  readonly heartbeats: () => number;
  /** Sends MESSAGE_CREATE to connected clients; returns the message id. */
  pushMessage(m: { channelId: string; guildId?: string; author: { id: string; username: string; bot?: boolean }; content: string; mentions?: string[]; replyToBot?: boolean }): string;
  close(): Promise<void>;
}

let snowflake = 1_200_000_000_000_000_000n;
const nextId = () => String(++snowflake);

export async function startDiscordApiServer(opts: { token: string }): Promise<DiscordApiServer> {
  const bot = { id: nextId(), username: 'wactorz-test', discriminator: '0', global_name: null, avatar: null, bot: true };
  const guild = { id: nextId(), channelId: nextId() };
  const posted: DiscordPosted[] = [];
  const typing: string[] = [];
  const sockets = new Set<WebSocket>();
  let seq = 0;
  let intents = 0;
  let beats = 0;

  const json = (res: ServerResponse, status: number, body?: unknown) => {
    if (body === undefined) return res.writeHead(status).end();
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const messageObject = (channelId: string, author: object, content: string, extra: object = {}) => ({
    id: nextId(), channel_id: channelId, author, content, timestamp: new Date().toISOString(), edited_timestamp: null, tts: false,
    mention_everyone: false, mentions: [], mention_roles: [], attachments: [], embeds: [], pinned: false, type: 0, ...extra,
  });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      if (req.headers.authorization !== `Bot ${opts.token}`) return json(res, 401, { message: '401: Unauthorized', code: 0 });
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (req.method === 'GET' && path === '/api/v10/gateway/bot') {
        const { port } = server.address() as AddressInfo;
        return json(res, 200, { url: `ws://127.0.0.1:${port}/gateway`, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } });
      }
      const typingRoute = /^\/api\/v10\/channels\/(\d+)\/typing$/.exec(path);
      if (req.method === 'POST' && typingRoute) {
        typing.push(typingRoute[1]!);
        return json(res, 204);
      }
      const msgRoute = /^\/api\/v10\/channels\/(\d+)\/messages$/.exec(path);
      if (req.method === 'POST' && msgRoute) {
        const body = JSON.parse(raw || '{}') as { content?: string; message_reference?: { message_id?: string }; allowed_mentions?: unknown };
        const content = body.content ?? '';
        if (!content) return json(res, 400, { message: 'Cannot send an empty message', code: 50006 });
        if (content.length > 2000) {
          return json(res, 400, { message: 'Invalid Form Body', code: 50035, errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } } });
        }
        posted.push({ channel_id: msgRoute[1]!, content, ...(body.message_reference?.message_id ? { reply_to: body.message_reference.message_id } : {}), allowed_mentions: body.allowed_mentions });
        return json(res, 200, messageObject(msgRoute[1]!, bot, content));
      }
      return json(res, 404, { message: '404: Not Found', code: 0 });
    });
  });

  const wss = new WebSocketServer({ server, path: '/gateway' });
  const dispatch = (ws: WebSocket, t: string, d: unknown) => ws.send(JSON.stringify({ op: 0, t, s: ++seq, d }));
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 }, s: null, t: null }));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { op: number; d: { token?: string; intents?: number } };
      if (frame.op === 1) {
        beats++;
        ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
      } else if (frame.op === 2) {
        if (frame.d.token !== opts.token && frame.d.token !== `Bot ${opts.token}`) return ws.close(4004, 'Authentication failed.');
        intents = frame.d.intents ?? 0;
        dispatch(ws, 'READY', {
          v: 10, user: bot, guilds: [{ id: guild.id, unavailable: true }], session_id: 'test-session',
          resume_gateway_url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/gateway`, application: { id: bot.id, flags: 0 }, shard: [0, 1],
        });
        dispatch(ws, 'GUILD_CREATE', {
          id: guild.id, name: 'Test Guild', icon: null, owner_id: '1', afk_timeout: 300, verification_level: 0, default_message_notifications: 0,
          explicit_content_filter: 0, mfa_level: 0, system_channel_flags: 0, premium_tier: 0, preferred_locale: 'en-US', nsfw_level: 0,
          roles: [{ id: guild.id, name: '@everyone', permissions: '1024', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
          emojis: [], stickers: [], features: [], member_count: 2, members: [], presences: [], voice_states: [], threads: [], stage_instances: [], guild_scheduled_events: [],
          channels: [{ id: guild.channelId, type: 0, name: 'general', guild_id: guild.id, position: 0, permission_overwrites: [], nsfw: false, parent_id: null }],
          joined_at: new Date().toISOString(), large: false, unavailable: false,
        });
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiUrl: `http://127.0.0.1:${port}/api`,
    bot,
    guild,
    posted,
    typing,
    identifiedIntents: () => intents,
    heartbeats: () => beats,
    pushMessage: (m) => {
      const author = { id: m.author.id, username: m.author.username, discriminator: '0', global_name: m.author.username, avatar: null, bot: m.author.bot ?? false };
      const mentions = (m.mentions ?? []).map((id) => (id === bot.id ? bot : { id, username: `user${id}`, discriminator: '0', avatar: null }));
      const msg = messageObject(m.channelId, author, m.content, {
        mentions,
        ...(m.guildId ? { guild_id: m.guildId, member: { roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false } } : { channel_type: 1 }),
        ...(m.replyToBot ? { type: 19, referenced_message: messageObject(m.channelId, bot, 'earlier answer'), message_reference: { channel_id: m.channelId } } : {}),
      });
      for (const ws of sockets) dispatch(ws, 'MESSAGE_CREATE', msg);
      return msg.id;
    },
    close: async () => {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
