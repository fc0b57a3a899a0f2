/**
 * Issue 15, the rest of the original's agent API: its LLM shims (`agent.chat`, `complete`,
 * `ask_llm`, `agent.llm.converse`, and `agent.llm.chat`/`complete` with its arguments), its
 * StreamWindow statistics on `agent.window`, and the final metrics (`final: true`) every actor
 * publishes when it stops. From real agent code in real sandboxes on a real hub, its LLM the
 * scripted server (which records what each call sent), read by a real MQTT client on the hub's
 * broker; the final metrics also from an agent on a real node.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { hubTest as test } from '../../testing/hub-fixture.js';
import { waitUntil } from '../../testing/wait.js';
import { actorIdFor } from '../../core/actor-id.js';
import { connectRecordingClient, type RecordingClient } from '../../broker/testing/mqtt-test-client.js';
import { metricsSchema, statusSchema } from '../../../shared/mqtt-payloads.js';
import { reply } from '../../llm/testing/scripted-reply.js';
import { startNode, type RunningNode } from '../../nodes/index.js';
import { installEnrollment } from '../../nodes/trust/node-fleet-key.js';
import { StateSaver } from './state-saver.js';

test.override('hubOptions', { llm: 'scripted' });

/** Runs `p.expr` (an awaited expression over `agent`) in the agent; `{ok, value}` or `{ok: false, error}`. */
const PROBE = `export async function handle_task(agent, p) {
  try { return { ok: true, value: await (new Function('agent', 'return (async () => (' + p.expr + '))()'))(agent) }; }
  catch (e) { return { ok: false, error: String(e && e.message || e) }; }
}`;

type Turn = { role: string; content: string };
let mqtt: RecordingClient;
let node: RunningNode | undefined;
let nodeDir: string | undefined;
const on = (topic: string) => mqtt.received.filter((m) => m.topic === topic);

afterAll(async () => {
  await node?.stop();
  if (nodeDir) rmSync(nodeDir, { recursive: true, force: true });
  await mqtt?.end();
});

const probe = async (hub: { rest: (m: string, p: string, b?: unknown) => Promise<{ status: number; body: unknown }> }, name: string, expr: string) => {
  const r = await hub.rest('POST', `/agents/${name}/tasks`, { payload: { expr } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body as { result: { ok: boolean; value?: unknown; error?: string } }).result;
};

test('the agents, the scripted LLM, and a client of the original on the hub broker', async ({ hub }) => {
  // The LLM answers `show …` with the messages it was sent (so a test sees what a shim sent), anything else with `re: …`.
  hub.llm!.respond('openai', (req) => {
    const body = req.body as { messages: Turn[] };
    const last = body.messages.at(-1)!.content;
    return last.startsWith('show') ? JSON.stringify(body.messages) : `re: ${last.slice(0, 40)}`;
  });
  const create = async (name: string, extra: Record<string, unknown> = {}) => {
    const r = await hub.rest('POST', '/agents', { name, code: PROBE, ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  };
  await create('talker', { subscribes: ['sensors/#'] });
  // Refused the LLM: its budget is nothing (what approvals give an agent whose LLM use is withheld).
  await create('broke', { config: { llm_budget_usd: 0 } });
  mqtt = await connectRecordingClient(`mqtt://127.0.0.1:${hub.handle.mqttPort}`);
  await mqtt.subscribe(['agents/#']);
});

test("the original's LLM shims reach the hub's LLM with the original's arguments (both spellings)", async ({ hub }) => {
  const sent = async (expr: string) => {
    const r = await probe(hub, 'talker', expr);
    expect(r.ok, r.error).toBe(true);
    return JSON.parse(r.value as string) as Turn[];
  };
  // agent.chat(messages | prompt, system, timeout): the system string becomes the system prompt.
  expect(await sent("agent.chat('show a prompt', 'Be brief.', 20)")).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'show a prompt' }]);
  const turns = "[{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'show the turns' }]";
  expect(await sent(`agent.complete(${turns})`)).toEqual([{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'show the turns' }]);
  // ask_llm / askLlm: one question, and a system.
  expect(await sent("agent.ask_llm('show one question', 'Answer in one word.')")).toEqual([{ role: 'system', content: 'Answer in one word.' }, { role: 'user', content: 'show one question' }]);
  expect(await probe(hub, 'talker', "agent.askLlm('ping')")).toEqual({ ok: true, value: 're: ping' });
  expect(await probe(hub, 'talker', 'agent.ask_llm === agent.askLlm')).toEqual({ ok: true, value: true });
  // agent.llm.chat(prompt, system) and agent.llm.complete(messages, system): the original's forms of ours.
  expect(await sent("agent.llm.chat('show llm.chat', 'a system string')")).toEqual([{ role: 'system', content: 'a system string' }, { role: 'user', content: 'show llm.chat' }]);
  expect(await sent(`agent.llm.complete(${turns}, 'sys')`)).toEqual([{ role: 'system', content: 'sys' }, { role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'show the turns' }]);
  // Ours still as they were.
  expect(await sent("agent.llm.chat([{ role: 'user', content: 'show ours' }], { system: 'S' })")).toEqual([{ role: 'system', content: 'S' }, { role: 'user', content: 'show ours' }]);
  // The shims' timeout: '' when the LLM is slower (the original's answer), the call itself not undone.
  hub.llm!.script('openai', [reply.text('too late', { delayMs: 2_000 })]);
  const requests = hub.llm!.requests.length;
  expect(await probe(hub, 'talker', "agent.ask_llm('slow', '', 0.2)")).toEqual({ ok: true, value: '' });
  await hub.llm!.waitForRequests(requests + 1); // it did reach the LLM (and took the slow reply)
  // A bad argument is the agent's error, not a call.
  expect(await probe(hub, 'talker', 'agent.askLlm(42)')).toMatchObject({ ok: false, error: expect.stringMatching(/prompt must be a non-empty string/) });
});


