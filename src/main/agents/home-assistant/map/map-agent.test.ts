/**
 * The original's home-assistant-map-agent, against the HA simulator and the embedded broker with a
 * real MQTT client: the map at start and after an entity registry change (with the event), framed
 * in chunks as the original did when it is larger than the limit, and the tasks `status`,
 * `refresh`, `refresh simple`; without HA configured it says why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRecordingClient, type RecordingClient } from '../../../broker/testing/mqtt-test-client.js';
import { waitUntil } from '../../../testing/wait.js';
import { ActorSystem } from '../../../core/actor-system.js';
import { MemoryBus } from '../../../core/testing/memory-bus.js';
import { startHaTestHub, type HaTestHub } from '../testing/ha-test-hub.js';
import { DEFAULT_MAP_TOPIC, HomeAssistantMapAgent, mapOutputTopic } from './map-agent.js';
import { mapMessages } from './map-chunks.js';

interface MapPayload {
  type: string;
  event: Record<string, unknown>;
  devices: { device_id: string; name: string; area: string | null; entities: { entity_id: string; state?: string | null; attributes?: unknown }[] }[];
}

/** The map payloads on the topic, chunked ones reassembled. */
function maps(messages: { payload: string }[]): MapPayload[] {
  const out: MapPayload[] = [];
  const parts = new Map<string, { count: number; data: string[] }>();
  for (const m of messages) {
    const p = JSON.parse(m.payload) as Record<string, unknown>;
    if (p.type === 'home_assistant_map_update') out.push(p as unknown as MapPayload);
    else if (p.type === 'home_assistant_map_update_chunked') parts.set(p.snapshot_id as string, { count: p.chunk_count as number, data: [] });
    else if (p.type === 'home_assistant_map_update_chunk') {
      const s = parts.get(p.snapshot_id as string)!;
      s.data[p.chunk_index as number] = p.data as string;
      if (s.data.filter((d) => d !== undefined).length === s.count) out.push(JSON.parse(Buffer.from(s.data.join(''), 'base64').toString('utf8')));
    }
  }
  return out;
}

describe('mapMessages (the original framing)', () => {
  it('sends a small payload as is, a large one as a header and chunks that each fit and reassemble', () => {
    const small = { type: 'home_assistant_map_update', devices: [] };
    expect(mapMessages(small)).toEqual([small]);
    const big = { type: 'home_assistant_map_update', event_type: 'entity_registry_updated', timestamp: 1, event: {}, devices: Array.from({ length: 60 }, (_, i) => ({ device_id: `d${i}`, name: `Device ${i} ünïcode`, entities: [] })) };
    const msgs = mapMessages(big, 512) as Record<string, unknown>[];
    expect(msgs[0]).toMatchObject({ type: 'home_assistant_map_update_chunked', chunk_count: msgs.length - 1, total_devices: 60, encoding: 'base64-json' });
    for (const m of msgs) expect(Buffer.byteLength(JSON.stringify(m))).toBeLessThanOrEqual(512);
    expect(maps(msgs.map((m) => ({ payload: JSON.stringify(m) })))).toEqual([big]);
    expect(() => mapMessages(big, 100)).toThrow(/no room/);
  });

  it('the output topic: HA_MAP_AGENT_OUTPUT_TOPIC, then HOME_ASSISTANT_MAP_OUTPUT_TOPIC, then the default', () => {
    expect(mapOutputTopic({})).toBe(DEFAULT_MAP_TOPIC);
    expect(mapOutputTopic({ HOME_ASSISTANT_MAP_OUTPUT_TOPIC: 'b' })).toBe('b');
    expect(mapOutputTopic({ HA_MAP_AGENT_OUTPUT_TOPIC: 'a', HOME_ASSISTANT_MAP_OUTPUT_TOPIC: 'b' })).toBe('a');
  });
});

describe('home-assistant-map-agent', () => {
  let hub: HaTestHub;
  let mqtt: RecordingClient;
  const onTopic = () => mqtt.received.filter((m) => m.topic === DEFAULT_MAP_TOPIC);
  beforeAll(async () => {
    hub = await startHaTestHub();
    mqtt = await connectRecordingClient(hub.mqttUrl);
    await mqtt.subscribe(DEFAULT_MAP_TOPIC);
    await hub.system.spawn(new HomeAssistantMapAgent({ connection: hub.connection }));
  });
  afterAll(async () => {
    await mqtt?.end();
    await hub?.close();
  });

  it('publishes the map at start, and again with the event when the entity registry changes', async () => {
    await waitUntil(() => maps(onTopic()).length === 1, 'the map at start');
    const first = maps(onTopic())[0]!;
    expect(first.type).toBe('home_assistant_map_update');
    const lamp = first.devices.find((d) => d.device_id === 'dev_lamp')!;
    expect(lamp.entities.map((e) => e.entity_id)).toContain('light.wiz_rgbw_tunable_02cba0');
    hub.sim.addEntity({ entity_id: 'light.new_lamp', state: 'on', registry: { name: 'New Lamp', device_id: 'dev_lamp' } });
    await waitUntil(() => maps(onTopic()).some((m) => m.event.entity_id === 'light.new_lamp'), 'the map after the registry event');
    const after = maps(onTopic()).find((m) => m.event.entity_id === 'light.new_lamp')!;
    expect(after.event).toMatchObject({ action: 'create' });
    expect(after.devices.find((d) => d.device_id === 'dev_lamp')!.entities.map((e) => e.entity_id)).toContain('light.new_lamp');
  });

  it('answers status, refresh and refresh simple (no states); other words are refused with the list', async () => {
    expect(await hub.system.ask('home-assistant-map-agent', 'status')).toMatchObject({ configured: true, event_type: 'entity_registry_updated', events_seen: expect.any(Number), output_topic: DEFAULT_MAP_TOPIC, last_error: '' });
    const full = await hub.system.ask<MapPayload>('home-assistant-map-agent', { text: 'refresh' });
    expect(full.devices.flatMap((d) => d.entities).some((e) => typeof e.state === 'string')).toBe(true);
    const simple = await hub.system.ask<MapPayload>('home-assistant-map-agent', { command: 'Refresh Simple' });
    expect(simple.devices.flatMap((d) => d.entities).every((e) => !('state' in e) && !('attributes' in e))).toBe(true);
    await expect(hub.system.ask('home-assistant-map-agent', 'dance')).rejects.toThrow(/'status', 'refresh', 'refresh simple'/);
  });

  it('without Home Assistant: runs, says why in status, refuses a refresh', async () => {
    const system = new ActorSystem({ bus: new MemoryBus(), persistence: hub.persistence, heartbeatMs: 60_000 });
    try {
      await system.spawn(new HomeAssistantMapAgent({ connection: null, notConfiguredReason: 'HA_URL is not set' }));
      expect(await system.ask('home-assistant-map-agent', 'status')).toMatchObject({ configured: false, last_error: 'HA_URL is not set' });
      await expect(system.ask('home-assistant-map-agent', 'refresh')).rejects.toThrow(/HA_URL is not set/);
    } finally {
      await system.shutdown();
    }
  });
});
