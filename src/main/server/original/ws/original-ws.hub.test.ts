/**
 * `/ws` — the original monitor's WebSocket — against real hubs (the test-hub fixture: embedded broker,
 * DynamicAgents in their sandboxes, main behind the scripted LLM server). The frames are checked
 * against src/shared/original-ws.ts, written from the original's monitor_server.py and its
 * dashboard's WSChatClient.ts. Then who may not use it: a page of another origin, an anonymous
 * client when API_KEY is set, an agent.
 */
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitorState, OriginalServerFrame } from '../../../../shared/original-ws.js';
import { agentChatSchema, ioChatResponseSchema, spawnAnnouncementSchema, type AgentChat } from '../../../../shared/mqtt-payloads.js';
import { actorIdFor } from '../../../core/actor-id.js';
import { sentRequest } from '../../../agents/llm/testing/sent-request.js';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../../../llm/testing/index.js';
import { waitUntil } from '../../../testing/wait.js';
import { startTestHub, type TestHub } from '../../../testing/hub-fixture.js';
import type { WactorzConfigInput } from '../../../config/config.js';
import type { WactorzHandle } from '../../../wactorz-handle.js';
import { connectOriginalWs, upgradeStatus, type OriginalWsClient } from './testing/original-ws-client.js';

const hubs: TestHub[] = [];
const clients: OriginalWsClient[] = [];
let llm: ScriptedLlmServer;

const ECHO = `export async function handleTask(agent, payload) { return { echoed: payload }; }`;
/** Runs `expr` in the agent and answers `{ok, value}` or `{ok: false, error}`. */
const PROBE = `export async function handleTask(agent, p) {
  try { return { ok: true, value: await (new Function('agent', 'p', 'return (async () => (' + p.expr + '))()'))(agent, p) }; }
  catch (e) { return { ok: false, error: String(e && e.message || e) }; }
}`;

async function startHub(env: Record<string, string> = {}, extra: Partial<WactorzConfigInput> = {}): Promise<WactorzHandle> {
  // All hubs share one scripted LLM server (main's answers, set in beforeAll).
  const hub = await startTestHub({ llm: { provider: 'ollama', model: 'llama3', baseUrl: llm.urls.ollama }, dashboard: true, env, timing: { heartbeatMs: 1_000 }, config: extra });
  hubs.push(hub);
  return hub.handle;
}

async function rest(hub: WactorzHandle, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(`${hub.restUrl}${path}`, { method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: r.status, text: await r.text() };
}

const wsUrl = (hub: WactorzHandle, query = '') => `${hub.dashboardUrl!.replace(/^http/, 'ws')}/ws${query}`;
/** The browser's own page: Origin is the dashboard's. */
const own = (hub: WactorzHandle) => ({ origin: hub.dashboardUrl! });

async function open(hub: WactorzHandle, headers: Record<string, string> = own(hub), query = ''): Promise<OriginalWsClient> {
  const c = await connectOriginalWs(wsUrl(hub, query), headers);
  clients.push(c);
  return c;
}

/** The frames of one chat turn, from `from` up to and including its stream_end. */
async function turn(c: OriginalWsClient, content: string): Promise<OriginalServerFrame[]> {
  const from = c.frames.length;
  c.send({ type: 'chat', content, agent_name: 'main-actor' });
  const end = await c.next((f) => f.type === 'stream_end', `the end of "${content}"`, from);
  return c.frames.slice(from, c.frames.indexOf(end) + 1).filter((f) => f.type === 'chat' || f.type === 'stream_chunk' || f.type === 'stream_end');
}

/** The text a turn showed: the streamed chunks or the one chat frame. */
const shown = (frames: OriginalServerFrame[]) => frames.map((f) => (f.type === 'chat' || f.type === 'stream_chunk' ? f.content : '')).join('');

const stateOf = (f: OriginalServerFrame): MonitorState | undefined =>
  f.type === 'full_snapshot' || f.type === 'patch' || f.type === 'delete_agent' || f.type === 'reset' ? f.state : undefined;
const agentIn = (f: OriginalServerFrame, name: string) => stateOf(f)?.agents.find((a) => a.name === name);

beforeAll(async () => {
  llm = await startScriptedLlmServer();
  // main's conversation: an answer that says what it was asked, streamed word by word.
  llm.respond('*', (req) => ({ kind: 'text', text: `You said: ${sentRequest(req).lastUser}` }));
});

afterAll(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const hub of hubs.splice(0)) await hub.stop();
  await llm?.close();
});

