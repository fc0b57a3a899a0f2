import { describe, expect, it } from 'vitest';
import { redisServerAvailability, startRedisServer, waitForPing } from './redis-server.js';

const redis = redisServerAvailability();
if (!redis.available) console.warn(`[persistence] skipping redis-server harness tests: ${redis.reason}`);

describe.skipIf(!redis.available)('redis-server test harness', () => {
  it('starts on a free port, stops, and restarts on the same port', async () => {
    const server = await startRedisServer();
    try {
      expect(server.running).toBe(true);
      await waitForPing(server.port, 5000);
      const port = server.port;
      await server.kill();
      expect(server.running).toBe(false);
      await expect(waitForPing(port, 300)).rejects.toThrow(/did not answer PING/);
      await server.restart();
      expect(server.port).toBe(port);
      await waitForPing(port, 5000);
    } finally {
      await server.stop();
    }
  });
});
