import { describe, expect, it } from 'vitest';
import { connectRecordingClient } from './mqtt-test-client.js';
import { mosquittoAvailability, startMosquitto } from './mosquitto.js';
import { waitUntil } from '../../testing/wait.js';

let availability: ReturnType<typeof mosquittoAvailability> | { error: Error };
try {
  availability = mosquittoAvailability();
} catch (err) {
  availability = { error: err as Error };
}

if ('error' in availability) {
  describe('Mosquitto test helper', () => {
    it('needs mosquitto installed (CI=true)', () => {
      throw availability.error;
    });
  });
} else {
  describe.skipIf(availability.skip !== undefined)('Mosquitto test helper', () => {
    it('starts on a free port, restarts on the same port, and keeps retained messages with persistence', async () => {
      const mq = await startMosquitto({ persistence: true });
      try {
        expect(mq.running).toBe(true);
        const pub = await connectRecordingClient(mq.url);
        await pub.publish('helper/retained', 'kept', { qos: 1, retain: true });
        await pub.end();

        await mq.restart(); // SIGTERM: mosquitto saves its database
        expect(mq.running).toBe(true);
        const sub = await connectRecordingClient(mq.url);
        await sub.subscribe('helper/#');
        await waitUntil(() => sub.received.length === 1, 'the retained message after the restart');
        expect(sub.received[0]).toMatchObject({ topic: 'helper/retained', payload: 'kept', retain: true });
        await sub.end();

        await mq.kill();
        expect(mq.running).toBe(false);
        await expect(connectRecordingClient(mq.url, { connectTimeout: 2_000 })).rejects.toThrow();
      } finally {
        await mq.close();
      }
    });

    it('reports a broker that cannot start, with its log', async () => {
      await expect(startMosquitto({ extraConfig: ['no_such_option 1'] })).rejects.toThrow(/no_such_option|exited/);
    });
  });
}
