/**
 * Issue 15: agents written for the original Wactorz keep working. Each call of the original's agent
 * API (publish_result, publish_detection, world state, send_to_many, delegate, declare_contract,
 * nodes(), capabilities(), notify_user) and each per-task topic (result, detections, completed,
 * errors, data/{key}) is exercised from real agent code in real sandboxes on a real hub, and what it
 * publishes is read by a real MQTT client on the hub's broker, as the original's dashboards and
 * scripts would read it. Every publish stays in the agent's own namespace (`agents/{id}/…`,
 * `agents/{name}/…`): another agent's is refused.
 */
import { afterAll, expect } from 'vitest';
import { hubTest as test } from '../../testing/hub-fixture.js';
import { waitUntil } from '../../testing/wait.js';
import { actorIdFor } from '../../core/actor-id.js';
import { connectRecordingClient, type RecordingClient } from '../../broker/testing/mqtt-test-client.js';
import { agentErrorEventSchema, manifestSchema } from '../../../shared/mqtt-payloads.js';
import { TopicRules } from '../../grants/topic-rules.js';

// Said even when it is the default: modules are shared between files (isolate: false), and so is an earlier file's override.
test.override('hubOptions', {});

/** Runs `p.expr` (an awaited expression over `agent`) in the agent; `{ok, value}` or `{ok: false, error}`. */
const PROBE = `export async function handle_task(agent, p) {
  try { return { ok: true, value: await (new Function('agent', 'return (async () => (' + p.expr + '))()'))(agent) }; }
  catch (e) { return { ok: false, error: String(e && e.message || e) }; }
}`;

let mqtt: RecordingClient;
const ids = { sensor: actorIdFor('sensor'), reader: actorIdFor('reader'), flaky: actorIdFor('flaky') };
const on = (topic: string) => mqtt.received.filter((m) => m.topic === topic);
const json = (topic: string): unknown[] => on(topic).map((m) => JSON.parse(m.payload));

afterAll(async () => {
  await mqtt?.end();
});

