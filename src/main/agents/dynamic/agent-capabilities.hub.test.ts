/**
 * The capability object as the hub implements it (agent-host.ts), exercised by real agent code in
 * real sandboxes on a real hub: what an agent can reach (the bus, other agents, its own storage,
 * granted HTTP) and what it cannot (another agent's state, commands to other agents, the network
 * without `fetch`, this machine without `fetch_local`); and what the outside sees of it on MQTT
 * (heartbeat of kind dynamic, manifest from its spec).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWactorz } from '../../wactorz.js';
import type { WactorzHandle } from '../../wactorz-handle.js';
import { silentLogger } from '../../base/logger.js';
import { actorIdFor } from '../../core/actor-id.js';
import { connectRecordingClient } from '../../broker/testing/mqtt-test-client.js';
import type { Json } from '../../testing/http.js';
import { waitUntil } from '../../testing/wait.js';

let hub: WactorzHandle;
let dir: string;
let web: Server;
let webUrl: string;
const hits: string[] = [];

const rest = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
  const r = await fetch(`${hub.restUrl}${path}`, { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  return { status: r.status, body: await r.json() };
};
const create = async (name: string, code: string, extra: Record<string, unknown> = {}) => {
  const r = await rest('POST', '/agents', { name, code, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
};
const task = async (name: string, payload: unknown = {}) => (await rest('POST', `/agents/${name}/tasks`, { payload })).body.result;

/** Runs `expr` (an awaited expression over `agent` and `p`) in the agent; `{ok, value}` or `{ok: false, error}`. */
const PROBE = `export async function handleTask(agent, p) {
  try { return { ok: true, value: await (new Function('agent', 'p', 'return (async () => (' + p.expr + '))()'))(agent, p) }; }
  catch (e) { return { ok: false, error: String(e && e.message || e) }; }
}`;

