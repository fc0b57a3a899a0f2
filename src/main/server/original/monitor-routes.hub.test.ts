/**
 * The spend limit and POST /reset through a real hub: LLM_COST_LIMIT_USD from the environment,
 * main's chats billed by the scripted OpenAI-compatible server (gpt-4o-mini, a priced model), the
 * refusal before the call goes out, the alert on MQTT, a person raising the limit, the counters
 * and the run-time limit across a restart, the `/ws` `reset` frame — and who may not touch any of
 * it: an anonymous client (API_KEY set), an agent (with and without `fetch_local`).
 * The original's bodies and errors route by route: original-contract.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../testing/test-hub.js';
import { reply } from '../../llm/testing/index.js';
import { waitUntil } from '../../testing/wait.js';
import { actorIdFor } from '../../core/actor-id.js';
import type { Alert } from '../../../shared/mqtt-payloads.js';
import { connectOriginalWs, type OriginalWsClient } from './ws/testing/original-ws-client.js';
import { costLimitResponseSchema, costResetResponseSchema, historyResponseSchema, resetResponseSchema } from '../../../shared/original-monitor.js';
import { resetFrameSchema } from '../../../shared/original-ws.js';
import { costSchema } from '../openapi/response-schemas.js';

const KEY = 'spend-key';
/** Runs `expr` in the agent and answers `{ok, value}` or `{ok: false, error}`. */
const PROBE = `export async function handleTask(agent, p) {
  try { return { ok: true, value: await (new Function('agent', 'p', 'return (async () => (' + p.expr + '))()'))(agent, p) }; }
  catch (e) { return { ok: false, error: String(e && e.message || e) }; }
}`;

let hub: TestHub;
const alerts: Alert[] = [];
const clients: OriginalWsClient[] = [];
/** Every call costs $0.12: 800 000 input tokens of gpt-4o-mini at $0.15 per million. */
const PRICED = reply.text('A priced answer', { usage: { inputTokens: 800_000, outputTokens: 0 } });

beforeAll(async () => {
  hub = await startTestHub({ llm: 'scripted', dashboard: true, env: { API_KEY: KEY, LLM_COST_LIMIT_USD: '0.3', LLM_COST_LIMIT_PERIOD: 'daily' } });
  hub.llm!.respond('*', PRICED);
  hub.handle.bus.subscribe('agents/+/alert', (_topic, payload) => alerts.push(JSON.parse(payload.toString()) as Alert));
  await hub.handle.bus.ready();
}, 60_000);
afterAll(async () => {
  for (const c of clients) await c.close();
  await hub?.stop();
});

const chat = async (message: string) => (await hub.rest<{ response: string }>('POST', '/chat', { message })).body.response;
const cost = async () => (await hub.api<Record<string, unknown>>('GET', '/cost')).body;
const llmCalls = () => hub.llm!.requestsFor('openai').length;

