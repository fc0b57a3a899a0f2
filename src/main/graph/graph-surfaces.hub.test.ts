/**
 * The graph and the activity feed through a real hub (startWactorz: embedded broker, REST and
 * dashboard servers, real sandboxed agents):
 * - a publisher and a subscriber agent on one topic are an edge in GET /api/graph (and /graph on
 *   the REST port), with a rate once messages flow; the wire's recent messages; a paused agent
 *   paused; the retained `system/graph` snapshot and the feed over MQTT; GET /api/feed;
 * - nobody may misuse the new surfaces: agent code cannot publish on or read `system/graph` /
 *   `system/feed` (not even under `#`, nor through agent.window / agent.topics); with API_KEY set
 *   the routes answer 401 and an anonymous MQTT client cannot connect to read the topics; a web
 *   page of another origin is refused (403), a foreign Host too (DNS rebinding), and cannot open
 *   /mqtt.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedPageSchema } from '../../shared/feed.js';
import { graphSchema, graphSnapshotMessageSchema } from '../../shared/graph.js';
import { parsePayload } from '../../shared/mqtt-payloads.js';
import { silentLogger } from '../base/logger.js';
import { actorIdFor } from '../core/actor-id.js';
import type { Json } from '../testing/http.js';
import { waitUntil } from '../testing/wait.js';
import { startWactorz } from '../wactorz.js';
import type { WactorzHandle } from '../wactorz-handle.js';
import { upgradeStatus } from '../testing/raw-http.js';

const dirs: string[] = [];
const stateDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'wz-graph-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const config = () => ({ stateDir: stateDir(), llm: { provider: 'none' as const }, interface: 'rest' as const, restPort: 0, monitorPort: 0, mqtt: { port: 0 } });

async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const r = await fetch(`${base}${path}`, { method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  let parsed: Json = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // plain text
  }
  return { status: r.status, body: parsed };
}

/** A raw request, so Host can be anything. */
function rawGet(url: string, headers: Record<string, string>): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

const PUBLISHER = `
export async function process(agent) { agent.publish('sensors/temp', { c: 20 + Math.random() * 15 }); }
`;
const SUBSCRIBER = `
export async function setup(agent) { agent.subscribe('sensors/temp', (m) => { if (m.c > 30) agent.state.hot = (agent.state.hot ?? 0) + 1; }); }
`;
/** Runs \`expr\` in the agent and answers {ok, value} or {ok: false, error}. */
const PROBE = `
export async function setup(agent) {
  agent.state.got = [];
  const keep = (_m, topic) => { if (agent.state.got.length < 500) agent.state.got.push(topic); };
  agent.subscribe('#', keep); // refused (it reaches system/…): a line in its log
  agent.subscribe('probe/#', keep);
}
export async function handleTask(agent, p) {
  try { return { ok: true, value: await (new Function('agent', 'p', 'return (async () => (' + p.expr + '))()'))(agent, p) }; }
  catch (e) { return { ok: false, error: String(e && e.message || e) }; }
}`;

