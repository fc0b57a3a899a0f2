import { describe, expect, it } from 'vitest';
import type { HomeEntity } from '../../stores/home-store.js';
import { displayState, facets, filterEntities, groupByArea, isoToEpoch, UNASSIGNED } from './home-model.js';

const e = (entity_id: string, name: string, area: [string, string] | null, state = 'off', attributes: Record<string, unknown> = {}): HomeEntity => ({
  entity_id,
  domain: entity_id.split('.')[0]!,
  name,
  state,
  attributes,
  area_id: area?.[0] ?? null,
  area_name: area?.[1] ?? null,
  device_id: null,
  device_name: null,
  last_changed: null,
  toggleable: false,
});

const list = [
  e('light.kitchen', 'Kitchen Light', ['kitchen', 'Kitchen'], 'on'),
  e('sensor.temp', 'Living Room Temperature', ['living_room', 'Living Room'], '21.5', { unit_of_measurement: '°C' }),
  e('light.lamp', 'Lamp', ['living_room', 'Living Room']),
  e('lock.door', 'Front Door Lock', null, 'locked'),
];

describe('home model', () => {
  it('groups by area name, entities by name, no-area last', () => {
    expect(groupByArea(list).map((g) => [g.name, g.entities.map((x) => x.entity_id)])).toEqual([
      ['Kitchen', ['light.kitchen']],
      ['Living Room', ['light.lamp', 'sensor.temp']],
      ['No area', ['lock.door']],
    ]);
  });

  it('filters by domain, area (or none) and text', () => {
    const ids = (f: Parameters<typeof filterEntities>[1]) => filterEntities(list, f).map((x) => x.entity_id);
    expect(ids({ domain: 'light', area: '', query: '' })).toEqual(['light.kitchen', 'light.lamp']);
    expect(ids({ domain: '', area: 'living_room', query: '' })).toEqual(['sensor.temp', 'light.lamp']);
    expect(ids({ domain: '', area: UNASSIGNED, query: '' })).toEqual(['lock.door']);
    expect(ids({ domain: '', area: '', query: 'living' })).toEqual(['sensor.temp', 'light.lamp']);
    expect(ids({ domain: 'light', area: '', query: 'kitchen' })).toEqual(['light.kitchen']);
  });

  it('counts domains and areas for the filter menus', () => {
    expect(facets(list)).toEqual({
      domains: [['light', 2], ['lock', 1], ['sensor', 1]],
      areas: [{ id: 'kitchen', name: 'Kitchen', n: 1 }, { id: 'living_room', name: 'Living Room', n: 2 }],
      unassigned: 1,
    });
  });

  it('shows units for numeric states and parses HA times', () => {
    expect(displayState(list[1]!)).toBe('21.5 °C');
    expect(displayState(list[3]!)).toBe('locked');
    expect(displayState({ state: null, attributes: {} })).toBe('—');
    expect(isoToEpoch('2025-01-01T00:00:10.000Z')).toBe(1735689610);
    expect(isoToEpoch('nope')).toBeNull();
  });
});
