/**
 * The network-edge attacks of issue 12, against real hubs (startWactorz: embedded broker, REST and
 * dashboard servers, real sandboxed agents), each asserting the refusal and that nothing changed:
 * - a web page: a foreign-Origin `/mqtt`, a foreign Host (DNS rebinding), a cross-site
 *   `text/plain` POST pausing an agent, a form POST;
 * - a local process with API_KEY set: an anonymous MQTT client deleting an agent through
 *   `agents/{id}/commands`, or speaking on `io/chat`;
 * - agent code with only `fetch`: the hub's own REST API through `[::ffff:7f00:1]` and friends to
 *   change the LLM base URL; retained messages to grow the hub;
 * - an MQTT client flooding retained messages;
 * and what keeps working: the original's body-less curl POST, clients with credentials, rotation.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorIdFor } from '../core/actor-id.js';
import { silentLogger } from '../base/logger.js';
import { connectRecordingClient } from '../broker/testing/mqtt-test-client.js';
import { startWactorz } from '../wactorz.js';
import type { WactorzHandle } from '../wactorz-handle.js';
import { waitUntil } from '../testing/wait.js';
import { send, upgradeStatus, tryMqtt } from '../testing/raw-http.js';

const root = mkdtempSync(join(tmpdir(), 'wz-edges-'));
const dashboardDir = join(root, 'dashboard');
const hubs: WactorzHandle[] = [];

/** Runs `expr` in the agent and answers `{ok, value}` or `{ok: false, error}`. */
const PROBE = `export async function handleTask(agent, p) {
  try { return { ok: true, value: await (new Function('agent', 'p', 'return (async () => (' + p.expr + '))()'))(agent, p) }; }
  catch (e) { return { ok: false, error: String(e && e.message || e) }; }
}`;


async function startHub(name: string, env: Record<string, string>, extra: Record<string, unknown> = {}): Promise<WactorzHandle> {
  const hub = await startWactorz(
    { stateDir: join(root, name), llm: { provider: 'none' }, interface: 'rest', restPort: 0, monitorPort: 0, dashboardDir, mqtt: { port: 0 }, ...extra },
    { log: silentLogger, env },
  );
  hubs.push(hub);
  return hub;
}

const json = (key?: string): Record<string, string> => ({ 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) });

async function createAgent(hub: WactorzHandle, name: string, capabilities: string[], key?: string): Promise<void> {
  const r = await send(`${hub.restUrl}/agents`, 'POST', json(key), JSON.stringify({ name, code: PROBE, capabilities }));
  expect(r.status, r.body).toBe(201);
}

async function probe(hub: WactorzHandle, name: string, expr: string, key?: string): Promise<{ ok: boolean; value?: unknown; error?: string }> {
  const r = await send(`${hub.restUrl}/agents/${name}/tasks`, 'POST', json(key), JSON.stringify({ payload: { expr } }));
  return (JSON.parse(r.body) as { result: { ok: boolean; value?: unknown; error?: string } }).result;
}

beforeAll(() => {
  // The dashboard's files (any built renderer would do: the policy is what is tested).
  mkdirSync(dashboardDir, { recursive: true });
  writeFileSync(join(dashboardDir, 'index.html'), '<!doctype html><title>Wactorz</title>');
});