describe('the graph and the feed through a real hub', () => {
  let hub: WactorzHandle;
  beforeAll(async () => {
    hub = await startWactorz(config(), { log: silentLogger, env: {} });
  });
  afterAll(() => hub?.stop());

  it('draws an edge between a publisher and a subscriber on one topic, with a rate once messages flow', async () => {
    const api = hub.dashboardUrl!;
    expect((await call(api, 'POST', '/api/agents', { name: 'temp-sim', code: PUBLISHER, publishes: ['sensors/temp'], poll_interval: 0.2 })).status).toBe(201);
    expect((await call(api, 'POST', '/api/agents', { name: 'heat-alerter', code: SUBSCRIBER, subscribes: ['sensors/temp'] })).status).toBe(201);
    const from = actorIdFor('temp-sim');
    const to = actorIdFor('heat-alerter');
    const edge = await waitUntil(async () => {
      const g = await call(api, 'GET', '/api/graph');
      expect(graphSchema.safeParse(g.body).success).toBe(true);
      return (g.body.edges as Json[]).find((e) => e.from === from && e.to === to && e.topic === 'sensors/temp' && e.rate > 0);
    }, 'an edge with a rate');
    expect(edge.rate).toBeGreaterThan(0);
    // The same on the REST port, at /graph.
    const viaRest = await call(hub.restUrl!, 'GET', '/graph');
    expect(viaRest.body.agents).toEqual(expect.arrayContaining([{ id: from, name: 'temp-sim', kind: 'dynamic', node: null, state: 'running' }]));
    // The wire's recent messages.
    const msgs = await call(api, 'GET', '/api/graph/messages?topic=sensors/temp');
    expect(msgs.body.messages[0]).toMatchObject({ from, payload: { c: expect.any(Number) }, truncated: false });
    expect((await call(api, 'GET', '/api/graph/messages?topic=sensors/%23')).status).toBe(400);

    // Paused shows as paused.
    expect((await call(api, 'POST', '/api/actors/heat-alerter/pause')).status).toBe(200);
    await waitUntil(async () => ((await call(api, 'GET', '/api/graph')).body.agents as Json[]).find((a) => a.id === to)?.state === 'paused', 'paused in the graph');

    // Over MQTT: the retained snapshot has both, without asking.
    const client = await connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { reconnectPeriod: 0 });
    try {
      const snap = await new Promise<Json>((resolve) => {
        client.on('message', (topic, payload) => {
          if (topic !== 'system/graph') return;
          const r = parsePayload(graphSnapshotMessageSchema, payload);
          if (r.ok && r.value.graph.edges.some((e) => e.from === from && e.to === to)) resolve(r.value);
        });
        void client.subscribeAsync('system/graph');
      });
      expect(snap.seq).toBeGreaterThanOrEqual(0);
    } finally {
      await client.endAsync(true);
    }

    // The feed: the spawns and the pause are there, newest first.
    const feed = await call(api, 'GET', '/api/feed?kind=spawned');
    expect(feedPageSchema.safeParse(feed.body).success).toBe(true);
    expect((feed.body.events as Json[]).map((e) => e.subject.name)).toEqual(expect.arrayContaining(['temp-sim', 'heat-alerter']));
    expect((await call(api, 'GET', '/api/feed?kind=nonsense')).status).toBe(400);
  });

  it('agent code can neither forge nor read the graph and the feed', async () => {
    const api = hub.dashboardUrl!;
    expect((await call(api, 'POST', '/api/agents', { name: 'probe', code: PROBE, subscribes: ['probe/#'] })).status).toBe(201);
    const run = async (expr: string) => (await call(api, 'POST', '/api/agents/probe/tasks', { payload: { expr } })).body.result;
    const logs: string[] = [];
    const forged: string[] = [];
    const offLogs = hub.bus.subscribe(`agents/${actorIdFor('probe')}/logs`, (_t, p) => logs.push(p.toString()));
    const offSystem = hub.bus.subscribe('system/#', (t, p) => p.toString().includes('"forged"') && forged.push(t));
    try {
      for (const topic of ['system/graph', 'system/graph/delta', 'system/feed', 'system/feed/recent']) {
        await run(`agent.publish('${topic}', { forged: true, seq: 999, graph: { agents: [], edges: [], nodes: [] } })`);
        await waitUntil(() => logs.some((l) => l.includes(`may not publish on ${topic} `)), `the refusal of ${topic} in the agent's log`);
      }
      expect(forged).toEqual([]);
    } finally {
      offLogs();
      offSystem();
    }
    // '#' reaches system/…: refused whole (src/main/grants). The hub keeps publishing both while the
    // probe listens on what it declared: once the hub has sent some and a marker sent after them
    // reached the probe, it would have had them too (one broker, in order).
    const sent: string[] = [];
    const offSent = hub.bus.subscribe('system/#', (t) => /^system\/(graph|feed)/.test(t) && sent.push(t));
    await call(api, 'POST', '/api/actors/temp-sim/resume'); // the graph changes: deltas go out live
    await call(api, 'POST', '/api/actors/temp-sim/pause');
    await waitUntil(() => sent.filter((t) => t === 'system/graph/delta').length >= 1 && sent.length >= 3, 'the hub publishing the graph');
    offSent();
    hub.bus.publish('probe/marker', {});
    await waitUntil(async () => ((await run('agent.state.got')).value as string[]).includes('probe/marker'), 'the marker at the probe');
    const got: string[] = (await run('agent.state.got')).value;
    expect(got.some((t) => t.startsWith('system/graph') || t.startsWith('system/feed'))).toBe(false);
    expect(await run(`agent.window('system/graph', 60)`)).toMatchObject({ ok: false, error: expect.stringMatching(/refused/) });
    expect(await run(`agent.window('#', 60)`)).toMatchObject({ ok: false, error: expect.stringMatching(/agent\.window\(#\) refused/) });
    expect((await run('agent.topics()')).value.some((t: Json) => /^system\/(graph|feed)/.test(t.topic))).toBe(false);
    // agent.fetch is not granted: the routes are out of reach too.
    expect((await run(`agent.fetch('${api}/api/graph')`)).ok).toBe(false);
  });

  it('a web page of another origin cannot read them, nor open /mqtt', async () => {
    const api = hub.dashboardUrl!;
    for (const path of ['/api/graph', '/api/graph/messages?topic=a', '/api/feed']) {
      expect((await call(api, 'GET', path, undefined, { origin: 'http://evil.example' })).status, path).toBe(403);
      expect((await call(api, 'GET', path, undefined, { 'sec-fetch-site': 'cross-site' })).status, path).toBe(403);
      expect(await rawGet(`${api}${path}`, { host: 'evil.example' }), path).toBe(403);
      // The dashboard itself (same origin) is served.
      const own = new URL(api);
      expect((await call(api, 'GET', path, undefined, { origin: own.origin, 'sec-fetch-site': 'same-origin' })).status, path).toBe(200);
    }
    expect(await upgradeStatus(`${api}/mqtt`, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(`${api}/mqtt`, { origin: new URL(api).origin })).toBe(101);
  });
});

describe('with API_KEY set', () => {
  let hub: WactorzHandle;
  beforeAll(async () => {
    hub = await startWactorz(config(), { log: silentLogger, env: { API_KEY: 'k'.repeat(24) } });
  });
  afterAll(() => hub?.stop());

  it('the routes want the key, and an anonymous MQTT client cannot connect to read the topics', async () => {
    for (const [base, path] of [
      [hub.dashboardUrl!, '/api/graph'],
      [hub.dashboardUrl!, '/api/graph/messages?topic=a'],
      [hub.dashboardUrl!, '/api/feed'],
      [hub.restUrl!, '/graph'],
      [hub.restUrl!, '/feed'],
    ] as const) {
      expect((await call(base, 'GET', path)).status, path).toBe(401);
      expect((await call(base, 'GET', path, undefined, { 'x-api-key': 'k'.repeat(24) })).status, path).toBe(200);
    }
    await expect(connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { reconnectPeriod: 0, connectTimeout: 3_000 })).rejects.toThrow();
  });
});
