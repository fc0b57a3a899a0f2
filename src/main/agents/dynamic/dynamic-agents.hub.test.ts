/**
 * DynamicAgents through the real hub (startWactorz): real SQLite state dir, real embedded aedes
 * broker, real sandboxes (QuickJS in worker threads), the REST routes on the REST port and under
 * /api on the dashboard. Create, read, hot-swap, roll back, delete; refusals with line/column;
 * state and subscriptions across hot-swaps and hub restarts; containment (an endless loop, a memory
 * bomb) and the supervisor's restarts until it gives up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWactorz } from '../../wactorz.js';
import type { WactorzHandle } from '../../wactorz-handle.js';
import { silentLogger } from '../../base/logger.js';
import { actorIdFor } from '../../core/actor-id.js';
import type { Json } from '../../testing/http.js';
import { waitUntil } from '../../testing/wait.js';

const dirs: string[] = [];
function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'wz-dyn-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const config = (dir: string) => ({ stateDir: dir, llm: { provider: 'none' as const }, interface: 'rest' as const, restPort: 0, monitorPort: 0, mqtt: { port: 0 } });
const start = (dir: string) => startWactorz(config(dir), { log: silentLogger, env: {} });

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const r = await fetch(`${base}${path}`, { method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

/** Counts what it gets on `test/<name>` (ids in order) and answers tasks with its state. */
const counter = (version: number) => `
export async function setup(agent) {
  agent.state.seen ??= [];
  agent.state.setups = (agent.state.setups ?? 0) + 1;
  agent.subscribe('test/' + agent.name, (msg) => { agent.state.seen.push('v${version}:' + msg.id); });
}
export async function handleTask(agent, payload) {
  if (payload && payload.add) agent.state.total = (agent.state.total ?? 0) + payload.add;
  return { version: ${version}, total: agent.state.total ?? 0, seen: agent.state.seen, setups: agent.state.setups };
}
`;

