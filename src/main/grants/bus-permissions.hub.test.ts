/**
 * The bus permissions of agent code (issue 12 item 1), attacked on a real hub: agent code in the
 * sandbox tries every way out of its own namespace — fleet commands (`nodes/…`), the user's chat
 * (`io/…`), another agent's commands and data, tasks by name, the hub's `system/…`, reply topics,
 * Home Assistant's state topics (retained), undeclared topics, subscriptions to `#` and friends,
 * `sendTo` a core actor or an undeclared agent. Each is refused: an error in the agent (a rejected
 * call, or a line in its own log for fire-and-forget publish/subscribe), a line in the hub's log, a
 * refusal record (GET /approvals/refusals, its reason the action) — and nothing reaches an MQTT
 * client on the broker.
 * What it declared works: its own namespace (retained too), its declared topics, other agents'
 * data/… by declared subscription, asking an agent it named.
 *
 * Run twice: on the embedded broker, and on an external Mosquitto started by the test — the hub
 * enforces the same, since agent code never holds a broker connection of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mosquittoAvailability, startMosquitto, type MosquittoServer } from '../broker/testing/mosquitto.js';
import { connectRecordingClient, type RecordingClient } from '../broker/testing/mqtt-test-client.js';
import { actorIdFor } from '../core/actor-id.js';
import type { Json } from '../testing/http.js';
import { startTestHub, type TestHub } from '../testing/test-hub.js';
import { waitUntil } from '../testing/wait.js';

/** Runs one operation of `p` in the agent: `{ok, value}` or `{ok: false, error}`. */
const PROBE = `const seen = [];
export async function handleTask(agent, p) {
  try {
    switch (p.op) {
      case 'publish': agent.publish(p.topic, p.payload ?? { probe: true }, { retain: Boolean(p.retain) }); return { ok: true, value: 'sent' };
      case 'subscribe': agent.subscribe(p.topic, (_m, topic) => { seen.push(topic); }); return { ok: true, value: 'asked' };
      case 'seen': return { ok: true, value: seen };
      case 'sendTo': return { ok: true, value: await agent.sendTo(p.to, p.payload ?? {}, 5) };
      case 'mqttGet': return { ok: true, value: await agent.mqttGet(p.topic, 0.2) };
      case 'window': return { ok: true, value: await agent.window(p.topic, 60) };
    }
    return { ok: false, error: 'unknown op' };
  } catch (e) { return { ok: false, error: String(e && e.message || e) }; }
}`;
const VICTIM = `export async function handleTask(agent, p) {
  agent.publish('agents/' + agent.actorId + '/data/temp', { value: p.value });
  return { echoed: p.value };
}`;

const ATTACKER = 'mallory';
const VICTIM_NAME = 'victim';
const victimId = actorIdFor(VICTIM_NAME);