describe('/ws: the original monitor protocol', () => {
  let hub: WactorzHandle;
  beforeAll(async () => {
    hub = await startHub();
    for (const name of ['echo', 'victim']) expect((await rest(hub, 'POST', '/agents', { name, code: ECHO })).status).toBe(201);
  }, 60_000);

  it('sends full_snapshot then config (direct_ws); the state lists every actor with the fields its dashboard reads', async () => {
    const c = await open(hub);
    await c.next((f) => f.type === 'config', 'config');
    expect(c.frames.slice(0, 2).map((f) => f.type)).toEqual(['full_snapshot', 'config']);
    expect(c.frames[1]).toMatchObject({ chat_mode: 'direct_ws' });
    const snap = c.frames[0]!;
    expect(agentIn(snap, 'main')).toMatchObject({ agent_id: actorIdFor('main'), state: 'running', protected: true, agent_type: 'orchestrator' });
    expect(agentIn(snap, 'echo')).toMatchObject({ agent_id: actorIdFor('echo'), state: 'running', protected: false, agent_type: 'dynamic', messages_processed: 0 });
    expect(stateOf(snap)!.agents.map((a) => a.name)).toEqual(expect.arrayContaining(['main', 'monitor', 'io', 'echo', 'victim']));
    expect(stateOf(snap)).toMatchObject({ nodes: [], total_cost_usd: expect.any(Number), total_messages: expect.any(Number) });
    // Heartbeats keep coming as patches: cpu, mem and task filled from them.
    const beat = await c.next((f) => f.type === 'patch' && agentIn(f, 'echo')?.heartbeat !== undefined, 'a patch with the heartbeat');
    expect(agentIn(beat, 'echo')).toMatchObject({ task: 'idle', cpu: expect.any(Number), mem: expect.any(Number) });
    expect(c.invalid).toEqual([]);
  });

  it('card buttons: pause, resume, stop and delete reach the agent, and every dashboard sees the new state', async () => {
    const a = await open(hub);
    const b = await open(hub);
    const id = actorIdFor('victim');
    const press = async (command: string, state: string) => {
      const mark = b.frames.length;
      a.send({ type: 'command', command, agent_id: id });
      await b.next((f) => f.type === 'patch' && agentIn(f, 'victim')?.state === state, `victim ${state} on the other dashboard`, mark);
      expect(hub.system.get('victim')?.state).toBe(state);
    };
    await press('pause', 'paused');
    await press('resume', 'running');
    await press('stop', 'stopped');
    const mark = b.frames.length;
    a.send({ type: 'command', command: 'delete', agent_id: id });
    const gone = await b.next((f) => f.type === 'delete_agent', 'delete_agent', mark);
    expect(gone).toMatchObject({ agent_id: id });
    expect(agentIn(gone, 'victim')).toBeUndefined();
    expect(hub.system.get('victim')).toBeUndefined();
    // Gone for good: the spawn registry forgot it too, as the original's delete via main did.
    expect((await rest(hub, 'GET', '/agents/victim/code')).status).toBe(404);
    // The command is in the activity feed.
    expect(stateOf(gone)!.log_feed.find((e) => e.type === 'command')).toMatchObject({ agent_id: id, command: 'delete' });
  });

  it('a protected actor refuses: an error frame, and nothing changes', async () => {
    const c = await open(hub);
    const mark = c.frames.length;
    c.send({ type: 'command', command: 'pause', agent_id: actorIdFor('main') });
    expect(await c.next((f) => f.type === 'error', 'the refusal', mark)).toMatchObject({ error: 'command refused', detail: expect.stringMatching(/main/) });
    expect(hub.system.get('main')?.state).toBe('running');
  });

  it('a bad frame gets an error frame and the connection stays usable', async () => {
    const c = await open(hub);
    const bad: unknown[] = ['not json', { type: 'explode' }, { hello: 1 }, { type: 'command', command: 'explode', agent_id: 'echo' }, { type: 'command', command: 'pause' }, { type: 'chat' }];
    for (const frame of bad) {
      const mark = c.frames.length;
      c.send(frame);
      await c.next((f) => f.type === 'error', `the error for ${JSON.stringify(frame)}`, mark);
    }
    const mark = c.frames.length;
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await c.next((f) => f.type === 'error', 'binary', mark)).toMatchObject({ error: 'bad frame' });
    c.send({ type: 'command', command: 'pause', agent_id: 'nobody' });
    expect(await c.next((f) => f.type === 'error' && f.error === 'actor not found', 'unknown actor', mark)).toBeTruthy();
    expect(c.frames.filter((f) => f.type === 'error').map((f) => (f.type === 'error' ? f.error : ''))).toEqual([
      'bad frame',
      'unknown frame type',
      'unknown frame type',
      'bad command frame',
      'bad command frame',
      'bad chat frame',
      'bad frame',
      'actor not found',
    ]);
    expect(shown(await turn(c, 'still there?'))).toBe('You said: still there?');
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });

  it("chat to the default target streams main's answer to this connection only, and posts nothing on agents/{id}/chat", async () => {
    const asker = await open(hub);
    const other = await open(hub);
    const posted: AgentChat[] = [];
    const off = hub.bus.subscribe('agents/+/chat', (_t, p) => posted.push(agentChatSchema.parse(JSON.parse(p.toString()))));
    try {
      const otherMark = other.frames.length;
      const frames = await turn(asker, 'hello there');
      expect(frames.at(-1)).toMatchObject({ type: 'stream_end', from: 'io-gateway', agent: 'main' });
      expect(frames.filter((f) => f.type === 'stream_chunk').length).toBeGreaterThan(1);
      expect(frames.every((f) => f.from === 'io-gateway' && f.agent === 'main')).toBe(true);
      expect(shown(frames)).toBe('You said: hello there');
      expect(other.frames.slice(otherMark).some((f) => f.type === 'chat' || f.type === 'stream_chunk' || f.type === 'stream_end')).toBe(false);
      // main answered, and said so nowhere else: neither the user's words nor the reply on MQTT.
      expect(posted).toEqual([]);
    } finally {
      off();
    }
  });

  it('@main, @main-actor and @io-agent reach main with the rest of the message; /commands and @agents are main’s to route', async () => {
    const c = await open(hub);
    for (const target of ['@main', '@main-actor', '@io-agent']) {
      expect(shown(await turn(c, `${target} how are you?`)), target).toBe('You said: how are you?');
      expect(sentRequest(llm.lastRequest()!).lastUser).toBe('how are you?');
    }
    const help = await turn(c, '/help');
    expect(help[0]).toMatchObject({ type: 'chat', agent: 'main' });
    expect(shown(help)).toMatch(/\/agents/);
    const echo = await turn(c, '@echo {"ping": 1}');
    expect(echo[0]).toMatchObject({ type: 'chat', agent: 'echo' });
    expect(JSON.parse(shown(echo))).toEqual({ echoed: { ping: 1 } });
    expect(shown(await turn(c, '@nobody hi'))).toMatch(/no agent named "nobody"/);
  });

  it('io/chat (the dashboard without /ws): `@main …` is answered, the reply is posted once on agents/{main}/chat, the user’s words never', async () => {
    const posted: AgentChat[] = [];
    const responses: unknown[] = [];
    const offs = [
      hub.bus.subscribe('agents/+/chat', (_t, p) => posted.push(agentChatSchema.parse(JSON.parse(p.toString())))),
      hub.bus.subscribe('io/chat/response', (_t, p) => responses.push(ioChatResponseSchema.parse(JSON.parse(p.toString())))),
    ];
    try {
      hub.bus.publish('io/chat', { from: 'user', to: 'main', content: '@main what now?', timestampMs: Date.now() });
      await waitUntil(() => responses.some((r) => (r as { done: boolean }).done), 'the reply on io/chat/response');
      await waitUntil(() => posted.length > 0, 'the reply on agents/{main}/chat');
      expect(posted).toEqual([expect.objectContaining({ from: 'main', to: 'user', content: 'You said: what now?', role: 'assistant' })]);
    } finally {
      for (const off of offs) off();
    }
  });

  it('a spawn is announced as the original did (agents/{main}/spawned, agents/{id}/spawn) and lands in the activity feed', async () => {
    const c = await open(hub);
    const spawns: unknown[] = [];
    const off = hub.bus.subscribe(`agents/${actorIdFor('newbie')}/spawn`, (_t, p) => spawns.push(spawnAnnouncementSchema.parse(JSON.parse(p.toString()))));
    try {
      const mark = c.frames.length;
      expect((await rest(hub, 'POST', '/agents', { name: 'newbie', code: ECHO })).status).toBe(201);
      const f = await c.next((fr) => Boolean(stateOf(fr)?.log_feed.some((e) => e.type === 'spawned' && e.child_name === 'newbie')), 'the spawned entry', mark);
      expect(stateOf(f)!.log_feed.find((e) => e.type === 'spawned')).toMatchObject({ agent_id: actorIdFor('main'), child_id: actorIdFor('newbie'), child_name: 'newbie', timestamp: expect.any(Number) });
      await waitUntil(() => spawns.length === 1, 'the spawn announcement');
      expect(spawns[0]).toMatchObject({ agentId: actorIdFor('newbie'), agentName: 'newbie', agentType: 'dynamic' });
    } finally {
      off();
    }
  });
});

