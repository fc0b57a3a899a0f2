import { afterEach, describe, expect, it } from 'vitest';
import { AskError } from '../../core/errors.js';
import { createHomeAssistantIntegration } from './integration.js';
import { type HaTestHub, startHaTestHub } from './testing/ha-test-hub.js';
import { waitUntil } from '../../testing/wait.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function testHub(): Promise<HaTestHub> {
  const hub = await startHaTestHub();
  cleanups.push(() => hub.close());
  return hub;
}

describe('createHomeAssistantIntegration', () => {
  it('wires agent, bridge and actuators to one connection from the settings', async () => {
    const hub = await testHub();
    const ha = createHomeAssistantIntegration({ settings: { url: hub.sim.url, token: hub.sim.token }, env: { HA_STATE_BRIDGE_PER_ENTITY: '1' }, persistence: hub.persistence, llm: null });
    cleanups.push(() => ha.close());
    expect(ha.reason).toBeUndefined();
    await ha.connection!.ws.waitUntilConnected();
    await hub.system.spawn(ha.makeAgent());
    const bridge = await hub.system.spawn(ha.makeBridge());
    await waitUntil(() => bridge.status().baseline_loaded === true, 'the bridge');
    const seen: string[] = [];
    hub.broker.bus.subscribe('homeassistant/state_changes/#', (t) => seen.push(t));
    await hub.system.ask('home-assistant-agent', { action: 'call_service', domain: 'switch', service: 'turn_on', entity_id: 'switch.coffee_maker' });
    await waitUntil(() => seen.includes('homeassistant/state_changes/switch/switch.coffee_maker'), 'the per-entity topic');
    await hub.system.spawn(ha.createActuator({ name: 'a1', automation_id: 'a1', mqtt_topics: ['custom/triggers/a1'], actions: [{ domain: 'switch', service: 'turn_off', entity_id: 'switch.coffee_maker' }] }));
    hub.broker.bus.publish('custom/triggers/a1', { triggered: true });
    await waitUntil(() => hub.sim.getState('switch.coffee_maker')?.state === 'off', 'the actuator');
    expect(() => ha.createActuator({ automation_id: 'bad' })).toThrow(/mqtt_topics/);
  });

  it('without HA configured: the agent says what to set and nothing connects', async () => {
    const hub = await testHub();
    const ha = createHomeAssistantIntegration({ env: {}, persistence: hub.persistence, llm: null });
    expect(ha.connection).toBeNull();
    expect(ha.reason).toMatch(/HA_URL and HA_TOKEN/);
    await hub.system.spawn(ha.makeAgent());
    const e = (await hub.system.ask('home-assistant-agent', { action: 'states' }).catch((x: unknown) => x)) as AskError;
    expect(e.message).toMatch(/HA_URL and HA_TOKEN/);
    expect(hub.sim.connectionsOpened).toBe(1); // only the test hub's own connection

    // The user enters URL and token in the settings: new actors and the routes use the new connection.
    expect(ha.connect({ url: hub.sim.url, token: hub.sim.token })).toEqual({ configured: true });
    cleanups.push(() => ha.close());
    await ha.connection!.ws.waitUntilConnected();
    await hub.system.stop('home-assistant-agent');
    await hub.system.spawn(ha.makeAgent());
    const r = await hub.system.ask<{ result: string }>('home-assistant-agent', { action: 'state', entity_id: 'light.kitchen' });
    expect(r.result).toMatch(/is on/);
    expect(ha.connect({ url: hub.sim.url })).toMatchObject({ configured: false, reason: expect.stringMatching(/HA_TOKEN/) });
  });
});
