/**
 * The retained-message index gives the same answers, in the same order, as the store it replaces:
 * aedes' own memory persistence (an unpatched broker's), fed the same packets — topics with empty
 * levels, `$` topics, overwrites, deletes and stores again — and asked the same filters, exact,
 * `+`, `#` (also matching the parent level), and a `#` that is not last. Through a real broker: a late subscriber still gets
 * the retained messages its filters match, each once per filter, and a deleted one no more.
 */
import { Readable } from 'node:stream';
import { Aedes } from 'aedes';
import { afterAll, describe, expect, it } from 'vitest';
import { indexRetainedMessages, type RetainedPacket, type RetainedPersistence as Store } from './retained-index.js';
import { startEmbeddedBroker } from './embedded-broker.js';
import { connectRecordingClient } from './testing/mqtt-test-client.js';
import { waitUntil } from '../testing/wait.js';

const TOPICS = [
  'a',
  'a/b',
  'a/b/c',
  'a/b/c/d',
  'a//c',
  'a/',
  '/a',
  '',
  'x/y',
  'x/y/z',
  'wactorz/agents/one/status',
  'wactorz/agents/two/status',
  'wactorz/agents/two/manifest',
  'wactorz/nodes/n1/desired_state',
  '$SYS/broker/uptime',
  '$wz/private',
];
const FILTERS = [
  '#',
  '+',
  'a',
  'a/#',
  'a/+',
  'a/+/c',
  'a/+/+/+',
  '+/b/#',
  'a//c',
  'a/',
  '/+',
  '+/+',
  'wactorz/agents/+/status',
  'wactorz/agents/two/#',
  'wactorz/+/+/+',
  'wactorz/#',
  '$SYS/#',
  '+/broker/#',
  'none',
  'a/b/c/d/e',
  // Not valid MQTT (a `#` that is not last), but the old store answered it.
  'a/#/c',
  '#/status',
];

const packet = (topic: string, payload: string): RetainedPacket => ({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: true });

async function read(stream: Readable): Promise<string[]> {
  const out: string[] = [];
  for await (const p of stream as AsyncIterable<RetainedPacket>) out.push(`${p.topic}=${Buffer.from(p.payload as Buffer).toString()}`);
  return out;
}

/** aedes' own memory persistence, and one of its kind with the index in place. */
async function pairOfStores(): Promise<{ original: Store; indexed: Store; close(): Promise<void> }> {
  const a = await Aedes.createBroker();
  const b = await Aedes.createBroker();
  const original = (a as unknown as { persistence: Store }).persistence;
  const indexed = (b as unknown as { persistence: Store }).persistence;
  indexRetainedMessages(indexed);
  return { original, indexed, close: () => Promise.all([a, b].map((x) => new Promise<void>((r) => x.close(() => r())))).then(() => undefined) };
}

describe('the same answers as aedes’ own retained store', () => {
  it('for every filter, after stores, overwrites and deletes', async () => {
    const { original, indexed, close } = await pairOfStores();
    try {
      // Stored in an order unlike the topics' tree (a deep topic first, siblings apart), then
      // overwritten (keeps its place), deleted, and stored again (goes last, as in a Map).
      const writes: RetainedPacket[] = [
        ...[...TOPICS].reverse().map((t) => packet(t, `v1 ${t}`)),
        packet('a/b', 'v2'),
        packet('x/y', ''),
        packet('x/y/z', ''),
        packet('never/stored', ''),
        packet('a/b/c/d', 'v2'),
        packet('wactorz/agents/one/status', ''),
        packet('wactorz/agents/one/status', 'back'),
      ];
      for (const w of writes) {
        await original.storeRetained(w);
        await indexed.storeRetained(w);
      }
      // The same packets in the same order: oldest topic first (subscribers lay things out by it).
      for (const f of FILTERS) expect(await read(indexed.createRetainedStream(f)), f).toEqual(await read(original.createRetainedStream(f)));
      // A combined stream: each filter's matches in turn (a topic two filters match comes twice).
      const combi = ['a/+', 'a/#', 'wactorz/agents/+/status'];
      expect(await read(indexed.createRetainedStreamCombi(combi))).toEqual(await read(original.createRetainedStreamCombi(combi)));
      // Deleting everything leaves nothing behind.
      for (const t of TOPICS) await indexed.storeRetained(packet(t, ''));
      expect(await read(indexed.createRetainedStream('#'))).toEqual([]);
    } finally {
      await close();
    }
  });

  it('a packet it cannot take fails the call, as aedes\' own store does, and the store goes on', async () => {
    const { original, indexed, close } = await pairOfStores();
    try {
      const bad = { cmd: 'publish', topic: 'no/payload' } as unknown as RetainedPacket;
      await expect(Promise.resolve().then(() => original.storeRetained(bad))).rejects.toThrow();
      // aedes calls it as storeRetained(packet).then(…): a rejection, not a throw.
      let stored: Promise<void> | void = undefined;
      expect(() => (stored = indexed.storeRetained(bad))).not.toThrow();
      await expect(stored).rejects.toThrow();
      const called = await new Promise<Error | null | undefined>((resolve) => indexed.storeRetained(bad, resolve));
      expect(called).toBeInstanceOf(Error);
      await indexed.storeRetained(packet('ok/after', 'yes'));
      expect(await read(indexed.createRetainedStream('ok/#'))).toEqual(['ok/after=yes']);
    } finally {
      await close();
    }
  });

  it('keeps a copy: changing the published packet later changes nothing stored', async () => {
    const { indexed, close } = await pairOfStores();
    try {
      const p = packet('k/v', 'one');
      await indexed.storeRetained(p);
      p.topic = 'changed';
      expect(await read(indexed.createRetainedStream('k/v'))).toEqual(['k/v=one']);
    } finally {
      await close();
    }
  });
});

describe('through a real broker', () => {
  const started = startEmbeddedBroker({ port: 0, log: () => {} });
  afterAll(async () => {
    await (await started).close();
  });

  it('a late subscriber gets what its filters match, each once per filter; a deleted one no more', async () => {
    const broker = await started;
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const pub = await connectRecordingClient(url);
    const late = await connectRecordingClient(url);
    try {
      await pub.publish('ri/agents/a1/status', 'up', { qos: 1, retain: true });
      await pub.publish('ri/agents/a2/status', 'up', { qos: 1, retain: true });
      await pub.publish('ri/agents/a2/manifest', 'm', { qos: 1, retain: true });
      await pub.publish('ri/agents/a1/status', '', { qos: 1, retain: true });
      await late.subscribe(['ri/agents/+/status', 'ri/agents/a2/#'], 1);
      await waitUntil(() => late.received.length >= 3, 'the retained messages');
      expect(late.received.map((m) => `${m.topic}=${m.payload}`).sort()).toEqual(['ri/agents/a2/manifest=m', 'ri/agents/a2/status=up', 'ri/agents/a2/status=up']);
      // The in-process bus replays from the same store.
      const seen: string[] = [];
      const off = broker.bus.subscribe('ri/agents/#', (topic, payload) => seen.push(`${topic}=${Buffer.from(payload as Uint8Array).toString()}`));
      await waitUntil(() => seen.length >= 2, 'the in-process replay');
      expect(seen.sort()).toEqual(['ri/agents/a2/manifest=m', 'ri/agents/a2/status=up']);
      off();
    } finally {
      await Promise.all([pub.end(), late.end()]);
    }
  });
});
