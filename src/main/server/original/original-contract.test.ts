/**
 * The original Wactorz's REST contract, route by route, against a real hub (startWactorz: real
 * actor system, embedded broker, a DynamicAgent in its sandbox, an LLM behind the scripted server).
 * Written from the original's sources at the pinned commit, not from our server:
 *
 *   RESTInterface (wactorz/interfaces/chat_interfaces.py and its contract unit test) — our REST port
 *   monitor server, REST part (wactorz/monitor_server.py) — our dashboard port, under /api/ and at /
 *   PrometheusMonitor (wactorz/monitoring/prometheus.py) — GET /metrics
 *
 * Each `it` names the original handler it checks. Where we differ on purpose (API_KEY guards every
 * route; /actors/{id}/message also returns the actor's result), docs/compatibility.md says why and
 * the assertion checks our side of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWactorz } from '../../wactorz.js';
import type { WactorzHandle } from '../../wactorz-handle.js';
import { silentLogger } from '../../base/logger.js';
import { actorIdFor } from '../../core/actor-id.js';

import type { Json } from '../../testing/http.js';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../../llm/testing/index.js';
import { waitUntil } from '../../testing/wait.js';

const KEY = 'contract-key';
let hub: WactorzHandle;
let llm: ScriptedLlmServer;
let dir: string;
let rest: string;
let dash: string;

/** As the original's clients call it: curl-like (Accept: *\/*), the key in X-API-Key, JSON bodies. */
async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { accept: '*/*', 'x-api-key': KEY, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, type: r.headers.get('content-type') ?? '', text, json };
}

const ECHO = `export async function handleTask(agent, payload) { return { echoed: payload }; }`;

