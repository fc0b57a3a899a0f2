import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BusConnectionState } from '../core/bus.js';
import { stableClientId } from './client-id.js';
import { startEmbeddedBroker } from './embedded-broker.js';
import { BrokerUnreachableError, type ExternalBus, connectExternalBus } from './external-bus.js';
import type { ExternalBusOptions } from './external-bus-options.js';
import { type MosquittoServer, freePort, mosquittoAvailability, startMosquitto } from './testing/mosquitto.js';
import { type RecordingClient, connectRecordingClient } from './testing/mqtt-test-client.js';
import type { LogLevel } from '../base/logger.js';
import { waitUntil } from '../testing/wait.js';

const logs: { level: LogLevel; message: string }[] = [];
const buses: ExternalBus[] = [];
const clients: RecordingClient[] = [];
let seq = 0;

function bus(opts: ExternalBusOptions): ExternalBus {
  const b = connectExternalBus({ reconnect: { initialMs: 50, maxMs: 500 }, log: (level, message) => logs.push({ level, message }), ...opts });
  buses.push(b);
  return b;
}

async function client(url: string, opts: Parameters<typeof connectRecordingClient>[1] = {}): Promise<RecordingClient> {
  const c = await connectRecordingClient(url, opts);
  clients.push(c);
  return c;
}

function recordStates(b: ExternalBus): BusConnectionState[] {
  const states: BusConnectionState[] = [];
  b.onStateChange((s) => states.push(s));
  return states;
}

function collect(b: ExternalBus, pattern: string): string[] {
  const got: string[] = [];
  b.subscribe(pattern, (topic, payload) => got.push(`${topic}=${payload.toString()}`));
  return got;
}

afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
  await Promise.all(clients.splice(0).map((c) => c.end()));
});

/** Each test its own topics (retained messages and persistent sessions never leak between tests). */
const prefix = (): string => `x${++seq}`;

// ── Against a real Mosquitto ───────────────────────────────────────────────────────────────
let availability: ReturnType<typeof mosquittoAvailability> | { error: Error };
try {
  availability = mosquittoAvailability();
} catch (err) {
  availability = { error: err as Error };
}