afterAll(async () => {
  for (const hub of hubs.splice(0)) await hub.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('a web page (hub with default settings on 127.0.0.1)', () => {
  let hub: WactorzHandle;
  beforeAll(async () => {
    hub = await startHub('page', { WACTORZ_MQTT_MAX_RETAINED_TOTAL_BYTES: String(2 * 1024 * 1024) });
    await createAgent(hub, 'victim', []);
  }, 60_000);

  it('cannot open /mqtt from its origin; the dashboard’s own origin can', async () => {
    const ws = `${hub.dashboardUrl!.replace(/^http/, 'ws')}/mqtt`;
    expect(await upgradeStatus(ws, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(ws, { origin: 'null' })).toBe(403);
    expect(await tryMqtt(ws, { wsOptions: { origin: 'http://evil.example' } })).not.toBe('connected');
    expect(await tryMqtt(ws, { wsOptions: { origin: hub.dashboardUrl! } })).toBe('connected');
  });

  it('cannot reach the hub through a rebound name (foreign Host on REST, the dashboard and /mqtt)', async () => {
    const ws = `${hub.dashboardUrl!.replace(/^http/, 'ws')}/mqtt`;
    expect((await send(`${hub.restUrl}/agents`, 'GET', { host: 'attacker.example' })).status).toBe(403);
    expect((await send(`${hub.dashboardUrl}/api/agents`, 'GET', { host: 'attacker.example' })).status).toBe(403);
    expect((await send(`${hub.dashboardUrl}/`, 'GET', { host: 'attacker.example' })).status).toBe(403);
    expect(await upgradeStatus(ws, { host: 'attacker.example' })).toBe(403);
  });

  it('cannot pause an agent with a cross-site text/plain or form POST; curl without a body still can', async () => {
    const pause = `${hub.restUrl}/actors/victim/pause`;
    expect((await send(pause, 'POST', { origin: 'http://evil.example', 'content-type': 'text/plain' }, 'x')).status).toBe(403);
    expect((await send(pause, 'POST', { 'content-type': 'text/plain' }, 'x')).status).toBe(415);
    expect((await send(`${hub.dashboardUrl}/api/agents/command`, 'POST', { 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' }, 'target=victim&command=pause')).status).toBe(403);
    expect(hub.system.get('victim')?.state).toBe('running');
    expect((await send(pause, 'POST')).status).toBe(200);
    await waitUntil(() => hub.system.get('victim')?.state === 'paused', 'the curl pause');
    expect((await send(`${hub.restUrl}/actors/victim/resume`, 'POST')).status).toBe(200);
  });

  it('an MQTT client cannot grow the hub with retained messages', async () => {
    const flooder = await connectRecordingClient(`mqtt://127.0.0.1:${hub.mqttPort}`);
    try {
      for (let i = 0; i < 5; i++) await flooder.publish(`flood/big/${i}`, Buffer.alloc(1024 * 1024, 7), { retain: true, qos: 1 });
      for (let i = 0; i < 20; i++) await flooder.publish(`flood/small/${i}`, Buffer.alloc(200 * 1024, 7), { retain: true, qos: 1 });
      await flooder.publish('flood/done', 'ok', { qos: 1 });
      expect(flooder.client.connected).toBe(true);
    } finally {
      await flooder.end();
    }
    const late = await connectRecordingClient(`mqtt://127.0.0.1:${hub.mqttPort}`);
    try {
      await late.subscribe('flood/#');
      await waitUntil(() => late.received.length >= 5, 'the retained messages the hub kept');
      const bytes = late.received.reduce((n, m) => n + m.payload.length, 0);
      expect(late.received.every((m) => m.topic.startsWith('flood/small/'))).toBe(true);
      expect(bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
      expect(late.received.length).toBeLessThan(20);
    } finally {
      await late.end();
    }
  });
});

describe('agent code with only `fetch`', () => {
  let hub: WactorzHandle;
  beforeAll(async () => {
    hub = await startHub('agent', {});
    await createAgent(hub, 'implant', ['fetch']);
    await createAgent(hub, 'hoarder', []);
  }, 60_000);

  it('cannot reach the hub’s own REST API in any spelling, so the LLM base URL stays', async () => {
    const port = new URL(hub.restUrl!).port;
    const before = await send(`${hub.restUrl}/settings`, 'GET');
    const patch = JSON.stringify({ llm: { baseUrl: 'http://attacker.example/v1' } });
    for (const host of ['[::ffff:7f00:1]', '[::ffff:127.0.0.1]', '127.0.0.1', 'localhost', '2130706433', '0x7f.1', '127.1', '[::1]', '0']) {
      const r = await probe(hub, 'implant', `agent.fetch('http://${host}:${port}/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(patch)} })`);
      expect(r.ok, host).toBe(false);
      expect(r.error, host).toMatch(/this machine|unspecified/);
    }
    expect((await send(`${hub.restUrl}/settings`, 'GET')).body).toBe(before.body);
    const meta = await probe(hub, 'implant', `agent.fetch('http://169.254.169.254/latest/meta-data/iam/')`);
    expect(meta).toMatchObject({ ok: false, error: expect.stringMatching(/metadata/) });
  });

  it('cannot grow the hub with retained messages: the refusal is in its log, nothing is retained', async () => {
    const id = actorIdFor('hoarder');
    const logs: string[] = [];
    const off = hub.bus.subscribe(`agents/${id}/logs`, (_t, p) => logs.push(String((JSON.parse(p.toString()) as { message?: string }).message)));
    try {
      // publish is fire-and-forget for the agent: the refusal goes to its log, as for a forbidden topic.
      await probe(hub, 'hoarder', `(agent.publish('agents/${id}/blob', 'x'.repeat(1024 * 1024), { retain: true }), 1)`);
      await waitUntil(() => logs.some((m) => /retained message on agents\/.*\/blob is 1 MiB, more than the 256 KiB allowed/.test(m)), 'the refusal in the agent’s log');
    } finally {
      off();
    }
    const late = await connectRecordingClient(`mqtt://127.0.0.1:${hub.mqttPort}`);
    try {
      await late.subscribe(`agents/${id}/#`);
      hub.bus.publish(`agents/${id}/marker`, 'end');
      await waitUntil(() => late.received.some((m) => m.topic.endsWith('/marker')), 'the marker');
      expect(late.received.some((m) => m.topic.endsWith('/blob'))).toBe(false);
    } finally {
      await late.end();
    }
  });
});

describe('a local process when API_KEY is set', () => {
  let hub: WactorzHandle;
  const KEY = 'edge-api-key';
  const DASH = 'edge-dashboard-token-0123456789';
  beforeAll(async () => {
    hub = await startHub('keyed', { API_KEY: KEY }, { dashboardToken: DASH });
    await createAgent(hub, 'target', [], KEY);
  }, 60_000);

  it('cannot connect to the broker anonymously (TCP or WebSocket) to delete an agent or speak on io/chat', async () => {
    const tcp = `mqtt://127.0.0.1:${hub.mqttPort}`;
    const ws = `${hub.dashboardUrl!.replace(/^http/, 'ws')}/mqtt`;
    for (const url of [tcp, ws]) {
      expect(await tryMqtt(url), url).toMatch(/not authori[sz]ed|bad user ?name or password/i);
      expect(await tryMqtt(url, { username: 'x', password: 'guess' }), url).toMatch(/not authori[sz]ed|bad user ?name or password/i);
    }
    expect(hub.system.get('target')?.state).toBe('running');
    // With the key as password (any username) a script still works.
    const script = await connectRecordingClient(tcp, { username: 'script', password: KEY });
    await script.end();
  });

  it('the dashboard token rotates: the old one and its MQTT sessions end, API_KEY stays', async () => {
    const session = await connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { reconnectPeriod: 0, username: 'dashboard', password: DASH }, false);
    session.on('error', () => {});
    let closed = false;
    session.on('close', () => (closed = true));
    const r = await send(`${hub.dashboardUrl}/api/auth/token/rotate`, 'POST', { authorization: `Bearer ${DASH}` });
    expect(r.status).toBe(200);
    const { token } = JSON.parse(r.body) as { token: string };
    expect(hub.dashboardToken).toBe(token);
    await waitUntil(() => closed, 'the old session closed');
    expect((await send(`${hub.restUrl}/agents`, 'GET', { authorization: `Bearer ${DASH}` })).status).toBe(401);
    expect((await send(`${hub.restUrl}/agents`, 'GET', { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await send(`${hub.restUrl}/agents`, 'GET', { 'x-api-key': KEY })).status).toBe(200);
    expect(await tryMqtt(`mqtt://127.0.0.1:${hub.mqttPort}`, { username: 'dashboard', password: DASH })).not.toBe('connected');
    await session.endAsync(true);
  });
});
