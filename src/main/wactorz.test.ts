/**
 * The hub end to end through its composition root: real SQLite file, real embedded aedes broker
 * (TCP and WebSocket), real HTTP servers, and the real LLM SDK against a scripted Ollama server.
 */
import { json } from './testing/http.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWactorz } from './wactorz.js';
import type { WactorzHandle } from './wactorz-handle.js';
import { silentLogger } from './base/logger.js';
import { connectRecordingClient } from './broker/testing/mqtt-test-client.js';
import { startScriptedLlmServer, type ScriptedLlmServer } from './llm/testing/index.js';
import { heartbeatSchema, agentChatSchema } from '../shared/mqtt-payloads.js';
import { actorIdFor } from './core/actor-id.js';
import { HaSimulator } from './agents/home-assistant/testing/ha-simulator.js';
import { waitUntil } from './testing/wait.js';

const dirs: string[] = [];
function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'wz-hub-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const base = (dir: string) => ({
  stateDir: dir,
  llm: { provider: 'none' as const },
  interface: 'rest' as const,
  restPort: 0,
  monitorPort: 0,
  mqtt: { port: 0 },
});

const post = async (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the hub without an LLM', () => {
  let hub: WactorzHandle;
  let dir: string;
  beforeAll(async () => {
    dir = stateDir();
    hub = await startWactorz(base(dir), { log: silentLogger, env: {} });
  });
  afterAll(() => hub.stop());

  it('serves the original REST routes on the REST port and under /api on the dashboard', async () => {
    const health = await json(fetch(`${hub.restUrl}/health`));
    expect(health).toMatchObject({ status: 'ok', llm: { configured: false }, mqtt: { mode: 'embedded', state: 'connected' }, persistence: { ephemeral: 'memory' } });
    const agents = await json(fetch(`${hub.dashboardUrl}/api/agents`));
    expect(agents).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'main', id: actorIdFor('main'), state: 'running', protected: true, kind: 'core' })]));
    expect(existsSync(join(dir, 'wactorz.db'))).toBe(true);
  });

  it('answers chat with what to configure, and runs commands and mentions without an LLM', async () => {
    const hello = await json(post(`${hub.restUrl}/chat`, { message: 'hello' }));
    expect(hello).toMatchObject({ status: 'sent', agent: 'main' });
    expect(hello.response).toMatch(/no LLM is configured[\s\S]*ANTHROPIC_API_KEY/);
    const list = await json(post(`${hub.restUrl}/chat`, { message: '/agents' }));
    expect(list.response).toMatch(/main\s+running/);
    const ghost = await json(post(`${hub.restUrl}/chat`, { message: '@ghost {"x":1}' }));
    expect(ghost.response).toMatch(/no agent named "ghost"/);
  });

  it('answers io/chat over MQTT through the io agent and the real main', async () => {
    const client = await connectRecordingClient(`mqtt://127.0.0.1:${hub.mqttPort}`);
    try {
      await client.subscribe(['io/chat/response', `agents/${actorIdFor('main')}/chat`]);
      await client.publish('io/chat', JSON.stringify({ from: 'phone', content: '/agents', message_id: 'q1' }), { qos: 1 });
      await waitUntil(() => client.received.some((m) => m.topic === 'io/chat/response' && JSON.parse(m.payload).done), 'final io/chat/response', 10_000);
      const final = JSON.parse(client.received.find((m) => m.topic === 'io/chat/response')!.payload);
      expect(final).toMatchObject({ done: true, message_id: 'q1', to: 'phone' });
      expect(final.content).toMatch(/io\s+running[\s\S]*main\s+running[\s\S]*monitor\s+running/);
      await waitUntil(() => client.received.some((m) => m.topic.endsWith('/chat')), 'the reply on agents/{main}/chat', 5000);
      // Only the reply: the user's words are not echoed (the original dashboard showed them twice).
      const lines = client.received.filter((m) => m.topic.endsWith('/chat')).map((m) => agentChatSchema.parse(JSON.parse(m.payload)));
      expect(lines.map((l) => [l.role, l.interface, l.to])).toEqual([['assistant', 'mqtt', 'phone']]);
    } finally {
      await client.end();
    }
  });

  it('refuses to stop a protected actor over REST', async () => {
    const r = await post(`${hub.restUrl}/agents/command`, { target: 'main', command: 'stop' });
    expect(r.status).toBe(403);
    // The original REST interface's plain text (JSON for a client that asks for it).
    expect(await r.text()).toBe('actor is protected');
  });

  it('publishes heartbeats an MQTT client sees over TCP and WebSocket, and chat on agents/{main}/chat', async () => {
    const tcp = await connectRecordingClient(`mqtt://127.0.0.1:${hub.mqttPort}`);
    const ws = await connectRecordingClient(`${hub.dashboardUrl!.replace('http', 'ws')}/mqtt`);
    try {
      await tcp.subscribe(['agents/+/manifest', `agents/${actorIdFor('main')}/chat`]);
      await ws.subscribe('agents/+/manifest');
      // Retained manifests reach late subscribers on both transports.
      await waitUntil(() => tcp.received.some((m) => m.topic === `agents/${actorIdFor('main')}/manifest`), 'manifest over TCP', 5000);
      await waitUntil(() => ws.received.some((m) => m.topic === `agents/${actorIdFor('main')}/manifest`), 'manifest over WS', 5000);
      await post(`${hub.restUrl}/chat`, { message: '/help' });
      await waitUntil(() => tcp.received.some((m) => m.topic.endsWith('/chat')), 'the reply on agents/{main}/chat', 5000);
      const chats = tcp.received.filter((m) => m.topic.endsWith('/chat')).map((m) => agentChatSchema.parse(JSON.parse(m.payload)));
      expect(chats).toEqual([expect.objectContaining({ role: 'assistant', from: 'main', interface: 'rest', content: expect.stringContaining('Commands:') })]);
      // A heartbeat, as it arrives on the bus.
      await tcp.subscribe('agents/+/heartbeat');
      await hub.system.telemetry.beat(hub.system.get('main')!);
      await waitUntil(() => tcp.received.some((m) => m.topic.endsWith('/heartbeat')), 'heartbeat', 5000);
      const hb = heartbeatSchema.parse(JSON.parse(tcp.received.find((m) => m.topic.endsWith('/heartbeat'))!.payload));
      expect(hb).toMatchObject({ name: 'main', state: 'running', protected: true });
    } finally {
      await tcp.end();
      await ws.end();
    }
  });
});

