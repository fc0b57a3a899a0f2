import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HaSimulator, startHaSimulator } from '../testing/ha-simulator.js';
import { HaError } from './ha-error.js';
import { HaRestClient } from './ha-rest-client.js';

let sim: HaSimulator;
let rest: HaRestClient;

beforeAll(async () => {
  sim = await startHaSimulator();
  rest = new HaRestClient({ url: sim.url, token: sim.token });
});
afterAll(async () => {
  await sim.stop();
});

const rejection = async (p: Promise<unknown>): Promise<HaError> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HaError);
  return e as HaError;
};

describe('HaRestClient against the simulator', () => {
  it('reads all states and one state', async () => {
    await rest.ping();
    const states = await rest.getStates();
    expect(states.map((s) => s.entity_id)).toContain('light.kitchen');
    const kitchen = await rest.getState('light.kitchen');
    expect(kitchen.state).toBe('on');
    expect(kitchen.attributes.friendly_name).toBe('Kitchen Light');
  });

  it('says clearly when an entity does not exist', async () => {
    const e = await rejection(rest.getState('light.does_not_exist'));
    expect(e.kind).toBe('not_found');
    expect(e.message).toMatch(/light\.does_not_exist/);
  });

  it('lists services by domain', async () => {
    const services = await rest.getServices();
    const light = services.find((d) => d.domain === 'light');
    expect(Object.keys(light?.services ?? {})).toEqual(expect.arrayContaining(['turn_on', 'turn_off', 'toggle']));
  });

  it('calls a service: the light turns on and the changed state comes back', async () => {
    const changed = await rest.callService('light', 'turn_on', { entity_id: 'light.bedside', brightness: 90 });
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ entity_id: 'light.bedside', state: 'on', attributes: { brightness: 90 } });
    expect(sim.getState('light.bedside')?.state).toBe('on');
    expect(sim.serviceCalls.at(-1)).toMatchObject({ domain: 'light', service: 'turn_on', entityIds: ['light.bedside'], via: 'rest', data: { brightness: 90 } });
  });

  it('refuses an unknown service with HA’s message', async () => {
    const e = await rejection(rest.callService('light', 'explode', { entity_id: 'light.bedside' }));
    expect(e.kind).toBe('bad_request');
    expect(e.message).toMatch(/light\.explode not found/);
  });

  it('creates, reads and deletes an automation config', async () => {
    const config = { alias: 'Porch light at sunset', triggers: [{ trigger: 'sun', event: 'sunset' }], actions: [{ action: 'light.turn_on', target: { entity_id: 'light.kitchen' } }] };
    await rest.saveAutomationConfig('porch_sunset', config);
    expect(await rest.getAutomationConfig('porch_sunset')).toMatchObject({ ...config, id: 'porch_sunset' });
    expect(sim.getState('automation.porch_light_at_sunset')?.attributes.id).toBe('porch_sunset');
    await rest.deleteAutomationConfig('porch_sunset');
    expect((await rejection(rest.getAutomationConfig('porch_sunset'))).kind).toBe('not_found');
    expect((await rejection(rest.deleteAutomationConfig('porch_sunset'))).kind).toBe('not_found');
  });

  it('passes HA’s validation message through for an invalid automation', async () => {
    const e = await rejection(rest.saveAutomationConfig('broken', { alias: 'No triggers' }));
    expect(e.kind).toBe('bad_request');
    expect(e.message).toMatch(/triggers/);
  });

  it('a wrong token is an auth error that says what to do', async () => {
    const bad = new HaRestClient({ url: sim.url, token: 'wrong' });
    const e = await rejection(bad.getStates());
    expect(e.kind).toBe('auth');
    expect(e.message).toMatch(/rejected the access token.*HA_TOKEN/);
  });

  it('a malformed answer is a bad_response, not a crash', async () => {
    sim.malformRest('/api/states');
    try {
      const e = await rejection(rest.getStates());
      expect(e.kind).toBe('bad_response');
    } finally {
      sim.malformRest('/api/states', false);
    }
  });

  it('an unreachable HA names the URL', async () => {
    const closed = await startHaSimulator();
    const url = closed.url;
    await closed.stop();
    const e = await rejection(new HaRestClient({ url, token: 'x' }).getStates());
    expect(e.kind).toBe('unreachable');
    expect(e.message).toContain(url);
    expect(e.message).toMatch(/connection refused/);
  });
});
