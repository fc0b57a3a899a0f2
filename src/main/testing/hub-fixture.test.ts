/** The test-hub fixture itself: options reach the hub, one hub per file, everything is torn down. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hubTest, startTestHub, type TestHub } from './hub-fixture.js';

const test = hubTest;
test.override('hubOptions', { env: { API_KEY: 'fixture-key' }, llm: 'scripted' });

let first: TestHub | undefined;

describe('hubTest (one started hub per file)', () => {
  test('starts the hub with the file’s options: API_KEY guards REST, the scripted LLM answers', async ({ hub }) => {
    first = hub;
    expect((await fetch(`${hub.restUrl}/health`)).status).toBe(401);
    expect((await hub.rest<{ status: string }>('GET', '/health')).body.status).toBeDefined();
    hub.llm!.respond('openai', 'scripted hello');
    expect(await hub.handle.processUserInput('hi', { interface: 'test' })).toContain('scripted hello');
  });

  test('hands every test of the file the same hub', ({ hub }) => {
    expect(hub).toBe(first);
    expect(existsSync(hub.stateDir)).toBe(true);
  });
});

describe('startTestHub (by hand)', () => {
  it('binds beyond loopback with a token, restarts on the same state dir, and removes it at stop', async () => {
    const hub = await startTestHub({ host: '0.0.0.0', dashboard: true });
    try {
      expect(hub.token).toEqual(expect.any(String));
      expect((await fetch(`${hub.url}api/health`)).status).toBe(401);
      expect((await hub.api('GET', 'health')).status).toBe(200);
      const dir = hub.stateDir;
      await hub.restart();
      expect(hub.stateDir).toBe(dir);
      expect((await hub.api('GET', 'health')).status).toBe(200);
    } finally {
      await hub.stop();
      await hub.stop(); // idempotent
    }
    expect(existsSync(hub.stateDir)).toBe(false);
    expect(hub.logs.some((l) => /^info /.test(l))).toBe(true);
  });
});