describe('the hub with a local Ollama (scripted server, real SDK)', () => {
  let llm: ScriptedLlmServer;
  let hub: WactorzHandle;
  beforeAll(async () => {
    llm = await startScriptedLlmServer();
    hub = await startWactorz(
      { ...base(stateDir()), llm: { provider: 'ollama', model: 'llama3', baseUrl: llm.urls.ollama } },
      { log: silentLogger, env: {} },
    );
  });
  afterAll(async () => {
    await hub.stop();
    await llm.close();
  });

  // A planner runs in every hub, so main first classifies each chat with one short call (OTHER here).
  it('streams the reply chunk by chunk to the caller', async () => {
    llm.script('ollama', ['OTHER', { kind: 'text', text: 'Hello from llama', chunks: ['Hello', ' from', ' llama'] }]);
    const chunks: string[] = [];
    const reply = await hub.processUserInput('hi there', { interface: 'test', onChunk: (c) => chunks.push(c) });
    expect(reply).toBe('Hello from llama');
    expect(chunks).toEqual(['Hello', ' from', ' llama']);
    const req = llm.lastRequest('ollama')!.body as { messages: { role: string; content: string }[] };
    expect(req.messages[0]!.role).toBe('system');
    expect(req.messages.at(-1)).toEqual({ role: 'user', content: 'hi there' });
  });

  it('streams over REST as server-sent events', async () => {
    llm.script('ollama', ['OTHER', { kind: 'text', text: 'one two', chunks: ['one', ' two'] }]);
    const r = await post(`${hub.restUrl}/chat?stream=1`, { message: 'count' });
    const text = await r.text();
    expect([...text.matchAll(/"chunk":"([^"]*)"/g)].map((m) => m[1])).toEqual(['one', ' two']);
    expect(text).toContain('"response":"one two"');
  });

  it('turns an LLM failure into a clear reply, not a crash', async () => {
    llm.script('ollama', { kind: 'error', status: 500 });
    llm.script('ollama', { kind: 'error', status: 500 });
    llm.script('ollama', { kind: 'error', status: 500 });
    const reply = await hub.processUserInput('fail please', { interface: 'test' });
    expect(reply).toMatch(/^Error: /);
    expect(hub.system.get('main')!.state).toBe('running');
  });
});

describe('Home Assistant in the hub', () => {
  it('answers /ha-map with 404 and the reason when HA is not configured', async () => {
    const hub = await startWactorz(base(stateDir()), { log: silentLogger, env: {} });
    try {
      const r = await fetch(`${hub.restUrl}/ha-map`);
      expect(r.status).toBe(404);
      expect((await json(r)).detail).toMatch(/HA_URL|not configured/i);
      expect(hub.system.get('home-assistant-agent')).toBeUndefined();
    } finally {
      await hub.stop();
    }
  });

  it('supervises the HA agent and bridge when HA_URL/HA_TOKEN are set; @home-assistant-agent works from chat', async () => {
    const ha = await new HaSimulator().start();
    const hub = await startWactorz(base(stateDir()), { log: silentLogger, env: { HA_URL: ha.url, HA_TOKEN: ha.token } });
    try {
      expect(hub.system.get('home-assistant-agent')?.state).toBe('running');
      expect(hub.system.get('home-assistant-state-bridge')?.state).toBe('running');
      // The agent answers once its connection to HA is up (it connects in the background).
      const reply = await waitUntil(async () => {
        const r = await hub.processUserInput('@home-assistant-agent {"action":"states"}', { interface: 'test' });
        return r.includes('light.kitchen') && r;
      }, 'the agent answering with the states', 10_000);
      expect(reply).toContain('light.kitchen');
      const map = await fetch(`${hub.restUrl}/ha/entities`);
      expect(map.status).toBe(200);
    } finally {
      await hub.stop();
      await ha.stop();
    }
  });
});

describe('lifecycle', () => {
  it('stops cleanly and starts again on the same state dir and ports', async () => {
    const dir = stateDir();
    const first = await startWactorz(base(dir), { log: silentLogger, env: {} });
    const ports = { restPort: Number(new URL(first.restUrl!).port), monitorPort: Number(new URL(first.dashboardUrl!).port), mqtt: { port: first.mqttPort } };
    await first.stop();
    const second = await startWactorz({ ...base(dir), ...ports }, { log: silentLogger, env: {} });
    expect((await fetch(`${second.restUrl}/health`)).status).toBe(200);
    await second.stop();
  });

  it('names the flag when a port is taken', async () => {
    const a = await startWactorz(base(stateDir()), { log: silentLogger, env: {} });
    try {
      await expect(startWactorz({ ...base(stateDir()), restPort: Number(new URL(a.restUrl!).port) }, { log: silentLogger, env: {} })).rejects.toThrow(/--port/);
      await expect(startWactorz({ ...base(stateDir()), mqtt: { port: a.mqttPort } }, { log: silentLogger, env: {} })).rejects.toThrow(/MQTT port \d+ is already in use/);
    } finally {
      await a.stop();
    }
  });

  it('requires the token when bound beyond loopback', async () => {
    const hub = await startWactorz({ ...base(stateDir()), host: '0.0.0.0' }, { log: silentLogger, env: {} });
    try {
      expect(hub.dashboardToken).toBeTruthy();
      expect((await fetch(`${hub.restUrl}/agents`)).status).toBe(401);
      expect((await fetch(`${hub.restUrl}/agents`, { headers: { authorization: `Bearer ${hub.dashboardToken}` } })).status).toBe(200);
      await expect(connectRecordingClient(`${hub.dashboardUrl!.replace('http', 'ws')}/mqtt`)).rejects.toThrow();
      // The WebSocket upgrade needs the token, and so does the MQTT login (as the dashboard does it).
      await expect(connectRecordingClient(`${hub.dashboardUrl!.replace('http', 'ws')}/mqtt?token=${hub.dashboardToken}`)).rejects.toThrow(/Bad username or password/);
      const ok = await connectRecordingClient(`${hub.dashboardUrl!.replace('http', 'ws')}/mqtt?token=${hub.dashboardToken}`, { username: 'dashboard', password: hub.dashboardToken! });
      await ok.end();
      await expect(connectRecordingClient(`mqtt://127.0.0.1:${hub.mqttPort}`)).rejects.toThrow(/Bad username or password/);
    } finally {
      await hub.stop();
    }
  });
});
