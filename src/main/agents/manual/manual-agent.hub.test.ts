/**
 * manual-agent in a whole hub (startWactorz: the composition root's catalog integration registers
 * its spawn type) with API_KEY set: who can reach it, and what no one can make it do. An anonymous
 * client or a web page has no key (401); a person may load, but not from this machine; a
 * DynamicAgent needs a person's grant to ask it at all, the `fetch` capability to hand it a URL, and
 * even then private addresses are refused. It comes back after a restart (the spawn registry).
 */
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../testing/wait.js';
import { startTestHub, type TestHub } from '../../testing/hub-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests reach into answers field by field
type Json = any;
const KEY = 'manual-test-key';

/** A code agent that asks manual-agent to load from the URL it is given, and reports what came back. */
const ASKER = `export async function handleTask(agent, payload) {
  try {
    return { answer: await agent.sendTo('manual-agent', { action: 'load_manual', device: 'router', url: payload.url }, 20) };
  } catch (e) {
    return { refused: String(e && e.message ? e.message : e) };
  }
}`;

describe('manual-agent on a hub with API_KEY', { timeout: 180_000 }, () => {
  let hub: TestHub;
  let secretUrl: string;
  const anonymous = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${hub.restUrl}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const message = async (content: unknown): Promise<Json> => {
    const r = await hub.rest<Json>('POST', '/actors/manual-agent/message', { content });
    expect(r.status).toBe(200);
    return r.body.result;
  };

  beforeAll(async () => {
    hub = await startTestHub({ env: { API_KEY: KEY } });
    // The hub's own REST port: the most tempting private target there is.
    secretUrl = `${hub.restUrl}/agents`;
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('cannot be spawned or asked without the key (anonymous client) or from a web page (another origin)', async () => {
    expect((await anonymous('POST', '/catalog/manual-agent/spawn', { config: {} })).status).toBe(401);
    // A web page on another origin is refused by the Origin policy before the key is even looked at.
    expect((await anonymous('POST', '/catalog/manual-agent/spawn', { config: {} }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await anonymous('POST', '/catalog/manual-agent/spawn', { config: {} }, { origin: 'https://evil.example', 'x-api-key': 'guess' })).status).toBe(403);
    const spawned = await hub.rest<Json>('POST', '/catalog/manual-agent/spawn', { config: {} });
    expect(spawned.status).toBe(201);
    expect(spawned.body).toMatchObject({ status: 'spawned', name: 'manual-agent', recipe: 'manual-agent' });
    expect((await anonymous('POST', '/actors/manual-agent/message', { content: { action: 'status' } })).status).toBe(401);
    expect((await anonymous('POST', '/actors/manual-agent/message', { content: { action: 'status' } }, { origin: 'https://evil.example' })).status).toBe(403);
    expect(await message({ action: 'status' })).toEqual({ status: 'idle', result: 'No manual loaded.' });
  });

  it('answers @manual-agent in chat (no LLM: the keyword router)', async () => {
    const r = await hub.rest<Json>('POST', '/chat', { message: '@manual-agent what is loaded' });
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body)).toContain('No manual loaded.');
  });

  it('over MQTT: an anonymous client cannot connect; with the key, @manual-agent on io/chat answers', async () => {
    const url = `mqtt://127.0.0.1:${hub.handle.mqttPort}`;
    const anon = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5_000 }, false).then(
      async (c) => (await c.endAsync(), 'connected'),
      (e: Error) => e.message,
    );
    expect(anon).toMatch(/not authori[sz]ed|bad user ?name or password/i);
    const client = await connectAsync(url, { reconnectPeriod: 0, username: 'script', password: KEY }, false);
    try {
      const replies: Json[] = [];
      client.on('message', (_t, raw) => replies.push(JSON.parse(raw.toString())));
      await client.subscribeAsync('io/chat/response');
      await client.publishAsync('io/chat', JSON.stringify({ from: 'script', content: '@manual-agent {"action": "status"}', message_id: 'm1' }));
      const done = await waitUntil(() => replies.find((r) => r.done), 'the reply on io/chat/response');
      expect(done.content).toContain('No manual loaded.');
    } finally {
      await client.endAsync();
    }
  });

  it('refuses this machine even to a person with the key', async () => {
    const r = await message({ action: 'load_manual', device: 'router', url: secretUrl });
    expect(r.error).toMatch(/refused: 127\.0\.0\.1 is not a public address \(loopback\)/);
  });

  it('a DynamicAgent cannot use it to fetch: no grant, no fetch capability, no private address', async () => {
    const create = async (name: string, extra: Record<string, unknown>) => {
      const r = await hub.rest<Json>('POST', '/agents', { name, code: ASKER, ...extra });
      expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    };
    const run = (name: string): Promise<Json> => hub.handle.system.ask<Json>(name, { url: secretUrl }, 60_000);

    await create('ungranted', {});
    expect((await run('ungranted')).refused).toMatch(/agent\.sendTo\(manual-agent\) refused: manual-agent is one of the hub's actors/);

    await create('no-fetch', { send_to: ['manual-agent'] });
    expect((await run('no-fetch')).answer).toMatchObject({ error: 'no-fetch may not give manual-agent a URL to fetch: it needs the "fetch" capability (leave "url" out to search for the manual)' });

    await create('with-fetch', { send_to: ['manual-agent'], capabilities: ['fetch'] });
    expect((await run('with-fetch')).answer.error).toMatch(/refused: 127\.0\.0\.1 is not a public address \(loopback\)/);
  });

  it('comes back after a restart', async () => {
    await hub.restart();
    const r = await hub.rest<Json>('GET', '/actors/manual-agent');
    expect(r.status).toBe(200);
    expect(await message({ action: 'status' })).toMatchObject({ status: 'idle' });
  });
});