beforeAll(async () => {
  llm = await startScriptedLlmServer();
  llm.respond('*', 'Hello from the scripted model');
  dir = mkdtempSync(join(tmpdir(), 'wz-contract-'));
  hub = await startWactorz(
    { stateDir: dir, llm: { provider: 'ollama', model: 'llama3', baseUrl: llm.urls.ollama }, interface: 'rest', restPort: 0, monitorPort: 0, mqtt: { port: 0 } },
    { log: silentLogger, env: { API_KEY: KEY } },
  );
  rest = hub.restUrl!;
  dash = hub.dashboardUrl!;
  for (const name of ['echo', 'victim', 'dash-victim']) {
    const r = await call(rest, 'POST', '/agents', { name, code: ECHO });
    if (r.status !== 201) throw new Error(`could not create ${name}: ${r.text}`);
  }
}, 60_000);
afterAll(async () => {
  await hub?.stop();
  await llm?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('RESTInterface (the REST port)', () => {
  it('GET /health → {"status": "ok"} (health_endpoint)', async () => {
    const r = await call(rest, 'GET', '/health');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'ok' });
  });

  it('GET /actors and GET /agents → [{id, name, state, protected}] (agents_endpoint, _actor_payload)', async () => {
    for (const path of ['/actors', '/agents']) {
      const r = await call(rest, 'GET', path);
      expect(r.status).toBe(200);
      expect(Array.isArray(r.json)).toBe(true);
      for (const a of r.json as Json[]) {
        expect(typeof a.id).toBe('string');
        expect(typeof a.name).toBe('string');
        expect(['initializing', 'running', 'paused', 'stopped', 'failed', 'created', 'starting', 'stopping']).toContain(a.state);
        expect(typeof a.protected).toBe('boolean');
      }
      const main = (r.json as Json[]).find((a) => a.name === 'main');
      // The original's ids: uuid5(DNS, "wactorz.actor.<name>"); main is protected.
      expect(main).toMatchObject({ id: actorIdFor('main'), state: 'running', protected: true });
    }
  });

  it('GET /actors/{actor_id} → the same payload; 404 text "actor not found" (actor_endpoint)', async () => {
    const r = await call(rest, 'GET', `/actors/${actorIdFor('echo')}`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: actorIdFor('echo'), name: 'echo', state: 'running', protected: false });
    const missing = await call(rest, 'GET', '/actors/no-such-actor');
    expect(missing.status).toBe(404);
    expect(missing.type).toMatch(/^text\/plain/);
    expect(missing.text).toBe('actor not found');
  });

  it('GET /actors/{actor_id}/metrics → the nine fields, numbers; 404 "actor not found" (metrics_endpoint, _metrics_payload)', async () => {
    await call(rest, 'POST', '/chat', { message: 'count my tokens' });
    const r = await call(rest, 'GET', `/actors/${actorIdFor('main')}/metrics`);
    expect(r.status).toBe(200);
    const m = r.json;
    for (const k of ['messages_received', 'messages_processed', 'messages_failed', 'heartbeats', 'last_message_at', 'restart_count', 'llm_input_tokens', 'llm_output_tokens']) {
      expect(Number.isInteger(m[k]), k).toBe(true);
    }
    expect(typeof m.llm_cost_usd).toBe('number');
    expect(m.messages_processed).toBeGreaterThan(0);
    expect(m.messages_received).toBeGreaterThan(0);
    expect(m.heartbeats).toBeGreaterThan(0);
    expect(m.last_message_at).toBeGreaterThan(1_600_000_000);
    expect(m.llm_input_tokens).toBeGreaterThan(0); // main's own LLM use
    expect((await call(rest, 'GET', '/actors/nope/metrics')).text).toBe('actor not found');
  });

  it('POST /actors/{actor_id}/message → {"status": "sent"}; 400 "Expected a JSON object" / "No content provided"; 404 (actor_message_endpoint)', async () => {
    const r = await call(rest, 'POST', `/actors/${actorIdFor('echo')}/message`, { content: 'hello echo' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'sent' });
    expect(r.json.result).toEqual({ echoed: 'hello echo' }); // ours, beside: the actor's answer
    expect(await call(rest, 'POST', '/actors/echo/message', [1, 2])).toMatchObject({ status: 400, json: { error: 'Expected a JSON object' } });
    for (const body of [{}, { content: '' }]) expect(await call(rest, 'POST', '/actors/echo/message', body)).toMatchObject({ status: 400, json: { error: 'No content provided' } });
    const missing = await call(rest, 'POST', '/actors/nope/message', { content: 'x' });
    expect(missing).toMatchObject({ status: 404, text: 'actor not found' });
  });

  it('POST /actors/{actor_id}/pause|resume → {"status": "pausing"|"resuming"}; 403 "actor is protected"; 404 (pause/resume_actor_endpoint)', async () => {
    expect(await call(rest, 'POST', `/actors/${actorIdFor('echo')}/pause`)).toMatchObject({ status: 200, json: { status: 'pausing' } });
    await waitUntil(() => hub.system.get('echo')?.state === 'paused', 'echo paused');
    expect(await call(rest, 'POST', '/actors/echo/resume')).toMatchObject({ status: 200, json: { status: 'resuming' } });
    await waitUntil(() => hub.system.get('echo')?.state === 'running', 'echo running again');
    const prot = await call(rest, 'POST', '/actors/main/pause');
    expect(prot).toMatchObject({ status: 403, text: 'actor is protected' });
    expect(hub.system.get('main')?.state).toBe('running');
    expect(await call(rest, 'POST', '/actors/nope/pause')).toMatchObject({ status: 404, text: 'actor not found' });
  });

  it('DELETE /actors/{actor_id} → text "stopping"; 403 "actor is protected"; 404 (stop_actor_endpoint)', async () => {
    expect(await call(rest, 'DELETE', '/actors/main')).toMatchObject({ status: 403, text: 'actor is protected' });
    expect(await call(rest, 'DELETE', '/actors/nope')).toMatchObject({ status: 404, text: 'actor not found' });
    const r = await call(rest, 'DELETE', `/actors/${actorIdFor('victim')}`);
    expect(r).toMatchObject({ status: 200, text: 'stopping' });
    expect(r.type).toMatch(/^text\/plain/);
    await waitUntil(() => !hub.system.get('victim'), 'victim gone');
    expect((await call(rest, 'GET', '/actors/victim')).status).toBe(404);
  });

  it('POST /agents/command {target, command} → {"ok": true}; 400 "Invalid command" (command_endpoint)', async () => {
    expect(await call(rest, 'POST', '/agents/command', { target: 'echo', command: 'pause' })).toMatchObject({ status: 200, json: { ok: true } });
    await waitUntil(() => hub.system.get('echo')?.state === 'paused', 'echo paused by command');
    expect(await call(rest, 'POST', '/agents/command', { target: 'echo', command: 'resume' })).toMatchObject({ status: 200, json: { ok: true } });
    for (const body of [{ target: 'echo', command: 'explode' }, { command: 'pause' }, { target: 'echo' }]) {
      expect(await call(rest, 'POST', '/agents/command', body), JSON.stringify(body)).toMatchObject({ status: 400, json: { error: 'Invalid command' } });
    }
    expect(await call(rest, 'POST', '/agents/command', 'true')).toMatchObject({ status: 400, json: { error: 'Expected a JSON object' } });
  });

  it('POST /chat {message} → {"status": "sent", "agent", "response"}; 400 "No message provided" (chat_endpoint)', async () => {
    const r = await call(rest, 'POST', '/chat', { message: 'hello main' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'sent', agent: 'main', response: expect.stringContaining('Hello from the scripted model') });
    for (const body of [{}, { message: '' }]) expect(await call(rest, 'POST', '/chat', body)).toMatchObject({ status: 400, json: { error: 'No message provided' } });
    expect(await call(rest, 'POST', '/chat', ['hi'])).toMatchObject({ status: 400, json: { error: 'Expected a JSON object' } });
  });

  it('GET /ha-map → 404 {"error": "Home Assistant map snapshot not available"} without Home Assistant (ha_map_latest_endpoint)', async () => {
    expect(await call(rest, 'GET', '/ha-map')).toMatchObject({ status: 404, json: { error: 'Home Assistant map snapshot not available' } });
  });

  it('GET /metrics → Prometheus text with the original families and actor_name labels (PrometheusMonitor)', async () => {
    await call(rest, 'GET', '/actors'); // at least one counted request
    const r = await call(rest, 'GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const t = r.text;
    const typeOf = (name: string) => new RegExp(`^# TYPE ${name} (\\w+)$`, 'm').exec(t)?.[1];
    for (const g of ['wactorz_actors_total', 'wactorz_actors_by_state', 'wactorz_actor_info', 'wactorz_actor_up', 'wactorz_actor_state', 'wactorz_actor_restart_count', 'wactorz_actor_uptime_seconds', 'wactorz_actor_heartbeat_age_seconds']) {
      expect(typeOf(g), g).toBe('gauge');
    }
    for (const c of ['wactorz_actor_messages_processed_total', 'wactorz_actor_errors_total', 'wactorz_actor_tasks_completed_total', 'wactorz_actor_tasks_failed_total', 'wactorz_llm_input_tokens_total', 'wactorz_llm_output_tokens_total', 'wactorz_llm_cost_usd_total', 'wactorz_http_requests_total', 'wactorz_http_responses_total']) {
      expect(typeOf(c), c).toBe('counter');
    }
    expect(typeOf('wactorz_http_request_duration_seconds')).toBe('histogram');
    expect(t).toMatch(new RegExp(`^wactorz_actors_total ${hub.system.list().length}$`, 'm'));
    expect(t).toMatch(/^wactorz_actor_up\{actor_name="main"\} 1$/m);
    expect(t).toMatch(/^wactorz_actor_info\{actor_name="main",actor_class="\w+",protected="true"/m);
    expect(t).toMatch(/^wactorz_actor_messages_processed_total\{actor_name="main",[^}]*\} [1-9]/m);
    expect(t).toMatch(/^wactorz_llm_input_tokens_total\{actor_name="main"\} [1-9]/m);
    expect(t).toMatch(/^wactorz_http_requests_total\{method="GET",route="\/actors"\} [1-9]/m);
    expect(t).toMatch(/^wactorz_http_responses_total\{method="GET",route="\/actors\/\{id\}",status="404"\} [1-9]/m);
    for (const p of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds']) expect(t).toContain(`# TYPE ${p}`);
  });

  it('with API_KEY set every route answers 401 without it; X-API-Key and Authorization: Bearer both work (auth_middleware)', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/health'],
      ['GET', '/metrics'],
      ['GET', '/actors'],
      ['GET', '/agents'],
      ['GET', '/actors/echo'],
      ['GET', '/actors/echo/metrics'],
      ['POST', '/actors/echo/message', { content: 'x' }],
      ['POST', '/actors/echo/pause'],
      ['POST', '/actors/echo/resume'],
      ['DELETE', '/actors/echo'],
      ['POST', '/agents/command', { target: 'echo', command: 'pause' }],
      ['POST', '/chat', { message: 'x' }],
      ['GET', '/ha-map'],
      ['GET', '/config'],
      ['GET', '/cost'],
      ['POST', '/cost/limit', { limit_usd: 1000 }],
      ['POST', '/cost/reset'],
      ['GET', '/actors/main/history'],
      ['GET', '/chats'],
      ['GET', '/feed'],
      ['POST', '/reset', { scope: 'all' }],
    ];
    for (const base of [rest, `${dash}/api`, dash]) {
      for (const [method, path, body] of routes) {
        if (base === dash && path === '/ha-map') continue; // not a monitor route: /api/ha-map only
        const r = await fetch(`${base}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, ...(body ? { body: JSON.stringify(body) } : {}) });
        expect(r.status, `${method} ${base}${path}`).toBe(401);
        expect(await r.json()).toMatchObject({ error: 'Unauthorized' });
      }
    }
    expect(hub.system.get('echo')?.state).toBe('running'); // nothing got through
    expect((await fetch(`${rest}/actors`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
  });
});

describe('monitor server, REST part (the dashboard port: /api/… and the same at /)', () => {
  it('GET /api/actors → [{id, name, state, protected, cpu, mem, task, messagesProcessed, costUsd}] (actors_handler)', async () => {
    await waitUntil(async () => ((await call(dash, 'GET', '/api/actors')).json as Json[]).every((a) => a.cpu !== null), 'a heartbeat from every actor');
    for (const path of ['/api/actors', '/actors']) {
      const r = await call(dash, 'GET', path);
      expect(r.status).toBe(200);
      const main = (r.json as Json[]).find((a) => a.name === 'main');
      expect(main).toMatchObject({ id: actorIdFor('main'), state: 'running', protected: true, task: expect.any(String) });
      expect(typeof main.cpu).toBe('number');
      expect(typeof main.mem).toBe('number');
      expect(typeof main.messagesProcessed).toBe('number');
      expect(main.costUsd === null || typeof main.costUsd === 'number').toBe(true);
      const echo = (r.json as Json[]).find((a) => a.name === 'echo');
      expect(echo).toMatchObject({ task: 'idle', costUsd: null }); // an idle actor that never called an LLM
    }
  });

  it('GET /api/actors/{actor_id} → the same payload; 404 {"error": "actor not found"} (actor_handler)', async () => {
    const r = await call(dash, 'GET', `/api/actors/${actorIdFor('echo')}`);
    expect(r.json).toMatchObject({ id: actorIdFor('echo'), name: 'echo', cpu: expect.any(Number), mem: expect.any(Number), task: 'idle', messagesProcessed: expect.any(Number) });
    expect(await call(dash, 'GET', '/api/actors/nope')).toMatchObject({ status: 404, json: { error: 'actor not found' } });
  });

  it('GET /api/actors/{actor_id}/metrics → {messages_processed, cpu, mem, task, cost_usd} (actor_metrics_handler)', async () => {
    const r = await call(dash, 'GET', '/api/actors/main/metrics');
    expect(r.json).toMatchObject({ messages_processed: expect.any(Number), cpu: expect.any(Number), mem: expect.any(Number), task: expect.any(String), cost_usd: expect.any(Number) });
    expect(await call(dash, 'GET', '/api/actors/nope/metrics')).toMatchObject({ status: 404, json: { error: 'actor not found' } });
  });

  it('POST /api/actors/{actor_id}/message → {"status": "sent"}; 400 {"error": "content required"}; 404 (send_message_handler)', async () => {
    expect(await call(dash, 'POST', '/api/actors/echo/message', { content: 'hi' })).toMatchObject({ status: 200, json: { status: 'sent' } });
    expect(await call(dash, 'POST', '/api/actors/echo/message', { content: '' })).toMatchObject({ status: 400, json: { error: 'content required' } });
    expect(await call(dash, 'POST', '/api/actors/nope/message', { content: 'x' })).toMatchObject({ status: 404, json: { error: 'actor not found' } });
  });

  it('POST /api/actors/{actor_id}/pause|resume → {"status": "pausing"|"resuming"}; 403 {"error": "actor is protected"} (pause/resume_actor_handler)', async () => {
    expect(await call(dash, 'POST', '/api/actors/echo/pause')).toMatchObject({ status: 200, json: { status: 'pausing' } });
    expect(await call(dash, 'POST', '/api/actors/echo/resume')).toMatchObject({ status: 200, json: { status: 'resuming' } });
    expect(await call(dash, 'POST', '/api/actors/main/pause')).toMatchObject({ status: 403, json: { error: 'actor is protected' } });
    expect(await call(dash, 'POST', '/api/actors/nope/resume')).toMatchObject({ status: 404, json: { error: 'actor not found' } });
  });

  it('DELETE /api/actors/{actor_id} → 200 text "stopping (…)"; 403/404 as JSON (delete_actor_handler)', async () => {
    expect(await call(dash, 'DELETE', '/api/actors/main')).toMatchObject({ status: 403, json: { error: 'actor is protected' } });
    expect(await call(dash, 'DELETE', '/api/actors/nope')).toMatchObject({ status: 404, json: { error: 'actor not found' } });
    const r = await call(dash, 'DELETE', `/api/actors/${actorIdFor('dash-victim')}`);
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^stopping \(/);
    await waitUntil(() => !hub.system.get('dash-victim'), 'dash-victim gone');
  });

  it('POST /api/chat → {"status": "sent", "agent"}; 400 {"error": "message required"} (rest_chat_handler)', async () => {
    expect(await call(dash, 'POST', '/api/chat', { message: 'hello' })).toMatchObject({ status: 200, json: { status: 'sent', agent: 'main' } });
    expect(await call(dash, 'POST', '/api/chat', { message: '' })).toMatchObject({ status: 400, json: { error: 'message required' } });
  });

  it('GET /api/config → ha, mqtt {host, port, url}, llm {provider, model}, ws_url — and no secret (config_handler)', async () => {
    for (const path of ['/api/config', '/config']) {
      const r = await call(dash, 'GET', path);
      expect(r.status).toBe(200);
      const host = new URL(dash).host;
      expect(r.json).toMatchObject({
        ha: { url: '', token: '' },
        mqtt: { host: '127.0.0.1', port: hub.mqttPort, url: `ws://${host}/mqtt` },
        llm: { provider: 'ollama', model: 'llama3' },
        weather: { defaultLocation: 'London' },
        ws_url: `ws://${host}/ws`,
      });
      expect(r.text).not.toContain(KEY);
    }
  });

  it('GET /health at the root of the dashboard port → {"status": "ok"} (health_handler)', async () => {
    expect(await call(dash, 'GET', '/health')).toMatchObject({ status: 200, json: { status: 'ok' } });
  });

  it('GET /api/cost and /cost → get_global_cost_info() {period, period_key, spend_usd, limit_usd, pct_used, limit_reached, warning}, ours beside (cost_handler)', async () => {
    for (const path of ['/api/cost', '/cost']) {
      const r = await call(dash, 'GET', path);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ period: 'monthly', period_key: expect.stringMatching(/^\d{4}-\d{2}$/), spend_usd: 0, limit_usd: null, pct_used: null, limit_reached: false, warning: false });
      expect(r.json.total).toMatchObject({ calls: expect.any(Number) }); // our dashboard's fields, beside
    }
  });

  it('POST /api/cost/limit {limit_usd, period} → {ok, limit_usd, period}; 400 "period must be daily, weekly, or monthly" (cost_limit_handler)', async () => {
    expect(await call(dash, 'POST', '/api/cost/limit', { limit_usd: 10, period: 'weekly' })).toMatchObject({ status: 200, json: { ok: true, limit_usd: 10, period: 'weekly' } });
    expect((await call(dash, 'GET', '/api/cost')).json).toMatchObject({ period: 'weekly', period_key: expect.stringMatching(/^\d{4}-W\d{2}$/), limit_usd: 10, pct_used: 0 });
    expect(await call(dash, 'POST', '/cost/limit', { limit_usd: '2.5' })).toMatchObject({ status: 200, json: { ok: true, limit_usd: 2.5, period: 'monthly' } }); // float(), default monthly
    expect(await call(dash, 'POST', '/api/cost/limit', { limit_usd: 1, period: 'yearly' })).toMatchObject({ status: 400, json: { error: 'period must be daily, weekly, or monthly' } });
    expect(await call(dash, 'POST', '/api/cost/limit', { limit_usd: 'lots' })).toMatchObject({ status: 400, json: { error: 'limit_usd must be a number' } });
    expect(await call(dash, 'POST', '/api/cost/limit', {})).toMatchObject({ status: 200, json: { ok: true, limit_usd: 0, period: 'monthly' } }); // 0: no limit
    expect((await call(dash, 'GET', '/api/cost')).json).toMatchObject({ limit_usd: null, period: 'monthly' });
  });

  it('POST /api/cost/reset → {ok: true, …get_global_cost_info()} with spend 0 (cost_reset_handler)', async () => {
    for (const path of ['/api/cost/reset', '/cost/reset']) {
      expect(await call(dash, 'POST', path)).toMatchObject({ status: 200, json: { ok: true, period: 'monthly', spend_usd: 0, limit_reached: false } });
    }
  });

  it('GET /api/actors/{actor_id}/history → the visible turns [{role, content}], by name or id; [] for an agent without one (actor_history_handler)', async () => {
    await call(dash, 'POST', '/api/chat', { message: 'remember this turn' });
    for (const who of ['main', actorIdFor('main')]) {
      const r = await call(dash, 'GET', `/api/actors/${who}/history`);
      expect(r.status).toBe(200);
      const turns = r.json as Json[];
      expect(turns.every((t) => (t.role === 'user' || t.role === 'assistant') && typeof t.content === 'string')).toBe(true);
      expect(turns.slice(-2)).toMatchObject([{ role: 'user', content: 'remember this turn' }, { role: 'assistant', content: expect.stringContaining('Hello from the scripted model') }]);
    }
    expect(await call(dash, 'GET', '/actors/echo/history')).toMatchObject({ status: 200, json: [] });
    expect(await call(dash, 'GET', '/api/actors/nobody/history')).toMatchObject({ status: 200, json: [] });
  });

  it('GET /api/chats?agent&role&since&limit → chat_log rows {id, ts, agent_name, role, content, session_id, attachments}, newest first (chat_log_handler)', async () => {
    const all = await call(dash, 'GET', '/api/chats');
    expect(all.status).toBe(200);
    const rows = all.json as Json[];
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows[0]).toMatchObject({ id: expect.any(Number), ts: expect.any(Number), agent_name: 'main', role: 'assistant', session_id: expect.any(String), attachments: [] });
    expect(rows[1]).toMatchObject({ agent_name: 'main', role: 'user', content: 'remember this turn' });
    const users = (await call(dash, 'GET', '/chats?agent=main&role=user&limit=1')).json as Json[];
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ role: 'user', content: 'remember this turn' });
    expect((await call(dash, 'GET', `/api/chats?since=${rows[0].ts}`)).json).toEqual([]);
    expect(await call(dash, 'GET', '/api/chats?limit=none')).toMatchObject({ status: 400, json: { error: 'invalid query' } });
  });

  it('GET /feed at the dashboard root → the feed seed [{type: "chat", label, agentName, role, timestamp, _seq, _agent}], oldest first (feed_handler)', async () => {
    const r = await call(dash, 'GET', '/feed');
    expect(r.status).toBe(200);
    const items = r.json as Json[];
    expect(items.at(-1)).toMatchObject({ type: 'chat', agentName: 'main', _agent: 'main', role: 'assistant', timestamp: expect.any(Number), _seq: items.length - 1 });
    expect(items.at(-2)).toMatchObject({ label: 'remember this turn', role: 'user' });
    // /api/feed stays our activity feed (the dashboard's Activity view): {events, more}.
    expect((await call(dash, 'GET', '/api/feed')).json).toMatchObject({ events: expect.any(Array) });
  });

  it('POST /api/reset {scope, agent?} → {status: "ok", scope, agent}; 400 "scope must be one of [...]" (reset_handler)', async () => {
    expect(await call(dash, 'POST', '/api/reset', { scope: 'chat', agent: 'main' })).toMatchObject({ status: 200, json: { status: 'ok', scope: 'chat', agent: 'main' } });
    expect((await call(dash, 'GET', '/api/actors/main/history')).json).toEqual([]);
    expect((await call(dash, 'GET', '/api/chats?agent=main')).json).toEqual([]);
    expect(await call(dash, 'POST', '/api/reset', { scope: 'logs', agent: '' })).toMatchObject({ status: 200, json: { status: 'ok', scope: 'logs', agent: null } });
    expect(await call(dash, 'POST', '/api/reset', { scope: 'everything' })).toMatchObject({ status: 400, json: { error: "scope must be one of ['all', 'chat', 'logs', 'metrics', 'spawns', 'state']" } });
    expect(await call(dash, 'POST', '/api/reset', {})).toMatchObject({ status: 400, json: { error: "scope must be one of ['all', 'chat', 'logs', 'metrics', 'spawns', 'state']" } });
    expect(await call(dash, 'POST', '/api/reset', 'not json')).toMatchObject({ status: 400 });
    // Differs on purpose: a protected agent's state is not cleared; the spawn registry is not cleared under running agents.
    expect(await call(dash, 'POST', '/api/reset', { scope: 'state', agent: 'main' })).toMatchObject({ status: 403, json: { error: 'actor is protected' } });
    expect(await call(dash, 'POST', '/api/reset', { scope: 'spawns' })).toMatchObject({ status: 501, json: { error: 'scope spawns is not supported' } });
    expect(hub.system.get('echo')?.state).toBe('running');
  });
});

