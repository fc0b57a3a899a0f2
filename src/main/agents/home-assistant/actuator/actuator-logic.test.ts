import { describe, expect, it } from 'vitest';
import { compare, evaluateCondition, matchesFilter, readPath, substitutePayload } from './actuator-logic.js';
import { actuatorName, parseActuatorSpec } from './actuator-spec.js';

describe('actuator logic', () => {
  it('compares HA string states as numbers when both sides are numbers', () => {
    expect(compare('21.5', 'gt', 20)).toBe(true);
    expect(compare('21.5', 'lte', '21.5')).toBe(true);
    expect(compare('on', 'gt', 1)).toBe(false);
    expect(compare('on', 'eq', 'on')).toBe(true);
    expect(compare('on', 'ne', 'off')).toBe(true);
    expect(compare(true, 'eq', 1)).toBe(false);
    expect(compare(undefined, 'eq', null)).toBe(false);
  });

  it('matches detection filters: literal, one-of, comparison — all keys', () => {
    const f = { detected: true, target: ['person', 'cat'], confidence: { gte: 0.8 } };
    expect(matchesFilter(f, { detected: true, target: 'cat', confidence: 0.9 })).toBe(true);
    expect(matchesFilter(f, { detected: true, target: 'dog', confidence: 0.9 })).toBe(false);
    expect(matchesFilter(f, { detected: true, target: 'cat', confidence: 0.5 })).toBe(false);
    expect(matchesFilter(f, { detected: true, target: 'cat' })).toBe(false);
    expect(matchesFilter(f, { detected: 'true', target: 'cat', confidence: 1 })).toBe(false);
    expect(matchesFilter(null, {})).toBe(true);
  });

  it('evaluates conditions on state paths', () => {
    const sun = { entity_id: 'sun.sun', state: 'below_horizon', attributes: { elevation: -12.3 } };
    expect(evaluateCondition({ entity_id: 'sun.sun', attribute: 'state', operator: 'eq', value: 'below_horizon' }, sun)).toBe(true);
    expect(evaluateCondition({ entity_id: 'sun.sun', attribute: 'attributes.elevation', operator: 'lt', value: 0 }, sun)).toBe(true);
    expect(evaluateCondition({ entity_id: 'sun.sun', attribute: 'attributes.missing', operator: 'lt', value: 0 }, sun)).toBe(false);
    expect(readPath({ a: [{ b: 1 }] }, 'a.0.b')).toBe(1);
  });

  it('substitutes $payload fields, typed when whole, as text when embedded; reports missing ones', () => {
    const payload = { rgb: [200, 30, 40], target: 'person', color: { name: 'red' }, level: 0 };
    expect(substitutePayload({ rgb_color: '$payload.rgb', brightness: 200, message: 'A $payload.target at the door.', c: ['$payload.color.name'], l: '$payload.level' }, payload)).toEqual({
      ok: true,
      data: { rgb_color: [200, 30, 40], brightness: 200, message: 'A person at the door.', c: ['red'], l: 0 },
    });
    expect(substitutePayload({ x: '$payload.nope', y: 'n=$payload.also.missing' }, payload)).toEqual({ ok: false, missing: ['nope', 'also.missing'] });
  });
});

describe('ha_actuator spec', () => {
  it('applies the original defaults and accepts `data` for `service_data`', () => {
    const r = parseActuatorSpec({ type: 'ha_actuator', automation_id: 'hall-motion', mqtt_topics: ['custom/triggers/hall-motion'], actions: [{ domain: 'light', service: 'turn_on', entity_id: 'light.hall', data: { brightness: 50 } }] });
    expect(r.ok && r.spec).toMatchObject({ cooldown_seconds: 10, conditions: [], detection_filter: null, description: '', actions: [{ service_data: { brightness: 50 } }] });
    expect(r.ok && actuatorName(r.spec)).toBe('actuator-hall-motion');
  });

  it('lists every problem with its path', () => {
    const r = parseActuatorSpec({ automation_id: '', mqtt_topics: ['a/#/b'], actions: [{ domain: 'Light', service: 'turn on', entity_id: 'lamp' }], detection_filter: { confidence: { gte: 1, lt: 2 } }, cooldown_seconds: -1 });
    expect(r.ok).toBe(false);
    const err = !r.ok ? r.error : '';
    expect(err).toMatch(/automation_id/);
    expect(err).toMatch(/mqtt_topics\.0/);
    expect(err).toMatch(/actions\.0\.domain/);
    expect(err).toMatch(/actions\.0\.entity_id/);
    expect(err).toMatch(/detection_filter\.confidence/);
    expect(err).toMatch(/cooldown_seconds/);
    expect(parseActuatorSpec({ automation_id: 'x', mqtt_topics: [], actions: [] }).ok).toBe(false);
  });
});
