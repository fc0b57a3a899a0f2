import { afterEach, describe, expect, it } from 'vitest';
import { haStateChangeSchema } from '../../../../shared/mqtt-payloads.js';
import { type RecordingClient, connectRecordingClient } from '../../../broker/testing/mqtt-test-client.js';
import { type HaTestHub, startHaTestHub } from '../testing/ha-test-hub.js';
import { bridgeFilter, resolveBridgeOptions } from './bridge-options.js';
import { HomeAssistantStateBridgeAgent, type StateBridgeDeps } from './state-bridge-agent.js';
import { waitUntil } from '../../../testing/wait.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function hubWithBridge(options: StateBridgeDeps['options'] = {}, sub = 'homeassistant/state_changes/#'): Promise<{ hub: HaTestHub; mqtt: RecordingClient; bridge: HomeAssistantStateBridgeAgent }> {
  const hub = await startHaTestHub();
  cleanups.push(() => hub.close());
  const mqtt = await connectRecordingClient(hub.mqttUrl);
  cleanups.push(() => mqtt.end());
  await mqtt.subscribe(sub);
  const bridge = await hub.system.spawn(new HomeAssistantStateBridgeAgent({ connection: hub.connection, history: hub.history, options }));
  await waitUntil(() => hub.sim.subscriptionCount('state_changed') >= 1, 'the state_changed subscription');
  // The bridge's first resync (baseline) must be done before changes are compared against it.
  await waitUntil(() => bridge.status().baseline_loaded === true, 'the baseline of states');
  return { hub, mqtt, bridge };
}

const payloads = (mqtt: RecordingClient): Array<{ topic: string; body: Record<string, unknown> }> => mqtt.received.map((m) => ({ topic: m.topic, body: JSON.parse(m.payload) as Record<string, unknown> }));

