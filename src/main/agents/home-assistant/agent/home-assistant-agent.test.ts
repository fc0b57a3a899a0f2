import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AskError } from '../../../core/errors.js';
import { createTestSystem, type TestSystem } from '../../../core/testing/test-system.js';
import { createLlmProvider } from '../../../llm/create-provider.js';
import type { LlmProvider } from '../../../llm/provider.js';
import { type ScriptedLlmServer, startScriptedLlmServer } from '../../../llm/testing/index.js';
import { HaStateHistory } from '../bridge/state-history.js';
import { HaConnection } from '../ha-connection.js';
import { type HaSimulator, startHaSimulator } from '../testing/ha-simulator.js';
import { HomeAssistantAgent, classifyInput } from './home-assistant-agent.js';
import { waitUntil } from '../../../testing/wait.js';

let sim: HaSimulator;
let llmServer: ScriptedLlmServer;
let llm: LlmProvider;
let ts: TestSystem;
let conn: HaConnection;

beforeAll(async () => {
  llmServer = await startScriptedLlmServer();
  llm = createLlmProvider({ provider: 'openai', apiKey: 'k', baseUrl: llmServer.urls.openai, model: 'gpt-4o', timeoutMs: 15_000, maxRetries: 0 });
});
afterAll(async () => {
  await llmServer.close();
});

beforeEach(async () => {
  sim = await startHaSimulator();
  ts = await createTestSystem();
  conn = new HaConnection({ url: sim.url, token: sim.token });
  conn.start();
  await conn.ws.waitUntilConnected();
  await waitUntil(() => conn.map.loaded, 'the home map');
  await ts.system.spawn(new HomeAssistantAgent({ connection: conn, llm, history: new HaStateHistory(ts.persistence.db) }));
  llmServer.reset();
});
afterEach(async () => {
  await ts.close();
  conn.close();
  await sim.stop();
});

const ask = <T = Record<string, unknown>>(payload: unknown): Promise<T> => ts.system.ask<T>('home-assistant-agent', payload, 20_000);
const askError = async (payload: unknown): Promise<AskError> => {
  const e = await ask(payload).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AskError);
  return e as AskError;
};