describe('the spend limit on a real hub', () => {
  it('refuses every LLM call once the period reaches LLM_COST_LIMIT_USD — before it goes out — with a clear reply and one alert', async () => {
    expect(await cost()).toMatchObject({ period: 'daily', limit_usd: 0.3, limit_source: 'env', spend_usd: 0, limit_reached: false, total: { calls: 0 } });
    expect(costSchema.safeParse(await cost()).success).toBe(true); // the documented schema is what the route answers
    let answer = '';
    for (let i = 0; i < 6 && !answer.includes('cost limit'); i++) answer = await chat(`question ${i}`);
    expect(answer).toMatch(/^Error: LLM cost limit of \$0\.30 reached for \d{4}-\d{2}-\d{2} \(\$0\.\d\d spent\)\. Blocking further LLM calls until the daily period rolls over/);
    const info = await cost();
    // Each call costs $0.12: the limit is passed on the call that crosses it, then nothing more goes out.
    expect(info).toMatchObject({ limit_reached: true, warning: true });
    expect(info.spend_usd as number).toBeGreaterThanOrEqual(0.36);
    expect(info.spend_usd as number).toBeLessThan(0.3 + 0.12 * 2);
    const calls = llmCalls();
    expect(await chat('one more')).toMatch(/cost limit/);
    expect(llmCalls()).toBe(calls); // nothing reached the provider
    const alert = await waitUntil(() => alerts.find((a) => a.severity === 'critical' && /cost limit/.test(a.message)), 'the limit alert');
    expect(alert).toMatchObject({ actor_id: actorIdFor('main'), name: 'main' });
    expect(alerts.filter((a) => a.severity === 'critical' && /cost limit/.test(a.message))).toHaveLength(1); // once, not per refused call
    expect(alerts.some((a) => a.severity === 'warning' && /LLM budget/.test(a.message))).toBe(true); // 80 % came first
  });

  it('a person raises it (POST /api/cost/limit): calls go out again; the run-time limit and the spend survive a restart; POST /api/cost/reset zeroes the spend', async () => {
    const raised = await hub.api('POST', '/cost/limit', { limit_usd: 5, period: 'daily' });
    expect(raised).toMatchObject({ status: 200, body: { ok: true, limit_usd: 5, period: 'daily' } });
    expect(costLimitResponseSchema.safeParse(raised.body).success).toBe(true);
    const calls = llmCalls();
    expect(await chat('after raising')).toContain('A priced answer');
    expect(llmCalls()).toBeGreaterThan(calls);
    const spent = (await cost()).spend_usd as number;
    expect(spent).toBeGreaterThan(0.36);

    await hub.restart();
    hub.llm!.respond('*', PRICED);
    expect(await cost()).toMatchObject({ limit_usd: 5, limit_source: 'runtime', spend_usd: spent, alltime_usd: spent });
    const reset = await hub.api('POST', '/cost/reset');
    expect(reset).toMatchObject({ status: 200, body: { ok: true, spend_usd: 0, alltime_usd: 0, limit_usd: 5 } });
    expect(costResetResponseSchema.safeParse(reset.body).success).toBe(true);
    // Our totals (what was spent, per agent) are history, not the limit's counters: a reset of the limit leaves them.
    expect(((await cost()).total as { cost_usd: number }).cost_usd).toBeGreaterThan(0.36);
  }, 60_000);
});

