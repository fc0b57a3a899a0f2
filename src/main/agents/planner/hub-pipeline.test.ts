/**
 * The whole hub (startWactorz: embedded broker, SQLite, supervised core actors, HTTP): a chat
 * message classified PIPELINE by main goes to the planner, whose plan (scripted Ollama server, real
 * SDK) is spawned; the catalog, installer and planner routes answer under /api; catalog and
 * installer run protected. The filter reads Home Assistant's state: an LLM's plan asks for
 * `home_assistant`, which waits for a person (approvals); approved in chat, the pipeline runs.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WactorzHandle } from '../../wactorz-handle.js';
import type { ScriptedLlmServer } from '../../llm/testing/index.js';
import { hubTest } from '../../testing/hub-fixture.js';
import { type Json } from '../catalog/testing/recipe-hub.js';
import { waitUntil } from '../../testing/wait.js';

const PLAN = {
  name: 'lamp-on-mqtt',
  description: 'Announce on MQTT when the living-room lamp turns on',
  agents: [
    {
      name: 'lamp-on-mqtt-filter',
      role: 'passes lamp-on changes',
      type: 'dynamic',
      code: `export async function setup(agent) {
  agent.subscribe('homeassistant/state_changes/#', (m) => {
    if (m.entity_id === 'light.living_room' && m.new_state?.state === 'on') agent.publish('pipelines/lamp-on-mqtt/lamp-on', { message: 'lamp on' });
  });
}`,
      subscribes: ['homeassistant/state_changes/#'],
      publishes: ['pipelines/lamp-on-mqtt/lamp-on'],
    },
    { name: 'lamp-on-mqtt-count', role: 'counts lamp-on events over the day', type: 'catalog', recipe: 'daily-digest', config: { topics: ['pipelines/lamp-on-mqtt/lamp-on'], use_llm: false }, subscribes: ['pipelines/lamp-on-mqtt/lamp-on'] },
  ],
  topics: [{ topic: 'pipelines/lamp-on-mqtt/lamp-on', from: ['lamp-on-mqtt-filter'], to: ['lamp-on-mqtt-count'], description: 'lamp turned on' }],
  summary: 'I will note every time the living-room lamp turns on.',
};

hubTest.override('hubOptions', { llm: 'scripted', scriptedProtocol: 'ollama', dashboard: true });

describe('pipelines through the composed hub', { timeout: 120_000 }, () => {
  let llm: ScriptedLlmServer;
  let hub: WactorzHandle;
  let api: string;
  let dir: string;
  hubTest.beforeAll(async ({ hub: started }) => {
    hub = started.handle;
    dir = started.stateDir;
    llm = started.llm!;
    llm.respond('ollama', (req) => {
      const body = req.body as Json;
      const system = String(body.messages?.find((m: Json) => m.role === 'system')?.content ?? '');
      if (system.includes('pipeline planner of Wactorz')) return JSON.stringify(PLAN);
      if (/PIPELINE/.test(system) && /intent/i.test(system)) return '{"intent": "PIPELINE", "facts": {}}';
      return 'ok';
    });
    api = `${hub.dashboardUrl}/api`;
  }, 120_000);

  it('catalog and installer run protected; the planner and time series are supervised', () => {
    for (const name of ['catalog', 'installer']) expect(hub.system.get(name)?.isProtected, name).toBe(true);
    for (const name of ['catalog', 'installer', 'planner', 'timeseries']) expect(hub.system.get(name)?.state, name).toBe('running');
  });

  it('a chat request classified PIPELINE is planned and spawned; GET /api/pipelines lists it', async () => {
    const reply = await hub.processUserInput('when the living-room lamp turns on, note it for my daily digest', { interface: 'test' });
    expect(reply).toMatch(/pipeline "lamp-on-mqtt" is running: lamp-on-mqtt-filter \(dynamic: passes lamp-on changes\), lamp-on-mqtt-count \(daily-digest recipe/);
    expect(reply).toMatch(/home_assistant/);
    expect(await hub.processUserInput('/approve lamp-on-mqtt-filter home_assistant', { interface: 'test' })).toMatch(/lamp-on-mqtt-filter now has home_assistant/);
    const seen: string[] = [];
    const off = hub.bus.subscribe('pipelines/lamp-on-mqtt/#', (t) => seen.push(t));
    await hub.bus.ready();
    hub.bus.publish('homeassistant/state_changes', { entity_id: 'light.living_room', domain: 'light', new_state: { state: 'on' }, old_state: { state: 'off' } });
    await waitUntil(() => seen.length === 1, 'the filter publishing');
    off();
    await waitUntil(async () => (await hub.system.ask<Json>('lamp-on-mqtt-count', { action: 'status' })).count === 1, 'the digest counting it');
    const listed: Json = await (await fetch(`${api}/pipelines`)).json();
    expect(listed.pipelines.map((p: Json) => [p.id, p.agents.map((a: Json) => a.state)])).toEqual([['lamp-on-mqtt', ['running', 'running']]]);
  });

  it('GET /api/catalog and /api/installer answer', async () => {
    const catalog: Json = await (await fetch(`${api}/catalog`)).json();
    expect(catalog.recipes.length).toBeGreaterThanOrEqual(8);
    const installer: Json = await (await fetch(`${api}/installer`)).json();
    expect(installer).toMatchObject({ installed: [], allowlist: [] });
    expect(installer.packages_dir).toBe(join(dir, 'packages'));
  });
});
