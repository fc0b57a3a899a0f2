import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BrokerListenError, type EmbeddedBroker, startEmbeddedBroker } from './embedded-broker.js';
import { type RecordingClient, connectRecordingClient } from './testing/mqtt-test-client.js';
import { TopicError } from './topic-validation.js';
import type { LogLevel } from '../base/logger.js';
import { waitUntil } from '../testing/wait.js';
import { upgradeStatus } from '../testing/raw-http.js';

const logs: { level: LogLevel; message: string }[] = [];
let broker: EmbeddedBroker;
let url: string;
const clients: RecordingClient[] = [];
let seq = 0;

async function client(opts: Parameters<typeof connectRecordingClient>[1] = {}): Promise<RecordingClient> {
  const c = await connectRecordingClient(url, opts);
  clients.push(c);
  return c;
}

/** A fresh topic prefix per test: retained messages from one test never leak into another. */
function prefix(): string {
  return `t${++seq}`;
}

beforeAll(async () => {
  broker = await startEmbeddedBroker({ port: 0, log: (level, message) => logs.push({ level, message }) });
  url = `mqtt://127.0.0.1:${broker.port}`;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end()));
});

afterAll(async () => {
  await broker?.close();
});

describe('embedded broker over TCP (mqtt.js clients)', () => {
  it('binds an ephemeral port when asked for port 0', () => {
    expect(broker.port).toBeGreaterThan(0);
    expect(broker.host).toBe('127.0.0.1');
  });

  it('routes publish → subscribe between two clients, with + and # wildcards', async () => {
    const p = prefix();
    const sub = await client();
    await sub.subscribe([`${p}/agents/+/heartbeat`, `${p}/io/#`]);
    const pub = await client();
    await pub.publish(`${p}/agents/a1/heartbeat`, 'hb1');
    await pub.publish(`${p}/agents/a1/logs`, 'not-matched');
    await pub.publish(`${p}/io/chat`, 'chat');
    await pub.publish(`${p}/io/chat/response`, 'resp');
    await pub.publish(`${p}/io`, 'parent-level'); // `io/#` also matches `io` itself
    await waitUntil(() => sub.received.length >= 4, 'four matching messages');
    // A sentinel published last proves nothing unmatched slipped in before it.
    await sub.subscribe(`${p}/sentinel`);
    await pub.publish(`${p}/sentinel`, 'end');
    await waitUntil(() => sub.received.some((m) => m.topic === `${p}/sentinel`), 'sentinel');
    expect(sub.received.map((m) => `${m.topic}=${m.payload}`)).toEqual([
      `${p}/agents/a1/heartbeat=hb1`,
      `${p}/io/chat=chat`,
      `${p}/io/chat/response=resp`,
      `${p}/io=parent-level`,
      `${p}/sentinel=end`,
    ]);
  });

  it('delivers a retained manifest to a subscriber that arrives later', async () => {
    const p = prefix();
    const pub = await client();
    const manifest = JSON.stringify({ name: 'echo', actor_id: 'a1', capabilities: ['echo'] });
    await pub.publish(`${p}/agents/a1/manifest`, manifest, { qos: 1, retain: true });
    await pub.end();
    const late = await client();
    await late.subscribe(`${p}/agents/+/manifest`);
    await waitUntil(() => late.received.length === 1, 'the retained manifest');
    expect(late.received[0]).toMatchObject({ topic: `${p}/agents/a1/manifest`, payload: manifest, retain: true });
  });

  it('delivers QoS 1 at QoS 1, and queues it for a persistent session that is offline', async () => {
    const p = prefix();
    const sub = await client({ clientId: `qos1-${p}`, clean: false });
    await sub.subscribe(`${p}/task`, 1);
    const pub = await client();
    await pub.publish(`${p}/task`, 'online', { qos: 1 });
    await waitUntil(() => sub.received.length === 1, 'the online QoS 1 message');
    expect(sub.received[0]).toMatchObject({ payload: 'online', qos: 1 });

    await sub.end();
    await pub.publish(`${p}/task`, 'while-away', { qos: 1 });
    const back = await client({ clientId: `qos1-${p}`, clean: false });
    await waitUntil(() => back.received.length === 1, 'the QoS 1 message queued while away');
    expect(back.received[0]).toMatchObject({ topic: `${p}/task`, payload: 'while-away', qos: 1 });
  });

  it('queues an in-process QoS 1 publish for a persistent session that is offline', async () => {
    const p = prefix();
    const sub = await client({ clientId: `inproc-${p}`, clean: false });
    await sub.subscribe(`${p}/cmd`, 1);
    await sub.end();
    broker.bus.publish(`${p}/cmd`, { command: 'stop' }, { qos: 1 });
    await broker.bus.ready();
    const back = await client({ clientId: `inproc-${p}`, clean: false });
    await waitUntil(() => back.received.length === 1, 'the queued in-process QoS 1 message');
    expect(back.received[0]).toMatchObject({ topic: `${p}/cmd`, payload: '{"command":"stop"}', qos: 1 });
  });

  it('keeps a persistent session whose subscriptions overlap connected through QoS 1 messages, and delivers each once', async () => {
    // A node's client: persistent, with filters that overlap (its own commands and a wildcard an
    // agent asked for). aedes, handing the second copy to dedupe, used to clear the queued packet
    // the first copy was about to send — "no such packet", and the client was thrown off.
    const p = prefix();
    const sub = await client({ clientId: `overlap-${p}`, clean: false });
    let closes = 0;
    sub.client.on('close', () => closes++);
    await sub.subscribe([`${p}/n1/stop`, `${p}/n1/#`], 1);
    const pub = await client();
    await pub.publish(`${p}/n1/stop`, 'from a client', { qos: 1 });
    broker.bus.publish(`${p}/n1/stop`, { from: 'the hub' }, { qos: 1 });
    broker.bus.publish(`${p}/n1/desired_state`, { from: 'the hub' }, { qos: 1, retain: true });
    await pub.publish(`${p}/n1/end`, 'end', { qos: 1 });
    await waitUntil(() => sub.received.some((m) => m.topic === `${p}/n1/end`), 'the last message');
    expect(sub.received.map((m) => m.payload)).toEqual(['from a client', '{"from":"the hub"}', '{"from":"the hub"}', 'end']);
    expect(sub.received.every((m) => m.qos === 1)).toBe(true);
    expect(closes).toBe(0);
    expect(sub.client.connected).toBe(true);
  });

  it('warns when it listens beyond loopback without authentication', async () => {
    const own: string[] = [];
    const open = await startEmbeddedBroker({ host: '0.0.0.0', port: 0, log: (_l, m) => own.push(m) });
    await open.close();
    expect(own.some((m) => m.includes('without authentication'))).toBe(true);
    const quiet: string[] = [];
    const local = await startEmbeddedBroker({ port: 0, log: (_l, m) => quiet.push(m) });
    await local.close();
    expect(quiet.filter((m) => m.includes('without authentication'))).toEqual([]);
  });

  it('refuses a port that is in use with EADDRINUSE and names the port', async () => {
    const err = await startEmbeddedBroker({ port: broker.port }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BrokerListenError);
    expect((err as BrokerListenError).code).toBe('EADDRINUSE');
    expect((err as Error).message).toContain(String(broker.port));
  });
});