describe('who may not touch the money or clear anything', () => {
  const MONEY: [string, string, unknown?][] = [
    ['POST', '/cost/limit', { limit_usd: 1000 }],
    ['POST', '/cost/reset'],
    ['POST', '/reset', { scope: 'all' }],
    ['GET', '/chats'],
    ['GET', '/actors/main/history'],
  ];

  it('an anonymous client (API_KEY set): 401 on every port and path, nothing changes', async () => {
    await hub.api('POST', '/cost/limit', { limit_usd: 0.5, period: 'monthly' });
    const before = await cost();
    const dash = hub.url!.replace(/\/$/, '');
    for (const base of [hub.restUrl!, `${dash}/api`, dash]) {
      for (const [method, path, body] of MONEY) {
        const r = await fetch(`${base}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, ...(body ? { body: JSON.stringify(body) } : {}) });
        expect(r.status, `${method} ${base}${path}`).toBe(401);
      }
      expect((await fetch(`${base}/cost/limit`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'wrong' }, body: '{"limit_usd": 1000}' })).status).toBe(401);
    }
    expect(await cost()).toEqual(before);
  });

  it('an agent: agent.fetch refuses this machine; with fetch_local it reaches the port but has no key (401); agent code has no other way to the limit', async () => {
    for (const [name, capabilities] of [
      ['spender', ['fetch']],
      ['local-spender', ['fetch', 'fetch_local']],
    ] as const) {
      expect((await hub.rest('POST', '/agents', { name, code: PROBE, capabilities })).status).toBe(201);
    }
    const before = await cost();
    const port = new URL(hub.url!).port;
    const probe = async (name: string, expr: string) => (await hub.rest<{ result: { ok: boolean; value?: unknown; error?: string } }>('POST', `/agents/${name}/tasks`, { payload: { expr } })).body.result;
    for (const path of ['/api/cost/limit', '/cost/limit', '/api/cost/reset', '/api/reset']) {
      const attempt = `agent.fetch('http://127.0.0.1:${port}${path}', { method: 'POST', body: { limit_usd: 1000, scope: 'all' } }).then((r) => r.status)`;
      expect(await probe('spender', attempt), path).toMatchObject({ ok: false, error: expect.stringMatching(/this machine/) });
      expect(await probe('local-spender', attempt), path).toEqual({ ok: true, value: 401 });
    }
    // Nor read what the user said to main (the chat log, main's conversation).
    for (const path of ['/api/chats', '/api/actors/main/history', '/chats']) {
      expect(await probe('local-spender', `agent.fetch('http://127.0.0.1:${port}${path}').then((r) => r.status)`), path).toEqual({ ok: true, value: 401 });
    }
    // The agent API offers nothing that changes a limit or a total.
    expect(await probe('spender', `['setLimit', 'set_cost_limit', 'resetCost', 'reset_global_cost', 'cost'].filter((k) => k in agent)`)).toEqual({ ok: true, value: [] });
    expect(await cost()).toEqual(before);
  }, 60_000);
});

describe('POST /api/reset on a real hub', () => {
  it("every /ws client gets the original's `reset` frame; the scopes clear what they say and keep what they say", async () => {
    const ws = await connectOriginalWs(`${hub.url!.replace(/^http/, 'ws')}ws`, { origin: hub.url!.replace(/\/$/, ''), 'x-api-key': KEY });
    clients.push(ws);
    await chat('something to forget');
    expect(((await hub.api<unknown[]>('GET', '/chats')).body).length).toBeGreaterThan(0);
    const history = (await hub.api('GET', '/actors/main/history')).body;
    expect(historyResponseSchema.safeParse(history).success).toBe(true);
    expect(history).toContainEqual(expect.objectContaining({ role: 'user', content: 'something to forget' }));
    const from = ws.frames.length;
    const cleared = await hub.api('POST', '/reset', { scope: 'chat' });
    expect(cleared).toMatchObject({ status: 200, body: { status: 'ok', scope: 'chat', agent: null, cleared: { chat_log: expect.any(Number) } } });
    expect(resetResponseSchema.safeParse(cleared.body).success).toBe(true);
    const frame = await ws.next((f) => f.type === 'reset', 'the reset frame', from);
    expect(resetFrameSchema.safeParse(frame).success).toBe(true);
    expect(frame).toMatchObject({ type: 'reset', scope: 'chat', agent: null, state: { agents: expect.any(Array), log_feed: [], alerts: [] } });
    expect((await hub.api('GET', '/chats')).body).toEqual([]);
    expect((await hub.api('GET', '/actors/main/history')).body).toEqual([]);

    // state: an unprotected agent's persisted values go; the agent keeps running.
    const persist = `agent.persist('note', 'kept').then(() => agent.recall('note'))`;
    expect(await hub.rest('POST', '/agents/spender/tasks', { payload: { expr: persist } })).toMatchObject({ body: { result: { ok: true, value: 'kept' } } });
    expect(await hub.api('POST', '/reset', { scope: 'state', agent: 'spender' })).toMatchObject({ status: 200, body: { cleared: { state: 1 } } });
    expect(await hub.rest('POST', '/agents/spender/tasks', { payload: { expr: `agent.recall('note').then((v) => v ?? null)` } })).toMatchObject({ body: { result: { ok: true, value: null } } });
    expect(hub.handle.system.get('spender')?.state).toBe('running');
    expect(await hub.api('POST', '/reset', { scope: 'state', agent: 'nobody' })).toMatchObject({ status: 404, body: { error: 'actor not found' } });

    // metrics: the cost per agent and in total; the limit's counters stay (only POST /cost/reset clears them).
    await chat('spend a little');
    const spendBefore = (await cost()).spend_usd;
    expect(await hub.api('POST', '/reset', { scope: 'metrics' })).toMatchObject({ status: 200 });
    expect(await cost()).toMatchObject({ total: { calls: 0, cost_usd: 0 }, agents: {}, spend_usd: spendBefore });
    expect(hub.handle.system.get('main')?.state).toBe('running');
  }, 60_000);
});