test('the shims are compiled when first used, with the built-ins the prelude took: an agent that replaced them before still gets them right', async ({ hub }) => {
  const r = await hub.rest('POST', '/agents', { name: 'rewriter', code: PROBE });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const rewrite = "(Reflect.apply = () => 'forged', Array.isArray = () => false, Object.entries = () => [], Number.isFinite = () => false, 'rewritten')";
  expect(await probe(hub, 'rewriter', rewrite)).toEqual({ ok: true, value: 'rewritten' });
  const asked = await probe(hub, 'rewriter', "agent.ask_llm('show the question', 'Answer in one word.')");
  expect(asked.ok, asked.error).toBe(true);
  expect(JSON.parse(asked.value as string)).toEqual([{ role: 'system', content: 'Answer in one word.' }, { role: 'user', content: 'show the question' }]);
  const turns = await probe(hub, 'rewriter', "agent.chat([{ role: 'user', content: 'show the turns' }], 'Be brief.')");
  expect(turns.ok, turns.error).toBe(true);
  expect(JSON.parse(turns.value as string)).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'show the turns' }]);
});
test('agent.llm.converse keeps the conversation in agent.state._chat_history, bounded', async ({ hub }) => {
  expect(await probe(hub, 'talker', "agent.llm.converse('my name is Ada', 'You remember names.')")).toEqual({ ok: true, value: 're: my name is Ada' });
  const second = await probe(hub, 'talker', "agent.llm.converse('show: what is my name?', 'You remember names.')");
  expect(JSON.parse(second.value as string)).toEqual([
    { role: 'system', content: 'You remember names.' },
    { role: 'user', content: 'my name is Ada' },
    { role: 'assistant', content: 're: my name is Ada' },
    { role: 'user', content: 'show: what is my name?' },
  ]);
  expect(await probe(hub, 'talker', 'agent.state._chat_history.length')).toEqual({ ok: true, value: 4 });
  // Bounded: the oldest exchanges go past 40 messages…
  const many = await probe(hub, 'talker', "(async () => { for (let i = 0; i < 25; i++) await agent.llm.converse('turn ' + i); const h = agent.state._chat_history; return [h.length, h[0].content, h.at(-1).content]; })()");
  expect(many).toEqual({ ok: true, value: [40, 'turn 5', 're: turn 24'] });
  // …and past 32 000 characters; the newest exchange always stays.
  const big = await probe(hub, 'talker', "(async () => { await agent.llm.converse('a'.repeat(20000)); await agent.llm.converse('b'.repeat(20000)); const h = agent.state._chat_history; return [h.length, h[0].content.slice(0, 1), h.reduce((n, m) => n + m.content.length, 0) <= 32000]; })()");
  expect(big).toEqual({ ok: true, value: [2, 'b', true] });
  // It is saved with the rest of the state (what a restart, hot-swap or move starts from).
  await waitUntil(async () => ((await StateSaver.load(hub.handle.system.persistence, 'talker'))?._chat_history as unknown[] | undefined)?.length === 2, 'the saved history');
  // Cleared by the agent, as the original's could.
  expect(await probe(hub, 'talker', "(agent.state._chat_history = [], agent.llm.converse('fresh')).then(() => agent.state._chat_history.length)")).toEqual({ ok: true, value: 2 });
  // Two in flight at once: both exchanges are kept.
  const both = await probe(hub, 'talker', "Promise.all([agent.llm.converse('one'), agent.llm.converse('two')]).then(() => agent.state._chat_history.map((m) => m.content).sort())");
  expect(both).toEqual({ ok: true, value: ['fresh', 'one', 're: fresh', 're: one', 're: two', 'two'] });
});

