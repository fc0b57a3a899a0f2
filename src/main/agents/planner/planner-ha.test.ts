/**
 * A pipeline that ends in Home Assistant: the HA simulator (WebSocket + REST), the real state
 * bridge on the embedded broker, a catalog recipe (ha-notify-rule) as the filter and an
 * ha_actuator from the plan calling the light service. Motion in the simulator turns the light on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHomeAssistantIntegration, type HomeAssistantIntegration } from '../home-assistant/index.js';
import { SpawnTypes } from '../../integration/spawn-types.js';
import { startHaSimulator, type HaSimulator } from '../home-assistant/testing/ha-simulator.js';
import { startRecipeHub, type Json, type RecipeHub } from '../catalog/testing/recipe-hub.js';
import { PlannerAgent } from './planner-agent.js';
import { PlannerService } from './planner-service.js';
import { PipelineStore } from './pipeline-store.js';

const PLAN = {
  name: 'hall-light',
  description: 'Turn on the living-room ceiling light when the hallway motion sensor detects motion',
  agents: [
    {
      name: 'hall-motion-rule',
      role: 'publishes when the hallway motion sensor turns on',
      type: 'catalog',
      recipe: 'ha-notify-rule',
      config: { entities: ['binary_sensor.hallway_motion'], to_state: 'on', publish_topic: 'pipelines/hall-light/motion', message: 'Motion in the hallway' },
      subscribes: ['homeassistant/state_changes/#'],
      publishes: ['pipelines/hall-light/motion'],
    },
    {
      name: 'hall-light-actuator',
      role: 'turns the ceiling light on',
      type: 'ha_actuator',
      spec: { automation_id: 'hall-light', mqtt_topics: ['pipelines/hall-light/motion'], detection_filter: { state: 'on' }, actions: [{ domain: 'light', service: 'turn_on', entity_id: 'light.living_room_ceiling' }], cooldown_seconds: 0 },
      subscribes: ['pipelines/hall-light/motion'],
    },
  ],
  topics: [{ topic: 'pipelines/hall-light/motion', from: ['hall-motion-rule'], to: ['hall-light-actuator'], description: 'hallway motion' }],
};

describe('planner with Home Assistant (simulator)', { timeout: 120_000 }, () => {
  let sim: HaSimulator;
  let hub: RecipeHub;
  let ha: HomeAssistantIntegration;
  beforeAll(async () => {
    sim = await startHaSimulator();
    hub = await startRecipeHub({
      llm: true,
      dynamic: ({ persistence }) => {
        ha = createHomeAssistantIntegration({ settings: { url: sim.url, token: sim.token }, env: {}, persistence, llm: null });
        return { spawnTypes: new SpawnTypes(ha.spawnTypes) };
      },
    });
    await ha.connection!.ws.waitUntilConnected();
    await hub.system.spawn(ha.makeBridge());
    const planner = new PlannerService({ system: hub.system, llm: hub.llm, catalog: hub.catalog, dynamic: () => hub.dynamic, store: new PipelineStore(hub.persistence), homeAssistantMissing: () => (ha.connection ? null : 'not configured') });
    await hub.system.spawn(new PlannerAgent(planner));
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
    ha?.close();
    await sim?.stop();
  }, 120_000);

  it('motion in Home Assistant → recipe filter → ha_actuator → light.turn_on', async () => {
    hub.llmServer!.script('openai', [JSON.stringify(PLAN)]);
    const reply = await hub.system.ask<Json>('planner', { kind: 'pipeline', text: 'when there is motion in the hallway, turn on the living room ceiling light' }, 120_000);
    expect(reply.ok).toBe(true);
    const names = hub.system.list().map((a) => a.name);
    expect(names.indexOf('hall-light-actuator')).toBeLessThan(names.indexOf('hall-motion-rule'));
    expect(hub.system.get('hall-light-actuator')!.state).toBe('running');
    sim.setState('binary_sensor.hallway_motion', 'on');
    const call = await sim.waitForServiceCall((c) => c.domain === 'light' && c.service === 'turn_on', 20_000);
    expect(call.entityIds).toEqual(['light.living_room_ceiling']);
  });
});