if ('error' in availability) {
  describe('external bus against Mosquitto', () => {
    it('needs mosquitto installed (CI=true)', () => {
      throw availability.error;
    });
  });
} else {
  if (availability.skip) console.warn(availability.skip);
  describe.skipIf(availability.skip !== undefined)('external bus against Mosquitto', () => {
    let mosquitto: MosquittoServer;

    beforeAll(async () => {
      mosquitto = await startMosquitto();
    });
    afterAll(async () => {
      await mosquitto?.close();
    });

    it('publishes and subscribes with wildcards, one copy per handler', async () => {
      const p = prefix();
      const b = bus({ url: mosquitto.url });
      await b.waitConnected(15_000);
      expect(b.state).toBe('connected');
      const heartbeats = collect(b, `${p}/agents/+/heartbeat`);
      const everything = collect(b, `${p}/#`);
      b.subscribe(`${p}/#`, () => {
        throw new Error('a bad subscriber');
      });
      await b.ready();

      const outside = await client(mosquitto.url);
      await outside.subscribe(`${p}/from-hub/#`, 1);
      await outside.publish(`${p}/agents/a1/heartbeat`, 'hb');
      await outside.publish(`${p}/agents/a1/logs`, 'log');
      b.publish(`${p}/from-hub/status`, { state: 'running' }, { qos: 1 });

      await waitUntil(() => outside.received.length === 1, 'the hub publish at the outside client');
      expect(JSON.parse(outside.received[0]!.payload)).toEqual({ state: 'running' });
      await waitUntil(() => heartbeats.length === 1 && everything.length === 3, 'messages at the hub');
      expect(heartbeats).toEqual([`${p}/agents/a1/heartbeat=hb`]);
      // Two publishers (the outside client and the hub): only each one's own order is guaranteed.
      expect([...everything].sort()).toEqual([`${p}/agents/a1/heartbeat=hb`, `${p}/agents/a1/logs=log`, `${p}/from-hub/status={"state":"running"}`]);
      expect(everything.indexOf(`${p}/agents/a1/heartbeat=hb`)).toBeLessThan(everything.indexOf(`${p}/agents/a1/logs=log`));
      expect(logs.some((l) => l.message.includes('a bad subscriber'))).toBe(true);
    });

    it('gives a late handler the retained messages of its pattern', async () => {
      const p = prefix();
      const outside = await client(mosquitto.url);
      await outside.publish(`${p}/agents/a/manifest`, '{"name":"a"}', { qos: 1, retain: true });
      const b = bus({ url: mosquitto.url });
      const first = collect(b, `${p}/agents/+/manifest`);
      await b.ready();
      await waitUntil(() => first.length === 1, 'the retained manifest');
      const second = collect(b, `${p}/agents/+/manifest`);
      await b.ready();
      await waitUntil(() => second.length === 1, 'the retained manifest for a second handler');
      expect(second).toEqual([`${p}/agents/a/manifest={"name":"a"}`]);
    });

    it('survives a broker crash: QoS 1 published while it is down arrive exactly once, subscriptions come back', async () => {
      const p = prefix();
      const b = bus({ url: mosquitto.url, clientId: stableClientId(`outage-${p}`) });
      const states = recordStates(b);
      const got = collect(b, `${p}/q/#`);
      await b.ready();

      await mosquitto.kill();
      await waitUntil(() => b.state === 'reconnecting', 'the bus to notice the outage');
      const n = 25;
      for (let i = 0; i < n; i++) b.publish(`${p}/q/${i}`, String(i), { qos: 1 });
      expect(b.queuedPublishes).toBe(n);

      await mosquitto.start();
      await b.waitConnected(20_000);
      await b.ready();
      await waitUntil(() => got.length >= n, `${n} messages after the restart`, 20_000);

      // A sentinel published after them: anything duplicated would have arrived before it.
      b.publish(`${p}/q/sentinel`, 'end', { qos: 1 });
      await waitUntil(() => got.includes(`${p}/q/sentinel=end`), 'the sentinel');
      expect(got.slice(0, n).sort()).toEqual(Array.from({ length: n }, (_, i) => `${p}/q/${i}=${i}`).sort());
      expect(got).toHaveLength(n + 1);
      expect(b.queuedPublishes).toBe(0);
      expect(states).toEqual(['connected', 'reconnecting', 'connected']);

      // Subscriptions work for messages from others after the reconnect.
      const outside = await client(mosquitto.url);
      await outside.publish(`${p}/q/outside`, 'hello', { qos: 1 });
      await waitUntil(() => got.includes(`${p}/q/outside=hello`), 'a message from another client');
    });

    it('keeps its session: QoS 1 messages sent while the hub was away are delivered when it comes back', async () => {
      const p = prefix();
      const clientId = stableClientId(`session-${p}`);
      const before = bus({ url: mosquitto.url, clientId });
      collect(before, `${p}/task/#`);
      await before.ready();
      await before.close();

      const outside = await client(mosquitto.url);
      for (let i = 0; i < 5; i++) await outside.publish(`${p}/task/${i}`, `t${i}`, { qos: 1 });

      const after = bus({ url: mosquitto.url, clientId });
      const got = collect(after, `${p}/task/#`);
      await after.ready();
      await waitUntil(() => got.length >= 5, 'the five queued tasks');
      after.publish(`${p}/task/sentinel`, 'end', { qos: 1 });
      await waitUntil(() => got.includes(`${p}/task/sentinel=end`), 'the sentinel');
      expect(got.filter((g) => !g.includes('sentinel'))).toEqual([0, 1, 2, 3, 4].map((i) => `${p}/task/${i}=t${i}`));
    });

    it('keeps QoS 1 messages that arrive before their subscriber for the handlers that subscribe soon after', async () => {
      const p = prefix();
      const clientId = stableClientId(`late-${p}`);
      const before = bus({ url: mosquitto.url, clientId });
      collect(before, `${p}/task/#`);
      await before.ready();
      await before.close();
      const outside = await client(mosquitto.url);
      for (let i = 0; i < 3; i++) await outside.publish(`${p}/task/${i}`, `t${i}`, { qos: 1 });

      // The hub restarts; its actors subscribe only after the broker has handed over the queue.
      const after = bus({ url: mosquitto.url, clientId });
      await after.waitConnected(15_000);
      await waitUntil(() => after.unclaimedMessages === 3, 'the queued messages to arrive unclaimed');
      const logger = collect(after, '#');
      const actor = collect(after, `${p}/task/1`);
      const actorAgain = collect(after, `${p}/task/1`); // same pattern: already handed over
      await after.ready();
      await waitUntil(() => logger.length === 3 && actor.length === 1, 'the waiting messages handed to the late handlers');
      expect(actor).toEqual([`${p}/task/1=t1`]);
      expect(actorAgain).toEqual([]);
      expect(logger).toEqual([0, 1, 2].map((i) => `${p}/task/${i}=t${i}`));
    });

    it('stops dispatching a pattern once its last handler unsubscribes', async () => {
      const p = prefix();
      const b = bus({ url: mosquitto.url });
      const kept = collect(b, `${p}/keep`);
      const gone: string[] = [];
      const off = b.subscribe(`${p}/gone`, (t) => gone.push(t));
      await b.ready();
      off();
      await b.ready();
      const outside = await client(mosquitto.url);
      await outside.publish(`${p}/gone`, 'x', { qos: 1 });
      await outside.publish(`${p}/keep`, 'y', { qos: 1 });
      await waitUntil(() => kept.length === 1, 'the kept pattern');
      expect(gone).toEqual([]);
    });
  });
}