/** Publishes agent code may never make, whatever it declares. */
const FORBIDDEN_PUBLISHES: { topic: string; retain?: boolean; action?: 'retain'; why: RegExp }[] = [
  { topic: 'nodes/garage/spawn', why: /nodes\/… carries the fleet's commands/ },
  { topic: 'io/chat/response', why: /io\/… is the user's chat/ },
  { topic: 'io/chat', why: /io\/… is the user's chat/ },
  { topic: `agents/${victimId}/commands`, why: /another agent's namespace/ },
  { topic: `agents/${VICTIM_NAME}/data/temp`, why: /another agent's namespace/ },
  { topic: `agents/${actorIdFor(ATTACKER)}/commands`, why: /may not publish commands/ },
  { topic: `agents/by-name/${VICTIM_NAME}/task`, why: /agents\/by-name\/… carries tasks/ },
  { topic: 'system/approvals', why: /system\/… is the hub's/ },
  { topic: 'wactorz/replies/hub-1', why: /written by the host only/ },
  { topic: 'homeassistant/state_changes/light/kitchen', retain: true, why: /written by the hub's bridge/ },
  { topic: 'homeassistant/light/kitchen/set', why: /needs the "home_assistant" grant/ },
  { topic: 'alerts/kept', retain: true, action: 'retain', why: /retained messages are allowed only in the agent's own namespace/ },
  { topic: 'elsewhere/undeclared', why: /not among the topics this agent declared it publishes/ },
];

/** Subscriptions agent code may never make (a filter that reaches a forbidden namespace is refused whole). */
const FORBIDDEN_SUBSCRIPTIONS: { filter: string; why: RegExp }[] = [
  { filter: '#', why: /reaches io\/…/ },
  { filter: '+/chat/#', why: /reaches io\/…/ },
  { filter: 'io/chat', why: /reaches io\/…/ },
  { filter: 'nodes/#', why: /reaches nodes\/…/ },
  { filter: 'system/#', why: /reaches system\/…/ },
  { filter: 'wactorz/replies/#', why: /reaches wactorz\/…/ },
  { filter: `agents/${victimId}/commands`, why: /other agents' topics/ },
  { filter: 'agents/+/logs', why: /other agents' topics/ },
  { filter: 'homeassistant/#', why: /needs the "home_assistant" grant/ },
  { filter: 'sensors/#', why: /not among the topics this agent declared it subscribes to/ },
];

const availability = mosquittoAvailability();
const brokers: { name: string; external: boolean }[] = [
  { name: 'the embedded broker', external: false },
  ...(availability.skip ? [] : [{ name: 'an external Mosquitto', external: true }]),
];
if (availability.skip) console.warn(`external-broker variant skipped: ${availability.skip}`);

describe.each(brokers)('bus permissions of agent code on $name', { timeout: 120_000 }, ({ external }) => {
  let mq: MosquittoServer | undefined;
  let t: TestHub;
  let spy: RecordingClient;
  let brokerUrl: string;

  const rest = (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => t.rest<Json>(method, path, body);
  const probe = async (p: Json): Promise<Json> => (await rest('POST', `/agents/${ATTACKER}/tasks`, { payload: p })).body.result;
  const agentLog: string[] = [];

  beforeAll(async () => {
    if (external) mq = await startMosquitto();
    t = await startTestHub(external ? { broker: `mqtt://127.0.0.1:${mq!.port}` } : {});
    expect(t.handle.mqttMode).toBe(external ? 'external' : 'embedded');
    brokerUrl = `mqtt://127.0.0.1:${external ? mq!.port : t.handle.mqttPort}`;
    spy = await connectRecordingClient(brokerUrl);
    await spy.subscribe('#');
    t.handle.bus.subscribe(`agents/${actorIdFor(ATTACKER)}/logs`, (_t, p) => agentLog.push(String((JSON.parse(p.toString()) as Json).message)));
    expect((await rest('POST', '/agents', { name: VICTIM_NAME, code: VICTIM })).status).toBe(201);
    // A person's spawn: what it declares is granted — and still nothing beyond the rules.
    const created = await rest('POST', '/agents', {
      name: ATTACKER,
      code: PROBE,
      publishes: ['alerts/#', 'nodes/garage/spawn', '#'],
      subscribes: ['agents/+/data/#', 'alerts/#', '#'],
      send_to: [VICTIM_NAME],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // Declared topics agent code can never have were refused at spawn, and said.
    expect(t.logs.join('\n')).toMatch(/mallory: declared publishes nodes\/garage\/spawn is not granted: nodes\/garage\/spawn reaches nodes\/…/);
    expect(t.logs.join('\n')).toMatch(/mallory: declared subscribes # is not granted/);
    const spec = (await rest('GET', `/agents/${ATTACKER}`)).body.spec;
    expect(spec).toMatchObject({ publishes: ['alerts/#'], subscribes: ['agents/+/data/#', 'alerts/#'], send_to: [VICTIM_NAME] });
  }, 120_000);
  afterAll(async () => {
    await spy?.end();
    await t?.stop();
    await mq?.close();
  }, 60_000);

  it('refuses every forbidden publish: a line in the agent log and the hub log, nothing on the broker', async () => {
    for (const a of FORBIDDEN_PUBLISHES) expect(await probe({ op: 'publish', topic: a.topic, retain: a.retain ?? false }), a.topic).toEqual({ ok: true, value: 'sent' });
    // publish is fire-and-forget in the sandbox: the marker, published after them on an allowed topic, arrives last.
    expect(await probe({ op: 'publish', topic: 'alerts/marker' })).toEqual({ ok: true, value: 'sent' });
    await waitUntil(() => spy.received.some((m) => m.topic === 'alerts/marker'), 'the marker on the broker', 15_000);
    for (const a of FORBIDDEN_PUBLISHES) {
      expect(spy.received.filter((m) => m.topic === a.topic && m.payload.includes('probe')), a.topic).toEqual([]);
      const line = new RegExp(`agent\\.publish\\(${escape(a.topic)}${a.retain ? ', retain' : ''}\\) refused: .*`);
      await waitUntil(() => agentLog.some((l) => line.test(l)), `the refusal of ${a.topic} in the agent's log`, 10_000);
      expect(agentLog.find((l) => line.test(l)), a.topic).toMatch(a.why);
      expect(t.logs.some((l) => l.startsWith('warning refused mallory: ') && line.test(l)), `hub log: ${a.topic}`).toBe(true);
    }
    // No retained message was left where the agent tried: a fresh client sees only the test's own marker.
    t.handle.bus.publish('homeassistant/zz-marker', 'hub', { retain: true });
    const fresh = await connectRecordingClient(brokerUrl);
    try {
      await fresh.subscribe(['homeassistant/#', 'alerts/#', 'nodes/#', 'io/#']);
      await waitUntil(() => fresh.received.some((m) => m.topic === 'homeassistant/zz-marker'), 'the retained marker', 10_000);
      expect(fresh.received.filter((m) => m.retain && m.payload.includes('probe'))).toEqual([]);
    } finally {
      await fresh.end();
    }
  });

  it('refuses every forbidden subscription (and mqttGet, window); a message there never reaches the agent', async () => {
    for (const s of FORBIDDEN_SUBSCRIPTIONS) expect(await probe({ op: 'subscribe', topic: s.filter }), s.filter).toEqual({ ok: true, value: 'asked' });
    expect(await probe({ op: 'mqttGet', topic: 'io/chat' })).toMatchObject({ ok: false, error: expect.stringMatching(/agent\.mqttGet\(io\/chat\) refused: .*io\/…/) });
    expect(await probe({ op: 'window', topic: 'io/#' })).toMatchObject({ ok: false, error: expect.stringMatching(/agent\.window\(io\/#\) refused/) });
    for (const s of FORBIDDEN_SUBSCRIPTIONS) {
      const line = new RegExp(`agent\\.subscribe\\(${escape(s.filter)}\\) refused: .*`);
      await waitUntil(() => agentLog.some((l) => line.test(l)), `the refusal of ${s.filter} in the agent's log`, 10_000);
      expect(agentLog.find((l) => line.test(l)), s.filter).toMatch(s.why);
      expect(t.logs.some((l) => l.startsWith('warning refused mallory: ') && line.test(l)), `hub log: ${s.filter}`).toBe(true);
    }
    // The user's chat, a node command and a victim's command go by; then a marker on a topic it declared.
    expect(await probe({ op: 'subscribe', topic: 'alerts/#' })).toEqual({ ok: true, value: 'asked' });
    await t.handle.bus.ready();
    const outsider = await connectRecordingClient(brokerUrl);
    try {
      await outsider.publish('io/chat', JSON.stringify({ from: 'user', content: 'my bank PIN is 0000', message_id: 'pin' }), { qos: 1 });
      await outsider.publish('nodes/garage/spawn', '{}', { qos: 1 });
      await outsider.publish('alerts/after', '{}', { qos: 1 });
    } finally {
      await outsider.end();
    }
    const seen = await waitUntil(async () => {
      const r = (await probe({ op: 'seen' })).value as string[];
      return r.includes('alerts/after') ? r : undefined;
    }, 'the declared topic reaching the agent', 15_000);
    expect(seen.filter((topic) => !topic.startsWith('alerts/'))).toEqual([]);
  });

  it('reads other agents’ data by declared subscription, and writes its own namespace (retained too)', async () => {
    expect(await probe({ op: 'subscribe', topic: 'agents/+/data/#' })).toEqual({ ok: true, value: 'asked' });
    await waitUntil(async () => {
      await rest('POST', `/agents/${VICTIM_NAME}/tasks`, { payload: { value: 21 } });
      return ((await probe({ op: 'seen' })).value as string[]).includes(`agents/${victimId}/data/temp`);
    }, "the victim's data reaching the agent", 15_000);
    expect(await probe({ op: 'publish', topic: `agents/${ATTACKER}/data/kept`, retain: true })).toEqual({ ok: true, value: 'sent' });
    expect(await probe({ op: 'publish', topic: `agents/${actorIdFor(ATTACKER)}/result`, retain: true })).toEqual({ ok: true, value: 'sent' });
    await waitUntil(() => spy.received.some((m) => m.topic === `agents/${actorIdFor(ATTACKER)}/result`), 'its own result on the broker', 10_000);
    expect(spy.received.some((m) => m.topic === `agents/${ATTACKER}/data/kept`)).toBe(true);
  });

  it('sendTo: a core actor or an undeclared agent is refused with an error in the agent; a declared agent answers', async () => {
    expect(await probe({ op: 'sendTo', to: 'main', payload: { kind: 'chat', text: '/agents', from: 'user' } })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/agent\.sendTo\(main\) refused: main is one of the hub's actors: asking it needs a person's grant/),
    });
    expect(await probe({ op: 'sendTo', to: 'monitor' })).toMatchObject({ ok: false, error: expect.stringMatching(/sendTo\(monitor\) refused/) });
    expect(await probe({ op: 'sendTo', to: 'installer', payload: { action: 'install', packages: ['left-pad'] } })).toMatchObject({ ok: false, error: expect.stringMatching(/sendTo\(installer\) refused/) });
    expect((await rest('POST', '/agents', { name: 'bystander', code: VICTIM })).status).toBe(201);
    expect(await probe({ op: 'sendTo', to: 'bystander', payload: { value: 1 } })).toMatchObject({ ok: false, error: expect.stringMatching(/bystander is not among the agents it declared it asks/) });
    expect(await probe({ op: 'sendTo', to: VICTIM_NAME, payload: { value: 7 } })).toEqual({ ok: true, value: { echoed: 7 } });
    expect(await probe({ op: 'sendTo', to: victimId, payload: { value: 8 } })).toEqual({ ok: true, value: { echoed: 8 } });
    expect(t.logs.some((l) => /^warning refused mallory: agent\.sendTo\(main\) refused/.test(l))).toBe(true);
  });

  it('every refusal is recorded for audit (GET /approvals/refusals), a repeat within a minute once', async () => {
    const recorded = async (): Promise<string[]> =>
      ((await rest('GET', `/approvals/refusals?agent=${ATTACKER}&limit=500`)).body.refusals as Json[]).map((r) => `${r.reason as string} ${(r.items as string[])[0]!}`);
    const items = await recorded();
    for (const a of FORBIDDEN_PUBLISHES) expect(items, a.topic).toContain(`${a.action ?? 'publish'} ${a.topic}`);
    for (const s of FORBIDDEN_SUBSCRIPTIONS) expect(items, s.filter).toContain(`subscribe ${s.filter}`);
    expect(items).toContain('send_to main');
    // Five more tries in a row: at most one more record (one if a minute went by since the first).
    const before = items.filter((i) => i === 'send_to main').length;
    for (let i = 0; i < 5; i++) expect(await probe({ op: 'sendTo', to: 'main' })).toMatchObject({ ok: false });
    expect((await recorded()).filter((i) => i === 'send_to main').length - before).toBeLessThanOrEqual(1);
    // The attack left the hub as it was: main and the fleet are untouched, the victim still answers.
    expect(t.handle.system.get('main')!.state).toBe('running');
    expect((await rest('POST', `/agents/${VICTIM_NAME}/tasks`, { payload: { value: 3 } })).body.result).toEqual({ echoed: 3 });
  });

});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