test('an agent refused the LLM is refused every shim too, and nothing reaches the LLM', async ({ hub }) => {
  const before = hub.llm!.requests.length;
  for (const expr of ["agent.chat('hi')", "agent.complete('hi')", "agent.ask_llm('hi')", "agent.askLlm('hi', 'sys', 5)", "agent.llm.converse('hi')", "agent.llm.chat('hi', 'sys')", "agent.llm.complete([{ role: 'user', content: 'hi' }])"]) {
    expect(await probe(hub, 'broke', expr), expr).toMatchObject({ ok: false, error: expect.stringMatching(/spent its LLM budget/) });
  }
  // converse did not keep the refused turn.
  expect(await probe(hub, 'broke', 'agent.state._chat_history ?? null')).toEqual({ ok: true, value: null });
  expect(hub.llm!.requests.length).toBe(before);
});

test("agent.window answers the samples with the original StreamWindow's statistics", async ({ hub }) => {
  for (const c of [20, 21, 24]) await mqtt.publish('sensors/temp', JSON.stringify({ celsius: c, room: 'kitchen' }));
  await mqtt.publish('sensors/raw', '5');
  await mqtt.publish('sensors/raw', '7');
  await waitUntil(async () => (await probe(hub, 'talker', "agent.window('sensors/#', 60).then((w) => w.length)")).value === 5, 'the samples in the hub');
  const stats = await probe(
    hub,
    'talker',
    `agent.window('sensors/temp', 60).then((w) => ({
      length: w.length, keys: Object.keys(w), json: JSON.parse(JSON.stringify(w)).map((s) => s.payload.celsius), topics: w.map((s) => s.topic),
      iterated: [...w.values()].length, same: w.samples === w, topic: w.topic, seconds: w.seconds,
      mean: w.mean('celsius'), min: w.min('celsius'), max: w.max('celsius'), values: w.values('celsius'), count: w.count(),
      rising: w.rising('celsius', 3), rising5: w.rising('celsius', 5), falling: w.falling('celsius'), stable: w.stable('celsius'), stable5: w.stable('celsius', 5),
      latest: w.latest(), absent: w.absent_for(3600), absentNow: w.absentFor(0),
      events: [w.event_count('room', 'kitchen'), w.eventCount('celsius', 21), w.eventCount('celsius', 99), w.eventCount(), w.eventCount('nothing')],
      noNumbers: w.mean('room'),
    }))`,
  );
  expect(stats).toEqual({
    ok: true,
    value: {
      length: 3,
      keys: ['0', '1', '2'],
      json: [20, 21, 24],
      topics: ['sensors/temp', 'sensors/temp', 'sensors/temp'],
      iterated: 3,
      same: true,
      topic: 'sensors/temp',
      seconds: 60,
      mean: 65 / 3,
      min: 20,
      max: 24,
      values: [20, 21, 24],
      count: 3,
      rising: true,
      rising5: false,
      falling: false,
      stable: false,
      stable5: true,
      latest: { celsius: 24, room: 'kitchen', _ts: expect.any(Number) },
      absent: false,
      absentNow: true,
      events: [3, 1, 0, 3, 0],
      noNumbers: null,
    },
  });
  // A payload that is not an object is the `value` (the original's default key); an empty window is absent.
  expect(await probe(hub, 'talker', "agent.window('sensors/raw', 60).then((w) => [w.mean(), w.values('value'), w.latest().value, w.rising(), w.rising('value', 3)])")).toEqual({ ok: true, value: [6, [5, 7], 7, true, false] });
  expect(await probe(hub, 'talker', "agent.window('sensors/none', 60).then((w) => [w.length, w.mean(), w.latest(), w.absent_for(1), w.stable(), w.count()])")).toEqual({ ok: true, value: [0, null, null, true, true, 0] });
  // The window still follows the agent's grant: a topic it did not declare is refused.
  expect(await probe(hub, 'talker', "agent.window('secret/#', 60)")).toMatchObject({ ok: false });
});