// ── Against the embedded aedes broker (a remote node's view of a hub) ───────────────────────
describe('external bus against the embedded broker', () => {
  it('talks to aedes both ways and rides out a broker restart on the same port', async () => {
    const p = prefix();
    let embedded = await startEmbeddedBroker({ port: 0 });
    const port = embedded.port;
    try {
      const b = bus({ host: '127.0.0.1', port, clientId: stableClientId(`aedes-${p}`) });
      const states = recordStates(b);
      const got = collect(b, `${p}/#`);
      const hubSide: string[] = [];
      embedded.bus.subscribe(`${p}/from-node`, (_t, m) => hubSide.push(m.toString()));
      await Promise.all([b.ready(), embedded.bus.ready()]);

      b.publish(`${p}/from-node`, { ok: true }, { qos: 1 });
      embedded.bus.publish(`${p}/from-hub`, 'hi');
      await waitUntil(() => hubSide.length === 1 && got.length === 2, 'both directions');
      expect(hubSide).toEqual(['{"ok":true}']);

      await embedded.close();
      await waitUntil(() => b.state === 'reconnecting', 'the outage');
      b.publish(`${p}/later`, 'queued', { qos: 1 });
      embedded = await startEmbeddedBroker({ port });
      await b.waitConnected(20_000);
      await waitUntil(() => got.includes(`${p}/later=queued`), 'the queued message through the new broker');
      expect(states).toEqual(['connected', 'reconnecting', 'connected']);
    } finally {
      await embedded.close();
    }
  });
});

describe('external bus without a broker', () => {
  it('reports reconnecting, gives a clear error after a deadline, and goes offline when closed', async () => {
    const port = await freePort();
    const b = bus({ host: '127.0.0.1', port });
    const err = await b.waitConnected(1_500).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BrokerUnreachableError);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect(b.state).toBe('reconnecting');
    b.publish('a/b', 'x', { qos: 1 });
    expect(b.queuedPublishes).toBe(1);
    await b.close();
    expect(b.state).toBe('offline');
    expect(logs.some((l) => l.message.includes('1 publishes still waiting'))).toBe(true);
  });

  it('backs off exponentially up to the cap between attempts', async () => {
    const port = await freePort();
    const b = bus({ host: '127.0.0.1', port, reconnect: { initialMs: 20, maxMs: 160, factor: 2, jitter: 0 } });
    expect(b.nextRetryMs).toBe(20);
    await waitUntil(() => b.reconnectAttempts >= 5, 'five failed attempts');
    // After k attempts the wait before the next one is 20·2^k, capped at 160.
    const k = b.reconnectAttempts;
    expect(b.nextRetryMs).toBe(Math.min(160, 20 * 2 ** k));
    expect(b.nextRetryMs).toBe(160);
    expect(b.state).toBe('reconnecting');
  });

  it('rejects bad broker URLs and bad topics clearly', () => {
    expect(() => connectExternalBus({ url: 'http://example.invalid' })).toThrow(/unsupported protocol/);
    expect(() => connectExternalBus({})).toThrow(/url, or host/);
    const b = bus({ url: 'mqtt://127.0.0.1:1' });
    expect(() => b.subscribe('a/#/b', () => {})).toThrow(/must be a whole level and the last one/);
    expect(() => b.publish('a/+', 'x')).not.toThrow();
  });
});