beforeAll(async () => {
  web = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ pong: true }));
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'wz-caps-'));
  hub = await startWactorz({ stateDir: dir, llm: { provider: 'none' }, interface: 'rest', restPort: 0, monitorPort: null, mqtt: { port: 0 } }, { log: silentLogger, env: {} });
  await create('vault', `export async function setup(agent) { await agent.persist('secret', { pin: 1234 }); agent.state.mine = 'vault-only'; }
export async function handleTask(agent) { return { recalled: await agent.recall('secret'), state: agent.state.mine }; }`);
  await create('prober', PROBE, { capabilities: ['probing'], publishes: ['probe/#', 'probe-ready'], subscribes: ['probe/#'], send_to: ['vault'], env: { TOKEN: 's3cret' }, config: { mode: 'test' } });
  await create('netter', PROBE, { capabilities: ['fetch'] });
  await create('localnetter', PROBE, { capabilities: ['fetch', 'fetch_local'] });
});
afterAll(async () => {
  await hub?.stop();
  await new Promise((r) => web?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const probe = (name: string, expr: string) => task(name, { expr });

describe('what an agent can reach', () => {
  it('its own storage only: another agent’s persisted keys and state are out of reach', async () => {
    expect(await task('vault')).toEqual({ recalled: { pin: 1234 }, state: 'vault-only' });
    expect(await probe('prober', "agent.recall('secret').then((v) => v ?? 'nothing')")).toEqual({ ok: true, value: 'nothing' });
    expect(await probe('prober', "agent.persist('secret', 'mine').then(() => agent.recall('secret'))")).toEqual({ ok: true, value: 'mine' });
    expect(await task('vault')).toMatchObject({ recalled: { pin: 1234 } });
    expect(await probe('prober', 'agent.state.mine ?? null')).toEqual({ ok: true, value: null });
  });

  it('other agents (sendTo, agents()), the bus (publish, mqttGet, window, topics()), its env and config', async () => {
    expect(await probe('prober', "agent.sendTo('vault', {}, 5)")).toMatchObject({ ok: true, value: { state: 'vault-only' } });
    expect(await probe('prober', "agent.sendTo('nobody', {}, 5)")).toMatchObject({ ok: false, error: expect.stringMatching(/nobody/) });
    const agents = await probe('prober', 'agent.agents()');
    expect(agents.value).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'main', kind: 'core', protected: true }), expect.objectContaining({ name: 'vault', kind: 'dynamic' })]));

    // The agent says when it waits (its subscription is made before its next call), then we publish.
    const ready: unknown[] = [];
    const offReady = hub.bus.subscribe('probe-ready', (_t, p) => ready.push(p));
    await hub.bus.ready();
    const waiting = probe('prober', "(async () => { const got = agent.mqttGet('probe/in', 10); agent.publish('probe-ready', 1); return got })()");
    await waitUntil(() => ready.length === 1, 'the agent waiting', 5_000);
    offReady();
    await hub.bus.ready();
    hub.bus.publish('probe/in', { hello: 'there' });
    expect(await waiting).toEqual({ ok: true, value: { hello: 'there' } });
    expect(await probe('prober', "agent.mqttGet('probe/never', 0.2)")).toEqual({ ok: true, value: null });

    const seen: unknown[] = [];
    const off = hub.bus.subscribe('probe/out', (_t, p) => seen.push(JSON.parse(p.toString())));
    try {
      expect(await probe('prober', "(agent.publish('probe/out', { n: 1 }), 'sent')")).toEqual({ ok: true, value: 'sent' });
      await waitUntil(() => seen.length === 1, 'the published message', 5_000);
      expect(seen).toEqual([{ n: 1 }]);
    } finally {
      off();
    }
    const window = await probe('prober', "agent.window('probe/+', 60)");
    expect(window.value.map((s: { topic: string; payload: unknown }) => [s.topic, s.payload])).toEqual([
      ['probe/in', { hello: 'there' }],
      ['probe/out', { n: 1 }],
    ]);
    const topics = await probe('prober', 'agent.topics()');
    expect(topics.value.map((t: { topic: string }) => t.topic)).toEqual(expect.arrayContaining(['probe/in', 'probe/out']));
    expect(await probe('prober', '[agent.env.TOKEN, agent.state.config]')).toEqual({ ok: true, value: ['s3cret', { mode: 'test' }] });
  });

  it('no commands to (or impersonation of) other agents, no broker topics', async () => {
    const mainCommands = `agents/${actorIdFor('main')}/commands`;
    const seen: string[] = [];
    const logs: string[] = [];
    const off = hub.bus.subscribe(mainCommands, (_t, p) => seen.push(p.toString()));
    const offLogs = hub.bus.subscribe(`agents/${actorIdFor('prober')}/logs`, (_t, p) => logs.push(JSON.parse(p.toString()).message));
    try {
      // publish is fire-and-forget for the agent: the refusal goes to its log; nothing reaches the bus.
      await probe('prober', `(agent.publish('${mainCommands}', { command: 'stop' }), 1)`);
      await probe('prober', `(agent.publish('agents/${actorIdFor('prober')}/commands', { command: 'delete' }), 1)`);
      await probe('prober', `(agent.publish('agents/${actorIdFor('vault')}/heartbeat', { state: 'failed' }), 1)`);
      hub.bus.publish('probe/marker', 1);
      await probe('prober', "agent.mqttGet('probe/marker', 0.3)");
      expect(seen).toEqual([]);
      expect(hub.system.get('main')!.state).toBe('running');
      expect(hub.system.get('prober')!.state).toBe('running');
      expect(logs.join('\n')).toMatch(/it is another agent's namespace[\s\S]*may not publish commands[\s\S]*it is another agent's namespace/);
    } finally {
      off();
      offLogs();
    }
  });

  it('HTTP only with the fetch capability, and this machine only with fetch_local', async () => {
    const url = `${webUrl}/ping`;
    expect(await probe('prober', `agent.fetch('${url}')`)).toMatchObject({ ok: false, error: expect.stringMatching(/not granted[\s\S]*fetch/) });
    expect(await probe('netter', `agent.fetch('${url}')`)).toMatchObject({ ok: false, error: expect.stringMatching(/this machine[\s\S]*fetch_local/) });
    expect(await probe('netter', `agent.fetch('http://localhost:1/x')`)).toMatchObject({ ok: false, error: expect.stringMatching(/fetch_local/) });
    expect(hits).toEqual([]);
    const ok = await probe('localnetter', `agent.fetch('${url}', { method: 'POST', body: { a: 1 } }).then(async (r) => [r.status, await r.json()])`);
    expect(ok).toEqual({ ok: true, value: [200, { pong: true }] });
    expect(hits).toEqual(['POST /ping']);
  });
});

describe('what the outside sees', () => {
  it('a heartbeat of kind dynamic with its code version, and the manifest from its spec (retained)', async () => {
    await create('described', 'export async function handleTask() { return 1; }', {
      description: 'Has a manifest',
      capabilities: ['x'],
      input_schema: { a: 'number' },
      output_schema: { b: 'string' },
      publishes: ['described/out'],
    });
    const client = await connectRecordingClient(`mqtt://127.0.0.1:${hub.mqttPort}`);
    try {
      const id = actorIdFor('described');
      await client.subscribe([`agents/${id}/manifest`, `agents/${id}/heartbeat`]);
      await waitUntil(() => client.received.some((m) => m.topic.endsWith('/manifest')), 'retained manifest', 5_000);
      const manifest = JSON.parse(client.received.find((m) => m.topic.endsWith('/manifest'))!.payload);
      expect(manifest).toMatchObject({ name: 'described', actor_id: id, description: 'Has a manifest', capabilities: ['x'], input_schema: { a: 'number' }, output_schema: { b: 'string' }, publishes: ['described/out'], kind: 'dynamic' });
      hub.system.telemetry.beat(hub.system.get('described')!);
      await waitUntil(() => client.received.some((m) => m.topic.endsWith('/heartbeat')), 'heartbeat', 5_000);
      expect(JSON.parse(client.received.find((m) => m.topic.endsWith('/heartbeat'))!.payload)).toMatchObject({ name: 'described', kind: 'dynamic', state: 'running', code_version: 1 });
    } finally {
      await client.end();
    }
  });
});