test('every actor stopping publishes one last metrics payload with final: true on the broker: a DynamicAgent, a built-in, an agent on a node', async ({ hub }) => {
  const finalOf = async (id: string, what: string) => {
    await waitUntil(() => on(`agents/${id}/metrics`).some((m) => m.payload.includes('"final":true')), `the final metrics of ${what}`);
    const all = on(`agents/${id}/metrics`).map((m) => metricsSchema.parse(JSON.parse(m.payload)));
    expect(all.filter((m) => m.final).length, what).toBe(1);
    // The last metrics payload, and the stopped status follows it.
    expect(all.at(-1)!.final, what).toBe(true);
    const at = mqtt.received.findIndex((m) => m.topic === `agents/${id}/metrics` && m.payload.includes('"final":true'));
    const statusAfter = () => mqtt.received.slice(at + 1).filter((m) => m.topic === `agents/${id}/status`);
    await waitUntil(() => statusAfter().length > 0, `the status after the final metrics of ${what}`);
    expect(statusSchema.parse(JSON.parse(statusAfter()[0]!.payload)).state, what).toBe('stopped');
    return all.at(-1)!;
  };

  // A DynamicAgent in the sandbox pool, deleted: its totals, LLM spend included, are in the final payload.
  expect((await hub.rest('DELETE', '/agents/talker')).status).toBe(200);
  const talker = await finalOf(actorIdFor('talker'), 'talker');
  expect(talker).toMatchObject({ actor_id: actorIdFor('talker'), final: true, tasks_completed: expect.any(Number) });
  expect(talker.tasks_completed).toBeGreaterThan(10);
  expect(talker.input_tokens).toBeGreaterThan(0);
  expect(talker.output_tokens).toBeGreaterThan(0);

  // A built-in, stopped with the original's command route.
  const builtIn = ((await hub.rest('GET', '/actors')).body as { name: string; kind: string; protected: boolean; state: string }[]).find((a) => a.kind === 'core' && !a.protected && a.state === 'running');
  expect(builtIn, 'an unprotected built-in').toBeDefined();
  expect((await hub.rest('POST', '/agents/command', { target: builtIn!.name, command: 'stop' })).status).toBe(200);
  await finalOf(actorIdFor(builtIn!.name), builtIn!.name);

  // An agent on a remote node (its own actor system and sandbox, on the hub's broker), deleted.
  nodeDir = mkdtempSync(join(tmpdir(), 'wz-final-node-'));
  const enrolled = await hub.rest('POST', '/nodes/n1/enroll');
  expect(enrolled.status).toBe(201);
  await installEnrollment(nodeDir, 'n1', (enrolled.body as { code: string }).code);
  node = await startNode({ name: 'n1', stateDir: nodeDir, broker: { url: `mqtt://127.0.0.1:${hub.handle.mqttPort}` }, heartbeatMs: 300, log: () => {} });
  const created = await hub.rest('POST', '/agents', { name: 'far', code: 'export async function handleTask(agent, p) { return p; }', node: 'n1' });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(((await hub.rest('POST', '/agents/far/tasks', { payload: 7 })).body as { result: unknown }).result).toBe(7);
  expect((await hub.rest('DELETE', '/agents/far')).status).toBe(200);
  expect(await finalOf(actorIdFor('far'), 'far on n1')).toMatchObject({ final: true, tasks_completed: 1 });
});
