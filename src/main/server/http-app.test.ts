import { json } from '../testing/http.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createHttpApp, listenHttp } from './http-app.js';
import type { HubApi } from './hub-api.js';
import type { AgentSummary } from '../../shared/rest.js';

// A small in-memory hub: these tests cover the HTTP layer (routing, validation, auth, SSE);
// the hub-level tests in wactorz.test.ts drive the same routes over the real actor system.
const agents: AgentSummary[] = [
  { id: 'id-main', name: 'main', state: 'running', protected: true, kind: 'core', last_heartbeat: 1, inbox_size: 0, restart_count: 0, messages_processed: 3 },
  { id: 'id-echo', name: 'echo', state: 'running', protected: false, kind: 'dynamic', last_heartbeat: 1, inbox_size: 0, restart_count: 0, messages_processed: 0 },
];
const find = (k: string) => agents.find((a) => a.id === k || a.name === k);
const hub: HubApi = {
  health: () => ({ status: 'ok', uptime: 1, actors: agents.length, llm: { provider: 'none', model: null, configured: false }, mqtt: { mode: 'embedded', state: 'connected', port: 1883 }, persistence: { ephemeral: 'memory' } }),
  listAgents: () => agents,
  getAgent: find,
  agentMetrics: (k) =>
    find(k)
      ? {
          ...{ actor_id: find(k)!.id, messages_processed: 3, errors: 0, uptime: 1, tasks_completed: 1, tasks_failed: 0, restart_count: 0 },
          ...{ messages_received: 3, messages_failed: 0, heartbeats: 1, last_message_at: 1, llm_input_tokens: 0, llm_output_tokens: 0, llm_cost_usd: 0, cost_usd: 0, cpu: null, mem: null, task: null },
        }
      : undefined,
  sendMessage: async (name, content) => ({ echoed: content, by: name }),
  command: async (name, command) => (find(name)!.protected && command !== 'resume' ? { ok: false, message: `${name} is protected: ${command} refused` } : { ok: true, message: `${command} sent` }),
  chat: async (message, { agentName, onChunk }) => {
    const words = `you said ${message}`.split(' ');
    for (const w of words) onChunk?.(w + ' ');
    return { agent: agentName ?? 'main', response: words.join(' ') + ' ' };
  },
  prometheusMetrics: () => 'wactorz_actors 2\n',
};

let app: FastifyInstance;
let api: FastifyInstance;
let base: string;
let dash: string;
let tokens: string[] = [];

