/** The hub on an external broker (--mqtt-broker): a real Mosquitto started by the test. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWactorz } from './wactorz.js';
import type { WactorzHandle } from './wactorz-handle.js';
import { silentLogger } from './base/logger.js';
import { mosquittoAvailability, startMosquitto, type MosquittoServer } from './broker/testing/mosquitto.js';
import { connectRecordingClient } from './broker/testing/mqtt-test-client.js';
import { actorIdFor } from './core/actor-id.js';
import { waitUntil } from './testing/wait.js';

const availability = mosquittoAvailability();
if (availability.skip) console.warn(`skipped: ${availability.skip}`);

describe.skipIf(Boolean(availability.skip))('the hub on an external Mosquitto', () => {
  let mq: MosquittoServer;
  let hub: WactorzHandle;
  let dir: string;
  beforeAll(async () => {
    mq = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), 'wz-ext-'));
    hub = await startWactorz(
      { stateDir: dir, llm: { provider: 'none' }, interface: 'rest', restPort: 0, monitorPort: null, mqtt: { broker: '127.0.0.1', port: mq.port } },
      { log: silentLogger, env: {} },
    );
    await waitUntil(() => hub.bus.state === 'connected', 'connected to mosquitto', 10_000);
  });
  afterAll(async () => {
    await hub?.stop();
    await mq?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes its actors on the external broker and answers io/chat through it', async () => {
    expect(hub.mqttMode).toBe('external');
    const client = await connectRecordingClient(`mqtt://127.0.0.1:${mq.port}`);
    try {
      await client.subscribe(['agents/+/manifest', 'io/chat/response']);
      await waitUntil(() => client.received.some((m) => m.topic === `agents/${actorIdFor('main')}/manifest`), 'main manifest (retained)', 10_000);
      await client.publish('io/chat', JSON.stringify({ from: 'cli', content: '/agents', message_id: 'e1' }), { qos: 1 });
      await waitUntil(() => client.received.some((m) => m.topic === 'io/chat/response' && JSON.parse(m.payload).done), 'chat reply', 10_000);
      expect(JSON.parse(client.received.find((m) => m.topic === 'io/chat/response')!.payload).content).toMatch(/main\s+running/);
    } finally {
      await client.end();
    }
  });

  it('reconnects when the broker restarts and serves chat again', async () => {
    await mq.stop();
    await waitUntil(() => hub.bus.state !== 'connected', 'notices the broker is gone', 10_000);
    await mq.start();
    await waitUntil(() => hub.bus.state === 'connected', 'reconnected', 20_000);
    const client = await connectRecordingClient(`mqtt://127.0.0.1:${mq.port}`);
    try {
      await client.subscribe('io/chat/response');
      await client.publish('io/chat', JSON.stringify({ from: 'cli', content: '/help', message_id: 'e2' }), { qos: 1 });
      await waitUntil(() => client.received.some((m) => JSON.parse(m.payload).done), 'chat reply after reconnect', 15_000);
    } finally {
      await client.end();
    }
  });
});