describe('HomeAssistantAgent — structured tasks', () => {
  it('call_service turns a light on and reports the new state', async () => {
    const r = await ask<{ result: string; data: { states: Array<{ state: string }> } }>({ action: 'call_service', domain: 'light', service: 'turn_on', entity_id: 'light.wiz_rgbw_tunable_02cba0', data: { brightness: 120 } });
    expect(sim.getState('light.wiz_rgbw_tunable_02cba0')).toMatchObject({ state: 'on', attributes: { brightness: 120 } });
    expect(r.result).toMatch(/Called light\.turn_on on Living Room Lamp \(light\.wiz_rgbw_tunable_02cba0\) — now on/);
    expect(r.data.states[0]?.state).toBe('on');
  });

  it('accepts the task as the JSON text a user typed after @home-assistant-agent', async () => {
    await ask('{"action":"call_service","domain":"switch","service":"turn_on","entity_id":"switch.coffee_maker"}');
    expect(sim.getState('switch.coffee_maker')?.state).toBe('on');
  });

  it('an entity that does not exist: a clear error with suggestions, and HA is not called', async () => {
    const before = sim.serviceCalls.length;
    const e = await askError({ action: 'call_service', domain: 'light', service: 'turn_on', entity_id: 'light.livng_room_ceiling' });
    expect(e.kind).toBe('not_found');
    expect(e.message).toMatch(/no entity light\.livng_room_ceiling — did you mean light\.living_room_ceiling/);
    expect(sim.serviceCalls.length).toBe(before);
    const st = await askError({ action: 'state', entity_id: 'sensor.nope' });
    expect(st.kind).toBe('not_found');
  });

  it('an unknown service or domain names what exists', async () => {
    const e = await askError({ action: 'call_service', domain: 'light', service: 'explode', entity_id: 'light.kitchen' });
    expect(e.kind).toBe('not_found');
    expect(e.message).toMatch(/no service light\.explode — light offers: toggle, turn_off, turn_on/);
    const d = await askError({ action: 'call_service', domain: 'lite', service: 'turn_on', entity_id: 'light.kitchen' });
    expect(d.message).toMatch(/no services in domain "lite".*did you mean light/);
  });

  it('a service of another domain on an entity is refused instead of silently ignored', async () => {
    const e = await askError({ action: 'call_service', domain: 'light', service: 'turn_on', entity_id: 'switch.coffee_maker' });
    expect(e.kind).toBe('bad_input');
    expect(e.message).toMatch(/use switch\.turn_on/);
  });

  it('invalid tasks say what is wrong', async () => {
    expect((await askError({ action: 'dance' })).message).toMatch(/unknown action "dance" — use one of: call_service, states/);
    expect((await askError({ action: 'call_service', domain: 'light' })).message).toMatch(/service/);
    expect((await askError({ action: 'state', entity_id: 'Kitchen Light' })).message).toMatch(/entity id like light\.living_room/);
    expect((await askError(42)).kind).toBe('bad_input');
  });

  it('reads states, one state, entities by area, services, areas and devices', async () => {
    const lights = await ask<{ data: Array<{ entity_id: string }> }>({ action: 'states', domain: 'light' });
    expect(lights.data.map((s) => s.entity_id).sort()).toEqual(['light.bedside', 'light.kitchen', 'light.living_room_ceiling', 'light.wiz_rgbw_tunable_02cba0']);
    const temp = await ask<{ result: string }>({ action: 'get_state', entity_id: 'sensor.living_room_temperature' });
    expect(temp.result).toBe('Living Room Temperature (sensor.living_room_temperature) is 21.5 °C.');
    const living = await ask<{ data: Array<{ entity_id: string }> }>({ action: 'list_entities', area: 'living room' });
    expect(living.data.map((e) => e.entity_id)).toContain('sensor.living_room_humidity');
    expect(living.data.map((e) => e.entity_id)).not.toContain('light.kitchen');
    const lounge = await ask<{ data: unknown[] }>({ action: 'entities', area: 'lounge' }); // an alias
    expect(lounge.data).toHaveLength(living.data.length);
    expect((await askError({ action: 'entities', area: 'garage' })).message).toMatch(/no area "garage" — areas: Living Room, Kitchen, Bedroom/);
    const services = await ask<{ result: string }>({ action: 'services', domain: 'lock' });
    expect(services.result).toBe('lock: lock, unlock.');
    const areas = await ask<{ data: Array<{ name: string; entities: number }> }>({ action: 'areas' });
    expect(areas.data.find((a) => a.name === 'Kitchen')?.entities).toBe(2);
    const devices = await ask<{ data: Array<{ id: string }> }>({ action: 'devices', area: 'kitchen' });
    expect(devices.data.map((d) => d.id).sort()).toEqual(['dev_coffee', 'dev_kitchen_light']);
  });

  it('creates, lists, reads and deletes automations', async () => {
    const created = await ask<{ data: { automation_id: string } }>({
      action: 'create_automation',
      alias: 'Coffee at seven',
      triggers: [{ trigger: 'time', at: '07:00:00' }],
      actions: [{ action: 'switch.turn_on', target: { entity_id: 'switch.coffee_maker' } }],
    });
    const id = created.data.automation_id;
    expect(id).toMatch(/^coffee_at_seven_/);
    expect(sim.automationConfig(id)).toMatchObject({ alias: 'Coffee at seven' });
    const list = await ask<{ data: Array<{ entity_id: string; id: string }> }>({ action: 'list_automations' });
    const entry = list.data.find((a) => a.id === id)!;
    expect(entry.entity_id).toBe('automation.coffee_at_seven');
    const got = await ask<{ data: { alias: string } }>({ action: 'get_automation', automation_id: id });
    expect(got.data.alias).toBe('Coffee at seven');
    // Deleting by entity id finds the config id.
    await ask({ action: 'delete_automation', automation_id: 'automation.coffee_at_seven' });
    expect(sim.automationConfig(id)).toBeUndefined();
    expect((await askError({ action: 'delete_automation', id })).kind).toBe('not_found');
    const noActions = await askError({ action: 'create_automation', config: { alias: 'x', triggers: [] } });
    expect(noActions.message).toMatch(/needs actions/);
  });

  it('returns recorded history', async () => {
    const h = new HaStateHistory(ts.persistence.db);
    h.record('sensor.living_room_temperature', { entity_id: 'sensor.living_room_temperature', state: '20.5', attributes: { unit_of_measurement: '°C' } }, Date.now() / 1000 - 60);
    const r = await ask<{ data: { numeric: boolean; points: Array<{ value: number }> } }>({ action: 'history', entity_id: 'sensor.living_room_temperature' });
    expect(r.data.numeric).toBe(true);
    expect(r.data.points.map((p) => p.value)).toEqual([20.5]);
  });
});