describe('what a web page of another origin can do with the surfaces this contract opens (no API_KEY, loopback)', () => {
  let open: WactorzHandle;
  let openDir: string;
  beforeAll(async () => {
    openDir = mkdtempSync(join(tmpdir(), 'wz-contract-open-'));
    open = await startWactorz({ stateDir: openDir, llm: { provider: 'none' }, interface: 'none', monitorPort: 0, mqtt: { port: 0 } }, { log: silentLogger, env: {} });
    const r = await fetch(`${open.dashboardUrl}/api/agents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'target', code: ECHO }) });
    if (r.status !== 201) throw new Error(await r.text());
  }, 60_000);
  afterAll(async () => {
    await open?.stop();
    rmSync(openDir, { recursive: true, force: true });
  });

  const evil = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };

  it('cannot read /api/config or /api/actors: no CORS header lets the browser hand it the body', async () => {
    for (const path of ['/api/config', '/api/actors', '/api/actors/target/metrics', '/api/ha-map']) {
      const r = await fetch(`${open.dashboardUrl}${path}`, { headers: evil });
      expect(r.headers.get('access-control-allow-origin'), path).toBeNull();
    }
    const pre = await fetch(`${open.dashboardUrl}/api/actors/target/pause`, { method: 'OPTIONS', headers: { ...evil, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('cannot use the root aliases at all: 403 for a cross-site or foreign-origin request, nothing happens', async () => {
    for (const [method, path] of [['GET', '/config'], ['GET', '/actors'], ['POST', '/actors/target/pause'], ['DELETE', '/actors/target'], ['POST', '/chat'], ['GET', '/cost'], ['POST', '/cost/limit'], ['POST', '/cost/reset'], ['GET', '/chats'], ['GET', '/feed'], ['GET', '/actors/main/history'], ['POST', '/reset']] as const) {
      for (const headers of [evil, { origin: 'http://127.0.0.1:1' }, { origin: 'null' }, { 'sec-fetch-site': 'same-site' }] as Record<string, string>[]) {
        const r = await fetch(`${open.dashboardUrl}${path}`, { method, headers: { ...headers, 'content-type': 'text/plain' }, ...(method === 'GET' ? {} : { body: '{"message":"hi"}' }) });
        expect(r.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
      }
    }
    expect(open.system.get('target')?.state).toBe('running');
    // A script (no Origin) and the page's own origin still work.
    expect((await fetch(`${open.dashboardUrl}/actors`)).status).toBe(200);
    expect((await fetch(`${open.dashboardUrl}/actors`, { headers: { origin: open.dashboardUrl!, 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
  });

  it('cannot post a simple (text/plain) body as JSON: /chat and /message refuse it', async () => {
    for (const path of ['/api/chat', '/api/actors/target/message']) {
      const r = await fetch(`${open.dashboardUrl}${path}`, { method: 'POST', headers: { ...evil, 'content-type': 'text/plain' }, body: '{"message":"hi","content":"x"}' });
      expect(r.status, path).toBeGreaterThanOrEqual(400);
    }
  });

  it('cannot raise the spend limit, reset the totals or clear anything under /api/: refused as JSON or as a simple body', async () => {
    const before = await (await fetch(`${open.dashboardUrl}/api/cost`)).json();
    for (const [path, body] of [['/api/cost/limit', { limit_usd: 1000 }], ['/api/cost/reset', {}], ['/api/reset', { scope: 'all' }]] as const) {
      for (const type of ['application/json', 'text/plain']) {
        const r = await fetch(`${open.dashboardUrl}${path}`, { method: 'POST', headers: { ...evil, 'content-type': type }, body: JSON.stringify(body) });
        expect(r.status, `${path} ${type}`).toBe(403); // cross-site: refused before the body is read
        expect(r.headers.get('access-control-allow-origin')).toBeNull();
      }
    }
    // A simple body from no page at all is still not JSON: 415, nothing read.
    const simple = await fetch(`${open.dashboardUrl}/api/cost/limit`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"limit_usd": 1000}' });
    expect(simple.status).toBe(415);
    expect(await (await fetch(`${open.dashboardUrl}/api/cost`)).json()).toEqual(before);
    // The dashboard's own page may (same origin).
    const own = await fetch(`${open.dashboardUrl}/api/cost/limit`, { method: 'POST', headers: { origin: open.dashboardUrl!, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, body: '{"limit_usd": 3}' });
    expect(own.status).toBe(200);
  });
});