describe('DynamicAgents over REST (real hub)', () => {
  let hub: WactorzHandle;
  let dir: string;
  let rest: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Json }>;
  beforeAll(async () => {
    dir = stateDir();
    hub = await start(dir);
    rest = (m, p, b) => call(hub.restUrl!, m, p, b);
  });
  afterAll(() => hub?.stop());

  it('creates an agent (201), lists it as dynamic, answers its tasks and @mentions', async () => {
    const created = await rest('POST', '/agents', { name: 'counter', code: counter(1), description: 'Counts things', capabilities: ['counting'], subscribes: ['test/#'], config: { greeting: 'hi' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'counter', id: actorIdFor('counter'), version: 1, language: 'javascript', state: 'running', exports: { setup: true, handleTask: true } });

    const list = await rest('GET', '/agents');
    expect(list.body).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'counter', kind: 'dynamic', state: 'running', description: 'Counts things' })]));
    const task = await rest('POST', '/agents/counter/tasks', { payload: { add: 2 } });
    expect(task).toMatchObject({ status: 200, body: { result: { version: 1, total: 2 } } });
    const chat = await rest('POST', '/chat', { message: '@counter {"add": 3}' });
    expect(chat.body).toMatchObject({ agent: 'counter' });
    expect(JSON.parse(chat.body.response)).toMatchObject({ total: 5 });

    const d = await rest('GET', '/agents/counter');
    expect(d.body).toMatchObject({ name: 'counter', kind: 'dynamic', registered: true, spec: { type: 'dynamic', version: 1, description: 'Counts things', capabilities: ['counting'], config: { config: { greeting: 'hi' } } } });
    // The dashboard's origin serves the same API under /api.
    const viaDashboard = await call(hub.dashboardUrl!, 'GET', '/api/agents/counter/code');
    expect(viaDashboard.body).toMatchObject({ name: 'counter', code: counter(1), language: 'javascript', version: 1, versions: [{ version: 1 }] });
  });

  it('refuses a syntax error with line and column (400), a taken name (409), the name of a core actor (403)', async () => {
    const bad = await rest('POST', '/agents', { name: 'broken', code: 'export async function handleTask(agent, p) {\n  return { x: p ;\n}' });
    expect(bad.status).toBe(400);
    expect(bad.body.detail.diagnostics[0]).toMatchObject({ line: 2, severity: 'error' });
    expect(bad.body.detail.diagnostics[0].column).toBeGreaterThan(1);
    expect((await rest('GET', '/agents/broken')).status).toBe(404);
    expect((await rest('POST', '/agents', { name: 'counter', code: counter(9) })).status).toBe(409);
    expect((await rest('POST', '/agents', { name: 'main', code: counter(9) })).status).toBe(403);
    const throwsInSetup = await rest('POST', '/agents', { name: 'thrower', code: "export async function setup(agent) {\n  throw new Error('no config');\n}" });
    expect(throwsInSetup.status).toBe(400);
    expect(throwsInSetup.body.error).toMatch(/no config/);
    expect(throwsInSetup.body.detail.diagnostics[0]).toMatchObject({ line: 2 });
    expect(hub.system.get('thrower')).toBeUndefined();
  });

  it('hot-swaps: state kept, the subscription moves to the new version (each message handled once)', async () => {
    hub.bus.publish('test/counter', { id: 'a' });
    await waitUntil(() => hub.system.get('counter') !== undefined, 'the counter agent', 1000);
    let r = await rest('POST', '/agents/counter/tasks', { payload: {} });
    for (let i = 0; i < 100 && !r.body.result.seen.includes('v1:a'); i++) r = await rest('POST', '/agents/counter/tasks', { payload: {} });
    expect(r.body.result.seen).toEqual(['v1:a']);

    const swapped = await rest('PUT', '/agents/counter/code', { code: counter(2) });
    expect(swapped).toMatchObject({ status: 200, body: { version: 2, state: 'running' } });
    hub.bus.publish('test/counter', { id: 'b' });
    hub.bus.publish('test/counter', { id: 'c' });
    for (let i = 0; i < 200 && !r.body.result.seen.includes('v2:c'); i++) r = await rest('POST', '/agents/counter/tasks', { payload: {} });
    // Old subscription gone, new one made once: b and c once each, by v2; the state came along.
    expect(r.body.result).toMatchObject({ version: 2, total: 5, seen: ['v1:a', 'v2:b', 'v2:c'], setups: 2 });
  });

  it('refuses a failing version (syntax error, throw in setup) and keeps the old one running', async () => {
    const syntax = await rest('PUT', '/agents/counter/code', { code: 'export async function setup(agent) {\n  agent.subscribe(;\n}' });
    expect(syntax.status).toBe(400);
    expect(syntax.body.detail.diagnostics[0]).toMatchObject({ line: 2 });
    const setupThrows = await rest('PUT', '/agents/counter/code', { code: "export async function setup(agent) {\n  agent.subscribe('test/counter', () => {});\n  throw new Error('boom in setup');\n}" });
    expect(setupThrows.status).toBe(400);
    expect(setupThrows.body.error).toMatch(/previous version keeps running[\s\S]*boom in setup/);
    expect(setupThrows.body.detail).toMatchObject({ kind: 'bad_code', cause: 'crash', diagnostics: [expect.objectContaining({ line: 3 })] });
    // TypeScript: the place is in the source as written (type declarations vanish from the JavaScript that runs).
    const tsThrows = await rest('PUT', '/agents/counter/code', {
      code: "interface Config {\n  topic: string;\n}\nexport async function setup(agent: Agent) {\n  const c: Config = { topic: 'x' };\n  throw new Error('ts boom ' + c.topic);\n}",
      language: 'typescript',
    });
    expect(tsThrows.status).toBe(400);
    expect(tsThrows.body.detail.diagnostics[0]).toMatchObject({ line: 6, message: expect.stringMatching(/ts boom x/) });
    const ts = await rest('PUT', '/agents/counter/code', { code: "export async function setup(agent: Agent) {\n  agent.publsh('x', 1);\n}", language: 'typescript' });
    expect(ts.status).toBe(400);
    expect(ts.body.detail.diagnostics[0]).toMatchObject({ line: 2, column: 9, message: expect.stringMatching(/publsh/) });

    hub.bus.publish('test/counter', { id: 'd' });
    let r = await rest('POST', '/agents/counter/tasks', { payload: {} });
    for (let i = 0; i < 200 && !r.body.result.seen.includes('v2:d'); i++) r = await rest('POST', '/agents/counter/tasks', { payload: {} });
    expect(r.body.result).toMatchObject({ version: 2, seen: ['v1:a', 'v2:b', 'v2:c', 'v2:d'] });
    expect((await rest('GET', '/agents/counter/code')).body).toMatchObject({ version: 2, versions: [{ version: 2 }, { version: 1 }] });
  });

  it('serves any version for the diff and rolls back to it as a new version', async () => {
    expect((await rest('GET', '/agents/counter/versions/1')).body).toMatchObject({ name: 'counter', version: 1, code: counter(1), language: 'javascript' });
    expect((await rest('GET', '/agents/counter/code?version=1')).body).toMatchObject({ version: 1, code: counter(1) });
    expect((await rest('GET', '/agents/counter/versions/7')).status).toBe(404);
    const back = await rest('POST', '/agents/counter/rollback', { version: 1 });
    expect(back).toMatchObject({ status: 200, body: { version: 3, rolled_back_to: 1 } });
    const r = await rest('POST', '/agents/counter/tasks', { payload: {} });
    expect(r.body.result).toMatchObject({ version: 1, total: 5 });
    const code = await rest('GET', '/agents/counter/code');
    expect(code.body).toMatchObject({ version: 3, code: counter(1) });
    expect(code.body.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect((await rest('POST', '/agents/counter/rollback', { version: 42 })).status).toBe(404);
  });

  it('an endless loop in a task: 504 timeout ERROR, the hub answers meanwhile, the agent lives on', async () => {
    const spin = `export async function handleTask(agent, p) { if (p.spin) { agent.publish('spinner/spinning', 1); for (;;) {} } return 'alive'; }`;
    expect((await rest('POST', '/agents', { name: 'spinner', code: spin, publishes: ['spinner/#'], config: { call_timeout_ms: 1500 } })).status).toBe(201);
    const spinning: unknown[] = [];
    const off = hub.bus.subscribe('spinner/spinning', (_t, p) => spinning.push(p));
    await hub.bus.ready();
    const pending = rest('POST', '/agents/spinner/tasks', { payload: { spin: true }, timeout_ms: 20_000 });
    await waitUntil(() => spinning.length === 1, 'the task spinning in the agent\'s engine', 10_000);
    off();
    const t0 = performance.now();
    const list = await rest('GET', '/agents');
    const elapsed = performance.now() - t0;
    expect(list.status).toBe(200);
    expect(elapsed).toBeLessThan(1000);
    const res = await pending;
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ kind: 'timeout', error: expect.stringMatching(/1500 ms/) });
    expect((await rest('POST', '/agents/spinner/tasks', { payload: {} })).body).toEqual({ result: 'alive' });
  });

  it('a memory bomb: out_of_memory ERROR (502), the agent alone goes down and its supervisor restarts it', async () => {
    const bomb = `export async function handleTask(agent, p) { if (p.bomb) { const a = []; for (;;) a.push(new Array(10000).fill(a.length)); } return 'ok'; }`;
    expect((await rest('POST', '/agents', { name: 'bomber', code: bomb, config: { memory_mb: 16, restart_delay_ms: 50 } })).status).toBe(201);
    const res = await rest('POST', '/agents/bomber/tasks', { payload: { bomb: true } });
    expect(res.status).toBe(502);
    expect(res.body.kind).toBe('out_of_memory');
    await waitUntil(() => hub.system.get('bomber')?.state === 'running' && hub.system.get('bomber')!.restartCount === 1, 'bomber restarted', 15_000);
    expect((await rest('POST', '/agents/bomber/tasks', { payload: {} })).body).toEqual({ result: 'ok' });
    expect(hub.system.get('counter')!.state).toBe('running');
  });

  it('process that never ends crashes the agent; the supervisor restarts it, then gives up (failed + critical alert)', async () => {
    const alerts: string[] = [];
    const off = hub.bus.subscribe(`agents/${actorIdFor('looper')}/alert`, (_t, p) => alerts.push(JSON.parse(p.toString()).severity));
    try {
      const code = `export async function process(agent) { agent.state.ticks = (agent.state.ticks ?? 0) + 1; for (;;) {} }`;
      const created = await rest('POST', '/agents', { name: 'looper', code, config: { call_timeout_ms: 300, max_restarts: 2, restart_delay_ms: 50, poll_interval: 0.1 } });
      expect(created.status).toBe(201);
      // 'failed' after each crash until the restart; for good after the second restart crashed too.
      await waitUntil(() => hub.system.get('looper')?.state === 'failed' && hub.system.get('looper')!.restartCount === 2, 'looper given up', 30_000);
      await waitUntil(() => alerts.includes('critical'), 'critical alert', 5_000);
      const d = await rest('GET', '/agents/looper');
      expect(d.body).toMatchObject({ state: 'failed', restart_count: 2, registered: true });
      expect(hub.system.supervisor.isSupervised('looper')).toBe(true);
      // A fixed version brings it back (deployed into a fresh sandbox, supervised again).
      const fixed = await rest('PUT', '/agents/looper/code', { code: 'export async function process(agent) { agent.state.ticks = (agent.state.ticks ?? 0) + 1; }\nexport async function handleTask(agent) { return agent.state.ticks; }' });
      expect(fixed).toMatchObject({ status: 200, body: { version: 2, state: 'running' } });
      await waitUntil(() => hub.system.get('looper')?.state === 'running', 'looper running again', 5_000);
      const ticks = (await rest('POST', '/agents/looper/tasks', { payload: {} })).body.result;
      expect(ticks).toBeGreaterThan(0);
    } finally {
      off();
    }
  });

  it('deletes an agent from the registry (and stops it); core actors are refused with 403', async () => {
    expect((await rest('DELETE', '/agents/main')).status).toBe(403);
    expect((await rest('DELETE', '/agents/spinner')).body).toEqual({ name: 'spinner', removed: true });
    expect(hub.system.get('spinner')).toBeUndefined();
    expect((await rest('GET', '/agents/spinner')).status).toBe(404);
    expect((await rest('GET', '/agents/spinner/code')).status).toBe(404);
    expect((await rest('DELETE', '/agents/spinner')).status).toBe(404);
    // Deleting through the original's command route forgets it too.
    await rest('POST', '/agents/command', { target: 'bomber', command: 'delete' });
    expect((await rest('GET', '/agents/bomber')).status).toBe(404);
  });

  it('after a restart on the same state dir every registered agent is back with its code and state', async () => {
    await hub.stop();
    hub = await start(dir);
    // The hub serves at once and restores in the background; GET /health says when it is through.
    await waitUntil(async () => (await rest('GET', '/health')).body.restore?.state === 'done', 'the restore to finish');
    const names = ((await rest('GET', '/agents')).body as { name: string; state: string }[]).filter((a) => ['counter', 'looper', 'spinner', 'bomber'].includes(a.name));
    expect(names.map((a) => [a.name, a.state]).sort()).toEqual([
      ['counter', 'running'],
      ['looper', 'running'],
    ]);
    const r = await rest('POST', '/agents/counter/tasks', { payload: { add: 1 } });
    expect(r.body.result).toMatchObject({ version: 1, total: 6, seen: ['v1:a', 'v2:b', 'v2:c', 'v2:d'], setups: 4 });
    expect((await rest('GET', '/agents/counter/code')).body).toMatchObject({ version: 3, code: counter(1) });
    // Subscriptions are back too.
    hub.bus.publish('test/counter', { id: 'e' });
    let s = r;
    for (let i = 0; i < 200 && !s.body.result.seen.includes('v1:e'); i++) s = await rest('POST', '/agents/counter/tasks', { payload: {} });
    expect(s.body.result.seen.at(-1)).toBe('v1:e');
  });
});
