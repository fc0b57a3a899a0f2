import { describe, expect, it } from 'vitest';
import type { HaEntityView } from '../../../shared/rest.js';
import { applyStateChanges, beginToggle, failToggle, finishToggle, loadEntities, toggledState, type EntityMap } from './home-store.js';

const entity = (id: string, state: string | null, extra: Partial<HaEntityView> = {}): HaEntityView => ({
  entity_id: id,
  domain: id.split('.')[0]!,
  name: id,
  state,
  attributes: {},
  area_id: 'kitchen',
  area_name: 'Kitchen',
  device_id: null,
  device_name: null,
  last_changed: '2025-01-01T00:00:00.000Z',
  toggleable: id.startsWith('light.'),
  ...extra,
});

const change = (id: string, state: string | null, attrs: Record<string, unknown> = {}) => ({
  entity_id: id,
  domain: id.split('.')[0]!,
  new_state: state === null ? null : { entity_id: id, state, attributes: attrs, last_changed: '2025-01-01T00:05:00.000Z' },
  old_state: null,
});

describe('home store reducers', () => {
  const base: EntityMap = loadEntities({}, [entity('light.kitchen', 'off'), entity('sensor.temp', '21.5')]);

  it('applies live state changes: state, attributes, last_changed; keeps area and name', () => {
    const next = applyStateChanges(base, [change('sensor.temp', '22.1', { unit_of_measurement: '°C' })]);
    expect(next['sensor.temp']).toMatchObject({ state: '22.1', attributes: { unit_of_measurement: '°C' }, last_changed: '2025-01-01T00:05:00.000Z', area_name: 'Kitchen', name: 'sensor.temp' });
    expect(next['light.kitchen']).toBe(base['light.kitchen']);
    expect(applyStateChanges(base, [])).toBe(base);
  });

  it('adds entities it has not seen (no area yet, toggleable by domain) and drops removed ones', () => {
    const next = applyStateChanges(base, [change('switch.coffee', 'on', { friendly_name: 'Coffee' }), change('sensor.temp', null)]);
    expect(next['switch.coffee']).toMatchObject({ name: 'Coffee', state: 'on', area_id: null, toggleable: true, domain: 'switch' });
    expect(next['sensor.temp']).toBeUndefined();
  });

  it('ignores a change without a state string', () => {
    const next = applyStateChanges(base, [{ entity_id: 'light.kitchen', domain: 'light', new_state: { foo: 1 }, old_state: null }]);
    expect(next['light.kitchen']!.state).toBe('off');
  });

  it('toggles optimistically and keeps the hub answer', () => {
    const optimistic = beginToggle(base, 'light.kitchen');
    expect(optimistic['light.kitchen']).toMatchObject({ state: 'on', pending: { previous: 'off' } });
    // A second click while pending changes nothing.
    expect(beginToggle(optimistic, 'light.kitchen')).toBe(optimistic);
    const done = finishToggle(optimistic, 'light.kitchen', 'on');
    expect(done['light.kitchen']!.state).toBe('on');
    expect(done['light.kitchen']!.pending).toBeUndefined();
  });

  it('rolls back a refused toggle, with the reason', () => {
    const failed = failToggle(beginToggle(base, 'light.kitchen'), 'light.kitchen', 'Home Assistant is not reachable');
    expect(failed['light.kitchen']).toMatchObject({ state: 'off', toggleError: 'Home Assistant is not reachable' });
    expect(failed['light.kitchen']!.pending).toBeUndefined();
    // The next toggle clears the old error.
    expect(beginToggle(failed, 'light.kitchen')['light.kitchen']!.toggleError).toBeUndefined();
  });

  it('lets HA settle a toggle in flight, and a reload keeps the optimistic state until the hub answers', () => {
    const optimistic = beginToggle(base, 'light.kitchen');
    const reloaded = loadEntities(optimistic, [entity('light.kitchen', 'off'), entity('sensor.temp', '21.5')]);
    expect(reloaded['light.kitchen']).toMatchObject({ state: 'on', pending: { previous: 'off' } });
    const settled = applyStateChanges(optimistic, [change('light.kitchen', 'on')]);
    expect(settled['light.kitchen']!.pending).toBeUndefined();
    expect(settled['light.kitchen']!.state).toBe('on');
  });

  it('flips on/off, turns anything else on', () => {
    expect([toggledState('on'), toggledState('off'), toggledState('unavailable'), toggledState(null)]).toEqual(['off', 'on', 'on', 'on']);
  });
});
