import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createActorHubApi } from '../../../hub/actor-hub-api.js';
import { CostTracker } from '../../../llm/cost-tracker.js';
import { NotConfiguredProvider } from '../../../llm/not-configured-provider.js';
import { createHttpApp, listenHttp } from '../../../server/http-app.js';
import { type Json, json, postJson } from '../../../testing/http.js';
import { HaConnection } from '../ha-connection.js';
import { startHaSimulator } from '../testing/ha-simulator.js';
import { type HaTestHub, startHaTestHub } from '../testing/ha-test-hub.js';
import { type HomeAssistantRouteDeps, homeAssistantRoutes } from './ha-routes.js';
import { waitUntil } from '../../../testing/wait.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The hub's real HTTP app (error handler, /api prefix) with the HA plugin mounted. */
async function serve(hub: HaTestHub, deps: HomeAssistantRouteDeps): Promise<string> {
  const api = createActorHubApi({
    system: hub.system,
    bus: hub.broker.bus,
    persistence: hub.persistence,
    llm: new NotConfiguredProvider('none', '', '', 'no LLM'),
    costs: new CostTracker(),
    mqtt: { mode: 'embedded', port: hub.broker.port },
    startedAt: Date.now(),
    chat: () => Promise.reject(new Error('no chat in this test')),
  });
  const app: FastifyInstance = await createHttpApp({ hub: api, accessTokens: () => [], routes: [homeAssistantRoutes(deps)], apiPrefix: '/api' });
  cleanups.push(() => app.close());
  const port = await listenHttp(app, '127.0.0.1', 0, '--port');
  return `http://127.0.0.1:${port}/api`;
}

async function setup(): Promise<{ hub: HaTestHub; base: string }> {
  const hub = await startHaTestHub();
  cleanups.push(() => hub.close());
  await waitUntil(() => hub.connection.map.loaded, 'the map');
  const base = await serve(hub, { connection: hub.connection, history: hub.history });
  return { hub, base };
}

