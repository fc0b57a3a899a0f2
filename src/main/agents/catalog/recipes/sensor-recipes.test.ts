/** topic-recorder, threshold-alert and ha-notify-rule in the real sandbox on the embedded broker. */
import { describe, expect } from 'vitest';
import { topics as topicNames } from '../../../../shared/topics.js';
import type { Json } from '../testing/recipe-hub.js';
import { recipeTest } from '../../../testing/hub-fixture.js';
import { TimeSeries } from '../../../persistence/stores/time-series.js';
import { waitUntil } from '../../../testing/wait.js';

// Said even when it is the default: modules are shared between files (isolate: false), and so is an earlier file's override.
recipeTest.override('recipeHubOptions', {});

function stateChange(entityId: string, state: string, old: string | null, attributes: Record<string, unknown> = {}, lastChanged = new Date().toISOString()): Json {
  const domain = entityId.split('.')[0];
  return {
    type: 'home_assistant_state_change',
    entity_id: entityId,
    domain,
    new_state: { entity_id: entityId, state, attributes: { friendly_name: 'Living room lamp', ...attributes }, last_changed: lastChanged, last_updated: lastChanged },
    old_state: old === null ? null : { entity_id: entityId, state: old, attributes: { friendly_name: 'Living room lamp', ...attributes } },
    timestamp: Date.now() / 1000,
  };
}

const test = recipeTest;