describe('/ws: who may not use it', () => {
  it('a web page on another origin (or through a rebound host name) is refused; the dashboard’s own origin is not', async () => {
    const hub = await startHub();
    expect(await upgradeStatus(wsUrl(hub), { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(wsUrl(hub), { origin: 'null' })).toBe(403);
    expect(await upgradeStatus(wsUrl(hub), { origin: 'http://evil.example', host: 'evil.example' })).toBe(403);
    expect(await upgradeStatus(wsUrl(hub), own(hub))).toBe(101);
    // Any other path on the dashboard port is not a WebSocket.
    expect(await upgradeStatus(`${hub.dashboardUrl!.replace(/^http/, 'ws')}/nope`, own(hub))).toBe(404);
    // Allowed once the user names the origin (a reverse proxy on another port).
    const allowing = await startHub({ WACTORZ_ALLOWED_ORIGINS: 'http://proxy.example:8080' });
    expect(await upgradeStatus(wsUrl(allowing), { origin: 'http://proxy.example:8080' })).toBe(101);
    expect(await upgradeStatus(wsUrl(allowing), { origin: 'http://evil.example' })).toBe(403);
  }, 60_000);

  it('with API_KEY set, an anonymous client is refused (and cannot pause anything); the key or the dashboard token let it in, until the token rotates', async () => {
    const KEY = 'ws-api-key';
    const DASH = 'ws-dashboard-token-0123456789';
    const hub = await startHub({ API_KEY: KEY }, { dashboardToken: DASH });
    expect((await rest(hub, 'POST', '/agents', { name: 'target', code: ECHO }, { 'x-api-key': KEY })).status).toBe(201);
    expect(await upgradeStatus(wsUrl(hub), own(hub))).toBe(401);
    expect(await upgradeStatus(wsUrl(hub, '?token=wrong'), own(hub))).toBe(401);
    expect(hub.system.get('target')?.state).toBe('running');
    // The original's key as a reverse proxy adds it, or the token in the URL.
    const withKey = await open(hub, { ...own(hub), 'x-api-key': KEY });
    withKey.send({ type: 'command', command: 'pause', agent_id: actorIdFor('target') });
    await waitUntil(() => hub.system.get('target')?.state === 'paused', 'the pause with the key');
    const withToken = await open(hub, own(hub), `?token=${DASH}`);
    const closed = new Promise<number>((resolve) => withToken.ws.once('close', (code) => resolve(code)));
    const r = await fetch(`${hub.dashboardUrl}/api/auth/token/rotate`, { method: 'POST', headers: { authorization: `Bearer ${DASH}` } });
    expect(r.status).toBe(200);
    expect(await closed).toBe(4001);
    expect(await upgradeStatus(wsUrl(hub, `?token=${DASH}`), own(hub))).toBe(401);
    expect(withKey.ws.readyState).toBe(withKey.ws.OPEN);
  }, 60_000);

  it('with only a dashboard token (as when bound beyond loopback), an anonymous client is refused and the token lets it in', async () => {
    const DASH = 'ws-only-dashboard-token-0123456789';
    const hub = await startHub({}, { dashboardToken: DASH });
    expect(await upgradeStatus(wsUrl(hub), own(hub))).toBe(401);
    expect(await upgradeStatus(wsUrl(hub), { ...own(hub), 'x-api-key': 'guess' })).toBe(401);
    // A page of another origin is refused even with the token.
    expect(await upgradeStatus(wsUrl(hub, `?token=${DASH}`), { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(wsUrl(hub, `?token=${DASH}`), own(hub))).toBe(101);
  }, 60_000);

  it('an agent cannot reach /ws (agent.fetch refuses this machine; with fetch_local it gets no WebSocket), nor fake its spawn feed', async () => {
    const hub = await startHub();
    for (const [name, capabilities] of [
      ['implant', ['fetch']],
      ['local-implant', ['fetch', 'fetch_local']],
    ] as const) {
      expect((await rest(hub, 'POST', '/agents', { name, code: PROBE, capabilities })).status).toBe(201);
    }
    expect((await rest(hub, 'POST', '/agents', { name: 'bystander', code: ECHO })).status).toBe(201);
    const port = new URL(hub.dashboardUrl!).port;
    const attempt = `agent.fetch('http://127.0.0.1:${port}/ws', { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } }).then((r) => r.status)`;
    const probe = async (name: string) => {
      const r = await rest(hub, 'POST', `/agents/${name}/tasks`, { payload: { expr: attempt } });
      return (JSON.parse(r.text) as { result: { ok: boolean; value?: unknown; error?: string } }).result;
    };
    expect(await probe('implant')).toMatchObject({ ok: false, error: expect.stringMatching(/this machine/) });
    // Its fetch may reach the port, but not upgrade: no WebSocket, so no frame can be sent.
    expect(await probe('local-implant')).toMatchObject({ ok: false, error: expect.stringMatching(/upgrade/) });
    expect(hub.system.get('bystander')?.state).toBe('running');
    // Nor can it fake the spawn feed from its own namespace: its `spawned` is not the hub's word.
    const c = await open(hub);
    const own = actorIdFor('implant');
    const fake = `(agent.publish('agents/${own}/spawned', { child_id: 'x', child_name: 'fake-child', timestamp: 1 }), agent.publish('agents/${own}/logs', { type: 'info', message: 'after the fake' }), true)`;
    const r = await rest(hub, 'POST', '/agents/implant/tasks', { payload: { expr: fake } });
    expect((JSON.parse(r.text) as { result: unknown }).result).toEqual({ ok: true, value: true });
    const after = await c.next((f) => Boolean(stateOf(f)?.log_feed.some((e) => e.type === 'log' && e.message === 'after the fake')), 'the marker after the fake');
    expect(stateOf(after)!.log_feed.some((e) => e.child_name === 'fake-child')).toBe(false);
  }, 60_000);
});

describe('stopping the hub', () => {
  it('closes the dashboard port’s WebSockets (/ws and /mqtt) instead of waiting for the page to leave', async () => {
    const hub = await startHub();
    const page = await open(hub);
    const mqttWs = await connectAsync(`${hub.dashboardUrl!.replace(/^http/, 'ws')}/mqtt`, { reconnectPeriod: 0, wsOptions: { origin: hub.dashboardUrl! } }, false);
    mqttWs.on('error', () => {});
    const closed = Promise.all([new Promise((r) => page.ws.once('close', r)), new Promise<void>((r) => mqttWs.once('close', () => r()))]);
    // Before, an open /mqtt socket held the HTTP server's close (and so stop()) for as long as the page stayed.
    await hub.stop();
    await closed;
    await mqttWs.endAsync(true);
  });
});