describe('Home Assistant REST routes', () => {
  it('GET /ha-map: areas, devices and entities', async () => {
    const { base } = await setup();
    const r = await fetch(`${base}/ha-map`);
    expect(r.status).toBe(200);
    const map: Json = await r.json();
    expect(map.areas.map((a: Json) => a.name)).toEqual(['Bedroom', 'Kitchen', 'Living Room']);
    expect(map.areas.find((a: Json) => a.area_id === 'kitchen').entities.map((e: Json) => e.entity_id).sort()).toEqual(['light.kitchen', 'switch.coffee_maker']);
    expect(map.counts.entities).toBeGreaterThan(10);
    expect(map.connected).toBe(true);
    // The original's payload beside ours: devices with their area's name and their entities.
    expect(map).toMatchObject({ type: 'home_assistant_map_update', event_type: 'entity_registry_updated', event: {}, timestamp: map.updated_at });
    expect(map.devices.length).toBe(map.counts.devices);
    const withEntities = map.devices.find((d: Json) => d.entities.length > 0);
    expect(withEntities).toMatchObject({ device_id: expect.any(String), name: expect.any(String) });
    expect(Object.keys(withEntities.entities[0]).sort()).toEqual(['area', 'attributes', 'entity_id', 'name', 'original_name', 'platform', 'state', 'unique_id']);
    const kitchenDevice = map.devices.find((d: Json) => d.entities.some((e: Json) => e.entity_id === 'light.kitchen'));
    expect(kitchenDevice?.entities.find((e: Json) => e.entity_id === 'light.kitchen').area).toBe('Kitchen');
  });

  it('GET /ha-map: 404 with the reason when HA is not configured', async () => {
    const hub = await startHaTestHub();
    cleanups.push(() => hub.close());
    const base = await serve(hub, { connection: null, notConfiguredReason: 'Home Assistant is not configured: set HA_URL and HA_TOKEN.' });
    const r = await fetch(`${base}/ha-map`);
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: 'Home Assistant map snapshot not available', detail: 'Home Assistant is not configured: set HA_URL and HA_TOKEN.' });
    expect(await json(fetch(`${base}/ha/status`))).toEqual({ configured: false, reason: 'Home Assistant is not configured: set HA_URL and HA_TOKEN.' });
    expect((await fetch(`${base}/ha/entities`)).status).toBe(404);
  });

  it('a refused token is a 502 that says so; HA down is a 503', async () => {
    const hub = await startHaTestHub();
    cleanups.push(() => hub.close());
    const bad = new HaConnection({ url: hub.sim.url, token: 'wrong' });
    cleanups.push(() => bad.close());
    bad.start();
    await bad.ws.waitUntilConnected(5000).catch(() => undefined);
    const base = await serve(hub, { connection: bad });
    const r = await fetch(`${base}/ha-map`);
    expect(r.status).toBe(502);
    const body: Json = await r.json();
    expect(body.error).toBe('Home Assistant rejected the access token');
    expect(body.detail).toMatch(/HA_TOKEN/);

    const gone = await startHaSimulator();
    const goneUrl = gone.url;
    await gone.stop();
    const down = new HaConnection({ url: goneUrl, token: 't' }, { ws: { retry: { initialMs: 50, maxMs: 100 } } });
    cleanups.push(() => down.close());
    down.start();
    const base2 = await serve(hub, { connection: down, loadTimeoutMs: 500 });
    const r2 = await fetch(`${base2}/ha/entities`);
    expect(r2.status).toBe(503);
    expect(((await r2.json()) as Json).detail).toContain(`not reachable at ${goneUrl}`);
  });

  it('GET /ha/entities with domain and area filters', async () => {
    const { base } = await setup();
    const lights: Json = await json(fetch(`${base}/ha/entities?domain=light`));
    expect(lights.entities.map((e: Json) => e.entity_id).sort()).toEqual(['light.bedside', 'light.kitchen', 'light.living_room_ceiling', 'light.wiz_rgbw_tunable_02cba0']);
    expect(lights.entities.every((e: Json) => e.toggleable)).toBe(true);
    const living: Json = await json(fetch(`${base}/ha/entities?area=Living%20Room&domain=sensor`));
    expect(living.entities.map((e: Json) => `${e.entity_id}=${e.state}`).sort()).toEqual(['sensor.living_room_humidity=48', 'sensor.living_room_temperature=21.5']);
  });

  it('POST /ha/entities/:id/toggle flips a light and answers the new state', async () => {
    const { hub, base } = await setup();
    const r = await postJson(`${base}/ha/entities/light.bedside/toggle`, {});
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ entity_id: 'light.bedside', service: 'light.toggle', previous_state: 'off', state: 'on' });
    expect(hub.sim.getState('light.bedside')?.state).toBe('on');
    expect(((await json(postJson(`${base}/ha/entities/light.bedside/toggle`, {}))) as Json).state).toBe('off');
  });

  it('toggle: 404 for an unknown entity, 400 for one that cannot be toggled or a bad id', async () => {
    const { hub, base } = await setup();
    const unknown = await postJson(`${base}/ha/entities/light.bedsyde/toggle`, {});
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as Json).error).toMatch(/no entity light\.bedsyde — did you mean light\.bedside/);
    const sensor = await postJson(`${base}/ha/entities/sensor.living_room_temperature/toggle`, {});
    expect(sensor.status).toBe(400);
    expect(((await sensor.json()) as Json).error).toMatch(/cannot be toggled/);
    expect((await postJson(`${base}/ha/entities/not-an-id/toggle`, {})).status).toBe(400);
    expect(hub.sim.serviceCalls).toHaveLength(0);
  });

  it('GET /ha/history/:id serves recorded history; bad queries are 400', async () => {
    const { hub, base } = await setup();
    const now = Date.now() / 1000;
    hub.history.record('sensor.living_room_temperature', { entity_id: 'sensor.living_room_temperature', state: '20', attributes: { unit_of_measurement: '°C' } }, now - 120);
    hub.history.record('sensor.living_room_temperature', { entity_id: 'sensor.living_room_temperature', state: '21', attributes: { unit_of_measurement: '°C' } }, now - 60);
    const h: Json = await json(fetch(`${base}/ha/history/sensor.living_room_temperature?since=${Math.floor(now - 3600)}`));
    expect(h).toMatchObject({ entity_id: 'sensor.living_room_temperature', numeric: true, unit: '°C' });
    expect(h.points.map((p: Json) => p.value)).toEqual([20, 21]);
    expect((await fetch(`${base}/ha/history/sensor.living_room_temperature?limit=abc`)).status).toBe(400);
    expect((await fetch(`${base}/ha/history/sensor.living_room_temperature?since=10&until=5`)).status).toBe(400);
    expect((await fetch(`${base}/ha/history/Bad%20Id`)).status).toBe(400);
  });

  it('GET /ha/status reports the connection', async () => {
    const { base } = await setup();
    const s: Json = await json(fetch(`${base}/ha/status`));
    expect(s).toMatchObject({ configured: true, connected: true, status: 'connected', map_loaded: true });
  });
});