describe('sensor and Home Assistant recipes', { timeout: 120_000 }, () => {
  test('topic-recorder writes numbers, {value}, HA states and on/off into SQLite time series', async ({ hub }) => {
    await hub.catalog.spawn('topic-recorder', { name: 'recorder', config: { topics: ['sensors/#', 'homeassistant/state_changes/#'], series: '{topic}', flush_seconds: 60 } }, 'user');
    hub.publish('sensors/kitchen/temp', 21.5);
    hub.publish('sensors/kitchen/temp', { value: '22.0', unit: '°C' });
    hub.publish('sensors/kitchen/temp', 'not a number');
    hub.publish('homeassistant/state_changes', stateChange('light.living_room', 'on', 'off'));
    await waitUntil(async () => (await hub.system.ask<Json>('recorder', { action: 'status' })).buffered === 3, 'three buffered samples');
    expect(await hub.system.ask<Json>('recorder', { action: 'flush' })).toEqual({ recorded: 3, buffered: 0 });
    const store = new TimeSeries(hub.persistence.db);
    expect(store.range('sensors/kitchen/temp').map((s) => s.value)).toEqual([21.5, 22]);
    expect(store.latest('homeassistant/state_changes')?.value).toBe(1);
    const q = await hub.system.ask<Json>('recorder', { action: 'query', series: 'sensors/kitchen/temp' });
    expect(q.samples.map((s: Json) => s.value)).toEqual([21.5, 22]);
    expect(await hub.system.ask<Json>('recorder', { action: 'status' })).toMatchObject({ recorded: 3, skipped: 1, series: ['sensors/kitchen/temp', 'homeassistant/state_changes'] });
  });

  test('topic-recorder flushes on its own, per-entity series from a template', async ({ hub }) => {
    await hub.catalog.spawn('topic-recorder', { name: 'ha-recorder', config: { topics: ['homeassistant/state_changes/#'], series: 'ha.{entity_id}', value_path: 'new_state.attributes.temperature', flush_seconds: 1 } }, 'user');
    hub.publish('homeassistant/state_changes/climate/climate.hall', { ...stateChange('climate.hall', 'heat', 'heat', { temperature: 19.5 }) });
    const store = new TimeSeries(hub.persistence.db);
    await waitUntil(() => store.latest('ha.climate.hall')?.value === 19.5, 'the sample written by the agent');
  });

  test('time series writes need the timeseries capability', async ({ hub }) => {
    await hub.dynamic.create({ name: 'sneaky', code: `export async function handleTask(agent) { return agent.sendTo('timeseries', { action: 'append', samples: [{ series: 'x', value: 1 }] }); }` });
    await expect(hub.system.ask('sneaky', {})).rejects.toThrow(/needs the "timeseries" capability/);
  });

  test('threshold-alert: alerts after N readings above, clears only past the hysteresis margin', async ({ hub }) => {
    const alerts = await hub.collect('agents/+/alert');
    const changes = await hub.collect('alerts/temp/#');
    await hub.catalog.spawn('threshold-alert', { name: 'too-hot', config: { topic: 'sensors/living/temp', above: 30, hysteresis: 2, samples: 2, label: 'Living room', severity: 'critical', publish_topic: 'alerts/temp/living' } }, 'user');
    const feed = async (v: number): Promise<Json> => hub.system.ask<Json>('too-hot', { value: v });
    expect((await feed(31)).status).toBe('ok'); // one reading is not enough
    expect((await feed(29)).status).toBe('ok'); // streak broken
    expect((await feed(31)).status).toBe('ok');
    expect((await feed(32)).status).toBe('high');
    expect((await feed(29)).status).toBe('high'); // inside the margin: still high
    expect((await feed(30.5)).status).toBe('high');
    hub.publish('sensors/living/temp', { value: 27.9 }); // over MQTT this time
    await waitUntil(() => changes.length === 2, 'two status changes');
    expect(changes.map((c) => [c.payload.status, c.payload.previous_status, c.payload.value])).toEqual([
      ['high', 'ok', 32],
      ['ok', 'high', 27.9],
    ]);
    const mine = alerts.filter((a) => a.payload.name === 'too-hot');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.payload).toMatchObject({ severity: 'critical', message: 'Living room is above 30: 32' });
  });

  test('threshold-alert: below, from Home Assistant state changes of one entity', async ({ hub }) => {
    const changes = await hub.collect('alerts/battery');
    await hub.catalog.spawn('threshold-alert', { name: 'low-battery', config: { topic: 'homeassistant/state_changes/#', entity_id: 'sensor.door_battery', below: 15, hysteresis: 5, alert: false, publish_topic: 'alerts/battery' } }, 'user');
    hub.publish('homeassistant/state_changes', stateChange('sensor.other', '3', '4'));
    hub.publish('homeassistant/state_changes', stateChange('sensor.door_battery', '12', '16'));
    await waitUntil(() => changes.length === 1, 'low battery');
    expect(changes[0]!.payload).toMatchObject({ status: 'low', value: 12, threshold: 15 });
  });

  test('threshold-alert refuses a config without a limit', async ({ hub }) => {
    await expect(hub.catalog.spawn('threshold-alert', { name: 'no-limit', config: { topic: 'x' } }, 'user')).rejects.toThrow(/"above", "below" or both/);
  });

  test('ha-notify-rule: lamp turns on → Discord webhook, once, with the friendly name', async ({ hub, hook }) => {
    await hub.catalog.spawn('ha-notify-rule', { name: 'lamp-on', config: { entities: ['light.living_*'], to_state: 'on', url: `${hook.url}/lamp`, format: 'discord', message: '💡 {friendly_name} turned {state} (was {old_state})' }, capabilities: ['fetch_local'] }, 'user');
    const change = stateChange('light.living_room', 'on', 'off');
    hub.publish(topicNames.haStateChanges, change);
    hub.publish(topicNames.haStateChangeEntity('light', 'light.living_room'), change); // the same change on the per-entity topic
    hub.publish(topicNames.haStateChanges, stateChange('light.kitchen', 'on', 'off')); // another entity
    hub.publish(topicNames.haStateChanges, stateChange('light.living_room', 'off', 'on')); // not the target state
    const [req] = await hook.waitFor(1, '/lamp');
    expect(req!.json).toEqual({ content: '💡 Living room lamp turned on (was off)' });
    expect(await hub.system.ask<Json>('lamp-on', { action: 'status' })).toMatchObject({ fired: 1, failed: 0 });
    expect(hook.requests.filter((r) => r.path === '/lamp')).toHaveLength(1);
  });

  test('ha-notify-rule: for_seconds waits, and a change back in time cancels', async ({ hub }) => {
    const out = await hub.collect('notify/door');
    await hub.catalog.spawn('ha-notify-rule', { name: 'door-open', config: { entities: ['binary_sensor.front_door'], to_state: 'on', from_state: 'off', for_seconds: 3, publish_topic: 'notify/door', message: 'Door open for a while' } }, 'user');
    hub.publish(topicNames.haStateChanges, stateChange('binary_sensor.front_door', 'on', 'off'));
    await waitUntil(async () => (await hub.system.ask<Json>('door-open', {})).pending.length === 1, 'a pending timer');
    hub.publish(topicNames.haStateChanges, stateChange('binary_sensor.front_door', 'off', 'on'));
    await waitUntil(async () => (await hub.system.ask<Json>('door-open', {})).pending.length === 0, 'the timer cancelled');
    hub.publish(topicNames.haStateChanges, stateChange('binary_sensor.front_door', 'on', 'off'));
    await waitUntil(() => out.length === 1, 'the rule fired after holding');
    expect(out[0]!.payload).toMatchObject({ entity_id: 'binary_sensor.front_door', state: 'on', old_state: 'off', message: 'Door open for a while' });
    expect((await hub.system.ask<Json>('door-open', {})).fired).toBe(1);
  });
});