test('the agents, and a client of the original on the hub broker', async ({ hub }) => {
  const create = async (name: string, code: string, extra: Record<string, unknown> = {}) => {
    const r = await hub.rest('POST', '/agents', { name, code, ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  };
  await create('sensor', PROBE, { description: 'Detects people in the kitchen', capabilities: ['presence', 'vision'] });
  // It reads other agents' world state and asks them: declared (src/main/grants).
  await create('reader', PROBE, { subscribes: ['agents/+/data/#'], send_to: ['doubler', 'flaky', 'nobody'] });
  await create('doubler', 'export async function handle_task(agent, p) { return { doubled: p.n * 2 }; }');
  await create('flaky', 'export async function handle_task(agent, p) { if (p && p.ok) return "fine"; throw new Error("sensor offline"); }');
  mqtt = await connectRecordingClient(`mqtt://127.0.0.1:${hub.handle.mqttPort}`);
  await mqtt.subscribe(['agents/#']);
});

const probe = async (hub: { rest: (m: string, p: string, b?: unknown) => Promise<{ body: unknown }> }, name: string, expr: string) =>
  ((await hub.rest('POST', `/agents/${name}/tasks`, { payload: { expr } })).body as { result: { ok: boolean; value?: unknown; error?: string } }).result;

test('publish_result and publish_detection land on agents/{id}/result and detections', async ({ hub }) => {
  expect(await probe(hub, 'sensor', "(agent.publish_result({ temperature: 21.5 }), agent.publishDetection({ label: 'person', confidence: 0.9 }), 'sent')")).toEqual({ ok: true, value: 'sent' });
  await waitUntil(() => on(`agents/${ids.sensor}/detections`).length === 1, 'the detection on the broker');
  expect(json(`agents/${ids.sensor}/result`)).toEqual([{ temperature: 21.5 }]);
  expect(json(`agents/${ids.sensor}/detections`)).toEqual([{ label: 'person', confidence: 0.9 }]);
});

test('world state: written by name on agents/{name}/data/{key}, retained, and read by another agent by name and key or by topic', async ({ hub }) => {
  expect(await probe(hub, 'sensor', "(agent.publish_world_state('presence', { zone: 'kitchen', present: true }), 'shared')")).toEqual({ ok: true, value: 'shared' });
  await waitUntil(() => on('agents/sensor/data/presence').length === 1, 'the world state on the broker');
  expect(on('agents/sensor/data/presence')[0]).toMatchObject({ payload: JSON.stringify({ zone: 'kitchen', present: true }) });
  // Retained: a late reader (a fresh subscription) still gets it.
  const late = await connectRecordingClient(`mqtt://127.0.0.1:${hub.handle.mqttPort}`);
  try {
    await late.subscribe('agents/sensor/data/#');
    await waitUntil(() => late.received.length === 1, 'the retained world state for a late subscriber');
    expect(late.received[0]).toMatchObject({ topic: 'agents/sensor/data/presence', retain: true });
  } finally {
    await late.end();
  }
  expect(await probe(hub, 'reader', "agent.read_world_state('sensor', 'presence', 5)")).toEqual({ ok: true, value: { zone: 'kitchen', present: true } });
  expect(await probe(hub, 'reader', "agent.readWorldState('agents/sensor/data/presence', 5)")).toEqual({ ok: true, value: { zone: 'kitchen', present: true } });
  expect(await probe(hub, 'reader', "agent.readWorldState('sensor', 'nothing-here', 0.2)")).toEqual({ ok: true, value: null });
});

test('an agent writes only in its own namespace: another agent’s name or id is refused, nothing reaches the bus', async ({ hub }) => {
  const logs: string[] = [];
  const off = hub.handle.bus.subscribe(`agents/${ids.reader}/logs`, (_t, p) => logs.push(JSON.parse(p.toString()).message));
  try {
    await probe(hub, 'reader', "(agent.publish('agents/sensor/data/presence', { present: false }), agent.publish('agents/" + ids.sensor + "/result', { forged: true }), 1)");
    await waitUntil(() => logs.filter((l) => /another agent's namespace/.test(l)).length === 2, 'both refusals in the agent log');
  } finally {
    off();
  }
  // An agent named after another agent's id does not get that agent's namespace: such a name is
  // refused at creation (it is that agent's id), and the publish check would refuse it anyway.
  expect((await hub.rest('POST', '/agents', { name: ids.sensor, code: PROBE })).status).toBe(409);
  const none = { capabilities: [], publishes: [], subscribes: [], retained: [] };
  expect(new TopicRules({ id: actorIdFor(ids.sensor), name: ids.sensor }, none).checkPublish(`agents/${ids.sensor}/result`)).toMatch(/another agent's namespace/);
  expect(new TopicRules({ id: ids.reader, name: 'reader' }, none).checkPublish('agents/reader/data/k')).toBeUndefined();
  expect(json('agents/sensor/data/presence')).toEqual([{ zone: 'kitchen', present: true }]);
  expect(json(`agents/${ids.sensor}/result`)).toEqual([{ temperature: 21.5 }]);
});

test('send_to_many answers in order, a failed task in its place; delegate is send_to', async ({ hub }) => {
  const many = await probe(hub, 'reader', "agent.send_to_many([['doubler', { n: 2 }], { name: 'flaky', payload: {} }, ['nobody', {}], { name: 'doubler', payload: { n: 5 } }], 10)");
  expect(many).toMatchObject({ ok: true, value: [{ doubled: 4 }, { error: expect.stringMatching(/sensor offline/) }, { error: expect.stringMatching(/nobody/) }, { doubled: 10 }] });
  expect(await probe(hub, 'reader', "agent.delegate('doubler', { n: 21 }, 10)")).toEqual({ ok: true, value: { doubled: 42 } });
  expect(await probe(hub, 'reader', "agent.sendToMany('doubler')")).toMatchObject({ ok: false, error: expect.stringMatching(/must be a list/) });
});

test('declare_contract goes into the retained manifest (both spellings); it grants nothing', async ({ hub }) => {
  const manifestTopic = `agents/${ids.sensor}/manifest`;
  const contract = "{ publishes: ['home/kitchen/presence'], subscribes: ['agents/+/detections'], triggers_when: { person_detected: true }, produces_schema: { confidence: 'float' } }";
  expect(await probe(hub, 'sensor', `agent.declareContract(${contract}).then(() => 'declared')`)).toEqual({ ok: true, value: 'declared' });
  await waitUntil(() => on(manifestTopic).some((m) => m.payload.includes('triggers_when')), 'the manifest with the contract');
  const manifest = manifestSchema.parse(JSON.parse(on(manifestTopic).at(-1)!.payload));
  expect(manifest).toMatchObject({ name: 'sensor', publishes: expect.arrayContaining(['home/kitchen/presence']), subscribes: ['agents/+/detections'], triggers_when: { person_detected: true }, produces_schema: { confidence: 'float' }, consumes_schema: {} });
  // The original's positional form.
  expect(await probe(hub, 'reader', "agent.declare_contract(['reader/out'], ['agents/sensor/data/#'], { any: true }).then(() => 1)")).toEqual({ ok: true, value: 1 });
  await waitUntil(() => on(`agents/${ids.reader}/manifest`).some((m) => m.payload.includes('reader/out')), 'the positional contract in the manifest');
  expect(JSON.parse(on(`agents/${ids.reader}/manifest`).at(-1)!.payload)).toMatchObject({ subscribes: ['agents/sensor/data/#'], triggers_when: { any: true } });
  expect(await probe(hub, 'reader', "agent.declareContract({ publishes: 'not-a-list' })")).toMatchObject({ ok: false });
  expect(await probe(hub, 'reader', "agent.declareContract({ triggers_when: { big: 'x'.repeat(20000) } })")).toMatchObject({ ok: false, error: expect.stringMatching(/at most/) });
  // Declared again unchanged: not republished.
  const manifests = on(`agents/${ids.reader}/manifest`).length;
  expect(await probe(hub, 'reader', "agent.declare_contract(['reader/out'], ['agents/sensor/data/#'], { any: true }).then(() => 1)")).toEqual({ ok: true, value: 1 });
  // Declaring a topic does not open it: the namespace rule still holds.
  const logs: string[] = [];
  const off = hub.handle.bus.subscribe(`agents/${ids.reader}/logs`, (_t, p) => logs.push(JSON.parse(p.toString()).message));
  try {
    await probe(hub, 'reader', "agent.declareContract({ publishes: ['agents/sensor/data/presence'] }).then(() => agent.publish('agents/sensor/data/presence', 'forged'))");
    await waitUntil(() => logs.some((l) => /another agent's namespace/.test(l)), 'the refusal');
  } finally {
    off();
  }
  // The changed contract above was published; the unchanged one before it was not.
  await waitUntil(() => on(`agents/${ids.reader}/manifest`).length === manifests + 1, 'the changed contract in the manifest');
});

test('nodes() lists the fleet (none here), capabilities() the running agents and the catalog, by keyword', async ({ hub }) => {
  expect(await probe(hub, 'reader', 'agent.nodes()')).toEqual({ ok: true, value: [] });
  const kitchen = await probe(hub, 'reader', "agent.capabilities('vision')");
  expect(kitchen).toEqual({ ok: true, value: [expect.objectContaining({ name: 'sensor', description: 'Detects people in the kitchen', capabilities: ['presence', 'vision'], running: true, spawnable: false, input_schema: {}, kind: 'dynamic' })] });
  const all = (await probe(hub, 'reader', 'agent.capabilities()')).value as { name: string; spawnable: boolean; running: boolean }[];
  expect(all.map((c) => c.name)).toEqual(expect.arrayContaining(['main', 'sensor', 'reader', 'doubler']));
  expect(all.some((c) => c.spawnable && !c.running)).toBe(true); // catalog recipes not running
  expect(await probe(hub, 'reader', "agent.capabilities('no-such-thing-anywhere')")).toEqual({ ok: true, value: [] });
});

test('notify_user speaks in the chat on agents/{id}/chat; the snake_case names are the same functions', async ({ hub }) => {
  expect(await probe(hub, 'reader', "(agent.notify_user('Door left open', { severity: 'info' }), [agent.actor_id === agent.actorId, agent.mqtt_get === agent.mqttGet, agent.send_to === agent.sendTo, typeof agent.publish_detection])")).toEqual({ ok: true, value: [true, true, true, 'function'] });
  await waitUntil(() => on(`agents/${ids.reader}/chat`).length === 1, 'the chat message');
  expect(json(`agents/${ids.reader}/chat`)).toEqual([{ severity: 'info', from: 'reader', to: 'user', content: 'Door left open', timestamp: expect.any(Number) }]);
});

test('a failing handle_task is published on agents/{id}/errors; the third in a row is critical and degraded; a success resets the count', async ({ hub }) => {
  const topic = `agents/${ids.flaky}/errors`;
  // send_to_many above failed once on flaky: a success first, so that the count starts here.
  expect(((await hub.rest('POST', '/agents/flaky/tasks', { payload: { ok: true } })).body as { result: unknown }).result).toBe('fine');
  const before = on(topic).length;
  for (let i = 0; i < 3; i++) expect((await hub.rest('POST', '/agents/flaky/tasks', { payload: {} })).status).not.toBe(201);
  await waitUntil(() => on(topic).length === before + 3, 'three error events');
  const events = json(topic).slice(before).map((e) => agentErrorEventSchema.parse(e));
  expect(events.map((e) => [e.phase, e.consecutive, e.severity, e.degraded, e.fatal])).toEqual([
    ['handle_task', 1, 'warning', false, false],
    ['handle_task', 2, 'warning', false, false],
    ['handle_task', 3, 'critical', true, false],
  ]);
  expect(events[0]).toMatchObject({ actor_id: ids.flaky, name: 'flaky', error: expect.stringMatching(/sensor offline/), traceback: expect.any(String) });
  expect(((await hub.rest('POST', '/agents/flaky/tasks', { payload: { ok: true } })).body as { result: unknown }).result).toBe('fine');
  await hub.rest('POST', '/agents/flaky/tasks', { payload: {} });
  await waitUntil(() => on(topic).length === before + 4, 'the fourth error event');
  expect(agentErrorEventSchema.parse(json(topic)[before + 3])).toMatchObject({ consecutive: 1, severity: 'warning', degraded: false });
});
