/**
 * Publish limits on a real embedded broker with real mqtt.js clients: an oversized retained
 * message and one past the broker's retained total are dropped (not stored, not delivered), the
 * client stays connected and its next publish goes through, a log line says why; a client over its
 * rate (a frozen clock: no refill) gets exactly its burst through; the hub's in-process publishes
 * are never refused but count towards the total; an agent-style caller gets the reason back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';
import { PublishLimits } from './publish-limits.js';
import { connectRecordingClient, type RecordingClient } from './testing/mqtt-test-client.js';
import { waitUntil } from '../testing/wait.js';

let broker: EmbeddedBroker | undefined;
const clients: RecordingClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.end();
  await broker?.close();
  broker = undefined;
});

async function start(limits: PublishLimits): Promise<string> {
  broker = await startEmbeddedBroker({ port: 0, limits, log: () => {} });
  return `mqtt://127.0.0.1:${broker.port}`;
}

async function client(url: string): Promise<RecordingClient> {
  const c = await connectRecordingClient(url);
  clients.push(c);
  return c;
}

describe('publish limits', () => {
  it('drops an oversized retained message and one past the total; the client stays connected', async () => {
    const logs: string[] = [];
    const limits = new PublishLimits({ maxRetainedMessageBytes: 1024, maxRetainedTotalBytes: 2500, log: (_l, m) => logs.push(m) });
    const url = await start(limits);
    const pub = await client(url);
    let closed = false;
    pub.client.on('close', () => (closed = true));

    await pub.publish('r/big', Buffer.alloc(2048, 1), { retain: true, qos: 1 });
    await pub.publish('r/a', Buffer.alloc(1000, 1), { retain: true, qos: 1 });
    await pub.publish('r/b', Buffer.alloc(1000, 1), { retain: true, qos: 1 });
    await pub.publish('r/c', Buffer.alloc(1000, 1), { retain: true, qos: 1 }); // 2000 + 1000 > 2500: refused
    await pub.publish('r/a', Buffer.alloc(500, 1), { retain: true, qos: 1 }); // replaces: 1500 in total
    await pub.publish('r/d', Buffer.alloc(400, 1), { retain: true, qos: 1 }); // 1900
    await pub.publish('r/b', '', { retain: true, qos: 1 }); // clearing is always allowed: 900
    await pub.publish('plain', 'still connected', { qos: 1 });

    const late = await client(url);
    await late.subscribe('r/#');
    await waitUntil(() => late.received.length >= 2, 'the retained messages that were kept');
    expect(late.received.map((m) => `${m.topic}:${m.payload.length}`).sort()).toEqual(['r/a:500', 'r/d:400']);
    expect(limits.retainedBytes).toBe(900);
    expect(closed).toBe(false);
    expect(logs.join('\n')).toMatch(/retained message on r\/big is 2 KiB, more than the 1 KiB allowed/);
  });

  it('a client over its rate gets its burst through, the rest is dropped', async () => {
    const limits = new PublishLimits({ ratePerSecond: 1, burst: 20, now: () => 1_000 });
    const url = await start(limits);
    const sink = await client(url);
    await sink.subscribe('flood/#');
    const flooder = await client(url);
    for (let i = 0; i < 60; i++) await flooder.publish(`flood/${i}`, 'x', { qos: 1 });
    await flooder.publish('flood/done', 'x', { qos: 1 }); // over the rate too: use another client to mark the end
    const marker = await client(url);
    await marker.publish('flood/end', 'x', { qos: 1 });
    await waitUntil(() => sink.received.some((m) => m.topic === 'flood/end'), 'the end marker');
    expect(sink.received.filter((m) => m.topic !== 'flood/end').map((m) => m.topic)).toEqual(Array.from({ length: 20 }, (_, i) => `flood/${i}`));
  });

  it('the hub’s own retained messages are never refused but count; an agent gets the reason', async () => {
    const limits = new PublishLimits({ maxRetainedMessageBytes: 1024, maxRetainedTotalBytes: 2048 });
    await start(limits);
    broker!.bus.publish('hub/state', Buffer.alloc(1800, 1), { retain: true });
    await waitUntil(() => limits.retainedBytes === 1800, 'the hub’s retained message counted');
    expect(broker!.bus.publishGate).toBe(limits);
    expect(limits.admit('agent hoarder', 'agents/x/blob', 512, true)).toMatch(/would take 2 KiB, more than the 2 KiB/);
    expect(limits.admit('agent hoarder', 'agents/x/blob', 4096, true)).toMatch(/more than the 1 KiB allowed per retained message/);
    expect(limits.admit('agent hoarder', 'agents/x/live', 4096, false)).toBeNull();
  });
});
