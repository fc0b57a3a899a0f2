import { afterEach, describe, expect, it } from 'vitest';
import { HaConnection } from '../ha-connection.js';
import { type HaSimulator, startHaSimulator } from '../testing/ha-simulator.js';
import { waitUntil } from '../../../testing/wait.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function connected(): Promise<{ sim: HaSimulator; conn: HaConnection }> {
  const sim = await startHaSimulator();
  cleanups.push(() => sim.stop());
  const conn = new HaConnection({ url: sim.url, token: sim.token }, { map: { reloadDebounceMs: 20 } });
  cleanups.push(() => conn.close());
  conn.start();
  await conn.ws.waitUntilConnected();
  await waitUntil(() => conn.map.loaded, 'the map to load');
  return { sim, conn };
}

describe('HomeMap', () => {
  it('joins areas, devices, entities and states from the registries', async () => {
    const { conn } = await connected();
    const snap = conn.map.snapshot();
    expect(snap.areas.map((a) => a.name)).toEqual(['Bedroom', 'Kitchen', 'Living Room']);
    const living = snap.areas.find((a) => a.area_id === 'living_room')!;
    // The lamp has no area of its own: it is in its device's area, named by its registry name.
    const lamp = living.entities.find((e) => e.entity_id === 'light.wiz_rgbw_tunable_02cba0')!;
    expect(lamp).toMatchObject({ name: 'Living Room Lamp', state: 'off', area_name: 'Living Room', device_name: 'WiZ RGBW Tunable', toggleable: true });
    expect(living.devices.map((d) => d.id).sort()).toEqual(['dev_ceiling', 'dev_climate', 'dev_lamp']);
    expect(living.devices.find((d) => d.id === 'dev_climate')?.entity_ids.sort()).toEqual(['sensor.living_room_humidity', 'sensor.living_room_temperature']);
    // No area anywhere: unassigned, and a state-only entity (sun.sun) is still listed.
    expect(snap.unassigned.entities.map((e) => e.entity_id)).toEqual(expect.arrayContaining(['binary_sensor.front_door', 'sun.sun', 'lock.front_door']));
    expect(snap.unassigned.entities.find((e) => e.entity_id === 'sensor.living_room_temperature')).toBeUndefined();
    expect(snap.counts.entities).toBe(conn.map.entities().length);
    expect(snap.connected).toBe(true);
  });

  it('stays current: state changes, entities moved between areas, new areas and devices', async () => {
    const { sim, conn } = await connected();
    sim.setState('switch.coffee_maker', 'on');
    await waitUntil(() => conn.map.entity('switch.coffee_maker')?.state === 'on', 'the new state');

    sim.addArea({ area_id: 'hallway', name: 'Hallway' });
    sim.setEntityArea('binary_sensor.hallway_motion', 'hallway');
    await waitUntil(() => conn.map.snapshot().areas.find((a) => a.area_id === 'hallway')?.entities.some((e) => e.entity_id === 'binary_sensor.hallway_motion'), 'the moved entity');

    sim.setDeviceArea('dev_door', 'hallway');
    await waitUntil(() => conn.map.entity('binary_sensor.front_door')?.area_name === 'Hallway', 'the device move');

    sim.renameArea('kitchen', 'Cuisine');
    await waitUntil(() => conn.map.entity('light.kitchen')?.area_name === 'Cuisine', 'the renamed area');

    sim.addEntity({ entity_id: 'light.hall', state: 'off', attributes: { friendly_name: 'Hall Light' }, registry: { area_id: 'hallway' } });
    await waitUntil(() => conn.map.entity('light.hall')?.area_id === 'hallway', 'the new entity');

    sim.removeEntity('light.hall');
    await waitUntil(() => conn.map.entity('light.hall') === undefined, 'the removed entity');

    sim.removeArea('hallway');
    // HA announces the area and the entities it leaves in separate registry updates.
    await waitUntil(() => !conn.map.snapshot().areas.some((a) => a.area_id === 'hallway') && conn.map.entity('binary_sensor.hallway_motion')?.area_id !== 'hallway', 'the removed area');
    expect(conn.map.entity('binary_sensor.hallway_motion')?.area_id).toBeNull();
  });

  it('reloads after HA restarts, picking up changes made while it was away', async () => {
    const { sim, conn } = await connected();
    await sim.restart(300, () => {
      // Nobody is connected: no event will tell the map about this.
      sim.setState('lock.front_door', 'unlocked');
    });
    await waitUntil(() => conn.map.entity('lock.front_door')?.state === 'unlocked', 'the reload after reconnect', 20_000);
  });
});