describe('HomeAssistantAgent — natural language', () => {
  it('maps a request to a validated plan and runs it; the prompt lists entities with names and areas', async () => {
    llmServer.script('openai', JSON.stringify({ type: 'actions', actions: [{ domain: 'light', service: 'turn_on', entity_id: ['light.wiz_rgbw_tunable_02cba0'] }], summary: 'Turning on the living room lamp' }));
    const r = await ask<{ result: string }>({ kind: 'natural_language', text: 'turn on the living room lamp' });
    expect(sim.getState('light.wiz_rgbw_tunable_02cba0')?.state).toBe('on');
    expect(r.result).toMatch(/^Turning on the living room lamp\. Called light\.turn_on/);
    const body = JSON.stringify(llmServer.lastRequest('openai')?.body);
    expect(body).toContain('light.wiz_rgbw_tunable_02cba0 | Living Room Lamp | Living Room | off');
    expect(body).toContain('light: ');
    expect(body).toContain('turn on the living room lamp');
  });

  it('gives the LLM the facts MainActor passes along', async () => {
    llmServer.script('openai', JSON.stringify({ type: 'actions', actions: [{ domain: 'light', service: 'turn_on', entity_id: 'light.bedside' }] }));
    await ask({ kind: 'natural_language', text: 'turn on my reading light', from: 'bob', user_facts: { 'reading light': 'light.bedside', ignored: 42 } });
    const body = JSON.stringify(llmServer.lastRequest('openai')?.body);
    expect(body).toContain('- reading light: light.bedside');
    expect(body).not.toContain('ignored');
    expect(sim.getState('light.bedside')?.state).toBe('on');
  });

  it('answers a state question from live states', async () => {
    llmServer.script('openai', 'Sure! ```json\n{"type":"query","entity_ids":["sensor.living_room_temperature"]}\n```');
    const r = await ask<{ result: string }>({ kind: 'natural_language', text: 'how warm is it in the living room?' });
    expect(r.result).toBe('Living Room Temperature is 21.5 °C.');
  });

  it('an ambiguous request gets a question, not a guess; the answer continues the request', async () => {
    llmServer.script('openai', JSON.stringify({ type: 'question', question: 'Which light: Kitchen Light or Bedside Lamp?', options: ['light.kitchen', 'light.bedside'] }));
    const q = await ask<{ result: string; needs_clarification: boolean; options: string[] }>({ kind: 'natural_language', text: 'turn off the light', user: 'alice' });
    expect(q).toMatchObject({ result: 'Which light: Kitchen Light or Bedside Lamp?', needs_clarification: true, options: ['light.kitchen', 'light.bedside'] });
    expect(sim.serviceCalls).toHaveLength(0);

    llmServer.script('openai', JSON.stringify({ type: 'actions', actions: [{ domain: 'light', service: 'turn_off', entity_id: 'light.kitchen' }] }));
    await ask({ kind: 'natural_language', text: 'the kitchen one', user: 'alice' });
    expect(sim.getState('light.kitchen')?.state).toBe('off');
    const messages = (llmServer.lastRequest('openai')?.body as { messages: Array<{ role: string; content: string }> }).messages;
    expect(messages.map((m) => m.content).join('\n')).toMatch(/turn off the light[\s\S]*Which light[\s\S]*the kitchen one/);
  });

  it('an invalid plan gets one repair round with the error', async () => {
    llmServer.script('openai', [
      JSON.stringify({ type: 'actions', actions: [{ domain: 'light', service: 'turn_on', entity_id: 'light.coffee' }] }),
      JSON.stringify({ type: 'actions', actions: [{ domain: 'switch', service: 'turn_on', entity_id: 'switch.coffee_maker' }] }),
    ]);
    await ask({ text: 'start the coffee' });
    expect(sim.getState('switch.coffee_maker')?.state).toBe('on');
    const second = (llmServer.lastRequest('openai')?.body as { messages: Array<{ content: string }> }).messages;
    expect(second.at(-1)?.content).toMatch(/not valid: unknown entity light\.coffee/);
  });

  it('unparseable LLM output is a clear failure and nothing is called', async () => {
    llmServer.script('openai', ['I would love to help with your lights!', '{"type": "actions", "actions": [']);
    const e = await askError({ kind: 'natural_language', text: 'make it cosy' });
    expect(e.kind).toBe('bad_plan');
    expect(e.message).toMatch(/could not turn that into a valid Home Assistant plan \(the JSON object is not closed\)\. Nothing was changed/);
    expect(sim.serviceCalls).toHaveLength(0);
  });

  it('a plan that is partly invalid runs nothing (validated before the first call)', async () => {
    const plan = JSON.stringify({ type: 'actions', actions: [{ domain: 'light', service: 'turn_on', entity_id: 'light.kitchen' }, { domain: 'light', service: 'turn_on', entity_id: 'switch.coffee_maker' }] });
    llmServer.script('openai', [plan, plan]);
    const e = await askError({ text: 'turn on the kitchen light and the coffee' });
    expect(e.message).toMatch(/use switch\.turn_on/);
    expect(sim.serviceCalls).toHaveLength(0);
  });

  it('an LLM that fails is reported as such', async () => {
    llmServer.script('openai', { kind: 'error', status: 500, message: 'boom' });
    const e = await askError({ text: 'lights off' });
    expect(e.kind).toBe('llm_error');
  });
});

