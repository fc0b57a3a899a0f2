/**
 * The connection module end to end against real parts: an HTTP server with the REST routes the
 * dashboard reads, and a real aedes broker over WebSocket at /mqtt on the same origin. Checks that
 * REST seeds the stores, MQTT keeps them live (batched), chat goes out on io/chat and the streamed
 * reply lands in the chat store, and chat falls back to REST when the bus is down.
 */
// eslint-disable-next-line no-restricted-imports
import { createServer, type Server } from 'node:http';
// eslint-disable-next-line no-restricted-imports
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { useAgentsStore } from '../stores/agents-store.js';
import { useChatStore } from '../stores/chat-store.js';
import { useConnectionStore } from '../stores/connection-store.js';
import { useLogsStore } from '../stores/logs-store.js';
import { HubConnection } from './hub-connection.js';

let broker: Aedes;
let http: Server;
let wss: WebSocketServer;
let base: string;
let hub: HubConnection;

const publish = (topic: string, payload: unknown) =>
  new Promise<void>((resolve) => broker.publish({ cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(payload)), qos: 0, retain: false, dup: false }, () => resolve()));

beforeAll(async () => {
  broker = await Aedes.createBroker();
  http = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/api/agents') {
      return send(200, [{ id: 'main-id', name: 'main', state: 'running', protected: true, kind: 'core', last_heartbeat: Date.now() / 1000, inbox_size: 0, restart_count: 0, messages_processed: 0 }]);
    }
    if (req.url === '/api/health') {
      return send(200, { status: 'ok', uptime: 5, actors: 1, llm: { provider: 'ollama', model: 'llama3.2', configured: true }, mqtt: { mode: 'embedded', state: 'connected', port: 1883 }, persistence: { ephemeral: 'memory' } });
    }
    if (req.url === '/api/chat?stream=1') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      return res.end('data: {"chunk":"over "}\n\ndata: {"chunk":"REST"}\n\nevent: done\ndata: {"status":"sent","agent":"main","response":"over REST"}\n\n');
    }
    send(404, { error: 'not found' });
  });
  wss = new WebSocketServer({ server: http, path: '/mqtt' });
  wss.on('connection', (ws, req) => broker.handle(createWebSocketStream(ws) as never, req as never));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  // The page environment the module reads once at start.
  Object.assign(globalThis, { location: new URL(`${base}#/agents`), history: { state: null, replaceState: () => undefined } });
  hub = new HubConnection();
});

afterAll(async () => {
  await hub.stop();
  for (const c of wss.clients) c.terminate();
  await new Promise<void>((r) => wss.close(() => r()));
  http.closeAllConnections();
  await new Promise<void>((r) => http.close(() => r()));
  await new Promise<void>((r) => broker.close(() => r()));
});

describe('HubConnection', () => {
  it('seeds the stores over REST and goes online over MQTT', async () => {
    await hub.start();
    await expect.poll(() => useConnectionStore.getState().mqtt, { message: 'MQTT online' }).toBe('online');
    await expect.poll(() => useAgentsStore.getState().loadedAt, { message: 'the agent list' }).not.toBeNull();
    expect(Object.values(useAgentsStore.getState().byId).map((a) => a.name)).toEqual(['main']);
    expect(useConnectionStore.getState().rest).toBe('ok');
    expect(useConnectionStore.getState().health?.llm.model).toBe('llama3.2');
    expect(useConnectionStore.getState().baseUrl).toBe(base);
  });

  it('applies heartbeats and logs from MQTT, and ignores malformed ones', async () => {
    const before = useConnectionStore.getState().rejected;
    await publish('agents/w-id/heartbeat', { actor_id: 'w-id', name: 'weather', timestamp: 123, state: 'running', cpu: 1, memory_mb: 9, task: null, protected: false });
    await publish('agents/w-id/logs', { type: 'info', message: 'fetched', timestamp: 124 });
    await publish('agents/w-id/heartbeat', { nonsense: true });
    await expect.poll(() => [useAgentsStore.getState().byId['w-id'] !== undefined, useLogsStore.getState().byAgent['w-id']?.length ?? 0], { message: 'the MQTT updates' }).toEqual([true, 1]);
    expect(useAgentsStore.getState().byId['w-id']!.name).toBe('weather');
    await expect.poll(() => useConnectionStore.getState().rejected, { message: 'the rejected count' }).toBe(before + 1);
  });

  it('sends chat on io/chat and shows the streamed reply', async () => {
    const asked: { content: string; message_id: string; from: string }[] = [];
    const onPublish = (packet: { topic: string; payload: Buffer | string }) => {
      if (packet.topic === 'io/chat') asked.push(JSON.parse(packet.payload.toString()));
    };
    broker.on('publish', onPublish);
    await hub.sendChat('hello main');
    await expect.poll(() => asked.length, { message: 'the io/chat message' }).toBe(1);
    broker.off('publish', onPublish);
    const { message_id, from, content } = asked[0]!;
    expect({ from, content }).toEqual({ from: 'dashboard', content: 'hello main' });
    await publish('io/chat/response', { from: 'main', to: 'dashboard', content: 'Hi ', done: false, message_id, timestamp: 1 });
    await publish('io/chat/response', { from: 'main', to: 'dashboard', content: 'there', done: false, message_id, timestamp: 1 });
    await expect.poll(() => useChatStore.getState().messages.at(-1)?.content, { message: 'the streamed chunks' }).toBe('Hi there');
    expect(useChatStore.getState().messages.at(-1)!.streaming).toBe(true);
    await publish('io/chat/response', { from: 'main', to: 'dashboard', content: 'Hi there!', done: true, message_id, timestamp: 2 });
    await expect.poll(() => useChatStore.getState().messages.at(-1)?.streaming, { message: 'the final reply' }).toBe(false);
    expect(useChatStore.getState().messages.at(-1)!.content).toBe('Hi there!');
  });

  it('falls back to REST (streamed) when the bus is down', async () => {
    await (hub as unknown as { link: { stop(): Promise<void> } }).link.stop();
    await hub.sendChat('are you there?');
    const last = useChatStore.getState().messages.at(-1)!;
    expect(last).toMatchObject({ role: 'assistant', content: 'over REST', streaming: false });
  });
});
