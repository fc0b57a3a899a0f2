/**
 * MqttLink against a real aedes broker served over WebSocket by a real HTTP server — the same
 * transport the hub uses at /mqtt. (Node modules are fine here: this is a test, not page code.)
 */
// eslint-disable-next-line no-restricted-imports
import { createServer, type Server } from 'node:http';
// eslint-disable-next-line no-restricted-imports
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { MqttLink, withToken, type LinkState } from './mqtt-link.js';

const TOKEN = 'let-me-in';

let broker: Aedes;
let http: Server;
let wss: WebSocketServer;
let url: string;
const upgradeQueries: string[] = [];

beforeAll(async () => {
  broker = await Aedes.createBroker({
    authenticate(_client, _username, password, done) {
      if (password?.toString() === TOKEN) return done(null, true);
      const err = new Error('bad token') as AuthenticateError;
      err.returnCode = 5;
      done(err, false);
    },
  });
  http = createServer();
  wss = new WebSocketServer({ server: http, path: '/mqtt' });
  wss.on('connection', (ws, req) => {
    upgradeQueries.push(new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? '');
    broker.handle(createWebSocketStream(ws) as never, req as never);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/mqtt`;
});

afterAll(async () => {
  for (const c of wss.clients) c.terminate();
  await new Promise<void>((r) => wss.close(() => r()));
  await new Promise<void>((r) => http.close(() => r()));
  await new Promise<void>((r) => broker.close(() => r()));
});

function makeLink(token: string | null, subscriptions = ['agents/+/heartbeat']) {
  const states: LinkState[] = [];
  const messages: { topic: string; text: string }[] = [];
  let unauthorized = 0;
  const link = new MqttLink({
    url,
    token,
    clientId: `test-${Math.random().toString(16).slice(2)}`,
    subscriptions,
    onMessage: (topic, payload) => messages.push({ topic, text: new TextDecoder().decode(payload) }),
    onState: (s) => states.push(s),
    onUnauthorized: () => unauthorized++,
    minDelayMs: 100,
    maxDelayMs: 400,
  });
  return { link, states, messages, unauthorized: () => unauthorized };
}

function brokerPublish(topic: string, payload: unknown): Promise<void> {
  return new Promise((resolve, reject) =>
    broker.publish({ cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(payload)), qos: 0, retain: false, dup: false }, (err) => (err ? reject(err) : resolve())),
  );
}

describe('MqttLink', () => {
  it('connects with the token, subscribes, receives and publishes', async () => {
    const { link, states, messages } = makeLink(TOKEN);
    link.start();
    await expect.poll(() => link.state, { message: 'online' }).toBe('online');
    expect(states[0]).toBe('connecting');
    expect(upgradeQueries.at(-1)).toBe(TOKEN);

    // Subscriptions are active once the broker delivers to us.
    await expect
      .poll(() => {
        void brokerPublish('agents/a1/heartbeat', { n: 1 });
        return messages.length;
      }, { message: 'a heartbeat' })
      .toBeGreaterThan(0);
    expect(messages[0]).toEqual({ topic: 'agents/a1/heartbeat', text: '{"n":1}' });

    const got: string[] = [];
    const onPublish = (packet: { topic: string; payload: Buffer | string }) => {
      if (packet.topic === 'io/chat') got.push(packet.payload.toString());
    };
    broker.on('publish', onPublish);
    expect(link.publish('io/chat', { from: 'dashboard', content: 'hi' })).toBe(true);
    await expect.poll(() => got.length, { message: 'our publish' }).toBe(1);
    expect(JSON.parse(got[0]!)).toEqual({ from: 'dashboard', content: 'hi' });
    broker.off('publish', onPublish);
    await link.stop();
    expect(link.state).toBe('offline');
    expect(link.publish('io/chat', {})).toBe(false);
  });

  it('reconnects by itself after the connection drops and subscribes again', async () => {
    const { link, states, messages } = makeLink(TOKEN, ['agents/+/logs']);
    link.start();
    await expect.poll(() => link.state, { message: 'online' }).toBe('online');
    for (const c of wss.clients) c.terminate();
    await expect.poll(() => states, { message: 'reconnecting' }).toContain('reconnecting');
    await expect.poll(() => link.state, { message: 'back online' }).toBe('online');
    await expect
      .poll(() => {
        void brokerPublish('agents/x/logs', { after: 'reconnect' });
        return messages.length;
      }, { message: 'a message after reconnecting' })
      .toBeGreaterThan(0);
    expect(messages[0]!.topic).toBe('agents/x/logs');
    await link.stop();
  });

  it('stops retrying when the broker refuses the token', async () => {
    const { link, unauthorized } = makeLink('wrong');
    link.start();
    await expect.poll(() => unauthorized(), { message: 'the refusal' }).toBeGreaterThan(0);
    expect(link.state).toBe('offline');
    await link.stop();
  });
});

describe('withToken', () => {
  it('adds the token to the WebSocket URL only when there is one', () => {
    expect(withToken('ws://h/mqtt', null)).toBe('ws://h/mqtt');
    expect(withToken('ws://h/mqtt', 'a b')).toBe('ws://h/mqtt?token=a+b');
  });
});
