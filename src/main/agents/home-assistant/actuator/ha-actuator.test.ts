/**
 * The original's five pipeline patterns end to end on the real embedded broker: HA simulator →
 * state bridge → scripted filter/detector/timer agents → ha_actuator → HA service calls.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AskError } from '../../../core/errors.js';
import { connectRecordingClient } from '../../../broker/testing/mqtt-test-client.js';
import { HomeAssistantStateBridgeAgent } from '../bridge/state-bridge-agent.js';
import { type HaTestHub, startHaTestHub } from '../testing/ha-test-hub.js';
import { ScriptedDetectorActor, StateFilterActor, TimerActor } from '../testing/scripted-agents.js';
import { type ActuationOutcome, HaActuatorAgent, createHaActuator } from './ha-actuator.js';
import type { HaActuatorSpecInput } from './actuator-spec.js';
import { waitUntil } from '../../../testing/wait.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function hub(withBridge = false): Promise<HaTestHub> {
  const h = await startHaTestHub();
  cleanups.push(() => h.close());
  await waitUntil(() => h.connection.map.loaded, 'the home map');
  if (withBridge) {
    const bridge = await h.system.spawn(new HomeAssistantStateBridgeAgent({ connection: h.connection, history: h.history }));
    await waitUntil(() => bridge.status().baseline_loaded === true, 'the bridge');
  }
  return h;
}

async function spawnActuator(h: HaTestHub, spec: HaActuatorSpecInput): Promise<HaActuatorAgent> {
  return h.system.spawn(createHaActuator(spec, { connection: h.connection }));
}

describe('ha_actuator — the five pipeline patterns', () => {
  it('1. sensor → action: hallway motion turns on the living-room ceiling light', async () => {
    const h = await hub(true);
    await h.system.spawn(new StateFilterActor('hallway-motion-state-filter', 'binary_sensor.hallway_motion', 'on', 'custom/triggers/hallway-motion'));
    const act = await spawnActuator(h, {
      type: 'ha_actuator',
      name: 'hallway-motion-actuator',
      automation_id: 'hallway-motion',
      mqtt_topics: ['custom/triggers/hallway-motion'],
      detection_filter: { triggered: true },
      actions: [{ domain: 'light', service: 'turn_on', entity_id: 'light.living_room_ceiling', service_data: { brightness: 180 } }],
    });
    h.sim.setState('binary_sensor.hallway_motion', 'off'); // not the state the filter wants
    h.sim.setState('binary_sensor.hallway_motion', 'on');
    await waitUntil(() => h.sim.getState('light.living_room_ceiling')?.state === 'on', 'the light to turn on');
    // "off" went down the same ordered pipeline first: had it triggered, its call would be here too.
    expect(h.sim.serviceCalls).toHaveLength(1);
    expect(h.sim.getState('light.living_room_ceiling')?.attributes.brightness).toBe(180);
    expect(act.status().actuations_count).toBe(1);
  });

  it('2. sensor → notify: the front door opening sends a phone notification', async () => {
    const h = await hub(true);
    await h.system.spawn(new StateFilterActor('front-door-state-filter', 'binary_sensor.front_door', 'on', 'custom/triggers/front-door-open'));
    await spawnActuator(h, {
      automation_id: 'front-door-open',
      mqtt_topics: ['custom/triggers/front-door-open'],
      detection_filter: { triggered: true },
      actions: [{ domain: 'notify', service: 'mobile_app_phone', service_data: { title: 'Wactorz', message: '$payload.name opened ($payload.entity)' } }],
    });
    h.sim.setState('binary_sensor.front_door', 'on');
    const call = await h.sim.waitForServiceCall((c) => c.domain === 'notify');
    expect(call).toMatchObject({ service: 'mobile_app_phone', data: { title: 'Wactorz', message: 'Front Door opened (binary_sensor.front_door)' }, entityIds: [] });
  });

  it('3. camera → action: a confident person detection unlocks the door, only after dark', async () => {
    const h = await hub();
    const detector = await h.system.spawn(new ScriptedDetectorActor('porch-person-camera-detect', 'person', 'custom/detections/porch-person'));
    const act = await spawnActuator(h, {
      automation_id: 'porch-person',
      mqtt_topics: ['custom/detections/porch-person'],
      detection_filter: { detected: true, confidence: { gte: 0.8 } },
      conditions: [{ entity_id: 'sun.sun', attribute: 'state', operator: 'eq', value: 'below_horizon' }],
      actions: [{ domain: 'lock', service: 'unlock', entity_id: 'lock.front_door' }],
    });
    const frame = (labels: string[], confidence: number) => h.system.ask('porch-person-camera-detect', { labels, confidence });
    await frame(['car'], 0.99); // no person
    await frame(['person'], 0.5); // not confident enough
    // Both frames were filtered out (the decision comes before any call), and nothing was called.
    await waitUntil(() => (act.status().skipped as { filtered: number }).filtered === 2, 'both frames filtered');
    expect(h.sim.serviceCalls).toHaveLength(0);
    expect(act.status().skipped).toMatchObject({ filtered: 2 });
    await frame(['person', 'dog'], 0.93);
    await waitUntil(() => h.sim.getState('lock.front_door')?.state === 'unlocked', 'the door to unlock');
    expect(detector.state).toBe('running');
  });

  it('4. camera → notify: a detector on another machine (MQTT over TCP) triggers a notification', async () => {
    const h = await hub();
    await spawnActuator(h, {
      automation_id: 'porch-cat',
      mqtt_topics: ['custom/detections/porch-cat'],
      detection_filter: { detected: true },
      actions: [{ domain: 'notify', service: 'notify', service_data: { message: 'A $payload.target is on the porch', data: { objects: '$payload.objects' } } }],
    });
    const camera = await connectRecordingClient(h.mqttUrl);
    cleanups.push(() => camera.end());
    await camera.publish('custom/detections/porch-cat', JSON.stringify({ detected: false, target: 'cat', objects: ['bicycle'] }), { qos: 1 });
    await camera.publish('custom/detections/porch-cat', JSON.stringify({ detected: true, target: 'cat', objects: ['cat', 'bicycle'] }), { qos: 1 });
    const call = await h.sim.waitForServiceCall((c) => c.domain === 'notify');
    expect(call.data).toEqual({ message: 'A cat is on the porch', data: { objects: ['cat', 'bicycle'] } });
    expect(h.sim.serviceCalls.filter((c) => c.domain === 'notify')).toHaveLength(1);
  });

  it('5. timer → action: a timer turns the lights off; the cooldown keeps it to one call', async () => {
    const h = await hub();
    const act = await spawnActuator(h, {
      automation_id: 'lights-out',
      mqtt_topics: ['custom/triggers/lights-out'],
      detection_filter: { triggered: true },
      cooldown_seconds: 10,
      actions: [{ domain: 'light', service: 'turn_off', entity_id: ['light.kitchen', 'light.bedside'] }],
    });
    h.sim.setState('light.bedside', 'on');
    const timer = await h.system.spawn(new TimerActor('lights-out-timer', 'custom/triggers/lights-out', 20));
    await waitUntil(() => timer.ticks >= 5, 'five timer ticks');
    await waitUntil(() => (act.status().skipped as { cooldown: number }).cooldown >= 3, 'ticks inside the cooldown');
    const calls = h.sim.serviceCalls.filter((c) => c.domain === 'light');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ service: 'turn_off', entityIds: ['light.kitchen', 'light.bedside'] });
    expect(h.sim.getState('light.kitchen')?.state).toBe('off');
    expect(h.sim.getState('light.bedside')?.state).toBe('off');
  });
});

describe('ha_actuator — checks and failures', () => {
  it('a condition that does not hold stops the actuation (fail closed)', async () => {
    const h = await hub();
    await spawnActuator(h, {
      name: 'daytime-actuator',
      automation_id: 'daytime',
      mqtt_topics: ['custom/triggers/daytime'],
      conditions: [{ entity_id: 'sun.sun', attribute: 'attributes.elevation', operator: 'gt', value: 0 }],
      actions: [{ domain: 'switch', service: 'turn_on', entity_id: 'switch.coffee_maker' }],
    });
    const r = await h.system.ask<ActuationOutcome>('daytime-actuator', { action: 'trigger' });
    expect(r).toMatchObject({ outcome: 'conditions_not_met' });
    h.sim.setState('sun.sun', 'above_horizon', { elevation: 15 });
    await waitUntil(() => h.connection.map.state('sun.sun')?.state === 'above_horizon', 'the map to see the sun');
    const fired = await h.system.ask<ActuationOutcome>('daytime-actuator', { action: 'trigger' });
    expect(fired.outcome).toBe('fired');
    expect(h.sim.getState('switch.coffee_maker')?.state).toBe('on');
  });

  it('malformed trigger payloads are dropped and counted; the actuator keeps working', async () => {
    const h = await hub();
    const act = await spawnActuator(h, { automation_id: 'robust', mqtt_topics: ['custom/triggers/robust'], actions: [{ domain: 'light', service: 'toggle', entity_id: 'light.bedside' }] });
    h.broker.bus.publish('custom/triggers/robust', 'not json');
    h.broker.bus.publish('custom/triggers/robust', '[1,2]');
    h.broker.bus.publish('custom/triggers/robust', { triggered: true });
    await waitUntil(() => h.sim.getState('light.bedside')?.state === 'on', 'the good trigger');
    expect(act.status().skipped).toMatchObject({ invalid_payload: 2 });
    expect(act.state).toBe('running');
  });

  it('an action whose $payload field is missing is skipped and says why; an unknown entity is a clear error', async () => {
    const h = await hub();
    await spawnActuator(h, {
      name: 'color-actuator',
      automation_id: 'color',
      mqtt_topics: ['custom/detections/color'],
      actions: [
        { domain: 'light', service: 'turn_on', entity_id: 'light.kitchen', service_data: { rgb_color: '$payload.rgb' } },
        { domain: 'light', service: 'turn_on', entity_id: 'light.garage' },
      ],
    });
    const r = await h.system.ask<ActuationOutcome>('color-actuator', { action: 'trigger', payload: { detected: true } });
    expect(r.outcome).toBe('fired');
    const actions = r.outcome === 'fired' ? r.actions : [];
    expect(actions[0]).toMatchObject({ ok: false, skipped: 'the trigger payload has no rgb' });
    expect(actions[1]).toMatchObject({ ok: false });
    expect(actions[1]?.error).toMatch(/no entity light\.garage/);
    expect(h.sim.serviceCalls).toHaveLength(0);
  });

  it('publishes each actuation on agents/{id}/actuations', async () => {
    const h = await hub();
    const watcher = await connectRecordingClient(h.mqttUrl);
    cleanups.push(() => watcher.end());
    await watcher.subscribe('agents/+/actuations');
    const act = await spawnActuator(h, { automation_id: 'seen', mqtt_topics: ['custom/triggers/seen'], actions: [{ domain: 'switch', service: 'turn_on', entity_id: 'switch.coffee_maker' }] });
    h.broker.bus.publish('custom/triggers/seen', { triggered: true });
    await waitUntil(() => watcher.received.length === 1, 'the actuation message');
    expect(watcher.received[0]!.topic).toBe(`agents/${act.actorId}/actuations`);
    expect(JSON.parse(watcher.received[0]!.payload)).toMatchObject({ automation_id: 'seen', topic: 'custom/triggers/seen', actions: [{ service: 'switch.turn_on', ok: true }], trigger_payload: { triggered: true } });
  });

  it('keeps its count and cooldown across a restart', async () => {
    const h = await hub();
    const spec = { name: 'persisted-actuator', automation_id: 'persisted', mqtt_topics: ['custom/triggers/persisted'], cooldown_seconds: 60, actions: [{ domain: 'light', service: 'toggle', entity_id: 'light.bedside' }] };
    await spawnActuator(h, spec);
    expect((await h.system.ask<ActuationOutcome>('persisted-actuator', { action: 'trigger' })).outcome).toBe('fired');
    await h.system.stop('persisted-actuator');
    const again = await spawnActuator(h, spec);
    expect(again.status().actuations_count).toBe(1);
    expect((await h.system.ask<ActuationOutcome>('persisted-actuator', { action: 'trigger' })).outcome).toBe('cooldown');
    expect(h.sim.serviceCalls).toHaveLength(1);
  });

  it('createHaActuator refuses an invalid spec with every problem listed', () => {
    let err: unknown;
    try {
      createHaActuator({ automation_id: 'x', mqtt_topics: ['a/+/b'], actions: [{ domain: 'light' }] }, { connection: null });
    } catch (e) {
      err = e;
    }
    expect((err as { kind?: string }).kind).toBe('bad_input');
    expect((err as Error).message).toMatch(/actions\.0\.service/);
  });

  it('without HA configured it still runs and says why it does not actuate', async () => {
    const h = await hub();
    await h.system.spawn(createHaActuator({ name: 'idle-actuator', automation_id: 'idle', mqtt_topics: ['custom/triggers/idle'], actions: [{ domain: 'light', service: 'turn_on', entity_id: 'light.kitchen' }] }, { connection: null, notConfiguredReason: 'set HA_URL and HA_TOKEN' }));
    const r = await h.system.ask<ActuationOutcome>('idle-actuator', { action: 'trigger' });
    expect(r).toEqual({ outcome: 'not_configured', reason: 'set HA_URL and HA_TOKEN' });
    await expect(h.system.ask('idle-actuator', { action: 'explode' })).rejects.toBeInstanceOf(AskError);
  });
});