describe('in-process bus of the embedded broker', () => {
  it('carries in-process publishes to TCP clients, JSON-encoded, retain and QoS honoured', async () => {
    const p = prefix();
    const sub = await client();
    await sub.subscribe(`${p}/#`, 1);
    broker.bus.publish(`${p}/agents/a1/heartbeat`, { actor_id: 'a1', state: 'running' });
    broker.bus.publish(`${p}/agents/a1/task`, 'plain text', { qos: 1 });
    broker.bus.publish(`${p}/agents/a1/manifest`, { name: 'm' }, { retain: true });
    await waitUntil(() => sub.received.length === 3, 'three in-process publishes');
    expect(sub.received[0]).toMatchObject({ topic: `${p}/agents/a1/heartbeat`, qos: 0 });
    expect(JSON.parse(sub.received[0]!.payload)).toEqual({ actor_id: 'a1', state: 'running' });
    expect(sub.received[1]).toMatchObject({ payload: 'plain text', qos: 1 });
    expect(sub.received[2]).toMatchObject({ payload: '{"name":"m"}', retain: false });

    const late = await client();
    await late.subscribe(`${p}/agents/+/manifest`);
    await waitUntil(() => late.received.length === 1, 'the in-process retained manifest');
    expect(late.received[0]).toMatchObject({ payload: '{"name":"m"}', retain: true });
  });

  it('loses nothing when QoS 1, retained and QoS 0 publishes follow each other in one tick', async () => {
    // aedes drops a packet for a client that already got a later-numbered one; retained/QoS 1
    // packets take a slower path, so without the bus's ordering a QoS 1 followed by a QoS 0 is lost.
    const p = prefix();
    const sub = await client();
    await sub.subscribe(`${p}/#`, 1);
    const tcpPublisher = await client();
    const kinds = [{ qos: 1 as const }, { qos: 0 as const }, { qos: 0 as const, retain: true }, { qos: 1 as const, retain: true }, { qos: 0 as const }];
    const n = 200;
    for (let i = 0; i < n; i++) {
      broker.bus.publish(`${p}/m/${i % 7}`, String(i), kinds[i % kinds.length]);
      if (i % 50 === 0) tcpPublisher.client.publish(`${p}/tcp`, `tcp${i}`, { qos: 1 });
    }
    await waitUntil(() => sub.received.length === n + 4, `${n + 4} messages`);
    const fromBus = sub.received.filter((m) => !m.topic.endsWith('/tcp')).map((m) => Number(m.payload));
    expect([...fromBus].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    // Per QoS level, MQTT order holds.
    for (const qos of [0, 1]) {
      const seq = sub.received.filter((m) => !m.topic.endsWith('/tcp') && m.qos === qos).map((m) => Number(m.payload));
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
  });

  it('takes a burst of in-process publishes at aedes\' pace, losing none', async () => {
    const p = prefix();
    const sub = await client();
    await sub.subscribe(`${p}/burst`);
    const n = 30_000;
    for (let i = 0; i < n; i++) broker.bus.publish(`${p}/burst`, i);
    await waitUntil(() => sub.received.length === n, `${n} messages`, 60_000);
    expect(sub.received.every((m, i) => m.payload === String(i))).toBe(true);
  });

  it('bounds what waits: beyond maxHeld plain QoS 0 publishes are dropped (and logged), QoS 1 never', async () => {
    const own: { level: LogLevel; message: string }[] = [];
    const small = await startEmbeddedBroker({ port: 0, bus: { maxHeld: 10 }, log: (level, message) => own.push({ level, message }) });
    try {
      const sub = await connectRecordingClient(`mqtt://127.0.0.1:${small.port}`);
      clients.push(sub);
      await sub.subscribe('b/#', 1);
      // The QoS 1 publish holds the ones after it until aedes has emitted it: 10 wait, the rest go.
      small.bus.publish('b/first', 'q1', { qos: 1 });
      for (let i = 0; i < 20; i++) small.bus.publish('b/log', i);
      small.bus.publish('b/last', 'q1-last', { qos: 1 });
      await small.bus.ready();
      small.bus.publish('b/sentinel', 'end');
      await waitUntil(() => sub.received.some((m) => m.topic === 'b/sentinel'), 'the sentinel');
      expect(sub.received.map((m) => m.payload)).toEqual(['q1', ...Array.from({ length: 10 }, (_, i) => String(i)), 'q1-last', 'end']);
      expect(own.some((l) => l.level === 'warning' && l.message.includes('dropped 1'))).toBe(true);
    } finally {
      await small.close();
    }
  });

  it('carries TCP publishes to in-process subscribers, with wildcards', async () => {
    const p = prefix();
    const got: string[] = [];
    const off = broker.bus.subscribe(`${p}/agents/+/logs`, (topic, payload) => got.push(`${topic}=${payload.toString()}`));
    await broker.bus.ready();
    const pub = await client();
    await pub.publish(`${p}/agents/x/logs`, 'one');
    await pub.publish(`${p}/agents/x/heartbeat`, 'no');
    await pub.publish(`${p}/agents/y/logs`, 'two');
    await waitUntil(() => got.length === 2, 'two log lines');
    expect(got).toEqual([`${p}/agents/x/logs=one`, `${p}/agents/y/logs=two`]);
    off();
  });

  it('gives a new in-process subscriber the retained messages matching its pattern', async () => {
    const p = prefix();
    broker.bus.publish(`${p}/agents/a/manifest`, { name: 'a' }, { retain: true });
    broker.bus.publish(`${p}/agents/b/manifest`, { name: 'b' }, { retain: true });
    broker.bus.publish(`${p}/other`, 'x', { retain: true });
    await broker.bus.ready();
    const first: string[] = [];
    const second: string[] = [];
    const offFirst = broker.bus.subscribe(`${p}/agents/+/manifest`, (topic) => first.push(topic));
    await broker.bus.ready();
    const offSecond = broker.bus.subscribe(`${p}/agents/+/manifest`, (topic) => second.push(topic));
    await broker.bus.ready();
    expect(first.sort()).toEqual([`${p}/agents/a/manifest`, `${p}/agents/b/manifest`]);
    // The second handler of the same pattern gets them too, and the first one not twice.
    expect(second.sort()).toEqual([`${p}/agents/a/manifest`, `${p}/agents/b/manifest`]);
    expect(first).toHaveLength(2);
    offFirst();
    offSecond();
  });

  it('keeps delivering when a subscriber throws or rejects, and logs it', async () => {
    const p = prefix();
    const good: string[] = [];
    const offBad = broker.bus.subscribe(`${p}/x`, () => {
      throw new Error('bad subscriber');
    });
    const offAsyncBad = broker.bus.subscribe(`${p}/#`, async () => {
      throw new Error('bad async subscriber');
    });
    const offGood = broker.bus.subscribe(`${p}/x`, (_t, payload) => good.push(payload.toString()));
    await broker.bus.ready();
    const sub = await client();
    await sub.subscribe(`${p}/x`);
    broker.bus.publish(`${p}/x`, 'm1');
    broker.bus.publish(`${p}/x`, 'm2');
    await waitUntil(() => good.length === 2 && sub.received.length === 2, 'both messages to the good subscribers');
    expect(good).toEqual(['m1', 'm2']);
    await waitUntil(() => logs.some((l) => l.message.includes('bad async subscriber')), 'the async failure logged');
    expect(logs.some((l) => l.level === 'error' && l.message.includes('bad subscriber'))).toBe(true);
    // …and the broker still works for everyone afterwards.
    const pub = await client();
    await pub.publish(`${p}/x`, 'm3');
    await waitUntil(() => good.length === 3 && sub.received.length === 3, 'a later TCP publish');
    offBad();
    offAsyncBad();
    offGood();
  });

  it('refcounts handlers per pattern: removing one keeps the others', async () => {
    const p = prefix();
    const a: string[] = [];
    const b: string[] = [];
    const offA = broker.bus.subscribe(`${p}/t`, (_t, m) => a.push(m.toString()));
    const offB = broker.bus.subscribe(`${p}/t`, (_t, m) => b.push(m.toString()));
    const sentinel: string[] = [];
    const offSentinel = broker.bus.subscribe(`${p}/sentinel`, (_t, m) => sentinel.push(m.toString()));
    await broker.bus.ready();
    broker.bus.publish(`${p}/t`, '1');
    await waitUntil(() => a.length === 1 && b.length === 1, 'both handlers');
    offA();
    offA(); // idempotent
    broker.bus.publish(`${p}/t`, '2');
    broker.bus.publish(`${p}/sentinel`, 'end');
    await waitUntil(() => sentinel.length === 1, 'sentinel');
    expect(a).toEqual(['1']);
    expect(b).toEqual(['1', '2']);
    offB();
    broker.bus.publish(`${p}/t`, '3');
    broker.bus.publish(`${p}/sentinel`, 'end2');
    await waitUntil(() => sentinel.length === 2, 'second sentinel');
    expect(b).toEqual(['1', '2']);
    offSentinel();
  });

  it('does not hand $SYS topics to a # subscriber', async () => {
    const topics: string[] = [];
    const off = broker.bus.subscribe('#', (topic) => topics.push(topic));
    await broker.bus.ready();
    const c = await client(); // a connect makes aedes publish $SYS/<id>/new/clients
    await c.end();
    const p = prefix();
    broker.bus.publish(`${p}/sentinel`, 'x');
    await waitUntil(() => topics.includes(`${p}/sentinel`), 'sentinel');
    off();
    expect(topics.filter((t) => t.startsWith('$'))).toEqual([]);
  });

  it('rejects bad topics clearly: publish logs and drops, subscribe throws', () => {
    const before = logs.length;
    expect(() => broker.bus.publish('agents/+/heartbeat', {})).not.toThrow();
    expect(() => broker.bus.publish('x', 10n)).not.toThrow(); // BigInt: not JSON-serialisable
    expect(logs.slice(before).filter((l) => l.level === 'error')).toHaveLength(2);
    expect(logs[before]!.message).toContain('wildcards');
    expect(() => broker.bus.subscribe('agents/#/x', () => {})).toThrow(TopicError);
    expect(() => broker.bus.subscribe('agents/a+', () => {})).toThrow(TopicError);
    expect(() => broker.bus.subscribe('', () => {})).toThrow(TopicError);
  });

  it('reports connected while the broker runs', () => {
    expect(broker.bus.state).toBe('connected');
  });
});

describe('MQTT over WebSocket', () => {
  let http: HttpServer;
  let wsBase: string;
  let detach: () => void;
  const otherUpgrades: string[] = [];

  beforeAll(async () => {
    http = createHttpServer((_req, res) => res.end('dashboard'));
    // Another owner of upgrades on the same server (e.g. a dev-server's HMR socket).
    http.on('upgrade', (req, socket) => {
      if (req.url?.startsWith('/other')) {
        otherUpgrades.push(req.url);
        socket.end('HTTP/1.1 418 I am a teapot\r\nConnection: close\r\n\r\n');
      }
    });
    detach = broker.attachWebSocket(http, '/mqtt', { authorize: (req) => !req.url?.includes('deny') });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    wsBase = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    detach?.();
    http?.closeAllConnections();
    await new Promise<void>((resolve) => http?.close(() => resolve()));
  });

  it('serves MQTT at /mqtt to an mqtt.js ws:// client, bridged with TCP and in-process', async () => {
    const p = prefix();
    const ws = await connectRecordingClient(`${wsBase}/mqtt`);
    clients.push(ws);
    await ws.subscribe(`${p}/#`);
    const tcp = await client();
    await tcp.publish(`${p}/from-tcp`, 'hello ws');
    broker.bus.publish(`${p}/from-hub`, { n: 1 });
    await waitUntil(() => ws.received.length === 2, 'both messages over WebSocket');
    expect(ws.received.map((m) => m.payload).sort()).toEqual(['hello ws', '{"n":1}']);

    const got: string[] = [];
    const off = broker.bus.subscribe(`${p}/from-ws`, (_t, m) => got.push(m.toString()));
    await broker.bus.ready();
    await ws.publish(`${p}/from-ws`, 'up');
    await waitUntil(() => got.length === 1, 'the WebSocket publish in-process');
    off();
  });

  it('leaves other upgrade paths to their owner and refuses unauthorized ones', async () => {
    expect(await upgradeStatus(`${wsBase}/other`)).toBe(418);
    expect(otherUpgrades).toEqual(['/other']);
    expect(await upgradeStatus(`${wsBase}/mqtt?deny=1`)).toBe(401);
    await expect(connectRecordingClient(`${wsBase}/mqtt?deny=1`, { connectTimeout: 5_000 })).rejects.toThrow();
    expect(await upgradeStatus(`${wsBase}/mqtt`)).toBe(101);
  });

  it('refuses unknown upgrade paths when nobody else handles upgrades', async () => {
    const lone = createHttpServer();
    const off = broker.attachWebSocket(lone); // default path /mqtt
    await new Promise<void>((resolve) => lone.listen(0, '127.0.0.1', resolve));
    const base = `ws://127.0.0.1:${(lone.address() as AddressInfo).port}`;
    try {
      expect(await upgradeStatus(`${base}/nope`)).toBe(404);
      const c = await connectRecordingClient(`${base}/mqtt`);
      clients.push(c);
    } finally {
      off();
      lone.closeAllConnections();
      await new Promise<void>((resolve) => lone.close(() => resolve()));
    }
  });
});

describe('closing', () => {
  it('closes clients and frees the port', async () => {
    const own = await startEmbeddedBroker({ port: 0 });
    const c = await connectRecordingClient(`mqtt://127.0.0.1:${own.port}`);
    let closed = false;
    c.client.on('close', () => (closed = true));
    await own.close();
    await own.close(); // idempotent
    await waitUntil(() => closed, 'the client to see the broker go');
    expect(own.bus.state).toBe('offline');
    const again = await startEmbeddedBroker({ port: own.port });
    expect(again.port).toBe(own.port);
    await again.close();
    await c.end();
  });
});