describe('HomeAssistantStateBridgeAgent', () => {
  it('publishes each state change on the flat topic with {entity_id, domain, new_state, old_state}', async () => {
    const { hub, mqtt } = await hubWithBridge();
    hub.sim.setState('light.kitchen', 'off');
    await waitUntil(() => mqtt.received.length >= 1, 'the MQTT message');
    const [msg] = payloads(mqtt);
    expect(msg!.topic).toBe('homeassistant/state_changes');
    expect(haStateChangeSchema.safeParse(msg!.body).success).toBe(true);
    expect(msg!.body).toMatchObject({ type: 'home_assistant_state_change', entity_id: 'light.kitchen', domain: 'light', new_state: { state: 'off' }, old_state: { state: 'on' } });
    expect(typeof msg!.body.timestamp).toBe('number');
  });

  it('publishes per entity with HA_STATE_BRIDGE_PER_ENTITY=1, and filters by domain and entity', async () => {
    const options = resolveBridgeOptions({ HA_STATE_BRIDGE_PER_ENTITY: '1', HA_STATE_BRIDGE_DOMAINS: 'light,sensor', HA_STATE_BRIDGE_EXCLUDE_ENTITIES: 'sensor.*_humidity' });
    const { hub, mqtt } = await hubWithBridge(options);
    hub.sim.setState('switch.coffee_maker', 'on'); // domain filtered out
    hub.sim.setState('sensor.living_room_humidity', '50'); // excluded
    hub.sim.setState('sensor.living_room_temperature', '22.5');
    hub.sim.setState('light.bedside', 'on');
    // A marker change last: HA's events reach MQTT in order, so anything let through is before it.
    hub.sim.setState('light.kitchen', 'off');
    await waitUntil(() => payloads(mqtt).some((m) => m.body.entity_id === 'light.kitchen'), 'the marker');
    expect(payloads(mqtt).map((m) => m.topic)).toEqual([
      'homeassistant/state_changes/sensor/sensor.living_room_temperature',
      'homeassistant/state_changes/light/light.bedside',
      'homeassistant/state_changes/light/light.kitchen',
    ]);
  });

  it('records history: numeric states as values, others as states; queryable for the chart', async () => {
    const { hub, mqtt } = await hubWithBridge();
    hub.sim.setState('sensor.living_room_temperature', '22.0');
    hub.sim.setState('sensor.living_room_temperature', '22.5');
    hub.sim.setState('binary_sensor.front_door', 'on');
    await waitUntil(() => mqtt.received.length >= 3, 'three messages');
    const temp = hub.history.query('sensor.living_room_temperature');
    // The baseline (21.5 at connect) and the two changes.
    expect(temp.points.map((p) => p.value)).toEqual([21.5, 22, 22.5]);
    expect(temp).toMatchObject({ numeric: true, unit: '°C' });
    const door = hub.history.query('binary_sensor.front_door');
    expect(door.numeric).toBe(false);
    expect(door.points.map((p) => [p.value, p.state])).toEqual([
      [null, 'off'],
      [null, 'on'],
    ]);
  });

  it('HA restarting mid-stream: no crash, the bridge resumes, and changes made meanwhile are published', async () => {
    const { hub, mqtt, bridge } = await hubWithBridge();
    hub.sim.setState('light.kitchen', 'off');
    await waitUntil(() => mqtt.received.length === 1, 'the first message');
    await hub.sim.restart(400, () => {
      hub.sim.setState('lock.front_door', 'unlocked'); // nobody hears this event
    });
    await waitUntil(() => payloads(mqtt).some((m) => m.body.entity_id === 'lock.front_door'), 'the change made while HA was down', 20_000);
    const resynced = payloads(mqtt).find((m) => m.body.entity_id === 'lock.front_door')!;
    expect(resynced.body).toMatchObject({ resynced: true, new_state: { state: 'unlocked' }, old_state: { state: 'locked' } });
    // Live events flow again.
    hub.sim.setState('light.bedside', 'on');
    await waitUntil(() => payloads(mqtt).some((m) => m.body.entity_id === 'light.bedside'), 'an event after the restart', 20_000);
    expect(bridge.state).toBe('running');
    // Nothing else was republished (unchanged entities stay quiet).
    expect(payloads(mqtt).filter((m) => m.body.resynced)).toHaveLength(1);
  });

  it('malformed events are dropped and logged; good ones still arrive', async () => {
    const { hub, mqtt, bridge } = await hubWithBridge();
    hub.sim.sendMalformedBurst();
    hub.sim.setState('switch.coffee_maker', 'on');
    // The good event comes after the burst: whatever of the burst got through is already here.
    await waitUntil(() => payloads(mqtt).some((m) => m.body.entity_id === 'switch.coffee_maker'), 'the good event');
    expect(payloads(mqtt).map((m) => m.body.entity_id)).toEqual(['switch.coffee_maker']);
    expect(bridge.status().dropped_malformed).toBeGreaterThan(3);
    expect(hub.logs.count('warning', /dropped a malformed/)).toBeGreaterThan(0);
    expect(bridge.state).toBe('running');
  });

  it('answers status, and refuses other tasks clearly', async () => {
    const { hub } = await hubWithBridge();
    const s = await hub.system.ask<{ result: string; connected: boolean }>('home-assistant-state-bridge', { action: 'status' });
    expect(s.connected).toBe(true);
    expect(s.result).toMatch(/onto homeassistant\/state_changes/);
    await expect(hub.system.ask('home-assistant-state-bridge', { action: 'dance' })).rejects.toThrow(/only task I understand is 'status'/);
  });

  it('with HA not configured it runs, publishes nothing and says why', async () => {
    const hub = await startHaTestHub();
    cleanups.push(() => hub.close());
    await hub.system.spawn(new HomeAssistantStateBridgeAgent({ connection: null, notConfiguredReason: 'Home Assistant is not configured: set HA_URL and HA_TOKEN' }));
    const s = await hub.system.ask<{ result: string; configured: boolean }>('home-assistant-state-bridge', 'status');
    expect(s.configured).toBe(false);
    expect(s.result).toMatch(/set HA_URL and HA_TOKEN/);
  });
});

describe('bridge options', () => {
  it('defaults to the flat topic and reads the original variables', () => {
    expect(resolveBridgeOptions({})).toMatchObject({ perEntity: false, baseTopic: 'homeassistant/state_changes', domains: [], recordHistory: true, historyDays: 30 });
    expect(resolveBridgeOptions({ HA_STATE_BRIDGE_PER_ENTITY: 'true', HA_STATE_BRIDGE_OUTPUT_TOPIC: 'ha/changes/', HA_STATE_HISTORY: '0', HA_STATE_HISTORY_DAYS: '7' })).toMatchObject({ perEntity: true, baseTopic: 'ha/changes', recordHistory: false, historyDays: 7 });
    // A wildcard cannot be a publish topic.
    expect(resolveBridgeOptions({ HA_STATE_BRIDGE_OUTPUT_TOPIC: 'ha/#' }).baseTopic).toBe('homeassistant/state_changes');
  });

  it('filters by domain, entity glob and exclusion', () => {
    const f = bridgeFilter({ domains: ['sensor', 'light'], entities: ['sensor.*_temperature', 'light.kitchen'], exclude: ['sensor.attic_*'] });
    expect(f('sensor.living_room_temperature')).toBe(true);
    expect(f('sensor.attic_temperature')).toBe(false);
    expect(f('sensor.living_room_humidity')).toBe(false);
    expect(f('light.kitchen')).toBe(true);
    expect(f('switch.kitchen')).toBe(false);
    expect(bridgeFilter({ domains: [], entities: [], exclude: [] })('anything.at_all')).toBe(true);
  });
});
