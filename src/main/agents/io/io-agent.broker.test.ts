/**
 * IOAgent on the real embedded broker: aedes in-process bus for the hub, a real mqtt.js client over
 * TCP for the chat client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ioChatResponseSchema } from '../../../shared/mqtt-payloads.js';
import { createTestSystem, type TestSystem } from '../../core/testing/test-system.js';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../broker/embedded-broker.js';
import { type RecordingClient, connectRecordingClient } from '../../broker/testing/mqtt-test-client.js';
import { IOAgent } from './io-agent.js';
import { FakeMain, wordByWord } from './testing/fake-main.js';
import { waitUntil } from '../../testing/wait.js';

let broker: EmbeddedBroker;
let t: TestSystem;
let client: RecordingClient;

beforeAll(async () => {
  broker = await startEmbeddedBroker({ port: 0, log: () => {} });
  t = await createTestSystem({ bus: broker.bus });
  await t.system.spawn(new FakeMain(wordByWord));
  await t.system.spawn(new IOAgent());
  await broker.bus.ready(); // IOAgent's io/chat subscription is active on the broker
  client = await connectRecordingClient(`mqtt://127.0.0.1:${broker.port}`);
  await client.subscribe('io/chat/response');
}, 30_000);

afterAll(async () => {
  await client?.end();
  await t?.close();
  await broker?.close();
});

describe('IOAgent on the embedded aedes broker', () => {
  it('answers an mqtt.js client publishing on io/chat: streamed chunks, then the final reply', async () => {
    await client.publish('io/chat', JSON.stringify({ from: 'tcp-client', content: 'over the wire', message_id: 'w-1' }), { qos: 1 });
    const responses = () => client.received.filter((m) => m.topic === 'io/chat/response').map((m) => ioChatResponseSchema.parse(JSON.parse(m.payload)));
    await waitUntil(() => responses().some((r) => r.done), 'the final io/chat/response', 20_000);

    const all = responses();
    expect(all.filter((r) => !r.done).map((r) => r.content)).toEqual(['You ', 'said: ', 'over ', 'the ', 'wire']);
    expect(all.at(-1)).toMatchObject({ done: true, content: 'You said: over the wire', to: 'tcp-client', message_id: 'w-1', from: 'main' });
  });

  it('drops a malformed io/chat from the wire without answering, and keeps serving', async () => {
    const before = client.received.length;
    await client.publish('io/chat', '{"from": "tcp-client"', { qos: 1 });
    await client.publish('io/chat', JSON.stringify({ from: 'tcp-client', content: 'again', message_id: 'w-2' }), { qos: 1 });
    const finalFor = (id: string) =>
      client.received.slice(before).some((m) => m.topic === 'io/chat/response' && JSON.parse(m.payload).message_id === id && JSON.parse(m.payload).done);
    await waitUntil(() => finalFor('w-2'), 'the reply to the well-formed chat', 20_000);
    const answered = client.received.slice(before).filter((m) => m.topic === 'io/chat/response').map((m) => JSON.parse(m.payload).message_id);
    expect(new Set(answered)).toEqual(new Set(['w-2']));
    expect(t.system.get('io')!.state).toBe('running');
  });
});
