import { afterEach, describe, expect, it, vi } from 'vitest';
import { type HaSimulator, startHaSimulator } from '../testing/ha-simulator.js';
import { logCollector } from '../testing/log-collector.js';
import { HaError } from './ha-error.js';
import type { HaStateChangedData } from './ha-schemas.js';
import { HaWsClient } from './ha-ws-client.js';
import { waitUntil } from '../../../testing/wait.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  vi.useRealTimers();
});

/**
 * Timers that run as real time does but can be jumped ahead and counted: a negative check ("no
 * retry") jumps past every back-off (ours, the library's 0–5 s) and then finds nothing scheduled.
 */
function flowingVirtualTime(): void {
  vi.useFakeTimers({ shouldAdvanceTime: true, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
}
async function expectNothingScheduledLater(): Promise<void> {
  await vi.advanceTimersByTimeAsync(60_000);
  expect(vi.getTimerCount(), 'a timer is still pending after a minute: a retry?').toBe(0);
}

async function setup(opts: { token?: string } = {}): Promise<{ sim: HaSimulator; client: HaWsClient; logs: ReturnType<typeof logCollector> }> {
  const sim = await startHaSimulator();
  cleanups.push(() => sim.stop());
  const logs = logCollector();
  const client = new HaWsClient({ url: sim.url, token: opts.token ?? sim.token }, { log: logs.log, retry: { initialMs: 100, maxMs: 500 } });
  cleanups.push(() => client.close());
  return { sim, client, logs };
}

describe('HaWsClient against the simulator', () => {
  it('logs in, reads states, services and the three registries', async () => {
    const { client } = await setup();
    client.start();
    await client.waitUntilConnected();
    expect(client.haVersion).toMatch(/^20\d\d\./);
    const states = await client.getStates();
    expect(states.find((s) => s.entity_id === 'sensor.living_room_temperature')?.state).toBe('21.5');
    const services = await client.getServices();
    expect(Object.keys(services.light ?? {})).toContain('turn_on');
    expect((await client.listAreas()).map((a) => a.name)).toEqual(['Living Room', 'Kitchen', 'Bedroom']);
    expect((await client.listDevices()).find((d) => d.id === 'dev_lamp')?.area_id).toBe('living_room');
    expect((await client.listEntityRegistry()).find((e) => e.entity_id === 'light.wiz_rgbw_tunable_02cba0')?.device_id).toBe('dev_lamp');
  });

  it('subscribes to state_changed and gets old/new state objects; call_service changes state', async () => {
    const { sim, client } = await setup();
    const seen: HaStateChangedData[] = [];
    client.onStateChanged((d) => seen.push(d));
    client.start();
    await client.waitUntilConnected();
    await waitUntil(() => sim.subscriptionCount() === 1, 'the subscription');
    await client.callService('light', 'turn_on', undefined, { entity_id: 'light.wiz_rgbw_tunable_02cba0' });
    const ev = await waitUntil(() => seen.find((d) => d.entity_id === 'light.wiz_rgbw_tunable_02cba0'), 'state_changed for the lamp');
    expect(ev.old_state?.state).toBe('off');
    expect(ev.new_state?.state).toBe('on');
    expect(sim.serviceCalls.at(-1)).toMatchObject({ domain: 'light', service: 'turn_on', via: 'websocket' });
  });

  it('an unknown service is a not_found error with HA’s message', async () => {
    const { client } = await setup();
    client.start();
    await client.waitUntilConnected();
    const e = await client.callService('light', 'explode', {}, { entity_id: 'light.kitchen' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HaError);
    expect((e as HaError).kind).toBe('not_found');
    expect((e as HaError).message).toMatch(/light\.explode not found/);
  });

  it('a wrong token gives ONE clear error and no retry storm', async () => {
    flowingVirtualTime();
    const { sim, client, logs } = await setup({ token: 'wrong-token' });
    const statuses: string[] = [];
    client.onStatus((s) => statuses.push(s));
    client.start();
    const e = await client.waitUntilConnected(10_000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HaError);
    expect((e as HaError).kind).toBe('auth');
    expect((e as HaError).message).toMatch(/rejected the access token/);
    // Give a retry loop every chance to show itself (its backoff here starts at 100 ms).
    await expectNothingScheduledLater();
    expect(sim.authAttempts).toBe(1);
    expect(sim.connectionsOpened).toBe(1);
    expect(client.status).toBe('auth_failed');
    expect(statuses.filter((s) => s === 'auth_failed')).toHaveLength(1);
    expect(logs.count('error', /rejected the access token/)).toBe(1);
    // Commands fail with the same clear error instead of hanging.
    const cmd = await client.getStates().catch((x: unknown) => x);
    expect((cmd as HaError).kind).toBe('auth');
  });

  it('connects once HA comes up when it was down at start', async () => {
    const { sim, client } = await setup();
    const port = sim.port;
    await sim.stop();
    client.start();
    await waitUntil(() => client.lastError, 'the first attempt to fail');
    expect(client.status).toBe('connecting');
    expect(client.lastError?.kind).toBe('unreachable');
    await sim.start(port);
    await client.waitUntilConnected(15_000);
    expect((await client.getStates()).length).toBeGreaterThan(5);
  });

  it('HA restarting mid-stream: reconnects, re-subscribes and keeps delivering events', async () => {
    const { sim, client, logs } = await setup();
    const seen: string[] = [];
    client.onStateChanged((d) => seen.push(`${d.entity_id}=${d.new_state?.state}`));
    const statuses: string[] = [];
    client.onStatus((s) => statuses.push(s));
    client.start();
    await client.waitUntilConnected();
    await waitUntil(() => sim.subscriptionCount() === 1, 'the subscription');
    sim.setState('sensor.living_room_temperature', '22.0');
    await waitUntil(() => seen.includes('sensor.living_room_temperature=22.0'), 'the first event');

    await sim.restart(400);
    await waitUntil(() => statuses.includes('reconnecting'), 'the drop to be noticed');
    await waitUntil(() => client.status === 'connected' && sim.subscriptionCount() === 1, 'reconnect and re-subscribe', 20_000);
    sim.setState('sensor.living_room_temperature', '23.5');
    await waitUntil(() => seen.includes('sensor.living_room_temperature=23.5'), 'an event after the restart');
    expect(logs.count('warning', /lost the connection/)).toBe(1);
    expect(logs.count('info', /reconnected/)).toBeGreaterThanOrEqual(1);
    expect(await client.getStates()).not.toHaveLength(0);
  });

  it('malformed frames and events are dropped and logged; the stream goes on', async () => {
    const { sim, client, logs } = await setup();
    const seen: HaStateChangedData[] = [];
    client.onStateChanged((d) => seen.push(d));
    client.start();
    await client.waitUntilConnected();
    await waitUntil(() => sim.subscriptionCount() === 1, 'the subscription');
    const bad = sim.sendMalformedBurst();
    expect(bad).toBeGreaterThan(5);
    sim.setState('binary_sensor.front_door', 'on');
    const ev = await waitUntil(() => seen.find((d) => d.entity_id === 'binary_sensor.front_door'), 'the good event after the bad ones');
    expect(ev.new_state?.state).toBe('on');
    // None of the garbage reached the handler.
    expect(seen).toHaveLength(1);
    expect(client.droppedMessages).toBeGreaterThanOrEqual(bad - 1);
    expect(logs.count('warning', /dropped a malformed/)).toBeGreaterThan(0);
    expect(client.connected).toBe(true);
    expect((await client.getStates()).length).toBeGreaterThan(0);
  });
});

describe('HaWsClient when the token is revoked while HA restarts', () => {
  it('stops with one auth error instead of reconnecting forever', async () => {
    flowingVirtualTime();
    const { sim, client, logs } = await setup();
    client.start();
    await client.waitUntilConnected();
    await sim.restart(200, () => {
      sim.token = 'rotated';
    });
    await waitUntil(() => client.status === 'auth_failed', 'auth_failed after the restart', 20_000);
    const attempts = sim.authAttempts;
    await expectNothingScheduledLater();
    expect(sim.authAttempts).toBe(attempts);
    expect(logs.count('error', /rejected the access token/)).toBe(1);
  });
});