beforeAll(async () => {
  app = await createHttpApp({ hub, accessTokens: () => tokens, apiPrefix: '' });
  base = `http://127.0.0.1:${await listenHttp(app, '127.0.0.1', 0, '--port')}`;
  const dir = mkdtempSync(join(tmpdir(), 'wz-dash-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Wactorz</title>');
  api = await createHttpApp({ hub, accessTokens: () => tokens, apiPrefix: '/api', dashboardDir: dir });
  dash = `http://127.0.0.1:${await listenHttp(api, '127.0.0.1', 0, '--monitor-port')}`;
});
afterAll(async () => {
  await app.close();
  await api.close();
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('original REST routes', () => {
  it('serves /health, /agents, /actors and /metrics', async () => {
    expect((await json(fetch(`${base}/health`))).status).toBe('ok');
    expect((await json(fetch(`${base}/agents`))).map((a: AgentSummary) => a.name)).toEqual(['main', 'echo']);
    expect(await json(fetch(`${base}/actors`))).toHaveLength(2);
    const m = await fetch(`${base}/metrics`);
    expect(m.headers.get('content-type')).toContain('text/plain');
    const text = await m.text();
    expect(text).toContain('wactorz_actors 2');
    // No HttpMetrics given: no HTTP families.
    expect(text).not.toContain('wactorz_http_requests_total');
  });

  it("finds an actor by id or by name; 404 in the original's words (text for curl, JSON for JSON clients)", async () => {
    expect((await json(fetch(`${base}/actors/id-echo`))).name).toBe('echo');
    expect((await json(fetch(`${base}/actors/echo/metrics`))).actor_id).toBe('id-echo');
    const r = await fetch(`${base}/actors/nope`);
    expect(r.status).toBe(404);
    expect(await r.text()).toBe('actor not found');
    const j = await fetch(`${base}/actors/nope`, { headers: { accept: 'application/json' } });
    expect(await json(j)).toMatchObject({ error: 'actor not found', detail: expect.stringContaining('nope') });
    expect(await json(fetch(`${dash}/api/actors/nope`))).toMatchObject({ error: 'actor not found' });
  });

  it('POST /actors/{id}/message sends content and returns the result', async () => {
    const r = await post(`${base}/actors/echo/message`, { content: { x: 1 } });
    expect(await json(r)).toEqual({ status: 'sent', actor: 'echo', result: { echoed: { x: 1 }, by: 'echo' } });
  });

  it('bad JSON is a 400 with a reason', async () => {
    const r = await post(`${base}/chat`, '{"message": ');
    expect(r.status).toBe(400);
    const body = await json(r);
    expect(body.error).toBe('invalid JSON body');
    expect(body.detail).toBeTruthy();
  });

  it('a body that fails the schema is a 400 that says why', async () => {
    const r = await post(`${base}/agents/command`, { target: 'echo', command: 'explode' });
    expect(r.status).toBe(400);
    expect(await json(r)).toMatchObject({ error: 'Invalid command', detail: expect.stringContaining('pause') });
    const c = await post(`${base}/chat`, { message: 'hi', agent_name: 42 });
    expect(c.status).toBe(400);
    expect((await json(c)).detail[0].path).toBe('agent_name');
  });

  it('commands: protected actors refuse destructive ones with 403', async () => {
    expect((await post(`${base}/actors/echo/pause`, {})).status).toBe(200);
    expect((await fetch(`${base}/actors/main`, { method: 'DELETE' })).status).toBe(403);
    expect((await post(`${base}/agents/command`, { target: 'main', command: 'stop' })).status).toBe(403);
  });

  it('POST /chat returns {status, agent, response}', async () => {
    const r = await post(`${base}/chat`, { message: 'hi' });
    expect(await json(r)).toEqual({ status: 'sent', agent: 'main', response: 'you said hi ' });
    const direct = await post(`${base}/chat`, { message: 'yo', agent_name: 'echo' });
    expect((await json(direct)).agent).toBe('echo');
  });

  it('POST /chat?stream=1 streams chunks as server-sent events, then done', async () => {
    const r = await post(`${base}/chat?stream=1`, { message: 'hello there' });
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    const text = await r.text();
    const chunks = [...text.matchAll(/^data: (\{"chunk".*\})$/gm)].map((m) => JSON.parse(m[1]!).chunk);
    expect(chunks.join('')).toBe('you said hello there ');
    expect(text).toMatch(/event: done\ndata: \{"status":"sent","agent":"main","response":"you said hello there "\}/);
  });

  it('requires the token when one is configured', async () => {
    tokens = ['s3cret'];
    try {
      expect((await fetch(`${base}/agents`)).status).toBe(401);
      expect((await fetch(`${base}/agents`, { headers: { 'x-api-key': 'wrong' } })).status).toBe(401);
      expect((await fetch(`${base}/agents`, { headers: { 'x-api-key': 's3cret' } })).status).toBe(200);
      expect((await fetch(`${dash}/api/agents`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
      // The dashboard's files stay public: the page needs them to ask for the token.
      expect((await fetch(`${dash}/`)).status).toBe(200);
    } finally {
      tokens = [];
    }
  });
});

describe('dashboard server', () => {
  it('serves the same API under /api and the app shell elsewhere', async () => {
    expect((await json(fetch(`${dash}/api/agents`)))).toHaveLength(2);
    expect(await (await fetch(`${dash}/`)).text()).toContain('<title>Wactorz</title>');
    expect(await (await fetch(`${dash}/agents/echo`)).text()).toContain('<title>Wactorz</title>');
    const r = await fetch(`${dash}/api/nope`);
    expect(r.status).toBe(404);
    expect((await json(r)).error).toBe('not found');
  });

  it('names the flag to change when the port is taken', async () => {
    const port = Number(new URL(dash).port);
    const other = await createHttpApp({ hub, accessTokens: () => [], apiPrefix: '/api' });
    await expect(listenHttp(other, '127.0.0.1', port, '--monitor-port')).rejects.toThrow(/already in use — choose another with --monitor-port/);
    await other.close();
  });
});