describe('HomeAssistantAgent — without LLM, without HA', () => {
  it('no LLM: plain language is refused with a pointer to structured tasks, which still work', async () => {
    const local = await createTestSystem();
    try {
      await local.system.spawn(new HomeAssistantAgent({ connection: conn, llm: null }));
      const e = await local.system.ask('home-assistant-agent', { text: 'lights on' }).catch((x: unknown) => x as AskError);
      expect((e as AskError).kind).toBe('not_configured');
      expect((e as AskError).message).toMatch(/Structured tasks still work, e\.g\. @home-assistant-agent \{"action":"call_service"/);
      await local.system.ask('home-assistant-agent', { action: 'call_service', domain: 'light', service: 'turn_on', entity_id: 'light.bedside' });
      expect(sim.getState('light.bedside')?.state).toBe('on');
    } finally {
      await local.close();
    }
  });

  it('HA not configured: every task says what to set', async () => {
    const local = await createTestSystem();
    try {
      await local.system.spawn(new HomeAssistantAgent({ connection: null, notConfiguredReason: 'Home Assistant is not configured: set HA_URL and HA_TOKEN.', llm }));
      const e = (await local.system.ask('home-assistant-agent', { action: 'states' }).catch((x: unknown) => x)) as AskError;
      expect(e.kind).toBe('not_configured');
      expect(e.message).toMatch(/set HA_URL and HA_TOKEN/);
    } finally {
      await local.close();
    }
  });

  it('a refused token: tasks answer with the one clear auth error', async () => {
    const bad = new HaConnection({ url: sim.url, token: 'wrong' });
    bad.start();
    await bad.ws.waitUntilConnected(5000).catch(() => undefined);
    const local = await createTestSystem();
    try {
      await local.system.spawn(new HomeAssistantAgent({ connection: bad, llm }));
      const e = (await local.system.ask('home-assistant-agent', { action: 'states' }).catch((x: unknown) => x)) as AskError;
      expect(e.kind).toBe('auth');
      expect(e.message).toMatch(/rejected the access token/);
    } finally {
      bad.close();
      await local.close();
    }
  });
});

describe('classifyInput', () => {
  it('tells structured tasks from plain language', () => {
    expect(classifyInput({ action: 'states' })).toEqual({ kind: 'structured', task: { action: 'states' } });
    expect(classifyInput({ operation: 'list_entities' }).kind).toBe('structured');
    expect(classifyInput({ kind: 'natural_language', text: 'lights on' })).toEqual({ kind: 'text', text: 'lights on' });
    expect(classifyInput('  lights on ')).toEqual({ kind: 'text', text: 'lights on' });
    expect(classifyInput('{"action":"areas"}')).toEqual({ kind: 'structured', task: { action: 'areas' } });
    expect(classifyInput('{broken').kind).toBe('invalid');
    expect(classifyInput({}).kind).toBe('invalid');
  });
});
